//! Idempotency keys: the first response to a (caller, key) is stored in the same transaction as
//! its effect, so a retry replays it instead of repeating the effect. A key is kept with the
//! party its caller acts for (the platform for staff), so on a cluster distributed by party it
//! commits on the same shard as the effect.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bpchar, Bytea, Nullable, SmallInt, Text};
use uuid::Uuid;

use crate::audit::{AuditLog, Tail};
use crate::error::RepoError;
use crate::prepared::Prepare;
use crate::schema::idempotency_keys;

#[derive(Debug, Clone)]
pub struct StoredRequest {
    pub method: String,
    pub path: String,
    pub request_hash: String,
    pub response_status: i16,
    pub response_body: Vec<u8>,
}

/// The request facts a key is claimed for; a retry must match them to be replayed.
#[derive(Debug, Clone)]
pub struct KeyedRequest {
    /// The party the caller acts for; [`crate::ledger::PLATFORM`] for staff.
    pub party: Uuid,
    pub caller: String,
    pub key: String,
    pub method: String,
    pub path: String,
    pub request_hash: String,
}

/// What [`claim`] found for a (caller, key).
#[derive(Debug)]
pub enum Claim {
    /// This transaction now holds the key: do the work, then [`answer`] in the same
    /// transaction.
    Fresh,
    /// A request with this key committed this answer: replay it.
    Answered(StoredRequest),
    /// A request with this key is still running (or committed a moment ago): try again.
    Busy,
}

#[derive(QueryableByName)]
struct ClaimRow {
    #[diesel(sql_type = Bool)]
    locked: bool,
    #[diesel(sql_type = Bool)]
    claimed: bool,
    #[diesel(sql_type = Nullable<Text>)]
    method: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    path: Option<String>,
    #[diesel(sql_type = Nullable<Bpchar>)]
    request_hash: Option<String>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    response_status: Option<i16>,
    #[diesel(sql_type = Nullable<Bytea>)]
    response_body: Option<Vec<u8>>,
}

/// Claims (caller, key) for `request` in one statement: takes the key's transaction-scoped
/// lock without waiting, and under it inserts the key's row (its answer is filled in by
/// [`answer`] before commit, so nobody ever reads the placeholder) or reads the stored answer.
///
/// Every holder of a key takes the lock first, so an insert under the lock never waits on
/// another transaction's row. A key answered after this statement's snapshot was taken shows
/// as neither inserted nor stored: [`Claim::Busy`], and the next try sees it.
pub fn claim(conn: &mut PgConnection, request: &KeyedRequest) -> Result<Claim, RepoError> {
    let row: ClaimRow = diesel::sql_query(
        "WITH lock AS (
             SELECT pg_try_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0)) AS locked),
         claim AS (
             INSERT INTO idempotency_keys
                 (party_id, caller, key, method, path, request_hash, response_status, response_body)
             SELECT $6, $1, $2, $3, $4, $5, 0, ''::bytea FROM lock WHERE locked
             ON CONFLICT DO NOTHING
             RETURNING 1)
         SELECT lock.locked, EXISTS (SELECT 1 FROM claim) AS claimed,
                k.method, k.path, k.request_hash, k.response_status, k.response_body
           FROM lock
           LEFT JOIN idempotency_keys k ON k.party_id = $6 AND k.caller = $1 AND k.key = $2",
    )
    .bind::<Text, _>(&request.caller)
    .bind::<Text, _>(&request.key)
    .bind::<Text, _>(&request.method)
    .bind::<Text, _>(&request.path)
    .bind::<Text, _>(&request.request_hash)
    .bind::<diesel::sql_types::Uuid, _>(request.party)
    .prepared()
    .get_result(conn)?;
    if row.claimed {
        return Ok(Claim::Fresh);
    }
    let stored = (|| {
        Some(StoredRequest {
            method: row.method?,
            path: row.path?,
            request_hash: row.request_hash?,
            response_status: row.response_status?,
            response_body: row.response_body?,
        })
    })();
    Ok(match stored {
        Some(stored) if row.locked => Claim::Answered(stored),
        _ => Claim::Busy,
    })
}

/// Claims (caller, key), trying again while the key is busy, for up to `wait`.
pub fn claim_within(
    conn: &mut PgConnection,
    request: &KeyedRequest,
    wait: Duration,
) -> Result<Claim, RepoError> {
    let deadline = Instant::now() + wait;
    loop {
        let claim = claim(conn, request)?;
        if !matches!(claim, Claim::Busy) || Instant::now() >= deadline {
            return Ok(claim);
        }
        std::thread::sleep(Duration::from_millis(15));
    }
}

/// Stores the answer of `request`, which claimed its key in this transaction, in the same
/// statement as the request's audit events (`log`): one round trip for both.
pub fn answer(
    conn: &mut PgConnection,
    request: &KeyedRequest,
    status: i16,
    body: &[u8],
    log: &mut AuditLog,
) -> Result<(), RepoError> {
    let (party, caller, key) = (request.party, request.caller.clone(), request.key.clone());
    let body = body.to_vec();
    let tail = Tail {
        sql: "UPDATE idempotency_keys SET response_status = $1, response_body = $2
               WHERE party_id = $3 AND caller = $4 AND key = $5
               RETURNING 1"
            .into(),
        params: 5,
        bind: Box::new(move |query| {
            query
                .bind::<SmallInt, _>(status)
                .bind::<Bytea, _>(body)
                .bind::<diesel::sql_types::Uuid, _>(party)
                .bind::<Text, _>(caller)
                .bind::<Text, _>(key)
        }),
    };
    let (_, answered) = log.append_with(conn, tail)?;
    if answered {
        Ok(())
    } else {
        Err(RepoError::Corrupt(format!(
            "idempotency key {} was answered without being claimed",
            request.key
        )))
    }
}

/// Deletes the oldest keys created before `cutoff`: `max_rows` of them (and any created at the
/// same instant as the last) when there are more, else all. Answers how many, and whether any
/// may be left. In steps because a day after a peak a whole hour of it expires at once:
/// millions of keys in one statement would be one long transaction and a burst of WAL.
pub fn purge_step(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
    max_rows: u32,
) -> Result<(usize, bool), RepoError> {
    let expired = idempotency_keys::created_at.lt(cutoff);
    // Found through the index on the creation time: the step's last key.
    let last: Option<DateTime<Utc>> = idempotency_keys::table
        .filter(expired)
        .order(idempotency_keys::created_at.asc())
        .offset(i64::from(max_rows.max(1)) - 1)
        .select(idempotency_keys::created_at)
        .first(conn)
        .optional()?;
    Ok(match last {
        Some(last) => {
            let older = idempotency_keys::created_at.le(last);
            let deleted = diesel::delete(idempotency_keys::table.filter(older)).execute(conn)?;
            (deleted, true)
        }
        None => {
            let deleted = diesel::delete(idempotency_keys::table.filter(expired)).execute(conn)?;
            (deleted, false)
        }
    })
}
