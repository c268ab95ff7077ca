//! The platform's books, for staff: the portfolio, the ledger's balances and postings, the
//! audit trail and its checkpoints, and the email outbox. Reads, plus the two writes an admin may make
//! (sealing a checkpoint, replaying a parked email), each audited or announced.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use domain::ledger::Account;
use persistence::audit::Chain;
use persistence::audit::{self, CheckpointRow, EventRow};
use persistence::audit_verify::{self, VerifyReport};
use persistence::ledger::{self, BalanceMismatch, BalanceRow, PostingRow};
use persistence::outbox::{self, EmailFilter, EmailSummary, Replay};
use persistence::portfolio::{self, BucketRow, EodRunRow, ExposureRow};
use persistence::RepoError;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::mail::{self, Template};
use crate::usecases::{Context, UseCaseError};

/// The book at a glance: the business date, exposure by product and currency, loans by
/// days-past-due bucket, and the last end-of-day run.
pub struct Portfolio {
    pub business_date: chrono::NaiveDate,
    pub exposure: Vec<ExposureRow>,
    pub days_past_due: Vec<BucketRow>,
    pub last_end_of_day: Option<EodRunRow>,
}

pub fn portfolio(ctx: &mut Context<'_>) -> Result<Portfolio, UseCaseError> {
    Ok(Portfolio {
        business_date: ctx.today,
        exposure: portfolio::exposure(ctx.conn)?,
        days_past_due: portfolio::buckets(ctx.conn)?,
        last_end_of_day: portfolio::last_eod(ctx.conn)?,
    })
}

/// A page of the trial balance: the total per currency and the accounts after `after`.
pub struct TrialBalance {
    pub totals: Vec<(String, Decimal)>,
    pub accounts: Vec<BalanceRow>,
}

pub fn trial_balance(
    ctx: &mut Context<'_>,
    after: String,
    limit: i64,
) -> Result<TrialBalance, UseCaseError> {
    Ok(TrialBalance {
        totals: ledger::totals_by_currency(ctx.conn)?,
        accounts: ledger::trial_balance_page(ctx.conn, &after, limit)?,
    })
}

/// One account's balances and a page of its postings.
pub fn account(
    ctx: &mut Context<'_>,
    account: Account,
    after: i64,
    limit: i64,
) -> Result<(Vec<BalanceRow>, Vec<PostingRow>), UseCaseError> {
    Ok((
        ledger::balances_of(ctx.conn, &account)?,
        ledger::postings_of(ctx.conn, &account, after, limit)?,
    ))
}

/// Every kept balance that differs from the sum of its postings (none in a sound ledger).
pub fn balance_check(ctx: &mut Context<'_>) -> Result<Vec<BalanceMismatch>, UseCaseError> {
    Ok(ledger::balance_mismatches(ctx.conn)?)
}

/// Recomputes every chain, head and checkpoint (and `anchor`, a checkpoint hash published
/// earlier) and reports the first broken link.
pub fn verify_audit(
    ctx: &mut Context<'_>,
    anchor: Option<String>,
) -> Result<VerifyReport, UseCaseError> {
    Ok(audit_verify::verify(ctx.conn, anchor.as_deref())?)
}

pub fn latest_checkpoint(ctx: &mut Context<'_>) -> Result<CheckpointRow, UseCaseError> {
    audit::latest_checkpoint(ctx.conn)?.ok_or(UseCaseError::NotFound)
}

/// The trail of one object, a page at a time.
pub fn events(
    ctx: &mut Context<'_>,
    entity: String,
    after: i64,
    limit: i64,
) -> Result<Vec<EventRow>, UseCaseError> {
    Ok(audit::events_of(ctx.conn, &entity, after, limit)?)
}

/// Seals a checkpoint over the chain heads that moved, if any did (`true`), else answers the
/// latest (`false`).
pub fn checkpoint_now(ctx: &mut Context<'_>) -> Result<(bool, CheckpointRow), UseCaseError> {
    let auditors = ctx.policy.auditor_emails.clone();
    match seal_checkpoint(ctx.conn, ctx.now, &auditors)? {
        Some(sealed) => Ok((true, sealed)),
        None => Ok((false, latest_checkpoint(ctx)?)),
    }
}

/// Seals a checkpoint at `now` and sends its hash to every auditor, so that a later rewrite
/// of history would contradict mail already delivered outside the platform. Also run by the
/// periodic job.
pub fn seal_checkpoint(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    auditors: &[String],
) -> Result<Option<CheckpointRow>, RepoError> {
    let checkpoint = audit::create_checkpoint(conn, now)?;
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

pub fn outbox(
    ctx: &mut Context<'_>,
    filter: EmailFilter,
) -> Result<Vec<EmailSummary>, UseCaseError> {
    Ok(outbox::list(ctx.conn, &filter)?)
}

/// Puts a parked (`failed`) email back in the queue with a fresh attempt budget.
pub fn replay_email(ctx: &mut Context<'_>, id: Uuid) -> Result<EmailSummary, UseCaseError> {
    match outbox::replay(ctx.conn, id, ctx.now)? {
        Replay::Replayed(row) => {
            let event = serde_json::json!({ "id": id, "recipient": row.recipient });
            ctx.audit(&Chain::platform("email", id), "email.replayed", &event);
            Ok(row)
        }
        Replay::NotFailed(status) => Err(UseCaseError::Conflict {
            code: "not_failed",
            message: format!(
                "only a failed email can be replayed; this one is {}",
                status.as_str()
            ),
            field: None,
        }),
    }
}
