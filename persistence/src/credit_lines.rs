//! Credit-line applications and revolving credit lines, with the atomic limit reservation
//! that keeps concurrent draws within the limit.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::RepoError;
use crate::prepared::Prepare;
use crate::schema::{credit_line_applications, credit_lines};
use crate::together::together;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = credit_line_applications)]
pub struct ApplicationRow {
    pub id: Uuid,
    pub party_id: Uuid,
    pub currency: String,
    pub requested_limit: Decimal,
    pub purpose: String,
    pub event_name: Option<String>,
    pub event_date: Option<NaiveDate>,
    pub consent_given_at: DateTime<Utc>,
    pub status: String,
    pub decision: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = credit_lines)]
pub struct LineRow {
    pub id: Uuid,
    pub party_id: Uuid,
    pub application_id: Uuid,
    pub currency: String,
    pub limit_amount: Decimal,
    pub used_amount: Decimal,
    pub annual_rate: Decimal,
    pub max_tenor_days: i32,
    pub expires_on: NaiveDate,
    pub status: String,
    pub frozen_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Stores an application, with the line its approval opens if it has one: one statement, the
/// application first (see `crate::together`).
pub fn insert_application(
    conn: &mut PgConnection,
    row: &ApplicationRow,
    line: Option<&LineRow>,
) -> Result<(), RepoError> {
    let application = diesel::insert_into(credit_line_applications::table).values(row);
    match line {
        Some(line) => together(
            application,
            diesel::insert_into(credit_lines::table).values(line),
        )
        .execute(conn)?,
        None => application.prepared().execute(conn)?,
    };
    Ok(())
}

pub fn find_application(conn: &mut PgConnection, id: Uuid) -> Result<ApplicationRow, RepoError> {
    Ok(credit_line_applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)?)
}

/// Records the decision on `party`'s application `id`.
pub fn set_application_outcome(
    conn: &mut PgConnection,
    party: Uuid,
    id: Uuid,
    status: &str,
    decision: &serde_json::Value,
) -> Result<(), RepoError> {
    let row = credit_line_applications::table
        .find(id)
        .filter(credit_line_applications::party_id.eq(party));
    diesel::update(row)
        .set((
            credit_line_applications::status.eq(status),
            credit_line_applications::decision.eq(decision),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_line(conn: &mut PgConnection, row: &LineRow) -> Result<(), RepoError> {
    diesel::insert_into(credit_lines::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A line by id. `owner`, the party a caller acts for when it may see only its own lines, is
/// also a filter: on a cluster distributed by party it routes the read to that party's shard
/// instead of asking every shard (staff, who see every line, pass `None`).
pub fn find_line(
    conn: &mut PgConnection,
    owner: Option<Uuid>,
    id: Uuid,
) -> Result<LineRow, RepoError> {
    let line = credit_lines::table
        .filter(credit_lines::id.eq(id))
        .select(LineRow::as_select());
    Ok(match owner {
        Some(owner) => line.filter(credit_lines::party_id.eq(owner)).first(conn)?,
        None => line.first(conn)?,
    })
}

/// Which lines to list.
#[derive(Debug, Clone, Default)]
pub struct LineFilter {
    /// One party's lines; `None` for staff (all).
    pub party: Option<Uuid>,
    pub status: Option<&'static str>,
    /// A line is frozen while its status is `frozen`.
    pub frozen: Option<bool>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// Lines matching the filter, keyset-paginated by id.
pub fn list_lines(conn: &mut PgConnection, f: &LineFilter) -> Result<Vec<LineRow>, RepoError> {
    let mut query = credit_lines::table
        .select(LineRow::as_select())
        .into_boxed();
    if let Some(p) = f.party {
        query = query.filter(credit_lines::party_id.eq(p));
    }
    if let Some(s) = f.status {
        query = query.filter(credit_lines::status.eq(s));
    }
    match f.frozen {
        Some(true) => query = query.filter(credit_lines::status.eq("frozen")),
        Some(false) => query = query.filter(credit_lines::status.ne("frozen")),
        None => {}
    }
    if let Some(a) = f.after {
        query = query.filter(credit_lines::id.gt(a));
    }
    Ok(query
        .order(credit_lines::id.asc())
        .limit(f.limit)
        .load(conn)?)
}

/// Reserves `amount` of `party`'s line's limit in one statement: succeeds only while the line
/// is active, unexpired on `today` and has room, so concurrent draws can never overshoot.
/// Answers the line as reserved, or `None` if it is not `party`'s or cannot take the amount.
pub fn reserve(
    conn: &mut PgConnection,
    party: Uuid,
    line: Uuid,
    amount: Decimal,
    today: NaiveDate,
) -> Result<Option<LineRow>, RepoError> {
    Ok(diesel::update(
        credit_lines::table
            .find(line)
            .filter(credit_lines::party_id.eq(party))
            .filter(credit_lines::status.eq("active"))
            .filter(credit_lines::expires_on.ge(today))
            .filter((credit_lines::used_amount + amount).le(credit_lines::limit_amount)),
    )
    .set(credit_lines::used_amount.eq(credit_lines::used_amount + amount))
    .returning(LineRow::as_returning())
    .prepared()
    .get_result(conn)
    .optional()?)
}

/// Gives back `amount` of `party`'s line's limit (principal repaid or written off).
pub fn release(
    conn: &mut PgConnection,
    party: Uuid,
    line: Uuid,
    amount: Decimal,
) -> Result<(), RepoError> {
    diesel::update(
        credit_lines::table
            .find(line)
            .filter(credit_lines::party_id.eq(party)),
    )
    .set(credit_lines::used_amount.eq(credit_lines::used_amount - amount))
    .prepared()
    .execute(conn)?;
    Ok(())
}

/// The line opened for `party`'s application, if any.
pub fn line_of_application(
    conn: &mut PgConnection,
    party: Uuid,
    application: Uuid,
) -> Result<Option<Uuid>, RepoError> {
    Ok(credit_lines::table
        .filter(credit_lines::party_id.eq(party))
        .filter(credit_lines::application_id.eq(application))
        .select(credit_lines::id)
        .first(conn)
        .optional()?)
}

/// What scoring needs to know of a party's existing credit with Lendline.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct PartyCredit {
    /// Principal drawn and not yet repaid on all its lines, plus the principal outstanding on
    /// its loans of other products (installment plans, order and inventory financing).
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub exposure: Decimal,
    /// What its open lines could still lend: limit minus drawn, summed over lines that are not
    /// closed and not expired (a frozen line counts: it thaws once its arrears are cured).
    /// Added to `exposure`, it makes each open line weigh its whole limit.
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub open_line_headroom: Decimal,
    /// Worst days past due over its active loans.
    #[diesel(sql_type = diesel::sql_types::Int4)]
    pub max_dpd: i32,
    /// Loans that ever went past due (still late, or written off).
    #[diesel(sql_type = diesel::sql_types::Int8)]
    pub delinquent_loans: i64,
}

/// The party's credit as of `today`, in one statement.
pub fn party_credit(
    conn: &mut PgConnection,
    party: Uuid,
    today: NaiveDate,
) -> Result<PartyCredit, RepoError> {
    Ok(diesel::sql_query(
        "SELECT coalesce((SELECT sum(used_amount) FROM credit_lines WHERE party_id = $1), 0)
                + coalesce((SELECT sum(principal - principal_paid) FROM loans
                             WHERE party_id = $1 AND line_id IS NULL AND status = 'active'), 0) AS exposure,
                coalesce((SELECT sum(limit_amount - used_amount) FROM credit_lines
                           WHERE party_id = $1 AND status <> 'closed' AND expires_on >= $2), 0)
                    AS open_line_headroom,
                coalesce((SELECT max(dpd) FROM loans WHERE party_id = $1 AND status = 'active'), 0) AS max_dpd,
                (SELECT count(*) FROM loans WHERE party_id = $1 AND (dpd > 0 OR status = 'written_off')) AS delinquent_loans",
    )
    .bind::<diesel::sql_types::Uuid, _>(party)
    .bind::<diesel::sql_types::Date, _>(today)
    .prepared()
    .get_result(conn)?)
}

/// Closes `party`'s line for good (e.g. after a write-off): no further draws, no automatic
/// reopening.
pub fn close(
    conn: &mut PgConnection,
    party: Uuid,
    line: Uuid,
    reason: &str,
) -> Result<(), RepoError> {
    diesel::update(
        credit_lines::table
            .find(line)
            .filter(credit_lines::party_id.eq(party)),
    )
    .set((
        credit_lines::status.eq("closed"),
        credit_lines::frozen_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}
