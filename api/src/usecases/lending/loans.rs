//! Reading loans of every product (the borrower's own, or any for staff) and quoting what it
//! takes to close one on a date.

use chrono::NaiveDate;
use domain::calendar::horizon::{self, EARLIEST_YEAR, LATEST_YEAR};
use persistence::loans::{self, InstallmentRow, LoanFilter, LoanRow, TransactionRow};
use uuid::Uuid;

use super::booking::{status_of, Owed};
use super::repayment::payoff_quote;
use crate::usecases::{Context, UseCaseError};

/// Loads a loan the actor may see (others' loans are "not found").
fn visible(ctx: &mut Context<'_>, id: Uuid) -> Result<LoanRow, UseCaseError> {
    let loan = loans::find(ctx.conn, id)?;
    ctx.actor.visible(loan.party_id, loan)
}

/// One loan with its schedule.
pub fn find_loan(
    ctx: &mut Context<'_>,
    id: Uuid,
) -> Result<(LoanRow, Vec<InstallmentRow>), UseCaseError> {
    let loan = visible(ctx, id)?;
    let schedule = loans::installments(ctx.conn, loan.party_id, id)?;
    Ok((loan, schedule))
}

/// A page of loans: a business actor's own whatever the filter says; staff choose the party.
pub fn list_loans(
    ctx: &mut Context<'_>,
    mut filter: LoanFilter,
) -> Result<Vec<LoanRow>, UseCaseError> {
    if !ctx.actor.staff {
        filter.party = ctx.actor.party;
    }
    Ok(loans::list(ctx.conn, &filter)?)
}

/// A page of the loan's money movements, oldest first; answers the loan too (its currency
/// says how the amounts read).
pub fn loan_transactions(
    ctx: &mut Context<'_>,
    id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<(LoanRow, Vec<TransactionRow>), UseCaseError> {
    let loan = visible(ctx, id)?;
    let rows = loans::transactions(ctx.conn, loan.party_id, id, after, limit)?;
    Ok((loan, rows))
}

/// What closing an active loan takes on `date` (default: the business date; never before it).
pub fn payoff(
    ctx: &mut Context<'_>,
    id: Uuid,
    date: Option<NaiveDate>,
) -> Result<(LoanRow, NaiveDate, Owed), UseCaseError> {
    let loan = visible(ctx, id)?;
    if !status_of(&loan)?.owes() {
        return Err(UseCaseError::refused(
            "loan_not_active",
            "only an active loan has a payoff amount",
            None,
        ));
    }
    let today = ctx.today;
    let date = date.unwrap_or(today);
    if !horizon::within_horizon(date) {
        return Err(UseCaseError::invalid(
            "date",
            format!("date must fall in the years {EARLIEST_YEAR} to {LATEST_YEAR}"),
        ));
    }
    if date < today {
        return Err(UseCaseError::invalid(
            "date",
            format!("the date must not be before the business date {today}"),
        ));
    }
    let owed = payoff_quote(ctx.conn, &loan, date)?;
    Ok((loan, date, owed))
}
