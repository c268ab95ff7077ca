//! What a loan owes on a date, and how a money movement on a loan is booked: the accrual to
//! date posted with the movement's own entry, and the movement recorded as a transaction.
//! Shared by repayments, recoveries, write-offs and refunds.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use domain::ledger::JournalEntry;
use persistence::loans::{self, LoanRow, TransactionRow};
use persistence::loans_eod::Scope;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::accrual::accrue;
use crate::usecases::{Context, UseCaseError};

/// What the loan owes on a date, by component.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Owed {
    pub penalty: Decimal,
    /// Installment fees of installments due by the date (a fee not yet due is never owed).
    pub fees: Decimal,
    pub interest: Decimal,
    pub principal_past_due: Decimal,
    pub principal_due: Decimal,
    pub principal_not_yet_due: Decimal,
}

impl Owed {
    pub fn total(&self) -> Decimal {
        self.penalty
            + self.fees
            + self.interest
            + self.principal_past_due
            + self.principal_due
            + self.principal_not_yet_due
    }

    /// What is due on the date: paying it keeps the loan current.
    pub fn due_now(&self) -> Decimal {
        self.total() - self.principal_not_yet_due
    }

    pub fn principal(&self) -> Decimal {
        self.principal_past_due + self.principal_due + self.principal_not_yet_due
    }
}

/// How a money movement was split over the loan's components.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Split {
    pub penalty: Decimal,
    pub fees: Decimal,
    pub interest: Decimal,
    pub principal: Decimal,
}

/// Brings `loan` up to `today` and answers what it owes (the caller holds the loan's lock).
pub fn owed_on(
    conn: &mut PgConnection,
    party: Uuid,
    loan_id: Uuid,
    today: NaiveDate,
) -> Result<(LoanRow, Owed), UseCaseError> {
    let (loan, owed, accrued) = owed_unposted(conn, party, loan_id, today)?;
    persistence::ledger::post_all(conn, loan.party_id, &accrued)?;
    Ok((loan, owed))
}

/// Like [`owed_on`], but answers the accrual's entries for the caller to post together with
/// its own (see [`post_with_accrual`]).
#[must_use = "the accrual's entries must be posted"]
pub fn owed_unposted(
    conn: &mut PgConnection,
    party: Uuid,
    loan_id: Uuid,
    today: NaiveDate,
) -> Result<(LoanRow, Owed, Vec<JournalEntry>), UseCaseError> {
    let scope = Scope::Loan { party, id: loan_id };
    let (_, accrued) = accrue(conn, today, scope, today)?;
    let (loan, past_due, due_through_today) = loans::get_with_overdue(conn, party, loan_id, today)?;
    let owed = Owed {
        penalty: loan.penalty_outstanding(),
        fees: loan.fees_outstanding(),
        interest: loan.interest_outstanding(),
        principal_past_due: past_due,
        principal_due: due_through_today - past_due,
        principal_not_yet_due: loan.principal_outstanding() - due_through_today,
    };
    Ok((loan, owed, accrued))
}

/// Posts the accrual to date and the event's own entry (last) in one go, so the balance rows
/// they share are locked in the house order and two such events cannot deadlock on them.
/// Answers the event entry's id.
pub fn post_with_accrual(
    conn: &mut PgConnection,
    party: Uuid,
    entries: &[JournalEntry],
) -> Result<Uuid, UseCaseError> {
    persistence::ledger::post_all(conn, party, entries)?
        .last()
        .copied()
        .ok_or_else(|| UseCaseError::corrupt("posting", "no entry to post"))
}

/// A payment received on a loan.
#[derive(Debug, Clone, Copy)]
pub struct Payment<'a> {
    pub amount: domain::money::Money,
    /// The payer's reference (checked at the edge; unique platform-wide).
    pub reference: &'a str,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub actor: &'a str,
}

/// A money movement on a loan, as its transaction row records it.
#[derive(Debug, Clone, Copy)]
pub struct Movement<'a> {
    /// `repayment`, `recovery`, `write_off`, `refund`.
    pub kind: &'a str,
    pub amount: Decimal,
    pub split: Split,
    /// The payer's reference, for money that came in.
    pub reference: Option<&'a str>,
    pub entry: Uuid,
}

/// Records `movement` on `loan`, dated `today`.
pub fn record(
    conn: &mut PgConnection,
    loan: &LoanRow,
    movement: Movement<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), UseCaseError> {
    loans::insert_transaction(conn, &transaction_row(loan, movement, today, now))?;
    Ok(())
}

/// The row that records `movement` on `loan`, dated `today`.
pub fn transaction_row(
    loan: &LoanRow,
    movement: Movement<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> TransactionRow {
    let Movement {
        kind,
        amount,
        split,
        reference,
        entry,
    } = movement;
    TransactionRow {
        id: Uuid::now_v7(),
        loan_id: loan.id,
        party_id: loan.party_id,
        kind: kind.into(),
        business_date: today,
        amount,
        principal: split.principal,
        interest: split.interest,
        penalty: split.penalty,
        fee: split.fees,
        external_reference: reference.map(String::from),
        // Uniqueness is on the canonical key, so a disguised reference cannot book one
        // payment twice.
        external_reference_key: reference.map(domain::identifier::canonical_key),
        journal_entry_id: entry,
        created_at: now,
    }
}

/// The loan's typed status; a name our rules do not know is a corrupt row.
pub fn status_of(loan: &LoanRow) -> Result<domain::lending_state::LoanStatus, UseCaseError> {
    loan.status
        .parse()
        .map_err(|e| UseCaseError::corrupt("loan status", e))
}

/// What a written-off loan's balances added up to when it was written off (they stay on the
/// row: the write-off moved them to credit losses, not to zero).
pub fn written_off_total(loan: &LoanRow) -> Decimal {
    loan.principal_outstanding()
        + loan.interest_outstanding()
        + loan.penalty_outstanding()
        + loan.fees_outstanding()
}

/// Locks a loan the actor may see (others' loans are "not found"). A business actor's loan is
/// locked through its own party; staff first read whose loan it is, so the lock itself always
/// names the borrower (one shard on a cluster distributed by party).
pub fn lock_visible(ctx: &mut Context<'_>, loan_id: Uuid) -> Result<LoanRow, UseCaseError> {
    let party = match ctx.actor.party.filter(|_| !ctx.actor.staff) {
        Some(party) => party,
        None => loans::owner(ctx.conn, loan_id)?,
    };
    let loan = loans::lock(ctx.conn, party, loan_id)?;
    ctx.actor.visible(loan.party_id, loan)
}
