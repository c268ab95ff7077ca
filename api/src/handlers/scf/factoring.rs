//! Factoring requests: one receivable (single invoice, funded at once) or several (a pool the
//! supplier then draws on up to its borrowing base), decided by the scoring engine.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use persistence::scf::factoring::RequestRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{public_decision, stored_currency};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::scf::factoring::{self, RequestFactoring, MAX_POOL_SIZE};
use crate::views::amount;

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
    /// `funded`, `referred`, `declined` or `closed` (kept beside the top-level `outcome` of
    /// a new request: clients read it).
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
            decision: public_decision(&row.decision, true)?,
            created_at: row.created_at,
        })
    }
}

/// Submits a factoring request (supplier). Requires an `Idempotency-Key`. Approved or referred:
/// 201; declined: 200. Either way the body is the request with `outcome`, `decision_id` and
/// `reasons`.
#[utoipa::path(post, path = "/v1/factoring-requests", tag = "supply-chain finance",
    request_body = NewFactoringRequest, security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "required: this moves money")),
    responses((status = 201, body = FactoringRequestView, description = "approved or referred"),
        (status = 200, body = FactoringRequestView, description = "declined"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    call: Call,
    body: JsonBody<NewFactoringRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = RequestFactoring::new(body.into_inner().receivable_ids).ok_or_else(|| {
        ApiError::invalid(
            "receivable_ids",
            format!("1 to {MAX_POOL_SIZE} receivables"),
        )
    })?;
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| factoring::request(ctx, ask),
        |decided| Reply::decided(decided, |(row, ids)| FactoringRequestView::build(&row, ids)),
    )
    .await
}

/// Reads a factoring request: its supplier or staff.
#[utoipa::path(get, path = "/v1/factoring-requests/{id}", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FactoringRequestView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| factoring::find(ctx, id),
        |(row, ids)| Reply::ok(&FactoringRequestView::build(&row, ids)?),
    )
    .await
}
