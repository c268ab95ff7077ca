//! Scoring a borrower for one financing decided on the spot, shared by the retail families (an
//! installment plan at checkout, an advance on an order or on pledged goods): approved only
//! when the engine approves and the amount fits the limit it grants. The decision is stored
//! and audited by the scoring service either way, so a decline commits like an approval.

use credit_scoring::{Outcome, ProductKind};
use domain::money::Money;
use persistence::parties::PartyRecord;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::usecases::scoring::assess;
use crate::usecases::scoring::{merchant_inputs, ApplicationFacts, AssessmentRequest};
use crate::usecases::{Context, Decided, UseCaseError, Verdict};

/// What the engine said about one financing.
#[derive(Debug, Clone)]
pub struct CreditCheck {
    pub approved: bool,
    pub decision_id: Uuid,
    /// The rate the engine prices the borrower at.
    pub rate_annual: Decimal,
    /// Readable reasons (adverse-action style), never scores.
    pub reasons: Vec<String>,
}

impl CreditCheck {
    /// The one outcome of this check, about `subject` (what an approval booked).
    pub fn decided<T>(self, subject: T) -> Decided<T> {
        Decided {
            verdict: if self.approved {
                Verdict::Approved
            } else {
                Verdict::Declined
            },
            decision_id: Some(self.decision_id),
            reasons: self.reasons,
            subject,
        }
    }
}

/// Scores `borrower` for `amount` of `product` on the business date. The caller holds the
/// borrower's row lock until commit, so concurrent financings for one borrower read its
/// exposure in turn and cannot together overrun the engine's limit. `over_limit` is the reason
/// given when the engine approves a smaller limit than `amount`.
pub fn check(
    ctx: &mut Context<'_>,
    borrower: &PartyRecord,
    (product, subject): (ProductKind, String),
    amount: Money,
    over_limit: &str,
) -> Result<CreditCheck, UseCaseError> {
    let party = borrower.party.id;
    let credit = persistence::credit_lines::party_credit(ctx.conn, party, ctx.today)?;
    let facts = ApplicationFacts {
        requested_amount: amount.amount(),
        current_exposure: credit.exposure,
        max_days_past_due: u32::try_from(credit.max_dpd).unwrap_or(0),
        past_delinquencies: u32::try_from(credit.delinquent_loans).unwrap_or(u32::MAX),
        blacklisted: false,
    };
    let request = AssessmentRequest {
        party_id: party,
        product,
        subject,
        currency: amount.currency(),
        actor: ctx.actor.name.clone(),
        // Scored on the platform's calendar, never the wall clock's.
        inputs: merchant_inputs(borrower, ctx.today, &facts),
        decided_at: ctx.now,
    };
    let stored = assess(ctx, &request)?;
    let decision = &stored.decision;
    let mut reasons: Vec<String> = decision.reasons.iter().map(|r| r.text.clone()).collect();
    let engine_approves = decision.outcome == Outcome::Approve;
    let approved = engine_approves && amount.amount() <= decision.credit_limit;
    if engine_approves && !approved {
        reasons.push(over_limit.into());
    }
    Ok(CreditCheck {
        approved,
        decision_id: stored.id,
        rate_annual: decision.rate_annual,
        reasons,
    })
}
