//! Set-based end-of-day processing of loans: accrual of interest and penalty interest, aging
//! into days-past-due buckets, freezing lines by rule. Every statement works on all loans at
//! once in SQL, never loan by loan, so a million loans take seconds, not hours.
//!
//! Conventions: interest for a day accrues on the principal outstanding that day at
//! `annual_rate / 365` (ACT/365 fixed); penalty interest accrues at `penalty_rate_daily` on
//! principal due on or before the day and unpaid at its end. Both accrue unrounded; the ledger receives
//! the change of the rounded running total (half away from zero, to the currency's minor
//! units), so postings never drift from the exact accrual by more than half a minor unit.
//! Installment-plan fees become receivable on their installment's due date (see [`accrue`]).
//! Every product (stock-up loans, installment plans, order and inventory financing) goes
//! through these same statements.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Bpchar, Date, Int4, Nullable, Numeric, Uuid as SqlUuid};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::RepoError;
use crate::prepared::Prepare;

/// What an accrual run added, per currency, for the ledger.
#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct AccrualTotals {
    #[diesel(sql_type = Bpchar)]
    pub currency: String,
    #[diesel(sql_type = Numeric)]
    pub interest: Decimal,
    #[diesel(sql_type = Numeric)]
    pub penalty: Decimal,
    #[diesel(sql_type = Numeric)]
    pub fees: Decimal,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub loans: i64,
}

/// Which loans a set-based statement covers: every active loan (end of day), or one loan of
/// one borrower (a repayment, a write-off, a refund catching it up first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Active,
    Loan { party: Uuid, id: Uuid },
}

impl Scope {
    /// The condition on loans `l`, with parameter `$loan` bound to [`Scope::loan`] and `$party`
    /// to [`Scope::party`]: one loan is found through its borrower too, so on a cluster
    /// distributed by party the whole statement runs on that borrower's shard.
    fn filter(self, loan: u8, party: u8) -> String {
        match self {
            Scope::Active => {
                format!(
                    "(l.status = 'active' AND ${loan}::uuid IS NULL AND ${party}::uuid IS NULL)"
                )
            }
            Scope::Loan { .. } => format!("(l.party_id = ${party}::uuid AND l.id = ${loan}::uuid)"),
        }
    }

    fn loan(self) -> Option<Uuid> {
        match self {
            Scope::Active => None,
            Scope::Loan { id, .. } => Some(id),
        }
    }

    fn party(self) -> Option<Uuid> {
        match self {
            Scope::Active => None,
            Scope::Loan { party, .. } => Some(party),
        }
    }
}

/// Accrues every active loan in `scope` for each day before `through`, and makes the
/// fee of every installment due on or before `fees_through` receivable. Fees are not accrued
/// day by day: a period's fee is earned on its due date, so a plan settled early never owes the
/// fees of installments not yet due.
pub fn accrue(
    conn: &mut PgConnection,
    through: NaiveDate,
    fees_through: NaiveDate,
    scope: Scope,
) -> Result<Vec<AccrualTotals>, RepoError> {
    let query = diesel::sql_query(format!(
        // `agg` reads every installment once (a hash aggregate, not a lookup per loan):
        // penalty is owed on each installment's unpaid principal for every day of the span
        // from its due date on, which equals summing the overdue principal day by day.
        // The update re-checks what it read: a loan changed meanwhile by a repayment or a
        // write-off is skipped, and the next accrual catches it up over the longer span.
        // Every join and update carries the borrower (`party_id`) beside the loan's id, so on a
        // cluster distributed by party each shard does its own loans.
        "WITH agg AS (
             SELECT i.party_id, i.loan_id,
                    sum(GREATEST(0, i.cum_principal - GREATEST(l.principal_paid, i.cum_principal - i.principal))
                        * GREATEST(0, $1::date - GREATEST(l.accrued_through, i.due_date))) AS overdue_days,
                    coalesce(sum(i.fee) FILTER (WHERE i.due_date <= $3::date), 0) AS fees_due
               FROM loan_installments i JOIN loans l ON l.party_id = i.party_id AND l.id = i.loan_id
              WHERE l.status = 'active' AND {scope}
              GROUP BY i.party_id, i.loan_id
         ), todo AS (
             SELECT l.party_id, l.id, l.interest_posted AS old_interest, l.penalty_posted AS old_penalty,
                    l.fees_posted AS old_fees, l.accrued_through AS seen_through, l.principal_paid AS seen_paid,
                    GREATEST(0, $1::date - l.accrued_through) AS days, a.overdue_days,
                    GREATEST(l.fees_posted, a.fees_due) AS fees_due
               FROM loans l JOIN agg a ON a.party_id = l.party_id AND a.loan_id = l.id
              WHERE l.accrued_through < $1::date OR l.fees_posted < a.fees_due
         ), moved AS (
             UPDATE loans l SET
                 interest_accrued_unrounded = l.interest_accrued_unrounded
                     + (l.principal - l.principal_paid) * l.annual_rate * t.days / 365,
                 interest_posted = round(l.interest_accrued_unrounded
                     + (l.principal - l.principal_paid) * l.annual_rate * t.days / 365, minor_units(l.currency)),
                 penalty_accrued_unrounded = l.penalty_accrued_unrounded + t.overdue_days * l.penalty_rate_daily,
                 penalty_posted = round(l.penalty_accrued_unrounded + t.overdue_days * l.penalty_rate_daily,
                     minor_units(l.currency)),
                 fees_posted = t.fees_due,
                 accrued_through = GREATEST(l.accrued_through, $1::date)
               FROM todo t
              WHERE l.party_id = t.party_id AND l.id = t.id AND l.status = 'active' AND {scope}
                AND l.accrued_through = t.seen_through
                AND l.principal_paid = t.seen_paid AND l.interest_posted = t.old_interest
                AND l.penalty_posted = t.old_penalty AND l.fees_posted = t.old_fees
          RETURNING l.currency, l.interest_posted - t.old_interest AS interest,
                    l.penalty_posted - t.old_penalty AS penalty, l.fees_posted - t.old_fees AS fees
         )
         SELECT currency, sum(interest) AS interest, sum(penalty) AS penalty, sum(fees) AS fees,
                count(*) AS loans
           FROM moved GROUP BY currency ORDER BY currency",
        scope = scope.filter(2, 4)
    ))
    .bind::<Date, _>(through)
    .bind::<Nullable<SqlUuid>, _>(scope.loan())
    .bind::<Date, _>(fees_through)
    .bind::<Nullable<SqlUuid>, _>(scope.party());
    Ok(match scope {
        // A repayment accrues its own loan first: prepared, like the rest of its path.
        Scope::Loan { .. } => query.prepared().load(conn)?,
        // End of day is planned afresh with its values: a generic plan cannot tell that the
        // scope's parameters are null, would take "every active loan" for a handful of rows
        // and could drop the hash aggregate above.
        Scope::Active => query.load(conn)?,
    })
}

/// Sets days past due and bucket for every active loan (or the one loan of `scope`, whatever
/// its status) as of the end of `date`; answers how many loans changed.
pub fn age(conn: &mut PgConnection, date: NaiveDate, scope: Scope) -> Result<usize, RepoError> {
    Ok(diesel::sql_query(aging(scope, "$1::date", ""))
        .bind::<Date, _>(date)
        .bind::<Nullable<SqlUuid>, _>(scope.loan())
        .bind::<Nullable<SqlUuid>, _>(scope.party())
        .execute(conn)?)
}

/// A loan's days past due and bucket after [`age_loan`] changed them.
#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct Aged {
    #[diesel(sql_type = Int4)]
    pub dpd: i32,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub bucket: String,
}

/// Ages `party`'s loan `id` as of the later of `not_before` and the last end of day (whose
/// aging a payment or refund must not undo), in one statement; answers the new figures if
/// they changed. End of day ages every active loan with [`age`].
pub fn age_loan(
    conn: &mut PgConnection,
    not_before: NaiveDate,
    party: Uuid,
    id: Uuid,
) -> Result<Option<Aged>, RepoError> {
    let scope = Scope::Loan { party, id };
    let as_of = "greatest($1::date, (SELECT max(business_date) FROM eod_runs))";
    Ok(
        diesel::sql_query(aging(scope, as_of, " RETURNING l.dpd, l.bucket"))
            .bind::<Date, _>(not_before)
            .bind::<Nullable<SqlUuid>, _>(scope.loan())
            .bind::<Nullable<SqlUuid>, _>(scope.party())
            .prepared()
            .get_result(conn)
            .optional()?,
    )
}

/// The aging statement over `scope` as of the date `as_of` ($1 in it; the scope's are $2 and
/// $3), updating only loans whose figures change, followed by `returning`.
fn aging(scope: Scope, as_of: &str, returning: &str) -> String {
    let scope_filter = scope.filter(2, 3);
    format!(
        // The first unpaid installment of every loan in one hash aggregate, not a lookup per loan.
        // Joined and updated on (party_id, id), like the accrual.
        "WITH first_unpaid AS (
             SELECT i.party_id, i.loan_id, min(i.due_date) AS due
               FROM loan_installments i JOIN loans l ON l.party_id = i.party_id AND l.id = i.loan_id
              WHERE {scope_filter}
                AND i.due_date <= {as_of} AND i.cum_principal > l.principal_paid
              GROUP BY i.party_id, i.loan_id
         ), aged AS (
             SELECT l.party_id, l.id, coalesce({as_of} + 1 - f.due, 0) AS dpd
               FROM loans l LEFT JOIN first_unpaid f ON f.party_id = l.party_id AND f.loan_id = l.id
              WHERE {scope_filter}
         ), bucketed AS (
             SELECT party_id, id, dpd, CASE WHEN dpd = 0 THEN 'current' WHEN dpd <= 30 THEN '1-30'
                                  WHEN dpd <= 60 THEN '31-60' WHEN dpd <= 90 THEN '61-90' ELSE '90+' END AS bucket
               FROM aged
         )
         UPDATE loans l SET dpd = b.dpd, bucket = b.bucket
           FROM bucketed b
          WHERE l.party_id = b.party_id AND l.id = b.id AND {scope_filter}
            AND (l.dpd <> b.dpd OR l.bucket <> b.bucket){returning}"
    )
}

/// Freezes active lines that have a loan more than `max_dpd` days past due, and lifts a freeze
/// this rule set once no loan qualifies any more; answers how many lines changed.
pub fn freeze_lines(conn: &mut PgConnection, max_dpd: i32) -> Result<usize, RepoError> {
    let frozen = diesel::sql_query(
        "UPDATE credit_lines c SET status = 'frozen', frozen_reason = 'loan_past_due'
          WHERE c.status = 'active'
            AND EXISTS (SELECT 1 FROM loans l
                         WHERE l.party_id = c.party_id AND l.line_id = c.id AND l.status = 'active' AND l.dpd > $1)",
    )
    .bind::<Int4, _>(max_dpd)
    .execute(conn)?;
    let lifted = diesel::sql_query(
        "UPDATE credit_lines c SET status = 'active', frozen_reason = NULL
          WHERE c.status = 'frozen' AND c.frozen_reason = 'loan_past_due'
            AND NOT EXISTS (SELECT 1 FROM loans l
                             WHERE l.party_id = c.party_id AND l.line_id = c.id AND l.status = 'active' AND l.dpd > $1)",
    )
    .bind::<Int4, _>(max_dpd)
    .execute(conn)?;
    Ok(frozen + lifted)
}

/// Whether end of day already ran for `date`.
pub fn already_ran(conn: &mut PgConnection, date: NaiveDate) -> Result<bool, RepoError> {
    use crate::schema::eod_runs;
    Ok(eod_runs::table.find(date).count().get_result::<i64>(conn)? > 0)
}

#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct EodStats {
    pub loans_accrued: i64,
    pub loans_aged: i64,
    pub lines_frozen: i64,
    pub reminders: i64,
}

pub fn record_run(
    conn: &mut PgConnection,
    date: NaiveDate,
    stats: &EodStats,
) -> Result<(), RepoError> {
    use crate::schema::eod_runs;
    diesel::insert_into(eod_runs::table)
        .values((
            eod_runs::business_date.eq(date),
            eod_runs::loans_accrued.eq(stats.loans_accrued),
            eod_runs::loans_aged.eq(stats.loans_aged),
            eod_runs::lines_frozen.eq(stats.lines_frozen),
            eod_runs::reminders.eq(stats.reminders),
            eod_runs::finished_at.eq(chrono::Utc::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The latest business date end of day ran for.
pub fn last_run(conn: &mut PgConnection) -> Result<Option<NaiveDate>, RepoError> {
    use crate::schema::eod_runs;
    Ok(eod_runs::table
        .select(eod_runs::business_date)
        .order(eod_runs::business_date.desc())
        .first(conn)
        .optional()?)
}
