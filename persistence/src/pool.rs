//! The connection pool, built for a database that is busy, slow or gone.
//!
//! Nothing is tested on checkout (a `SELECT 1` per request is a round trip per decision). A
//! connection found dead by a request is marked broken ([`DbConn::mark_if_dead`]) and the pool
//! drops it instead of handing it to the next request, so service resumes with fresh
//! connections as soon as the database is back.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, ManageConnection, Pool, PooledConnection};

pub type DbPool = Pool<Manager>;
pub type DbConn = PooledConnection<Manager>;

/// How the pool behaves when the database is slow, busy or gone.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub size: u32,
    /// How long a request may wait for a free connection before it is refused: at the peak a
    /// short wait and a 503 beat a queue that grows until every client times out.
    pub acquire_timeout: Duration,
    /// Deadline for opening a new connection (an unreachable host fails within it).
    pub connect_timeout_seconds: u32,
    /// Per-statement deadline on every pooled connection (0: none).
    pub statement_timeout_ms: u64,
    /// How long a statement waits for a row lock before it fails (0: forever).
    pub lock_timeout_ms: u64,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            size: 16,
            acquire_timeout: Duration::from_millis(500),
            connect_timeout_seconds: 2,
            statement_timeout_ms: 5_000,
            lock_timeout_ms: 2_000,
        }
    }
}

/// A pooled PostgreSQL session that can be marked broken by its user.
pub struct Session {
    conn: PgConnection,
    broken: bool,
}

impl Session {
    /// After a failed request: probes the session (one round trip, only on the failure path)
    /// and marks it broken if it no longer answers, so the pool discards it.
    pub fn mark_if_dead(&mut self) {
        self.broken = self.conn.batch_execute("SELECT 1").is_err();
    }
}

impl Deref for Session {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl DerefMut for Session {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}

/// diesel's manager, plus the session deadlines set once per new connection and the broken mark.
pub struct Manager {
    inner: ConnectionManager<PgConnection>,
    session_setup: String,
}

impl ManageConnection for Manager {
    type Connection = Session;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Session, Self::Error> {
        let mut conn = self.inner.connect()?;
        conn.batch_execute(&self.session_setup)
            .map_err(diesel::r2d2::Error::QueryError)?;
        Ok(Session {
            conn,
            broken: false,
        })
    }

    fn is_valid(&self, session: &mut Session) -> Result<(), Self::Error> {
        self.inner.is_valid(&mut session.conn)
    }

    fn has_broken(&self, session: &mut Session) -> bool {
        session.broken || self.inner.has_broken(&mut session.conn)
    }
}

/// Builds a pool of at most `settings.size` connections. Connections open in the background,
/// so the server starts (and answers 503) even while the database is down.
pub fn build_pool(url: &str, settings: &PoolSettings) -> DbPool {
    let manager = Manager {
        inner: ConnectionManager::new(with_connect_timeout(url, settings.connect_timeout_seconds)),
        session_setup: format!(
            "SET statement_timeout = {}; SET lock_timeout = {}",
            settings.statement_timeout_ms, settings.lock_timeout_ms
        ),
    };
    Pool::builder()
        .max_size(settings.size)
        .connection_timeout(settings.acquire_timeout)
        .test_on_check_out(false)
        .build_unchecked(manager)
}

/// Adds libpq's `connect_timeout` to a URL-form connection string unless it already has one.
fn with_connect_timeout(url: &str, seconds: u32) -> String {
    if url.contains("connect_timeout=") || !url.contains("://") {
        return url.to_string();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={seconds}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connect_timeout_is_added_once_to_url_connection_strings() {
        assert_eq!(
            with_connect_timeout("postgres://h/db", 2),
            "postgres://h/db?connect_timeout=2"
        );
        assert_eq!(
            with_connect_timeout("postgresql:///db?host=/tmp", 3),
            "postgresql:///db?host=/tmp&connect_timeout=3"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?connect_timeout=9", 2),
            "postgres://h/db?connect_timeout=9"
        );
        assert_eq!(
            with_connect_timeout("host=h dbname=db", 2),
            "host=h dbname=db"
        );
    }
}
