//! The journal entries of supply-chain finance, built from quotes and settlements.
//!
//! A single invoice is bought at face: the supplier receives the advance now and is owed the
//! reserve (`reserve:<supplier>`, a liability) until the debtor pays. At settlement the debtor's
//! payment comes in, the whole reserve is used up (fees, dilution, release to the supplier) and
//! whatever the payment and reserve cannot cover becomes a claim on the supplier (recourse) or a
//! loss (non-recourse). Because `reserve = face − advance` and `owed = advance + fees`, the entry
//! balances for every payment between zero and the face.
//!
//! Pools lend against a borrowing base: each draw is an advance plus its service fee, and
//! collections repay what is drawn. A discounted bill is bought at face less interest; at
//! maturity the acceptor pays it, or the face becomes a recourse claim on drawer and endorsers.

use chrono::NaiveDate;

use crate::factoring::{FactoringQuote, FactoringSettlement};
use crate::ledger::{Account, EntryBuilder, JournalEntry, LedgerError};
use crate::money::Money;

/// The ledger accounts used by supply-chain finance.
pub mod accounts {
    use super::*;

    pub fn cash() -> Result<Account, LedgerError> {
        Account::parse("cash:platform")
    }
    pub fn factoring_fees() -> Result<Account, LedgerError> {
        Account::parse("fee_income:factoring")
    }
    pub fn discount_interest() -> Result<Account, LedgerError> {
        Account::parse("interest_income:discount")
    }
    pub fn credit_losses() -> Result<Account, LedgerError> {
        Account::parse("credit_losses")
    }
}

/// Debits or credits `amount` only when it is not zero (zero lines are not postings).
fn debit_some(builder: EntryBuilder, account: &Account, amount: Money) -> EntryBuilder {
    if amount.is_zero() {
        builder
    } else {
        builder.debit(account, amount)
    }
}

fn credit_some(builder: EntryBuilder, account: &Account, amount: Money) -> EntryBuilder {
    if amount.is_zero() {
        builder
    } else {
        builder.credit(account, amount)
    }
}

/// Funding a single invoice: receivable at face, cash out for the advance, reserve owed.
pub fn invoice_funding(
    request: &str,
    supplier: &str,
    quote: &FactoringQuote,
    on: NaiveDate,
) -> Result<JournalEntry, LedgerError> {
    let reference = format!("factoring:{request}");
    let builder = JournalEntry::builder(quote.face.currency(), on, "factoring_funding", &reference)
        .memo("advance paid to the supplier; reserve held until the debtor pays")
        .debit(&Account::of("factored_receivables", request)?, quote.face)
        .credit(&accounts::cash()?, quote.advance);
    credit_some(builder, &Account::of("reserve", supplier)?, quote.reserve).build()
}

/// Settling a single invoice on the debtor's payment (zero for a default).
pub fn invoice_settlement(
    request: &str,
    supplier: &str,
    quote: &FactoringQuote,
    settlement: &FactoringSettlement,
    recourse: bool,
    on: NaiveDate,
) -> Result<JournalEntry, LedgerError> {
    let reference = format!("factoring:{request}");
    let kind = if settlement.debtor_payment.is_zero() {
        "factoring_default"
    } else {
        "factoring_settlement"
    };
    let shortfall_account = if recourse {
        Account::of("recourse_receivable", supplier)?
    } else {
        accounts::credit_losses()?
    };
    let cash = accounts::cash()?;
    let fees = quote
        .discount_fee
        .checked_add(quote.service_fee)
        .map_err(|_| LedgerError::InvalidAmount)?;
    let mut b = JournalEntry::builder(quote.face.currency(), on, kind, &reference)
        .memo("debtor payment; reserve applied to fees and dilution, the rest released");
    b = debit_some(b, &cash, settlement.debtor_payment);
    b = debit_some(b, &Account::of("reserve", supplier)?, quote.reserve);
    b = debit_some(b, &shortfall_account, settlement.recourse_amount);
    b = b.credit(&Account::of("factored_receivables", request)?, quote.face);
    b = credit_some(b, &accounts::factoring_fees()?, fees);
    b = credit_some(b, &cash, settlement.reserve_released);
    b.build()
}

/// A draw on a pool: the amount paid out plus its service fee are owed by the supplier.
pub fn pool_draw(
    pool: &str,
    amount: Money,
    fee: Money,
    on: NaiveDate,
) -> Result<JournalEntry, LedgerError> {
    let owed = amount
        .checked_add(fee)
        .map_err(|_| LedgerError::InvalidAmount)?;
    let b = JournalEntry::builder(amount.currency(), on, "pool_draw", &format!("pool:{pool}"))
        .debit(&Account::of("pool_advances", pool)?, owed)
        .credit(&accounts::cash()?, amount);
    credit_some(b, &accounts::factoring_fees()?, fee).build()
}

/// A collection on a pool receivable applied to what the pool owes.
pub fn pool_collection(
    pool: &str,
    applied: Money,
    on: NaiveDate,
) -> Result<JournalEntry, LedgerError> {
    JournalEntry::builder(
        applied.currency(),
        on,
        "pool_collection",
        &format!("pool:{pool}"),
    )
    .debit(&accounts::cash()?, applied)
    .credit(&Account::of("pool_advances", pool)?, applied)
    .build()
}

/// Discounting a bill: bought at face, proceeds paid, interest earned.
pub fn bill_discount(
    bill: &str,
    face: Money,
    interest: Money,
    proceeds: Money,
    on: NaiveDate,
) -> Result<JournalEntry, LedgerError> {
    let b = JournalEntry::builder(
        face.currency(),
        on,
        "bill_discount",
        &format!("bill:{bill}"),
    )
    .debit(&Account::of("bills_discounted", bill)?, face)
    .credit(&accounts::cash()?, proceeds);
    credit_some(b, &accounts::discount_interest()?, interest).build()
}

/// The acceptor pays the bill at maturity.
pub fn bill_payment(bill: &str, face: Money, on: NaiveDate) -> Result<JournalEntry, LedgerError> {
    JournalEntry::builder(face.currency(), on, "bill_payment", &format!("bill:{bill}"))
        .debit(&accounts::cash()?, face)
        .credit(&Account::of("bills_discounted", bill)?, face)
        .build()
}

/// The acceptor dishonours: the face becomes a claim on the drawer and endorsers.
pub fn bill_dishonour(bill: &str, face: Money, on: NaiveDate) -> Result<JournalEntry, LedgerError> {
    JournalEntry::builder(
        face.currency(),
        on,
        "bill_dishonour",
        &format!("bill:{bill}"),
    )
    .debit(&Account::of("bill_recourse", bill)?, face)
    .credit(&Account::of("bills_discounted", bill)?, face)
    .build()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
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

    #[test]
    fn settlement_balances_for_full_short_and_zero_payments_with_and_without_recourse() {
        let q = quote();
        let on = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        for paid in ["100000.00", "90000.00", "70000.00", "0"] {
            let payment = Money::parse_non_negative(paid, Currency::Cny).unwrap();
            let s = settle(&q, payment).unwrap();
            for recourse in [true, false] {
                let e = invoice_settlement("r1", "s1", &q, &s, recourse, on).unwrap();
                let sum: Decimal = e.postings().iter().map(|p| p.amount).sum();
                assert!(sum.is_zero(), "{paid} {recourse}");
            }
        }
    }

    #[test]
    fn funding_pays_the_advance_and_owes_the_reserve() {
        let q = quote();
        let e =
            invoice_funding("r1", "s1", &q, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap();
        assert_eq!(e.postings().len(), 3);
        assert_eq!(e.postings()[1].amount, Decimal::new(-8_000_000, 2));
    }
}
