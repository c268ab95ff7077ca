//! Writing off a loan from the write-off days past due (what it owes goes to credit losses and
//! its line is closed), and recoveries: later payments on a written-off loan.

use chrono::NaiveDate;
use diesel::PgConnection;
use domain::ledger::{Account, JournalEntry};
use persistence::audit::{AuditLog, Chain};
use persistence::loans::{self, LoanRow};
use uuid::Uuid;

use super::accrual::{account, stored_currency, stored_money};
use super::booking::{
    lock_visible, owed_unposted, post_with_accrual, record, status_of, written_off_total, Movement,
    Payment, Split,
};
use crate::usecases::{Context, UseCaseError};

/// A repayment on a written-off loan is a recovery: cash in, recoveries income.
pub fn recover(
    conn: &mut PgConnection,
    log: &mut AuditLog,
    mut loan: LoanRow,
    paid: Payment<'_>,
) -> Result<(LoanRow, Split), UseCaseError> {
    let amount = paid.amount;
    if amount.amount() > written_off_total(&loan) - loan.recovered {
        return Err(UseCaseError::refused(
            "amount_exceeds_balance",
            "the recovery exceeds what was written off",
            Some("amount"),
        ));
    }
    let entry = JournalEntry::builder(
        amount.currency(),
        paid.today,
        "recovery",
        &format!("loan:{}", loan.id),
    )
    .debit(&account("cash:platform")?, amount)
    .credit(&account("recoveries")?, amount)
    .build()
    .map_err(|e| UseCaseError::corrupt("recovery entry", e))?;
    let entry = persistence::ledger::post(conn, loan.party_id, Uuid::now_v7(), &entry, None)?;
    loan.recovered += amount.amount();
    loans::record_payment(conn, &loan)?;
    let movement = Movement {
        kind: "recovery",
        amount: amount.amount(),
        split: Split::default(),
        reference: Some(paid.reference),
        entry,
    };
    record(conn, &loan, movement, paid.today, paid.now)?;
    let payload =
        serde_json::json!({"amount": amount.amount().to_string(), "reference": paid.reference});
    log.record(
        &Chain::of(loan.party_id, "loan", loan.id),
        paid.actor,
        "loan.recovered",
        &payload,
        paid.now,
    );
    Ok((loan, Split::default()))
}

/// Writes off what an active loan still owes (principal, interest, penalty and fees to credit
/// losses), once it is at least the policy's write-off days past due.
pub fn write_off(ctx: &mut Context<'_>, loan_id: Uuid) -> Result<LoanRow, UseCaseError> {
    let (today, min_dpd) = (ctx.today, ctx.policy.loans.write_off_after_dpd);
    let locked = lock_visible(ctx, loan_id)?;
    let written_off = status_of(&locked)?.write_off().map_err(|_| {
        UseCaseError::refused(
            "loan_not_active",
            "only an active loan can be written off",
            None,
        )
    })?;
    if locked.dpd < min_dpd {
        return Err(UseCaseError::refused(
            "not_yet_writable",
            format!("a loan can be written off from {min_dpd} days past due"),
            None,
        ));
    }
    let conn = &mut *ctx.conn;
    let (mut loan, _, mut entries) = owed_unposted(conn, locked.party_id, loan_id, today)?;
    let total = written_off_total(&loan);
    let split = Split {
        penalty: loan.penalty_outstanding(),
        fees: loan.fees_outstanding(),
        interest: loan.interest_outstanding(),
        principal: loan.principal_outstanding(),
    };
    // A defaulter's line is closed, not replenished: the written-off principal stays used.
    // The line before ledger balances, in the house order.
    if let Some(line) = loan.line_id {
        persistence::credit_lines::close(conn, loan.party_id, line, "loan_written_off")?;
    }
    entries.push(write_off_entry(&loan, split, total, today)?);
    let entry = post_with_accrual(conn, loan.party_id, &entries)?;
    loan.status = written_off.as_str().into();
    loan.written_off_on = Some(today);
    loans::record_payment(conn, &loan)?;
    let movement = Movement {
        kind: "write_off",
        amount: total,
        split,
        reference: None,
        entry,
    };
    record(conn, &loan, movement, today, ctx.now)?;
    let payload = serde_json::json!({"written_off": total.to_string(), "dpd": loan.dpd});
    ctx.audit(
        &Chain::of(loan.party_id, "loan", loan_id),
        "loan.written_off",
        &payload,
    );
    Ok(loan)
}

/// Credit losses against every receivable the loan still carries.
fn write_off_entry(
    loan: &LoanRow,
    split: Split,
    total: rust_decimal::Decimal,
    today: NaiveDate,
) -> Result<JournalEntry, UseCaseError> {
    let ccy = stored_currency(&loan.currency)?;
    let receivable = Account::of("loans_receivable", loan.id)
        .map_err(|e| UseCaseError::corrupt("account", e))?;
    let mut entry = JournalEntry::builder(ccy, today, "write_off", &format!("loan:{}", loan.id))
        .debit(&account("credit_losses")?, stored_money(total, ccy));
    for (value, name) in [
        (split.principal, receivable),
        (split.interest, account("interest_receivable")?),
        (split.penalty, account("penalty_receivable")?),
        (split.fees, account("fee_receivable")?),
    ] {
        if !value.is_zero() {
            entry = entry.credit(&name, stored_money(value, ccy));
        }
    }
    entry
        .build()
        .map_err(|e| UseCaseError::corrupt("write-off entry", e))
}
