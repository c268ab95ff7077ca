//! The tamper-evident audit trail: one hash chain per aggregate, appended in the caller's
//! transaction, and chained checkpoints that commit to every chain head.
//!
//! `hash = sha256(prev_hash || canonical_body)` where the body is the canonical JSON of the
//! event's chain, seq, actor, time, action and payload. A chain is extended under a lock on its
//! head row only, so writers of different aggregates never wait for each other. Checkpoints
//! hash the heads that moved since the previous checkpoint into a running digest; publishing a
//! checkpoint's hash (e.g. emailing it to auditors) makes even a consistent rewrite of a whole
//! chain detectable later.
//!
//! Every chain belongs to the party that owns its aggregate ([`Chain`]): its events, head and
//! seals are stored with that party, so on a database distributed by party a decision and its
//! evidence commit on one shard. The owner is where a chain is kept, not what its hash covers
//! (chains hashed before it was recorded still verify).

use chrono::{DateTime, SubsecRound, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Text, Timestamptz};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::canonical::{canonical_json, sha256_hex};
use crate::error::RepoError;
use crate::ledger::PLATFORM;
use crate::prepared::Prepare;
use crate::schema::{audit_chain_seals, audit_checkpoint_heads, audit_checkpoints, audit_events};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit chain: the trail of an aggregate (`<kind>:<id>`, e.g. `loan:<uuid>`), kept with the
/// party that owns the aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub party: Uuid,
    pub name: String,
}

impl Chain {
    /// The chain of the aggregate `kind` `id`, owned by `party`.
    pub fn of(party: Uuid, kind: &str, id: impl std::fmt::Display) -> Chain {
        Chain {
            party,
            name: format!("{kind}:{id}"),
        }
    }

    /// A chain of the platform's own (the calendar, scoring models, email replays).
    pub fn platform(kind: &str, id: impl std::fmt::Display) -> Chain {
        Chain::of(PLATFORM, kind, id)
    }
}

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
    pub party_id: Uuid,
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

/// Appends an event to `chain` in the caller's transaction, in one statement (see
/// [`append_all`]).
pub fn append(
    conn: &mut PgConnection,
    chain: &Chain,
    actor: &str,
    action: &str,
    payload: &Value,
    at: DateTime<Utc>,
) -> Result<EventRow, RepoError> {
    let mut log = AuditLog::default();
    log.record(chain, actor, action, payload, at);
    log.append(conn)?
        .pop()
        .ok_or_else(|| RepoError::Corrupt("an audit append returned no event".into()))
}

/// Events recorded as work goes and appended together before it commits: one statement for
/// all of them instead of one per event (a decision that opens a line records three), or one
/// per [`ROUND_PARTS`] parts for a big request. Writes that nothing in the request reads back
/// (a message queued for a party) may ride along in the same statement ([`AuditLog::ride`]).
#[derive(Default)]
pub struct AuditLog {
    pending: Vec<EventRow>,
    riders: Vec<Rider>,
}

/// A write that rides along with a log's last appends, and the error it answers if it touched
/// no row.
struct Rider {
    tail: Tail<'static>,
    untouched: fn() -> RepoError,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("pending", &self.pending)
            .field("riders", &self.riders.len())
            .finish()
    }
}

impl AuditLog {
    /// Records `action` on `chain` by `actor` at `at`, to be appended by [`AuditLog::append`].
    pub fn record(
        &mut self,
        chain: &Chain,
        actor: &str,
        action: &str,
        payload: &Value,
        at: DateTime<Utc>,
    ) {
        self.pending.push(EventRow {
            id: 0,
            chain: chain.name.clone(),
            seq: 0,
            actor: actor.to_string(),
            // Microseconds: what PostgreSQL stores, so the recomputed hash matches.
            occurred_at: at.trunc_subsecs(6),
            action: action.to_string(),
            payload: canonical_json(payload),
            prev_hash: GENESIS_HASH.to_string(),
            hash: String::new(),
            party_id: chain.party,
        });
    }

    /// Sends `tail` with the last appends instead of on its own: one round trip fewer. The
    /// append answers `untouched()` if `tail` returned no row (and then nothing of the request
    /// may commit: the caller's transaction rolls back with the error).
    pub fn ride(&mut self, tail: Tail<'static>, untouched: fn() -> RepoError) {
        self.riders.push(Rider { tail, untouched });
    }

    /// Appends every recorded event in the order recorded, and empties the log: one statement
    /// for events on distinct chains (a chain with two events takes a second statement for its
    /// second, since one statement moves a head once), split past [`ROUND_PARTS`] parts.
    pub fn append(&mut self, conn: &mut PgConnection) -> Result<Vec<EventRow>, RepoError> {
        let (mut appended, last) = self.append_all_but_last_round(conn)?;
        let riders = std::mem::take(&mut self.riders);
        if !last.is_empty() || !riders.is_empty() {
            let (stored, _) = run_in_statements(conn, last, riders, None)?;
            appended.extend(stored);
        }
        Ok(appended)
    }

    /// [`AuditLog::append`], with `tail` in the same statement as the last appends (one round
    /// trip for both); answers the events and whether `tail` returned a row.
    pub fn append_with(
        &mut self,
        conn: &mut PgConnection,
        tail: Tail<'_>,
    ) -> Result<(Vec<EventRow>, bool), RepoError> {
        let (mut appended, last) = self.append_all_but_last_round(conn)?;
        let riders = std::mem::take(&mut self.riders);
        let (stored, touched) = run_in_statements(conn, last, riders, Some(tail))?;
        appended.extend(stored);
        Ok((appended, touched))
    }

    /// Appends every round of distinct chains but the last, which it answers.
    fn append_all_but_last_round(
        &mut self,
        conn: &mut PgConnection,
    ) -> Result<(Vec<EventRow>, Vec<EventRow>), RepoError> {
        let mut appended = Vec::with_capacity(self.pending.len());
        let mut round: Vec<EventRow> = Vec::new();
        for event in std::mem::take(&mut self.pending) {
            let repeats = round
                .iter()
                .any(|e| e.party_id == event.party_id && e.chain == event.chain);
            if repeats {
                let full = std::mem::take(&mut round);
                appended.extend(run_in_statements(conn, full, Vec::new(), None)?.0);
            }
            round.push(event);
        }
        Ok((appended, round))
    }
}

/// The most parts (events and riding writes) one append statement takes. PostgreSQL's time to
/// plan a statement grows faster than its common table expressions (measured: a factoring pool
/// of 500 receivables, a thousand events and fifteen hundred writes in one statement, was
/// still being planned after the 5 s statement timeout), so a round bigger than this (a big
/// pool's) is appended in statements of this size. They stay prepared: their shapes depend on
/// how the kinds of write fall into each statement, a bounded number of small statements.
const ROUND_PARTS: usize = crate::prepared::PREPARE_UP_TO;

/// A round of a log (events on distinct chains), with the riders and `tail` if it is the last:
/// in one statement, or in several of at most [`ROUND_PARTS`] parts with `tail` in the last.
/// Answers the events, sealed, and whether `tail` returned a row.
fn run_in_statements(
    conn: &mut PgConnection,
    mut events: Vec<EventRow>,
    mut riders: Vec<Rider>,
    tail: Option<Tail<'_>>,
) -> Result<(Vec<EventRow>, bool), RepoError> {
    let mut appended = Vec::with_capacity(events.len());
    let tails = usize::from(tail.is_some());
    while events.len() + riders.len() + tails > ROUND_PARTS {
        let chunk: Vec<EventRow> = events.drain(..events.len().min(ROUND_PARTS)).collect();
        let room = ROUND_PARTS - chunk.len();
        let ride: Vec<Rider> = riders.drain(..riders.len().min(room)).collect();
        let (stored, _) = run_last_round(conn, &chunk, ride, None)?;
        appended.extend(seal(&chunk, stored)?);
    }
    let (stored, touched) = run_last_round(conn, &events, riders, tail)?;
    appended.extend(seal(&events, stored)?);
    Ok((appended, touched))
}

/// The last round of a log: its events, its riders and `tail`, in one statement. Answers the
/// events and whether `tail` returned a row; a rider that returned none answers its error.
fn run_last_round<'a>(
    conn: &mut PgConnection,
    events: &[EventRow],
    riders: Vec<Rider>,
    tail: Option<Tail<'a>>,
) -> Result<(Vec<EventRow>, bool), RepoError> {
    let mut untouched = Vec::with_capacity(riders.len());
    let mut tails: Vec<Tail<'a>> = Vec::with_capacity(riders.len() + 1);
    for rider in riders {
        untouched.push(rider.untouched);
        tails.push(rider.tail);
    }
    let has_tail = tail.is_some();
    tails.extend(tail);
    let expected = tails.len();
    let (stored, touched) = run_round(conn, events, tails)?;
    if touched.len() != expected {
        return Err(RepoError::Corrupt(format!(
            "an audit append answered {} of its {expected} riding writes",
            touched.len()
        )));
    }
    if let Some((_, error)) = touched.iter().zip(&untouched).find(|(t, _)| !**t) {
        return Err(error());
    }
    let tail_touched = has_tail && touched.last().copied().unwrap_or(false);
    Ok((stored, tail_touched))
}

/// A statement that rides along with a log's appends (see [`AuditLog::append_with`] and
/// [`AuditLog::ride`]): a data-modifying statement with `RETURNING 1`, whose own parameters
/// are `$1` to `$params` and are bound by `bind`. Its text has no `$` but its parameters'
/// (they are renumbered when several ride in one statement).
pub struct Tail<'a> {
    pub sql: String,
    pub params: usize,
    pub bind: TailBinder<'a>,
}

/// Runs `tail` on its own, where it cannot ride along with appends (see [`AuditLog::ride`]);
/// answers whether it returned a row.
pub fn run_alone(conn: &mut PgConnection, tail: Tail<'_>) -> Result<bool, RepoError> {
    let query = (tail.bind)(diesel::sql_query(tail.sql).into_boxed());
    Ok(query.prepared().count(conn)? > 0)
}

/// Binds a [`Tail`]'s parameters onto the statement it is part of.
pub type TailBinder<'a> = Box<dyn for<'q> FnOnce(BoxedQuery<'q>) -> BoxedQuery<'q> + 'a>;

/// A raw statement whose parameters are bound one by one.
pub type BoxedQuery<'a> =
    diesel::query_builder::BoxedSqlQuery<'a, Pg, diesel::query_builder::SqlQuery>;

/// `sql` with every parameter `$n` renumbered `$n + by`.
fn shift_params(sql: &str, by: usize) -> String {
    let mut shifted = String::with_capacity(sql.len() + 8);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        shifted.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        match rest[..digits].parse::<usize>() {
            Ok(n) => shifted.push_str(&(n + by).to_string()),
            Err(_) => shifted.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    shifted.push_str(rest);
    shifted
}

#[derive(QueryableByName)]
struct TailRow {
    #[diesel(sql_type = Array<Bool>)]
    tails: Vec<bool>,
}

#[derive(QueryableByName)]
struct EventWithTail {
    #[diesel(embed)]
    event: EventRow,
    #[diesel(sql_type = Array<Bool>)]
    tails: Vec<bool>,
}

/// Runs, in one statement, the appends of `events` (on distinct chains; see [`seal`]) and
/// `tail` if any: per event, the upsert creates its chain's head at genesis or takes the head's
/// row lock and moves it, and hands the event its seq and both hashes.
///
/// The hashed body's keys sort with `seq` last, so the body is a prefix known here, the seq
/// in decimal and `}`: PostgreSQL finishes the hash once it holds the head, and [`seal`]
/// checks the result against the Rust computation before it is trusted.
fn run_round<'a>(
    conn: &mut PgConnection,
    events: &[EventRow],
    tails: Vec<Tail<'a>>,
) -> Result<(Vec<EventRow>, Vec<bool>), RepoError> {
    let first = tails.iter().map(|t| t.params).sum::<usize>() + 1;
    let mut ctes = Vec::with_capacity(events.len() + tails.len());
    let mut selects = Vec::with_capacity(events.len());
    for i in 0..events.len() {
        // Event i binds chain, actor, time, action, payload, body prefix and owner.
        let p = |k: usize| format!("${}", first + 7 * i + k);
        let (chain, actor, at, action, payload, body, party) =
            (p(0), p(1), p(2), p(3), p(4), p(5), p(6));
        ctes.push(format!(
            "h{i} AS (
                 INSERT INTO audit_chain_heads AS h (party_id, chain, seq, hash, prev_hash)
                 VALUES ({party}, {chain}, 1, lendline_sha256_hex('{GENESIS_HASH}' || {body} || '1}}'),
                         '{GENESIS_HASH}')
                 ON CONFLICT (party_id, chain) DO UPDATE SET
                     seq = h.seq + 1,
                     prev_hash = h.hash,
                     hash = lendline_sha256_hex(h.hash || {body} || (h.seq + 1)::text || '}}')
                 RETURNING seq, prev_hash, hash),
             e{i} AS (
                 INSERT INTO audit_events
                        (party_id, chain, seq, actor, occurred_at, action, payload, prev_hash, hash)
                 SELECT {party}, {chain}, seq, {actor}, {at}, {action}, {payload}, prev_hash, hash
                   FROM h{i}
                 RETURNING id, chain, seq, actor, occurred_at, action, payload, prev_hash, hash,
                           party_id)"
        ));
        selects.push(format!("SELECT * FROM e{i}"));
    }
    let mut binds = Vec::with_capacity(tails.len());
    let mut touched = Vec::with_capacity(tails.len());
    let mut offset = 0;
    for (k, tail) in tails.into_iter().enumerate() {
        ctes.push(format!("t{k} AS ({})", shift_params(&tail.sql, offset)));
        touched.push(format!("EXISTS (SELECT 1 FROM t{k})"));
        offset += tail.params;
        binds.push(tail.bind);
    }
    let touched = format!("ARRAY[{}]::bool[] AS tails", touched.join(", "));
    let sql = match (selects.is_empty(), binds.is_empty()) {
        (true, true) => return Ok((Vec::new(), Vec::new())),
        (true, false) => format!("WITH {} SELECT {touched}", ctes.join(", ")),
        (false, false) => format!(
            "WITH {} SELECT e.*, {touched} FROM ({}) e",
            ctes.join(", "),
            selects.join(" UNION ALL ")
        ),
        (false, true) => format!("WITH {} {}", ctes.join(", "), selects.join(" UNION ALL ")),
    };
    let with_tails = !binds.is_empty();
    let mut query: BoxedQuery<'a> = diesel::sql_query(sql).into_boxed();
    for bind in binds {
        query = bind(query);
    }
    for event in events {
        query = query
            .bind::<Text, _>(event.chain.clone())
            .bind::<Text, _>(event.actor.clone())
            .bind::<Timestamptz, _>(event.occurred_at)
            .bind::<Text, _>(event.action.clone())
            .bind::<Text, _>(event.payload.clone())
            .bind::<Text, _>(event.body_before_seq()?)
            .bind::<diesel::sql_types::Uuid, _>(event.party_id);
    }
    let query = query.prepared();
    Ok(match (events.is_empty(), with_tails) {
        (true, _) => (Vec::new(), query.get_result::<TailRow>(conn)?.tails),
        (false, true) => {
            let rows: Vec<EventWithTail> = query.load(conn)?;
            let touched = rows.first().map(|r| r.tails.clone()).unwrap_or_default();
            (rows.into_iter().map(|r| r.event).collect(), touched)
        }
        (false, false) => (query.load(conn)?, Vec::new()),
    })
}

/// `stored`, the rows appended for `events`, in the order recorded, each checked against its
/// own recomputed hash.
fn seal(events: &[EventRow], mut stored: Vec<EventRow>) -> Result<Vec<EventRow>, RepoError> {
    let mut sealed = Vec::with_capacity(events.len());
    for event in events {
        let at = stored
            .iter()
            .position(|e| e.party_id == event.party_id && e.chain == event.chain)
            .ok_or_else(|| {
                RepoError::Corrupt(format!("audit chain {}: no event appended", event.chain))
            })?;
        let event = stored.swap_remove(at);
        if event.hash != event.expected_hash() {
            return Err(RepoError::Corrupt(format!(
                "audit chain {}: the database sealed seq {} with a hash the trail would not verify",
                event.chain, event.seq
            )));
        }
        sealed.push(event);
    }
    Ok(sealed)
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

/// A chain head a checkpoint covers: whose, which, how far, and its hash.
#[derive(Debug, Clone, QueryableByName)]
struct MovedHead {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    party_id: Uuid,
    #[diesel(sql_type = Text)]
    chain: String,
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    hash: String,
    /// Its place among the checkpoint's heads ordered by chain, in the database's collation
    /// (what the verifier recomputes the digest in).
    #[diesel(sql_type = BigInt)]
    chain_rank: i64,
}

/// Where a sealing round stands: the last chain head (in key order, owner then name) that the
/// round's checkpoints have looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealCursor {
    pub party: Uuid,
    pub chain: String,
}

/// A checkpoint just sealed, and where the round that sealed it goes on from.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub checkpoint: CheckpointRow,
    /// The last head it covers, in key order: the next checkpoint of the round looks after it.
    pub resume_after: SealCursor,
    /// It covers as many heads as it may: more may have moved after `resume_after`.
    pub full: bool,
}

/// Creates a checkpoint over the chain heads that moved since the last one, at most
/// `max_chains` of them: the first in key order after `after` (from the start without it).
/// `None` when none moved there. An append not committed yet is not seen, and is left for a
/// later checkpoint.
///
/// Bounded so that a busy night stays cheap: a checkpoint over every head that moved in five
/// minutes of a peak would be hundreds of thousands of rows in one transaction, held in the
/// server's memory at once (measured: 60,000 moved heads took 1.8 s and 41 MB of RSS). A round
/// walks the heads in key order from checkpoint to checkpoint instead (see `api::jobs`), through
/// the primary keys from its cursor, looking each head's seal up, and stops at its limit. A
/// round still reads every head once (as the single checkpoint did, through a join): a quiet
/// round over millions of chains reads them all to find the few that moved.
///
/// How far each chain is sealed is kept in `audit_chain_seals`, which only this writer touches:
/// appenders never wait for a checkpoint, and a checkpoint never waits for them.
pub fn create_checkpoint(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    after: Option<&SealCursor>,
    max_chains: std::num::NonZeroU32,
) -> Result<Option<Sealed>, RepoError> {
    // One checkpoint writer at a time; appenders are not affected.
    diesel::sql_query("SELECT pg_advisory_xact_lock(8035551)").execute(conn)?;
    // Keyed on the owner as well as the name: on a cluster both tables are spread by owner.
    // The seal is looked up per head (not joined) so that the scan walks the heads' primary key
    // from the cursor and stops at the limit, whatever the number of chains.
    let start = after.cloned().unwrap_or(SealCursor {
        party: Uuid::nil(),
        chain: String::new(),
    });
    // Answered in key order (the last one is the round's cursor), each with its rank by chain
    // as the database orders text: the digest's order, which the verifier reads back.
    let mut moved: Vec<MovedHead> = diesel::sql_query(
        "SELECT m.*, row_number() OVER (ORDER BY m.chain) AS chain_rank
           FROM (SELECT h.party_id, h.chain, h.seq, h.hash::text AS hash
                   FROM audit_chain_heads h
                  WHERE (h.party_id, h.chain) > ($1, $2)
                    AND h.seq > COALESCE((SELECT s.seq FROM audit_chain_seals s
                                           WHERE s.party_id = h.party_id
                                             AND s.chain = h.chain), 0)
                  ORDER BY h.party_id, h.chain
                  LIMIT $3) m
          ORDER BY m.party_id, m.chain",
    )
    .bind::<diesel::sql_types::Uuid, _>(start.party)
    .bind::<Text, _>(&start.chain)
    .bind::<BigInt, _>(i64::from(max_chains.get()))
    .load(conn)?;
    let Some(last) = moved.last() else {
        return Ok(None);
    };
    let resume_after = SealCursor {
        party: last.party_id,
        chain: last.chain.clone(),
    };
    let full = moved.len() >= max_chains.get() as usize;
    // A checkpoint's digest runs over its heads sorted by chain, as the verifier reads them.
    moved.sort_by_key(|h| h.chain_rank);
    let heads: Vec<(String, i64, String)> = moved
        .iter()
        .map(|h| (h.chain.clone(), h.seq, h.hash.clone()))
        .collect();
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
    // PostgreSQL takes at most 65,535 parameters a statement: 5 a covered head.
    for batch in moved.chunks(5_000) {
        let covered: Vec<_> = batch
            .iter()
            .map(|h| {
                (
                    audit_checkpoint_heads::party_id.eq(h.party_id),
                    audit_checkpoint_heads::checkpoint_id.eq(checkpoint.id),
                    audit_checkpoint_heads::chain.eq(&h.chain),
                    audit_checkpoint_heads::seq.eq(h.seq),
                    audit_checkpoint_heads::hash.eq(&h.hash),
                )
            })
            .collect();
        diesel::insert_into(audit_checkpoint_heads::table)
            .values(covered)
            .execute(conn)?;
        let sealed: Vec<_> = batch
            .iter()
            .map(|h| {
                (
                    audit_chain_seals::party_id.eq(h.party_id),
                    audit_chain_seals::chain.eq(&h.chain),
                    audit_chain_seals::seq.eq(h.seq),
                )
            })
            .collect();
        diesel::insert_into(audit_chain_seals::table)
            .values(sealed)
            .on_conflict((audit_chain_seals::party_id, audit_chain_seals::chain))
            .do_update()
            .set(audit_chain_seals::seq.eq(diesel::upsert::excluded(audit_chain_seals::seq)))
            .execute(conn)?;
    }
    Ok(Some(Sealed {
        checkpoint,
        resume_after,
        full,
    }))
}

#[cfg(test)]
mod tests {
    use super::shift_params;

    #[test]
    fn a_riders_parameters_are_renumbered_past_those_before_it() {
        let sql = "UPDATE k SET a = $1, b = $10 WHERE c = $2 AND d = '$' RETURNING 1";
        assert_eq!(
            shift_params(sql, 7),
            "UPDATE k SET a = $8, b = $17 WHERE c = $9 AND d = '$' RETURNING 1"
        );
        assert_eq!(shift_params(sql, 0), sql);
        assert_eq!(shift_params("$", 3), "$");
    }
}
