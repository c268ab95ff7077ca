//! Repayment schedules for amortising, flat and bullet loans, with their disclosure APR.
//!
//! Conventions (they match spreadsheet `PMT`/`IPMT` to the cent):
//! - The periodic rate is `annual_rate / periods_per_year` (12 monthly, 4 quarterly, 52 weekly,
//!   26 biweekly, the day-count year for daily). With `interest: daily`, a period's interest is
//!   instead `balance × annual_rate × year_fraction(previous due date, due date)`; a
//!   `whole_term` loan always uses the year fraction.
//! - Annuity: the level instalment is `PMT(r, n − grace_principal, −P)` rounded to cents (or to
//!   `installment_rounding`, a multiple such as whole units); each period's interest is
//!   `round(balance × r)` and its principal `instalment − interest`.
//! - Equal principal: principal `round(P ÷ amortising periods)` each period, interest on the
//!   balance. Flat: interest every period on the *original* principal; principal as equal
//!   principal (with `installment_rounding`, the principal makes the level total a multiple).
//! - Bullet: interest only, the whole principal in the last instalment.
//! - The last instalment absorbs every rounding remainder, so principal parts sum exactly to the
//!   principal and the balance ends at exactly zero; a principal part is never negative nor above
//!   the balance.
//! - Grace on principal: the first `grace_principal_periods` pay interest only. Grace on interest:
//!   the first `grace_interest_periods` pay no interest; it still accrues on the balance and is
//!   collected, uncompounded, with the first instalment after the grace (interest *payment*
//!   grace, not a waiver).
//! - The APR is the schedule's internal rate of return per period times the periods per year
//!   (the actuarial method of US Regulation Z), computed in `Decimal` and rounded half-up to six
//!   places.

mod build;
mod irr;

pub use build::{build_schedule, build_schedule_to_maturity};
pub use irr::{periodic_yield, YieldError};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{DayCount, DayCountSettings, Frequency};
use crate::money::{Money, MoneyError, RoundingMode};
use crate::rate::Rate;

/// The most instalments a schedule may have (e.g. 30 years of weekly payments fit).
pub const MAX_INSTALLMENTS: u32 = 2_000;
/// The longest `whole_term` loan, in days.
pub const MAX_WHOLE_TERM_DAYS: u32 = 3_660;

/// How principal is repaid. Serde: `annuity`, `equal_principal`, `flat`, `bullet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmortizationMethod {
    Annuity,
    EqualPrincipal,
    Flat,
    Bullet,
}

/// How a period's interest is computed. Serde: `per_period`, `daily`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterestMethod {
    #[default]
    PerPeriod,
    Daily,
}

/// Everything needed to draw up a schedule. `day_count` accepts a name (`"ACT/365"`) or the
/// settings object; `term` counts periods, or days for `whole_term`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleInput {
    pub principal: Money,
    pub annual_rate: Rate,
    pub start_date: NaiveDate,
    pub term: u32,
    pub frequency: Frequency,
    pub method: AmortizationMethod,
    #[serde(default)]
    pub interest: InterestMethod,
    #[serde(default = "default_day_count", deserialize_with = "day_count_wire")]
    pub day_count: DayCountSettings,
    #[serde(default)]
    pub grace_principal_periods: u32,
    #[serde(default)]
    pub grace_interest_periods: u32,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub installment_rounding: Option<Decimal>,
    #[serde(default)]
    pub fee_per_period: Option<Money>,
    #[serde(default)]
    pub rounding: RoundingMode,
}

fn default_day_count() -> DayCountSettings {
    DayCount::Act365Fixed.settings()
}

fn day_count_wire<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DayCountSettings, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Named(DayCount),
        Settings(DayCountSettings),
    }
    Ok(match Wire::deserialize(d)? {
        Wire::Named(n) => n.settings(),
        Wire::Settings(s) => s,
    })
}

/// One row of a schedule; `balance` is the principal still owed after this instalment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installment {
    pub number: u32,
    pub due_date: NaiveDate,
    pub principal: Money,
    pub interest: Money,
    pub fee: Money,
    pub total: Money,
    pub balance: Money,
}

/// A complete schedule with its totals and disclosure APR (a decimal: `0.126825` = 12.6825 %).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub installments: Vec<Installment>,
    pub total_principal: Money,
    pub total_interest: Money,
    pub total_fees: Money,
    pub total_payable: Money,
    pub apr: Decimal,
}

/// Why a schedule cannot be drawn up.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScheduleError {
    #[error("principal must be a positive amount in whole minor units")]
    InvalidPrincipal,
    #[error("term must be between 1 and {max}")]
    InvalidTerm { max: u32 },
    #[error("grace of {grace} periods must be shorter than the {installments} installments")]
    GraceTooLong { grace: u32, installments: u32 },
    #[error("installment rounding must be a positive multiple")]
    InvalidInstallmentRounding,
    #[error("fee per period must be a non-negative amount in the principal's currency")]
    InvalidFee,
    #[error("a due date falls outside the supported calendar")]
    DateOutOfRange,
    #[error("the maturity must fall after the previous installment's due date")]
    MaturityBeforePreviousDueDate,
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Yield(#[from] YieldError),
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_properties;
