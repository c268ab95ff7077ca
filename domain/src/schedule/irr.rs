//! The yield (internal rate of return) of a loan's cash flows, in `Decimal`.
//!
//! Solves `Σ payment_t / (1 + i)^t = principal` for the periodic rate `i ≥ 0` by Newton's method,
//! safeguarded by a bracket that shrinks with every evaluation: a Newton step that leaves the
//! bracket is replaced by bisection, so the solver always converges. The present value falls as
//! `i` rises, which makes the bracket easy to maintain. Lendline schedules never repay less than
//! they lend, so a negative yield is reported as an error rather than searched for.

use rust_decimal::Decimal;
use rust_decimal::RoundingStrategy;
use thiserror::Error;

/// Newton stops once a step is this small: convergence is quadratic, so the error left is of the
/// order of the step squared times half the cash flows' duration (below 1e-11 even for 2000
/// periods), far below the six decimals the APR is rounded to.
const NEWTON_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 7);
/// Bisection only halves the error, so it runs until the bracket itself is this narrow.
const BISECTION_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 13);
const MAX_ITERATIONS: u32 = 200;
/// Decimal places of the discount factor inside the solver.
const FACTOR_DECIMALS: u32 = 14;
/// A periodic yield above a million (10^8 %) means the inputs are not a loan.
const MAX_PERIODIC_YIELD: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// Decimal places of a disclosed APR.
pub const APR_DECIMALS: u32 = 6;

/// Why no yield could be found.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum YieldError {
    #[error("the payments repay less than the principal, so the yield would be negative")]
    NegativeYield,
    #[error("the principal must be positive, with at least one payment and none negative")]
    NoCashFlows,
    #[error("the yield is above any plausible rate")]
    Unbounded,
}

/// The periodic yield of receiving `payments[t]` at the end of period `t + 1` for lending
/// `principal` now. `guess` (e.g. the nominal periodic rate) only speeds convergence.
///
/// With non-negative payments the present value is a decreasing convex function of the rate,
/// so a Newton step from below the root never overshoots it; a step that leaves the bracket
/// known so far is replaced by bisection. No upper bound has to be searched for up front.
pub fn periodic_yield(
    principal: Decimal,
    payments: &[Decimal],
    guess: Decimal,
) -> Result<Decimal, YieldError> {
    if principal <= Decimal::ZERO
        || payments.is_empty()
        || payments
            .iter()
            .any(|p| p.is_sign_negative() && !p.is_zero())
    {
        return Err(YieldError::NoCashFlows);
    }
    let surplus: Decimal = payments.iter().sum::<Decimal>() - principal;
    if surplus.is_zero() {
        return Ok(Decimal::ZERO);
    }
    if surplus < Decimal::ZERO {
        return Err(YieldError::NegativeYield);
    }
    let mut low = Decimal::ZERO;
    let mut high: Option<Decimal> = None;
    let mut rate = guess.max(Decimal::ZERO);
    for _ in 0..MAX_ITERATIONS {
        let (value, slope) = evaluate(principal, payments, rate);
        if value > Decimal::ZERO {
            low = rate;
        } else {
            high = Some(rate);
        }
        let newton = (!slope.is_zero()).then(|| rate - value / slope);
        let (next, tolerance) = match (newton, high) {
            (Some(n), Some(h)) if n > low && n < h => (n, NEWTON_TOLERANCE),
            (Some(n), None) if n > low => (n, NEWTON_TOLERANCE),
            (_, Some(h)) => ((low + h) / Decimal::TWO, BISECTION_TOLERANCE),
            (_, None) => ((rate + Decimal::ONE) * Decimal::TWO, BISECTION_TOLERANCE),
        };
        if next > MAX_PERIODIC_YIELD {
            return Err(YieldError::Unbounded);
        }
        let step = (next - rate).abs();
        rate = next;
        if step < tolerance {
            return Ok(rate);
        }
    }
    Ok(rate)
}

/// The nominal annual rate for a periodic yield, rounded half-up to [`APR_DECIMALS`].
pub fn annualise(periodic: Decimal, periods_per_year: Decimal) -> Decimal {
    (periodic * periods_per_year)
        .round_dp_with_strategy(APR_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
}

/// Present value minus principal at `rate`, and its derivative with respect to `rate`.
///
/// The discount factor is carried with [`FACTOR_DECIMALS`] places: products of such short
/// decimals stay within 96 bits, which keeps `Decimal` multiplication on its fast path, and the
/// relative error (about 1e-14 per period) is far below what the six-place APR can show.
fn evaluate(principal: Decimal, payments: &[Decimal], rate: Decimal) -> (Decimal, Decimal) {
    let discount = (Decimal::ONE / (Decimal::ONE + rate)).trunc_with_scale(FACTOR_DECIMALS);
    let mut factor = Decimal::ONE;
    let mut value = -principal;
    let mut weighted = Decimal::ZERO;
    for (t, payment) in payments.iter().enumerate() {
        factor = (factor * discount).trunc_with_scale(FACTOR_DECIMALS);
        let discounted = *payment * factor;
        value += discounted;
        weighted += Decimal::from(t + 1) * discounted;
    }
    // d/di of Σ p·v^t is −Σ t·p·v^(t+1) = −v·Σ t·p·v^t.
    (value, -weighted * discount)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_single_payment_of_110_for_100_yields_ten_percent() {
        let y = periodic_yield(dec!(100), &[dec!(110)], Decimal::ZERO).unwrap();
        assert_eq!(y.round_dp(12), dec!(0.1));
    }

    #[test]
    fn a_level_annuity_yields_its_own_rate() {
        let payments = [dec!(888.4878867)].repeat(12);
        let y = periodic_yield(dec!(10000), &payments, dec!(0.02)).unwrap();
        assert_eq!(annualise(y, dec!(12)), dec!(0.120000));
    }

    #[test]
    fn repaying_exactly_the_principal_yields_zero() {
        let y = periodic_yield(dec!(300), &[dec!(100), dec!(100), dec!(100)], dec!(0.01));
        assert_eq!(y, Ok(Decimal::ZERO));
    }

    #[test]
    fn repaying_less_than_the_principal_is_refused() {
        let y = periodic_yield(dec!(300), &[dec!(100), dec!(100)], dec!(0.01));
        assert_eq!(y, Err(YieldError::NegativeYield));
        assert_eq!(
            periodic_yield(dec!(1), &[], dec!(0)),
            Err(YieldError::NoCashFlows)
        );
    }

    #[test]
    fn a_huge_yield_is_found_by_bisection_from_a_poor_guess() {
        let y = periodic_yield(dec!(100), &[dec!(500)], dec!(0.0001)).unwrap();
        assert_eq!(y.round_dp(9), dec!(4));
    }
}
