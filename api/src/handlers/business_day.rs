//! The business date and end of day (admin).

use actix_web::HttpResponse;
use chrono::NaiveDate;
use persistence::loans_eod::EodStats;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::day::{self, eod};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessDate {
    pub business_date: NaiveDate,
}

fn date_view(business_date: NaiveDate) -> Result<Reply, ApiError> {
    Reply::ok(&BusinessDate { business_date })
}

/// The current business date.
#[utoipa::path(get, path = "/v1/admin/business-date", tag = "operations", security(("bearer" = [])),
    responses((status = 200, body = BusinessDate), (status = 403, body = ErrorBody)))]
pub async fn get(call: Call) -> Result<HttpResponse, ApiError> {
    call.read(day::business_date, date_view).await
}

/// Sets the business date (admin), e.g. to replay a lifecycle in a test environment.
#[utoipa::path(put, path = "/v1/admin/business-date", tag = "operations", security(("bearer" = [])), request_body = BusinessDate,
    responses((status = 200, body = BusinessDate), (status = 403, body = ErrorBody)))]
pub async fn set(call: Call, body: JsonBody<BusinessDate>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let date = body.into_inner().business_date;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| day::set_business_date(ctx, date),
        date_view,
    )
    .await
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

impl EodView {
    fn build(date: NaiveDate, stats: Option<EodStats>) -> EodView {
        let s = stats.unwrap_or_default();
        EodView {
            date,
            ran: stats.is_some(),
            loans_accrued: s.loans_accrued,
            loans_aged: s.loans_aged,
            lines_frozen: s.lines_frozen,
            reminders: s.reminders,
        }
    }
}

/// Runs end of day for a date (admin); a second run for the same date is a no-op.
#[utoipa::path(post, path = "/v1/admin/eod", tag = "operations", security(("bearer" = [])), request_body = EodRequest,
    responses((status = 200, body = EodView), (status = 403, body = ErrorBody)))]
pub async fn run(call: Call, body: JsonBody<EodRequest>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let date = body.into_inner().date;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| eod::end_of_day(ctx, date),
        |(date, stats)| Reply::ok(&EodView::build(date, stats)),
    )
    .await
}
