//! Quotes: stateless pricing of schedules, instalment plans, bill discounts and factoring.
//!
//! Any authenticated caller may ask; nothing is stored. Requests carry amounts and rates as
//! strings and conventions by name, and are parsed field by field here so that every rejection
//! is a 422 naming the field (a malformed body or an unknown field stays a 400).

pub mod bill_discount;
pub mod factoring;
pub mod installment_plan;
pub mod schedule;

use chrono::NaiveDate;
use domain::money::{Currency, Money, MoneyError, RoundingMode};
use domain::rate::Rate;
use domain::schedule::{Installment, Schedule, ScheduleError, YieldError};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::views;

pub(crate) fn currency(value: &str) -> Result<Currency, ApiError> {
    Currency::parse(value).map_err(|e| ApiError::invalid("currency", e.to_string()))
}

pub(crate) fn positive(field: &str, value: &str, currency: Currency) -> Result<Money, ApiError> {
    Money::parse_positive(value, currency).map_err(|e| ApiError::invalid(field, e.to_string()))
}

pub(crate) fn non_negative(
    field: &str,
    value: &str,
    currency: Currency,
) -> Result<Money, ApiError> {
    Money::parse_non_negative(value, currency).map_err(|e| ApiError::invalid(field, e.to_string()))
}

pub(crate) fn rate(field: &str, value: &str) -> Result<Rate, ApiError> {
    Rate::parse(value).map_err(|e| ApiError::invalid(field, e.to_string()))
}

pub(crate) fn date(field: &str, value: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .filter(|_| value.len() == 10)
        .ok_or_else(|| {
            ApiError::invalid(field, format!("{field} must be a date written YYYY-MM-DD"))
        })
}

/// Looks a convention up by its name; the error lists the accepted names.
pub(crate) fn named<T: Copy>(field: &str, value: &str, table: &[(&str, T)]) -> Result<T, ApiError> {
    table
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
            ApiError::invalid(
                field,
                format!(
                    "unknown {field} {value:?}: expected one of {}",
                    names.join(", ")
                ),
            )
        })
}

pub(crate) const ROUNDING_MODES: [(&str, RoundingMode); 3] = [
    ("half_up", RoundingMode::HalfUp),
    ("half_even", RoundingMode::HalfEven),
    ("down", RoundingMode::Down),
];

/// A money error in a quote: overflow comes from absurd but well-formed inputs; the others
/// would be bugs, since every amount was parsed in the request's one currency.
pub(crate) fn money_error(e: MoneyError) -> ApiError {
    match e {
        MoneyError::Overflow => ApiError::unprocessable(
            "amount_out_of_range",
            "the amounts are too large to compute",
            None,
        ),
        MoneyError::CurrencyMismatch { .. }
        | MoneyError::DivisionByZero
        | MoneyError::InvalidWeights
        | MoneyError::NotRounded(_)
        | MoneyError::InvalidStep => ApiError::internal(e),
    }
}

/// Maps a schedule error onto the request's fields; `field` renames a field when the schedule is
/// nested in another request (an instalment plan calls its principal `purchase_amount`).
pub(crate) fn schedule_error(e: ScheduleError, field: impl Fn(&'static str) -> String) -> ApiError {
    let invalid =
        |name: &'static str, e: &ScheduleError| ApiError::invalid(&field(name), e.to_string());
    match e {
        ScheduleError::InvalidPrincipal => invalid("principal", &e),
        ScheduleError::InvalidTerm { .. } => invalid("term", &e),
        ScheduleError::GraceTooLong { .. } => ApiError::unprocessable(
            "grace_too_long",
            e.to_string(),
            Some(&field("grace_principal_periods")),
        ),
        ScheduleError::InvalidInstallmentRounding => invalid("installment_rounding", &e),
        ScheduleError::InvalidFee => invalid("fee_per_period", &e),
        ScheduleError::DateOutOfRange => ApiError::unprocessable(
            "date_out_of_range",
            e.to_string(),
            Some(&field("start_date")),
        ),
        // Quotes never set a maturity; a draw's tenor is checked before its schedule.
        ScheduleError::MaturityBeforePreviousDueDate => invalid("term", &e),
        ScheduleError::Money(m) => money_error(m),
        ScheduleError::Yield(y) => yield_error(y),
    }
}

fn yield_error(e: YieldError) -> ApiError {
    match e {
        YieldError::NegativeYield | YieldError::NoCashFlows | YieldError::Unbounded => {
            ApiError::unprocessable("apr_not_computable", e.to_string(), None)
        }
    }
}

/// One instalment; every amount has exactly the currency's minor units.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstallmentView {
    pub number: u32,
    #[schema(value_type = String, format = Date, example = "2024-02-29")]
    pub due_date: NaiveDate,
    #[schema(example = "788.49")]
    pub principal: String,
    #[schema(example = "100.00")]
    pub interest: String,
    #[schema(example = "0.00")]
    pub fee: String,
    #[schema(example = "888.49")]
    pub total: String,
    /// Principal still owed after this instalment.
    #[schema(example = "9211.51")]
    pub balance: String,
}

/// A repayment schedule with its totals and disclosure APR.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleView {
    #[schema(example = "CNY")]
    pub currency: String,
    pub installments: Vec<InstallmentView>,
    #[schema(example = "10000.00")]
    pub total_principal: String,
    #[schema(example = "661.86")]
    pub total_interest: String,
    #[schema(example = "0.00")]
    pub total_fees: String,
    #[schema(example = "10661.86")]
    pub total_payable: String,
    /// Annual percentage rate (actuarial method) as a decimal with six places.
    #[schema(example = "0.120001")]
    pub apr: String,
}

impl From<&Schedule> for ScheduleView {
    fn from(s: &Schedule) -> Self {
        let currency = s.total_principal.currency();
        let amount = |m: Money| views::amount(m.amount(), currency);
        ScheduleView {
            currency: currency.code().to_string(),
            installments: s
                .installments
                .iter()
                .map(|i: &Installment| InstallmentView {
                    number: i.number,
                    due_date: i.due_date,
                    principal: amount(i.principal),
                    interest: amount(i.interest),
                    fee: amount(i.fee),
                    total: amount(i.total),
                    balance: amount(i.balance),
                })
                .collect(),
            total_principal: amount(s.total_principal),
            total_interest: amount(s.total_interest),
            total_fees: amount(s.total_fees),
            total_payable: amount(s.total_payable),
            apr: apr(s.apr),
        }
    }
}

/// An APR with exactly six decimals (`"0.120000"`), so that clients can compare strings.
pub(crate) fn apr(value: Decimal) -> String {
    let mut apr = value.round_dp(6);
    apr.rescale(6);
    apr.to_string()
}
