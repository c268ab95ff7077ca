//! What a merchant's refund does to an installment plan that is being repaid.
//!
//! The rule ("cut from the end"): a refund of `R` on a purchase first reduces the principal the
//! shopper still owes, taking it from the *last* installment backwards, so the installments
//! the shopper is already paying keep their amounts and dates and the plan simply ends sooner.
//! What the refund exceeds of the outstanding principal (the shopper had already paid more than
//! the purchase now costs) is paid back to the shopper. Fee-based plans: the fee of every
//! installment not yet due is recomputed on the purchase net of all refunds
//! (`round_half_up((purchase − refunded) × fee_rate)`), and an installment cut to zero principal
//! carries no fee; fees of installments already due stay as charged.
//!
//! The merchant gives back the settlement in proportion: `claw_back = round_half_up(R ×
//! settlement ÷ purchase)`, and a refund that completes the purchase claws back exactly what
//! is left of the settlement, so the claw-backs of a fully refunded plan sum to the settlement.
//! On a merchant-subsidised plan the remainder `R − claw_back` is the subsidy given back.

use rust_decimal::Decimal;
use thiserror::Error;

use crate::money::{Money, MoneyError, RoundingMode};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RefundError {
    #[error("the refunds would exceed the purchase amount settled ({available} left)")]
    ExceedsSettled { available: Decimal },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The plan's money as the refund finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanPosition {
    pub purchase: Money,
    pub settlement: Money,
    pub refunded: Money,
    pub clawed_back: Money,
    pub principal_outstanding: Money,
}

/// How the refund is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundSplit {
    /// Principal the shopper no longer owes.
    pub principal_cut: Money,
    /// Paid back to the shopper (already paid beyond the new price).
    pub to_shopper: Money,
    /// Taken back from the merchant's settlement.
    pub claw_back: Money,
    /// Subsidy returned to the merchant (`refund − claw_back`).
    pub subsidy_returned: Money,
}

/// Splits a refund of `refund`; refuses one that takes the refunds past the purchase.
pub fn split_refund(position: &PlanPosition, refund: Money) -> Result<RefundSplit, RefundError> {
    let available = position.purchase.checked_sub(position.refunded)?;
    if refund.amount() > available.amount() || !refund.is_positive() {
        return Err(RefundError::ExceedsSettled {
            available: available.amount(),
        });
    }
    let principal_cut = refund.checked_min(position.principal_outstanding)?;
    let to_shopper = refund.checked_sub(principal_cut)?;
    let claw_back = if refund == available {
        position.settlement.checked_sub(position.clawed_back)?
    } else {
        refund
            .checked_mul_rate(position.settlement.amount())?
            .checked_div(position.purchase.amount())?
            .round(RoundingMode::HalfUp)
    };
    Ok(RefundSplit {
        principal_cut,
        to_shopper,
        claw_back,
        subsidy_returned: refund.checked_sub(claw_back)?,
    })
}

/// Cuts `cut` from the installments' principal parts, last installment first; answers the new
/// parts (same length, none negative).
pub fn cut_from_end(principals: &[Money], cut: Money) -> Result<Vec<Money>, MoneyError> {
    let mut left = cut;
    let mut out = principals.to_vec();
    for part in out.iter_mut().rev() {
        let taken = left.checked_min(*part)?;
        *part = part.checked_sub(taken)?;
        left = left.checked_sub(taken)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal_macros::dec;

    fn cny(v: Decimal) -> Money {
        Money::new(v, Currency::parse("CNY").unwrap())
    }

    fn position(refunded: Decimal, outstanding: Decimal) -> PlanPosition {
        PlanPosition {
            purchase: cny(dec!(1200)),
            settlement: cny(dec!(1150)),
            refunded: cny(refunded),
            clawed_back: cny(Decimal::ZERO),
            principal_outstanding: cny(outstanding),
        }
    }

    #[test]
    fn a_refund_cuts_the_last_installments_first() {
        let parts = [cny(dec!(400)), cny(dec!(400)), cny(dec!(400))];
        let cut = cut_from_end(&parts, cny(dec!(500))).unwrap();
        assert_eq!(cut, vec![cny(dec!(400)), cny(dec!(300)), cny(dec!(0))]);
    }

    #[test]
    fn a_refund_beyond_what_is_owed_goes_back_to_the_shopper() {
        let split = split_refund(&position(dec!(0), dec!(400)), cny(dec!(600))).unwrap();
        assert_eq!(split.principal_cut, cny(dec!(400)));
        assert_eq!(split.to_shopper, cny(dec!(200)));
        assert_eq!(split.claw_back, cny(dec!(575)));
        assert_eq!(split.subsidy_returned, cny(dec!(25)));
    }

    #[test]
    fn a_refund_completing_the_purchase_claws_back_the_rest_of_the_settlement() {
        let mut p = position(dec!(600), dec!(600));
        p.clawed_back = cny(dec!(575));
        let split = split_refund(&p, cny(dec!(600))).unwrap();
        assert_eq!(split.claw_back, cny(dec!(575)));
    }

    #[test]
    fn a_refund_above_the_purchase_left_is_refused() {
        let err = split_refund(&position(dec!(1000), dec!(200)), cny(dec!(200.01))).unwrap_err();
        assert_eq!(
            err,
            RefundError::ExceedsSettled {
                available: dec!(200)
            }
        );
    }
}
