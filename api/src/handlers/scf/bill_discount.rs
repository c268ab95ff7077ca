//! Discounting a bill (its holder), and its end at maturity: the acceptor pays, or dishonours
//! and the platform gains recourse against the drawer, every endorser and the seller who
//! discounted it.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::bills::{reply, BillView};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::bills::discount;
use crate::usecases::bills::maturity::{self, AtMaturity, End};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDiscount {}

/// The holder sells the bill to the platform for face less discount interest. The acceptor's
/// factoring program sets the rate; the scoring engine decides on the acceptor's risk. A
/// referred discount waits in the review queue (the bill frozen with its holder); a declined
/// one leaves the bill with its holder. Approved or referred: 201; declined: 200. Either way
/// the body is the bill with `outcome`, `decision_id` and `reasons`.
#[utoipa::path(post, path = "/v1/bills/{id}/discount", tag = "supply-chain finance",
    request_body = NewDiscount, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = BillView, description = "approved or referred"),
        (status = 200, body = BillView, description = "declined"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn discount(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewDiscount>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let id = id.into_inner();
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| discount::discount(ctx, id),
        |decided| Reply::decided(decided, |(bill, chain)| BillView::build(&bill, &chain)),
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
    call: Call,
    id: Uuid,
    body: JsonBody<MaturityEvent>,
    end: End,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = AtMaturity {
        bill_id: id,
        end,
        business_date: body.into_inner().business_date,
    };
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| maturity::at_maturity(ctx, ask),
        |bill| reply(true, bill),
    )
    .await
}

/// Records the acceptor's payment at maturity (staff). Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/v1/bills/{id}/payment", tag = "supply-chain finance",
    request_body = MaturityEvent, security(("bearer" = [])), params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = BillView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pay(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<MaturityEvent>,
) -> Result<HttpResponse, ApiError> {
    at_maturity(call, id.into_inner(), body, End::Paid).await
}

/// Records the acceptor's dishonour (staff): recourse claims on the drawer, the endorsers and
/// the discounting seller.
#[utoipa::path(post, path = "/v1/bills/{id}/dishonour", tag = "supply-chain finance",
    request_body = MaturityEvent, security(("bearer" = [])), params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = BillView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dishonour(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<MaturityEvent>,
) -> Result<HttpResponse, ApiError> {
    at_maturity(call, id.into_inner(), body, End::Dishonoured).await
}
