//! Shared application state and the bridge from async handlers to blocking diesel work.

use std::sync::Arc;

use diesel::{Connection, PgConnection};
use persistence::{DbPool, RepoError};

use crate::auth::keys::JwtKeys;
use crate::config::{Limits, LoansConfig};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::scoring_service::ModelCache;

pub struct AppState {
    pub pool: DbPool,
    pub keys: JwtKeys,
    pub limits: Limits,
    pub metrics: Metrics,
    pub idempotency_wait_ms: u64,
    pub auditor_emails: Vec<String>,
    /// Compiled scoring models, shared by every request.
    pub models: Arc<ModelCache>,
    pub loans: LoansConfig,
    pub limiter: Option<crate::rate_limit::ClientLimiter>,
    /// Party kinds for the per-request check that a token's role matches its party.
    pub party_kinds: crate::auth::PartyKinds,
}

impl AppState {
    /// Runs `work` on the blocking thread pool inside one database transaction: everything it
    /// writes commits together or not at all.
    pub async fn transaction<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(RepoError::from)?;
            conn.transaction(|c| work(c))
        })
        .await?
    }

    /// Clamps a requested page size to the configured bounds.
    pub fn page_size(&self, requested: Option<i64>) -> i64 {
        requested
            .unwrap_or(self.limits.default_page_size)
            .clamp(1, self.limits.max_page_size)
    }
}

/// Lets diesel's transaction helper carry our error type.
impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::from(RepoError::from(e))
    }
}
