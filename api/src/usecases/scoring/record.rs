//! Stored decisions: the conversion to and from `credit_decisions` rows and the audit event
//! that seals each one.

use chrono::{DateTime, Utc};
use credit_scoring::{Decision, Grade, Inputs, Outcome, ProductKind};
use diesel::PgConnection;
use domain::money::Currency;
use persistence::audit::Chain;
use persistence::scoring::{self, DecisionRow, EvidenceRow};
use persistence::RepoError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::usecases::{Context, UseCaseError};

/// A decision as stored: the engine's [`Decision`] plus who, what and when.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDecision {
    pub id: Uuid,
    pub party_id: Uuid,
    pub subject: String,
    pub currency: Currency,
    pub decided_at: DateTime<Utc>,
    /// The actor who asked (`role:subject`).
    pub decided_by: String,
    /// Set on a challenger's shadow decision: the champion decision it accompanied.
    pub champion_decision_id: Option<Uuid>,
    /// Set on a champion decision that the challenger also scored.
    pub shadow_decision_id: Option<Uuid>,
    pub decision: Decision,
}

impl StoredDecision {
    /// A challenger's decision, never acted on.
    pub fn is_shadow(&self) -> bool {
        self.champion_decision_id.is_some()
    }

    /// The audit chain of this decision, kept with the party decided on.
    pub fn chain(&self) -> Chain {
        Chain::of(self.party_id, "decision", self.id)
    }
}

/// Stores the decision and records it, in full, on its audit chain.
/// Nothing later in a request reads the decision it made, so its rows are written when the
/// request closes ([`Context::writes_at_close`]).
pub(super) fn save(ctx: &mut Context<'_>, stored: &StoredDecision) -> Result<(), UseCaseError> {
    let (decision, evidence) = to_rows(stored)?;
    ctx.writes_at_close(
        (decision, evidence),
        |(decision, evidence)| scoring::decision_inserts(decision, evidence),
        |conn, (decision, evidence)| scoring::insert_decision(conn, &decision, &evidence),
        || RepoError::Corrupt("a decision's insert wrote no row".into()),
    )?;
    let action = if stored.is_shadow() {
        "credit.shadow_decided"
    } else {
        "credit.decided"
    };
    ctx.audit_log.record(
        &stored.chain(),
        &stored.decided_by,
        action,
        &audit_payload(stored),
        stored.decided_at,
    );
    Ok(())
}

/// Loads a stored decision with the id of its shadow, if it has one.
pub fn load_decision(conn: &mut PgConnection, id: Uuid) -> Result<StoredDecision, UseCaseError> {
    let (row, evidence) = scoring::find_decision(conn, id)?;
    let shadow = if row.is_shadow {
        None
    } else {
        scoring::shadow_of(conn, id)?
    };
    let mut stored = StoredDecision::try_from((row, evidence))?;
    stored.shadow_decision_id = shadow;
    Ok(stored)
}

fn audit_payload(stored: &StoredDecision) -> Value {
    let d = &stored.decision;
    json!({
        "id": stored.id,
        "party_id": stored.party_id,
        "product": d.product,
        "subject": stored.subject,
        "is_shadow": stored.is_shadow(),
        "champion_decision_id": stored.champion_decision_id,
        "model": {"id": d.model_id, "version": d.model_version},
        "outcome": d.outcome,
        "score": crate::usecases::figures::score(d.score),
        "grade": d.grade,
        "probability_of_default": d.probability_of_default,
        "credit_limit": crate::usecases::figures::amount(d.credit_limit, stored.currency),
        "rate_annual": d.rate_annual.normalize().to_string(),
        "currency": stored.currency.code(),
        "reasons": d.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
        "inputs": d.inputs,
        "feature_points": d.feature_points,
        "rules_fired": d.rules_fired,
    })
}

fn to_rows(stored: &StoredDecision) -> Result<(DecisionRow, EvidenceRow), UseCaseError> {
    let d = &stored.decision;
    let decision = DecisionRow {
        id: stored.id,
        party_id: stored.party_id,
        product: d.product.as_str().to_string(),
        subject: stored.subject.clone(),
        model_id: d.model_id.clone(),
        model_version: i32::try_from(d.model_version)
            .map_err(|e| UseCaseError::corrupt("scoring", e))?,
        outcome: outcome_text(d.outcome).to_string(),
        credit_limit: d.credit_limit,
        rate_annual: d.rate_annual,
        currency: stored.currency.code().to_string(),
        reasons: to_json(&d.reasons)?,
        decided_at: stored.decided_at,
        decided_by: stored.decided_by.clone(),
        is_shadow: stored.is_shadow(),
        champion_decision_id: stored.champion_decision_id,
    };
    let evidence = EvidenceRow {
        decision_id: stored.id,
        party_id: stored.party_id,
        score: d.score,
        grade: grade_text(d.grade).to_string(),
        probability_of_default: d.probability_of_default,
        inputs: d.inputs.to_json(),
        feature_points: to_json(&d.feature_points)?,
        rules_fired: to_json(&d.rules_fired)?,
    };
    Ok((decision, evidence))
}

/// The outcome as stored and shown (`approve`, `refer`, `decline`).
pub fn outcome_text(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Approve => "approve",
        Outcome::Refer => "refer",
        Outcome::Decline => "decline",
    }
}

/// The grade as stored and shown (`A` best to `E`).
pub fn grade_text(grade: Grade) -> &'static str {
    match grade {
        Grade::A => "A",
        Grade::B => "B",
        Grade::C => "C",
        Grade::D => "D",
        Grade::E => "E",
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Value, UseCaseError> {
    serde_json::to_value(value).map_err(|e| UseCaseError::corrupt("scoring", e))
}

fn from_json<T: DeserializeOwned>(column: &str, value: Value) -> Result<T, RepoError> {
    serde_json::from_value(value).map_err(|e| RepoError::Corrupt(format!("{column}: {e}")))
}

impl TryFrom<(DecisionRow, EvidenceRow)> for StoredDecision {
    type Error = UseCaseError;

    fn try_from((row, evidence): (DecisionRow, EvidenceRow)) -> Result<Self, UseCaseError> {
        let corrupt = |column: &str, e: &dyn std::fmt::Display| {
            UseCaseError::from(RepoError::Corrupt(format!("{column}: {e}")))
        };
        let product: ProductKind = row.product.parse().map_err(|e| corrupt("product", &e))?;
        let decision = Decision {
            outcome: from_json("outcome", Value::String(row.outcome))?,
            product,
            score: evidence.score,
            grade: from_json("grade", Value::String(evidence.grade))?,
            probability_of_default: evidence.probability_of_default,
            credit_limit: row.credit_limit,
            rate_annual: row.rate_annual,
            reasons: from_json("reasons", row.reasons)?,
            model_id: row.model_id,
            model_version: u32::try_from(row.model_version)
                .map_err(|e| corrupt("model_version", &e))?,
            inputs: Inputs::from_json(&evidence.inputs).map_err(|e| corrupt("inputs", &e))?,
            feature_points: from_json("feature_points", evidence.feature_points)?,
            rules_fired: from_json("rules_fired", evidence.rules_fired)?,
        };
        Ok(StoredDecision {
            id: row.id,
            party_id: row.party_id,
            subject: row.subject,
            currency: Currency::parse(&row.currency).map_err(|e| corrupt("currency", &e))?,
            decided_at: row.decided_at,
            decided_by: row.decided_by,
            champion_decision_id: row.champion_decision_id,
            shadow_decision_id: None,
            decision,
        })
    }
}
