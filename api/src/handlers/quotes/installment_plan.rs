//! `POST /v1/quotes/installment-plan`: a shopper's "pay in 3/6/12" plan and the merchant's
//! settlement.

use actix_web::HttpResponse;
use domain::calendar::Frequency;
use domain::installment_plan::{
    quote_installment_plan, InstallmentPlanInput, MerchantSubsidy, PlanError, PlanPricing,
};
use domain::rate::Rate;
use domain::schedule::AmortizationMethod;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schedule::{FREQUENCIES, METHODS};
use super::{
    apr, currency, date, money_error, named, positive, rate, schedule_error, ScheduleView,
};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::JsonBody;
use crate::views;

/// The plan lengths offered to shoppers.
const OFFERED_INSTALLMENTS: [u32; 3] = [3, 6, 12];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallmentPlanRequest {
    #[schema(example = "3000.00")]
    pub purchase_amount: String,
    #[schema(example = "CNY")]
    pub currency: String,
    /// 3, 6 or 12.
    #[schema(example = 6)]
    pub installments: u32,
    /// The purchase date; the first instalment falls one period later.
    #[schema(example = "2024-01-31", format = Date)]
    pub start_date: String,
    /// `weekly`, `biweekly` or `monthly` (default).
    #[schema(example = "monthly")]
    pub frequency: Option<String>,
    pub pricing: PricingRequest,
}

/// How the plan is priced: `kind` is `fee_based` (with `fee_rate_per_period`),
/// `interest_bearing` (with `annual_rate` and optionally `method`) or `interest_free` (with
/// `subsidy`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PricingRequest {
    #[schema(example = "interest_free")]
    pub kind: String,
    #[schema(example = "0.005")]
    pub fee_rate_per_period: Option<String>,
    #[schema(example = "0.18")]
    pub annual_rate: Option<String>,
    /// `annuity` (default), `equal_principal`, `flat` or `bullet`.
    pub method: Option<String>,
    pub subsidy: Option<SubsidyRequest>,
}

/// Who pays for an interest-free plan: `basis` is `merchant_discount_rate` (a share of the
/// purchase) or `interest_at_rate` (the interest the plan would earn at `rate` a year).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubsidyRequest {
    #[schema(example = "merchant_discount_rate")]
    pub basis: String,
    #[schema(example = "0.03")]
    pub rate: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InstallmentPlanView {
    pub schedule: ScheduleView,
    /// What the merchant pays the lender for an interest-free plan (zero otherwise).
    #[schema(example = "90.00")]
    pub merchant_subsidy: String,
    /// What the lender pays the merchant: purchase minus subsidy.
    #[schema(example = "2910.00")]
    pub merchant_settlement: String,
    /// The shopper's APR, as in the schedule.
    #[schema(example = "0.000000")]
    pub apr: String,
}

fn required<'a>(value: &'a Option<String>, field: &str, kind: &str) -> Result<&'a str, ApiError> {
    value
        .as_deref()
        .ok_or_else(|| ApiError::invalid(field, format!("{field} is required for {kind} pricing")))
}

fn refuse_extra(present: bool, field: &str, kind: &str) -> Result<(), ApiError> {
    if present {
        return Err(ApiError::invalid(
            field,
            format!("{field} does not apply to {kind} pricing"),
        ));
    }
    Ok(())
}

impl TryFrom<&PricingRequest> for PlanPricing {
    type Error = ApiError;

    fn try_from(p: &PricingRequest) -> Result<Self, ApiError> {
        let kind = p.kind.as_str();
        let fee = p.fee_rate_per_period.is_some();
        let interest = p.annual_rate.is_some() || p.method.is_some();
        match kind {
            "fee_based" => {
                refuse_extra(interest, "pricing.annual_rate", kind)?;
                refuse_extra(p.subsidy.is_some(), "pricing.subsidy", kind)?;
                let f = required(&p.fee_rate_per_period, "pricing.fee_rate_per_period", kind)?;
                Ok(PlanPricing::FeeBased {
                    fee_rate_per_period: rate("pricing.fee_rate_per_period", f)?,
                })
            }
            "interest_bearing" => {
                refuse_extra(fee, "pricing.fee_rate_per_period", kind)?;
                refuse_extra(p.subsidy.is_some(), "pricing.subsidy", kind)?;
                let r = required(&p.annual_rate, "pricing.annual_rate", kind)?;
                Ok(PlanPricing::InterestBearing {
                    annual_rate: rate("pricing.annual_rate", r)?,
                    method: match p.method.as_deref() {
                        Some(m) => named("pricing.method", m, &METHODS)?,
                        None => AmortizationMethod::Annuity,
                    },
                })
            }
            "interest_free" => {
                refuse_extra(fee, "pricing.fee_rate_per_period", kind)?;
                refuse_extra(interest, "pricing.annual_rate", kind)?;
                let s = p.subsidy.as_ref().ok_or_else(|| {
                    ApiError::invalid("pricing.subsidy", "pricing.subsidy is required for interest_free pricing")
                })?;
                Ok(PlanPricing::InterestFree { subsidy: subsidy(s)? })
            }
            other => Err(ApiError::invalid(
                "pricing.kind",
                format!("unknown pricing.kind {other:?}: expected fee_based, interest_bearing or interest_free"),
            )),
        }
    }
}

fn subsidy(s: &SubsidyRequest) -> Result<MerchantSubsidy, ApiError> {
    let value: Rate = rate("pricing.subsidy.rate", &s.rate)?;
    match s.basis.as_str() {
        "merchant_discount_rate" => Ok(MerchantSubsidy::MerchantDiscountRate { rate: value }),
        "interest_at_rate" => Ok(MerchantSubsidy::InterestAtRate { annual_rate: value }),
        other => Err(ApiError::invalid(
            "pricing.subsidy.basis",
            format!("unknown pricing.subsidy.basis {other:?}: expected merchant_discount_rate or interest_at_rate"),
        )),
    }
}

impl TryFrom<InstallmentPlanRequest> for InstallmentPlanInput {
    type Error = ApiError;

    fn try_from(r: InstallmentPlanRequest) -> Result<Self, ApiError> {
        let currency = currency(&r.currency)?;
        if !OFFERED_INSTALLMENTS.contains(&r.installments) {
            return Err(ApiError::invalid(
                "installments",
                "installments must be 3, 6 or 12",
            ));
        }
        let frequency = match r.frequency.as_deref() {
            Some(name) => named("frequency", name, &FREQUENCIES)?,
            None => Frequency::Monthly,
        };
        if !matches!(
            frequency,
            Frequency::Weekly | Frequency::Biweekly | Frequency::Monthly
        ) {
            return Err(ApiError::invalid(
                "frequency",
                "frequency must be weekly, biweekly or monthly",
            ));
        }
        Ok(InstallmentPlanInput {
            purchase_amount: positive("purchase_amount", &r.purchase_amount, currency)?,
            installments: r.installments,
            frequency,
            start_date: date("start_date", &r.start_date)?,
            pricing: PlanPricing::try_from(&r.pricing)?,
        })
    }
}

fn plan_error(e: PlanError) -> ApiError {
    match e {
        PlanError::InvalidInstallments => ApiError::invalid("installments", e.to_string()),
        PlanError::SubsidyExceedsPurchase => ApiError::unprocessable(
            "subsidy_exceeds_purchase",
            e.to_string(),
            Some("pricing.subsidy.rate"),
        ),
        PlanError::Schedule(s) => schedule_error(s, |field| match field {
            "principal" => "purchase_amount".into(),
            "term" => "installments".into(),
            "fee_per_period" => "pricing.fee_rate_per_period".into(),
            other => other.into(),
        }),
        PlanError::Money(m) => money_error(m),
    }
}

/// Quotes an instalment plan. Any authenticated caller; nothing is stored.
#[utoipa::path(post, path = "/v1/quotes/installment-plan", tag = "quotes",
    security(("bearer" = [])),
    request_body(content = InstallmentPlanRequest, example = json!({
        "purchase_amount": "3000.00", "currency": "CNY", "installments": 6,
        "start_date": "2024-01-31", "frequency": "monthly",
        "pricing": {"kind": "interest_free",
            "subsidy": {"basis": "merchant_discount_rate", "rate": "0.03"}}})),
    responses((status = 200, body = InstallmentPlanView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn quote(
    _caller: Caller,
    body: JsonBody<InstallmentPlanRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = InstallmentPlanInput::try_from(body.into_inner())?;
    let q = quote_installment_plan(&input).map_err(plan_error)?;
    let currency = input.purchase_amount.currency();
    Ok(HttpResponse::Ok().json(InstallmentPlanView {
        schedule: ScheduleView::from(&q.schedule),
        merchant_subsidy: views::amount(q.merchant_subsidy.amount(), currency),
        merchant_settlement: views::amount(q.merchant_settlement.amount(), currency),
        apr: apr(q.schedule.apr),
    }))
}
