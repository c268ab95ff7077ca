//! Credit lines: opening one once an application is approved (by the engine or an officer),
//! and reading them (the merchant's own, or any for staff).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::PgConnection;
use domain::lending_state::LineStatus;
use persistence::audit::{AuditLog, Chain};
use persistence::credit_lines::{self, ApplicationRow, LineFilter, LineRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::config::LoansConfig;
use crate::usecases::{Context, UseCaseError};

/// The terms an approval grants.
#[derive(Debug, Clone, Copy)]
pub struct LineTerms {
    pub limit: Decimal,
    pub annual_rate: Decimal,
}

/// The line `application` gets with `terms`, valid from `today`, before it is stored: its
/// application may record the line's id in its decision before either is stored.
pub fn line_for(
    application: &ApplicationRow,
    terms: LineTerms,
    (today, now): (NaiveDate, DateTime<Utc>),
    policy: &LoansConfig,
) -> LineRow {
    LineRow {
        id: Uuid::now_v7(),
        party_id: application.party_id,
        application_id: application.id,
        currency: application.currency.clone(),
        limit_amount: terms.limit,
        used_amount: Decimal::ZERO,
        annual_rate: terms.annual_rate,
        max_tenor_days: policy.max_tenor_days,
        expires_on: today + Duration::days(policy.line_validity_days),
        status: LineStatus::Active.as_str().into(),
        frozen_reason: None,
        created_at: now,
    }
}

/// Opens `line` (from [`line_for`]; its application is stored) and records it on its chain.
pub fn open_line(
    conn: &mut PgConnection,
    log: &mut AuditLog,
    line: &LineRow,
    actor: &str,
) -> Result<(), UseCaseError> {
    credit_lines::insert_line(conn, line)?;
    record_opened(log, line, actor);
    Ok(())
}

/// Records the opening of `line`, stored, on its chain.
pub fn record_opened(log: &mut AuditLog, line: &LineRow, actor: &str) {
    let payload = serde_json::json!({
        "application_id": line.application_id, "limit": line.limit_amount.to_string(),
        "annual_rate": line.annual_rate.to_string(), "expires_on": line.expires_on,
    });
    log.record(
        &Chain::of(line.party_id, "credit_line", line.id),
        actor,
        "credit_line.opened",
        &payload,
        line.created_at,
    );
}

/// One line the actor may see.
pub fn find_line(ctx: &mut Context<'_>, id: Uuid) -> Result<LineRow, UseCaseError> {
    let line = credit_lines::find_line(ctx.conn, ctx.actor.own_party(), id)?;
    ctx.actor.visible(line.party_id, line)
}

/// A page of lines: a merchant's own whatever the filter says; staff see every party's.
pub fn list_lines(
    ctx: &mut Context<'_>,
    mut filter: LineFilter,
) -> Result<Vec<LineRow>, UseCaseError> {
    // Staff see all or narrow to the party they name; a party is held to its own.
    if !ctx.actor.staff {
        filter.party = ctx.actor.party;
    }
    Ok(credit_lines::list_lines(ctx.conn, &filter)?)
}
