//! Opening a credit line once an application is approved, by the engine or by an officer.

use chrono::{Duration, NaiveDate, SubsecRound, Utc};
use diesel::PgConnection;
use persistence::credit_lines::{self, ApplicationRow, LineRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::config::LoansConfig;
use crate::error::ApiError;

/// The terms an approval grants.
#[derive(Debug, Clone, Copy)]
pub struct LineTerms {
    pub limit: Decimal,
    pub annual_rate: Decimal,
}

/// Opens the line for `application` with `terms`, valid from `today`.
pub fn open_line(
    conn: &mut PgConnection,
    application: &ApplicationRow,
    terms: LineTerms,
    today: NaiveDate,
    policy: &LoansConfig,
    actor: &str,
) -> Result<LineRow, ApiError> {
    let line = LineRow {
        id: Uuid::now_v7(),
        party_id: application.party_id,
        application_id: application.id,
        currency: application.currency.clone(),
        limit_amount: terms.limit,
        used_amount: Decimal::ZERO,
        annual_rate: terms.annual_rate,
        max_tenor_days: policy.max_tenor_days,
        expires_on: today + Duration::days(policy.line_validity_days),
        status: "active".into(),
        frozen_reason: None,
        created_at: Utc::now().trunc_subsecs(6),
    };
    credit_lines::insert_line(conn, &line)?;
    let payload = serde_json::json!({
        "application_id": application.id, "limit": terms.limit.to_string(),
        "annual_rate": terms.annual_rate.to_string(), "expires_on": line.expires_on,
    });
    persistence::audit::append(
        conn,
        &format!("credit_line:{}", line.id),
        actor,
        "credit_line.opened",
        &payload,
        Utc::now(),
    )?;
    Ok(line)
}
