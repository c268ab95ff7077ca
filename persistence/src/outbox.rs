//! Outbox repository: emails queued in the transaction of the change that causes them, and the
//! queue operations the delivery worker and the admin endpoints need.
//!
//! A message is `pending` until a worker delivers it (`sent`) or gives up on it (`failed`,
//! "parked" until an admin replays it). A worker *claims* a due message with
//! `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers (even in other server processes)
//! never claim the same row, and sets a lease: `lease_id` names the claim and `leased_until`
//! keeps other workers away until it runs out. No database transaction stays open while the
//! mail is on the wire; the outcome is recorded afterwards, only by the holder of the lease.
//! Should a worker die between the SMTP server's acceptance and that record, the lease runs out
//! and the message is sent again: delivery is at least once (see `api/src/mail/worker.rs`).
//!
//! No index reads the lease, so a claim and a release rewrite the row beside itself without
//! touching an index (a HOT update); only a delivery or a failure moves the message in an index.

use chrono::{DateTime, Duration, Utc};
use diesel::connection::SimpleConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use uuid::Uuid;

use crate::audit::{run_alone, AuditLog, BoxedQuery, Tail, TailBinder};
use crate::error::RepoError;
use crate::prepared::Prepare;
use crate::schema::outbox_emails;

/// Runs the delivery worker's bookkeeping (a claim, a delivery or failure recorded, a release)
/// in a transaction whose commit does not wait for its WAL to reach disk.
///
/// At the peak every decision queues a message, and a commit that waits for its own flush per
/// message would cost the disk as many flushes as the decisions' group commits. Losing such a
/// commit in a crash loses nothing: the message is still pending when the server comes back,
/// or its lease runs out, and it is sent again (delivery is at least once, same Message-ID).
/// A message is queued in the causing change's own, durable, transaction.
///
/// Its statements are planned for their values every time (`plan_cache_mode`): the table goes
/// from empty to tens of thousands of rows within a spike, and a generic plan made while it
/// was small scans all of it (a delivery record took 12 ms instead of 0.1 under the peak
/// benchmark, a quarter of PostgreSQL's time); a handful of statements a second can afford
/// their planning.
///
/// Nor do they walk an index into a bitmap: the due index keeps an entry for every message
/// delivered since the last vacuum (a delivery leaves the index, a claim does not touch it), and
/// only a walk in index order marks such entries dead as it passes them, so the next claim
/// skips them. A bitmap scan visits all of them every time (measured: 8 ms a claim once 3,000
/// messages were delivered at the peak, for 40 pending).
fn unflushed<T>(
    conn: &mut PgConnection,
    work: impl FnOnce(&mut PgConnection) -> Result<T, RepoError>,
) -> Result<T, RepoError> {
    conn.transaction(|c| {
        c.batch_execute(
            "SET LOCAL synchronous_commit = off; SET LOCAL plan_cache_mode = force_custom_plan;
             SET LOCAL enable_bitmapscan = off",
        )?;
        work(c)
    })
}

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailStatus {
    Pending,
    Sent,
    Failed,
}

impl EmailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Pending => "pending",
            EmailStatus::Sent => "sent",
            EmailStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Result<EmailStatus, RepoError> {
        match text {
            "pending" => Ok(EmailStatus::Pending),
            "sent" => Ok(EmailStatus::Sent),
            "failed" => Ok(EmailStatus::Failed),
            other => Err(RepoError::Corrupt(format!(
                "unknown email status {other:?}"
            ))),
        }
    }
}

/// A message to queue: already rendered, so that what is sent is what was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEmail {
    pub recipient: String,
    /// The template that produced it, e.g. `welcome`.
    pub template: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// What caused it, e.g. `party:<id>`.
    pub reference: Option<String>,
}

/// A stored message, bodies included (what the worker sends).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox_emails)]
pub struct EmailRow {
    pub id: Uuid,
    pub template: String,
    pub reference: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub lease_id: Option<Uuid>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A stored message without its bodies (what the admin listing shows).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox_emails)]
pub struct EmailSummary {
    pub id: Uuid,
    pub template: String,
    pub reference: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Filters for the admin listing; `after` is the keyset cursor (ids are time-ordered UUIDv7).
#[derive(Debug, Clone)]
pub struct EmailFilter {
    pub status: Option<EmailStatus>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// What a replay found.
#[derive(Debug, Clone)]
pub enum Replay {
    /// The parked message is pending again, with a fresh attempt budget.
    Replayed(EmailSummary),
    /// Only a failed message can be replayed; this one is in another state.
    NotFailed(EmailStatus),
}

/// The longest error text kept with a message.
const MAX_ERROR_CHARS: usize = 1000;

/// Queues `email` for delivery as part of the caller's transaction and answers its id: if the
/// transaction rolls back, the email was never queued.
pub fn enqueue(conn: &mut PgConnection, email: &NewEmail) -> Result<Uuid, RepoError> {
    let (id, tail) = to_recipient(email.clone());
    run_alone(conn, tail)?;
    Ok(id)
}

/// The insert that queues `email` for its `recipient`, as a write that can ride along with a
/// request's audit appends ([`AuditLog::ride`]) or run alone; answers the message's id.
pub fn to_recipient(email: NewEmail) -> (Uuid, Tail<'static>) {
    let id = Uuid::now_v7();
    let tail = Tail {
        sql: "INSERT INTO outbox_emails
                  (id, template, reference, recipient, subject, text_body, html_body)
              VALUES ($1, $2, $3, $7, $4, $5, $6)
              RETURNING 1"
            .into(),
        params: 7,
        bind: binder(id, email, |q, recipient: String| {
            q.bind::<Text, _>(recipient)
        }),
    };
    (id, tail)
}

/// The insert that queues `email` for the contact address of `party_id` (its `recipient` is
/// not used), looked up in the same statement: every loan and decision mails its party. It
/// returns no row when there is no such party. Rides or runs alone like [`to_recipient`].
pub fn for_party(party_id: Uuid, email: NewEmail) -> (Uuid, Tail<'static>) {
    let id = Uuid::now_v7();
    let tail = Tail {
        sql: "INSERT INTO outbox_emails
                  (id, template, reference, recipient, subject, text_body, html_body)
              SELECT $1, $2, $3, contact_email, $4, $5, $6 FROM parties WHERE id = $7
              RETURNING 1"
            .into(),
        params: 7,
        bind: binder(id, email, move |q, _| {
            q.bind::<diesel::sql_types::Uuid, _>(party_id)
        }),
    };
    (id, tail)
}

/// Binds a queued message's id and fields as `$1` to `$6`, then `seventh` as `$7`.
fn binder(
    id: Uuid,
    email: NewEmail,
    seventh: impl for<'q> FnOnce(BoxedQuery<'q>, String) -> BoxedQuery<'q> + Send + 'static,
) -> TailBinder<'static> {
    Box::new(move |query| {
        let query = query
            .bind::<diesel::sql_types::Uuid, _>(id)
            .bind::<Text, _>(email.template)
            .bind::<Nullable<Text>, _>(email.reference)
            .bind::<Text, _>(email.subject)
            .bind::<Text, _>(email.text_body)
            .bind::<Text, _>(email.html_body);
        seventh(query, email.recipient)
    })
}

/// [`for_party`] riding along with the appends of `log`: `NotFound` from the append when
/// there is no such party. Answers the message's id.
pub fn enqueue_for_party_with(log: &mut AuditLog, party_id: Uuid, email: NewEmail) -> Uuid {
    let (id, tail) = for_party(party_id, email);
    log.ride(tail, || RepoError::NotFound);
    id
}

/// Claims up to `limit` of the oldest due pending messages under one fresh lease: rows another
/// worker is claiming right now are skipped, not waited for. The claim counts as an attempt.
/// Answers them oldest first (empty when nothing is due).
pub fn claim_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<EmailRow>, RepoError> {
    unflushed(conn, |c| {
        // `status` written into the SQL, not bound: a plan PostgreSQL keeps for any status
        // cannot use the partial index of pending messages (measured: 5 ms a claim once the
        // table holds a peak's sent messages, against a walk of the due index).
        let due: Vec<Uuid> = outbox_emails::table
            .select(outbox_emails::id)
            .filter(diesel::dsl::sql::<Bool>("status = 'pending'"))
            .filter(outbox_emails::next_attempt_at.le(now))
            .filter(
                outbox_emails::leased_until
                    .is_null()
                    .or(outbox_emails::leased_until.le(now)),
            )
            .order((
                outbox_emails::next_attempt_at.asc(),
                outbox_emails::id.asc(),
            ))
            .limit(limit)
            .for_update()
            .skip_locked()
            .prepared()
            .load(c)?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let mut rows = diesel::update(outbox_emails::table.filter(outbox_emails::id.eq_any(&due)))
            .set((
                outbox_emails::lease_id.eq(Some(Uuid::new_v4())),
                outbox_emails::attempts.eq(outbox_emails::attempts + 1),
                outbox_emails::leased_until.eq(Some(now + lease)),
            ))
            .returning(EmailRow::as_returning())
            .prepared()
            .get_results(c)?;
        // Ids are time-ordered (v7): oldest first, as they were picked.
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    })
}

/// The columns that say a message is leased, both cleared.
type Unleased = (
    diesel::dsl::Eq<outbox_emails::lease_id, Option<Uuid>>,
    diesel::dsl::Eq<outbox_emails::leased_until, Option<DateTime<Utc>>>,
);

/// No lease: the message is free for any worker once due.
fn unleased() -> Unleased {
    (
        outbox_emails::lease_id.eq(None),
        outbox_emails::leased_until.eq(None),
    )
}

/// The still-pending messages among `ids` that the lease `lease_id` holds.
fn held(
    ids: &[Uuid],
    lease_id: Uuid,
) -> Box<dyn BoxableExpression<outbox_emails::table, Pg, SqlType = Nullable<Bool>> + '_> {
    Box::new(
        outbox_emails::id
            .eq_any(ids)
            .and(outbox_emails::lease_id.eq(lease_id))
            .and(outbox_emails::status.eq(EmailStatus::Pending.as_str())),
    )
}

/// Records deliveries. Answers how many were recorded: a message whose lease was lost (it ran
/// out and another worker took the message over) is left unchanged.
pub fn mark_sent(
    conn: &mut PgConnection,
    ids: &[Uuid],
    lease_id: Uuid,
    now: DateTime<Utc>,
) -> Result<usize, RepoError> {
    unflushed(conn, |c| {
        Ok(
            diesel::update(outbox_emails::table.filter(held(ids, lease_id)))
                .set((
                    outbox_emails::status.eq(EmailStatus::Sent.as_str()),
                    outbox_emails::sent_at.eq(Some(now)),
                    unleased(),
                    outbox_emails::last_error.eq(None::<String>),
                ))
                .returning(outbox_emails::id)
                .prepared()
                .load::<Uuid>(c)?
                .len(),
        )
    })
}

/// Gives back claimed messages that were not attempted: due again at once (they were due when
/// claimed), the claim's attempt not counted.
pub fn release(conn: &mut PgConnection, ids: &[Uuid], lease_id: Uuid) -> Result<usize, RepoError> {
    unflushed(conn, |c| {
        Ok(
            diesel::update(outbox_emails::table.filter(held(ids, lease_id)))
                .set((
                    unleased(),
                    outbox_emails::attempts.eq(outbox_emails::attempts - 1),
                ))
                .returning(outbox_emails::id)
                .prepared()
                .load::<Uuid>(c)?
                .len(),
        )
    })
}

/// Records a failed attempt: retried at `retry_at`, or parked as `failed` when it is `None`.
/// Answers `false` when the lease was lost.
pub fn record_failure(
    conn: &mut PgConnection,
    id: Uuid,
    lease_id: Uuid,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, RepoError> {
    let status = match retry_at {
        Some(_) => EmailStatus::Pending,
        None => EmailStatus::Failed,
    };
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    let updated = unflushed(conn, |c| {
        Ok(diesel::update(
            outbox_emails::table
                .find(id)
                .filter(outbox_emails::lease_id.eq(lease_id))
                .filter(outbox_emails::status.eq(EmailStatus::Pending.as_str())),
        )
        .set((
            outbox_emails::status.eq(status.as_str()),
            outbox_emails::next_attempt_at.eq(retry_at.unwrap_or(now)),
            unleased(),
            outbox_emails::last_error.eq(Some(error)),
        ))
        .returning(outbox_emails::id)
        .prepared()
        .load::<Uuid>(c)?)
    })?;
    Ok(updated.len() == 1)
}

/// Resets a parked message to pending, due now, with a fresh attempt budget.
pub fn replay(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> Result<Replay, RepoError> {
    let replayed = diesel::update(
        outbox_emails::table
            .find(id)
            .filter(outbox_emails::status.eq(EmailStatus::Failed.as_str())),
    )
    .set((
        outbox_emails::status.eq(EmailStatus::Pending.as_str()),
        outbox_emails::attempts.eq(0),
        outbox_emails::next_attempt_at.eq(now),
        unleased(),
    ))
    .returning(EmailSummary::as_returning())
    .get_result(conn)
    .optional()?;
    if let Some(summary) = replayed {
        return Ok(Replay::Replayed(summary));
    }
    let status: String = outbox_emails::table
        .find(id)
        .select(outbox_emails::status)
        .first(conn)?;
    Ok(Replay::NotFailed(EmailStatus::parse(&status)?))
}

/// Lists messages oldest first, optionally of one status.
pub fn list(conn: &mut PgConnection, filter: &EmailFilter) -> Result<Vec<EmailSummary>, RepoError> {
    let mut query = outbox_emails::table
        .select(EmailSummary::as_select())
        .into_boxed();
    if let Some(status) = filter.status {
        // Written into the SQL, not bound: the index of unsent messages serves a status that
        // PostgreSQL can see is not `sent`, which a plan for any bound status cannot assume.
        query = query.filter(diesel::dsl::sql::<Bool>(&format!(
            "status = '{}'",
            status.as_str()
        )));
    }
    if let Some(after) = filter.after {
        query = query.filter(outbox_emails::id.gt(after));
    }
    Ok(query
        .order(outbox_emails::id.asc())
        .limit(filter.limit)
        .load(conn)?)
}

/// One message, bodies included.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<EmailRow, RepoError> {
    Ok(outbox_emails::table
        .find(id)
        .select(EmailRow::as_select())
        .first(conn)?)
}
