//! The portfolio for staff: exposure by product and currency, loans by days-past-due bucket
//! and the last end-of-day run, the figures the console's portfolio page charts.

use actix_web::HttpResponse;
use chrono::{DateTime, NaiveDate, Utc};
use persistence::portfolio;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::request::{Call, Reply};
use crate::usecases::books::{self, Portfolio};
use crate::views::stored_amount;

#[derive(Debug, Serialize, ToSchema)]
pub struct ExposureView {
    #[schema(example = "stock_up_line")]
    pub product: String,
    pub currency: String,
    /// Active loans.
    pub loans: i64,
    /// Principal still owed on them.
    #[schema(example = "125000.00")]
    pub principal_outstanding: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BucketView {
    /// `current`, `1-30`, `31-60`, `61-90` or `90+`, as of the last end of day.
    #[schema(example = "1-30")]
    pub bucket: String,
    pub currency: String,
    pub loans: i64,
    #[schema(example = "25000.00")]
    pub principal_outstanding: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EodRunView {
    pub business_date: NaiveDate,
    pub loans_accrued: i64,
    pub loans_aged: i64,
    pub lines_frozen: i64,
    pub reminders: i64,
    pub finished_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortfolioView {
    pub business_date: NaiveDate,
    /// The latest end-of-day run; absent before the first.
    pub last_end_of_day: Option<EodRunView>,
    /// Active loans by product and currency.
    pub exposure: Vec<ExposureView>,
    /// Active loans by days-past-due bucket (oldest bucket last) and currency; buckets without
    /// loans are left out.
    pub days_past_due: Vec<BucketView>,
}

impl From<portfolio::EodRunRow> for EodRunView {
    fn from(r: portfolio::EodRunRow) -> Self {
        EodRunView {
            business_date: r.business_date,
            loans_accrued: r.loans_accrued,
            loans_aged: r.loans_aged,
            lines_frozen: r.lines_frozen,
            reminders: r.reminders,
            finished_at: r.finished_at,
        }
    }
}

/// The book at a glance (staff).
#[utoipa::path(get, path = "/v1/portfolio", tag = "portfolio", security(("bearer" = [])),
    responses((status = 200, body = PortfolioView), (status = 403, body = ErrorBody)))]
pub async fn summary(call: Call) -> Result<HttpResponse, ApiError> {
    call.read(books::portfolio, |p| Reply::ok(&PortfolioView::from(p)))
        .await
}

impl From<Portfolio> for PortfolioView {
    fn from(p: Portfolio) -> Self {
        PortfolioView {
            business_date: p.business_date,
            last_end_of_day: p.last_end_of_day.map(EodRunView::from),
            exposure: p
                .exposure
                .into_iter()
                .map(|r| ExposureView {
                    principal_outstanding: stored_amount(r.principal_outstanding, &r.currency),
                    product: r.product,
                    currency: r.currency,
                    loans: r.loans,
                })
                .collect(),
            days_past_due: p
                .days_past_due
                .into_iter()
                .map(|r| BucketView {
                    principal_outstanding: stored_amount(r.principal_outstanding, &r.currency),
                    bucket: r.bucket,
                    currency: r.currency,
                    loans: r.loans,
                })
                .collect(),
        }
    }
}
