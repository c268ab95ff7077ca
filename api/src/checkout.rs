//! Taking a pooled connection for one transaction, the same way for a request of its own and
//! for a batch of writes.

use persistence::{DbConn, DbPool, RepoError};

use crate::error::ApiError;
use crate::metrics::Metrics;

/// A pooled connection for one transaction, within the pool's acquire deadline (past it the
/// request is shed: 503). A connection opened before the database was last found gone is
/// dropped rather than failed on.
pub fn session(pool: &DbPool, metrics: &Metrics) -> Result<DbConn, ApiError> {
    let asked = std::time::Instant::now();
    let checkout = pool.get();
    metrics.observe_connection_wait(asked.elapsed().as_secs_f64());
    let mut session = checkout.map_err(|e| {
        metrics.shed("db_pool");
        RepoError::from(e)
    })?;
    while session.is_stale() {
        session.discard();
        drop(session);
        session = pool.get().map_err(RepoError::from)?;
    }
    Ok(session)
}
