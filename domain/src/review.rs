//! The review of a case the decision engine referred: one officer claims it and decides;
//! above the four-eyes threshold a second, different officer must confirm an approval.

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStatus {
    Pending,
    Claimed,
    AwaitingConfirmation,
    Approved,
    Declined,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Claimed => "claimed",
            ReviewStatus::AwaitingConfirmation => "awaiting_confirmation",
            ReviewStatus::Approved => "approved",
            ReviewStatus::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewStatus> {
        [
            ReviewStatus::Pending,
            ReviewStatus::Claimed,
            ReviewStatus::AwaitingConfirmation,
            ReviewStatus::Approved,
            ReviewStatus::Declined,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("the case is not waiting to be claimed")]
    NotPending,
    #[error("the case is claimed by another officer")]
    ClaimedByAnother,
    #[error("the case must be claimed before it is decided")]
    NotClaimed,
    #[error("the case is not waiting for a confirmation")]
    NotAwaitingConfirmation,
    #[error("an officer cannot confirm their own decision")]
    OwnDecision,
}

/// The case as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub status: ReviewStatus,
    pub claimed_by: Option<String>,
    pub decided_by: Option<String>,
}

/// Claiming: only a pending case, or re-claiming one's own.
pub fn claim(case: &Case, officer: &str) -> Result<ReviewStatus, ReviewError> {
    match case.status {
        ReviewStatus::Pending => Ok(ReviewStatus::Claimed),
        ReviewStatus::Claimed if case.claimed_by.as_deref() == Some(officer) => {
            Ok(ReviewStatus::Claimed)
        }
        ReviewStatus::Claimed => Err(ReviewError::ClaimedByAnother),
        _ => Err(ReviewError::NotPending),
    }
}

/// Deciding: the claiming officer approves (status depends on the four-eyes threshold) or
/// declines. Only approvals need two officers: an approval awaiting confirmation can still be
/// declined by any officer (the second officer's veto, or the first changing their mind).
pub fn decide(
    case: &Case,
    officer: &str,
    approve: bool,
    amount: Decimal,
    four_eyes_above: Decimal,
) -> Result<ReviewStatus, ReviewError> {
    match case.status {
        ReviewStatus::Claimed if case.claimed_by.as_deref() == Some(officer) => {}
        ReviewStatus::Claimed => return Err(ReviewError::ClaimedByAnother),
        ReviewStatus::Pending => return Err(ReviewError::NotClaimed),
        ReviewStatus::AwaitingConfirmation if !approve => return Ok(ReviewStatus::Declined),
        _ => return Err(ReviewError::NotPending),
    }
    Ok(match (approve, amount > four_eyes_above) {
        (false, _) => ReviewStatus::Declined,
        (true, true) => ReviewStatus::AwaitingConfirmation,
        (true, false) => ReviewStatus::Approved,
    })
}

/// Confirming: a second officer, never the one who decided.
pub fn confirm(case: &Case, officer: &str) -> Result<ReviewStatus, ReviewError> {
    if case.status != ReviewStatus::AwaitingConfirmation {
        return Err(ReviewError::NotAwaitingConfirmation);
    }
    if case.decided_by.as_deref() == Some(officer) {
        return Err(ReviewError::OwnDecision);
    }
    Ok(ReviewStatus::Approved)
}

/// What an approving officer may change: the amount down, the engine's rate up. Cases priced
/// by a program (supply-chain finance) are approved or declined as they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TermsError {
    #[error("this case is priced by its program: approve or decline it as it stands")]
    PricedByProgram,
    #[error("an officer may lower the amount, not raise it")]
    AmountRaised,
    #[error("an officer may raise the engine's rate, not lower it")]
    RateLowered,
}

/// The terms an officer sets with a decision (none: the case's own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terms {
    pub amount: Option<Decimal>,
    pub rate: Option<Decimal>,
}

/// Checks `terms` against the case: its `requested` amount, the engine's rate when it gave
/// one, and whether officers price this kind of case at all.
pub fn check_terms(
    terms: Terms,
    requested: Decimal,
    engine_rate: Option<Decimal>,
    officer_prices: bool,
) -> Result<(), TermsError> {
    if !officer_prices && terms != Terms::default() {
        return Err(TermsError::PricedByProgram);
    }
    if terms.amount.is_some_and(|a| a > requested) {
        return Err(TermsError::AmountRaised);
    }
    if terms
        .rate
        .zip(engine_rate)
        .is_some_and(|(asked, engine)| asked < engine)
    {
        return Err(TermsError::RateLowered);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(status: ReviewStatus, claimed: Option<&str>, decided: Option<&str>) -> Case {
        Case {
            status,
            claimed_by: claimed.map(String::from),
            decided_by: decided.map(String::from),
        }
    }

    #[test]
    fn an_approval_awaiting_confirmation_can_be_vetoed_but_not_approved_again() {
        let c = case(
            ReviewStatus::AwaitingConfirmation,
            Some("officer-1"),
            Some("officer-1"),
        );
        let amount = Decimal::new(600_000, 0);
        assert_eq!(
            decide(&c, "officer-2", false, amount, Decimal::ZERO),
            Ok(ReviewStatus::Declined)
        );
        assert_eq!(
            decide(&c, "officer-2", true, amount, Decimal::ZERO),
            Err(ReviewError::NotPending)
        );
        let closed = case(ReviewStatus::Declined, Some("officer-1"), Some("officer-1"));
        assert_eq!(
            decide(&closed, "officer-2", false, amount, Decimal::ZERO),
            Err(ReviewError::NotPending)
        );
    }

    #[test]
    fn a_claimed_case_cannot_be_taken_by_another_officer() {
        let c = case(ReviewStatus::Claimed, Some("officer-1"), None);
        assert_eq!(claim(&c, "officer-2"), Err(ReviewError::ClaimedByAnother));
        assert_eq!(claim(&c, "officer-1"), Ok(ReviewStatus::Claimed));
    }

    #[test]
    fn an_approval_above_the_threshold_waits_for_a_second_officer() {
        let c = case(ReviewStatus::Claimed, Some("officer-1"), None);
        let big = Decimal::new(600_000, 0);
        let threshold = Decimal::new(500_000, 0);
        assert_eq!(
            decide(&c, "officer-1", true, big, threshold),
            Ok(ReviewStatus::AwaitingConfirmation)
        );
        assert_eq!(
            decide(&c, "officer-1", true, threshold, threshold),
            Ok(ReviewStatus::Approved)
        );
        assert_eq!(
            decide(&c, "officer-1", false, big, threshold),
            Ok(ReviewStatus::Declined)
        );
    }

    #[test]
    fn only_the_claiming_officer_decides_and_only_after_claiming() {
        let threshold = Decimal::ONE;
        let pending = case(ReviewStatus::Pending, None, None);
        assert_eq!(
            decide(&pending, "officer-1", true, Decimal::ONE, threshold),
            Err(ReviewError::NotClaimed)
        );
        let claimed = case(ReviewStatus::Claimed, Some("officer-1"), None);
        assert_eq!(
            decide(&claimed, "officer-2", true, Decimal::ONE, threshold),
            Err(ReviewError::ClaimedByAnother)
        );
    }

    #[test]
    fn an_officer_can_never_confirm_their_own_decision() {
        let c = case(
            ReviewStatus::AwaitingConfirmation,
            Some("officer-1"),
            Some("officer-1"),
        );
        assert_eq!(confirm(&c, "officer-1"), Err(ReviewError::OwnDecision));
        assert_eq!(confirm(&c, "officer-2"), Ok(ReviewStatus::Approved));
        let done = case(ReviewStatus::Approved, Some("officer-1"), Some("officer-1"));
        assert_eq!(
            confirm(&done, "officer-2"),
            Err(ReviewError::NotAwaitingConfirmation)
        );
    }

    #[test]
    fn an_officer_may_lower_the_amount_and_raise_the_rate_but_not_the_reverse() {
        let (requested, engine) = (Decimal::new(50_000, 0), Some(Decimal::new(12, 2)));
        let terms = |amount: i64, rate: i64| Terms {
            amount: Some(Decimal::new(amount, 0)),
            rate: Some(Decimal::new(rate, 2)),
        };
        assert_eq!(
            check_terms(terms(40_000, 15), requested, engine, true),
            Ok(())
        );
        assert_eq!(
            check_terms(terms(50_000, 12), requested, engine, true),
            Ok(())
        );
        assert_eq!(
            check_terms(terms(60_000, 15), requested, engine, true),
            Err(TermsError::AmountRaised)
        );
        assert_eq!(
            check_terms(terms(40_000, 10), requested, engine, true),
            Err(TermsError::RateLowered)
        );
        assert_eq!(
            check_terms(terms(40_000, 10), requested, None, true),
            Ok(()),
            "without an engine rate any rate is the officer's"
        );
    }

    #[test]
    fn a_case_priced_by_its_program_takes_no_terms() {
        let requested = Decimal::new(50_000, 0);
        assert_eq!(
            check_terms(Terms::default(), requested, None, false),
            Ok(())
        );
        let lower = Terms {
            amount: Some(Decimal::ONE),
            rate: None,
        };
        assert_eq!(
            check_terms(lower, requested, None, false),
            Err(TermsError::PricedByProgram)
        );
    }
}
