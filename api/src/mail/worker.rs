//! The outbox worker: a task in the server that delivers queued emails, retries with exponential
//! backoff while the mail server is away, and parks a message that keeps failing.
//!
//! # Exactly once, at least once
//!
//! Each round claims a batch of due messages (`persistence::outbox::claim_due`, at most
//! [`BATCH`]): a short transaction picks them with `SELECT … FOR UPDATE SKIP LOCKED` and gives
//! this worker one lease on them, so another worker, in this process or another server, neither
//! waits for nor takes them. The worker then talks SMTP with no database transaction open, and
//! marks accepted messages sent soon after the server has taken them (together, see
//! [`Outcomes`]), which only the lease holder can do. Claiming and recording in batches keeps
//! the database work per message small on a busy night, when every loan sends mail.
//!
//! An SMTP acceptance and a database commit cannot be one atomic step, so the guarantee is at
//! least once: if the process dies (or the database is unreachable) after the server accepted
//! and before the mark commits, the lease runs out and the messages not yet marked go again.
//! Graceful shutdown waits for the message in flight, records what was delivered and gives the
//! rest of the batch back, so a restart does not open that window, unless the shutdown's grace
//! period runs out first: then the conversation is cut, and it, the rest of its batch and the
//! deliveries not yet recorded go again once their lease runs out. A resent message keeps its
//! Message-ID (derived from the outbox id), so mail clients show it once. Short of that, a
//! message is sent once: the worker starts a conversation only while the lease ([`LEASE`])
//! still outlasts its deadline (`smtp.message_deadline_ms`, which bounds the whole
//! conversation) and the recording of its outcome, and gives the rest of the batch back
//! otherwise.
//!
//! A transient failure (connection refused, 4xx) is retried after `backoff_base × 2^(n-1)`
//! (capped at [`MAX_BACKOFF`]); after `max_attempts` attempts, or at once on a permanent failure
//! (5xx, an address that does not parse), the message is parked as `failed` until an admin
//! replays it (`POST /v1/admin/outbox/{id}/replay`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use diesel::PgConnection;
use persistence::outbox::{self, EmailRow};
use persistence::{DbPool, RepoError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::SmtpConfig;
use crate::mail::transport::{Failure, Mailer};

/// How long a claim holds a message: far longer than an SMTP conversation can take.
pub const LEASE: Duration = Duration::from_secs(300);
/// The most messages claimed in one round.
pub const BATCH: i64 = 32;
/// The longest deadline a message's delivery may be given (`smtp.message_deadline_ms` is capped
/// at it), so that a conversation and its record (which starts at most
/// [`RECORD_DELIVERIES_EVERY`] after the conversation ends) always end within the lease.
pub const MAX_MESSAGE_DEADLINE: Duration = Duration::from_secs(240);
/// Time allowed for recording outcomes (a pool wait and one UPDATE); after a record that takes
/// longer, or fails, no conversation of the batch starts.
pub const RECORD_MAX: Duration = Duration::from_secs(30);
/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// The worker's pace, from the `smtp` configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// How long to wait when nothing is due.
    pub poll_interval: Duration,
    /// Attempts before a message is parked.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles after each further one.
    pub backoff_base: Duration,
    /// The longest one delivery may take, whatever the mail server does.
    pub message_deadline: Duration,
}

impl From<&SmtpConfig> for Pace {
    fn from(smtp: &SmtpConfig) -> Pace {
        Pace {
            // Zero would spin; one attempt at least, or nothing would ever be sent.
            poll_interval: Duration::from_millis(smtp.poll_interval_ms.max(1)),
            max_attempts: smtp.max_attempts.max(1),
            backoff_base: Duration::from_millis(smtp.backoff_base_ms),
            message_deadline: Duration::from_millis(smtp.message_deadline_ms.max(1))
                .min(MAX_MESSAGE_DEADLINE),
        }
    }
}

impl Pace {
    /// The wait after the `attempt`-th failed attempt (1-based): base × 2^(attempt-1), capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.backoff_base
            .checked_mul(factor)
            .map_or(MAX_BACKOFF, |d| d.min(MAX_BACKOFF))
    }
}

/// The running worker; [`MailWorker::stop`] ends it after the message in flight, or cuts that
/// message when the grace period runs out.
pub struct MailWorker {
    stop: StopTrigger,
    task: JoinHandle<()>,
}

/// Tells the worker to stop (after the message in flight), from wherever shutdown begins.
#[derive(Clone)]
pub struct StopTrigger(Arc<watch::Sender<bool>>);

impl StopTrigger {
    pub fn fire(&self) {
        // An error means the worker is already gone, which is what we want.
        let _ = self.0.send(true);
    }
}

impl MailWorker {
    /// Starts the worker on the current tokio runtime.
    pub fn spawn(pool: DbPool, mailer: Mailer, pace: Pace) -> MailWorker {
        tracing::info!(transport = %mailer.describe(), ?pace, "outbox worker started");
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(pool, mailer, pace, stopped));
        MailWorker {
            stop: StopTrigger(Arc::new(stop)),
            task,
        }
    }

    pub fn stop_trigger(&self) -> StopTrigger {
        self.stop.clone()
    }

    /// Asks the worker to stop and waits until it has, or until `grace` is over: then the
    /// conversation in flight is cut (its message goes again when its lease runs out).
    pub async fn stop(mut self, grace: Duration) {
        self.stop.fire();
        match tokio::time::timeout(grace, &mut self.task).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "outbox worker ended abnormally"),
            Err(_) => {
                tracing::warn!(?grace, "outbox worker did not stop within the grace period");
                self.task.abort();
            }
        }
    }
}

async fn run(pool: DbPool, mailer: Mailer, pace: Pace, mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        match deliver_batch(&pool, &mailer, &pace, &stopped).await {
            // Something was due: more may be, look again at once.
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "outbox worker round failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(pace.poll_interval) => {}
            _ = stopped.changed() => {}
        }
    }
    tracing::info!("outbox worker stopped");
}

/// Claims, sends and records a batch of due messages; answers whether there was any.
async fn deliver_batch(
    pool: &DbPool,
    mailer: &Mailer,
    pace: &Pace,
    stopped: &watch::Receiver<bool>,
) -> Result<bool, RepoError> {
    let lease = chrono::Duration::from_std(LEASE).map_err(|e| RepoError::Corrupt(e.to_string()))?;
    let claimed_at = tokio::time::Instant::now();
    let batch = blocking(pool, move |c| {
        outbox::claim_due(c, Utc::now(), lease, BATCH)
    })
    .await?;
    let Some(lease_id) = batch.first().map(|e| e.lease_id) else {
        return Ok(false);
    };
    let lease_id =
        lease_id.ok_or_else(|| RepoError::Corrupt("a claimed email has no lease".into()))?;
    let mut outcomes = Outcomes::new(pool, lease_id);
    let mut untried = Vec::new();
    for email in &batch {
        // Start a conversation only if it, and recording its outcome, end within the lease:
        // otherwise another worker could take the message over and send it again. A stopping
        // worker finishes the message in flight and gives the rest back; so does one whose
        // last record failed or took longer than allowed (the database is struggling).
        if outcomes.database_trouble
            || *stopped.borrow()
            || claimed_at.elapsed() + pace.message_deadline + RECORD_DELIVERIES_EVERY + RECORD_MAX
                >= LEASE
        {
            untried.push(email.id);
            continue;
        }
        match outcomes.converse(mailer, pace, email).await {
            Ok(()) => outcomes.delivered(email.id),
            Err(failure) => outcomes.failed(pace, email, &failure).await,
        }
    }
    outcomes.record_deliveries().await;
    if !untried.is_empty() {
        blocking(pool, move |c| outbox::release(c, &untried, lease_id)).await?;
    }
    Ok(true)
}

/// One conversation, cut at the message's deadline whatever the mail server does.
async fn deliver(mailer: &Mailer, pace: &Pace, email: &EmailRow) -> Result<(), Failure> {
    tokio::time::timeout(pace.message_deadline, mailer.deliver(email))
        .await
        .unwrap_or_else(|_| {
            Err(Failure {
                permanent: false,
                message: format!("no answer within {:?}", pace.message_deadline),
            })
        })
}

/// The outcomes of one claim, recorded under its lease.
///
/// Deliveries are recorded together: [`RECORD_DELIVERIES_EVERY`] after the oldest one not yet
/// recorded (while the next conversation goes on, if one is under way), before a failure is
/// recorded, and at the end of the batch. After a spike the outbox holds thousands of
/// messages, and one UPDATE (and one transaction) per message is database work that competes
/// with the decisions still arriving. The price is a wider window in which a crash (or a
/// shutdown whose grace runs out) resends a delivered message, at least once with the same
/// Message-ID: the deliveries of that interval and the record under way, instead of one.
/// Failures are recorded one by one: each has its own retry time.
struct Outcomes<'a> {
    pool: &'a DbPool,
    lease_id: uuid::Uuid,
    delivered: Vec<uuid::Uuid>,
    oldest: Option<tokio::time::Instant>,
    /// A record failed or took longer than [`RECORD_MAX`]: no conversation starts after it,
    /// since its outcome could not be recorded either.
    database_trouble: bool,
}

/// How long a delivery may wait to be recorded with the next ones (see [`Outcomes`]).
const RECORD_DELIVERIES_EVERY: Duration = Duration::from_millis(100);

impl<'a> Outcomes<'a> {
    fn new(pool: &'a DbPool, lease_id: uuid::Uuid) -> Outcomes<'a> {
        Outcomes {
            pool,
            lease_id,
            delivered: Vec::new(),
            oldest: None,
            database_trouble: false,
        }
    }

    fn delivered(&mut self, id: uuid::Uuid) {
        self.delivered.push(id);
        self.oldest.get_or_insert_with(tokio::time::Instant::now);
    }

    /// One conversation; the deliveries waiting to be recorded are recorded when due while it
    /// goes on, so that a slow mail server does not hold them back.
    async fn converse(
        &mut self,
        mailer: &Mailer,
        pace: &Pace,
        email: &EmailRow,
    ) -> Result<(), Failure> {
        let conversation = deliver(mailer, pace, email);
        tokio::pin!(conversation);
        let Some(oldest) = self.oldest else {
            return conversation.await;
        };
        // An atomic, not a Cell: the worker's future moves between the runtime's threads.
        let recording = AtomicBool::new(false);
        let record = async {
            tokio::time::sleep_until(oldest + RECORD_DELIVERIES_EVERY).await;
            recording.store(true, Ordering::Relaxed);
            self.record_deliveries().await;
        };
        tokio::pin!(record);
        tokio::select! {
            outcome = &mut conversation => {
                // A record under way is finished, not dropped: its outcome is needed.
                if recording.load(Ordering::Relaxed) {
                    record.await;
                }
                outcome
            }
            () = &mut record => conversation.await,
        }
    }

    async fn record_deliveries(&mut self) {
        self.oldest = None;
        let ids = std::mem::take(&mut self.delivered);
        if ids.is_empty() {
            return;
        }
        let (count, lease_id) = (ids.len(), self.lease_id);
        let record = blocking(self.pool, move |c| {
            outbox::mark_sent(c, &ids, lease_id, Utc::now())
        });
        match tokio::time::timeout(RECORD_MAX, record).await {
            // The record may still land; if it does not before the lease ends, the messages go
            // again (at least once, same Message-ID).
            Err(_) => {
                tracing::warn!(count, "recording deliveries is taking too long");
                self.database_trouble = true;
            }
            Ok(Ok(recorded)) if recorded == count => {}
            Ok(Ok(recorded)) => tracing::warn!(
                lost = count - recorded,
                "outbox lease ran out before deliveries were recorded"
            ),
            Ok(Err(e)) => {
                tracing::error!(
                    count,
                    error = %e,
                    "emails sent but not marked; they will be sent again"
                );
                self.database_trouble = true;
            }
        }
    }

    async fn failed(&mut self, pace: &Pace, email: &EmailRow, failure: &Failure) {
        // Deliveries first: the failure's record may take long, and they must not wait for it.
        self.record_deliveries().await;
        let id = email.id;
        let record = record_failure(self.pool, pace, email, self.lease_id, failure);
        match tokio::time::timeout(RECORD_MAX, record).await {
            Err(_) => {
                tracing::warn!(%id, "recording an outbox failure is taking too long");
                self.database_trouble = true;
            }
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => {
                tracing::warn!(%id, "outbox lease ran out before the failure was recorded")
            }
            Ok(Err(e)) => {
                tracing::warn!(%id, error = %e, "email failure not recorded; it will be retried");
                self.database_trouble = true;
            }
        }
    }
}

async fn record_failure(
    pool: &DbPool,
    pace: &Pace,
    email: &EmailRow,
    lease_id: uuid::Uuid,
    failure: &Failure,
) -> Result<bool, RepoError> {
    let attempts = u32::try_from(email.attempts).unwrap_or(u32::MAX);
    let now = Utc::now();
    let retry_at = if failure.permanent || attempts >= pace.max_attempts {
        tracing::error!(id = %email.id, attempts, error = %failure.message, "email parked as failed");
        None
    } else {
        let wait = chrono::Duration::from_std(pace.backoff(attempts))
            .map_err(|e| RepoError::Corrupt(e.to_string()))?;
        tracing::warn!(id = %email.id, attempts, error = %failure.message, "email delivery failed; will retry");
        Some(now + wait)
    };
    let (id, message) = (email.id, failure.message.clone());
    blocking(pool, move |c| {
        outbox::record_failure(c, id, lease_id, &message, retry_at, now)
    })
    .await
}

/// Runs diesel work on the blocking thread pool.
async fn blocking<T, F>(pool: &DbPool, work: F) -> Result<T, RepoError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, RepoError> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || work(&mut **pool.get()?))
        .await
        .map_err(|e| RepoError::Database(format!("outbox task: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pace(base_ms: u64) -> Pace {
        Pace {
            poll_interval: Duration::from_millis(10),
            max_attempts: 5,
            backoff_base: Duration::from_millis(base_ms),
            message_deadline: Duration::from_secs(1),
        }
    }

    #[test]
    fn the_backoff_doubles_after_each_failed_attempt() {
        let p = pace(1_000);
        let waits: Vec<u64> = (1..=4).map(|n| p.backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8]);
    }

    #[test]
    fn the_backoff_is_capped_even_after_very_many_attempts() {
        assert_eq!(pace(60_000).backoff(40), MAX_BACKOFF);
        assert_eq!(pace(60_000).backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn a_zero_poll_interval_or_attempt_budget_is_raised_to_one() {
        let smtp = SmtpConfig {
            poll_interval_ms: 0,
            max_attempts: 0,
            ..SmtpConfig::default()
        };
        let p = Pace::from(&smtp);
        assert_eq!(p.poll_interval, Duration::from_millis(1));
        assert_eq!(p.max_attempts, 1);
    }

    #[test]
    fn the_lease_outlasts_the_longest_delivery_and_its_record() {
        assert!(MAX_MESSAGE_DEADLINE + RECORD_DELIVERIES_EVERY + RECORD_MAX < LEASE);
        let smtp = SmtpConfig {
            message_deadline_ms: u64::MAX,
            ..SmtpConfig::default()
        };
        assert_eq!(Pace::from(&smtp).message_deadline, MAX_MESSAGE_DEADLINE);
    }
}
