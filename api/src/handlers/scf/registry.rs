//! The registry check for outside financiers: is this fingerprint registered, and is it
//! encumbered? Nothing else (not who holds it, not the amount) is ever answered.

use actix_web::{web, HttpResponse};
use domain::receivable_fingerprint::parse_fingerprint;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::request::{Call, Reply};
use crate::usecases::scf::registry;

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistryView {
    pub registered: bool,
    /// True while the paper is financed (a receivable or bill) or pledged (a warehouse receipt).
    pub encumbered: bool,
}

#[utoipa::path(get, path = "/v1/registry/{fingerprint}", tag = "supply-chain finance",
    security(("bearer" = [])),
    params(("fingerprint" = String, Path, description = "64 hex digits, upper- or lower-case",
        pattern = "^[0-9A-Fa-f]{64}$")),
    responses((status = 200, body = RegistryView), (status = 400, body = ErrorBody)))]
pub async fn check(call: Call, fingerprint: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let print = parse_fingerprint(&fingerprint.into_inner()).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_fingerprint",
            "a fingerprint is 64 hex digits (upper- or lower-case)",
            Some("fingerprint"),
        )
    })?;
    call.read(
        move |ctx| registry::check(ctx, &print),
        |found| {
            Reply::ok(&RegistryView {
                registered: found.registered,
                encumbered: found.encumbered,
            })
        },
    )
    .await
}
