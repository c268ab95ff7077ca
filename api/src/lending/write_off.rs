//! Writing off a loan from the write-off days past due (what it owes goes to credit losses and
//! its line is closed), and recoveries: later payments on a written-off loan.

use chrono::{NaiveDate, Utc};
use diesel::PgConnection;
use domain::ledger::{Account, JournalEntry};
use domain::money::{Currency, Money};
use persistence::loans::{self, LoanRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::accrual::account;
use super::repayment::{owed_unposted, post_with_accrual, record, Split};
use super::{currency, money};
use crate::error::ApiError;

/// A repayment on a written-off loan is a recovery: cash in, recoveries income.
pub(super) fn recover(
    conn: &mut PgConnection,
    mut loan: LoanRow,
    amount: Money,
    reference: &str,
    today: NaiveDate,
    actor: &str,
) -> Result<(LoanRow, Split), ApiError> {
    let written_off = loan.principal_outstanding()
        + loan.interest_outstanding()
        + loan.penalty_outstanding()
        + loan.fees_outstanding();
    if amount.amount() > written_off - loan.recovered {
        return Err(ApiError::unprocessable(
            "amount_exceeds_balance",
            "the recovery exceeds what was written off",
            Some("amount"),
        ));
    }
    let entry = JournalEntry::builder(
        amount.currency(),
        today,
        "recovery",
        &format!("loan:{}", loan.id),
    )
    .debit(&account("cash:platform")?, amount)
    .credit(&account("recoveries")?, amount)
    .build()
    .map_err(ApiError::internal)?;
    let entry_id = persistence::ledger::post(conn, Uuid::now_v7(), &entry, None)?;
    loan.recovered += amount.amount();
    loans::record_payment(conn, &loan)?;
    let none = Split {
        penalty: Decimal::ZERO,
        fees: Decimal::ZERO,
        interest: Decimal::ZERO,
        principal: Decimal::ZERO,
    };
    record(
        conn,
        &loan,
        "recovery",
        amount.amount(),
        none,
        Some(reference),
        entry_id,
        today,
    )?;
    let payload =
        serde_json::json!({"amount": amount.amount().to_string(), "reference": reference});
    persistence::audit::append(
        conn,
        &format!("loan:{}", loan.id),
        actor,
        "loan.recovered",
        &payload,
        Utc::now(),
    )?;
    Ok((loan, none))
}

/// Writes off what an active loan still owes: principal, interest and penalty to credit losses.
pub fn write_off(
    conn: &mut PgConnection,
    loan_id: Uuid,
    today: NaiveDate,
    min_dpd: i32,
    actor: &str,
) -> Result<LoanRow, ApiError> {
    let loan = loans::lock(conn, loan_id)?;
    if loan.status != "active" {
        return Err(ApiError::unprocessable(
            "loan_not_active",
            "only an active loan can be written off",
            None,
        ));
    }
    if loan.dpd < min_dpd {
        return Err(ApiError::unprocessable(
            "not_yet_writable",
            format!("a loan can be written off from {min_dpd} days past due"),
            None,
        ));
    }
    let (mut loan, _, mut entries) = owed_unposted(conn, loan_id, today)?;
    let ccy: Currency = currency(&loan.currency)?;
    let total = loan.principal_outstanding()
        + loan.interest_outstanding()
        + loan.penalty_outstanding()
        + loan.fees_outstanding();
    let mut entry = JournalEntry::builder(ccy, today, "write_off", &format!("loan:{loan_id}"))
        .debit(&account("credit_losses")?, money(total, ccy));
    for (value, name) in [
        (
            loan.principal_outstanding(),
            Account::of("loans_receivable", loan_id).map_err(ApiError::internal)?,
        ),
        (loan.interest_outstanding(), account("interest_receivable")?),
        (loan.penalty_outstanding(), account("penalty_receivable")?),
        (loan.fees_outstanding(), account("fee_receivable")?),
    ] {
        if !value.is_zero() {
            entry = entry.credit(&name, money(value, ccy));
        }
    }
    // A defaulter's line is closed, not replenished: the written-off principal stays used.
    // The line before ledger balances, in the house order.
    if let Some(line) = loan.line_id {
        persistence::credit_lines::close(conn, line, "loan_written_off")?;
    }
    entries.push(entry.build().map_err(ApiError::internal)?);
    let entry_id = post_with_accrual(conn, &entries)?;
    let split = Split {
        penalty: loan.penalty_outstanding(),
        fees: loan.fees_outstanding(),
        interest: loan.interest_outstanding(),
        principal: loan.principal_outstanding(),
    };
    loan.status = "written_off".into();
    loan.written_off_on = Some(today);
    loans::record_payment(conn, &loan)?;
    record(
        conn,
        &loan,
        "write_off",
        total,
        split,
        None,
        entry_id,
        today,
    )?;
    let payload = serde_json::json!({"written_off": total.to_string(), "dpd": loan.dpd});
    persistence::audit::append(
        conn,
        &format!("loan:{loan_id}"),
        actor,
        "loan.written_off",
        &payload,
        Utc::now(),
    )?;
    Ok(loan)
}
