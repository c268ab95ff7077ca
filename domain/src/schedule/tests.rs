//! Hand-checked schedules; every figure was recomputed independently (spreadsheet conventions).
#![allow(clippy::unwrap_used)]

use super::*;
use crate::money::Currency;
use rust_decimal_macros::dec;

pub(super) fn input(principal: Decimal, rate: Decimal, term: u32) -> ScheduleInput {
    ScheduleInput {
        principal: Money::new(principal, Currency::Usd).round(RoundingMode::HalfUp),
        annual_rate: Rate::new(rate).unwrap(),
        start_date: NaiveDate::from_ymd_opt(2024, 1, 15).unwrap(),
        term,
        frequency: Frequency::Monthly,
        method: AmortizationMethod::Annuity,
        interest: InterestMethod::PerPeriod,
        day_count: DayCount::Act365Fixed.settings(),
        grace_principal_periods: 0,
        grace_interest_periods: 0,
        installment_rounding: None,
        fee_per_period: None,
        rounding: RoundingMode::HalfUp,
    }
}

fn column(s: &Schedule, pick: fn(&Installment) -> Money) -> Vec<Decimal> {
    s.installments.iter().map(|r| pick(r).amount()).collect()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn a_12_percent_annuity_of_10000_over_12_months_matches_excel_pmt_and_ipmt() {
    let s = build_schedule(&input(dec!(10000), dec!(0.12), 12)).unwrap();
    let first = s.installments[0];
    assert_eq!(
        (first.total.amount(), first.interest.amount()),
        (dec!(888.49), dec!(100.00))
    );
    assert_eq!(
        (first.principal.amount(), first.balance.amount()),
        (dec!(788.49), dec!(9211.51))
    );
    assert_eq!(s.installments[1].interest.amount(), dec!(92.12));
    let last = s.installments[11];
    // The last instalment absorbs the rounding: 879.67 principal + 8.80 interest.
    assert_eq!(
        (last.principal.amount(), last.interest.amount()),
        (dec!(879.67), dec!(8.80))
    );
    assert_eq!(last.total.amount(), dec!(888.47));
    assert_eq!(s.total_interest.amount(), dec!(661.86));
    assert_eq!(s.total_payable.amount(), dec!(10661.86));
    assert_eq!(s.apr, dec!(0.120001));
    assert_eq!(s.installments[0].due_date, d(2024, 2, 15));
}

#[test]
fn equal_principal_repays_the_same_principal_with_falling_interest() {
    let mut i = input(dec!(12000), dec!(0.12), 12);
    i.method = AmortizationMethod::EqualPrincipal;
    let s = build_schedule(&i).unwrap();
    assert!(column(&s, |r| r.principal).iter().all(|p| *p == dec!(1000)));
    let interest = column(&s, |r| r.interest);
    assert_eq!(
        (interest[0], interest[1], interest[11]),
        (dec!(120), dec!(110), dec!(10))
    );
    assert_eq!(s.total_interest.amount(), dec!(780.00));
}

#[test]
fn flat_interest_is_charged_on_the_original_principal_every_period() {
    let mut i = input(dec!(12000), dec!(0.12), 12);
    i.method = AmortizationMethod::Flat;
    let s = build_schedule(&i).unwrap();
    assert!(column(&s, |r| r.interest).iter().all(|x| *x == dec!(120)));
    assert!(column(&s, |r| r.total).iter().all(|x| *x == dec!(1120)));
    assert_eq!(s.total_interest.amount(), dec!(1440.00));
    // A flat 12 % is an APR of about 21.5 %: the disclosure has to say so.
    assert!(s.apr > dec!(0.21) && s.apr < dec!(0.22), "{}", s.apr);
}

#[test]
fn a_bullet_loan_pays_interest_only_and_the_principal_at_the_end() {
    let mut i = input(dec!(10000), dec!(0.12), 3);
    i.method = AmortizationMethod::Bullet;
    let s = build_schedule(&i).unwrap();
    assert_eq!(
        column(&s, |r| r.principal),
        vec![dec!(0), dec!(0), dec!(10000)]
    );
    assert_eq!(
        column(&s, |r| r.total),
        vec![dec!(100), dec!(100), dec!(10100)]
    );
    assert_eq!(s.apr, dec!(0.12));
}

#[test]
fn a_whole_term_90_day_bullet_charges_act_360_interest_once() {
    let mut i = input(dec!(10000), dec!(0.12), 90);
    i.method = AmortizationMethod::Bullet;
    i.frequency = Frequency::WholeTerm;
    i.day_count = DayCount::Act360.settings();
    let s = build_schedule(&i).unwrap();
    assert_eq!(s.installments.len(), 1);
    let only = s.installments[0];
    assert_eq!(only.due_date, d(2024, 4, 14));
    assert_eq!(
        (only.interest.amount(), only.total.amount()),
        (dec!(300.00), dec!(10300.00))
    );
    assert_eq!(s.apr, dec!(0.12));
}

#[test]
fn daily_interest_follows_the_actual_days_of_each_month_end_period() {
    let mut i = input(dec!(1000), dec!(0.12), 3);
    i.start_date = d(2024, 1, 31);
    i.interest = InterestMethod::Daily;
    let s = build_schedule(&i).unwrap();
    let dates: Vec<NaiveDate> = s.installments.iter().map(|r| r.due_date).collect();
    assert_eq!(dates, [d(2024, 2, 29), d(2024, 3, 31), d(2024, 4, 30)]);
    // 29, 31 and 30 days at ACT/365 on 1000.00, 669.51 and 336.31.
    assert_eq!(
        column(&s, |r| r.interest),
        vec![dec!(9.53), dec!(6.82), dec!(3.32)]
    );
    assert_eq!(
        column(&s, |r| r.total),
        vec![dec!(340.02), dec!(340.02), dec!(339.63)]
    );
    assert_eq!(s.apr, dec!(0.117660));
}

#[test]
fn principal_grace_periods_pay_interest_only_then_amortise_over_the_rest() {
    let mut i = input(dec!(12000), dec!(0.12), 12);
    i.grace_principal_periods = 2;
    let s = build_schedule(&i).unwrap();
    let p = column(&s, |r| r.principal);
    assert_eq!((p[0], p[1], p[2]), (dec!(0), dec!(0), dec!(1146.98)));
    assert_eq!(s.installments[2].total.amount(), dec!(1266.98));
    assert_eq!(s.total_interest.amount(), dec!(909.87));
}

#[test]
fn interest_grace_defers_interest_to_the_first_installment_after_it() {
    let mut i = input(dec!(12000), dec!(0.12), 12);
    i.method = AmortizationMethod::EqualPrincipal;
    i.grace_interest_periods = 1;
    let s = build_schedule(&i).unwrap();
    let interest = column(&s, |r| r.interest);
    assert_eq!(
        (interest[0], interest[1], interest[2]),
        (dec!(0), dec!(230), dec!(100))
    );
    assert_eq!(s.total_interest.amount(), dec!(780.00));
}

#[test]
fn installments_rounded_to_whole_units_leave_the_remainder_to_the_last() {
    let mut i = input(dec!(10000), dec!(0.12), 12);
    i.installment_rounding = Some(Decimal::ONE);
    let s = build_schedule(&i).unwrap();
    assert!(column(&s, |r| r.total)[..11]
        .iter()
        .all(|t| *t == dec!(888)));
    assert_eq!(s.installments[11].principal.amount(), dec!(885.33));
    assert_eq!(s.total_interest.amount(), dec!(662.18));
}

#[test]
fn a_fee_per_period_is_added_to_each_installment_and_raises_the_apr() {
    let mut i = input(dec!(1000), dec!(0), 3);
    i.fee_per_period = Some(Money::from_minor(1000, Currency::Usd));
    let s = build_schedule(&i).unwrap();
    assert_eq!(
        column(&s, |r| r.total),
        vec![dec!(343.33), dec!(343.33), dec!(343.34)]
    );
    assert_eq!(s.total_fees.amount(), dec!(30.00));
    assert_eq!(s.apr, dec!(0.179115));
}

#[test]
fn a_yen_schedule_rounds_to_whole_yen() {
    let mut i = input(dec!(100000), dec!(0.15), 6);
    i.principal = Money::new(dec!(100000), Currency::Jpy);
    let s = build_schedule(&i).unwrap();
    assert!(s.installments.iter().all(|r| r.total.amount().scale() == 0));
    assert_eq!(s.installments[0].interest.amount(), dec!(1250));
}

#[test]
fn invalid_inputs_are_refused_with_a_reason() {
    let mut i = input(dec!(1000), dec!(0.1), 0);
    assert_eq!(
        build_schedule(&i),
        Err(ScheduleError::InvalidTerm { max: 2000 })
    );
    i.term = 3;
    i.grace_principal_periods = 3;
    assert!(matches!(
        build_schedule(&i),
        Err(ScheduleError::GraceTooLong { .. })
    ));
    i.grace_principal_periods = 0;
    i.fee_per_period = Some(Money::from_minor(1, Currency::Eur));
    assert_eq!(build_schedule(&i), Err(ScheduleError::InvalidFee));
    i.fee_per_period = None;
    i.principal = Money::new(dec!(10.005), Currency::Usd);
    assert_eq!(build_schedule(&i), Err(ScheduleError::InvalidPrincipal));
}

#[test]
fn the_input_deserialises_from_snake_case_json_with_a_named_day_count() {
    let json = r#"{"principal":{"amount":"10000.00","currency":"USD"},"annual_rate":"0.12",
        "start_date":"2024-01-15","term":12,"frequency":"monthly","method":"annuity",
        "interest":"daily","day_count":"ACT/360","installment_rounding":"1"}"#;
    let i: ScheduleInput = serde_json::from_str(json).unwrap();
    assert_eq!(i.day_count, DayCount::Act360.settings());
    assert_eq!(i.installment_rounding, Some(dec!(1)));
    let s = build_schedule(&i).unwrap();
    let out = serde_json::to_value(&s).unwrap();
    assert_eq!(out["installments"][0]["total"]["amount"], "888.00");
    assert_eq!(out["total_fees"]["amount"], "0.00");
}

#[test]
fn a_set_maturity_moves_only_the_last_due_date_and_counts_its_real_days() {
    let mut i = input(dec!(12000), dec!(0.12), 6);
    i.start_date = d(2026, 9, 1);
    i.interest = InterestMethod::Daily;
    let regular = build_schedule(&i).unwrap();
    let s = build_schedule_to_maturity(&i, d(2027, 2, 28)).unwrap();
    assert_eq!(s.installments[5].due_date, d(2027, 2, 28));
    assert_eq!(regular.installments[5].due_date, d(2027, 3, 1));
    assert_eq!(s.installments[..5], regular.installments[..5]);
    let principal: Decimal = s.installments.iter().map(|r| r.principal.amount()).sum();
    assert_eq!(principal, dec!(12000));
    // One day fewer in the last period: less interest than the regular schedule.
    assert!(s.installments[5].interest.amount() < regular.installments[5].interest.amount());
}

#[test]
fn a_maturity_on_or_before_the_previous_due_date_is_refused() {
    let mut i = input(dec!(12000), dec!(0.12), 2);
    i.start_date = d(2026, 9, 1);
    assert_eq!(
        build_schedule_to_maturity(&i, d(2026, 10, 1)),
        Err(ScheduleError::MaturityBeforePreviousDueDate)
    );
}
