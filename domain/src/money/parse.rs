//! Strict parsing of amounts typed by people or sent by clients.
//!
//! Only plain decimal notation is accepted (`"1234.50"`): exponents, `NaN`, signs other than a
//! leading minus, separators and surrounding spaces are refused, and so are more decimals than
//! the currency has minor units. Refusing instead of rounding means a client can never have an
//! amount silently changed on the way in.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use thiserror::Error;

use super::{Currency, Money};

/// Largest amount accepted from outside (10^15): far above any loan, far below overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// Why a string is not an acceptable amount.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseAmountError {
    #[error("amount is empty")]
    Empty,
    #[error("amount {0:?} uses exponent notation; write the digits out")]
    Exponent(String),
    #[error("amount {0:?} is not a plain decimal number")]
    NotANumber(String),
    #[error("amount has {found} decimals but {currency} allows at most {allowed}")]
    TooManyDecimals {
        currency: Currency,
        allowed: u32,
        found: u32,
    },
    #[error("amount must not be negative")]
    Negative,
    #[error("amount must be greater than zero")]
    NotPositive,
    #[error("amount exceeds the maximum of {MAX_AMOUNT}")]
    TooLarge,
}

impl Money {
    /// Parses an amount that must be strictly positive (a loan principal, a payment).
    pub fn parse_positive(s: &str, currency: Currency) -> Result<Money, ParseAmountError> {
        let money = Money::parse_non_negative(s, currency)?;
        if money.is_zero() {
            return Err(ParseAmountError::NotPositive);
        }
        Ok(money)
    }

    /// Parses an amount that may be zero but not negative (a fee, a subsidy).
    pub fn parse_non_negative(s: &str, currency: Currency) -> Result<Money, ParseAmountError> {
        let amount = parse_plain_decimal(s, currency)?;
        if amount.is_sign_negative() && !amount.is_zero() || s.starts_with('-') {
            return Err(ParseAmountError::Negative);
        }
        let mut amount = amount;
        amount.rescale(currency.minor_units());
        Ok(Money::new(amount, currency))
    }
}

/// Checks the shape character by character before handing the string to `Decimal`, so that the
/// error names the actual problem instead of a generic parse failure.
fn parse_plain_decimal(s: &str, currency: Currency) -> Result<Decimal, ParseAmountError> {
    if s.is_empty() {
        return Err(ParseAmountError::Empty);
    }
    if s.contains(['e', 'E']) && s.chars().any(|c| c.is_ascii_digit()) {
        return Err(ParseAmountError::Exponent(s.to_owned()));
    }
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int_part) || frac_part.is_some_and(|f| !all_digits(f)) {
        return Err(ParseAmountError::NotANumber(s.to_owned()));
    }
    let found = frac_part.map_or(0, |f| f.len() as u32);
    let allowed = currency.minor_units();
    if found > allowed {
        return Err(ParseAmountError::TooManyDecimals {
            currency,
            allowed,
            found,
        });
    }
    // 16 significant integer digits already exceed the maximum; checking the length first also
    // keeps absurd strings away from the decimal parser's own overflow handling.
    if int_part.trim_start_matches('0').len() > 16 {
        return Err(ParseAmountError::TooLarge);
    }
    let value = Decimal::from_str(s).map_err(|_| ParseAmountError::NotANumber(s.to_owned()))?;
    if value.abs() > MAX_AMOUNT {
        return Err(ParseAmountError::TooLarge);
    }
    Ok(value)
}

/// The JSON shape of [`Money`], parsed strictly on the way in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MoneyWire {
    amount: String,
    currency: Currency,
}

impl TryFrom<MoneyWire> for Money {
    type Error = ParseAmountError;
    fn try_from(wire: MoneyWire) -> Result<Self, Self::Error> {
        Money::parse_non_negative(&wire.amount, wire.currency)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn parse(s: &str) -> Result<Money, ParseAmountError> {
        Money::parse_positive(s, Currency::Usd)
    }

    #[test]
    fn max_amount_is_ten_to_the_fifteenth() {
        assert_eq!(MAX_AMOUNT, dec!(1_000_000_000_000_000));
    }

    #[test]
    fn a_plain_amount_with_cents_is_accepted_and_padded() {
        assert_eq!(parse("1234.50").unwrap().amount(), dec!(1234.50));
        assert_eq!(parse("7").unwrap().amount().to_string(), "7.00");
        assert_eq!(parse("1000000000000000").unwrap().amount(), MAX_AMOUNT);
    }

    #[test]
    fn an_empty_string_is_refused_as_empty() {
        assert_eq!(parse(""), Err(ParseAmountError::Empty));
    }

    #[test]
    fn exponent_notation_is_refused_as_an_exponent() {
        assert_eq!(parse("1e5"), Err(ParseAmountError::Exponent("1e5".into())));
        assert!(matches!(parse("1.5E3"), Err(ParseAmountError::Exponent(_))));
    }

    #[test]
    fn nan_infinity_spaces_and_separators_are_not_numbers() {
        for s in [
            "NaN", "inf", " 1.00", "1,000.00", "+1", ".5", "5.", "1.2.3", "--1", "0x10",
        ] {
            assert!(
                matches!(parse(s), Err(ParseAmountError::NotANumber(_))),
                "{s}"
            );
        }
    }

    #[test]
    fn more_decimals_than_the_currency_allows_are_refused() {
        assert_eq!(
            parse("1.234"),
            Err(ParseAmountError::TooManyDecimals {
                currency: Currency::Usd,
                allowed: 2,
                found: 3
            })
        );
        assert!(Money::parse_positive("100.5", Currency::Jpy).is_err());
        assert!(Money::parse_positive("100", Currency::Jpy).is_ok());
    }

    #[test]
    fn negative_amounts_are_refused_by_both_parsers() {
        assert_eq!(parse("-1.00"), Err(ParseAmountError::Negative));
        assert_eq!(
            Money::parse_non_negative("-0.01", Currency::Usd),
            Err(ParseAmountError::Negative)
        );
        assert_eq!(
            Money::parse_non_negative("-0", Currency::Usd),
            Err(ParseAmountError::Negative)
        );
    }

    #[test]
    fn zero_is_non_negative_but_not_positive() {
        assert!(Money::parse_non_negative("0.00", Currency::Usd)
            .unwrap()
            .is_zero());
        assert_eq!(parse("0"), Err(ParseAmountError::NotPositive));
    }

    #[test]
    fn absurd_magnitudes_are_refused_as_too_large() {
        assert_eq!(
            parse("1000000000000000.01"),
            Err(ParseAmountError::TooLarge)
        );
        assert_eq!(
            parse("99999999999999999999999999999999"),
            Err(ParseAmountError::TooLarge)
        );
    }

    #[test]
    fn error_messages_name_the_problem() {
        let err = parse("1.234").unwrap_err().to_string();
        assert_eq!(err, "amount has 3 decimals but USD allows at most 2");
    }
}
