//! Journal entries for the double-entry ledger.
//!
//! An entry is built through [`EntryBuilder`], which refuses to produce an entry whose postings
//! do not sum to zero, mix currencies, carry unrounded amounts or have fewer than two lines: an
//! unbalanced entry cannot exist in Rust (and the database refuses one too). Debits are stored as
//! positive amounts, credits as negative ones.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::money::{Currency, Money};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("account name {0:?} is not of the form class[:id…] (lower-case class, ids of [A-Za-z0-9_.-])")]
    InvalidAccount(String),
    #[error("posting in {found} on an entry in {expected}")]
    CurrencyMismatch { expected: Currency, found: Currency },
    #[error("posting amounts must be positive and rounded to the currency's minor units")]
    InvalidAmount,
    #[error("a journal entry needs at least two postings")]
    TooFewPostings,
    #[error("postings do not balance: debits minus credits is {0}")]
    Unbalanced(Decimal),
    #[error("entry kind and reference must be non-empty")]
    MissingDescription,
}

/// A ledger account name such as `loans_receivable:0193…` or `cash:platform`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Account(String);

impl Account {
    pub fn parse(name: &str) -> Result<Account, LedgerError> {
        let mut parts = name.split(':');
        let class_ok = parts.next().is_some_and(|c| {
            !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')
        });
        let ids_ok = parts.all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "_.-".contains(ch))
        });
        if class_ok && ids_ok && name.len() <= 200 {
            Ok(Account(name.to_string()))
        } else {
            Err(LedgerError::InvalidAccount(name.to_string()))
        }
    }

    /// `class:id`, e.g. `Account::of("loans_receivable", loan_id)`.
    pub fn of(class: &str, id: impl std::fmt::Display) -> Result<Account, LedgerError> {
        Account::parse(&format!("{class}:{id}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One line of an entry: positive = debit, negative = credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub account: Account,
    pub amount: Decimal,
}

/// A balanced journal entry, ready to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    currency: Currency,
    business_date: NaiveDate,
    kind: String,
    reference: String,
    memo: String,
    postings: Vec<Posting>,
}

impl JournalEntry {
    pub fn builder(
        currency: Currency,
        business_date: NaiveDate,
        kind: &str,
        reference: &str,
    ) -> EntryBuilder {
        EntryBuilder {
            entry: JournalEntry {
                currency,
                business_date,
                kind: kind.to_string(),
                reference: reference.to_string(),
                memo: String::new(),
                postings: Vec::new(),
            },
            error: None,
        }
    }

    /// The correcting entry: every posting negated, dated `business_date`.
    pub fn reversal(&self, business_date: NaiveDate, reference: &str) -> JournalEntry {
        JournalEntry {
            business_date,
            kind: "reversal".into(),
            reference: reference.to_string(),
            memo: format!("reversal of {} {}", self.kind, self.reference),
            postings: self
                .postings
                .iter()
                .map(|p| Posting {
                    account: p.account.clone(),
                    amount: -p.amount,
                })
                .collect(),
            ..self.clone()
        }
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }
    pub fn business_date(&self) -> NaiveDate {
        self.business_date
    }
    pub fn kind(&self) -> &str {
        &self.kind
    }
    pub fn reference(&self) -> &str {
        &self.reference
    }
    pub fn memo(&self) -> &str {
        &self.memo
    }
    pub fn postings(&self) -> &[Posting] {
        &self.postings
    }
}

/// Collects postings; the first error sticks and is reported by [`EntryBuilder::build`].
#[derive(Debug)]
pub struct EntryBuilder {
    entry: JournalEntry,
    error: Option<LedgerError>,
}

impl EntryBuilder {
    pub fn memo(mut self, memo: &str) -> Self {
        self.entry.memo = memo.to_string();
        self
    }

    pub fn debit(self, account: &Account, amount: Money) -> Self {
        self.line(account, amount, false)
    }

    pub fn credit(self, account: &Account, amount: Money) -> Self {
        self.line(account, amount, true)
    }

    fn line(mut self, account: &Account, amount: Money, credit: bool) -> Self {
        if self.error.is_some() {
            return self;
        }
        if amount.currency() != self.entry.currency {
            self.error = Some(LedgerError::CurrencyMismatch {
                expected: self.entry.currency,
                found: amount.currency(),
            });
        } else if !amount.is_positive() || !amount.is_rounded() {
            self.error = Some(LedgerError::InvalidAmount);
        } else {
            let value = if credit {
                -amount.amount()
            } else {
                amount.amount()
            };
            self.entry.postings.push(Posting {
                account: account.clone(),
                amount: value,
            });
        }
        self
    }

    pub fn build(self) -> Result<JournalEntry, LedgerError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let entry = self.entry;
        if entry.kind.is_empty() || entry.reference.is_empty() {
            return Err(LedgerError::MissingDescription);
        }
        if entry.postings.len() < 2 {
            return Err(LedgerError::TooFewPostings);
        }
        let sum: Decimal = entry.postings.iter().map(|p| p.amount).sum();
        if !sum.is_zero() {
            return Err(LedgerError::Unbalanced(sum));
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(s: &str) -> Money {
        Money::parse_positive(s, Currency::Cny).unwrap()
    }

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 11).unwrap()
    }

    fn accounts() -> (Account, Account) {
        (
            Account::parse("loans_receivable:L1").unwrap(),
            Account::parse("cash:platform").unwrap(),
        )
    }

    #[test]
    fn a_balanced_entry_is_built_with_debits_positive_and_credits_negative() {
        let (loan, cash) = accounts();
        let entry = JournalEntry::builder(Currency::Cny, date(), "disbursement", "loan:L1")
            .debit(&loan, cny("1000.00"))
            .credit(&cash, cny("1000.00"))
            .build()
            .unwrap();
        assert_eq!(entry.postings()[0].amount, Decimal::new(100000, 2));
        assert_eq!(entry.postings()[1].amount, Decimal::new(-100000, 2));
    }

    #[test]
    fn an_unbalanced_entry_cannot_be_built() {
        let (loan, cash) = accounts();
        let err = JournalEntry::builder(Currency::Cny, date(), "disbursement", "loan:L1")
            .debit(&loan, cny("1000.00"))
            .credit(&cash, cny("999.99"))
            .build()
            .unwrap_err();
        assert_eq!(err, LedgerError::Unbalanced(Decimal::new(1, 2)));
    }

    #[test]
    fn a_posting_in_another_currency_is_refused() {
        let (loan, cash) = accounts();
        let usd = Money::parse_positive("10.00", Currency::Usd).unwrap();
        let err = JournalEntry::builder(Currency::Cny, date(), "x", "y")
            .debit(&loan, usd)
            .credit(&cash, usd)
            .build()
            .unwrap_err();
        assert!(matches!(err, LedgerError::CurrencyMismatch { .. }));
    }

    #[test]
    fn a_single_line_entry_is_refused() {
        let (loan, _) = accounts();
        let err = JournalEntry::builder(Currency::Cny, date(), "x", "y")
            .debit(&loan, cny("1.00"))
            .build();
        assert_eq!(err.unwrap_err(), LedgerError::TooFewPostings);
    }

    #[test]
    fn a_reversal_negates_every_posting_and_still_balances() {
        let (loan, cash) = accounts();
        let entry = JournalEntry::builder(Currency::Cny, date(), "disbursement", "loan:L1")
            .debit(&loan, cny("5.00"))
            .credit(&cash, cny("5.00"))
            .build()
            .unwrap();
        let reversal = entry.reversal(date(), "loan:L1");
        assert_eq!(reversal.postings()[0].amount, Decimal::new(-500, 2));
        assert_eq!(
            reversal
                .postings()
                .iter()
                .map(|p| p.amount)
                .sum::<Decimal>(),
            Decimal::ZERO
        );
    }

    #[test]
    fn account_names_are_validated() {
        assert!(Account::parse("reserve:supplier-1").is_ok());
        assert!(Account::parse("interest_income").is_ok());
        for bad in ["", "Cash", "cash:", "cash: x", ":x", "cash:a b"] {
            assert!(Account::parse(bad).is_err(), "{bad:?}");
        }
    }
}
