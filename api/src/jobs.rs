//! Periodic jobs inside the server: sealing audit checkpoints (emailed to auditors), end of
//! day at the configured time, and purging expired idempotency keys.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use persistence::{DbPool, RepoError};

use crate::config::{AuditConfig, Config};
use crate::usecases::books::{notify_auditors, seal_checkpoint};
use crate::usecases::context::Policy;

/// Starts the periodic jobs on the current runtime; they stop when the runtime does. End of
/// day runs under the requests' `policy`, so they see the business date it opens at once.
pub fn spawn(pool: DbPool, config: &Config, policy: Arc<Policy>) {
    let interval = config.audit.checkpoint_interval_seconds;
    if interval > 0 {
        let pool = pool.clone();
        let audit = config.audit.clone();
        every(
            Duration::from_secs(interval),
            "audit checkpoint",
            move || seal_round(&pool, &audit),
        );
    }
    if let Some(at) = config.loans.eod_at {
        let pool = pool.clone();
        every(Duration::from_secs(60), "end of day", move || {
            run_due_eod(&pool, at, &policy)
        });
    }
    let retention =
        chrono::Duration::hours(i64::try_from(config.idempotency.retention_hours).unwrap_or(24));
    every(Duration::from_secs(3600), "idempotency purge", move || {
        let cutoff = Utc::now() - retention;
        let mut purged = 0;
        in_paced_steps(|| {
            let mut conn = pool.get()?;
            let (deleted, more) =
                persistence::idempotency::purge_step(&mut conn, cutoff, PURGE_STEP_ROWS)?;
            purged += deleted;
            Ok(more)
        })?;
        tracing::info!(purged, "expired idempotency keys purged");
        Ok(())
    });
}

/// Idempotency keys deleted a statement.
const PURGE_STEP_ROWS: u32 = 10_000;

/// Runs `step` until it answers that nothing is left, pausing after each step as long as it
/// took: a job catching up on a peak's backlog (heads that moved, keys that expired) never
/// takes more than half of a core from decisions, and never holds one long transaction.
fn in_paced_steps(mut step: impl FnMut() -> Result<bool, RepoError>) -> Result<(), RepoError> {
    loop {
        let started = Instant::now();
        if !step()? {
            return Ok(());
        }
        std::thread::sleep(started.elapsed());
    }
}

/// Seals checkpoints over every chain head that moved, one bounded checkpoint a transaction,
/// walking the heads in key order (see [`in_paced_steps`]), and announces the round's last
/// checkpoint to the auditors.
fn seal_round(pool: &DbPool, audit: &AuditConfig) -> Result<(), RepoError> {
    let mut after = None;
    let mut unannounced = None;
    let sealed = in_paced_steps(|| {
        let mut conn = pool.get()?;
        let sealed = diesel::Connection::transaction(&mut **conn, |c| {
            seal_checkpoint(c, Utc::now(), audit, after.as_ref())
        })?;
        Ok(match sealed {
            Some(sealed) if sealed.full => {
                after = Some(sealed.resume_after);
                unannounced = Some(sealed.checkpoint);
                true
            }
            // Not full: the round's last, announced in its own transaction.
            Some(_) => {
                unannounced = None;
                false
            }
            None => false,
        })
    });
    // The round's last checkpoint, if its own transaction did not announce it: it was full and
    // nothing had moved after it, or the round failed after it (what was sealed is published
    // all the same).
    if let Some(checkpoint) = unannounced {
        let mut conn = pool.get()?;
        diesel::Connection::transaction(&mut **conn, |c| {
            notify_auditors(c, &checkpoint, &audit.auditor_emails)
        })?;
    }
    sealed
}

/// Once the wall clock passes `at` (UTC) on or after the business date, runs end of day for the
/// business date and moves the business date to the next day, in one transaction.
fn run_due_eod(pool: &DbPool, at: chrono::NaiveTime, policy: &Policy) -> Result<(), RepoError> {
    let now = Utc::now();
    let mut conn = pool.get()?;
    crate::unattended::run(&mut conn, "system:eod", policy, now, |ctx| {
        let date = ctx.today;
        if date > now.date_naive() || (date == now.date_naive() && now.time() < at) {
            return Ok(());
        }
        // End of day opens the next business day itself.
        crate::usecases::day::eod::end_of_day(ctx, Some(date)).map(|_| ())
    })
    .map_err(|e| RepoError::Database(crate::telemetry::error_chain(&e)))
}

fn every<F>(period: Duration, name: &'static str, job: F)
where
    F: Fn() -> Result<(), RepoError> + Send + Sync + Clone + 'static,
{
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            let job = job.clone();
            match tokio::task::spawn_blocking(job).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(job = name, error = %e, "periodic job failed"),
                Err(e) => tracing::warn!(job = name, error = %e, "periodic job panicked"),
            }
        }
    });
}
