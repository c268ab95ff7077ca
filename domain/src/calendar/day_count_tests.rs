#![allow(clippy::unwrap_used)]

use super::*;
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn the_five_names_parse_exactly_and_nothing_else_does() {
    for (dc, name) in NAMES {
        assert_eq!(name.parse::<DayCount>().unwrap(), dc);
        assert_eq!(dc.to_string(), name);
        assert_eq!(serde_json::to_string(&dc).unwrap(), format!("\"{name}\""));
    }
    for bad in ["act/360", "ACT/365F", "30/360 US", "", "ACT/ACT ISDA"] {
        assert!(bad.parse::<DayCount>().is_err(), "{bad}");
    }
}

#[test]
fn act_360_and_act_365_divide_actual_days_by_their_basis() {
    let (a, b) = (d(2024, 1, 1), d(2024, 7, 1));
    assert_eq!(DayCount::Act360.settings().days(a, b), 182);
    assert_eq!(DayCount::Act360.year_fraction(a, b), dec!(182) / dec!(360));
    assert_eq!(
        DayCount::Act365Fixed.year_fraction(a, b),
        dec!(182) / dec!(365)
    );
}

#[test]
fn act_act_splits_a_period_across_new_year_into_365_and_366_day_parts() {
    let yf = DayCount::ActActIsda.year_fraction(d(2023, 12, 15), d(2024, 1, 15));
    // 17 days of 2023 (Dec 15 to Jan 1) and 14 days of leap year 2024.
    assert_eq!(yf, dec!(17) / dec!(365) + dec!(14) / dec!(366));
    let whole_leap_year = DayCount::ActActIsda.year_fraction(d(2024, 1, 1), d(2025, 1, 1));
    assert_eq!(whole_leap_year, Decimal::ONE);
}

#[test]
fn thirty_360_and_30e_360_agree_from_the_31st_to_february_end() {
    for dc in [DayCount::Thirty360, DayCount::ThirtyE360] {
        assert_eq!(dc.settings().days(d(2024, 1, 31), d(2024, 2, 29)), 29);
        assert_eq!(dc.settings().days(d(2023, 1, 30), d(2023, 3, 31)), 60);
    }
}

#[test]
fn thirty_360_keeps_an_end_31st_when_the_start_is_before_the_30th_but_30e_does_not() {
    let us = DayCount::Thirty360.settings();
    let eu = DayCount::ThirtyE360.settings();
    assert_eq!(us.days(d(2024, 2, 29), d(2024, 3, 31)), 32);
    assert_eq!(eu.days(d(2024, 2, 29), d(2024, 3, 31)), 31);
    assert_eq!(us.days(d(2023, 2, 28), d(2023, 3, 31)), 33);
    assert_eq!(eu.days(d(2023, 2, 28), d(2023, 3, 31)), 32);
    assert_eq!(us.days(d(2023, 1, 15), d(2023, 3, 31)), 76);
    assert_eq!(eu.days(d(2023, 1, 15), d(2023, 3, 31)), 75);
}

#[test]
fn thirty_360_counts_a_full_year_as_exactly_one() {
    let yf = DayCount::Thirty360.year_fraction(d(2023, 3, 31), d(2024, 3, 31));
    assert_eq!(yf, Decimal::ONE);
}

#[test]
fn settings_can_be_built_directly_with_a_364_day_year() {
    let s = DayCountSettings {
        days_in_month: DaysInMonth::Actual,
        days_in_year: DaysInYear::Days364,
    };
    assert_eq!(
        s.year_fraction(d(2024, 1, 1), d(2024, 1, 29)),
        dec!(28) / dec!(364)
    );
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, r#"{"days_in_month":"actual","days_in_year":"364"}"#);
    assert_eq!(
        DayCountSettings::from(DayCount::ActActIsda).nominal_days_in_year(),
        365
    );
}

#[test]
fn reversed_dates_give_a_negative_fraction() {
    let yf = DayCount::Act360.year_fraction(d(2024, 2, 1), d(2024, 1, 1));
    assert_eq!(yf, dec!(-31) / dec!(360));
}
