//! Repayments and payoff quotes of loans: the one path for every product (stock-up loans,
//! installment plans, order and inventory financing). Write-offs and recoveries are in
//! [`super::write_off`].
//!
//! Interest and penalty are brought up to the business date first (the same set-based accrual
//! as end of day, for this one loan), then the payment is split by the money engine's
//! allocation — penalties, fees, interest, principal; past due before due before not yet due —
//! and booked as one balanced entry.

use chrono::NaiveDate;
use diesel::PgConnection;
use domain::ledger::JournalEntry;
use domain::lending_state::{LoanStatus, Payment as Kind};
use domain::money::{Currency, Money};
use domain::repayment_allocation::{
    allocate_payment, AllocationOrder, ComponentKind, Due, DueStatus,
};
use persistence::audit::{AuditLog, Chain};
use persistence::loans::{self, LoanRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::accrual::{account, stored_currency, stored_money};
use super::booking::{
    lock_visible, owed_on, owed_unposted, post_with_accrual, record, status_of, Movement, Owed,
    Payment, Split,
};
use super::write_off::recover;
use crate::usecases::{Context, UseCaseError};

/// A repayment asked for by the borrower. The amount stays as the client wrote it: how many
/// decimals it may have depends on the loan's currency, so it is parsed with the loan.
#[derive(Debug, Clone)]
pub struct Repay {
    pub loan_id: Uuid,
    pub amount: String,
    /// The payer's reference, already checked as an identifier.
    pub reference: String,
}

/// Repays one of the actor's loans (a recovery when it is written off); answers the loan
/// after the payment and how the payment was split.
pub fn repay(ctx: &mut Context<'_>, ask: Repay) -> Result<(LoanRow, Split), UseCaseError> {
    let loan = lock_visible(ctx, ask.loan_id)?;
    let amount = Money::parse_positive(&ask.amount, stored_currency(&loan.currency)?)
        .map_err(|e| UseCaseError::invalid("amount", e))?;
    let paid = Payment {
        amount,
        reference: &ask.reference,
        today: ctx.today,
        now: ctx.now,
        actor: &ctx.actor.name,
    };
    repay_locked(ctx.conn, &mut ctx.audit_log, loan, paid)
}

/// Books a repayment of `paid` on the loan (for products that repay a loan as a step of their
/// own use case, e.g. an order's settlement).
pub fn repay_loan(
    conn: &mut PgConnection,
    log: &mut AuditLog,
    party: Uuid,
    loan_id: Uuid,
    paid: Payment<'_>,
) -> Result<(LoanRow, Split), UseCaseError> {
    let loan = loans::lock(conn, party, loan_id)?;
    repay_locked(conn, log, loan, paid)
}

fn repay_locked(
    conn: &mut PgConnection,
    log: &mut AuditLog,
    loan: LoanRow,
    paid: Payment<'_>,
) -> Result<(LoanRow, Split), UseCaseError> {
    let (loan_id, amount, today) = (loan.id, paid.amount, paid.today);
    let ccy = stored_currency(&loan.currency)?;
    if amount.currency() != ccy {
        return Err(UseCaseError::invalid(
            "currency",
            format!("the loan is in {}", loan.currency),
        ));
    }
    let status = status_of(&loan)?;
    if payment_kind(status)? == Kind::Recovery {
        return recover(conn, log, loan, paid);
    }
    let (mut loan, owed, mut entries) = owed_unposted(conn, loan.party_id, loan_id, today)?;
    if amount.amount() > owed.total() {
        return Err(UseCaseError::refused(
            "amount_exceeds_balance",
            format!(
                "the loan owes {} in all; a larger payment is refused",
                stored_money(owed.total(), ccy).amount()
            ),
            Some("amount"),
        ));
    }
    let split = split(amount, &owed, today)?;
    // The line before ledger balances, in the same order as a draw, so a draw and a repayment
    // on the same line cannot deadlock.
    if let Some(line) = loan.line_id {
        persistence::credit_lines::release(conn, loan.party_id, line, split.principal)?;
    }
    entries.push(repayment_entry(&loan, amount, split, today)?);
    let entry = post_with_accrual(conn, loan.party_id, &entries)?;
    loan.penalty_paid += split.penalty;
    loan.fees_paid += split.fees;
    loan.interest_paid += split.interest;
    loan.principal_paid += split.principal;
    if amount.amount() == owed.total() {
        let closed = status
            .close()
            .map_err(|e| UseCaseError::corrupt("loan status", e))?;
        loan.status = closed.as_str().into();
    }
    loans::record_payment(conn, &loan)?;
    let loan = age_now(conn, loan, today)?;
    let movement = Movement {
        kind: "repayment",
        amount: amount.amount(),
        split,
        reference: Some(paid.reference),
        entry,
    };
    record(conn, &loan, movement, today, paid.now)?;
    let payload = serde_json::json!({"amount": amount.amount().to_string(), "split": split,
        "reference": paid.reference, "status": loan.status});
    log.record(
        &Chain::of(loan.party_id, "loan", loan_id),
        paid.actor,
        "loan.repaid",
        &payload,
        paid.now,
    );
    Ok((loan, split))
}

/// How a payment is taken on a loan with `status`; a closed loan takes none.
fn payment_kind(status: LoanStatus) -> Result<Kind, UseCaseError> {
    status.payment().map_err(|_| {
        UseCaseError::refused(
            "loan_closed",
            "the loan is closed and takes no repayment",
            None,
        )
    })
}

/// Arrears cleared by a payment stop counting at once, not at the next end of day; an end of
/// day already run today keeps its aging.
fn age_now(
    conn: &mut PgConnection,
    mut loan: LoanRow,
    today: NaiveDate,
) -> Result<LoanRow, UseCaseError> {
    let Some(yesterday) = today.pred_opt() else {
        return Ok(loan);
    };
    if let Some(aged) = persistence::loans_eod::age_loan(conn, yesterday, loan.party_id, loan.id)? {
        loan.dpd = aged.dpd;
        loan.bucket = aged.bucket;
    }
    Ok(loan)
}

fn repayment_entry(
    loan: &LoanRow,
    amount: Money,
    split: Split,
    today: NaiveDate,
) -> Result<JournalEntry, UseCaseError> {
    let ccy = amount.currency();
    let mut entry = JournalEntry::builder(ccy, today, "repayment", &format!("loan:{}", loan.id))
        .debit(&account("cash:platform")?, amount);
    for (value, name) in [
        (split.penalty, "penalty_receivable".to_string()),
        (split.fees, "fee_receivable".to_string()),
        (split.interest, "interest_receivable".to_string()),
        (split.principal, format!("loans_receivable:{}", loan.id)),
    ] {
        if !value.is_zero() {
            entry = entry.credit(&account(&name)?, stored_money(value, ccy));
        }
    }
    entry
        .build()
        .map_err(|e| UseCaseError::corrupt("repayment entry", e))
}

fn split(amount: Money, owed: &Owed, today: NaiveDate) -> Result<Split, UseCaseError> {
    let ccy: Currency = amount.currency();
    let due = |kind, status, value: Decimal| Due {
        kind,
        status,
        due_date: today,
        amount: stored_money(value, ccy),
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
    let allocation = allocate_payment(amount, &dues, &AllocationOrder::default())
        .map_err(|e| UseCaseError::corrupt("allocation", e))?;
    let applied: Vec<Decimal> = allocation.applied.iter().map(Money::amount).collect();
    Ok(Split {
        penalty: applied[0],
        fees: applied[1],
        interest: applied[2],
        principal: applied[3] + applied[4] + applied[5],
    })
}

/// A quote of what the loan owes on `date` (the business date or later): the real accrual runs
/// up to that date inside [`persistence::what_if::rolled_back`], which always rolls it back,
/// so a repayment of exactly the quoted total on that date closes the loan and nothing of the
/// quote is kept.
pub fn payoff_quote(
    conn: &mut PgConnection,
    loan: &LoanRow,
    date: NaiveDate,
) -> Result<Owed, UseCaseError> {
    let (party, id) = (loan.party_id, loan.id);
    persistence::what_if::rolled_back(conn, |c| Ok(owed_on(c, party, id, date)?.1))
}
