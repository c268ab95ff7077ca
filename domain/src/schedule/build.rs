//! Drawing up a schedule row by row from validated, precomputed terms.
//!
//! Everything that does not change between rows (periodic rate, level instalment, fee) is
//! computed once in [`Terms::new`], and rows are written into one pre-sized vector: quoting is a
//! hot path for the public quote endpoints.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{
    irr, AmortizationMethod, Installment, InterestMethod, Schedule, ScheduleError, ScheduleInput,
    MAX_INSTALLMENTS, MAX_WHOLE_TERM_DAYS,
};
use crate::calendar::Frequency;
use crate::money::{Money, MoneyError, MAX_AMOUNT};

/// Draws up the schedule described by `input` (see the module docs for the conventions).
pub fn build_schedule(input: &ScheduleInput) -> Result<Schedule, ScheduleError> {
    build(input, None)
}

/// [`build_schedule`] with the last instalment falling due on `maturity` instead of its
/// regular date: a loan whose tenor is counted in days keeps its promised maturity even when
/// calendar months are longer, so the last period is a little shorter (or longer) than a
/// month and its interest is counted on its real days. `maturity` must fall after the
/// previous instalment's due date.
pub fn build_schedule_to_maturity(
    input: &ScheduleInput,
    maturity: NaiveDate,
) -> Result<Schedule, ScheduleError> {
    build(input, Some(maturity))
}

fn build(input: &ScheduleInput, maturity: Option<NaiveDate>) -> Result<Schedule, ScheduleError> {
    let mut terms = Terms::new(input)?;
    terms.maturity = maturity;
    let mut rows = Vec::with_capacity(terms.installments as usize);
    let mut state = State {
        balance: terms.principal,
        deferred_interest: Decimal::ZERO,
        previous_due: input.start_date,
    };
    for number in 1..=terms.installments {
        rows.push(terms.row(number, &mut state)?);
    }
    terms.finish(rows)
}

struct State {
    balance: Decimal,
    deferred_interest: Decimal,
    previous_due: NaiveDate,
}

struct Terms<'a> {
    input: &'a ScheduleInput,
    installments: u32,
    principal: Decimal,
    periodic_rate: Decimal,
    periods_per_year: Decimal,
    uses_year_fraction: bool,
    /// Annuity: the level instalment; equal principal and flat: the level principal part.
    level: Decimal,
    fee: Decimal,
    /// When set, the due date of the last instalment.
    maturity: Option<NaiveDate>,
}

impl<'a> Terms<'a> {
    fn new(input: &'a ScheduleInput) -> Result<Self, ScheduleError> {
        validate(input)?;
        let installments = input.frequency.installments(input.term);
        let periods_per_year = input
            .frequency
            .periods_per_year(&input.day_count, input.term);
        let mut terms = Terms {
            input,
            installments,
            principal: input.principal.round(input.rounding).amount(),
            // Division pads its quotient to 28 decimals (0.12 / 12 = 0.0100…0); trimming the
            // zeros keeps every product with a balance small enough for fast arithmetic.
            periodic_rate: (input.annual_rate.value() / periods_per_year).normalize(),
            periods_per_year,
            uses_year_fraction: input.interest == InterestMethod::Daily
                || input.frequency == Frequency::WholeTerm,
            level: Decimal::ZERO,
            fee: input
                .fee_per_period
                .unwrap_or(Money::zero(input.principal.currency()))
                .round(input.rounding)
                .amount(),
            maturity: None,
        };
        terms.level = terms.level_amount()?;
        Ok(terms)
    }

    fn level_amount(&self) -> Result<Decimal, ScheduleError> {
        let amortising = Decimal::from(self.installments - self.input.grace_principal_periods);
        let per_period_interest = self.round(self.principal * self.periodic_rate);
        let unrounded = match self.input.method {
            AmortizationMethod::Annuity => {
                annuity_payment(self.principal, self.periodic_rate, amortising)
            }
            AmortizationMethod::EqualPrincipal => self.principal / amortising,
            AmortizationMethod::Flat => self.principal / amortising + per_period_interest,
            AmortizationMethod::Bullet => return Ok(Decimal::ZERO),
        };
        let mut level = match self.input.installment_rounding {
            Some(step) => self
                .money(unrounded)
                .round_to_multiple(step, self.input.rounding)?
                .amount(),
            None => self.round(unrounded),
        };
        if self.input.method == AmortizationMethod::Flat {
            level -= per_period_interest;
        }
        Ok(level)
    }

    fn row(&self, number: u32, state: &mut State) -> Result<Installment, ScheduleError> {
        let input = self.input;
        let due_date = match self.maturity {
            Some(maturity) if number == self.installments => {
                if maturity <= state.previous_due {
                    return Err(ScheduleError::MaturityBeforePreviousDueDate);
                }
                maturity
            }
            _ => input
                .frequency
                .due_date(input.start_date, number, input.term)
                .ok_or(ScheduleError::DateOutOfRange)?,
        };
        let interest_base = match input.method {
            AmortizationMethod::Flat => self.principal,
            _ => state.balance,
        };
        let accrued = if self.uses_year_fraction {
            let year_fraction = input.day_count.year_fraction(state.previous_due, due_date);
            interest_base * input.annual_rate.value() * year_fraction
        } else {
            interest_base * self.periodic_rate
        };
        let regular_interest = self.round(accrued);
        let principal = if number == self.installments {
            state.balance
        } else if number <= input.grace_principal_periods {
            Decimal::ZERO
        } else {
            let wanted = match input.method {
                AmortizationMethod::Annuity => self.level - regular_interest,
                AmortizationMethod::EqualPrincipal | AmortizationMethod::Flat => self.level,
                AmortizationMethod::Bullet => Decimal::ZERO,
            };
            wanted.clamp(Decimal::ZERO, state.balance)
        };
        let interest = if number <= input.grace_interest_periods {
            state.deferred_interest += regular_interest;
            Decimal::ZERO
        } else {
            regular_interest + std::mem::take(&mut state.deferred_interest)
        };
        state.balance -= principal;
        state.previous_due = due_date;
        let total = principal
            .checked_add(interest)
            .and_then(|t| t.checked_add(self.fee))
            .ok_or(MoneyError::Overflow)?;
        Ok(Installment {
            number,
            due_date,
            principal: self.money(principal),
            interest: self.money(interest),
            fee: self.money(self.fee),
            total: self.money(total),
            balance: self.money(state.balance),
        })
    }

    fn finish(&self, installments: Vec<Installment>) -> Result<Schedule, ScheduleError> {
        let dp = self.input.principal.currency().minor_units();
        let mut totals = [Total::default(); 3];
        for row in &installments {
            totals[0].add(row.interest.amount(), dp);
            totals[1].add(row.fee.amount(), dp);
            totals[2].add(row.total.amount(), dp);
        }
        let payments = installments.iter().map(|r| r.total.amount());
        let periodic = irr::periodic_yield_of(self.principal, payments, self.periodic_rate)?;
        let apr = irr::annualise(periodic, self.periods_per_year);
        Ok(Schedule {
            total_principal: self.money(self.principal),
            total_interest: self.money(totals[0].value(dp)?),
            total_fees: self.money(totals[1].value(dp)?),
            total_payable: self.money(totals[2].value(dp)?),
            installments,
            apr,
        })
    }

    fn round(&self, value: Decimal) -> Decimal {
        let dp = self.input.principal.currency().minor_units();
        let mut rounded = self.input.rounding.round_dp(value, dp);
        rounded.rescale(dp);
        rounded
    }

    /// Wraps an amount that is already in whole minor units; every amount of a row is built
    /// from rounded parts, so rounding again would only cost time.
    fn money(&self, amount: Decimal) -> Money {
        Money::new(amount, self.input.principal.currency())
    }
}

/// A column total. Row amounts are rounded, so they nearly always carry exactly the currency's
/// decimals and are summed as integers of minor units, far cheaper than `Decimal` additions;
/// any other amount is added as a `Decimal`.
#[derive(Debug, Clone, Copy, Default)]
struct Total {
    minor: i128,
    other: Decimal,
}

impl Total {
    fn add(&mut self, value: Decimal, dp: u32) {
        if value.scale() == dp {
            self.minor += value.mantissa();
        } else {
            self.other += value;
        }
    }

    fn value(self, dp: u32) -> Result<Decimal, MoneyError> {
        let minor =
            Decimal::try_from_i128_with_scale(self.minor, dp).map_err(|_| MoneyError::Overflow)?;
        if self.other.is_zero() {
            return Ok(minor);
        }
        minor.checked_add(self.other).ok_or(MoneyError::Overflow)
    }
}

/// `PMT(r, n, −P)`: `P·r·f / (f − 1)` with `f = (1 + r)^n`, or `P / n` without interest. When
/// `f` overflows the instalment is interest-only in the limit, `P·r`.
fn annuity_payment(principal: Decimal, rate: Decimal, periods: Decimal) -> Decimal {
    if rate.is_zero() {
        return principal / periods;
    }
    let exponent = u64::try_from(periods.mantissa()).unwrap_or(u64::MAX);
    match checked_pow(Decimal::ONE + rate, exponent) {
        Some(f) if f > Decimal::ONE => principal * rate * f / (f - Decimal::ONE),
        _ => principal * rate,
    }
}

/// Exponentiation by squaring: about 2·log2(n) multiplications, no floats.
fn checked_pow(base: Decimal, mut exponent: u64) -> Option<Decimal> {
    let mut result = Decimal::ONE;
    let mut square = base;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result.checked_mul(square)?;
        }
        exponent >>= 1;
        if exponent > 0 {
            square = square.checked_mul(square)?;
        }
    }
    Some(result)
}

fn validate(input: &ScheduleInput) -> Result<(), ScheduleError> {
    let principal = input.principal;
    if !principal.is_positive() || !principal.is_rounded() || principal.amount() > MAX_AMOUNT {
        return Err(ScheduleError::InvalidPrincipal);
    }
    let max = match input.frequency {
        Frequency::WholeTerm => MAX_WHOLE_TERM_DAYS,
        _ => MAX_INSTALLMENTS,
    };
    if input.term == 0 || input.term > max {
        return Err(ScheduleError::InvalidTerm { max });
    }
    let installments = input.frequency.installments(input.term);
    for grace in [input.grace_principal_periods, input.grace_interest_periods] {
        if grace >= installments {
            return Err(ScheduleError::GraceTooLong {
                grace,
                installments,
            });
        }
    }
    if input
        .installment_rounding
        .is_some_and(|s| s <= Decimal::ZERO)
    {
        return Err(ScheduleError::InvalidInstallmentRounding);
    }
    if let Some(fee) = input.fee_per_period {
        if fee.currency() != principal.currency()
            || fee.is_negative()
            || !fee.is_rounded()
            || fee.amount() > MAX_AMOUNT
        {
            return Err(ScheduleError::InvalidFee);
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn pmt_of_ten_thousand_at_one_percent_for_twelve_months_is_888_49() {
        let pmt = annuity_payment(dec!(10000), dec!(0.01), dec!(12));
        assert_eq!(pmt.round_dp(2), dec!(888.49));
    }

    #[test]
    fn pmt_without_interest_divides_evenly() {
        assert_eq!(annuity_payment(dec!(1200), dec!(0), dec!(12)), dec!(100));
    }

    #[test]
    fn pmt_falls_back_to_interest_only_when_the_growth_factor_overflows() {
        assert_eq!(annuity_payment(dec!(100), dec!(2.5), dec!(2000)), dec!(250));
    }

    #[test]
    fn exponentiation_by_squaring_is_exact_for_small_powers() {
        assert_eq!(checked_pow(dec!(1.1), 3), Some(dec!(1.331)));
        assert_eq!(checked_pow(dec!(7), 0), Some(Decimal::ONE));
        assert_eq!(checked_pow(dec!(1000000), 10), None);
    }
}
