//! The credit decision for factoring and bill discounting: the one place supply-chain finance
//! asks the scoring service (`crate::usecases::scoring::assess`), inside the caller's
//! transaction, so every decision is stored and audited with the change it allows.
//!
//! Factoring scores the supplier and every debtor on the `factoring` product; a bill discount
//! scores the acceptor on `bill_discount`. The worse outcome wins, so a weak debtor cannot be
//! carried by a strong supplier. Each party is scored on the amount lent against it: the
//! supplier on the whole request, a pool's debtor on its share of the borrowing base (the risk
//! taken on that debtor); an amount above the limit granted to its party is referred to a risk
//! officer.

use chrono::{NaiveDate, Utc};
use credit_scoring::{Decision, Outcome, ProductKind};
use diesel::PgConnection;
use persistence::parties;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::error::ApiError;
use crate::usecases::scoring::{assess, ApplicationFacts, AssessmentRequest, ModelCache};

/// One party's stored decision.
#[derive(Debug, Clone, Serialize)]
pub struct PartyDecision {
    pub decision_id: Uuid,
    pub party_id: Uuid,
    /// The amount lent against this party that it was scored on.
    pub requested: Decimal,
    pub decision: Decision,
}

/// One party to score: its current exposure and the amount the request lends against it.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    pub party: Uuid,
    pub exposure: Decimal,
    pub requested: Decimal,
}

/// What the engine said about the whole request.
#[derive(Debug, Clone, Serialize)]
pub struct ScfDecision {
    pub outcome: Outcome,
    pub product: ProductKind,
    pub decisions: Vec<PartyDecision>,
    /// The smallest limit granted across the parties scored.
    pub credit_limit: Decimal,
}

impl ScfDecision {
    pub fn to_json(&self) -> Result<String, ApiError> {
        serde_json::to_string(self).map_err(ApiError::internal)
    }
}

/// What is being decided, for the scoring service.
pub struct Ask<'a> {
    pub models: &'a ModelCache,
    pub product: ProductKind,
    /// e.g. `factoring:<id>`; also the challenger routing key.
    pub subject: &'a str,
    pub actor: &'a str,
    /// The whole amount the request lends.
    pub requested: Decimal,
    /// The business date the parties are scored on.
    pub on: NaiveDate,
}

/// Scores each `(party, current exposure)` on the whole requested amount and combines the
/// outcomes.
pub fn decide_parties(
    conn: &mut PgConnection,
    ask: &Ask<'_>,
    scored: &[(Uuid, Decimal)],
) -> Result<ScfDecision, ApiError> {
    let scored: Vec<Scored> = scored
        .iter()
        .map(|&(party, exposure)| Scored {
            party,
            exposure,
            requested: ask.requested,
        })
        .collect();
    decide_each(conn, ask, &scored)
}

/// Scores each party on its own amount and combines the outcomes: the worst wins, and an
/// approval whose amount for some party exceeds the limit granted to that party is referred.
fn decide_each(
    conn: &mut PgConnection,
    ask: &Ask<'_>,
    scored: &[Scored],
) -> Result<ScfDecision, ApiError> {
    let mut decisions = Vec::with_capacity(scored.len());
    for one in scored {
        let record = parties::find(conn, one.party)?;
        let facts = ApplicationFacts {
            requested_amount: one.requested,
            current_exposure: one.exposure,
            max_days_past_due: 0,
            past_delinquencies: 0,
            blacklisted: false,
        };
        let request = AssessmentRequest::for_merchant(
            &record,
            ask.product,
            ask.subject,
            ask.actor,
            &facts,
            (ask.on, Utc::now()),
        )?;
        let stored = assess(conn, ask.models, &request)?;
        decisions.push(PartyDecision {
            decision_id: stored.id,
            party_id: one.party,
            requested: one.requested,
            decision: stored.decision,
        });
    }
    let mut outcome = decisions
        .iter()
        .map(|d| d.decision.outcome)
        .max()
        .unwrap_or(Outcome::Decline);
    let credit_limit = decisions
        .iter()
        .map(|d| d.decision.credit_limit)
        .min()
        .unwrap_or(Decimal::ZERO);
    let over_a_limit = decisions
        .iter()
        .any(|d| d.requested > d.decision.credit_limit);
    if outcome == Outcome::Approve && over_a_limit {
        outcome = Outcome::Refer;
    }
    Ok(ScfDecision {
        outcome,
        product: ask.product,
        decisions,
        credit_limit,
    })
}

/// Factoring: the supplier (`(party, exposure)`) on the whole request, and every debtor on
/// what the request lends against it.
pub fn decide_factoring(
    conn: &mut PgConnection,
    ask: &Ask<'_>,
    supplier: (Uuid, Decimal),
    debtors: &[Scored],
) -> Result<ScfDecision, ApiError> {
    let mut scored = vec![Scored {
        party: supplier.0,
        exposure: supplier.1,
        requested: ask.requested,
    }];
    scored.extend_from_slice(debtors);
    decide_each(conn, ask, &scored)
}

/// Bill discounting: the acceptor's risk decides.
pub fn decide_bill(
    conn: &mut PgConnection,
    ask: &Ask<'_>,
    acceptor: Uuid,
) -> Result<ScfDecision, ApiError> {
    decide_parties(conn, ask, &[(acceptor, Decimal::ZERO)])
}

/// What the parties to a request or a bill may read of its stored decision: the outcome, the
/// ids of the per-party decisions (each readable by its own party and staff at
/// `/v1/decisions/{id}`) and the officers' outcome. Scores, reasons and limits stay out: the
/// debtor's or acceptor's credit data is not the supplier's to read. `with_reason` adds the
/// officer's reason code, for the applicant only.
pub fn public_view(stored: &serde_json::Value, with_reason: bool) -> serde_json::Value {
    let ids: Vec<serde_json::Value> = stored["decisions"]
        .as_array()
        .map(|all| all.iter().map(|d| d["decision_id"].clone()).collect())
        .unwrap_or_default();
    let mut view = serde_json::json!({"outcome": stored["outcome"], "decision_ids": ids});
    if let Some(review) = stored.get("review") {
        view["review"] = serde_json::json!({"outcome": review["outcome"]});
        if with_reason {
            view["review"]["reason_code"] = review["reason_code"].clone();
        }
    }
    view
}
