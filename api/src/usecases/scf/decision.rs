//! The credit decision for factoring and bill discounting: the one place supply-chain finance
//! asks the scoring service, inside the request's transaction, so every decision is stored
//! and audited with the change it allows.
//!
//! Factoring scores the supplier and every debtor on the `factoring` product; a bill discount
//! scores the acceptor on `bill_discount`. The worse outcome wins, so a weak debtor cannot be
//! carried by a strong supplier. Each party is scored on the amount lent against it: the
//! supplier on the whole request, a pool's debtor on its share of the borrowing base (the risk
//! taken on that debtor); an amount above the limit granted to its party is referred to a risk
//! officer.

use credit_scoring::{Decision, Outcome, ProductKind};
use domain::money::Currency;
use persistence::reviews::{self, NewReview};
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::usecases::scoring::assess;
use crate::usecases::scoring::{merchant_inputs, ApplicationFacts, AssessmentRequest};
use crate::usecases::{Context, Decided, UseCaseError, Verdict};

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

/// What the engine said about the whole request; stored as JSON on the request, the bill or
/// the membership (this shape, so that stored rows keep reading).
#[derive(Debug, Clone, Serialize)]
pub struct ScfDecision {
    pub outcome: Outcome,
    pub product: ProductKind,
    pub decisions: Vec<PartyDecision>,
    /// The smallest limit granted across the parties scored.
    pub credit_limit: Decimal,
}

impl ScfDecision {
    pub fn to_json(&self) -> Result<String, UseCaseError> {
        serde_json::to_string(self).map_err(|e| UseCaseError::corrupt("decision", e))
    }

    /// The one outcome of this decision about `subject`, as `party` (who asked) may read it:
    /// the id of its own decision (else the first one's) and its own reasons; another party's
    /// credit data never reaches it, only that such a party's assessment weighed.
    pub fn decided<T>(&self, party: Uuid, subject: T) -> Decided<T> {
        let verdict = match self.outcome {
            Outcome::Approve => Verdict::Approved,
            Outcome::Refer => Verdict::Referred,
            Outcome::Decline => Verdict::Declined,
        };
        let own = self.decisions.iter().find(|d| d.party_id == party);
        let mut reasons = Vec::new();
        if verdict != Verdict::Approved {
            if let Some(own) = own.filter(|d| d.decision.outcome == self.outcome) {
                reasons.extend(own.decision.reasons.iter().map(|r| r.text.clone()));
            }
            if self
                .decisions
                .iter()
                .any(|d| d.party_id != party && d.decision.outcome == self.outcome)
            {
                reasons.push(format!(
                    "another party's credit assessment: {}",
                    self.outcome_text()
                ));
            }
            if self.outcome == Outcome::Refer
                && self
                    .decisions
                    .iter()
                    .any(|d| d.requested > d.decision.credit_limit)
            {
                reasons.push("the amount exceeds the limit granted".into());
            }
        }
        Decided {
            verdict,
            decision_id: own.or(self.decisions.first()).map(|d| d.decision_id),
            reasons,
            subject,
        }
    }

    /// Sends this (referred) decision to the risk officers' queue shared with loans, as the
    /// case of `kind` about `subject`, for `party`, over `amount` in `currency`.
    pub fn refer(
        &self,
        ctx: &mut Context<'_>,
        (kind, subject): (&str, Uuid),
        party: Uuid,
        (amount, currency): (Decimal, &str),
    ) -> Result<(), UseCaseError> {
        let engine_decision =
            serde_json::to_value(self).map_err(|e| UseCaseError::corrupt("decision", e))?;
        let case = NewReview {
            subject_kind: kind.into(),
            subject_id: subject,
            party_id: party,
            product: self.product.as_str().into(),
            amount,
            currency: currency.into(),
            engine_decision,
        };
        reviews::open(ctx.conn, &case, ctx.now)?;
        Ok(())
    }

    fn outcome_text(&self) -> &'static str {
        match self.outcome {
            Outcome::Approve => "approved",
            Outcome::Refer => "referred to a risk officer",
            Outcome::Decline => "declined",
        }
    }
}

/// What is being decided (the parties come separately).
pub struct Ask<'a> {
    pub product: ProductKind,
    /// e.g. `factoring:<id>`; also the challenger routing key.
    pub subject: &'a str,
    /// The whole amount the request lends.
    pub requested: Decimal,
}

/// Scores each `(party, current exposure)` on the whole requested amount and combines the
/// outcomes.
pub fn decide_parties(
    ctx: &mut Context<'_>,
    ask: &Ask<'_>,
    scored: &[(Uuid, Decimal)],
) -> Result<ScfDecision, UseCaseError> {
    let scored: Vec<Scored> = scored
        .iter()
        .map(|&(party, exposure)| Scored {
            party,
            exposure,
            requested: ask.requested,
        })
        .collect();
    decide_each(ctx, ask, &scored)
}

/// Scores one party on its own amount, as of the business date.
fn score(
    ctx: &mut Context<'_>,
    ask: &Ask<'_>,
    one: &Scored,
) -> Result<PartyDecision, UseCaseError> {
    let record = ctx.party(one.party)?;
    let facts = ApplicationFacts {
        requested_amount: one.requested,
        current_exposure: one.exposure,
        max_days_past_due: 0,
        past_delinquencies: 0,
        blacklisted: false,
    };
    let request = AssessmentRequest {
        party_id: record.party.id,
        product: ask.product,
        subject: ask.subject.to_string(),
        currency: Currency::parse(&record.party.currency)
            .map_err(|e| UseCaseError::corrupt("party currency", e))?,
        actor: ctx.actor.name.clone(),
        inputs: merchant_inputs(&record, ctx.today, &facts),
        decided_at: ctx.now,
    };
    let stored = assess(ctx, &request)?;
    Ok(PartyDecision {
        decision_id: stored.id,
        party_id: one.party,
        requested: one.requested,
        decision: stored.decision,
    })
}

/// Scores each party on its own amount and combines the outcomes: the worst wins, and an
/// approval whose amount for some party exceeds the limit granted to that party is referred.
fn decide_each(
    ctx: &mut Context<'_>,
    ask: &Ask<'_>,
    scored: &[Scored],
) -> Result<ScfDecision, UseCaseError> {
    let parties: Vec<Uuid> = scored.iter().map(|one| one.party).collect();
    ctx.read_parties(&parties)?;
    let decisions = scored
        .iter()
        .map(|one| score(ctx, ask, one))
        .collect::<Result<Vec<_>, _>>()?;
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
    ctx: &mut Context<'_>,
    ask: &Ask<'_>,
    supplier: (Uuid, Decimal),
    debtors: &[Scored],
) -> Result<ScfDecision, UseCaseError> {
    let mut scored = vec![Scored {
        party: supplier.0,
        exposure: supplier.1,
        requested: ask.requested,
    }];
    scored.extend_from_slice(debtors);
    decide_each(ctx, ask, &scored)
}

/// Bill discounting: the acceptor's risk decides.
pub fn decide_bill(
    ctx: &mut Context<'_>,
    ask: &Ask<'_>,
    acceptor: Uuid,
) -> Result<ScfDecision, UseCaseError> {
    decide_parties(ctx, ask, &[(acceptor, Decimal::ZERO)])
}
