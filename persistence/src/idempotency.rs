//! Idempotency keys: the first response to a (caller, key) is stored in the same transaction as
//! its effect, so a retry replays it instead of repeating the effect.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::error::RepoError;
use crate::schema::idempotency_keys;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct StoredRequest {
    pub caller: String,
    pub key: String,
    pub method: String,
    pub path: String,
    pub request_hash: String,
    pub response_status: i16,
    pub response_body: Vec<u8>,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Takes the transaction-scoped lock of (caller, key), waiting up to `wait` for a request with
/// the same key that is still running; `false` when it is still running after that.
pub fn lock(
    conn: &mut PgConnection,
    caller: &str,
    key: &str,
    wait: Duration,
) -> Result<bool, RepoError> {
    let deadline = Instant::now() + wait;
    let scope = format!("{caller}\u{1f}{key}");
    loop {
        let got: Locked = diesel::sql_query(
            "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked",
        )
        .bind::<Text, _>(&scope)
        .get_result(conn)?;
        if got.locked {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(15));
    }
}

pub fn find(
    conn: &mut PgConnection,
    caller: &str,
    key: &str,
) -> Result<Option<StoredRequest>, RepoError> {
    Ok(idempotency_keys::table
        .find((caller, key))
        .select(StoredRequest::as_select())
        .first(conn)
        .optional()?)
}

pub fn store(conn: &mut PgConnection, stored: &StoredRequest) -> Result<(), RepoError> {
    diesel::insert_into(idempotency_keys::table)
        .values(stored)
        .execute(conn)?;
    Ok(())
}

/// Deletes keys created before `cutoff`; answers how many.
pub fn purge_before(conn: &mut PgConnection, cutoff: DateTime<Utc>) -> Result<usize, RepoError> {
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
            .execute(conn)?,
    )
}
