//! The platform's calendar: the business date every money movement is dated with, and end of
//! day, which closes a date (accrual, aging, freezes, reminders) and opens the next.

pub mod eod;

use chrono::NaiveDate;
use persistence::audit::Chain;

use crate::usecases::context::Shared;
use crate::usecases::{Context, UseCaseError};

/// The business date (as the request's context read it).
pub fn business_date(ctx: &mut Context<'_>) -> Result<NaiveDate, UseCaseError> {
    Ok(ctx.today)
}

/// Moves the business date (e.g. to replay a lifecycle in a test environment); a day end of
/// day has closed cannot be reopened.
pub fn set_business_date(
    ctx: &mut Context<'_>,
    date: NaiveDate,
) -> Result<NaiveDate, UseCaseError> {
    if persistence::loans_eod::last_run(ctx.conn)?.is_some_and(|closed| date <= closed) {
        return Err(UseCaseError::invalid(
            "business_date",
            "that day is already closed by end of day",
        ));
    }
    ctx.forget(Shared::Calendar);
    persistence::calendar::set_business_date(ctx.conn, date)?;
    ctx.audit(
        &Chain::platform("platform", "calendar"),
        "business_date.set",
        &serde_json::json!({"business_date": date}),
    );
    Ok(date)
}
