//! The business date and end of day (admin).

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::JsonBody;
use crate::lending::{business_date, eod};
use crate::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessDate {
    pub business_date: NaiveDate,
}

/// The current business date.
#[utoipa::path(get, path = "/v1/admin/business-date", tag = "operations", security(("bearer" = [])),
    responses((status = 200, body = BusinessDate), (status = 403, body = ErrorBody)))]
pub async fn get(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin, Role::RiskOfficer])?;
    let date = state.transaction(business_date).await?;
    Ok(HttpResponse::Ok().json(BusinessDate {
        business_date: date,
    }))
}

/// Sets the business date (admin), e.g. to replay a lifecycle in a test environment.
#[utoipa::path(put, path = "/v1/admin/business-date", tag = "operations", security(("bearer" = [])), request_body = BusinessDate,
    responses((status = 200, body = BusinessDate), (status = 403, body = ErrorBody)))]
pub async fn set(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<BusinessDate>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let date = body.value.business_date;
    let actor = caller.actor();
    state
        .transaction(move |conn| {
            if persistence::loans_eod::last_run(conn)?.is_some_and(|closed| date <= closed) {
                return Err(ApiError::invalid(
                    "business_date",
                    "that day is already closed by end of day",
                ));
            }
            persistence::calendar::set_business_date(conn, date)?;
            persistence::audit::append(
                conn,
                "platform:calendar",
                &actor,
                "business_date.set",
                &serde_json::json!({"business_date": date}),
                chrono::Utc::now(),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Ok().json(BusinessDate {
        business_date: date,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EodRequest {
    /// Defaults to the business date.
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EodView {
    pub date: NaiveDate,
    /// False when end of day had already run for that date (nothing changed).
    pub ran: bool,
    pub loans_accrued: i64,
    pub loans_aged: i64,
    pub lines_frozen: i64,
    pub reminders: i64,
}

/// Runs end of day for a date (admin); a second run for the same date is a no-op.
#[utoipa::path(post, path = "/v1/admin/eod", tag = "operations", security(("bearer" = [])), request_body = EodRequest,
    responses((status = 200, body = EodView), (status = 403, body = ErrorBody)))]
pub async fn run(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<EodRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let (requested, policy) = (body.value.date, state.policy.loans.clone());
    let (date, stats) = state
        .transaction(move |conn| {
            let date = match requested {
                Some(d) => d,
                None => business_date(conn)?,
            };
            Ok((date, eod::run(conn, date, &policy)?))
        })
        .await?;
    let s = stats.unwrap_or_default();
    Ok(HttpResponse::Ok().json(EodView {
        date,
        ran: stats.is_some(),
        loans_accrued: s.loans_accrued,
        loans_aged: s.loans_aged,
        lines_frozen: s.lines_frozen,
        reminders: s.reminders,
    }))
}
