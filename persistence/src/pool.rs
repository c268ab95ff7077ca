//! The connection pool, built for a database that is busy, slow or gone.
//!
//! Nothing is tested on checkout (a `SELECT 1` per request is a round trip per decision). A
//! connection found dead by a request is marked broken ([`Session::mark_if_dead`]) and the pool
//! drops it instead of handing it to the next request. Finding one dead also ages every
//! connection opened before it (a generation count): a database that restarted killed them all,
//! so each is dropped at its next checkout ([`Session::is_stale`]) without costing a request, and
//! service resumes with fresh connections as soon as the database is back.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
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
    /// Connections kept open when idle. Those above it close once idle for `idle_timeout`
    /// (r2d2 looks every 30 s): after a spike, each would otherwise keep its backend, its
    /// buffers and its cache of prepared statements (the server's text of every shape of
    /// statement it has run) for good.
    pub min_idle: u32,
    pub idle_timeout: Duration,
}

/// A pooled PostgreSQL session that can be marked broken by its user.
pub struct Session {
    conn: PgConnection,
    broken: bool,
    /// The pool's generation when this connection was opened.
    generation: u64,
    current: Arc<AtomicU64>,
}

impl Session {
    /// After a failed request: probes the session (one round trip, only on the failure path)
    /// and, if it no longer answers, marks it broken and ages every older connection.
    pub fn mark_if_dead(&mut self) {
        if self.conn.batch_execute("SELECT 1").is_err() {
            self.broken = true;
            self.current
                .fetch_max(self.generation + 1, Ordering::Relaxed);
        }
    }

    /// Opened before a connection was found dead: likely dead too, so not worth a request.
    pub fn is_stale(&self) -> bool {
        self.generation < self.current.load(Ordering::Relaxed)
    }

    /// Makes the pool drop this connection when it is given back.
    pub fn discard(&mut self) {
        self.broken = true;
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
    generation: Arc<AtomicU64>,
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
            generation: self.generation.load(Ordering::Relaxed),
            current: Arc::clone(&self.generation),
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
        inner: ConnectionManager::new(with_network_deadlines(
            url,
            settings.connect_timeout_seconds,
        )),
        session_setup: format!(
            "SET statement_timeout = {}; SET lock_timeout = {}",
            settings.statement_timeout_ms, settings.lock_timeout_ms
        ),
        generation: Arc::new(AtomicU64::new(0)),
    };
    let size = settings.size.max(1);
    Pool::builder()
        .max_size(size)
        .min_idle(Some(settings.min_idle.min(size)))
        // r2d2 refuses zero timeouts.
        .idle_timeout(Some(settings.idle_timeout.max(Duration::from_secs(1))))
        .connection_timeout(settings.acquire_timeout.max(Duration::from_millis(1)))
        .test_on_check_out(false)
        .build_unchecked(manager)
}

/// Adds libpq's client-side deadlines to a connection string unless it sets them itself: a
/// connect timeout, and over TCP keepalives and a send timeout so that a database host that
/// vanished (no reset, no answer) fails a query within seconds instead of TCP's minutes.
/// libpq ignores the TCP settings on a unix socket.
fn with_network_deadlines(url: &str, connect_timeout_seconds: u32) -> String {
    if url.contains("connect_timeout=") {
        return url.to_string();
    }
    let settings = [
        format!("connect_timeout={connect_timeout_seconds}"),
        "keepalives=1".into(),
        "keepalives_idle=5".into(),
        "keepalives_interval=2".into(),
        "keepalives_count=3".into(),
        "tcp_user_timeout=10000".into(),
    ];
    if url.contains("://") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}{}", settings.join("&"))
    } else {
        format!("{url} {}", settings.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_deadlines_are_added_once_in_either_connection_string_form() {
        let url = with_network_deadlines("postgres://h/db", 2);
        assert!(
            url.starts_with("postgres://h/db?connect_timeout=2&keepalives=1"),
            "{url}"
        );
        assert!(url.ends_with("&tcp_user_timeout=10000"), "{url}");
        let socket = with_network_deadlines("postgresql:///db?host=/tmp", 3);
        assert!(
            socket.starts_with("postgresql:///db?host=/tmp&connect_timeout=3&"),
            "{socket}"
        );
        assert_eq!(
            with_network_deadlines("postgres://h/db?connect_timeout=9", 2),
            "postgres://h/db?connect_timeout=9"
        );
        let keywords = with_network_deadlines("host=h dbname=db", 2);
        assert!(
            keywords.starts_with("host=h dbname=db connect_timeout=2 keepalives=1"),
            "{keywords}"
        );
    }
}
