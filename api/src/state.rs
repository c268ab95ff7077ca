//! Shared application state and the bridge from async handlers to blocking diesel work.

use std::sync::Arc;

use diesel::{Connection, PgConnection};
use persistence::statements::StatementCounter;
use persistence::{DbPool, RepoError};

use crate::auth::keys::JwtKeys;
use crate::config::Limits;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::usecases::context::Policy;

pub struct AppState {
    pub pool: DbPool,
    /// One connection for readiness probes, apart from the requests' pool.
    pub probe_pool: DbPool,
    pub keys: JwtKeys,
    pub limits: Limits,
    pub metrics: Metrics,
    pub idempotency_wait_ms: u64,
    /// The lending rules and compiled scoring models every use case is given.
    pub policy: Arc<Policy>,
    pub limiter: Option<crate::rate_limit::ClientLimiter>,
    pub admission: crate::admission::Admission,
    /// Party kinds for the per-request check that a token's role matches its party.
    pub party_kinds: crate::auth::PartyKinds,
    /// Where each party's rows are on a Citus cluster, so a batch holds one shard's writes.
    pub shards: Option<persistence::shards::ShardMap>,
    /// Batches concurrent writes into one commit; `None` when turned off.
    pub group_commit: Option<Arc<crate::group_commit::GroupCommit>>,
}

impl AppState {
    /// Runs `work` on the blocking thread pool inside one database transaction: everything it
    /// writes commits together or not at all. The statements it sends are counted for `route`.
    pub async fn transaction<T, F>(&self, route: String, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let metrics = self.metrics.clone();
        actix_web::web::block(move || {
            let mut session = crate::checkout::session(&pool, &metrics)?;
            let statements = StatementCounter::default();
            session.set_instrumentation(statements.clone());
            let result = session.transaction(|c| work(c));
            if matches!(result, Err(ApiError::Unavailable { .. })) {
                session.mark_if_dead();
            }
            metrics.observe_statements(&route, statements.take());
            result
        })
        .await?
    }

    /// Like [`AppState::transaction`], for a write of the party `party_key` stands for: with
    /// group commit on, committed in one transaction with the writes running beside it.
    pub async fn write<T, F>(&self, party_key: u64, route: String, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let Some(group) = self.group_commit.clone() else {
            return self.transaction(route, work).await;
        };
        let pool = self.pool.clone();
        let metrics = self.metrics.clone();
        actix_web::web::block(move || group.run(&pool, &metrics, party_key, route, work)).await?
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
