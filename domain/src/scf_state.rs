//! Life cycles of supply-chain paper: which state a receivable or a bill may move to next.
//!
//! Receivable: `submitted → confirmed | disputed → financed → settled | defaulted`, and
//! `cancelled` from any state before financing. A disputed receivable may still be confirmed
//! (the dispute was resolved). Financing from `submitted` is allowed only when the program does
//! not require the debtor's confirmation; that rule lives with the eligibility check.
//!
//! Bill: `registered → accepted → discounted → paid | dishonoured`.
//!
//! Factoring request: decided `funded | referred | declined`; a referred one becomes `funded` or
//! `declined` on review; a funded single invoice is `closed` once settled. A supplier's program
//! membership: `pending → approved | declined`. A bill discount referred to a risk officer:
//! `referred → approved | declined`.

use crate::state_machine::states;
pub use crate::state_machine::{TransitionError, UnknownState};

states!(ReceivableState {
    Submitted => "submitted",
    Confirmed => "confirmed",
    Disputed => "disputed",
    Financed => "financed",
    Settled => "settled",
    Defaulted => "defaulted",
    Cancelled => "cancelled",
});

states!(BillState {
    Registered => "registered",
    Accepted => "accepted",
    Discounted => "discounted",
    Paid => "paid",
    Dishonoured => "dishonoured",
});

states!(FactoringState {
    Funded => "funded",
    Referred => "referred",
    Declined => "declined",
    Closed => "closed",
});

states!(RequestKind {
    Single => "single",
    Pool => "pool",
});

states!(MembershipState {
    Pending => "pending",
    Approved => "approved",
    Declined => "declined",
});

states!(ReferralState {
    Referred => "referred",
    Approved => "approved",
    Declined => "declined",
});

states!(BillMedium {
    Electronic => "electronic",
    Paper => "paper",
});

/// Refuses `from → to` unless `allowed`.
fn guard<S: Copy>(
    allowed: bool,
    from: S,
    to: S,
    name: fn(S) -> &'static str,
) -> Result<S, TransitionError> {
    if allowed {
        Ok(to)
    } else {
        Err(TransitionError {
            from: name(from),
            to: name(to),
        })
    }
}

impl FactoringState {
    pub fn transition(self, to: FactoringState) -> Result<FactoringState, TransitionError> {
        use FactoringState::*;
        let allowed = matches!((self, to), (Referred, Funded | Declined) | (Funded, Closed));
        guard(allowed, self, to, FactoringState::as_str)
    }
}

impl MembershipState {
    pub fn transition(self, to: MembershipState) -> Result<MembershipState, TransitionError> {
        use MembershipState::*;
        let allowed = matches!((self, to), (Pending, Approved | Declined));
        guard(allowed, self, to, MembershipState::as_str)
    }
}

impl ReferralState {
    pub fn transition(self, to: ReferralState) -> Result<ReferralState, TransitionError> {
        use ReferralState::*;
        let allowed = matches!((self, to), (Referred, Approved | Declined));
        guard(allowed, self, to, ReferralState::as_str)
    }
}

impl BillMedium {
    /// The longest tenor allowed: a year for electronic bills, six months for paper ones.
    pub fn max_tenor_months(self) -> u32 {
        match self {
            BillMedium::Electronic => 12,
            BillMedium::Paper => 6,
        }
    }
}

impl ReceivableState {
    /// The guarded transition: `Ok(to)` when allowed.
    pub fn transition(self, to: ReceivableState) -> Result<ReceivableState, TransitionError> {
        use ReceivableState::*;
        let allowed = matches!(
            (self, to),
            (Submitted, Confirmed | Disputed | Financed | Cancelled)
                | (Disputed, Confirmed | Cancelled)
                | (Confirmed, Financed | Cancelled)
                | (Financed, Settled | Defaulted)
        );
        guard(allowed, self, to, ReceivableState::as_str)
    }

    /// True while the receivable is someone's collateral (the registry's "encumbered").
    pub fn is_encumbered(self) -> bool {
        self == ReceivableState::Financed
    }
}

impl BillState {
    pub fn transition(self, to: BillState) -> Result<BillState, TransitionError> {
        use BillState::*;
        let allowed = matches!(
            (self, to),
            (Registered, Accepted) | (Accepted, Discounted) | (Discounted, Paid | Dishonoured)
        );
        guard(allowed, self, to, BillState::as_str)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_financed_receivable_can_only_be_settled_or_defaulted() {
        let financed = ReceivableState::Financed;
        assert!(financed.transition(ReceivableState::Settled).is_ok());
        assert!(financed.transition(ReceivableState::Defaulted).is_ok());
        for to in [
            ReceivableState::Financed,
            ReceivableState::Cancelled,
            ReceivableState::Confirmed,
        ] {
            assert!(financed.transition(to).is_err(), "{to}");
        }
    }

    #[test]
    fn a_disputed_receivable_cannot_be_financed_until_confirmed() {
        let disputed = ReceivableState::Disputed;
        assert!(disputed.transition(ReceivableState::Financed).is_err());
        let confirmed = disputed.transition(ReceivableState::Confirmed).unwrap();
        assert!(confirmed.transition(ReceivableState::Financed).is_ok());
    }

    #[test]
    fn settled_and_defaulted_are_final() {
        for from in [ReceivableState::Settled, ReceivableState::Defaulted] {
            for to in [ReceivableState::Settled, ReceivableState::Financed] {
                assert!(from.transition(to).is_err());
            }
        }
    }

    #[test]
    fn a_bill_is_discounted_only_after_acceptance_and_then_paid_or_dishonoured() {
        assert!(BillState::Registered
            .transition(BillState::Discounted)
            .is_err());
        assert!(BillState::Accepted
            .transition(BillState::Discounted)
            .is_ok());
        assert!(BillState::Discounted.transition(BillState::Paid).is_ok());
        assert!(BillState::Paid.transition(BillState::Dishonoured).is_err());
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for s in [
            "submitted",
            "confirmed",
            "disputed",
            "financed",
            "settled",
            "defaulted",
        ] {
            assert_eq!(s.parse::<ReceivableState>().unwrap().as_str(), s);
        }
        assert!("lost".parse::<BillState>().is_err());
    }

    #[test]
    fn a_referred_request_is_funded_or_declined_once_and_only_a_funded_one_closes() {
        use FactoringState::*;
        assert_eq!(Referred.transition(Funded), Ok(Funded));
        assert_eq!(Referred.transition(Declined), Ok(Declined));
        assert_eq!(Funded.transition(Closed), Ok(Closed));
        for (from, to) in [
            (Declined, Funded),
            (Funded, Declined),
            (Closed, Funded),
            (Referred, Closed),
        ] {
            assert!(from.transition(to).is_err(), "{from} -> {to}");
        }
    }

    #[test]
    fn a_membership_and_a_discount_referral_are_decided_once() {
        assert!(MembershipState::Pending
            .transition(MembershipState::Approved)
            .is_ok());
        assert!(MembershipState::Approved
            .transition(MembershipState::Declined)
            .is_err());
        assert!(ReferralState::Referred
            .transition(ReferralState::Declined)
            .is_ok());
        assert!(ReferralState::Declined
            .transition(ReferralState::Approved)
            .is_err());
    }

    #[test]
    fn a_paper_bill_runs_half_as_long_as_an_electronic_one() {
        assert_eq!(
            "electronic"
                .parse::<BillMedium>()
                .unwrap()
                .max_tenor_months(),
            12
        );
        assert_eq!("paper".parse::<BillMedium>().unwrap().max_tenor_months(), 6);
        assert_eq!("pool".parse::<RequestKind>().unwrap(), RequestKind::Pool);
    }
}
