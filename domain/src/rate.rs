//! Annual interest and fee rates as exact decimals (`0.12` means 12 % a year).
//!
//! A `Rate` is a parsed, validated value: never negative and never above 1000 % a year, the
//! largest value any product could plausibly configure. Anything beyond is a typo (someone typing
//! `12` for 12 %) and is refused rather than quoted.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Largest accepted rate: 10, i.e. 1000 %.
pub const MAX_RATE: Decimal = Decimal::TEN;

/// Why a string or decimal is not an acceptable rate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseRateError {
    #[error("rate is empty")]
    Empty,
    #[error("rate {0:?} is not a plain decimal number such as \"0.12\"")]
    NotANumber(String),
    #[error("rate must not be negative")]
    Negative,
    #[error("rate exceeds {MAX_RATE} (1000 %); write 12 % as 0.12")]
    TooLarge,
}

/// A non-negative decimal rate, at most [`MAX_RATE`]. Serialises as a string (`"0.12"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rate(Decimal);

impl Rate {
    pub const ZERO: Rate = Rate(Decimal::ZERO);

    /// Validates a decimal rate.
    pub fn new(value: Decimal) -> Result<Rate, ParseRateError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(ParseRateError::Negative);
        }
        if value > MAX_RATE {
            return Err(ParseRateError::TooLarge);
        }
        Ok(Rate(value.abs()))
    }

    /// Parses plain decimal notation; exponents, `NaN` and percent signs are refused.
    pub fn parse(s: &str) -> Result<Rate, ParseRateError> {
        if s.is_empty() {
            return Err(ParseRateError::Empty);
        }
        let unsigned = s.strip_prefix('-').unwrap_or(s);
        let plain = !unsigned.is_empty()
            && !unsigned.starts_with('.')
            && !unsigned.ends_with('.')
            && unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        // Twelve integer digits are already absurd; stop before the decimal parser overflows.
        if !plain || unsigned.len() > 40 {
            return Err(ParseRateError::NotANumber(s.to_owned()));
        }
        let value = Decimal::from_str(s).map_err(|_| ParseRateError::NotANumber(s.to_owned()))?;
        if s.starts_with('-') && !value.is_zero() {
            return Err(ParseRateError::Negative);
        }
        Rate::new(value)
    }

    pub const fn value(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl FromStr for Rate {
    type Err = ParseRateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rate::parse(s)
    }
}

impl TryFrom<String> for Rate {
    type Error = ParseRateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Rate::parse(&s)
    }
}

impl From<Rate> for String {
    fn from(r: Rate) -> Self {
        r.0.to_string()
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn twelve_percent_is_written_as_zero_point_twelve() {
        assert_eq!(Rate::parse("0.12").unwrap().value(), dec!(0.12));
        assert_eq!(Rate::parse("0").unwrap(), Rate::ZERO);
        assert_eq!(Rate::parse("10").unwrap().value(), dec!(10));
    }

    #[test]
    fn negative_rates_are_refused() {
        assert_eq!(Rate::parse("-0.01"), Err(ParseRateError::Negative));
        assert_eq!(Rate::new(dec!(-1)), Err(ParseRateError::Negative));
    }

    #[test]
    fn rates_above_one_thousand_percent_are_refused() {
        assert_eq!(Rate::parse("10.0001"), Err(ParseRateError::TooLarge));
        assert_eq!(Rate::parse("12000000000"), Err(ParseRateError::TooLarge));
    }

    #[test]
    fn exponents_percent_signs_nan_and_empty_strings_are_refused() {
        assert_eq!(Rate::parse(""), Err(ParseRateError::Empty));
        for s in ["1e-2", "12%", "NaN", ".12", "0.12.", " 0.12", "+0.12"] {
            assert!(
                matches!(Rate::parse(s), Err(ParseRateError::NotANumber(_))),
                "{s}"
            );
        }
    }

    #[test]
    fn rate_serialises_as_a_string() {
        let r = Rate::parse("0.085").unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"0.085\"");
        assert!(serde_json::from_str::<Rate>("\"-1\"").is_err());
    }
}
