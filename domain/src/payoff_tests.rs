#![allow(clippy::unwrap_used)]

use super::*;
use crate::calendar::DayCount;
use crate::money::Currency;
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn usd(amount: Decimal) -> Money {
    Money::new(amount, Currency::Usd)
}

fn rate(r: Decimal) -> Rate {
    Rate::new(r).unwrap()
}

#[test]
fn interest_accrues_daily_and_stays_unrounded_until_payable() {
    let act365 = DayCount::Act365Fixed.settings();
    let a = accrued_interest(
        usd(dec!(1000)),
        rate(dec!(0.1)),
        &act365,
        d(2024, 1, 1),
        d(2024, 1, 2),
    )
    .unwrap();
    assert_eq!(a.amount().round_dp(10), dec!(0.2739726027));
    assert!(!a.is_rounded());
    assert_eq!(a.round(RoundingMode::HalfUp).amount(), dec!(0.27));
}

#[test]
fn accrual_over_new_year_under_act_act_uses_both_year_lengths() {
    let actact = DayCount::ActActIsda.settings();
    let a = accrued_interest(
        usd(dec!(36500)),
        rate(dec!(0.1)),
        &actact,
        d(2023, 12, 15),
        d(2024, 1, 15),
    )
    .unwrap();
    // 36500 × 0.1 × (17/365 + 14/366) = 170 + 139.617…
    assert_eq!(a.round(RoundingMode::HalfUp).amount(), dec!(309.62));
}

#[test]
fn accruing_backwards_in_time_is_refused() {
    let act360 = DayCount::Act360.settings();
    let err = accrued_interest(
        usd(dec!(1)),
        rate(dec!(0.1)),
        &act360,
        d(2024, 2, 1),
        d(2024, 1, 1),
    );
    assert!(matches!(err, Err(PayoffError::DateBeforeStart { .. })));
}

#[test]
fn penalty_interest_is_a_daily_rate_on_overdue_principal() {
    let p = penalty_interest(
        usd(dec!(1000)),
        rate(dec!(0.0005)),
        d(2024, 3, 1),
        d(2024, 3, 11),
    )
    .unwrap();
    assert_eq!(p.amount(), dec!(5.0000));
}

#[test]
fn a_percentage_late_fee_is_clamped_to_its_minimum_and_maximum() {
    let policy = LateFeePolicy::PercentOfOverdue {
        rate: rate(dec!(0.05)),
        minimum: Some(usd(dec!(5))),
        maximum: Some(usd(dec!(25))),
    };
    let fee = |o| {
        late_fee(&policy, usd(o), RoundingMode::HalfUp)
            .unwrap()
            .amount()
    };
    assert_eq!(fee(dec!(50)), dec!(5));
    assert_eq!(fee(dec!(300.10)), dec!(15.01));
    assert_eq!(fee(dec!(1000)), dec!(25));
    assert_eq!(fee(dec!(0)), dec!(0));
    let fixed = LateFeePolicy::Fixed {
        amount: usd(dec!(15)),
    };
    assert_eq!(
        late_fee(&fixed, usd(dec!(1)), RoundingMode::HalfUp)
            .unwrap()
            .amount(),
        dec!(15)
    );
}

fn loan() -> PayoffInput {
    PayoffInput {
        outstanding_principal: usd(dec!(5000.00)),
        annual_rate: rate(dec!(0.12)),
        day_count: DayCount::Act360.settings(),
        interest_accrued_from: d(2024, 3, 1),
        billed_unpaid_interest: usd(dec!(50.00)),
        unpaid_fees: usd(dec!(15.00)),
        overdue_principal: usd(dec!(400.00)),
        overdue_since: Some(d(2024, 3, 1)),
        penalty_daily_rate: rate(dec!(0.0005)),
        prepayment_fee_rate: rate(dec!(0.01)),
        rounding: RoundingMode::HalfUp,
    }
}

#[test]
fn a_payoff_quote_adds_principal_interest_penalty_fees_and_prepayment_fee() {
    let q = payoff_quote(&loan(), d(2024, 3, 16)).unwrap();
    // 15 days: accrued 5000 × 0.12 × 15/360 = 25.00; penalty 400 × 0.0005 × 15 = 3.00.
    assert_eq!(q.interest.amount(), dec!(75.00));
    assert_eq!(q.penalty_interest.amount(), dec!(3.00));
    assert_eq!(q.fees.amount(), dec!(15.00));
    assert_eq!(q.prepayment_fee.amount(), dec!(50.00));
    assert_eq!(q.total.amount(), dec!(5143.00));
}

#[test]
fn a_payoff_on_the_accrual_date_without_arrears_is_principal_and_billed_interest() {
    let mut input = loan();
    input.overdue_since = None;
    input.prepayment_fee_rate = Rate::ZERO;
    let q = payoff_quote(&input, d(2024, 3, 1)).unwrap();
    assert_eq!(q.total.amount(), dec!(5065.00));
    assert!(payoff_quote(&input, d(2024, 2, 1)).is_err());
}
