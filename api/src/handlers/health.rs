//! Liveness and readiness probes.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use persistence::RepoError;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    pub status: &'static str,
}

/// The process is up and serving.
#[utoipa::path(get, path = "/health/live", tag = "health", responses((status = 200, body = HealthView)))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthView { status: "ok" })
}

/// The process can serve requests: the database answers. Checked on a pool of its own, so a
/// server busy at the peak (every request connection taken) still reports itself ready.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses((status = 200, body = HealthView), (status = 503, body = ErrorBody)))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.probe_pool.clone();
    web::block(move || -> Result<(), RepoError> {
        let mut session = pool.get()?;
        let answered = persistence::db::ping(&mut session);
        if answered.is_err() {
            session.discard();
        }
        answered
    })
    .await
    .map_err(ApiError::from)
    .and_then(|answered| answered.map_err(ApiError::from))
    .map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::Unavailable {
            retry_after_seconds: 5,
        }
    })?;
    Ok(HttpResponse::Ok().json(HealthView { status: "ready" }))
}
