//! End of day for one business date: accrual, aging, line freezes and reminders, all
//! set-based, in one transaction, and at most once per date.

use chrono::{Duration, NaiveDate};
use diesel::sql_types::{BigInt, Date};
use diesel::{PgConnection, RunQueryDsl};
use persistence::loans_eod::{self, EodStats};

use crate::usecases::context::Shared;
use crate::usecases::lending::accrual::accrue_and_post;
use crate::usecases::{Context, UseCaseError};

/// Runs end of day for `date` (default: the business date); answers the date and its
/// figures, `None` when it already ran (a second run changes nothing).
pub fn end_of_day(
    ctx: &mut Context<'_>,
    date: Option<NaiveDate>,
) -> Result<(NaiveDate, Option<EodStats>), UseCaseError> {
    let date = date.unwrap_or(ctx.today);
    let policy = &ctx.policy.loans;
    let conn = &mut *ctx.conn;
    // One end of day at a time: a second runner waits, then finds the date done.
    diesel::sql_query("SELECT pg_advisory_xact_lock(8035552)").execute(conn)?;
    if loans_eod::already_ran(conn, date)? {
        return Ok((date, None));
    }
    // Days close in order and never ahead of the business date: running a later day early
    // would charge interest not yet earned; an older day after a later one would undo aging.
    // Read again under the lock: a run that held it may have opened the next day.
    let business_date = persistence::calendar::business_date(conn, ctx.now.date_naive())?;
    if date > business_date {
        return Err(UseCaseError::refused(
            "eod_in_future",
            "end of day cannot run ahead of the business date",
            Some("date"),
        ));
    }
    let last_closed = loans_eod::last_run(conn)?;
    if last_closed.is_some_and(|last| date < last) {
        return Err(UseCaseError::refused(
            "eod_out_of_order",
            "a later business date has already been closed",
            Some("date"),
        ));
    }
    let next_day = date + Duration::days(1);
    // Each stage's duration is logged: operators watch the night run against its window.
    let stage = std::time::Instant::now();
    let mut stats = EodStats {
        loans_accrued: accrue_and_post(conn, next_day, date)?,
        ..EodStats::default()
    };
    tracing::info!(%date, elapsed = ?stage.elapsed(), "end of day: accrual");
    let stage = std::time::Instant::now();
    stats.loans_aged = count(loans_eod::age(conn, date, loans_eod::Scope::Active)?);
    tracing::info!(%date, elapsed = ?stage.elapsed(), "end of day: aging");
    let stage = std::time::Instant::now();
    stats.lines_frozen = count(loans_eod::freeze_lines(conn, policy.freeze_after_dpd)?);
    stats.reminders = count(queue_reminders(
        conn,
        ClosedSpan::new(last_closed, date),
        policy.reminder_days_before_due,
    )?);
    tracing::info!(%date, elapsed = ?stage.elapsed(), "end of day: freezes and reminders");
    loans_eod::record_run(conn, date, &stats)?;
    // Closing the current day opens the next one, whoever ran it (the scheduled job, the admin
    // route or `lendline eod`): money cannot move on a closed day, so the platform must not
    // be left standing on one.
    if date == business_date {
        ctx.forget(Shared::Calendar);
        persistence::calendar::set_business_date(ctx.conn, next_day)?;
    }
    tracing::info!(%date, ?stats, "end of day done");
    Ok((date, Some(stats)))
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The days one end of day closes: from the day after the last closed one through `date`.
/// When the business date jumped (end of day for D+5 right after D), the run stands for every
/// day in between, so notices whose day fell in the gap are sent now rather than never.
#[derive(Debug, Clone, Copy)]
struct ClosedSpan {
    date: NaiveDate,
    /// How many days the run closes (1 when no day was skipped or none was closed before).
    days: i64,
}

impl ClosedSpan {
    fn new(last_closed: Option<NaiveDate>, date: NaiveDate) -> ClosedSpan {
        let days = last_closed.map_or(1, |last| (date - last).num_days().max(1));
        ClosedSpan { date, days }
    }
}

/// Queues, in one statement, a reminder for every unpaid installment whose reminder day
/// (`days_before` days ahead of its due date) falls in `span` and which is not yet due, and an
/// overdue notice for every loan that became past due during `span` (its oldest unpaid
/// installment fell due inside it, so `1 <= dpd <= days`). Spans never overlap (end of day runs
/// once per date and in order), so each notice is queued once. An installment already past due
/// at the run gets the overdue notice instead of a reminder. Only amounts, dates and ids go
/// into the bodies (no client-supplied text), so no escaping is needed.
fn queue_reminders(
    conn: &mut PgConnection,
    span: ClosedSpan,
    days_before: i64,
) -> Result<usize, UseCaseError> {
    Ok(diesel::sql_query(
        "INSERT INTO outbox_emails (id, template, reference, recipient, subject, text_body, html_body)
         SELECT gen_random_uuid(), n.template, 'loan:' || n.loan_id, p.contact_email, n.subject,
                n.line || E'\\n\\nThe Lendline team\\n',
                '<!DOCTYPE html><html><body><p>' || n.line || '</p><p>The Lendline team</p></body></html>'
           FROM (
             SELECT 'payment_reminder' AS template, l.id AS loan_id, l.party_id,
                    'Installment due on ' || i.due_date AS subject,
                    format('Installment %s of loan %s, %s %s, falls due on %s.', i.number, l.id,
                           round(i.principal + i.interest + i.fee, minor_units(l.currency)), l.currency, i.due_date) AS line
               FROM loan_installments i JOIN loans l ON l.party_id = i.party_id AND l.id = i.loan_id
              WHERE l.status = 'active'
                AND i.due_date <= $1::date + $2::bigint::int
                AND i.due_date > $1::date + $2::bigint::int - $3::bigint::int
                AND i.due_date > $1::date
                AND i.cum_principal > l.principal_paid
             UNION ALL
             SELECT 'overdue_notice', l.id, l.party_id, 'Payment overdue on loan ' || l.id,
                    format('Loan %s is past due: an installment was not paid on time, and %s %s of principal is outstanding. Penalty interest accrues daily on the overdue part.',
                           l.id, round(l.principal - l.principal_paid, minor_units(l.currency)), l.currency)
               FROM loans l WHERE l.status = 'active' AND l.dpd BETWEEN 1 AND $3::bigint
           ) n JOIN parties p ON p.id = n.party_id",
    )
    .bind::<Date, _>(span.date)
    .bind::<BigInt, _>(days_before)
    .bind::<BigInt, _>(span.days)
    .execute(conn)?)
}
