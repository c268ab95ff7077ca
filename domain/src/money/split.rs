//! Splitting an amount into parts without losing or inventing a minor unit.
//!
//! Uses the largest-remainder method: every part first gets its share rounded down to the minor
//! unit, then the units left over go one each to the parts with the largest discarded fractions
//! (earlier parts win ties, so the result is deterministic). The parts always sum exactly to the
//! total, which is what ledgers and regulators check.

use rust_decimal::Decimal;

use super::{Money, MoneyError};

impl Money {
    /// Splits a rounded amount in proportion to non-negative `weights` (at least one positive).
    pub fn allocate_by_weights(self, weights: &[Decimal]) -> Result<Vec<Money>, MoneyError> {
        if !self.is_rounded() {
            return Err(MoneyError::NotRounded(self.amount));
        }
        let weight_sum = weights
            .iter()
            .try_fold(Decimal::ZERO, |acc, w| {
                if w.is_sign_negative() && !w.is_zero() {
                    None
                } else {
                    acc.checked_add(*w)
                }
            })
            .ok_or(MoneyError::InvalidWeights)?;
        if weights.is_empty() || weight_sum.is_zero() {
            return Err(MoneyError::InvalidWeights);
        }
        let dp = self.currency.minor_units();
        let unit = Decimal::new(1, dp);
        // Work on the magnitude in minor units; the sign is put back on each part at the end.
        let total_units = (self.amount.abs() / unit).trunc();
        let mut floors = Vec::with_capacity(weights.len());
        let mut remainders = Vec::with_capacity(weights.len());
        let mut handed_out = Decimal::ZERO;
        for w in weights {
            let exact = total_units
                .checked_mul(*w)
                .and_then(|x| x.checked_div(weight_sum))
                .ok_or(MoneyError::Overflow)?;
            let floor = exact.trunc();
            handed_out += floor;
            floors.push(floor);
            remainders.push(exact - floor);
        }
        let mut order: Vec<usize> = (0..weights.len()).collect();
        // Stable sort keeps earlier parts first among equal remainders.
        order.sort_by(|a, b| remainders[*b].cmp(&remainders[*a]));
        let leftover = total_units - handed_out;
        for idx in order
            .iter()
            .take(leftover.trunc().try_into().unwrap_or(0usize))
        {
            floors[*idx] += Decimal::ONE;
        }
        let negative = self.is_negative();
        Ok(floors
            .into_iter()
            .map(|units| {
                let mut amount = units * unit;
                amount.set_sign_negative(negative && !amount.is_zero());
                amount.rescale(dp);
                Money::new(amount, self.currency)
            })
            .collect())
    }

    /// Splits a rounded amount into `parts` shares that differ by at most one minor unit, the
    /// larger shares first.
    pub fn split_equally(self, parts: usize) -> Result<Vec<Money>, MoneyError> {
        let weights = vec![Decimal::ONE; parts];
        self.allocate_by_weights(&weights)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::Currency;
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn amounts(parts: &[Money]) -> Vec<Decimal> {
        parts.iter().map(Money::amount).collect()
    }

    #[test]
    fn one_hundred_dollars_split_three_ways_gives_the_extra_cent_to_the_first_part() {
        let parts = Money::from_minor(10_000, Currency::Usd)
            .split_equally(3)
            .unwrap();
        assert_eq!(amounts(&parts), vec![dec!(33.34), dec!(33.33), dec!(33.33)]);
    }

    #[test]
    fn weights_allocate_leftover_cents_to_the_largest_remainders() {
        let total = Money::from_minor(5, Currency::Usd);
        let parts = total.allocate_by_weights(&[dec!(3), dec!(7)]).unwrap();
        // Exact shares 1.5 and 3.5 cents: both remainders tie, so the first part wins.
        assert_eq!(amounts(&parts), vec![dec!(0.02), dec!(0.03)]);
        let parts = Money::from_minor(100, Currency::Jpy)
            .allocate_by_weights(&[dec!(1), dec!(1), dec!(1), dec!(0)])
            .unwrap();
        assert_eq!(amounts(&parts), vec![dec!(34), dec!(33), dec!(33), dec!(0)]);
    }

    #[test]
    fn negative_totals_split_into_negative_parts() {
        let parts = Money::from_minor(-100, Currency::Usd)
            .split_equally(3)
            .unwrap();
        assert_eq!(amounts(&parts), vec![dec!(-0.34), dec!(-0.33), dec!(-0.33)]);
    }

    #[test]
    fn invalid_weights_and_unrounded_totals_are_refused() {
        let m = Money::from_minor(100, Currency::Usd);
        assert_eq!(m.allocate_by_weights(&[]), Err(MoneyError::InvalidWeights));
        assert_eq!(
            m.allocate_by_weights(&[dec!(0)]),
            Err(MoneyError::InvalidWeights)
        );
        assert_eq!(
            m.allocate_by_weights(&[dec!(-1), dec!(2)]),
            Err(MoneyError::InvalidWeights)
        );
        let unrounded = Money::new(dec!(1.005), Currency::Usd);
        assert!(matches!(
            unrounded.split_equally(2),
            Err(MoneyError::NotRounded(_))
        ));
    }

    proptest! {
        #[test]
        fn allocated_parts_always_sum_to_the_total(
            cents in -10_000_000_000i64..10_000_000_000,
            weights in proptest::collection::vec(0u32..1000, 1..20),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let total = Money::from_minor(cents, Currency::Usd);
            let weights: Vec<Decimal> = weights.into_iter().map(Decimal::from).collect();
            let parts = total.allocate_by_weights(&weights).unwrap();
            let sum: Decimal = parts.iter().map(Money::amount).sum();
            prop_assert_eq!(sum, total.amount());
            prop_assert!(parts.iter().all(Money::is_rounded));
        }
    }
}
