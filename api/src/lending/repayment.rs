//! Repayments and payoff quotes of loans: the one path for every product (stock-up loans,
//! installment plans, order and inventory financing). Write-offs and recoveries are in
//! [`super::write_off`].
//!
//! Interest and penalty are brought up to the business date first (the same set-based accrual
//! as end of day, for this one loan), then the payment is split by the money engine's
//! allocation — penalties, fees, interest, principal; past due before due before not yet due —
//! and booked as one balanced entry.

use chrono::{NaiveDate, SubsecRound, Utc};
use diesel::PgConnection;
use domain::ledger::JournalEntry;
use domain::money::Money;
use domain::repayment_allocation::{
    allocate_payment, AllocationOrder, ComponentKind, Due, DueStatus,
};
use persistence::loans::{self, LoanRow, TransactionRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::accrual::{account, accrue};
use super::{currency, money, write_off};
use crate::error::ApiError;

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
}

/// Brings `loan` up to `today` and answers what it owes (the caller holds the loan's lock).
pub fn owed_on(
    conn: &mut PgConnection,
    loan_id: Uuid,
    today: NaiveDate,
) -> Result<(LoanRow, Owed), ApiError> {
    let (loan, owed, accrued) = owed_unposted(conn, loan_id, today)?;
    persistence::ledger::post_all(conn, &accrued)?;
    Ok((loan, owed))
}

/// Posts the accrual to date and the event's own entry (last) in one go, so the balance rows
/// they share are locked in the house order and two such events cannot deadlock on them.
/// Answers the event entry's id.
pub(super) fn post_with_accrual(
    conn: &mut PgConnection,
    entries: &[JournalEntry],
) -> Result<Uuid, ApiError> {
    persistence::ledger::post_all(conn, entries)?
        .last()
        .copied()
        .ok_or_else(|| ApiError::internal("no entry to post"))
}

/// Like [`owed_on`], but answers the accrual's entries for the caller to post together with
/// its own, so that all their balance rows are locked in one order.
#[must_use = "the accrual's entries must be posted"]
pub(super) fn owed_unposted(
    conn: &mut PgConnection,
    loan_id: Uuid,
    today: NaiveDate,
) -> Result<(LoanRow, Owed, Vec<JournalEntry>), ApiError> {
    let (_, accrued) = accrue(conn, today, Some(loan_id), today)?;
    let loan = loans::find(conn, loan_id)?;
    let past_due = loans::overdue_principal(conn, &loan, today)?;
    let due_through_today =
        loans::overdue_principal(conn, &loan, today.succ_opt().unwrap_or(today))?;
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

/// A quote of the payoff amount on `date` (today or later), computed by running the real
/// accrual in a savepoint that is then rolled back: a repayment of exactly that amount on that
/// date closes the loan.
pub fn payoff_quote(
    conn: &mut PgConnection,
    loan_id: Uuid,
    date: NaiveDate,
) -> Result<Owed, ApiError> {
    enum Quote {
        Computed(Owed),
        Failed(ApiError),
    }
    impl From<diesel::result::Error> for Quote {
        fn from(e: diesel::result::Error) -> Self {
            Quote::Failed(e.into())
        }
    }
    let outcome = diesel::Connection::transaction::<(), Quote, _>(conn, |c| {
        match owed_on(c, loan_id, date) {
            Ok((_, owed)) => Err(Quote::Computed(owed)),
            Err(e) => Err(Quote::Failed(e)),
        }
    });
    match outcome {
        Err(Quote::Computed(owed)) => Ok(owed),
        Err(Quote::Failed(e)) => Err(e),
        Ok(()) => Err(ApiError::internal("payoff quote did not compute")),
    }
}

/// How a repayment was split.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Split {
    pub penalty: Decimal,
    pub fees: Decimal,
    pub interest: Decimal,
    pub principal: Decimal,
}

fn split(amount: Money, owed: &Owed, today: NaiveDate) -> Result<Split, ApiError> {
    let ccy = amount.currency();
    let due = |kind, status, value: Decimal| Due {
        kind,
        status,
        due_date: today,
        amount: money(value, ccy),
    };
    let dues = [
        due(ComponentKind::Penalty, DueStatus::PastDue, owed.penalty),
        // Posted fees and interest are owed now: they go before any principal, past due or not.
        due(ComponentKind::Fee, DueStatus::PastDue, owed.fees),
        due(ComponentKind::Interest, DueStatus::PastDue, owed.interest),
        due(
            ComponentKind::Principal,
            DueStatus::PastDue,
            owed.principal_past_due,
        ),
        due(ComponentKind::Principal, DueStatus::Due, owed.principal_due),
        due(
            ComponentKind::Principal,
            DueStatus::NotYetDue,
            owed.principal_not_yet_due,
        ),
    ];
    let allocation =
        allocate_payment(amount, &dues, &AllocationOrder::default()).map_err(ApiError::internal)?;
    let applied: Vec<Decimal> = allocation.applied.iter().map(Money::amount).collect();
    Ok(Split {
        penalty: applied[0],
        fees: applied[1],
        interest: applied[2],
        principal: applied[3] + applied[4] + applied[5],
    })
}

/// Books a repayment of `amount` on an active loan; answers the split and the loan after it.
pub fn repay(
    conn: &mut PgConnection,
    loan_id: Uuid,
    amount: Money,
    reference: &str,
    today: NaiveDate,
    actor: &str,
) -> Result<(LoanRow, Split), ApiError> {
    let loan = loans::lock(conn, loan_id)?;
    let ccy = currency(&loan.currency)?;
    if amount.currency() != ccy {
        return Err(ApiError::invalid(
            "currency",
            format!("the loan is in {}", loan.currency),
        ));
    }
    match loan.status.as_str() {
        "active" => {}
        "written_off" => return write_off::recover(conn, loan, amount, reference, today, actor),
        _ => {
            return Err(ApiError::unprocessable(
                "loan_closed",
                "the loan is closed and takes no repayment",
                None,
            ))
        }
    }
    let (mut loan, owed, mut entries) = owed_unposted(conn, loan_id, today)?;
    if amount.amount() > owed.total() {
        return Err(ApiError::unprocessable(
            "amount_exceeds_balance",
            format!(
                "the loan owes {} in all; a larger payment is refused",
                crate::views::amount(owed.total(), amount.currency())
            ),
            Some("amount"),
        ));
    }
    let split = split(amount, &owed, today)?;
    // The line before ledger balances, in the same order as a draw, so a draw and a repayment
    // on the same line cannot deadlock.
    release_line(conn, &loan, split.principal)?;
    let mut entry = JournalEntry::builder(ccy, today, "repayment", &format!("loan:{loan_id}"))
        .debit(&account("cash:platform")?, amount);
    for (value, name) in [
        (split.penalty, "penalty_receivable".to_string()),
        (split.fees, "fee_receivable".to_string()),
        (split.interest, "interest_receivable".to_string()),
        (split.principal, format!("loans_receivable:{loan_id}")),
    ] {
        if !value.is_zero() {
            entry = entry.credit(&account(&name)?, money(value, ccy));
        }
    }
    entries.push(entry.build().map_err(ApiError::internal)?);
    let entry_id = post_with_accrual(conn, &entries)?;
    loan.penalty_paid += split.penalty;
    loan.fees_paid += split.fees;
    loan.interest_paid += split.interest;
    loan.principal_paid += split.principal;
    if amount.amount() == owed.total() {
        loan.status = "closed".into();
    }
    loans::record_payment(conn, &loan)?;
    // Arrears cleared by this payment stop counting at once, not at the next end of day; an
    // end of day already run today keeps its aging.
    let last_eod = persistence::loans_eod::last_run(conn)?;
    if let Some(as_of) = today.pred_opt().map(|d| last_eod.map_or(d, |e| e.max(d))) {
        persistence::loans_eod::age(conn, as_of, Some(loan_id))?;
        loan = loans::find(conn, loan_id)?;
    }
    record(
        conn,
        &loan,
        "repayment",
        amount.amount(),
        split,
        Some(reference),
        entry_id,
        today,
    )?;
    let payload = serde_json::json!({"amount": amount.amount().to_string(), "split": split, "reference": reference, "status": loan.status});
    persistence::audit::append(
        conn,
        &format!("loan:{loan_id}"),
        actor,
        "loan.repaid",
        &payload,
        Utc::now(),
    )?;
    Ok((loan, split))
}

/// Gives principal back to the stock-up loan's credit line (other products have none).
fn release_line(
    conn: &mut PgConnection,
    loan: &LoanRow,
    principal: Decimal,
) -> Result<(), ApiError> {
    if let Some(line) = loan.line_id {
        persistence::credit_lines::release(conn, line, principal)?;
    }
    Ok(())
}

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
    loans::insert_transaction(
        conn,
        &TransactionRow {
            id: Uuid::now_v7(),
            loan_id: loan.id,
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
            created_at: Utc::now().trunc_subsecs(6),
        },
    )?;
    Ok(())
}
