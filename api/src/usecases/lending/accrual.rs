//! Posting what the set-based accrual moved into the ledger (interest, penalty interest and
//! installment fees falling due): one entry per currency.

use chrono::NaiveDate;
use diesel::PgConnection;
use domain::ledger::{Account, JournalEntry};
use domain::money::{Currency, Money, RoundingMode};
use persistence::loans_eod::{self, Scope};
use rust_decimal::Decimal;

use crate::usecases::UseCaseError;

/// Accrues interest and penalty interest for every day before `through` on all active loans and
/// books the rounded increase; answers how many loans moved. The entries sum over every
/// borrower, on platform accounts: they are the platform's.
pub fn accrue_and_post(
    conn: &mut PgConnection,
    through: NaiveDate,
    business_date: NaiveDate,
) -> Result<i64, UseCaseError> {
    let (moved, entries) = accrue(conn, through, Scope::Active, business_date)?;
    persistence::ledger::post_all(conn, persistence::ledger::PLATFORM, &entries)?;
    Ok(moved)
}

/// Accrues like [`accrue_and_post`] but answers the entries instead of posting them: the
/// caller must post them in the same transaction (the loans already count them as booked).
#[must_use = "the accrued amounts are on the loans; their entries must be posted"]
pub fn accrue(
    conn: &mut PgConnection,
    through: NaiveDate,
    scope: Scope,
    business_date: NaiveDate,
) -> Result<(i64, Vec<JournalEntry>), UseCaseError> {
    let totals = loans_eod::accrue(conn, through, business_date, scope)?;
    let reference = match scope {
        Scope::Loan { id, .. } => format!("loan:{id}"),
        Scope::Active => format!("eod:{business_date}"),
    };
    let mut moved = 0;
    let mut entries = Vec::new();
    for total in totals {
        moved += total.loans;
        let ccy = stored_currency(&total.currency)?;
        let mut entry = JournalEntry::builder(ccy, business_date, "interest_accrual", &reference);
        let mut lines = 0;
        for (amount, receivable, income) in [
            (total.interest, "interest_receivable", "interest_income"),
            (total.penalty, "penalty_receivable", "penalty_income"),
            (total.fees, "fee_receivable", "fee_income"),
        ] {
            if amount.is_sign_positive() && !amount.is_zero() {
                let value = stored_money(amount, ccy);
                entry = entry
                    .debit(&account(receivable)?, value)
                    .credit(&account(income)?, value);
                lines += 1;
            }
        }
        if lines > 0 {
            entries.push(
                entry
                    .build()
                    .map_err(|e| UseCaseError::corrupt("accrual entry", e))?,
            );
        }
    }
    Ok((moved, entries))
}

/// One of our own ledger accounts by name; a name the ledger refuses is our defect.
pub fn account(name: &str) -> Result<Account, UseCaseError> {
    Account::parse(name).map_err(|e| UseCaseError::corrupt("account", e))
}

/// A stored currency code; a code the domain does not know is a corrupt row.
pub use crate::usecases::figures::stored_currency;

/// A stored amount as money, in whole minor units (accruals keep more decimals).
pub fn stored_money(amount: Decimal, currency: Currency) -> Money {
    Money::new(amount, currency).round(RoundingMode::HalfEven)
}
