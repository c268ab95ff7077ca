//! Throughput of the quote hot paths: schedules, bill discounting and payment allocation.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use domain::calendar::{DayCount, Frequency};
use domain::discounting::{discount_bill, BillDiscountInput};
use domain::money::{Currency, Money, RoundingMode};
use domain::rate::Rate;
use domain::repayment_allocation::{
    allocate_payment, AllocationOrder, ComponentKind, Due, DueStatus,
};
use domain::schedule::{build_schedule, AmortizationMethod, InterestMethod, ScheduleInput};
use rust_decimal::Decimal;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn schedule_input(term: u32, interest: InterestMethod) -> ScheduleInput {
    ScheduleInput {
        principal: Money::from_minor(1_000_000, Currency::Usd),
        annual_rate: Rate::new(Decimal::new(12, 2)).unwrap(),
        start_date: date(2024, 1, 31),
        term,
        frequency: Frequency::Monthly,
        method: AmortizationMethod::Annuity,
        interest,
        day_count: DayCount::Act365Fixed.settings(),
        grace_principal_periods: 0,
        grace_interest_periods: 0,
        installment_rounding: None,
        fee_per_period: None,
        rounding: RoundingMode::HalfUp,
    }
}

fn schedules(c: &mut Criterion) {
    let annuity = schedule_input(12, InterestMethod::PerPeriod);
    c.bench_function("annuity_12_monthly", |b| {
        b.iter(|| build_schedule(black_box(&annuity)).unwrap())
    });
    let daily = schedule_input(36, InterestMethod::Daily);
    c.bench_function("annuity_36_daily_interest", |b| {
        b.iter(|| build_schedule(black_box(&daily)).unwrap())
    });
}

fn bill_discount(c: &mut Criterion) {
    let input = BillDiscountInput {
        face: Money::from_minor(100_000_000, Currency::Cny),
        annual_rate: Rate::new(Decimal::new(285, 4)).unwrap(),
        discount_date: date(2024, 3, 1),
        maturity_date: date(2024, 8, 15),
        adjustment_days: 3,
        basis_days: 360,
        max_tenor_months: 6,
    };
    c.bench_function("bill_discount", |b| {
        b.iter(|| discount_bill(black_box(&input)).unwrap())
    });
}

fn allocation(c: &mut Criterion) {
    let kinds = [
        ComponentKind::Penalty,
        ComponentKind::Fee,
        ComponentKind::Interest,
        ComponentKind::Principal,
    ];
    let dues: Vec<Due> = (0..12u32)
        .flat_map(|m| {
            kinds.map(|kind| Due {
                kind,
                status: if m < 3 {
                    DueStatus::PastDue
                } else {
                    DueStatus::NotYetDue
                },
                due_date: date(2024, m + 1, 15),
                amount: Money::from_minor(10_000, Currency::Usd),
            })
        })
        .collect();
    let order = AllocationOrder::default();
    let payment = Money::from_minor(250_000, Currency::Usd);
    c.bench_function("allocate_payment_48_dues", |b| {
        b.iter(|| allocate_payment(black_box(payment), black_box(&dues), &order).unwrap())
    });
}

criterion_group!(benches, schedules, bill_discount, allocation);
criterion_main!(benches);
