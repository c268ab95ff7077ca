//! `POST /v1/quotes/schedule`: a loan's repayment schedule, totals and APR.

use actix_web::HttpResponse;
use domain::calendar::{DayCount, Frequency};
use domain::schedule::{
    build_schedule, AmortizationMethod, InterestMethod, ScheduleError, ScheduleInput,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    currency, date, named, non_negative, positive, rate, schedule_error, ScheduleView,
    ROUNDING_MODES,
};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::JsonBody;

pub(crate) const FREQUENCIES: [(&str, Frequency); 6] = [
    ("daily", Frequency::Daily),
    ("weekly", Frequency::Weekly),
    ("biweekly", Frequency::Biweekly),
    ("monthly", Frequency::Monthly),
    ("quarterly", Frequency::Quarterly),
    ("whole_term", Frequency::WholeTerm),
];

pub(crate) const METHODS: [(&str, AmortizationMethod); 4] = [
    ("annuity", AmortizationMethod::Annuity),
    ("equal_principal", AmortizationMethod::EqualPrincipal),
    ("flat", AmortizationMethod::Flat),
    ("bullet", AmortizationMethod::Bullet),
];

const INTEREST_METHODS: [(&str, InterestMethod); 2] = [
    ("per_period", InterestMethod::PerPeriod),
    ("daily", InterestMethod::Daily),
];

const DAY_COUNTS: [(&str, DayCount); 5] = [
    ("ACT/360", DayCount::Act360),
    ("ACT/365", DayCount::Act365Fixed),
    ("ACT/ACT", DayCount::ActActIsda),
    ("30/360", DayCount::Thirty360),
    ("30E/360", DayCount::ThirtyE360),
];

/// A schedule quote request. Amounts and rates are strings (`"0.12"` = 12 % a year).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleQuoteRequest {
    #[schema(example = "10000.00")]
    pub principal: String,
    /// ISO 4217 code.
    #[schema(example = "CNY")]
    pub currency: String,
    #[schema(example = "0.12")]
    pub annual_rate: String,
    #[schema(example = "2024-01-31", format = Date)]
    pub start_date: String,
    /// Number of periods; days for `whole_term`.
    #[schema(example = 12)]
    pub term: u32,
    /// `daily`, `weekly`, `biweekly`, `monthly`, `quarterly` or `whole_term`.
    #[schema(example = "monthly")]
    pub frequency: String,
    /// `annuity`, `equal_principal`, `flat` or `bullet`.
    #[schema(example = "annuity")]
    pub method: String,
    /// `per_period` (default) or `daily`.
    #[schema(example = "per_period")]
    pub interest: Option<String>,
    /// `ACT/360`, `ACT/365` (default), `ACT/ACT`, `30/360` or `30E/360`.
    #[schema(example = "ACT/365")]
    pub day_count: Option<String>,
    /// Leading periods that pay interest only.
    pub grace_principal_periods: Option<u32>,
    /// Leading periods whose interest is deferred to the first instalment after them.
    pub grace_interest_periods: Option<u32>,
    /// Round the level instalment to a multiple of this amount (e.g. `"1"`).
    #[schema(example = "1")]
    pub installment_rounding: Option<String>,
    #[schema(example = "0.00")]
    pub fee_per_period: Option<String>,
    /// `half_up` (default), `half_even` or `down`.
    pub rounding: Option<String>,
}

impl TryFrom<ScheduleQuoteRequest> for ScheduleInput {
    type Error = ApiError;

    fn try_from(r: ScheduleQuoteRequest) -> Result<Self, ApiError> {
        let currency = currency(&r.currency)?;
        let day_count = match r.day_count.as_deref() {
            Some(name) => named("day_count", name, &DAY_COUNTS)?,
            None => DayCount::Act365Fixed,
        };
        Ok(ScheduleInput {
            principal: positive("principal", &r.principal, currency)?,
            annual_rate: rate("annual_rate", &r.annual_rate)?,
            start_date: date("start_date", &r.start_date)?,
            term: r.term,
            frequency: named("frequency", &r.frequency, &FREQUENCIES)?,
            method: named("method", &r.method, &METHODS)?,
            interest: match r.interest.as_deref() {
                Some(name) => named("interest", name, &INTEREST_METHODS)?,
                None => InterestMethod::PerPeriod,
            },
            day_count: day_count.settings(),
            grace_principal_periods: r.grace_principal_periods.unwrap_or(0),
            grace_interest_periods: r.grace_interest_periods.unwrap_or(0),
            installment_rounding: r
                .installment_rounding
                .as_deref()
                .map(|s| positive("installment_rounding", s, currency).map(|m| m.amount()))
                .transpose()?,
            fee_per_period: r
                .fee_per_period
                .as_deref()
                .map(|s| non_negative("fee_per_period", s, currency))
                .transpose()?,
            rounding: match r.rounding.as_deref() {
                Some(name) => named("rounding", name, &ROUNDING_MODES)?,
                None => domain::money::RoundingMode::HalfUp,
            },
        })
    }
}

/// Quotes a repayment schedule. Any authenticated caller; nothing is stored.
#[utoipa::path(post, path = "/v1/quotes/schedule", tag = "quotes", security(("bearer" = [])),
    request_body(content = ScheduleQuoteRequest, example = json!({
        "principal": "10000.00", "currency": "CNY", "annual_rate": "0.12",
        "start_date": "2024-01-31", "term": 12, "frequency": "monthly", "method": "annuity",
        "interest": "per_period", "day_count": "ACT/365"})),
    responses((status = 200, body = ScheduleView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn quote(
    _caller: Caller,
    body: JsonBody<ScheduleQuoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = ScheduleInput::try_from(body.into_inner())?;
    let schedule = build_schedule(&input).map_err(|e| {
        // The domain checks the principal grace first, so a grace error matching only the
        // interest grace is about that field.
        let interest_grace = matches!(e, ScheduleError::GraceTooLong { grace, .. }
            if grace != input.grace_principal_periods);
        schedule_error(e, |field| match field {
            "grace_principal_periods" if interest_grace => "grace_interest_periods".into(),
            other => other.into(),
        })
    })?;
    Ok(HttpResponse::Ok().json(ScheduleView::from(&schedule)))
}
