#![allow(clippy::unwrap_used)]

use super::*;
use crate::money::Currency;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn usd(cents: i64) -> Money {
    Money::from_minor(cents, Currency::Usd)
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, m, d).unwrap()
}

fn due(kind: ComponentKind, status: DueStatus, month: u32, cents: i64) -> Due {
    Due {
        kind,
        status,
        due_date: date(month, 1),
        amount: usd(cents),
    }
}

fn applied(a: &Allocation) -> Vec<Decimal> {
    a.applied.iter().map(Money::amount).collect()
}

use ComponentKind::{Fee, Interest, Penalty, Principal};
use DueStatus::{Due as Current, NotYetDue, PastDue};

#[test]
fn past_due_dues_are_paid_before_current_and_future_ones() {
    let dues = [
        due(Principal, NotYetDue, 5, 10_000),
        due(Interest, Current, 4, 1_000),
        due(Principal, PastDue, 3, 5_000),
        due(Penalty, PastDue, 3, 200),
    ];
    let a = allocate_payment(usd(6_000), &dues, &AllocationOrder::default()).unwrap();
    assert_eq!(applied(&a), vec![dec!(0), dec!(8), dec!(50), dec!(2)]);
    assert!(a.unapplied.is_zero());
}

#[test]
fn installment_first_clears_the_oldest_date_before_touching_the_next() {
    let dues = [
        due(Interest, PastDue, 2, 100),
        due(Principal, PastDue, 2, 900),
        due(Interest, PastDue, 1, 100),
        due(Principal, PastDue, 1, 900),
    ];
    let a = allocate_payment(usd(1_050), &dues, &AllocationOrder::default()).unwrap();
    assert_eq!(applied(&a), vec![dec!(0.50), dec!(0), dec!(1), dec!(9)]);
}

#[test]
fn component_first_pays_every_interest_before_any_principal() {
    let order = AllocationOrder::new(
        [Penalty, Fee, Interest, Principal],
        AllocationStrategy::ComponentFirst,
    )
    .unwrap();
    let dues = [
        due(Interest, PastDue, 2, 100),
        due(Principal, PastDue, 2, 900),
        due(Interest, PastDue, 1, 100),
        due(Principal, PastDue, 1, 900),
    ];
    let a = allocate_payment(usd(1_050), &dues, &order).unwrap();
    assert_eq!(applied(&a), vec![dec!(1), dec!(0), dec!(1), dec!(8.50)]);
}

#[test]
fn a_configured_principal_first_order_is_honoured() {
    let order = AllocationOrder::new(
        [Principal, Interest, Fee, Penalty],
        AllocationStrategy::InstallmentFirst,
    )
    .unwrap();
    let dues = [
        due(Penalty, PastDue, 1, 100),
        due(Principal, PastDue, 1, 100),
    ];
    let a = allocate_payment(usd(150), &dues, &order).unwrap();
    assert_eq!(applied(&a), vec![dec!(0.50), dec!(1)]);
}

#[test]
fn an_overpayment_leaves_the_rest_unapplied() {
    let dues = [due(Fee, Current, 1, 500)];
    let a = allocate_payment(usd(800), &dues, &AllocationOrder::default()).unwrap();
    assert_eq!(applied(&a), vec![dec!(5)]);
    assert_eq!(a.unapplied, usd(300));
}

#[test]
fn an_order_naming_a_component_twice_is_refused() {
    let err = AllocationOrder::new(
        [Fee, Fee, Interest, Principal],
        AllocationStrategy::InstallmentFirst,
    );
    assert_eq!(err, Err(AllocationError::RepeatedComponent(Fee)));
    let json = r#"{"components":["fee","fee","interest","principal"]}"#;
    assert!(serde_json::from_str::<AllocationOrder>(json).is_err());
}

#[test]
fn negative_payments_and_other_currencies_are_refused() {
    let dues = [due(Fee, Current, 1, 500)];
    let order = AllocationOrder::default();
    assert_eq!(
        allocate_payment(usd(-1), &dues, &order),
        Err(AllocationError::NegativeAmount)
    );
    let eur = Money::from_minor(100, Currency::Eur);
    assert!(matches!(
        allocate_payment(eur, &dues, &order),
        Err(AllocationError::Money(MoneyError::CurrencyMismatch { .. }))
    ));
}

fn arb_due() -> impl Strategy<Value = Due> {
    let kind = prop_oneof![Just(Penalty), Just(Fee), Just(Interest), Just(Principal)];
    let status = prop_oneof![Just(PastDue), Just(Current), Just(NotYetDue)];
    (kind, status, 1u32..13, 0i64..1_000_000).prop_map(|(k, s, m, c)| due(k, s, m, c))
}

proptest! {
    #[test]
    fn applied_plus_unapplied_is_the_payment_and_no_due_is_over_applied(
        dues in proptest::collection::vec(arb_due(), 0..30),
        payment in 0i64..20_000_000,
        component_first in any::<bool>(),
    ) {
        let strategy = if component_first {
            AllocationStrategy::ComponentFirst
        } else {
            AllocationStrategy::InstallmentFirst
        };
        let order = AllocationOrder::new([Penalty, Fee, Interest, Principal], strategy).unwrap();
        let a = allocate_payment(usd(payment), &dues, &order).unwrap();
        let total: Decimal = a.applied.iter().map(Money::amount).sum();
        prop_assert_eq!(total + a.unapplied.amount(), usd(payment).amount());
        for (share, d) in a.applied.iter().zip(&dues) {
            prop_assert!(!share.is_negative());
            prop_assert!(share.amount() <= d.amount.amount());
        }
        let owed: Decimal = dues.iter().map(|d| d.amount.amount()).sum();
        prop_assert!(a.unapplied.is_zero() || total == owed);
    }
}
