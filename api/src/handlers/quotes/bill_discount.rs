//! `POST /v1/quotes/bill-discount`: interest withheld and proceeds when discounting a bill.

use actix_web::HttpResponse;
use domain::discounting::{discount_bill, BillDiscountInput, DiscountError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{currency, date, money_error, positive, rate};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::JsonBody;
use crate::views;

/// The longest tenor accepted, in calendar months: the usual limit for commercial acceptances.
const MAX_TENOR_MONTHS: u32 = 6;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillDiscountRequest {
    #[schema(example = "1000000.00")]
    pub face_value: String,
    #[schema(example = "CNY")]
    pub currency: String,
    #[schema(example = "0.036")]
    pub annual_rate: String,
    #[schema(example = "2024-01-01", format = Date)]
    pub discount_date: String,
    #[schema(example = "2024-03-31", format = Date)]
    pub maturity_date: String,
    /// Days in the interest year: 360 (default) or 365.
    #[schema(example = 360)]
    pub basis: Option<u32>,
    /// Extra days for the paying bank's clearing delay (default 0).
    #[schema(example = 0)]
    pub adjustment_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillDiscountView {
    #[schema(example = "CNY")]
    pub currency: String,
    #[schema(example = "1000000.00")]
    pub face_value: String,
    /// Days to maturity plus adjustment days.
    #[schema(example = 90)]
    pub days: u32,
    #[schema(example = "9000.00")]
    pub discount_interest: String,
    #[schema(example = "991000.00")]
    pub proceeds: String,
}

impl TryFrom<BillDiscountRequest> for BillDiscountInput {
    type Error = ApiError;

    fn try_from(r: BillDiscountRequest) -> Result<Self, ApiError> {
        let currency = currency(&r.currency)?;
        Ok(BillDiscountInput {
            face: positive("face_value", &r.face_value, currency)?,
            annual_rate: rate("annual_rate", &r.annual_rate)?,
            discount_date: date("discount_date", &r.discount_date)?,
            maturity_date: date("maturity_date", &r.maturity_date)?,
            adjustment_days: r.adjustment_days.unwrap_or(0),
            basis_days: r.basis.unwrap_or(360),
            max_tenor_months: MAX_TENOR_MONTHS,
        })
    }
}

fn discount_error(e: DiscountError) -> ApiError {
    match e {
        DiscountError::InvalidFace => ApiError::invalid("face_value", e.to_string()),
        DiscountError::MaturityNotAfterDiscountDate => ApiError::unprocessable(
            "maturity_not_after_discount_date",
            e.to_string(),
            Some("maturity_date"),
        ),
        DiscountError::TenorTooLong { .. } => {
            ApiError::unprocessable("tenor_too_long", e.to_string(), Some("maturity_date"))
        }
        DiscountError::InvalidBasis(_) => ApiError::invalid("basis", e.to_string()),
        DiscountError::InterestExceedsFace => {
            ApiError::unprocessable("interest_exceeds_face", e.to_string(), Some("annual_rate"))
        }
        DiscountError::Money(m) => money_error(m),
    }
}

/// Quotes a bill discount. Any authenticated caller; nothing is stored.
#[utoipa::path(post, path = "/v1/quotes/bill-discount", tag = "quotes", security(("bearer" = [])),
    request_body(content = BillDiscountRequest, example = json!({
        "face_value": "1000000.00", "currency": "CNY", "annual_rate": "0.036",
        "discount_date": "2024-01-01", "maturity_date": "2024-03-31", "basis": 360,
        "adjustment_days": 0})),
    responses((status = 200, body = BillDiscountView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn quote(
    _caller: Caller,
    body: JsonBody<BillDiscountRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = BillDiscountInput::try_from(body.into_inner())?;
    let q = discount_bill(&input).map_err(discount_error)?;
    let currency = input.face.currency();
    Ok(HttpResponse::Ok().json(BillDiscountView {
        currency: currency.code().to_string(),
        face_value: views::amount(input.face.amount(), currency),
        days: q.days,
        discount_interest: views::amount(q.discount_interest.amount(), currency),
        proceeds: views::amount(q.proceeds.amount(), currency),
    }))
}
