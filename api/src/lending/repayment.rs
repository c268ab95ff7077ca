//! The repayment path for the products whose services still answer `ApiError` (installment
//! refunds, order financing): thin adapters over [`crate::usecases::lending::repayment`] and
//! [`crate::usecases::lending::booking`], where the path itself lives. They go away as those
//! products move into the use-case layer.

use chrono::{NaiveDate, SubsecRound, Utc};
use diesel::PgConnection;
use domain::ledger::JournalEntry;
use domain::money::Money;
use persistence::loans::LoanRow;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::ApiError;
use crate::usecases::lending::booking::{self, Movement, Owed, Payment};
use crate::usecases::lending::repayment as path;

pub use crate::usecases::lending::booking::Split;

/// See [`path::payoff_quote`].
pub fn payoff_quote(
    conn: &mut PgConnection,
    loan_id: Uuid,
    date: NaiveDate,
) -> Result<Owed, ApiError> {
    Ok(path::payoff_quote(conn, loan_id, date)?)
}

/// See [`path::repay_loan`].
pub fn repay(
    conn: &mut PgConnection,
    loan_id: Uuid,
    amount: Money,
    reference: &str,
    today: NaiveDate,
    actor: &str,
) -> Result<(LoanRow, Split), ApiError> {
    let paid = Payment {
        amount,
        reference,
        today,
        now: Utc::now().trunc_subsecs(6),
        actor,
    };
    Ok(path::repay_loan(conn, loan_id, paid)?)
}

/// See [`booking::owed_unposted`].
#[must_use = "the accrual's entries must be posted"]
pub(super) fn owed_unposted(
    conn: &mut PgConnection,
    loan_id: Uuid,
    today: NaiveDate,
) -> Result<(LoanRow, Owed, Vec<JournalEntry>), ApiError> {
    Ok(booking::owed_unposted(conn, loan_id, today)?)
}

/// See [`booking::post_with_accrual`].
pub(super) fn post_with_accrual(
    conn: &mut PgConnection,
    entries: &[JournalEntry],
) -> Result<Uuid, ApiError> {
    Ok(booking::post_with_accrual(conn, entries)?)
}

/// See [`booking::record`].
#[allow(clippy::too_many_arguments)] // one row's columns, named at the call sites
pub(crate) fn record(
    conn: &mut PgConnection,
    loan: &LoanRow,
    kind: &str,
    amount: Decimal,
    split: Split,
    reference: Option<&str>,
    entry: Uuid,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let movement = Movement {
        kind,
        amount,
        split,
        reference,
        entry,
    };
    Ok(booking::record(
        conn,
        loan,
        movement,
        today,
        Utc::now().trunc_subsecs(6),
    )?)
}
