//! Portfolio figures for staff: what is lent out by product and currency, how it ages by
//! days-past-due bucket, and the last end-of-day run. Read-only aggregates over `loans` (every
//! product that books a loan: stock-up draws, installment plans, order and inventory financing).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bpchar, Numeric, Text};
use rust_decimal::Decimal;

use crate::RepoError;

/// Loans still on the books of one product in one currency.
#[derive(Debug, Clone, QueryableByName)]
pub struct ExposureRow {
    #[diesel(sql_type = Text)]
    pub product: String,
    #[diesel(sql_type = Bpchar)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub loans: i64,
    #[diesel(sql_type = Numeric)]
    pub principal_outstanding: Decimal,
}

/// Loans still on the books in one days-past-due bucket and currency.
#[derive(Debug, Clone, QueryableByName)]
pub struct BucketRow {
    #[diesel(sql_type = Text)]
    pub bucket: String,
    #[diesel(sql_type = Bpchar)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub loans: i64,
    #[diesel(sql_type = Numeric)]
    pub principal_outstanding: Decimal,
}

/// One end-of-day run as recorded.
#[derive(Debug, Clone, Queryable)]
pub struct EodRunRow {
    pub business_date: NaiveDate,
    pub loans_accrued: i64,
    pub loans_aged: i64,
    pub lines_frozen: i64,
    pub reminders: i64,
    pub finished_at: DateTime<Utc>,
}

/// Active loans by product and currency, with the principal still owed.
pub fn exposure(conn: &mut PgConnection) -> Result<Vec<ExposureRow>, RepoError> {
    Ok(diesel::sql_query(
        "SELECT product, currency, count(*) AS loans,
                sum(principal - principal_paid) AS principal_outstanding
           FROM loans WHERE status = 'active'
          GROUP BY product, currency ORDER BY product, currency",
    )
    .load(conn)?)
}

/// Active loans by the bucket end of day last aged them into, in the house order of buckets
/// (`current`, `1-30`, `31-60`, `61-90`, `90+`).
pub fn buckets(conn: &mut PgConnection) -> Result<Vec<BucketRow>, RepoError> {
    Ok(diesel::sql_query(
        "SELECT bucket, currency, count(*) AS loans,
                sum(principal - principal_paid) AS principal_outstanding
           FROM loans WHERE status = 'active'
          GROUP BY bucket, currency
          ORDER BY array_position(ARRAY['current','1-30','31-60','61-90','90+'], bucket), currency",
    )
    .load(conn)?)
}

/// The latest end-of-day run, if any ran.
pub fn last_eod(conn: &mut PgConnection) -> Result<Option<EodRunRow>, RepoError> {
    use crate::schema::eod_runs::dsl::*;
    Ok(eod_runs
        .select((
            business_date,
            loans_accrued,
            loans_aged,
            lines_frozen,
            reminders,
            finished_at,
        ))
        .order(business_date.desc())
        .first(conn)
        .optional()?)
}
