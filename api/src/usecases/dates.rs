//! Date inputs checked against the business date (never the wall clock): what has happened
//! cannot be dated after it, and what is still to come cannot be dated before it.

use chrono::NaiveDate;

use crate::usecases::UseCaseError;

/// Refuses (422 on `field`) a date outside the platform's horizon (years 1900 to 2100).
pub fn within_horizon(field: &str, date: NaiveDate) -> Result<(), UseCaseError> {
    use domain::calendar::horizon::{self, EARLIEST_YEAR, LATEST_YEAR};
    if !horizon::within_horizon(date) {
        return Err(UseCaseError::invalid(
            field.to_string(),
            format!("{field} must fall in the years {EARLIEST_YEAR} to {LATEST_YEAR}"),
        ));
    }
    Ok(())
}

/// Refuses (422 on `field`) a date of something past (an onboarding, an invoice issue, a
/// payment) that falls after the business date `today`.
pub fn not_after_today(field: &str, date: NaiveDate, today: NaiveDate) -> Result<(), UseCaseError> {
    if date > today {
        return Err(UseCaseError::invalid(
            field.to_string(),
            format!("{field} {date} is after the business date {today}"),
        ));
    }
    Ok(())
}

/// Refuses (422 on `field`) a date of something to come (a due date, a settlement) that falls
/// before the business date `today`.
pub fn not_before_today(
    field: &str,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<(), UseCaseError> {
    if date < today {
        return Err(UseCaseError::invalid(
            field.to_string(),
            format!("{field} {date} is before the business date {today}"),
        ));
    }
    Ok(())
}
