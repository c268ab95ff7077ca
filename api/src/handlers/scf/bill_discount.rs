//! Discounting a bill (its holder), and its end at maturity: the acceptor pays, or dishonours
//! and the platform gains recourse against the drawer, every endorser and the seller who
//! discounted it (see `domain::bill_recourse`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, SubsecRound, Utc};
use credit_scoring::{Outcome, ProductKind};
use diesel::PgConnection;
use domain::bill_recourse::{recourse_parties, Endorsement};
use domain::discounting::{discount_bill, BillDiscount, BillDiscountInput};
use domain::money::Money;
use domain::scf_postings;
use domain::scf_state::BillState;
use persistence::reviews::{self, NewReview};
use persistence::scf::bills::{self, BillRow, ClaimRow, ReferralRow};
use persistence::scf::{programs, registry};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::bills::{load, BillView, Medium};
use super::decision::{self, ScfDecision};
use super::{
    business_date, money, post, record, stored_currency, stored_rate, stored_state, today,
    transition_refused,
};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::state::AppState;

/// The subject kind of referred discounts in the review queue.
pub const REVIEW_KIND: &str = "bill_discount";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDiscount {}

/// The price of discounting `bill` on `on`, at the acceptor's program rate.
pub fn price(
    conn: &mut PgConnection,
    bill: &BillRow,
    on: NaiveDate,
) -> Result<BillDiscount, ApiError> {
    let program = programs::find_by_core_enterprise(conn, bill.acceptor_id).map_err(|_| {
        ApiError::unprocessable(
            "no_program",
            "the acceptor has no program to price the bill",
            None,
        )
    })?;
    discount_bill(&BillDiscountInput {
        face: money(bill.face_value, stored_currency(&bill.currency)?),
        annual_rate: stored_rate(program.discount_rate_annual)?,
        discount_date: on,
        maturity_date: bill.maturity_date,
        adjustment_days: 0,
        basis_days: 360,
        max_tenor_months: Medium::max_tenor_months(&bill.medium),
    })
    .map_err(|e| ApiError::unprocessable("discount_refused", e.to_string(), None))
}

/// The platform buys the locked `bill` from its holder: proceeds paid, interest earned.
pub fn execute(
    conn: &mut PgConnection,
    bill: &mut BillRow,
    quote: &BillDiscount,
    on: NaiveDate,
) -> Result<(), ApiError> {
    let from: BillState = stored_state(&bill.state)?;
    from.transition(BillState::Discounted)
        .map_err(transition_refused)?;
    let face = money(bill.face_value, stored_currency(&bill.currency)?);
    post(
        conn,
        scf_postings::bill_discount(
            &bill.id.to_string(),
            face,
            quote.discount_interest,
            quote.proceeds,
            on,
        ),
    )?;
    bill.state = BillState::Discounted.as_str().into();
    bill.holder_id = None;
    bill.discount_interest = Some(quote.discount_interest.amount());
    registry::set_encumbered(conn, bill.id, true)?;
    Ok(())
}

/// Refuses a change to a bill whose discount waits for a risk officer.
pub fn ensure_not_under_review(conn: &mut PgConnection, bill: Uuid) -> Result<(), ApiError> {
    if bills::waiting_referral(conn, bill)?.is_some() {
        return Err(ApiError::Conflict {
            code: "discount_under_review",
            message: "the bill's discount waits for a risk officer's decision".into(),
            field: None,
            retry_after_seconds: None,
        });
    }
    Ok(())
}

/// Queues a referred discount for a risk officer; the bill stays with its holder meanwhile.
fn refer(
    conn: &mut PgConnection,
    bill: &BillRow,
    holder: Uuid,
    decided: &ScfDecision,
    proceeds: Money,
) -> Result<(), ApiError> {
    let referral = ReferralRow {
        id: Uuid::now_v7(),
        bill_id: bill.id,
        holder_id: holder,
        state: "referred".into(),
        decision: decided.to_json()?,
        created_at: Utc::now().trunc_subsecs(6),
        decided_at: None,
    };
    bills::insert_referral(conn, &referral)?;
    reviews::open(
        conn,
        &NewReview {
            subject_kind: REVIEW_KIND.into(),
            subject_id: referral.id,
            party_id: holder,
            product: ProductKind::BillDiscount.as_str().into(),
            amount: proceeds.amount(),
            currency: bill.currency.clone(),
            engine_decision: serde_json::to_value(decided).map_err(ApiError::internal)?,
        },
        Utc::now(),
    )?;
    Ok(())
}

/// The holder sells the bill to the platform for face less discount interest. The acceptor's
/// factoring program sets the rate; the scoring engine decides on the acceptor's risk. A
/// referred discount waits in the review queue (the bill frozen with its holder); a declined
/// one leaves the bill with its holder. Either way the decision is recorded.
#[utoipa::path(post, path = "/v1/bills/{id}/discount", tag = "supply-chain finance",
    request_body = NewDiscount, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = BillView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn discount(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<NewDiscount>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let hash = body.hash().to_string();
    let actor = caller.actor();
    let who = caller.clone();
    let models = state.policy.models.clone();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let (mut bill, chain) = load(conn, &who, id)?;
            let holder = bill
                .holder_id
                .filter(|h| who.party() == Some(*h))
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "not_the_holder",
                        "only the current holder may discount the bill",
                        None,
                    )
                })?;
            ensure_not_under_review(conn, id)?;
            let from: BillState = stored_state(&bill.state)?;
            from.transition(BillState::Discounted)
                .map_err(transition_refused)?;
            let on = today(conn)?;
            let quote = price(conn, &bill, on)?;
            let subject = format!("bill:{id}");
            let ask = decision::Ask {
                models: &models,
                product: ProductKind::BillDiscount,
                subject: &subject,
                actor: &actor,
                requested: quote.proceeds.amount(),
                on,
            };
            let decided = decision::decide_bill(conn, &ask, bill.acceptor_id)?;
            bill.decision = Some(decided.to_json()?);
            match decided.outcome {
                Outcome::Approve => execute(conn, &mut bill, &quote, on)?,
                Outcome::Refer => refer(conn, &bill, holder, &decided, quote.proceeds)?,
                Outcome::Decline => {}
            }
            bills::save(conn, &bill)?;
            record(
                conn,
                &format!("bill:{id}"),
                &actor,
                "bill.discount_decided",
                &serde_json::json!({
            "outcome": decided.outcome, "seller": holder, "days": quote.days,
            "discount_interest": quote.discount_interest, "proceeds": quote.proceeds}),
            )?;
            Ok((StatusCode::CREATED, BillView::build(&bill, &chain)?))
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaturityEvent {
    /// The business date; on or after the maturity date. Today when absent.
    pub business_date: Option<NaiveDate>,
}

/// Shared by payment and dishonour: a discounted bill at or after maturity.
async fn at_maturity(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: Uuid,
    body: JsonBody<MaturityEvent>,
    to: BillState,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let hash = body.hash().to_string();
    let given = body.value.business_date;
    let actor = caller.actor();
    let who = caller.clone();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let on = business_date(conn, given, "business_date")?;
            let (mut bill, chain) = load(conn, &who, id)?;
            let from: BillState = stored_state(&bill.state)?;
            from.transition(to).map_err(transition_refused)?;
            if on < bill.maturity_date {
                return Err(ApiError::unprocessable(
                    "not_matured",
                    "the bill is not yet at maturity",
                    Some("business_date"),
                ));
            }
            let face = money(bill.face_value, stored_currency(&bill.currency)?);
            if to == BillState::Paid {
                post(conn, scf_postings::bill_payment(&id.to_string(), face, on))?;
            } else {
                post(
                    conn,
                    scf_postings::bill_dishonour(&id.to_string(), face, on),
                )?;
                // Drawer, every endorser and the seller who discounted it are jointly liable
                // for the face.
                let now = Utc::now().trunc_subsecs(6);
                let transfers: Vec<Endorsement<Uuid>> = chain
                    .iter()
                    .map(|e| Endorsement {
                        from: e.from_party_id,
                        to: e.to_party_id,
                    })
                    .collect();
                let claims: Vec<ClaimRow> =
                    recourse_parties(bill.drawer_id, bill.payee_id, &transfers)
                        .into_iter()
                        .map(|(party_id, role)| ClaimRow {
                            bill_id: id,
                            party_id,
                            role: role.as_str().into(),
                            amount: face.amount(),
                            created_at: now,
                        })
                        .collect();
                bills::add_claims(conn, &claims)?;
                record(
                    conn,
                    &format!("bill:{id}"),
                    &actor,
                    "bill.recourse_claims",
                    &claims
                        .iter()
                        .map(|c| serde_json::json!({"party": c.party_id, "role": c.role}))
                        .collect::<Vec<_>>(),
                )?;
            }
            bill.state = to.as_str().into();
            bills::save(conn, &bill)?;
            registry::set_encumbered(conn, id, false)?;
            record(
                conn,
                &format!("bill:{id}"),
                &actor,
                &format!("bill.{}", to.as_str()),
                &serde_json::json!({"business_date": on}),
            )?;
            Ok((StatusCode::CREATED, BillView::build(&bill, &chain)?))
        },
    )
    .await
}

/// Records the acceptor's payment at maturity (staff). Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/v1/bills/{id}/payment", tag = "supply-chain finance",
    request_body = MaturityEvent, security(("bearer" = [])), params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = BillView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pay(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<MaturityEvent>,
) -> Result<HttpResponse, ApiError> {
    at_maturity(state, caller, req, id.into_inner(), body, BillState::Paid).await
}

/// Records the acceptor's dishonour (staff): recourse claims on the drawer, the endorsers and
/// the discounting seller.
#[utoipa::path(post, path = "/v1/bills/{id}/dishonour", tag = "supply-chain finance",
    request_body = MaturityEvent, security(("bearer" = [])), params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = BillView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dishonour(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<MaturityEvent>,
) -> Result<HttpResponse, ApiError> {
    at_maturity(
        state,
        caller,
        req,
        id.into_inner(),
        body,
        BillState::Dishonoured,
    )
    .await
}
