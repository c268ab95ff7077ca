//! The journal entries of supply-chain finance, built from quotes and settlements.
//!
//! A single invoice is bought at face: the supplier receives the advance now and is owed the
//! reserve (`reserve:<supplier>`, a liability) until the debtor pays. At settlement the debtor's
//! payment comes in, the whole reserve is used up (fees, dilution, release to the supplier) and
//! whatever the payment and reserve cannot cover is borne as [`shortfall_bearer`] decides: a
//! claim on the supplier, or a credit loss. Because `reserve = face − advance` and `owed = advance
//! + fees`, the entry balances for every payment between zero and the face.
//!
//! Pools lend against a borrowing base: each draw is an advance plus its service fee, and
//! collections repay what is drawn, the rest of a payment going to the supplier. A defaulted
//! pool receivable takes its share of what is drawn out of the pool's advances. A discounted
//! bill is bought at face less interest; at maturity the acceptor pays it, or the face becomes a
//! recourse claim on drawer and endorsers.

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

/// Why a financed receivable was not paid in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortfallCause {
    /// A short payment: credit notes, returns, disputes between supplier and debtor.
    Dilution,
    /// No payment by the due date plus grace.
    Default,
}

/// Who bears what a receivable's payment (and, for a single invoice, its reserve) leaves unpaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortfallBearer {
    /// A claim on the supplier, `recourse_receivable:<supplier>`.
    Supplier,
    /// The factor's credit loss, `credit_losses`.
    Factor,
}

impl ShortfallBearer {
    /// The account debited with the shortfall.
    pub fn account(self, supplier: &str) -> Result<Account, LedgerError> {
        match self {
            ShortfallBearer::Supplier => Account::of("recourse_receivable", supplier),
            ShortfallBearer::Factor => accounts::credit_losses(),
        }
    }
}

/// How a single invoice's settlement is booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booking {
    /// Why anything is left unpaid (which decides who bears it, with `recourse`).
    pub cause: ShortfallCause,
    /// Whether the program has recourse to the supplier.
    pub recourse: bool,
    /// Of the reserve left over, what pays the supplier's earlier recourse claims.
    pub set_off: Money,
}

/// Dilution arises between supplier and debtor, so it is never the factor's credit risk: the
/// supplier bears it in every program. Only a default without recourse is the factor's loss.
pub fn shortfall_bearer(cause: ShortfallCause, recourse: bool) -> ShortfallBearer {
    match cause {
        ShortfallCause::Dilution => ShortfallBearer::Supplier,
        ShortfallCause::Default if recourse => ShortfallBearer::Supplier,
        ShortfallCause::Default => ShortfallBearer::Factor,
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
    how: &Booking,
    on: NaiveDate,
) -> Result<JournalEntry, LedgerError> {
    let Booking {
        cause,
        recourse,
        set_off,
    } = *how;
    // Of the reserve left over, `set_off` pays what the supplier owes on earlier recourse
    // claims; only the rest goes out as cash.
    let released = settlement
        .reserve_released
        .checked_sub(set_off)
        .map_err(|_| LedgerError::InvalidAmount)?;
    if released.is_negative() || set_off.is_negative() {
        return Err(LedgerError::InvalidAmount);
    }
    let reference = format!("factoring:{request}");
    let kind = match cause {
        ShortfallCause::Default => "factoring_default",
        ShortfallCause::Dilution => "factoring_settlement",
    };
    let shortfall_account = shortfall_bearer(cause, recourse).account(supplier)?;
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
    b = credit_some(b, &Account::of("recourse_receivable", supplier)?, set_off);
    b = credit_some(b, &cash, released);
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

/// The debtor's payment of a pool receivable: `applied` repays what the pool has drawn,
/// `set_off` what the supplier owes on recourse claims, and the rest is remitted to the
/// supplier (a supplier who owes the factor is not paid cash first).
pub fn pool_collection(
    pool: &str,
    supplier: &str,
    payment: Money,
    applied: Money,
    set_off: Money,
    on: NaiveDate,
) -> Result<JournalEntry, LedgerError> {
    let remitted = payment
        .checked_sub(applied)
        .and_then(|rest| rest.checked_sub(set_off))
        .map_err(|_| LedgerError::InvalidAmount)?;
    if remitted.is_negative() || set_off.is_negative() {
        return Err(LedgerError::InvalidAmount);
    }
    let cash = accounts::cash()?;
    let mut b = JournalEntry::builder(
        payment.currency(),
        on,
        "pool_collection",
        &format!("pool:{pool}"),
    )
    .memo("debtor payment; what the pool has drawn is repaid, then the supplier's recourse claims, the rest remitted");
    b = debit_some(b, &cash, payment);
    b = credit_some(b, &Account::of("pool_advances", pool)?, applied);
    b = credit_some(b, &Account::of("recourse_receivable", supplier)?, set_off);
    b = credit_some(b, &cash, remitted);
    b.build()
}

/// A defaulted pool receivable: its share of what the pool has drawn leaves the pool's advances
/// for whoever bears it.
pub fn pool_default(
    pool: &str,
    supplier: &str,
    share: Money,
    bearer: ShortfallBearer,
    on: NaiveDate,
) -> Result<JournalEntry, LedgerError> {
    JournalEntry::builder(
        share.currency(),
        on,
        "pool_default",
        &format!("pool:{pool}"),
    )
    .memo("defaulted receivable's share of what the pool has drawn")
    .debit(&bearer.account(supplier)?, share)
    .credit(&Account::of("pool_advances", pool)?, share)
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
#[path = "scf_postings_tests.rs"]
mod tests;
