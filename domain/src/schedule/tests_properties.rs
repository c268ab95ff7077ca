//! Invariants every schedule must keep, over random loans.
#![allow(clippy::unwrap_used)]

use super::tests::input;
use super::*;
use proptest::prelude::*;

fn arb_input() -> impl Strategy<Value = ScheduleInput> {
    let frequency = prop_oneof![
        Just(Frequency::Daily),
        Just(Frequency::Weekly),
        Just(Frequency::Biweekly),
        Just(Frequency::Monthly),
        Just(Frequency::Quarterly),
        Just(Frequency::WholeTerm),
    ];
    let method = prop_oneof![
        Just(AmortizationMethod::Annuity),
        Just(AmortizationMethod::EqualPrincipal),
        Just(AmortizationMethod::Flat),
        Just(AmortizationMethod::Bullet),
    ];
    let day_count = prop_oneof![
        Just(DayCount::Act360),
        Just(DayCount::Act365Fixed),
        Just(DayCount::ActActIsda),
        Just(DayCount::Thirty360),
        Just(DayCount::ThirtyE360),
    ];
    (
        (
            1i64..10_000_000_000,
            0u32..5_000,
            1u32..72,
            frequency,
            method,
        ),
        (
            any::<bool>(),
            day_count,
            0u32..4,
            0u32..4,
            0u32..4,
            0i64..3000,
            0i32..3000,
        ),
    )
        .prop_map(|((cents, bps, term, freq, method), rest)| {
            let (daily, dc, gp, gi, step, fee, start) = rest;
            let mut i = input(
                Decimal::new(cents, 2),
                Decimal::new(i64::from(bps), 4),
                term,
            );
            i.frequency = freq;
            i.method = method;
            i.interest = if daily {
                InterestMethod::Daily
            } else {
                InterestMethod::PerPeriod
            };
            i.day_count = dc.settings();
            let n = freq.installments(term);
            i.grace_principal_periods = gp.min(n - 1);
            i.grace_interest_periods = gi.min(n - 1);
            i.installment_rounding =
                [None, Some(Decimal::ONE), Some(Decimal::TEN), None][step as usize];
            i.fee_per_period =
                (fee > 0).then(|| Money::new(Decimal::new(fee, 2), i.principal.currency()));
            i.start_date += chrono::TimeDelta::days(i64::from(start));
            i
        })
}

proptest! {
    #[test]
    fn schedules_repay_exactly_the_principal_and_never_go_negative(i in arb_input()) {
        let s = build_schedule(&i).unwrap();
        let principal: Decimal = s.installments.iter().map(|r| r.principal.amount()).sum();
        prop_assert_eq!(principal, i.principal.amount());
        prop_assert!(s.installments.last().unwrap().balance.is_zero());
        let mut previous_due = i.start_date;
        for r in &s.installments {
            prop_assert!(!r.balance.is_negative());
            prop_assert!(!r.principal.is_negative());
            prop_assert!(!r.interest.is_negative());
            let parts = r.principal.amount() + r.interest.amount() + r.fee.amount();
            prop_assert_eq!(parts, r.total.amount());
            prop_assert!(r.due_date > previous_due);
            previous_due = r.due_date;
        }
        prop_assert!(s.apr >= Decimal::ZERO);
    }
}
