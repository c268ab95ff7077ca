//! Pool facilities: a pool revalued as of the business date, and draws up to its borrowing base.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::factoring::FactoringRequestView;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::scf::pools::{self, DrawOnPool, PoolDrawn};
use crate::views::{amount, stored_amount};

/// The pool, revalued as of today.
#[utoipa::path(get, path = "/v1/pools/{id}", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "the pool's factoring request id")),
    responses((status = 200, body = FactoringRequestView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // A read that saves the revalued base, in the one transaction `read` opens.
    call.read(
        move |ctx| pools::find(ctx, id),
        |(row, ids)| Reply::ok(&FactoringRequestView::build(&row, ids)?),
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
// Published under its own name: two request types called `NewDraw` collide in the OpenAPI.
#[schema(as = PoolDraw)]
pub struct NewDraw {
    #[schema(example = "50000.00")]
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DrawView {
    pub pool_id: Uuid,
    pub amount: String,
    pub service_fee: String,
    pub drawn_outstanding: String,
    pub borrowing_base: String,
}

impl From<&PoolDrawn> for DrawView {
    fn from(d: &PoolDrawn) -> Self {
        DrawView {
            pool_id: d.pool.id,
            amount: amount(d.amount.amount(), d.amount.currency()),
            service_fee: amount(d.service_fee.amount(), d.service_fee.currency()),
            drawn_outstanding: stored_amount(d.pool.drawn_outstanding, &d.pool.currency),
            borrowing_base: stored_amount(d.pool.borrowing_base, &d.pool.currency),
        }
    }
}

/// Draws on a pool up to its borrowing base (the supplier). Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/v1/pools/{id}/draws", tag = "supply-chain finance",
    request_body = NewDraw, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = DrawView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn draw(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewDraw>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = DrawOnPool {
        pool_id: id.into_inner(),
        amount: body.into_inner().amount,
    };
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| pools::draw(ctx, ask),
        |drawn| Reply::created(&DrawView::from(&drawn)),
    )
    .await
}
