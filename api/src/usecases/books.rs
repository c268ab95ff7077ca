//! The platform's books, for staff: the portfolio, the ledger's balances and postings, the
//! audit trail and its checkpoints, and the email outbox. Reads, plus the two writes an admin may make
//! (sealing a checkpoint, replaying a parked email), each audited or announced.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use domain::ledger::Account;
use persistence::audit::Chain;
use persistence::audit::{self, CheckpointRow, EventRow, SealCursor, Sealed};
use persistence::audit_verify::{self, VerifyReport};
use persistence::ledger::{self, BalanceMismatch, BalanceRow, PostingRow};
use persistence::outbox::{self, EmailFilter, EmailSummary, Replay};
use persistence::portfolio::{self, BucketRow, EodRunRow, ExposureRow};
use persistence::RepoError;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::config::AuditConfig;
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

/// Seals a checkpoint over chain heads that moved, if any did (`true`), else answers the
/// latest (`false`): at most `audit.checkpoint_max_chains` heads, the first in key order, so a
/// request stays short however many moved; calling again seals the next ones (the periodic
/// round seals them all). Its hash goes to every auditor.
pub fn checkpoint_now(ctx: &mut Context<'_>) -> Result<(bool, CheckpointRow), UseCaseError> {
    let audit = ctx.policy.audit.clone();
    match audit::create_checkpoint(ctx.conn, ctx.now, None, audit.checkpoint_max_chains)? {
        Some(sealed) => {
            notify_auditors(ctx.conn, &sealed.checkpoint, &audit.auditor_emails)?;
            Ok((true, sealed.checkpoint))
        }
        None => Ok((false, latest_checkpoint(ctx)?)),
    }
}

/// Seals the next checkpoint of a round, over the heads that moved after `after` (see
/// `persistence::audit::create_checkpoint`). When it ends the round (it covers fewer heads than
/// it may), its hash goes to every auditor in the same transaction. Run by the periodic job.
pub fn seal_checkpoint(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    audit: &AuditConfig,
    after: Option<&SealCursor>,
) -> Result<Option<Sealed>, RepoError> {
    let sealed = audit::create_checkpoint(conn, now, after, audit.checkpoint_max_chains)?;
    if let Some(sealed) = &sealed {
        if !sealed.full {
            notify_auditors(conn, &sealed.checkpoint, &audit.auditor_emails)?;
        }
        tracing::info!(
            checkpoint = sealed.checkpoint.id,
            chains = sealed.checkpoint.chains_covered,
            "checkpoint sealed"
        );
    }
    Ok(sealed)
}

/// Sends `checkpoint`'s hash to every auditor, so that a later rewrite of history would
/// contradict mail already delivered outside the platform. Checkpoints are hash-chained: the
/// hash of a round's last one vouches for every one before it, so auditors get one a round.
pub fn notify_auditors(
    conn: &mut PgConnection,
    checkpoint: &CheckpointRow,
    auditors: &[String],
) -> Result<(), RepoError> {
    let template = Template::AuditCheckpoint {
        id: checkpoint.id,
        hash: checkpoint.hash.clone(),
        created_at: checkpoint.created_at.to_rfc3339(),
    };
    for auditor in auditors {
        let reference = Some(format!("audit_checkpoint:{}", checkpoint.id));
        mail::enqueue_to(conn, auditor, &template, reference)?;
    }
    Ok(())
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
