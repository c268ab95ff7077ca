//! The installment plans a merchant offers at checkout: periods, who pays, purchase range.

use actix_web::{web, HttpResponse};
use domain::money::{Currency, Money};
use persistence::installment_plans::OfferRow;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::pagination::Page;
use crate::request::{Call, Reply};
use crate::usecases::installments::offers::{self, OfferPricing, MAX_FEE_RATE_PER_PERIOD};
use crate::views::amount;
use crate::views::currency;

/// Who pays for the credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    /// The shopper pays a fee every period.
    Shopper,
    /// Interest-free for the shopper; the merchant's settlement is reduced by a subsidy.
    Merchant,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOffer {
    #[schema(example = "CNY")]
    pub currency: String,
    /// 3, 6 or 12 monthly installments.
    #[schema(example = 3)]
    pub installments: i32,
    pub payer: Payer,
    /// Shopper-paid plans: the fee per period as a share of the purchase (at most 0.03).
    #[schema(example = "0.01")]
    pub fee_rate_per_period: Option<String>,
    #[schema(example = "100.00")]
    pub min_purchase: String,
    #[schema(example = "20000.00")]
    pub max_purchase: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferView {
    pub id: Uuid,
    pub merchant_id: Uuid,
    pub currency: String,
    pub installments: i32,
    pub payer: String,
    pub fee_rate_per_period: String,
    pub min_purchase: String,
    pub max_purchase: String,
    pub active: bool,
}

impl OfferView {
    pub fn build(o: &OfferRow) -> Result<OfferView, ApiError> {
        let ccy = currency(&o.currency)?;
        Ok(OfferView {
            id: o.id,
            merchant_id: o.merchant_id,
            currency: o.currency.clone(),
            installments: o.installments,
            payer: o.payer.clone(),
            fee_rate_per_period: o.fee_rate_per_period.normalize().to_string(),
            min_purchase: amount(o.min_purchase, ccy),
            max_purchase: amount(o.max_purchase, ccy),
            active: o.active,
        })
    }
}

impl TryFrom<NewOffer> for offers::NewOffer {
    type Error = ApiError;

    fn try_from(dto: NewOffer) -> Result<Self, ApiError> {
        if ![3, 6, 12].contains(&dto.installments) {
            return Err(ApiError::invalid(
                "installments",
                "installments must be 3, 6 or 12",
            ));
        }
        let ccy = Currency::parse(&dto.currency)
            .map_err(|e| ApiError::invalid("currency", e.to_string()))?;
        let min = Money::parse_positive(&dto.min_purchase, ccy)
            .map_err(|e| ApiError::invalid("min_purchase", e.to_string()))?;
        let max = Money::parse_positive(&dto.max_purchase, ccy)
            .map_err(|e| ApiError::invalid("max_purchase", e.to_string()))?;
        if max.amount() < min.amount() {
            return Err(ApiError::invalid(
                "max_purchase",
                "max_purchase must not be below min_purchase",
            ));
        }
        Ok(offers::NewOffer {
            installments: dto.installments,
            pricing: pricing(dto.payer, dto.fee_rate_per_period.as_deref())?,
            min_purchase: min,
            max_purchase: max,
        })
    }
}

fn pricing(payer: Payer, fee_rate: Option<&str>) -> Result<OfferPricing, ApiError> {
    match (payer, fee_rate) {
        (Payer::Merchant, None) => Ok(OfferPricing::MerchantSubsidised),
        (Payer::Merchant, Some(_)) => Err(ApiError::invalid(
            "fee_rate_per_period",
            "a merchant-paid plan charges the shopper no fee",
        )),
        (Payer::Shopper, raw) => raw
            .and_then(|r| r.parse::<Decimal>().ok())
            .filter(|r| *r > Decimal::ZERO && *r <= MAX_FEE_RATE_PER_PERIOD)
            .map(|rate_per_period| OfferPricing::ShopperFee { rate_per_period })
            .ok_or_else(|| {
                ApiError::invalid(
                    "fee_rate_per_period",
                    format!("a shopper-paid plan needs a fee rate above 0 and at most {MAX_FEE_RATE_PER_PERIOD}"),
                )
            }),
    }
}

/// Configures a plan the merchant offers at checkout (merchant).
#[utoipa::path(post, path = "/v1/installment-offers", tag = "installments", security(("bearer" = [])),
    request_body = NewOffer, params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = OfferView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(call: Call, body: JsonBody<NewOffer>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = offers::NewOffer::try_from(body.into_inner())?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| offers::create_offer(ctx, ask),
        |row| Reply::created(&OfferView::build(&row)?),
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OfferQuery {
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// The merchant's offers (staff: all).
#[utoipa::path(get, path = "/v1/installment-offers", tag = "installments", security(("bearer" = [])),
    params(OfferQuery), responses((status = 200, body = Page<OfferView>), (status = 403, body = ErrorBody)))]
pub async fn list(call: Call, query: web::Query<OfferQuery>) -> Result<HttpResponse, ApiError> {
    let (limit, after) = (call.page_size(query.limit), query.after);
    call.read(
        move |ctx| offers::list_offers(ctx, after, limit),
        move |rows| {
            let views = rows
                .iter()
                .map(OfferView::build)
                .collect::<Result<Vec<_>, _>>()?;
            Reply::ok(&Page::new(views, limit, |v| v.id))
        },
    )
    .await
}
