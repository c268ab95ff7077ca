//! The platform's business date, kept apart from the wall clock.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::error::RepoError;
use crate::schema::platform_calendar;

/// The business date; the first call on a fresh database sets it to `initial`.
pub fn business_date(conn: &mut PgConnection, initial: NaiveDate) -> Result<NaiveDate, RepoError> {
    // Read first: every money movement asks, and the row exists on all but the first call.
    if let Some(date) = platform_calendar::table
        .select(platform_calendar::business_date)
        .first(conn)
        .optional()?
    {
        return Ok(date);
    }
    diesel::insert_into(platform_calendar::table)
        .values((
            platform_calendar::id.eq(true),
            platform_calendar::business_date.eq(initial),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(platform_calendar::table
        .select(platform_calendar::business_date)
        .first(conn)?)
}

pub fn set_business_date(conn: &mut PgConnection, date: NaiveDate) -> Result<(), RepoError> {
    diesel::insert_into(platform_calendar::table)
        .values((
            platform_calendar::id.eq(true),
            platform_calendar::business_date.eq(date),
        ))
        .on_conflict(platform_calendar::id)
        .do_update()
        .set(platform_calendar::business_date.eq(date))
        .execute(conn)?;
    Ok(())
}
