#![allow(clippy::unwrap_used)]

use super::*;
use crate::money::Currency;
use rust_decimal_macros::dec;

fn usd(amount: Decimal) -> Money {
    Money::new(amount, Currency::Usd).round(RoundingMode::HalfUp)
}

fn rate(r: Decimal) -> Rate {
    Rate::new(r).unwrap()
}

fn invoice() -> FactoringInput {
    FactoringInput {
        face: usd(dec!(100000)),
        eligible: usd(dec!(100000)),
        purchase_date: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        due_date: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        terms: FactoringTerms {
            advance_rate: rate(dec!(0.8)),
            discount_rate: rate(dec!(0.09)),
            service_fee_rate: rate(dec!(0.005)),
            basis_days: 360,
        },
    }
}

#[test]
fn an_invoice_is_advanced_80_percent_with_a_discount_and_a_service_fee() {
    let q = factoring_quote(&invoice()).unwrap();
    // 60 days: 80000 × 0.09 × 60/360 = 1200; service 100000 × 0.5 % = 500.
    assert_eq!(q.days, 60);
    assert_eq!(q.advance.amount(), dec!(80000.00));
    assert_eq!(q.discount_fee.amount(), dec!(1200.00));
    assert_eq!(q.service_fee.amount(), dec!(500.00));
    assert_eq!(q.reserve.amount(), dec!(20000.00));
    assert_eq!(q.owed_to_factor.amount(), dec!(81700.00));
}

#[test]
fn a_full_payment_repays_the_factor_and_releases_the_rest_of_the_reserve() {
    let q = factoring_quote(&invoice()).unwrap();
    let s = settle(&q, usd(dec!(100000))).unwrap();
    assert_eq!(s.repaid_to_factor.amount(), dec!(81700.00));
    assert_eq!(s.reserve_released.amount(), dec!(18300.00));
    assert!(s.dilution.is_zero() && s.recourse_amount.is_zero());
}

#[test]
fn a_short_payment_is_charged_to_the_reserve_first() {
    let q = factoring_quote(&invoice()).unwrap();
    let s = settle(&q, usd(dec!(90000))).unwrap();
    assert_eq!(s.dilution.amount(), dec!(10000.00));
    assert_eq!(s.dilution_charged_to_reserve.amount(), dec!(10000.00));
    assert_eq!(s.reserve_released.amount(), dec!(8300.00));
    assert!(s.recourse_amount.is_zero());
}

#[test]
fn dilution_beyond_the_reserve_becomes_the_suppliers_recourse() {
    let q = factoring_quote(&invoice()).unwrap();
    let s = settle(&q, usd(dec!(70000))).unwrap();
    assert_eq!(s.recourse_amount.amount(), dec!(11700.00));
    assert_eq!(s.dilution_charged_to_reserve.amount(), dec!(18300.00));
    assert!(s.reserve_released.is_zero());
    let default = settle(&q, usd(dec!(0))).unwrap();
    assert_eq!(default.recourse_amount, q.owed_to_factor);
}

#[test]
fn invalid_invoices_and_payments_are_refused() {
    let mut i = invoice();
    i.eligible = usd(dec!(100001));
    assert_eq!(factoring_quote(&i), Err(FactoringError::InvalidAmounts));
    let mut i = invoice();
    i.due_date = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
    assert_eq!(factoring_quote(&i), Err(FactoringError::DueBeforePurchase));
    let q = factoring_quote(&invoice()).unwrap();
    assert_eq!(
        settle(&q, usd(dec!(100000.01))),
        Err(FactoringError::InvalidPayment)
    );
}

fn receivable(debtor: &str, amount: Decimal) -> Receivable {
    Receivable {
        debtor: debtor.into(),
        eligible: usd(amount),
    }
}

#[test]
fn a_debtor_above_the_concentration_limit_has_its_excess_excluded_from_the_base() {
    let pool = [
        receivable("acme", dec!(50000)),
        receivable("beta", dec!(20000)),
        receivable("acme", dec!(10000)),
        receivable("gamma", dec!(20000)),
    ];
    let base = borrowing_base(&pool, rate(dec!(0.85)), rate(dec!(0.25))).unwrap();
    // Total 100000, limit 25000: acme 60000 is 35000 over; (100000 − 35000) × 0.85 = 55250.
    assert_eq!(base.total_eligible.amount(), dec!(100000.00));
    assert_eq!(base.concentration_excess.amount(), dec!(35000.00));
    assert_eq!(base.borrowing_base.amount(), dec!(55250.00));
    let acme = &base.debtors[0];
    assert_eq!(
        (acme.debtor.as_str(), acme.excess.amount()),
        ("acme", dec!(35000.00))
    );
    assert!(base.debtors[1..].iter().all(|d| d.excess.is_zero()));
}

#[test]
fn each_debtor_is_lent_its_share_net_of_excess_and_the_shares_add_up_to_the_base() {
    let pool = [
        receivable("acme", dec!(50000)),
        receivable("beta", dec!(20000)),
        receivable("acme", dec!(10000)),
        receivable("gamma", dec!(20000)),
    ];
    let base = borrowing_base(&pool, rate(dec!(0.85)), rate(dec!(0.25))).unwrap();
    let lent: Vec<(&str, Decimal)> = base
        .debtors
        .iter()
        .map(|d| (d.debtor.as_str(), d.lent.amount()))
        .collect();
    // acme: (60000 − 35000) × 0.85; beta and gamma: 20000 × 0.85.
    assert_eq!(
        lent,
        vec![
            ("acme", dec!(21250)),
            ("beta", dec!(17000)),
            ("gamma", dec!(17000))
        ]
    );
    let sum: Decimal = lent.iter().map(|(_, l)| *l).sum();
    assert_eq!(sum, base.borrowing_base.amount());
}

#[test]
fn an_empty_pool_or_a_limit_above_one_is_refused() {
    assert_eq!(
        borrowing_base(&[], rate(dec!(0.8)), rate(dec!(0.2))),
        Err(FactoringError::InvalidAmounts)
    );
    let pool = [receivable("a", dec!(1))];
    assert_eq!(
        borrowing_base(&pool, rate(dec!(0.8)), rate(dec!(1.5))),
        Err(FactoringError::ShareAboveOne)
    );
}

#[test]
fn each_debtor_on_its_own_terms_lends_at_its_own_rate_within_its_own_limit() {
    let pool = [
        receivable("acme", dec!(60000)),
        receivable("beta", dec!(30000)),
        receivable("gamma", dec!(10000)),
    ];
    let terms = |advance, limit| DebtorTerms {
        advance_rate: rate(advance),
        concentration_limit: rate(limit),
    };
    let by_debtor = BTreeMap::from([
        ("acme".to_string(), terms(dec!(0.90), dec!(0.50))),
        ("beta".to_string(), terms(dec!(0.70), dec!(0.50))),
        ("gamma".to_string(), terms(dec!(0.80), dec!(0.05))),
    ]);
    let base = borrowing_base_by_debtor(&pool, &by_debtor).unwrap();
    // Total 100,000. acme: 10,000 over its 50 % limit, (60,000 − 10,000) × 0.90 = 45,000.
    // beta: within its limit, 30,000 × 0.70 = 21,000. gamma: 5,000 over its 5 % limit,
    // 5,000 × 0.80 = 4,000. Base 70,000; excess 15,000.
    assert_eq!(base.borrowing_base.amount(), dec!(70000.00));
    assert_eq!(base.concentration_excess.amount(), dec!(15000.00));
    // The same pool on one set of terms (the lowest of each): every debtor above 5,000,
    // (100,000 − 85,000) × 0.70 = 10,500.
    let one_rate = borrowing_base(&pool, rate(dec!(0.70)), rate(dec!(0.05))).unwrap();
    assert_eq!(one_rate.borrowing_base.amount(), dec!(10500.00));
    let missing = BTreeMap::from([("acme".to_string(), terms(dec!(0.9), dec!(1)))]);
    assert_eq!(
        borrowing_base_by_debtor(&pool, &missing),
        Err(FactoringError::NoTermsFor("beta".into()))
    );
}
