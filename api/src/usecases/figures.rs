//! How money and scores are written wherever we write them, in views and in the records
//! (audit events, stored decisions) the use cases keep: the one place that decides it.

use domain::money::{Currency, Money, RoundingMode};
use rust_decimal::Decimal;

/// Decimals a score is shown with: enough to tell bins apart, none of the float noise that
/// summing points leaves (`584.9000000000001`).
const SCORE_DECIMALS: i32 = 2;

/// An amount as clients see it: a string with exactly the currency's minor units
/// (`NUMERIC` columns carry more scale than the currency has).
pub fn amount(value: Decimal, currency: Currency) -> String {
    Money::new(value, currency)
        .round(RoundingMode::HalfEven)
        .amount()
        .to_string()
}

/// A stored amount whose currency is a column (`"CNY"`): the currency's minor units at least
/// (`"40000"` → `"40000.00"`, `"8881.1"` → `"8881.10"`), and never fewer decimals than it
/// has, so that a ledger balance or an unrounded accrual is shown exactly, not rounded away.
pub fn stored_amount(value: Decimal, currency: &str) -> String {
    // Currency columns are checked on the way in; an unknown code (never expected) still
    // renders, with cents, rather than failing a read.
    let minor = Currency::parse(currency).map_or(2, Currency::minor_units);
    let mut shown = value.normalize();
    if shown.scale() < minor {
        shown.rescale(minor);
    }
    shown.to_string()
}

/// A score rounded to [`SCORE_DECIMALS`].
pub fn score(value: f64) -> f64 {
    let scale = 10_f64.powi(SCORE_DECIMALS);
    (value * scale).round() / scale
}

/// A stored currency code; one that does not parse is corruption, not a client error.
pub fn stored_currency(code: &str) -> Result<Currency, crate::usecases::UseCaseError> {
    Currency::parse(code).map_err(|e| crate::usecases::UseCaseError::corrupt("stored currency", e))
}
