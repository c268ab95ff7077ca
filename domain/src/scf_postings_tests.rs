//! Tests of the supply-chain finance postings.

use super::*;
use crate::factoring::{factoring_quote, settle, FactoringInput, FactoringTerms};
use crate::money::Currency;
use crate::rate::Rate;
use rust_decimal::Decimal;

fn quote() -> FactoringQuote {
    let face = Money::parse_positive("100000.00", Currency::Cny).unwrap();
    factoring_quote(&FactoringInput {
        face,
        eligible: face,
        purchase_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        due_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        terms: FactoringTerms {
            advance_rate: Rate::parse("0.8").unwrap(),
            discount_rate: Rate::parse("0.06").unwrap(),
            service_fee_rate: Rate::parse("0.005").unwrap(),
            basis_days: 360,
        },
    })
    .unwrap()
}

fn cny(amount: &str) -> Money {
    Money::parse_non_negative(amount, Currency::Cny).unwrap()
}

fn booking(cause: ShortfallCause, recourse: bool, set_off: &str) -> Booking {
    Booking {
        cause,
        recourse,
        set_off: cny(set_off),
    }
}

fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

fn lines(e: &JournalEntry) -> Vec<(&str, Decimal)> {
    e.postings()
        .iter()
        .map(|p| (p.account.as_str(), p.amount))
        .collect()
}

fn dec(amount: &str) -> Decimal {
    amount.parse().unwrap()
}

#[test]
fn settlement_balances_for_full_short_and_zero_payments_whoever_bears_the_shortfall() {
    let q = quote();
    for paid in ["100000.00", "90000.00", "70000.00", "0"] {
        let s = settle(&q, cny(paid)).unwrap();
        for (cause, recourse) in [
            (ShortfallCause::Dilution, true),
            (ShortfallCause::Default, true),
            (ShortfallCause::Default, false),
        ] {
            let e = invoice_settlement("r1", "s1", &q, &s, &booking(cause, recourse, "0"), on())
                .unwrap();
            let sum: Decimal = e.postings().iter().map(|p| p.amount).sum();
            assert!(sum.is_zero(), "{paid} {cause:?} {recourse}");
        }
    }
}

#[test]
fn dilution_is_the_suppliers_in_every_program_and_only_a_default_without_recourse_a_loss() {
    use ShortfallBearer::{Factor, Supplier};
    use ShortfallCause::Dilution;
    assert_eq!(shortfall_bearer(Dilution, true), Supplier);
    assert_eq!(shortfall_bearer(Dilution, false), Supplier);
    assert_eq!(shortfall_bearer(ShortfallCause::Default, true), Supplier);
    assert_eq!(shortfall_bearer(ShortfallCause::Default, false), Factor);
}

#[test]
fn a_short_payment_beyond_the_reserve_without_recourse_is_a_claim_on_the_supplier() {
    let q = quote();
    // Owed 80,000 + 800 discount + 500 service = 81,300; 70,000 paid leaves 11,300.
    let s = settle(&q, cny("70000.00")).unwrap();
    let e = invoice_settlement(
        "r1",
        "s1",
        &q,
        &s,
        &booking(ShortfallCause::Dilution, false, "0"),
        on(),
    )
    .unwrap();
    assert_eq!(e.kind(), "factoring_settlement");
    assert_eq!(
        lines(&e),
        vec![
            ("cash:platform", dec("70000.00")),
            ("reserve:s1", dec("20000.00")),
            ("recourse_receivable:s1", dec("11300.00")),
            ("factored_receivables:r1", dec("-100000.00")),
            ("fee_income:factoring", dec("-1300.00")),
        ]
    );
}

#[test]
fn a_default_with_a_partial_recovery_without_recourse_loses_only_the_rest() {
    let q = quote();
    // 60,000 recovered from the insolvent debtor against 81,300 owed: 21,300 lost.
    let s = settle(&q, cny("60000.00")).unwrap();
    let e = invoice_settlement(
        "r1",
        "s1",
        &q,
        &s,
        &booking(ShortfallCause::Default, false, "0"),
        on(),
    )
    .unwrap();
    assert_eq!(e.kind(), "factoring_default");
    assert_eq!(
        lines(&e),
        vec![
            ("cash:platform", dec("60000.00")),
            ("reserve:s1", dec("20000.00")),
            ("credit_losses", dec("21300.00")),
            ("factored_receivables:r1", dec("-100000.00")),
            ("fee_income:factoring", dec("-1300.00")),
        ]
    );
}

#[test]
fn a_pool_collection_settles_the_suppliers_recourse_claims_before_remitting() {
    let e = pool_collection(
        "p1",
        "s1",
        cny("10000.00"),
        cny("4060.00"),
        cny("5000.00"),
        on(),
    )
    .unwrap();
    assert_eq!(
        lines(&e),
        vec![
            ("cash:platform", dec("10000.00")),
            ("pool_advances:p1", dec("-4060.00")),
            ("recourse_receivable:s1", dec("-5000.00")),
            ("cash:platform", dec("-940.00")),
        ]
    );
    let too_much = pool_collection("p1", "s1", cny("1000"), cny("600"), cny("500"), on());
    assert!(too_much.is_err());
}

#[test]
fn a_full_payment_pays_the_suppliers_earlier_claims_from_the_reserve_before_cash() {
    let q = quote();
    let s = settle(&q, cny("100000.00")).unwrap();
    let how = booking(ShortfallCause::Dilution, true, "5000.00");
    let e = invoice_settlement("r1", "s1", &q, &s, &how, on()).unwrap();
    assert_eq!(
        lines(&e),
        vec![
            ("cash:platform", dec("100000.00")),
            ("reserve:s1", dec("20000.00")),
            ("factored_receivables:r1", dec("-100000.00")),
            ("fee_income:factoring", dec("-1300.00")),
            ("recourse_receivable:s1", dec("-5000.00")),
            ("cash:platform", dec("-13700.00")),
        ]
    );
    let too_much = booking(ShortfallCause::Dilution, true, "18700.01");
    assert!(invoice_settlement("r1", "s1", &q, &s, &too_much, on()).is_err());
}

#[test]
fn a_default_without_recourse_is_a_credit_loss_with_no_cash_lines() {
    let q = quote();
    let s = settle(&q, cny("0")).unwrap();
    let e = invoice_settlement(
        "r1",
        "s1",
        &q,
        &s,
        &booking(ShortfallCause::Default, false, "0"),
        on(),
    )
    .unwrap();
    assert_eq!(e.kind(), "factoring_default");
    assert_eq!(
        lines(&e),
        vec![
            ("reserve:s1", dec("20000.00")),
            ("credit_losses", dec("81300.00")),
            ("factored_receivables:r1", dec("-100000.00")),
            ("fee_income:factoring", dec("-1300.00")),
        ]
    );
}

#[test]
fn a_pool_collection_repays_what_is_drawn_and_remits_the_rest_to_the_supplier() {
    let e = pool_collection("p1", "s1", cny("10000.00"), cny("5025.00"), cny("0"), on()).unwrap();
    assert_eq!(
        lines(&e),
        vec![
            ("cash:platform", dec("10000.00")),
            ("pool_advances:p1", dec("-5025.00")),
            ("cash:platform", dec("-4975.00")),
        ]
    );
}

#[test]
fn a_pool_collection_has_no_zero_lines() {
    let all_applied =
        pool_collection("p1", "s1", cny("5000.00"), cny("5000.00"), cny("0"), on()).unwrap();
    assert_eq!(
        lines(&all_applied),
        vec![
            ("cash:platform", dec("5000.00")),
            ("pool_advances:p1", dec("-5000.00")),
        ]
    );
    let nothing_drawn =
        pool_collection("p1", "s1", cny("5000.00"), cny("0"), cny("0"), on()).unwrap();
    assert_eq!(
        lines(&nothing_drawn),
        vec![
            ("cash:platform", dec("5000.00")),
            ("cash:platform", dec("-5000.00")),
        ]
    );
}

#[test]
fn a_pool_collection_cannot_apply_more_than_was_paid() {
    let e = pool_collection("p1", "s1", cny("5000.00"), cny("6000.00"), cny("0"), on());
    assert_eq!(e, Err(LedgerError::InvalidAmount));
}

#[test]
fn a_defaulted_pool_receivables_share_is_claimed_from_the_supplier_or_lost() {
    let claim = pool_default("p1", "s1", cny("8000.00"), ShortfallBearer::Supplier, on());
    assert_eq!(
        lines(&claim.unwrap()),
        vec![
            ("recourse_receivable:s1", dec("8000.00")),
            ("pool_advances:p1", dec("-8000.00")),
        ]
    );
    let loss = pool_default("p1", "s1", cny("8000.00"), ShortfallBearer::Factor, on()).unwrap();
    assert_eq!(loss.kind(), "pool_default");
    assert_eq!(
        lines(&loss),
        vec![
            ("credit_losses", dec("8000.00")),
            ("pool_advances:p1", dec("-8000.00")),
        ]
    );
}

#[test]
fn a_zero_pool_default_share_is_not_an_entry() {
    let e = pool_default("p1", "s1", cny("0"), ShortfallBearer::Supplier, on());
    assert_eq!(e, Err(LedgerError::InvalidAmount));
}

#[test]
fn funding_pays_the_advance_and_owes_the_reserve() {
    let q = quote();
    let e = invoice_funding("r1", "s1", &q, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap();
    assert_eq!(e.postings().len(), 3);
    assert_eq!(e.postings()[1].amount, Decimal::new(-8_000_000, 2));
}
