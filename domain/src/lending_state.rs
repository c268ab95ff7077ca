//! Life cycles of stock-up lending: which status a credit-line application, a credit line or a
//! loan may move to next. Persistence keeps the names (`as_str`) in status columns.
//!
//! Application: `referred → approved | declined` (an officer finishes a referral); a new
//! application is stored already decided, so approved and declined are final.
//! Line: `active ⇄ frozen` (end of day freezes a line whose loans are too late), and `closed`
//! from either (a written-off loan closes its line). Only an active line lends.
//! Loan: `active → closed` (repaid in full) or `active → written_off`; a written-off loan still
//! takes payments, as recoveries, and a closed one takes none.

use crate::state_machine::states;
pub use crate::state_machine::{TransitionError, UnknownState};

/// `to` when the move from `from` is `allowed`.
fn guarded<S>(
    from: &'static str,
    to: S,
    to_name: &'static str,
    allowed: bool,
) -> Result<S, TransitionError> {
    if allowed {
        Ok(to)
    } else {
        Err(TransitionError { from, to: to_name })
    }
}

states!(ApplicationStatus {
    Referred => "referred",
    Approved => "approved",
    Declined => "declined",
});

states!(LineStatus {
    Active => "active",
    Frozen => "frozen",
    Closed => "closed",
});

states!(LoanStatus {
    Active => "active",
    Closed => "closed",
    WrittenOff => "written_off",
});

impl ApplicationStatus {
    /// An officer's final word on a referred application.
    pub fn reviewed(self, approved: bool) -> Result<ApplicationStatus, TransitionError> {
        let to = if approved {
            ApplicationStatus::Approved
        } else {
            ApplicationStatus::Declined
        };
        guarded(
            self.as_str(),
            to,
            to.as_str(),
            self == ApplicationStatus::Referred,
        )
    }
}

impl LineStatus {
    /// Only an active line lends (a frozen line waits for its arrears, a closed one is done).
    pub fn lends(self) -> bool {
        self == LineStatus::Active
    }
}

/// What a payment on a loan is, given its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payment {
    /// Split over what the loan owes.
    Repayment,
    /// Cash back on a written-off loan: income, the balances stay written off.
    Recovery,
}

impl LoanStatus {
    /// How a payment is taken; a closed loan takes none.
    pub fn payment(self) -> Result<Payment, TransitionError> {
        match self {
            LoanStatus::Active => Ok(Payment::Repayment),
            LoanStatus::WrittenOff => Ok(Payment::Recovery),
            LoanStatus::Closed => Err(TransitionError {
                from: self.as_str(),
                to: "repaid",
            }),
        }
    }

    /// Repaid in full.
    pub fn close(self) -> Result<LoanStatus, TransitionError> {
        let to = LoanStatus::Closed;
        guarded(self.as_str(), to, to.as_str(), self == LoanStatus::Active)
    }

    pub fn write_off(self) -> Result<LoanStatus, TransitionError> {
        let to = LoanStatus::WrittenOff;
        guarded(self.as_str(), to, to.as_str(), self == LoanStatus::Active)
    }

    /// Only an active loan owes anything (and so has a payoff amount).
    pub fn owes(self) -> bool {
        self == LoanStatus::Active
    }

    /// Whether the balances on the row are still the borrower's: a written-off loan's went to
    /// credit losses (they stay on the row, for the record and to bound recoveries), so it is
    /// shown owing nothing.
    pub fn carries_balances(self) -> bool {
        self != LoanStatus::WrittenOff
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_a_referred_application_is_finished_by_a_review() {
        let referred = ApplicationStatus::Referred;
        assert_eq!(referred.reviewed(true), Ok(ApplicationStatus::Approved));
        assert_eq!(referred.reviewed(false), Ok(ApplicationStatus::Declined));
        for done in [ApplicationStatus::Approved, ApplicationStatus::Declined] {
            assert!(done.reviewed(true).is_err());
            assert!(done.reviewed(false).is_err());
        }
    }

    #[test]
    fn only_an_active_line_lends() {
        assert!(LineStatus::Active.lends());
        assert!(!LineStatus::Frozen.lends());
        assert!(!LineStatus::Closed.lends());
    }

    #[test]
    fn a_loan_closes_or_is_written_off_only_while_active() {
        assert_eq!(LoanStatus::Active.close(), Ok(LoanStatus::Closed));
        assert_eq!(LoanStatus::Active.write_off(), Ok(LoanStatus::WrittenOff));
        for done in [LoanStatus::Closed, LoanStatus::WrittenOff] {
            assert!(done.close().is_err());
            assert!(done.write_off().is_err());
            assert!(!done.owes());
        }
        assert!(LoanStatus::Closed.carries_balances());
        assert!(!LoanStatus::WrittenOff.carries_balances());
    }

    #[test]
    fn a_written_off_loan_takes_recoveries_and_a_closed_one_nothing() {
        assert_eq!(LoanStatus::Active.payment(), Ok(Payment::Repayment));
        assert_eq!(LoanStatus::WrittenOff.payment(), Ok(Payment::Recovery));
        assert!(LoanStatus::Closed.payment().is_err());
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in ["active", "closed", "written_off"] {
            assert_eq!(s.parse::<LoanStatus>().unwrap().as_str(), s);
        }
        for s in ["active", "frozen", "closed"] {
            assert_eq!(s.parse::<LineStatus>().unwrap().as_str(), s);
        }
        for s in ["referred", "approved", "declined"] {
            assert_eq!(s.parse::<ApplicationStatus>().unwrap().as_str(), s);
        }
        assert!("paused".parse::<LoanStatus>().is_err());
    }
}
