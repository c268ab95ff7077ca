//! The yield (internal rate of return) of a loan's cash flows, in exact integer arithmetic.
//!
//! Solves `Σ payment_t / (1 + i)^t = principal` for the periodic rate `i ≥ 0` by Newton's method,
//! safeguarded by a bracket that shrinks with every evaluation: a Newton step that leaves the
//! bracket is replaced by bisection, so the solver always converges. The present value falls as
//! `i` rises, which makes the bracket easy to maintain. Lendline schedules never repay less than
//! they lend, so a negative yield is reported as an error rather than searched for.
//!
//! Why integers and not `Decimal`: the solver runs on every quote, and a `Decimal` evaluation of
//! twelve discounted payments cost as much as drawing up the schedule itself. The yield does not
//! change when every cash flow is multiplied by the same number, so the amounts are scaled to
//! integers of at most [`FLOW_BITS`] bits and the rate and discount factors are binary fixed
//! point with [`FRAC_BITS`] fractional bits: `i128` products that cannot overflow, and a
//! relative error near 1e-16, far below the six decimals the APR is rounded to.

use std::cmp::Ordering;

use rust_decimal::Decimal;
use rust_decimal::RoundingStrategy;
use thiserror::Error;

/// Fractional bits of the rate and the discount factors (2^-60 ≈ 8.7e-19).
const FRAC_BITS: u32 = 60;
const ONE: i128 = 1 << FRAC_BITS;
/// Bits available to the largest cash flow plus the bits of the number of payments: the
/// bounds in [`evaluate`] rest on it.
const FLOW_BITS: u32 = 60;
/// Newton stops once a step is this small (1e-7 · 2^60): convergence is quadratic, so the error
/// left is of the order of the step squared times half the cash flows' duration (below 1e-11
/// even for 2000 periods), far below the six decimals the APR is rounded to.
const NEWTON_TOLERANCE: i128 = 115_292_150_461;
/// Bisection only halves the error, so it runs until the bracket itself is this narrow (1e-13).
const BISECTION_TOLERANCE: i128 = 115_292;
const MAX_ITERATIONS: u32 = 200;
/// A periodic yield above a million (10^8 %) means the inputs are not a loan.
const MAX_PERIODIC_YIELD: i128 = 1_000_000 << FRAC_BITS;
/// Decimal places of the periodic yield handed back as a `Decimal`.
const YIELD_DECIMALS: u32 = 18;
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
    periodic_yield_of(principal, payments.iter().copied(), guess)
}

/// [`periodic_yield`] over any re-iterable sequence of payments, so that a schedule does not
/// have to copy its instalments into a vector first.
pub(super) fn periodic_yield_of<I>(
    principal: Decimal,
    payments: I,
    guess: Decimal,
) -> Result<Decimal, YieldError>
where
    I: ExactSizeIterator<Item = Decimal> + Clone,
{
    if principal <= Decimal::ZERO
        || payments.len() == 0
        || payments
            .clone()
            .any(|p| p.is_sign_negative() && !p.is_zero())
    {
        return Err(YieldError::NoCashFlows);
    }
    let flows = Flows::exact(principal, payments.clone()).map_or_else(
        || Flows::approximate(principal, payments),
        Ok::<_, YieldError>,
    )?;
    match flows.surplus {
        Ordering::Equal => return Ok(Decimal::ZERO),
        Ordering::Less => return Err(YieldError::NegativeYield),
        Ordering::Greater => {}
    }
    let rate = solve(&flows, to_fixed(guess))?;
    Ok(to_decimal(rate))
}

/// The nominal annual rate for a periodic yield, rounded half-up to [`APR_DECIMALS`].
pub fn annualise(periodic: Decimal, periods_per_year: Decimal) -> Decimal {
    (periodic * periods_per_year)
        .round_dp_with_strategy(APR_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
}

/// The cash flows as integers sharing one scale factor, below `2^(FLOW_BITS − bits(n))`.
struct Flows {
    principal: i128,
    payments: Vec<i128>,
    /// Whether the payments add up to more than, exactly or less than the principal.
    surplus: Ordering,
}

impl Flows {
    /// Exact conversion: every amount at the largest scale among them, then one binary shift.
    /// `None` when an amount at that scale does not fit in 128 bits.
    fn exact<I>(principal: Decimal, payments: I) -> Option<Flows>
    where
        I: ExactSizeIterator<Item = Decimal> + Clone,
    {
        let scale = payments
            .clone()
            .fold(principal.scale(), |s, p| s.max(p.scale()));
        let at_scale = |d: &Decimal| -> Option<i128> {
            let mantissa = d.mantissa().abs();
            match scale - d.scale() {
                0 => Some(mantissa),
                up => mantissa.checked_mul(10i128.checked_pow(up)?),
            }
        };
        let principal = at_scale(&principal)?;
        let mut total = 0i128;
        let mut largest = principal;
        let mut flows = Vec::with_capacity(payments.len());
        for p in payments {
            let p = at_scale(&p)?;
            total = total.checked_add(p)?;
            largest = largest.max(p);
            flows.push(p);
        }
        let mut payments = flows;
        let surplus = total.cmp(&principal);
        let shift = i64::from(flow_bits(payments.len())) - i64::from(bit_length(largest));
        let rescale = |v: i128| match u32::try_from(shift) {
            Ok(left) => v << left,
            Err(_) => v >> shift.unsigned_abs(),
        };
        payments.iter_mut().for_each(|p| *p = rescale(*p));
        Some(Flows {
            principal: rescale(principal),
            payments,
            surplus,
        })
    }

    /// Fallback for amounts whose common scale overflows: each amount as a truncated fraction
    /// of the largest one. Only reachable with decimals far beyond any currency's minor units.
    fn approximate<I>(principal: Decimal, payments: I) -> Result<Flows, YieldError>
    where
        I: ExactSizeIterator<Item = Decimal> + Clone,
    {
        let mut total = Decimal::ZERO;
        let mut largest = principal;
        for p in payments.clone() {
            total = total.checked_add(p).ok_or(YieldError::Unbounded)?;
            largest = largest.max(p);
        }
        let unit = Decimal::from(1u64 << flow_bits(payments.len()));
        let convert = |d: &Decimal| -> Result<i128, YieldError> {
            let fraction = d.checked_div(largest).ok_or(YieldError::Unbounded)?;
            Ok(fraction
                .checked_mul(unit)
                .ok_or(YieldError::Unbounded)?
                .trunc()
                .mantissa())
        };
        Ok(Flows {
            principal: convert(&principal)?,
            payments: payments.map(|p| convert(&p)).collect::<Result<_, _>>()?,
            surplus: total.cmp(&principal),
        })
    }
}

/// Bits left for the largest amount so that sums over `n` payments stay within [`FLOW_BITS`].
fn flow_bits(n: usize) -> u32 {
    FLOW_BITS.saturating_sub(bit_length(n as i128)).max(1)
}

fn bit_length(v: i128) -> u32 {
    128 - v.unsigned_abs().leading_zeros()
}

/// Newton's method with a bisection safeguard, on fixed-point rates.
fn solve(flows: &Flows, guess: i128) -> Result<i128, YieldError> {
    let mut low = 0i128;
    let mut high: Option<i128> = None;
    let mut rate = guess.clamp(0, MAX_PERIODIC_YIELD);
    for _ in 0..MAX_ITERATIONS {
        let (value, slope) = evaluate(flows, rate);
        if value > 0 {
            low = rate;
        } else {
            high = Some(rate);
        }
        // |value| < 2^60 (see `evaluate`), so shifting it by FRAC_BITS cannot overflow.
        let newton = (slope > 0).then(|| rate + (value << FRAC_BITS) / slope);
        let (next, tolerance) = match (newton, high) {
            (Some(n), Some(h)) if n > low && n < h => (n, NEWTON_TOLERANCE),
            (Some(n), None) if n > low => (n, NEWTON_TOLERANCE),
            (_, Some(h)) => (low + (h - low) / 2, BISECTION_TOLERANCE),
            (_, None) => ((rate + ONE) * 2, BISECTION_TOLERANCE),
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

/// Present value minus principal at `rate`, and minus its derivative with respect to `rate`
/// (both in the flows' units; the derivative is per unit of rate).
///
/// Bounds, with `b = bits(n)` and every flow below `2^(60 − b)`: a discount factor is at most
/// 2^60, so each product below is under 2^120; the value is under `(n + 1)·2^(60 − b) ≤ 2^60`
/// in magnitude; the slope is under `n²·2^(60 − b) ≤ 2^(60 + b)`.
fn evaluate(flows: &Flows, rate: i128) -> (i128, i128) {
    let discount = (1i128 << (2 * FRAC_BITS)) / (ONE + rate);
    let mut factor = discount;
    let mut value = -flows.principal;
    let mut slope = 0i128;
    for (t, payment) in (1i128..).zip(&flows.payments) {
        let next = (factor * discount) >> FRAC_BITS;
        value += (payment * factor) >> FRAC_BITS;
        // d/di of p·v^t is −t·p·v^(t+1).
        slope += t * ((payment * next) >> FRAC_BITS);
        factor = next;
    }
    (value, slope)
}

/// A non-negative decimal rate as fixed point (clamped to the solver's range).
fn to_fixed(rate: Decimal) -> i128 {
    let scaled = rate
        .min(Decimal::from(1_000_000))
        .max(Decimal::ZERO)
        .checked_mul(Decimal::from(1u64 << FRAC_BITS));
    scaled.map_or(0, |s| s.trunc().mantissa())
}

/// A fixed-point rate as a decimal with [`YIELD_DECIMALS`] places (truncated).
fn to_decimal(rate: i128) -> Decimal {
    let whole = rate >> FRAC_BITS;
    let fraction = rate & (ONE - 1);
    let pow = 10i128.pow(YIELD_DECIMALS);
    Decimal::from_i128_with_scale(
        whole * pow + ((fraction * pow) >> FRAC_BITS),
        YIELD_DECIMALS,
    )
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

    #[test]
    fn tiny_and_huge_amounts_give_the_same_yield_as_their_scaled_copies() {
        let small = periodic_yield(dec!(0.10), &[dec!(0.06), dec!(0.06)], dec!(0)).unwrap();
        let large = periodic_yield(
            dec!(100000000000000),
            &[dec!(60000000000000), dec!(60000000000000)],
            dec!(0),
        )
        .unwrap();
        assert_eq!(small.round_dp(15), large.round_dp(15));
        // 0.10 = 0.06·v + 0.06·v²  ⇒  v = (−1 + √(1 + 4·(10/6)))/2, i = 1/v − 1 ≈ 0.130662.
        assert_eq!(annualise(small, Decimal::ONE), dec!(0.130662));
    }

    #[test]
    fn amounts_whose_common_scale_overflows_fall_back_to_fractions_of_the_largest() {
        let tiny = dec!(0.0000000000000000000000000001);
        let y = periodic_yield(
            dec!(100000000000000),
            &[dec!(110000000000000), tiny],
            dec!(0),
        );
        assert_eq!(y.unwrap().round_dp(9), dec!(0.1));
    }

    #[test]
    fn a_long_schedule_at_the_highest_rate_stays_within_range() {
        let payments = [dec!(1000000000000000)].repeat(2000);
        let y = periodic_yield(dec!(1000000000000000), &payments, dec!(0.2)).unwrap();
        // Paying the whole principal back every period is a yield of about 100 % a period.
        assert_eq!(y.round_dp(6), dec!(1));
    }
}
