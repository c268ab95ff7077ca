//! Formatting shared by response views.

use domain::money::{Currency, Money, RoundingMode};
use rust_decimal::Decimal;

/// An amount as clients see it: a string with exactly the currency's minor units
/// (`NUMERIC` columns carry more scale than the currency has).
pub fn amount(value: Decimal, currency: Currency) -> String {
    Money::new(value, currency)
        .round(RoundingMode::HalfEven)
        .amount()
        .to_string()
}
