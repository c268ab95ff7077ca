//! Verification of the audit trail: every link of every chain, every chain head, and every
//! checkpoint, reporting the first break found.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::Serialize;

use crate::audit::{heads_digest, CheckpointRow, EventRow, GENESIS_HASH};
use crate::error::RepoError;
use crate::schema::{audit_checkpoint_heads, audit_checkpoints};

const BATCH: i64 = 5_000;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Break {
    /// `event`, `head` or `checkpoint`.
    pub kind: &'static str,
    pub chain: Option<String>,
    pub seq: Option<i64>,
    pub checkpoint_id: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct VerifyReport {
    pub events_checked: u64,
    pub chains_checked: u64,
    pub checkpoints_checked: u64,
    /// Whether the published checkpoint hash given as anchor was found intact.
    pub anchor_found: Option<bool>,
    pub first_break: Option<Break>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.first_break.is_none() && self.anchor_found != Some(false)
    }
}

/// Recomputes the whole trail. `anchor` is a checkpoint hash published earlier (e.g. emailed to
/// auditors): it must still be part of the recomputed checkpoint chain.
pub fn verify(conn: &mut PgConnection, anchor: Option<&str>) -> Result<VerifyReport, RepoError> {
    let mut report = VerifyReport::default();
    report.first_break = verify_events(conn, &mut report)?;
    if report.first_break.is_none() {
        report.first_break = verify_heads(conn)?;
    }
    if report.first_break.is_none() {
        let found = verify_checkpoints(conn, &mut report, anchor)?;
        report.anchor_found = anchor.map(|_| found);
    }
    Ok(report)
}

fn event_break(event: &EventRow, reason: &str) -> Break {
    Break {
        kind: "event",
        chain: Some(event.chain.clone()),
        seq: Some(event.seq),
        checkpoint_id: None,
        reason: reason.to_string(),
    }
}

fn verify_events(
    conn: &mut PgConnection,
    report: &mut VerifyReport,
) -> Result<Option<Break>, RepoError> {
    let (mut last_chain, mut last_seq) = (String::new(), 0_i64);
    let mut prev_hash = GENESIS_HASH.to_string();
    loop {
        let batch: Vec<EventRow> = diesel::sql_query(
            "SELECT * FROM audit_events WHERE (chain, seq) > ($1, $2) ORDER BY chain, seq LIMIT $3",
        )
        .bind::<Text, _>(&last_chain)
        .bind::<BigInt, _>(last_seq)
        .bind::<BigInt, _>(BATCH)
        .load(conn)?;
        if batch.is_empty() {
            return Ok(None);
        }
        for event in &batch {
            let expected_seq = if event.chain == last_chain {
                last_seq + 1
            } else {
                1
            };
            if event.chain != last_chain {
                report.chains_checked += 1;
                prev_hash = GENESIS_HASH.to_string();
            }
            if event.seq != expected_seq {
                return Ok(Some(event_break(
                    event,
                    &format!("expected seq {expected_seq}: a link is missing"),
                )));
            }
            if event.prev_hash != prev_hash {
                return Ok(Some(event_break(
                    event,
                    "prev_hash does not match the previous link",
                )));
            }
            if event.hash != event.expected_hash() {
                return Ok(Some(event_break(event, "hash does not match the content")));
            }
            report.events_checked += 1;
            prev_hash = event.hash.clone();
            last_chain = event.chain.clone();
            last_seq = event.seq;
        }
    }
}

#[derive(QueryableByName)]
struct ChainAt {
    #[diesel(sql_type = Text)]
    chain: String,
    #[diesel(sql_type = BigInt)]
    seq: i64,
}

/// Every head must name the last event of its chain; deleting a chain's newest events, or the
/// whole chain, shows here.
fn verify_heads(conn: &mut PgConnection) -> Result<Option<Break>, RepoError> {
    let broken: Option<ChainAt> = diesel::sql_query(
        // Joined on the owner as well as the name: on a cluster all three are spread by owner.
        "WITH last AS (SELECT party_id, chain, max(seq) AS seq FROM audit_events
                        GROUP BY party_id, chain)
         SELECT COALESCE(h.chain, l.chain) AS chain, COALESCE(h.seq, l.seq) AS seq
           FROM audit_chain_heads h
           FULL JOIN last l ON l.party_id = h.party_id AND l.chain = h.chain
           LEFT JOIN audit_events e
                  ON e.party_id = h.party_id AND e.chain = h.chain AND e.seq = h.seq
          WHERE (l.seq IS DISTINCT FROM h.seq OR e.hash IS DISTINCT FROM h.hash)
            AND COALESCE(h.seq, 1) > 0
          ORDER BY 1 LIMIT 1",
    )
    .get_result(conn)
    .optional()?;
    Ok(broken.map(|b| Break {
        kind: "head",
        chain: Some(b.chain),
        seq: Some(b.seq),
        checkpoint_id: None,
        reason: "the chain head does not match the chain's last event".into(),
    }))
}

fn checkpoint_break(id: i64, chain: Option<String>, seq: Option<i64>, reason: &str) -> Break {
    Break {
        kind: "checkpoint",
        chain,
        seq,
        checkpoint_id: Some(id),
        reason: reason.to_string(),
    }
}

/// Recomputes the checkpoint chain and checks that every head a checkpoint recorded is still
/// the event it was; answers whether `anchor` was met.
fn verify_checkpoints(
    conn: &mut PgConnection,
    report: &mut VerifyReport,
    anchor: Option<&str>,
) -> Result<bool, RepoError> {
    let checkpoints: Vec<CheckpointRow> = audit_checkpoints::table
        .order(audit_checkpoints::id.asc())
        .select(CheckpointRow::as_select())
        .load(conn)?;
    let (mut prev_hash, mut prev_digest) = (GENESIS_HASH.to_string(), GENESIS_HASH.to_string());
    let mut anchor_found = false;
    for cp in checkpoints {
        let heads: Vec<(String, i64, String)> = audit_checkpoint_heads::table
            .filter(audit_checkpoint_heads::checkpoint_id.eq(cp.id))
            .order(audit_checkpoint_heads::chain.asc())
            .select((
                audit_checkpoint_heads::chain,
                audit_checkpoint_heads::seq,
                audit_checkpoint_heads::hash,
            ))
            .load(conn)?;
        let digest = heads_digest(&prev_digest, &heads);
        if cp.prev_hash != prev_hash || cp.heads_digest != digest || cp.hash != cp.expected_hash() {
            report.first_break = Some(checkpoint_break(
                cp.id,
                None,
                None,
                "checkpoint does not recompute",
            ));
            return Ok(anchor_found);
        }
        let rewritten: Option<ChainAt> = diesel::sql_query(
            "SELECT c.chain, c.seq FROM audit_checkpoint_heads c
               LEFT JOIN audit_events e
                      ON e.party_id = c.party_id AND e.chain = c.chain AND e.seq = c.seq
              WHERE c.checkpoint_id = $1 AND e.hash IS DISTINCT FROM c.hash
              ORDER BY c.chain LIMIT 1",
        )
        .bind::<BigInt, _>(cp.id)
        .get_result(conn)
        .optional()?;
        if let Some(r) = rewritten {
            report.first_break = Some(checkpoint_break(
                cp.id,
                Some(r.chain),
                Some(r.seq),
                "the event differs from the one this checkpoint recorded: history was rewritten",
            ));
            return Ok(anchor_found);
        }
        anchor_found |= anchor == Some(cp.hash.as_str());
        report.checkpoints_checked += 1;
        prev_hash = cp.hash;
        prev_digest = digest;
    }
    Ok(anchor_found)
}
