//! Money: a decimal amount tied to its currency, with checked arithmetic and explicit rounding.
//!
//! Amounts are `rust_decimal::Decimal`, never floats, so that a cent is exactly a cent. There are
//! deliberately no `Add`/`Mul` operator impls: every operation can fail (currency mismatch,
//! overflow) and returns a `Result`, and every rounding names its [`RoundingMode`]. Intermediate
//! values such as accrued interest may carry more decimals than the currency allows; they are
//! rounded once, with [`Money::round`], when they become payable.

mod currency;
mod parse;
mod split;

pub use currency::{Currency, UnknownCurrency, ALL_CURRENCIES};
pub use parse::{ParseAmountError, MAX_AMOUNT};

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How a value is rounded to the minor unit (or to any other step). Serde: `half_even`,
/// `half_up`, `down`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Banker's rounding: ties go to the even neighbour (unbiased over many roundings).
    HalfEven,
    /// Ties away from zero, as spreadsheets' `ROUND` does; the default for quotes.
    #[default]
    HalfUp,
    /// Truncation towards zero, for amounts that must never be overstated (e.g. a borrowing base).
    Down,
}

impl RoundingMode {
    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::Down => RoundingStrategy::ToZero,
        }
    }

    /// Rounds `value` to `dp` decimal places with this mode.
    ///
    /// Same result as `Decimal::round_dp_with_strategy`, which is the general path; amounts that
    /// fit in 64 bits (every interest amount of a realistic schedule) are rounded with one
    /// machine division instead, because rounding dominated the cost of drawing up a schedule.
    pub fn round_dp(self, value: Decimal, dp: u32) -> Decimal {
        let scale = value.scale();
        if scale <= dp {
            return value;
        }
        let mantissa = value.mantissa().unsigned_abs();
        let fast = Some(scale - dp)
            .filter(|drop| *drop <= 19)
            .and_then(|drop| Some((u64::try_from(mantissa).ok()?, 10u64.pow(drop))));
        let Some((mantissa, divisor)) = fast else {
            return value.round_dp_with_strategy(dp, self.strategy());
        };
        let (quotient, remainder) = (mantissa / divisor, mantissa % divisor);
        // `remainder < divisor ≤ 10^19 < 2^64`, so doubling it in 128 bits is exact.
        let twice = u128::from(remainder) * 2;
        let away = match self {
            RoundingMode::HalfUp => twice >= u128::from(divisor),
            RoundingMode::HalfEven => {
                twice > u128::from(divisor) || (twice == u128::from(divisor) && quotient % 2 == 1)
            }
            RoundingMode::Down => false,
        };
        let magnitude = quotient + u64::from(away);
        let mut rounded = Decimal::from(magnitude);
        // Like rust_decimal, a value that rounds to zero loses its minus sign.
        rounded.set_sign_negative(value.is_sign_negative() && magnitude != 0);
        // `from` gives scale 0 and the rounded digits fit, so setting the scale cannot fail.
        match rounded.set_scale(dp) {
            Ok(()) => rounded,
            Err(_) => value.round_dp_with_strategy(dp, self.strategy()),
        }
    }
}

/// Why a money operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("currency mismatch: expected {expected}, found {found}")]
    CurrencyMismatch { expected: Currency, found: Currency },
    #[error("arithmetic overflow")]
    Overflow,
    #[error("division by zero")]
    DivisionByZero,
    #[error("weights must be non-empty, non-negative and not all zero")]
    InvalidWeights,
    #[error("amount {0} has more decimals than its currency allows")]
    NotRounded(Decimal),
    #[error("rounding step must be positive")]
    InvalidStep,
}

/// An amount of a currency. Serialises as `{"amount":"1234.50","currency":"USD"}`; deserialising
/// applies [`Money::parse_non_negative`], because every amount a client sends is non-negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "parse::MoneyWire")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Wraps an amount as is (it may be unrounded, e.g. an accrual).
    pub const fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero in `currency`, carrying the currency's minor units so it prints as `0.00`.
    pub fn zero(currency: Currency) -> Self {
        let mut amount = Decimal::ZERO;
        amount.rescale(currency.minor_units());
        Money { amount, currency }
    }

    /// An amount given in minor units (cents, yen).
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money::new(Decimal::new(minor, currency.minor_units()), currency)
    }

    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    pub const fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    pub fn is_negative(&self) -> bool {
        self.amount < Decimal::ZERO
    }

    pub fn is_positive(&self) -> bool {
        self.amount > Decimal::ZERO
    }

    /// True when the amount has no more decimals than the currency's minor units.
    pub fn is_rounded(&self) -> bool {
        self.amount.normalize().scale() <= self.currency.minor_units()
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            })
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Multiplies by a dimensionless factor (a rate, a year fraction); the result is unrounded.
    pub fn checked_mul_rate(self, factor: Decimal) -> Result<Money, MoneyError> {
        let amount = self
            .amount
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Divides by a dimensionless divisor; the result is unrounded.
    pub fn checked_div(self, divisor: Decimal) -> Result<Money, MoneyError> {
        if divisor.is_zero() {
            return Err(MoneyError::DivisionByZero);
        }
        let amount = self
            .amount
            .checked_div(divisor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// The smaller of two amounts of the same currency.
    pub fn checked_min(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        Ok(if other.amount < self.amount {
            other
        } else {
            self
        })
    }

    /// The larger of two amounts of the same currency.
    pub fn checked_max(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        Ok(if other.amount > self.amount {
            other
        } else {
            self
        })
    }

    /// Rounds to the currency's minor units; the result always carries exactly that many
    /// decimals so that JSON shows `"100.00"`, not `"100"`.
    pub fn round(self, mode: RoundingMode) -> Money {
        let dp = self.currency.minor_units();
        let mut amount = mode.round_dp(self.amount, dp);
        amount.rescale(dp);
        Money::new(amount, self.currency)
    }

    /// Rounds to a multiple of `step` (e.g. whole units: step 1), then to minor units.
    pub fn round_to_multiple(self, step: Decimal, mode: RoundingMode) -> Result<Money, MoneyError> {
        if step <= Decimal::ZERO {
            return Err(MoneyError::InvalidStep);
        }
        let units = self.amount.checked_div(step).ok_or(MoneyError::Overflow)?;
        let rounded = mode
            .round_dp(units, 0)
            .checked_mul(step)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(rounded, self.currency).round(mode))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn usd(s: &str) -> Money {
        Money::parse_non_negative(s, Currency::Usd).unwrap()
    }

    #[test]
    fn adding_amounts_of_different_currencies_is_refused() {
        let err = usd("1.00")
            .checked_add(Money::from_minor(1, Currency::Eur))
            .unwrap_err();
        assert_eq!(
            err,
            MoneyError::CurrencyMismatch {
                expected: Currency::Usd,
                found: Currency::Eur
            }
        );
    }

    #[test]
    fn overflowing_addition_is_reported_not_wrapped() {
        let huge = Money::new(Decimal::MAX, Currency::Usd);
        assert_eq!(huge.checked_add(huge), Err(MoneyError::Overflow));
    }

    #[test]
    fn multiplying_by_a_rate_keeps_all_decimals_until_rounded() {
        let accrual = usd("100.00").checked_mul_rate(dec!(0.00123)).unwrap();
        assert_eq!(accrual.amount(), dec!(0.12300));
        assert!(!Money::new(dec!(0.123), Currency::Usd).is_rounded());
        assert_eq!(accrual.round(RoundingMode::HalfUp).amount(), dec!(0.12));
    }

    #[test]
    fn each_rounding_mode_treats_a_half_cent_as_documented() {
        let half = Money::new(dec!(2.345), Currency::Usd);
        assert_eq!(half.round(RoundingMode::HalfEven).amount(), dec!(2.34));
        assert_eq!(half.round(RoundingMode::HalfUp).amount(), dec!(2.35));
        assert_eq!(half.round(RoundingMode::Down).amount(), dec!(2.34));
        let yen = Money::new(dec!(102.5), Currency::Jpy);
        assert_eq!(yen.round(RoundingMode::HalfUp).amount(), dec!(103));
    }

    #[test]
    fn the_fast_rounding_path_agrees_with_rust_decimal_to_the_last_digit_and_sign() {
        let values = [
            dec!(2.345),
            dec!(-2.345),
            dec!(2.355),
            dec!(-0.001),
            dec!(-0.005),
            dec!(0.005),
            dec!(92.1151),
            dec!(1234567.895000),
            dec!(0.0049999999999),
            dec!(18446744073709.551615),
            dec!(184467440737095516.16),
            dec!(7.5),
            dec!(8.5),
            dec!(-8.5),
            dec!(1.00),
            dec!(0),
            dec!(0.0070833333333333333333333333),
            dec!(12345678901234567890.12345678),
        ];
        for mode in [
            RoundingMode::HalfEven,
            RoundingMode::HalfUp,
            RoundingMode::Down,
        ] {
            for value in values {
                for dp in [0, 2, 4] {
                    let expected = value.round_dp_with_strategy(dp, mode.strategy());
                    let got = mode.round_dp(value, dp);
                    assert_eq!(got, expected, "{value} {mode:?} {dp}");
                    assert_eq!(
                        got.to_string(),
                        expected.to_string(),
                        "{value} {mode:?} {dp}"
                    );
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_rounding_path_agrees_with_rust_decimal_on_random_values(
            mantissa in proptest::num::i64::ANY, scale in 0u32..=20, dp in 0u32..=4, mode in 0usize..3,
        ) {
            let mode = [RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::Down][mode];
            let value = Decimal::new(mantissa, scale);
            let expected = value.round_dp_with_strategy(dp, mode.strategy());
            proptest::prop_assert_eq!(mode.round_dp(value, dp).to_string(), expected.to_string());
        }
    }

    #[test]
    fn rounding_pads_to_the_minor_units_for_display() {
        let m = Money::new(dec!(100), Currency::Usd).round(RoundingMode::HalfUp);
        assert_eq!(m.amount().to_string(), "100.00");
        assert_eq!(Money::zero(Currency::Usd).amount().to_string(), "0.00");
    }

    #[test]
    fn rounding_to_a_multiple_of_whole_units_follows_the_mode() {
        let m = usd("888.49");
        let one = Decimal::ONE;
        assert_eq!(
            m.round_to_multiple(one, RoundingMode::HalfUp)
                .unwrap()
                .amount(),
            dec!(888)
        );
        assert_eq!(
            m.round_to_multiple(dec!(5), RoundingMode::HalfUp)
                .unwrap()
                .amount(),
            dec!(890)
        );
        assert!(m
            .round_to_multiple(Decimal::ZERO, RoundingMode::HalfUp)
            .is_err());
    }

    #[test]
    fn money_serialises_amount_as_a_string_with_its_currency() {
        let json = serde_json::to_string(&usd("1234.50")).unwrap();
        assert_eq!(json, r#"{"amount":"1234.50","currency":"USD"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, usd("1234.50"));
    }

    #[test]
    fn deserialising_money_applies_the_strict_parser() {
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.234","currency":"USD"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"-1","currency":"USD"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"XXX"}"#).is_err());
    }
}
