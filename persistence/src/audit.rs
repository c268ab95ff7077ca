//! The tamper-evident audit trail: one hash chain per aggregate, appended in the caller's
//! transaction, and chained checkpoints that commit to every chain head.
//!
//! `hash = sha256(prev_hash || canonical_body)` where the body is the canonical JSON of the
//! event's chain, seq, actor, time, action and payload. A chain is extended under a lock on its
//! head row only, so writers of different aggregates never wait for each other. Checkpoints
//! hash the heads that moved since the previous checkpoint into a running digest; publishing a
//! checkpoint's hash (e.g. emailing it to auditors) makes even a consistent rewrite of a whole
//! chain detectable later.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamptz};
use serde_json::{json, Value};

use crate::canonical::{canonical_json, sha256_hex};
use crate::error::RepoError;
use crate::schema::{audit_chain_heads, audit_checkpoint_heads, audit_checkpoints, audit_events};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct EventRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub chain: String,
    pub seq: i64,
    pub actor: String,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl EventRow {
    /// The hash this event must carry, recomputed from its content.
    pub fn expected_hash(&self) -> String {
        sha256_hex(&[
            self.prev_hash.as_bytes(),
            canonical_json(&self.body()).as_bytes(),
        ])
    }

    /// What the hash covers besides the previous link.
    fn body(&self) -> Value {
        json!({
            "chain": self.chain,
            "seq": self.seq,
            "actor": self.actor,
            "occurred_at": self.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            "action": self.action,
            "payload": self.payload,
        })
    }
}

/// Appends an event to `chain` (e.g. `party:<id>`) in the caller's transaction, in one
/// statement: the upsert creates the head at genesis or takes its row lock and moves it, and
/// hands the event its seq and both hashes.
///
/// The hashed body's keys sort with `seq` last, so the body is a prefix known here, the seq
/// in decimal and `}`: PostgreSQL finishes the hash once it holds the head, and the result is
/// checked against the Rust computation before it is trusted.
pub fn append(
    conn: &mut PgConnection,
    chain: &str,
    actor: &str,
    action: &str,
    payload: &Value,
    at: DateTime<Utc>,
) -> Result<EventRow, RepoError> {
    // Microseconds: what PostgreSQL stores, so the recomputed hash matches.
    let occurred_at = at.trunc_subsecs(6);
    let payload = canonical_json(payload);
    let unsealed = EventRow {
        id: 0,
        chain: chain.to_string(),
        seq: 0,
        actor: actor.to_string(),
        occurred_at,
        action: action.to_string(),
        payload,
        prev_hash: GENESIS_HASH.to_string(),
        hash: String::new(),
    };
    let event: EventRow = diesel::sql_query(
        "WITH head AS (
             INSERT INTO audit_chain_heads AS h (chain, seq, hash, prev_hash)
             VALUES ($1, 1, lendline_sha256_hex($7 || $6 || '1}'), $7)
             ON CONFLICT (chain) DO UPDATE SET
                 seq = h.seq + 1,
                 prev_hash = h.hash,
                 hash = lendline_sha256_hex(h.hash || $6 || (h.seq + 1)::text || '}')
             RETURNING seq, prev_hash, hash)
         INSERT INTO audit_events (chain, seq, actor, occurred_at, action, payload, prev_hash, hash)
         SELECT $1, seq, $2, $3, $4, $5, prev_hash, hash FROM head
         RETURNING id, chain, seq, actor, occurred_at, action, payload, prev_hash, hash",
    )
    .bind::<Text, _>(&unsealed.chain)
    .bind::<Text, _>(&unsealed.actor)
    .bind::<Timestamptz, _>(unsealed.occurred_at)
    .bind::<Text, _>(&unsealed.action)
    .bind::<Text, _>(&unsealed.payload)
    .bind::<Text, _>(unsealed.body_before_seq()?)
    .bind::<Text, _>(GENESIS_HASH)
    .get_result(conn)?;
    if event.hash != event.expected_hash() {
        return Err(RepoError::Corrupt(format!(
            "audit chain {chain}: the database sealed seq {} with a hash the trail would not verify",
            event.seq
        )));
    }
    Ok(event)
}

impl EventRow {
    /// The canonical body this event is hashed over, cut just before its seq's digits.
    fn body_before_seq(&self) -> Result<String, RepoError> {
        let body = canonical_json(&self.body());
        body.strip_suffix("\"seq\":0}")
            .map(|prefix| format!("{prefix}\"seq\":"))
            .ok_or_else(|| RepoError::Corrupt("the audit body no longer ends with its seq".into()))
    }
}

/// The trail of one chain, oldest first, after `after_seq`.
pub fn events_of(
    conn: &mut PgConnection,
    chain: &str,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<EventRow>, RepoError> {
    Ok(audit_events::table
        .filter(audit_events::chain.eq(chain))
        .filter(audit_events::seq.gt(after_seq))
        .order(audit_events::seq.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_checkpoints)]
pub struct CheckpointRow {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub heads_digest: String,
    pub chains_covered: i64,
    pub prev_hash: String,
    pub hash: String,
}

impl CheckpointRow {
    pub fn expected_hash(&self) -> String {
        let body = json!({
            "id": self.id,
            "created_at": self.created_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            "heads_digest": self.heads_digest,
            "chains_covered": self.chains_covered,
        });
        sha256_hex(&[self.prev_hash.as_bytes(), canonical_json(&body).as_bytes()])
    }
}

/// The running digest over the heads a checkpoint covers (sorted by chain).
pub fn heads_digest(prev_digest: &str, heads: &[(String, i64, String)]) -> String {
    let mut lines = String::new();
    for (chain, seq, hash) in heads {
        lines.push_str(&format!("{chain}\t{seq}\t{hash}\n"));
    }
    sha256_hex(&[prev_digest.as_bytes(), lines.as_bytes()])
}

pub fn latest_checkpoint(conn: &mut PgConnection) -> Result<Option<CheckpointRow>, RepoError> {
    Ok(audit_checkpoints::table
        .order(audit_checkpoints::id.desc())
        .select(CheckpointRow::as_select())
        .first(conn)
        .optional()?)
}

/// Creates a checkpoint over every chain head that moved since the last one; `None` when no
/// chain moved. Heads being extended right now (locked) are left for the next checkpoint.
pub fn create_checkpoint(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
) -> Result<Option<CheckpointRow>, RepoError> {
    // One checkpoint writer at a time; appenders are not affected.
    diesel::sql_query("SELECT pg_advisory_xact_lock(8035551)").execute(conn)?;
    let heads: Vec<(String, i64, String)> = audit_chain_heads::table
        .filter(audit_chain_heads::seq.gt(audit_chain_heads::checkpointed_seq))
        .order(audit_chain_heads::chain.asc())
        .select((
            audit_chain_heads::chain,
            audit_chain_heads::seq,
            audit_chain_heads::hash,
        ))
        .for_update()
        .skip_locked()
        .load(conn)?;
    if heads.is_empty() {
        return Ok(None);
    }
    let previous = latest_checkpoint(conn)?;
    let (prev_id, prev_hash, prev_digest) = previous
        .map(|c| (c.id, c.hash, c.heads_digest))
        .unwrap_or((0, GENESIS_HASH.to_string(), GENESIS_HASH.to_string()));
    let mut checkpoint = CheckpointRow {
        id: prev_id + 1,
        created_at: at.trunc_subsecs(6),
        heads_digest: heads_digest(&prev_digest, &heads),
        chains_covered: i64::try_from(heads.len())
            .map_err(|e| RepoError::Corrupt(e.to_string()))?,
        prev_hash,
        hash: String::new(),
    };
    checkpoint.hash = checkpoint.expected_hash();
    diesel::insert_into(audit_checkpoints::table)
        .values((
            audit_checkpoints::id.eq(checkpoint.id),
            audit_checkpoints::created_at.eq(checkpoint.created_at),
            audit_checkpoints::heads_digest.eq(&checkpoint.heads_digest),
            audit_checkpoints::chains_covered.eq(checkpoint.chains_covered),
            audit_checkpoints::prev_hash.eq(&checkpoint.prev_hash),
            audit_checkpoints::hash.eq(&checkpoint.hash),
        ))
        .execute(conn)?;
    let rows: Vec<_> = heads
        .iter()
        .map(|(chain, seq, hash)| {
            (
                audit_checkpoint_heads::checkpoint_id.eq(checkpoint.id),
                audit_checkpoint_heads::chain.eq(chain),
                audit_checkpoint_heads::seq.eq(seq),
                audit_checkpoint_heads::hash.eq(hash),
            )
        })
        .collect();
    for batch in rows.chunks(5_000) {
        diesel::insert_into(audit_checkpoint_heads::table)
            .values(batch)
            .execute(conn)?;
    }
    diesel::sql_query(
        "UPDATE audit_chain_heads h SET checkpointed_seq = c.seq
           FROM audit_checkpoint_heads c
          WHERE c.checkpoint_id = $1 AND c.chain = h.chain",
    )
    .bind::<diesel::sql_types::BigInt, _>(checkpoint.id)
    .execute(conn)?;
    Ok(Some(checkpoint))
}
