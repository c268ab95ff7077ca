//! What handlers share at the edge, answering `ApiError`: a stored currency read back for a
//! view, a payer's reference checked as an identifier, and the business date for the handlers
//! not yet in the use-case layer. The products' own rules live in `crate::usecases`.

use chrono::{NaiveDate, Utc};
use diesel::PgConnection;
use domain::money::Currency;

use crate::error::ApiError;

/// The platform's business date (set to today's UTC date on a fresh database).
pub fn business_date(conn: &mut PgConnection) -> Result<NaiveDate, ApiError> {
    Ok(persistence::calendar::business_date(
        conn,
        Utc::now().date_naive(),
    )?)
}

/// A stored currency code; a code the domain does not know is a corrupt row.
pub fn currency(code: &str) -> Result<Currency, ApiError> {
    Currency::parse(code).map_err(ApiError::internal)
}

/// A payer's reference for a payment: an identifier of 1 to 100 characters (unique platform-wide
/// by its canonical key, computed where the transaction is recorded, so one payment is never
/// booked twice however the reference is disguised).
pub fn external_reference(raw: &str) -> Result<String, ApiError> {
    Ok(crate::text::identifier("external_reference", raw, 100)?
        .text()
        .to_string())
}
