//! Periodic jobs inside the server: sealing audit checkpoints (emailed to auditors), end of
//! day at the configured time, and purging expired idempotency keys.

use std::time::Duration;

use chrono::Utc;
use diesel::PgConnection;
use persistence::audit::{self, CheckpointRow};
use persistence::{DbPool, RepoError};

use crate::config::{Config, LoansConfig};
use crate::mail::{self, Template};

/// Seals a checkpoint over the chain heads that moved; auditors are sent its hash by email in
/// the same transaction (through the outbox), so a published hash always names a real checkpoint.
pub fn seal_checkpoint(
    conn: &mut PgConnection,
    auditors: &[String],
) -> Result<Option<CheckpointRow>, RepoError> {
    let checkpoint = audit::create_checkpoint(conn, Utc::now())?;
    if let Some(c) = &checkpoint {
        let template = Template::AuditCheckpoint {
            id: c.id,
            hash: c.hash.clone(),
            created_at: c.created_at.to_rfc3339(),
        };
        for auditor in auditors {
            let reference = Some(format!("audit_checkpoint:{}", c.id));
            mail::enqueue_to(conn, auditor, &template, reference)?;
        }
        tracing::info!(
            checkpoint = c.id,
            auditors = auditors.len(),
            "checkpoint sealed"
        );
    }
    Ok(checkpoint)
}

/// Starts the periodic jobs on the current runtime; they stop when the runtime does.
pub fn spawn(pool: DbPool, config: &Config) {
    let interval = config.audit.checkpoint_interval_seconds;
    if interval > 0 {
        let pool = pool.clone();
        let auditors = config.audit.auditor_emails.clone();
        every(
            Duration::from_secs(interval),
            "audit checkpoint",
            move || {
                let mut conn = pool.get()?;
                diesel::Connection::transaction(&mut **conn, |c| {
                    seal_checkpoint(c, &auditors).map(|_| ())
                })
            },
        );
    }
    if let Some(at) = config.loans.eod_at {
        let pool = pool.clone();
        let policy = config.loans.clone();
        every(Duration::from_secs(60), "end of day", move || {
            run_due_eod(&pool, at, &policy)
        });
    }
    let retention =
        chrono::Duration::hours(i64::try_from(config.idempotency.retention_hours).unwrap_or(24));
    every(Duration::from_secs(3600), "idempotency purge", move || {
        let mut conn = pool.get()?;
        let purged = persistence::idempotency::purge_before(&mut conn, Utc::now() - retention)?;
        tracing::info!(purged, "expired idempotency keys purged");
        Ok(())
    });
}

/// Once the wall clock passes `at` (UTC) on or after the business date, runs end of day for the
/// business date and moves the business date to the next day, in one transaction.
fn run_due_eod(
    pool: &DbPool,
    at: chrono::NaiveTime,
    policy: &LoansConfig,
) -> Result<(), RepoError> {
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
