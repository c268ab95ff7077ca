//! Interest accrual, penalty interest, late fees and payoff quotes as of a date.
//!
//! Interest accrues daily on the outstanding principal: `principal × annual_rate ×
//! year_fraction(from, to)` under the loan's day count. Accruals are returned unrounded; a quote
//! rounds each component once, half-up (or with the configured mode), when it becomes payable.
//! Penalty interest is quoted as a daily rate on overdue principal (`0.0005` = 0.05 % a day),
//! as contracts state it, counted in actual days.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::DayCountSettings;
use crate::money::{Money, MoneyError, RoundingMode};
use crate::rate::Rate;

/// Why an accrual or a quote cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PayoffError {
    #[error("the as-of date {as_of} is before {from}")]
    DateBeforeStart { as_of: NaiveDate, from: NaiveDate },
    #[error("amounts must not be negative")]
    NegativeAmount,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Interest accrued on `principal` from `from` to `to` (unrounded).
pub fn accrued_interest(
    principal: Money,
    annual_rate: Rate,
    day_count: &DayCountSettings,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Money, PayoffError> {
    if to < from {
        return Err(PayoffError::DateBeforeStart { as_of: to, from });
    }
    let factor = annual_rate.value() * day_count.year_fraction(from, to);
    Ok(principal.checked_mul_rate(factor)?)
}

/// Penalty interest on `overdue_principal` at a daily rate, from `overdue_since` to `to`
/// (actual days, unrounded).
pub fn penalty_interest(
    overdue_principal: Money,
    daily_rate: Rate,
    overdue_since: NaiveDate,
    to: NaiveDate,
) -> Result<Money, PayoffError> {
    if to < overdue_since {
        return Err(PayoffError::DateBeforeStart {
            as_of: to,
            from: overdue_since,
        });
    }
    let days = Decimal::from((to - overdue_since).num_days());
    Ok(overdue_principal.checked_mul_rate(daily_rate.value() * days)?)
}

/// How a late fee is charged on a missed instalment. Serde: `{"kind":"fixed","amount":…}` or
/// `{"kind":"percent_of_overdue","rate":"0.05","minimum":…,"maximum":…}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LateFeePolicy {
    Fixed {
        amount: Money,
    },
    PercentOfOverdue {
        rate: Rate,
        minimum: Option<Money>,
        maximum: Option<Money>,
    },
}

/// The late fee for an overdue amount, rounded with `mode` and clamped to the policy's bounds.
pub fn late_fee(
    policy: &LateFeePolicy,
    overdue: Money,
    mode: RoundingMode,
) -> Result<Money, PayoffError> {
    if overdue.is_negative() {
        return Err(PayoffError::NegativeAmount);
    }
    if overdue.is_zero() {
        return Ok(Money::zero(overdue.currency()));
    }
    match *policy {
        // Adding to a zero of the overdue's currency refuses a fee configured in another one.
        LateFeePolicy::Fixed { amount } => Ok(Money::zero(overdue.currency()).checked_add(amount)?),
        LateFeePolicy::PercentOfOverdue {
            rate,
            minimum,
            maximum,
        } => {
            let mut fee = overdue.checked_mul_rate(rate.value())?.round(mode);
            if let Some(min) = minimum {
                fee = fee.checked_max(min)?;
            }
            if let Some(max) = maximum {
                fee = fee.checked_min(max)?;
            }
            Ok(fee)
        }
    }
}

/// The state of a loan needed to quote its payoff. `interest_accrued_from` is the date up to
/// which interest has been billed; `billed_unpaid_interest` is billed but not yet paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoffInput {
    pub outstanding_principal: Money,
    pub annual_rate: Rate,
    pub day_count: DayCountSettings,
    pub interest_accrued_from: NaiveDate,
    pub billed_unpaid_interest: Money,
    pub unpaid_fees: Money,
    pub overdue_principal: Money,
    pub overdue_since: Option<NaiveDate>,
    pub penalty_daily_rate: Rate,
    /// Charged on the outstanding principal when paying off early (0 for none).
    pub prepayment_fee_rate: Rate,
    #[serde(default)]
    pub rounding: RoundingMode,
}

/// What it costs to close the loan on `as_of`, component by component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoffQuote {
    pub as_of: NaiveDate,
    pub principal: Money,
    pub interest: Money,
    pub penalty_interest: Money,
    pub fees: Money,
    pub prepayment_fee: Money,
    pub total: Money,
}

/// Quotes the payoff on `as_of`: principal, billed and newly accrued interest, penalty interest
/// on overdue principal, unpaid fees and the prepayment fee, each rounded once.
pub fn payoff_quote(input: &PayoffInput, as_of: NaiveDate) -> Result<PayoffQuote, PayoffError> {
    let amounts = [
        input.outstanding_principal,
        input.billed_unpaid_interest,
        input.unpaid_fees,
        input.overdue_principal,
    ];
    if amounts.iter().any(Money::is_negative) {
        return Err(PayoffError::NegativeAmount);
    }
    let mode = input.rounding;
    let principal = input.outstanding_principal.round(mode);
    let accrued = accrued_interest(
        principal,
        input.annual_rate,
        &input.day_count,
        input.interest_accrued_from,
        as_of,
    )?;
    let interest = input
        .billed_unpaid_interest
        .checked_add(accrued)?
        .round(mode);
    let penalty = match input.overdue_since {
        Some(since) => penalty_interest(
            input.overdue_principal,
            input.penalty_daily_rate,
            since,
            as_of,
        )?,
        None => Money::zero(principal.currency()),
    }
    .round(mode);
    let fees = input.unpaid_fees.round(mode);
    let prepayment_fee = principal
        .checked_mul_rate(input.prepayment_fee_rate.value())?
        .round(mode);
    let total = [interest, penalty, fees, prepayment_fee]
        .into_iter()
        .try_fold(principal, Money::checked_add)?;
    Ok(PayoffQuote {
        as_of,
        principal,
        interest,
        penalty_interest: penalty,
        fees,
        prepayment_fee,
        total,
    })
}

#[cfg(test)]
#[path = "payoff_tests.rs"]
mod tests;
