//! Bill discounting: buying a bill of exchange before maturity for face value less interest.
//!
//! `discount_interest = face × annual_rate × (days to maturity + adjustment days) ÷ basis`,
//! rounded half-up to the minor unit, and `proceeds = face − discount_interest`. Adjustment days
//! cover the clearing delay of the paying bank (commonly 3 days for bills payable in another
//! city). The basis is 360 by default (money-market convention) and may be 365. The maturity must
//! fall after the discount date and within `max_tenor_months` calendar months of it (6 by
//! default, the usual limit for commercial acceptances).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::add_months_clamped;
use crate::money::{Money, MoneyError, RoundingMode, MAX_AMOUNT};
use crate::rate::Rate;

/// A request to discount one bill. Serde defaults: 0 adjustment days, basis 360, 6 months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillDiscountInput {
    pub face: Money,
    pub annual_rate: Rate,
    pub discount_date: NaiveDate,
    pub maturity_date: NaiveDate,
    #[serde(default)]
    pub adjustment_days: u32,
    #[serde(default = "default_basis_days")]
    pub basis_days: u32,
    #[serde(default = "default_max_tenor_months")]
    pub max_tenor_months: u32,
}

fn default_basis_days() -> u32 {
    360
}

fn default_max_tenor_months() -> u32 {
    6
}

/// The quote: interest days (including adjustment), interest withheld and the cash paid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillDiscount {
    pub days: u32,
    pub discount_interest: Money,
    pub proceeds: Money,
}

/// Why a bill cannot be discounted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DiscountError {
    #[error("face value must be a positive amount in whole minor units")]
    InvalidFace,
    #[error("maturity date must be after the discount date")]
    MaturityNotAfterDiscountDate,
    #[error("maturity date is more than {max_tenor_months} months after the discount date")]
    TenorTooLong { max_tenor_months: u32 },
    #[error("basis must be 360 or 365 days, not {0}")]
    InvalidBasis(u32),
    #[error("discount interest would exceed the face value")]
    InterestExceedsFace,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Prices a bill discount (see the module docs for the formula and limits).
pub fn discount_bill(input: &BillDiscountInput) -> Result<BillDiscount, DiscountError> {
    let face = input.face;
    if !face.is_positive() || !face.is_rounded() || face.amount() > MAX_AMOUNT {
        return Err(DiscountError::InvalidFace);
    }
    if !matches!(input.basis_days, 360 | 365) {
        return Err(DiscountError::InvalidBasis(input.basis_days));
    }
    if input.maturity_date <= input.discount_date {
        return Err(DiscountError::MaturityNotAfterDiscountDate);
    }
    let latest = add_months_clamped(input.discount_date, input.max_tenor_months);
    if latest.is_none_or(|latest| input.maturity_date > latest) {
        return Err(DiscountError::TenorTooLong {
            max_tenor_months: input.max_tenor_months,
        });
    }
    let to_maturity = (input.maturity_date - input.discount_date).num_days();
    let days = u32::try_from(to_maturity)
        .ok()
        .and_then(|d| d.checked_add(input.adjustment_days))
        .ok_or(MoneyError::Overflow)?;
    let discount_interest = face
        .checked_mul_rate(input.annual_rate.value() * Decimal::from(days))?
        .checked_div(Decimal::from(input.basis_days))?
        .round(RoundingMode::HalfUp);
    let proceeds = face.checked_sub(discount_interest)?;
    if proceeds.is_negative() {
        return Err(DiscountError::InterestExceedsFace);
    }
    Ok(BillDiscount {
        days,
        discount_interest,
        proceeds,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn bill(face: Decimal, rate: Decimal, from: NaiveDate, to: NaiveDate) -> BillDiscountInput {
        BillDiscountInput {
            face: Money::new(face, Currency::Cny).round(RoundingMode::HalfUp),
            annual_rate: Rate::new(rate).unwrap(),
            discount_date: from,
            maturity_date: to,
            adjustment_days: 0,
            basis_days: 360,
            max_tenor_months: 6,
        }
    }

    #[test]
    fn a_million_yuan_bill_for_90_days_at_3_percent_costs_7500() {
        let q = discount_bill(&bill(
            dec!(1000000),
            dec!(0.03),
            d(2024, 1, 1),
            d(2024, 3, 31),
        ))
        .unwrap();
        assert_eq!(q.days, 90);
        assert_eq!(q.discount_interest.amount(), dec!(7500.00));
        assert_eq!(q.proceeds.amount(), dec!(992500.00));
    }

    #[test]
    fn adjustment_days_and_a_365_day_basis_are_applied_and_rounded_half_up() {
        let mut b = bill(dec!(100000), dec!(0.0285), d(2024, 3, 1), d(2024, 8, 15));
        b.adjustment_days = 3;
        b.basis_days = 365;
        let q = discount_bill(&b).unwrap();
        // 167 days + 3 = 170; 100000 × 0.0285 × 170 / 365 = 1327.39726…
        assert_eq!(q.days, 170);
        assert_eq!(q.discount_interest.amount(), dec!(1327.40));
        assert_eq!(q.proceeds.amount(), dec!(98672.60));
    }

    #[test]
    fn a_maturity_on_or_before_the_discount_date_is_refused() {
        let same_day = bill(dec!(100), dec!(0.03), d(2024, 1, 1), d(2024, 1, 1));
        assert_eq!(
            discount_bill(&same_day),
            Err(DiscountError::MaturityNotAfterDiscountDate)
        );
    }

    #[test]
    fn the_six_month_limit_is_measured_in_calendar_months_with_the_month_end_rule() {
        let at_limit = bill(dec!(100), dec!(0.03), d(2023, 8, 31), d(2024, 2, 29));
        assert!(discount_bill(&at_limit).is_ok());
        let beyond = bill(dec!(100), dec!(0.03), d(2023, 8, 31), d(2024, 3, 1));
        assert_eq!(
            discount_bill(&beyond),
            Err(DiscountError::TenorTooLong {
                max_tenor_months: 6
            })
        );
        let mut one_year = bill(dec!(100), dec!(0.03), d(2024, 1, 1), d(2024, 12, 1));
        one_year.max_tenor_months = 12;
        assert!(discount_bill(&one_year).is_ok());
    }

    #[test]
    fn bases_other_than_360_and_365_are_refused() {
        let mut b = bill(dec!(100), dec!(0.03), d(2024, 1, 1), d(2024, 2, 1));
        b.basis_days = 364;
        assert_eq!(discount_bill(&b), Err(DiscountError::InvalidBasis(364)));
    }

    #[test]
    fn input_defaults_to_basis_360_and_a_six_month_tenor() {
        let json = r#"{"face":{"amount":"1000.00","currency":"CNY"},"annual_rate":"0.02",
            "discount_date":"2024-01-01","maturity_date":"2024-02-01"}"#;
        let b: BillDiscountInput = serde_json::from_str(json).unwrap();
        assert_eq!(
            (b.basis_days, b.max_tenor_months, b.adjustment_days),
            (360, 6, 0)
        );
    }
}
