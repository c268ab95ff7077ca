//! ISO 4217 currencies that Lendline lends in, each with its minor units.
//!
//! The minor units decide how many decimals a payable amount may carry, so they live with the
//! currency instead of being configured per product: a yen loan can never be quoted in sen.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A supported ISO 4217 currency. Serialises as its upper-case code (`"USD"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Currency {
    Cny,
    Usd,
    Eur,
    Gbp,
    Hkd,
    Sgd,
    Chf,
    Aud,
    Cad,
    Jpy,
    Krw,
}

/// Every supported currency, in a stable order (useful for tests and configuration screens).
pub const ALL_CURRENCIES: [Currency; 11] = [
    Currency::Cny,
    Currency::Usd,
    Currency::Eur,
    Currency::Gbp,
    Currency::Hkd,
    Currency::Sgd,
    Currency::Chf,
    Currency::Aud,
    Currency::Cad,
    Currency::Jpy,
    Currency::Krw,
];

/// A currency code that is not one of [`ALL_CURRENCIES`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown currency code {0:?}: expected an ISO 4217 code such as \"USD\"")]
pub struct UnknownCurrency(pub String);

impl Currency {
    /// The three-letter ISO 4217 code.
    pub const fn code(self) -> &'static str {
        match self {
            Currency::Cny => "CNY",
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Hkd => "HKD",
            Currency::Sgd => "SGD",
            Currency::Chf => "CHF",
            Currency::Aud => "AUD",
            Currency::Cad => "CAD",
            Currency::Jpy => "JPY",
            Currency::Krw => "KRW",
        }
    }

    /// Number of decimals of the minor unit (2 for cents, 0 for yen and won).
    pub const fn minor_units(self) -> u32 {
        match self {
            Currency::Jpy | Currency::Krw => 0,
            _ => 2,
        }
    }

    /// Parses an exact upper-case ISO code; lower case is refused so that stored codes stay
    /// canonical and comparable byte for byte.
    pub fn parse(code: &str) -> Result<Self, UnknownCurrency> {
        ALL_CURRENCIES
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or_else(|| UnknownCurrency(code.to_owned()))
    }
}

impl FromStr for Currency {
    type Err = UnknownCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = UnknownCurrency;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::parse(&s)
    }
}

impl From<Currency> for &'static str {
    fn from(c: Currency) -> Self {
        c.code()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_currency_round_trips_through_its_code() {
        for c in ALL_CURRENCIES {
            assert_eq!(Currency::parse(c.code()).unwrap(), c);
        }
    }

    #[test]
    fn yen_and_won_have_no_minor_units_and_dollars_have_two() {
        assert_eq!(Currency::Jpy.minor_units(), 0);
        assert_eq!(Currency::Krw.minor_units(), 0);
        assert_eq!(Currency::Usd.minor_units(), 2);
        assert_eq!(Currency::Cny.minor_units(), 2);
    }

    #[test]
    fn unknown_and_lower_case_codes_are_refused() {
        assert_eq!(Currency::parse("XYZ"), Err(UnknownCurrency("XYZ".into())));
        assert!(Currency::parse("usd").is_err());
        assert!(Currency::parse("").is_err());
    }

    #[test]
    fn currency_serialises_as_its_code() {
        assert_eq!(serde_json::to_string(&Currency::Eur).unwrap(), "\"EUR\"");
        let c: Currency = serde_json::from_str("\"JPY\"").unwrap();
        assert_eq!(c, Currency::Jpy);
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
    }
}
