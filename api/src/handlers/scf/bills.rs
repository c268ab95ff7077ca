//! Commercial acceptance bills: registration by the drawer (in the same duplicate-proof
//! registry as receivables), acceptance by the acceptor, and the endorsement chain (only the
//! current holder endorses; never before acceptance, after discount or at maturity).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Money;
use domain::scf_state::BillMedium;
use persistence::scf::bills::{BillRow, EndorsementRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{currency, public_decision, stored_currency};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::bills::lifecycle::{self, RegisterBill};
use crate::usecases::bills::Bill;
use crate::views::amount;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    Electronic,
    Paper,
}

impl From<Medium> for BillMedium {
    fn from(m: Medium) -> BillMedium {
        match m {
            Medium::Electronic => BillMedium::Electronic,
            Medium::Paper => BillMedium::Paper,
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
                .map(|d| public_decision(d, false))
                .transpose()?,
            created_at: b.created_at,
        })
    }
}

impl TryFrom<NewBill> for RegisterBill {
    type Error = ApiError;

    fn try_from(new: NewBill) -> Result<Self, ApiError> {
        let c = currency(&new.currency)?;
        let face = Money::parse_positive(&new.face_value, c)
            .map_err(|e| ApiError::invalid("face_value", e.to_string()))?;
        let number = crate::text::identifier("bill_number", &new.bill_number, 64)?;
        Ok(RegisterBill::new(
            number,
            (new.acceptor_id, new.payee_id),
            face,
            (new.issue_date, new.maturity_date),
            new.medium.into(),
        )?)
    }
}

/// The bill's view: 201 when the call `created` something (a bill, an endorsement, a booking), else 200.
pub fn reply(created: bool, (bill, chain): Bill) -> Result<Reply, ApiError> {
    let view = BillView::build(&bill, &chain)?;
    if created {
        Reply::created(&view)
    } else {
        Reply::ok(&view)
    }
}

/// Registers a bill (its drawer, a supplier).
#[utoipa::path(post, path = "/v1/bills", tag = "supply-chain finance", request_body = NewBill,
    security(("bearer" = [])),
    responses((status = 201, body = BillView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register_bill(call: Call, body: JsonBody<NewBill>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let new = RegisterBill::try_from(body.into_inner())?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| lifecycle::register(ctx, new),
        |bill| reply(true, bill),
    )
    .await
}

#[utoipa::path(get, path = "/v1/bills/{id}", tag = "supply-chain finance", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = BillView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| lifecycle::find(ctx, id),
        |bill| reply(false, bill),
    )
    .await
}

/// The acceptor accepts the bill.
#[utoipa::path(post, path = "/v1/bills/{id}/accept", tag = "supply-chain finance", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = BillView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accept(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.run(
        KeyPolicy::Optional,
        None,
        move |ctx| lifecycle::accept(ctx, id),
        |bill| reply(false, bill),
    )
    .await
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
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewEndorsement>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let (id, to) = (id.into_inner(), body.into_inner().to_party_id);
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| lifecycle::endorse(ctx, id, to),
        |bill| reply(true, bill),
    )
    .await
}
