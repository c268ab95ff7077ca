//! `POST /v1/quotes/factoring`: the advance and fees for one invoice, with an optional preview
//! of its settlement on a given debtor payment.

use actix_web::HttpResponse;
use domain::factoring::{
    factoring_quote, settle, FactoringError, FactoringInput, FactoringSettlement, FactoringTerms,
};
use domain::money::{Currency, Money};
use domain::rate::Rate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{currency, date, money_error, non_negative, positive, rate};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::JsonBody;
use crate::views;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactoringRequest {
    /// The invoice's face value.
    #[schema(example = "100000.00")]
    pub face: String,
    /// The part of the face the factor finances against (default: the whole face).
    #[schema(example = "95000.00")]
    pub eligible: Option<String>,
    #[schema(example = "CNY")]
    pub currency: String,
    #[schema(example = "2024-01-15", format = Date)]
    pub purchase_date: String,
    #[schema(example = "2024-04-14", format = Date)]
    pub due_date: String,
    /// Share of the eligible amount advanced, at most 1.
    #[schema(example = "0.8")]
    pub advance_rate: String,
    /// Annual rate charged on the advance until the due date.
    #[schema(example = "0.06")]
    pub discount_rate: String,
    /// Share of the face charged once (default 0).
    #[schema(example = "0.005")]
    pub service_fee_rate: Option<String>,
    /// Days in the interest year: 360 (default) or 365.
    #[schema(example = 360)]
    pub basis: Option<u32>,
    /// When given, the answer also previews the settlement on this debtor payment.
    #[schema(example = "100000.00")]
    pub debtor_payment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementPreview {
    pub debtor_payment: String,
    pub repaid_to_factor: String,
    pub reserve_released: String,
    pub dilution: String,
    pub dilution_charged_to_reserve: String,
    /// What the supplier still owes the factor (with recourse).
    pub recourse_amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FactoringView {
    #[schema(example = "CNY")]
    pub currency: String,
    #[schema(example = "100000.00")]
    pub face: String,
    #[schema(example = 90)]
    pub days: u32,
    #[schema(example = "76000.00")]
    pub advance: String,
    #[schema(example = "1140.00")]
    pub discount_fee: String,
    #[schema(example = "500.00")]
    pub service_fee: String,
    /// Face minus advance, held back until the debtor pays.
    #[schema(example = "24000.00")]
    pub reserve: String,
    /// Advance plus fees.
    #[schema(example = "77640.00")]
    pub owed_to_factor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settlement: Option<SettlementPreview>,
}

struct Parsed {
    input: FactoringInput,
    debtor_payment: Option<Money>,
}

impl TryFrom<FactoringRequest> for Parsed {
    type Error = ApiError;

    fn try_from(r: FactoringRequest) -> Result<Self, ApiError> {
        let currency = currency(&r.currency)?;
        let face = positive("face", &r.face, currency)?;
        let eligible = match r.eligible.as_deref() {
            Some(s) => non_negative("eligible", s, currency)?,
            None => face,
        };
        let terms = FactoringTerms {
            advance_rate: rate("advance_rate", &r.advance_rate)?,
            discount_rate: rate("discount_rate", &r.discount_rate)?,
            service_fee_rate: match r.service_fee_rate.as_deref() {
                Some(s) => rate("service_fee_rate", s)?,
                None => Rate::ZERO,
            },
            basis_days: r.basis.unwrap_or(360),
        };
        Ok(Parsed {
            input: FactoringInput {
                face,
                eligible,
                purchase_date: date("purchase_date", &r.purchase_date)?,
                due_date: date("due_date", &r.due_date)?,
                terms,
            },
            debtor_payment: r
                .debtor_payment
                .as_deref()
                .map(|s| non_negative("debtor_payment", s, currency))
                .transpose()?,
        })
    }
}

fn factoring_error(e: FactoringError) -> ApiError {
    match e {
        FactoringError::InvalidAmounts => ApiError::invalid(
            "eligible",
            "eligible must be between zero and the face value",
        ),
        FactoringError::ShareAboveOne => {
            ApiError::invalid("advance_rate", "advance_rate must not exceed 1")
        }
        FactoringError::DueBeforePurchase => {
            ApiError::unprocessable("due_before_purchase", e.to_string(), Some("due_date"))
        }
        FactoringError::InvalidBasis(_) => ApiError::invalid("basis", e.to_string()),
        FactoringError::InvalidPayment => ApiError::invalid("debtor_payment", e.to_string()),
        // The quote applies one set of terms to every debtor it is given.
        FactoringError::NoTermsFor(_) => ApiError::internal(e),
        FactoringError::Money(m) => money_error(m),
    }
}

fn settlement_view(s: &FactoringSettlement, currency: Currency) -> SettlementPreview {
    let amount = |m: Money| views::amount(m.amount(), currency);
    SettlementPreview {
        debtor_payment: amount(s.debtor_payment),
        repaid_to_factor: amount(s.repaid_to_factor),
        reserve_released: amount(s.reserve_released),
        dilution: amount(s.dilution),
        dilution_charged_to_reserve: amount(s.dilution_charged_to_reserve),
        recourse_amount: amount(s.recourse_amount),
    }
}

/// Quotes factoring one invoice. Any authenticated caller; nothing is stored.
#[utoipa::path(post, path = "/v1/quotes/factoring", tag = "quotes", security(("bearer" = [])),
    request_body(content = FactoringRequest, example = json!({
        "face": "100000.00", "eligible": "95000.00", "currency": "CNY",
        "purchase_date": "2024-01-15", "due_date": "2024-04-14", "advance_rate": "0.8",
        "discount_rate": "0.06", "service_fee_rate": "0.005", "basis": 360,
        "debtor_payment": "100000.00"})),
    responses((status = 200, body = FactoringView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn quote(
    _caller: Caller,
    body: JsonBody<FactoringRequest>,
) -> Result<HttpResponse, ApiError> {
    let parsed = Parsed::try_from(body.into_inner())?;
    let q = factoring_quote(&parsed.input).map_err(factoring_error)?;
    let currency = q.face.currency();
    let settlement = parsed
        .debtor_payment
        .map(|payment| settle(&q, payment).map_err(factoring_error))
        .transpose()?;
    let amount = |m: Money| views::amount(m.amount(), currency);
    Ok(HttpResponse::Ok().json(FactoringView {
        currency: currency.code().to_string(),
        face: amount(q.face),
        days: q.days,
        advance: amount(q.advance),
        discount_fee: amount(q.discount_fee),
        service_fee: amount(q.service_fee),
        reserve: amount(q.reserve),
        owed_to_factor: amount(q.owed_to_factor),
        settlement: settlement.as_ref().map(|s| settlement_view(s, currency)),
    }))
}
