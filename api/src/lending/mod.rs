//! Stock-up lending: credit lines, draws, repayments, accrual and end of day. Handlers stay
//! thin; the rules that touch several tables live here, each running inside the caller's
//! transaction.

use chrono::{NaiveDate, Utc};
use diesel::PgConnection;
use domain::money::{Currency, Money};
use rust_decimal::Decimal;

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

/// A stored amount as money (stored amounts are always in whole minor units).
pub fn money(amount: Decimal, currency: Currency) -> Money {
    Money::new(amount, currency).round(domain::money::RoundingMode::HalfEven)
}

/// A payer's reference for a payment: an identifier of 1 to 100 characters (unique platform-wide
/// by its canonical key, computed where the transaction is recorded, so one payment is never
/// booked twice however the reference is disguised).
pub fn external_reference(raw: &str) -> Result<String, ApiError> {
    Ok(crate::text::identifier("external_reference", raw, 100)?
        .text()
        .to_string())
}
