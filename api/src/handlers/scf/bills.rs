//! Commercial acceptance bills: registration by the drawer (in the same duplicate-proof
//! registry as receivables), acceptance by the acceptor, and the endorsement chain (only the
//! current holder endorses; never before acceptance, after discount or at maturity).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use diesel::PgConnection;
use domain::calendar::add_months_clamped;
use domain::money::Money;
use domain::receivable_fingerprint::{bill_fingerprint, PaperKind};
use domain::scf_state::BillState;
use persistence::parties;
use persistence::scf::bills::{self, BillRow, EndorsementRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::receivables::register;
use super::{currency, record, stored_currency, stored_state, today, transition_refused};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::state::AppState;
use crate::views::amount;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    Electronic,
    Paper,
}

impl Medium {
    fn as_str(self) -> &'static str {
        match self {
            Medium::Electronic => "electronic",
            Medium::Paper => "paper",
        }
    }

    /// The longest tenor allowed: a year for electronic bills, six months for paper ones.
    pub fn max_tenor_months(text: &str) -> u32 {
        if text == "electronic" {
            12
        } else {
            6
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBill {
    #[schema(example = "CA-2026-0001")]
    pub bill_number: String,
    /// The core enterprise that accepts (and will pay) the bill.
    pub acceptor_id: Uuid,
    pub payee_id: Uuid,
    #[schema(example = "80000.00")]
    pub face_value: String,
    pub currency: String,
    pub issue_date: NaiveDate,
    pub maturity_date: NaiveDate,
    pub medium: Medium,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndorsementView {
    pub seq: i32,
    pub from_party_id: Uuid,
    pub to_party_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillView {
    pub id: Uuid,
    pub bill_number: String,
    pub drawer_id: Uuid,
    pub acceptor_id: Uuid,
    pub payee_id: Uuid,
    /// Absent once the platform holds the bill.
    pub holder_id: Option<Uuid>,
    pub face_value: String,
    pub currency: String,
    pub issue_date: NaiveDate,
    pub maturity_date: NaiveDate,
    pub medium: String,
    pub fingerprint: String,
    pub state: String,
    pub discount_interest: Option<String>,
    pub endorsements: Vec<EndorsementView>,
    #[schema(value_type = Option<Object>)]
    pub decision: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl BillView {
    pub fn build(b: &BillRow, chain: &[EndorsementRow]) -> Result<Self, ApiError> {
        let c = stored_currency(&b.currency)?;
        Ok(BillView {
            id: b.id,
            bill_number: b.bill_number.clone(),
            drawer_id: b.drawer_id,
            acceptor_id: b.acceptor_id,
            payee_id: b.payee_id,
            holder_id: b.holder_id,
            face_value: amount(b.face_value, c),
            currency: b.currency.clone(),
            issue_date: b.issue_date,
            maturity_date: b.maturity_date,
            medium: b.medium.clone(),
            fingerprint: b.fingerprint.clone(),
            state: b.state.clone(),
            discount_interest: b.discount_interest.map(|d| amount(d, c)),
            endorsements: chain
                .iter()
                .map(|e| EndorsementView {
                    seq: e.seq,
                    from_party_id: e.from_party_id,
                    to_party_id: e.to_party_id,
                })
                .collect(),
            // Everyone on the bill reads it: the outcome only, never the acceptor's scoring.
            decision: b
                .decision
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(ApiError::internal)?
                .map(|d| super::decision::public_view(&d, false)),
            created_at: b.created_at,
        })
    }
}

/// Everyone who has been party to the bill may see it; anyone else gets 404.
pub fn ensure_visible(
    caller: &Caller,
    b: &BillRow,
    chain: &[EndorsementRow],
) -> Result<(), ApiError> {
    let mut parties = vec![b.drawer_id, b.acceptor_id, b.payee_id];
    parties.extend(b.holder_id);
    parties.extend(chain.iter().flat_map(|e| [e.from_party_id, e.to_party_id]));
    caller.ensure_can_see(&parties)
}

/// Loads and locks a bill the caller may see, with its endorsement chain.
pub fn load(
    conn: &mut PgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(BillRow, Vec<EndorsementRow>), ApiError> {
    let bill = bills::lock(conn, id)?;
    let chain = bills::endorsements(conn, id)?;
    ensure_visible(caller, &bill, &chain)?;
    Ok((bill, chain))
}

/// Registers a bill (its drawer, a supplier).
#[utoipa::path(post, path = "/v1/bills", tag = "supply-chain finance", request_body = NewBill,
    security(("bearer" = [])),
    responses((status = 201, body = BillView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register_bill(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody<NewBill>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Supplier])?;
    let drawer = caller.party().ok_or(ApiError::Forbidden)?;
    let hash = body.hash().to_string();
    let new = body.value;
    let c = currency(&new.currency)?;
    let face = Money::parse_positive(&new.face_value, c)
        .map_err(|e| ApiError::invalid("face_value", e.to_string()))?;
    let number = crate::text::identifier("bill_number", &new.bill_number, 64)?;
    let latest = add_months_clamped(
        new.issue_date,
        Medium::max_tenor_months(new.medium.as_str()),
    );
    if new.maturity_date <= new.issue_date || latest.is_none_or(|l| new.maturity_date > l) {
        return Err(ApiError::invalid(
            "maturity_date",
            "maturity must fall after issue and within the tenor limit",
        ));
    }
    let actor = caller.actor();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Optional,
        move |conn| {
            parties::find(conn, drawer)?;
            let acceptor = parties::find(conn, new.acceptor_id)
                .ok()
                .filter(|a| a.party.kind == "core_enterprise")
                .ok_or_else(|| ApiError::invalid("acceptor_id", "no such core enterprise"))?;
            parties::find(conn, new.payee_id)
                .map_err(|_| ApiError::invalid("payee_id", "no such party"))?;
            // A bill is its acceptor and its number: a second drawer cannot register it again.
            let print = bill_fingerprint(&acceptor.party.registration_number, number.text());
            let id = Uuid::now_v7();
            register(conn, &print, PaperKind::Bill, id)?;
            let row = BillRow {
                id,
                bill_number: number.text().to_string(),
                drawer_id: drawer,
                acceptor_id: new.acceptor_id,
                payee_id: new.payee_id,
                holder_id: Some(new.payee_id),
                face_value: face.amount(),
                currency: c.code().into(),
                issue_date: new.issue_date,
                maturity_date: new.maturity_date,
                medium: new.medium.as_str().into(),
                fingerprint: print,
                state: BillState::Registered.as_str().into(),
                discount_interest: None,
                decision: None,
                created_at: Utc::now().trunc_subsecs(6),
            };
            bills::insert(conn, &row)?;
            let view = BillView::build(&row, &[])?;
            record(
                conn,
                &format!("bill:{id}"),
                &actor,
                "bill.registered",
                &view,
            )?;
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}

#[utoipa::path(get, path = "/v1/bills/{id}", tag = "supply-chain finance", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = BillView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .transaction(move |conn| {
            let bill = bills::find(conn, id)?;
            let chain = bills::endorsements(conn, id)?;
            ensure_visible(&caller, &bill, &chain)?;
            BillView::build(&bill, &chain)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The acceptor accepts the bill.
#[utoipa::path(post, path = "/v1/bills/{id}/accept", tag = "supply-chain finance", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = BillView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accept(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::CoreEnterprise])?;
    let id = id.into_inner();
    let actor = caller.actor();
    let view = state
        .transaction(move |conn| {
            let mut bill = bills::lock(conn, id)?;
            caller.ensure_can_see(&[bill.acceptor_id])?;
            let from: BillState = stored_state(&bill.state)?;
            bill.state = from
                .transition(BillState::Accepted)
                .map_err(transition_refused)?
                .as_str()
                .into();
            bills::save(conn, &bill)?;
            record(
                conn,
                &format!("bill:{id}"),
                &actor,
                "bill.accepted",
                &serde_json::json!({}),
            )?;
            BillView::build(&bill, &bills::endorsements(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEndorsement {
    /// The party the holder endorses the bill to.
    pub to_party_id: Uuid,
}

/// The current holder endorses the bill to another party.
#[utoipa::path(post, path = "/v1/bills/{id}/endorsements", tag = "supply-chain finance",
    request_body = NewEndorsement, security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 201, body = BillView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn endorse(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: JsonBody<NewEndorsement>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let to = body.value.to_party_id;
    let actor = caller.actor();
    let view = state
        .transaction(move |conn| {
            let (mut bill, chain) = load(conn, &caller, id)?;
            let holder = bill
                .holder_id
                .filter(|h| caller.party() == Some(*h))
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "not_the_holder",
                        "only the current holder may endorse the bill",
                        None,
                    )
                })?;
            super::bill_discount::ensure_not_under_review(conn, id)?;
            let state: BillState = stored_state(&bill.state)?;
            // Until the acceptor has accepted, nobody is bound to pay the bill: passing it on
            // would sell a promise nobody made.
            if state == BillState::Registered {
                return Err(ApiError::unprocessable(
                    "bill_not_accepted",
                    "a bill can be endorsed only once its acceptor has accepted it",
                    None,
                ));
            }
            if state != BillState::Accepted || today(conn)? >= bill.maturity_date {
                return Err(ApiError::unprocessable(
                    "endorsement_closed",
                    "no endorsement after discount or maturity",
                    None,
                ));
            }
            if to == holder {
                return Err(ApiError::invalid(
                    "to_party_id",
                    "a holder cannot endorse to itself",
                ));
            }
            parties::find(conn, to)
                .map_err(|_| ApiError::invalid("to_party_id", "no such party"))?;
            let seq = i32::try_from(chain.len() + 1).map_err(ApiError::internal)?;
            let row = EndorsementRow {
                bill_id: id,
                seq,
                from_party_id: holder,
                to_party_id: to,
                endorsed_at: Utc::now().trunc_subsecs(6),
            };
            bills::add_endorsement(conn, &row)?;
            bill.holder_id = Some(to);
            bills::save(conn, &bill)?;
            record(
                conn,
                &format!("bill:{id}"),
                &actor,
                "bill.endorsed",
                &serde_json::json!({"seq": seq, "from": holder, "to": to}),
            )?;
            BillView::build(&bill, &bills::endorsements(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}
