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

/// Newton stops once a step is this small; convergence is quadratic, so the error left is of
/// the order of the step squared, far below the six decimals the APR is rounded to.
const STEP_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 10);
const MAX_ITERATIONS: u32 = 200;
/// Decimal places of a disclosed APR.
pub const APR_DECIMALS: u32 = 6;

/// Why no yield could be found.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum YieldError {
    #[error("the payments repay less than the principal, so the yield would be negative")]
    NegativeYield,
    #[error("the principal must be positive and there must be at least one payment")]
    NoCashFlows,
    #[error("the yield is above any plausible rate")]
    Unbounded,
}

/// The periodic yield of receiving `payments[t]` at the end of period `t + 1` for lending
/// `principal` now. `guess` (e.g. the nominal periodic rate) only speeds convergence.
pub fn periodic_yield(
    principal: Decimal,
    payments: &[Decimal],
    guess: Decimal,
) -> Result<Decimal, YieldError> {
    if principal <= Decimal::ZERO || payments.is_empty() {
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
    let mut high = upper_bound(principal, payments)?;
    let mut rate = if guess > low && guess < high {
        guess
    } else {
        (low + high) / Decimal::TWO
    };
    for _ in 0..MAX_ITERATIONS {
        let (value, slope) = evaluate(principal, payments, rate);
        if value > Decimal::ZERO {
            low = rate;
        } else {
            high = rate;
        }
        let newton = (!slope.is_zero()).then(|| rate - value / slope);
        let next = match newton {
            Some(n) if n > low && n < high => n,
            _ => (low + high) / Decimal::TWO,
        };
        let step = (next - rate).abs();
        rate = next;
        if step < STEP_TOLERANCE || high - low < STEP_TOLERANCE {
            break;
        }
    }
    Ok(rate)
}

/// The nominal annual rate for a periodic yield, rounded half-up to [`APR_DECIMALS`].
pub fn annualise(periodic: Decimal, periods_per_year: Decimal) -> Decimal {
    (periodic * periods_per_year)
        .round_dp_with_strategy(APR_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
}

/// Doubles a candidate rate until the present value drops below the principal.
fn upper_bound(principal: Decimal, payments: &[Decimal]) -> Result<Decimal, YieldError> {
    let mut high = Decimal::ONE;
    for _ in 0..40 {
        if evaluate(principal, payments, high).0 < Decimal::ZERO {
            return Ok(high);
        }
        high *= Decimal::TWO;
    }
    Err(YieldError::Unbounded)
}

/// Present value minus principal at `rate`, and its derivative with respect to `rate`.
fn evaluate(principal: Decimal, payments: &[Decimal], rate: Decimal) -> (Decimal, Decimal) {
    let discount = Decimal::ONE / (Decimal::ONE + rate);
    let mut factor = Decimal::ONE;
    let mut value = -principal;
    let mut slope = Decimal::ZERO;
    for (t, payment) in payments.iter().enumerate() {
        // d/di of p·v^t is −t·p·v^(t+1); `factor` is v^t before this line, v^(t+1) after it.
        factor *= discount;
        let discounted = *payment * factor;
        value += discounted;
        slope -= Decimal::from(t + 1) * discounted * discount;
    }
    (value, slope)
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
