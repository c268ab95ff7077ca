//! Factoring requests: one receivable (single invoice, funded at once) or several (a pool the
//! supplier then draws on up to its borrowing base). Eligibility and limits are checked under
//! row locks; the scoring engine approves, refers or declines.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use credit_scoring::{Outcome, ProductKind};
use diesel::PgConnection;
use domain::money::{Currency, RoundingMode};
use persistence::reviews::{self, NewReview};
use persistence::scf::factoring::{self as requests, LinkTerms, RequestRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::decision::{self, ScfDecision, Scored};
use super::eligibility::{self, Locked};
use super::{funding, money, pools, record, stored_currency, today};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::state::AppState;
use crate::usecases::scoring::ModelCache;
use crate::views::amount;

const MAX_POOL_SIZE: usize = 500;
/// The subject kind of factoring cases in the review queue.
pub const REVIEW_KIND: &str = "factoring_request";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFactoringRequest {
    /// One receivable for single-invoice factoring, several for a pool.
    pub receivable_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FactoringRequestView {
    pub id: Uuid,
    pub supplier_id: Uuid,
    /// `single` or `pool`.
    pub kind: String,
    /// `funded`, `referred`, `declined` or `closed`.
    pub state: String,
    pub currency: String,
    pub face_total: String,
    pub advance_total: String,
    pub fees_total: String,
    pub borrowing_base: String,
    pub drawn_outstanding: String,
    pub overdrawn: bool,
    pub receivable_ids: Vec<Uuid>,
    /// The decision: `outcome`, the per-party `decision_ids` and, after a review, the officers'
    /// `review` outcome and reason code.
    #[schema(value_type = Object)]
    pub decision: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl FactoringRequestView {
    pub fn build(row: &RequestRow, receivable_ids: Vec<Uuid>) -> Result<Self, ApiError> {
        let c = stored_currency(&row.currency)?;
        Ok(FactoringRequestView {
            id: row.id,
            supplier_id: row.supplier_id,
            kind: row.kind.clone(),
            state: row.state.clone(),
            currency: row.currency.clone(),
            face_total: amount(row.face_total, c),
            advance_total: amount(row.advance_total, c),
            fees_total: amount(row.fees_total, c),
            borrowing_base: amount(row.borrowing_base, c),
            drawn_outstanding: amount(row.drawn_outstanding, c),
            overdrawn: row.overdrawn,
            receivable_ids,
            decision: decision::public_view(
                &serde_json::from_str(&row.decision).map_err(ApiError::internal)?,
                true,
            ),
            created_at: row.created_at,
        })
    }
}

/// Submits a factoring request (supplier). Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/v1/factoring-requests", tag = "supply-chain finance",
    request_body = NewFactoringRequest, security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "required: this moves money")),
    responses((status = 201, body = FactoringRequestView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody<NewFactoringRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Supplier])?;
    let supplier = caller.party().ok_or(ApiError::Forbidden)?;
    let hash = body.hash().to_string();
    let mut ids = body.value.receivable_ids;
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_POOL_SIZE {
        return Err(ApiError::invalid(
            "receivable_ids",
            format!("1 to {MAX_POOL_SIZE} receivables"),
        ));
    }
    let actor = caller.actor();
    let models = state.policy.models.clone();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let on = today(conn)?;
            let mut locked = eligibility::lock_and_check(conn, supplier, &ids, on)?;
            let view = if ids.len() == 1 {
                single(conn, &mut locked, supplier, &actor, &models, on)?
            } else {
                pool(conn, &mut locked, supplier, &actor, &models, on)?
            };
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}

fn new_request(supplier: Uuid, kind: &str, c: Currency, face: Decimal) -> RequestRow {
    let now = Utc::now().trunc_subsecs(6);
    RequestRow {
        id: Uuid::now_v7(),
        supplier_id: supplier,
        kind: kind.into(),
        state: "declined".into(),
        currency: c.code().into(),
        face_total: face,
        advance_total: Decimal::ZERO,
        fees_total: Decimal::ZERO,
        advance_rate: Decimal::ZERO,
        concentration_limit: None,
        drawn_outstanding: Decimal::ZERO,
        borrowing_base: Decimal::ZERO,
        overdrawn: false,
        decision: String::new(),
        created_at: now,
        updated_at: now,
    }
}

/// The review case of a referred request, in the risk officers' queue shared with loans.
fn open_review(conn: &mut PgConnection, row: &RequestRow, amount: Decimal) -> Result<(), ApiError> {
    let engine_decision = serde_json::from_str(&row.decision).map_err(ApiError::internal)?;
    reviews::open(
        conn,
        &NewReview {
            subject_kind: REVIEW_KIND.into(),
            subject_id: row.id,
            party_id: row.supplier_id,
            product: ProductKind::Factoring.as_str().into(),
            amount,
            currency: row.currency.clone(),
            engine_decision,
        },
        Utc::now(),
    )?;
    Ok(())
}

/// What the engine's outcome makes of a new request.
fn state_of(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Approve => "funded",
        Outcome::Refer => "referred",
        Outcome::Decline => "declined",
    }
}

/// Stores a decided request with what it asked for; a referral waits in the review queue.
fn store(
    conn: &mut PgConnection,
    row: &mut RequestRow,
    decided: &ScfDecision,
    terms: &[LinkTerms],
    review_amount: Decimal,
) -> Result<(), ApiError> {
    row.decision = decided.to_json()?;
    row.state = state_of(decided.outcome).into();
    requests::insert(conn, row)?;
    let referred = decided.outcome == Outcome::Refer;
    requests::link(conn, row.id, terms, referred)?;
    if referred {
        open_review(conn, row, review_amount)?;
    }
    Ok(())
}

fn single(
    conn: &mut PgConnection,
    locked: &mut Locked,
    supplier: Uuid,
    actor: &str,
    models: &ModelCache,
    on: NaiveDate,
) -> Result<FactoringRequestView, ApiError> {
    let (r, program) = funding::single_of(locked)?;
    let c = stored_currency(&r.currency)?;
    let q = funding::quote(&r, &program, c, on)?;
    let member_exposure = locked
        .members
        .get(&r.program_id)
        .map_or(Decimal::ZERO, |m| m.exposure);
    let mut row = new_request(supplier, "single", c, q.face.amount());
    funding::price_single(&mut row, &program, &q);
    let subject = format!("factoring:{}", row.id);
    let ask = decision::Ask {
        models,
        product: ProductKind::Factoring,
        subject: &subject,
        actor,
        requested: q.advance.amount(),
        on,
    };
    let decided = decision::decide_factoring(
        conn,
        &ask,
        (supplier, member_exposure),
        &[Scored {
            party: r.debtor_id,
            exposure: program.debtor_exposure,
            requested: q.advance.amount(),
        }],
    )?;
    store(
        conn,
        &mut row,
        &decided,
        &funding::terms_of(locked)?,
        q.advance.amount(),
    )?;
    if decided.outcome == Outcome::Approve {
        funding::fund_single(conn, locked, &mut row, &q, on, actor)?;
    }
    record(
        conn,
        &format!("factoring:{}", row.id),
        actor,
        &format!("factoring.{}", row.state),
        &serde_json::json!({"receivable_id": r.id, "advance": q.advance, "discount_fee": q.discount_fee,
            "service_fee": q.service_fee, "reserve": q.reserve}),
    )?;
    FactoringRequestView::build(&row, vec![r.id])
}

fn pool(
    conn: &mut PgConnection,
    locked: &mut Locked,
    supplier: Uuid,
    actor: &str,
    models: &ModelCache,
    on: NaiveDate,
) -> Result<FactoringRequestView, ApiError> {
    let c = stored_currency(
        &locked
            .receivables
            .first()
            .ok_or(ApiError::NotFound)?
            .currency,
    )?;
    let mut row = new_request(
        supplier,
        "pool",
        c,
        locked.receivables.iter().map(|r| r.amount).sum(),
    );
    funding::price_pool(&mut row, locked, on)?;
    // Each debtor is scored on what the pool lends against it, not on the whole pool.
    let terms = pools::PoolTerms::of_programs(&locked.receivables, &locked.programs);
    let shares = pools::debtor_shares(&row, &locked.receivables, &terms, on)?;
    let debtors: Vec<Scored> = locked
        .programs
        .values()
        .map(|p| Scored {
            party: p.core_enterprise_id,
            exposure: p.debtor_exposure,
            requested: shares
                .get(&p.core_enterprise_id)
                .copied()
                .unwrap_or(Decimal::ZERO),
        })
        .collect();
    let member_exposure = locked.members.values().map(|m| m.exposure).sum();
    let subject = format!("factoring:{}", row.id);
    let ask = decision::Ask {
        models,
        product: ProductKind::Factoring,
        subject: &subject,
        actor,
        requested: row.borrowing_base,
        on,
    };
    let decided = decision::decide_factoring(conn, &ask, (supplier, member_exposure), &debtors)?;
    let ids: Vec<Uuid> = locked.receivables.iter().map(|r| r.id).collect();
    let base = row.borrowing_base;
    store(conn, &mut row, &decided, &funding::terms_of(locked)?, base)?;
    if decided.outcome == Outcome::Approve {
        funding::fund_pool(conn, locked, &mut row, actor)?;
    }
    record(
        conn,
        &format!("factoring:{}", row.id),
        actor,
        &format!("factoring.pool_{}", row.state),
        &serde_json::json!({"receivables": ids.len(), "borrowing_base": money(row.borrowing_base, c)}),
    )?;
    FactoringRequestView::build(&row, ids)
}

/// Reads a factoring request: its supplier or staff.
#[utoipa::path(get, path = "/v1/factoring-requests/{id}", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FactoringRequestView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (row, ids) = state
        .transaction(move |conn| {
            let row = requests::find(conn, id)?;
            let ids = requests::linked(conn, id)?;
            Ok((row, ids))
        })
        .await?;
    caller.ensure_can_see(&[row.supplier_id])?;
    Ok(HttpResponse::Ok().json(FactoringRequestView::build(&row, ids)?))
}

/// The rounding used for per-receivable exposure: down, so that the sum never exceeds the base.
pub const EXPOSURE_ROUNDING: RoundingMode = RoundingMode::Down;
