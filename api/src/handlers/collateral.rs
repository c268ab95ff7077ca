//! Inventory financing: pledging goods held in a partner warehouse, drawing against them,
//! revaluing them (margin calls) and releasing them once repaid.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use domain::money::{Currency, Money};
use domain::receivable_fingerprint::receipt_fingerprint;
use persistence::collateral::CollateralRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::handlers::loans::LoanView;
use crate::handlers::orders::AdvanceView;
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::inventory::draw::{self, DrawOnGoods};
use crate::usecases::inventory::goods::{self, lendable_value, Category, UnknownCategory};
use crate::usecases::inventory::pledge::{self, Pledge};
use crate::usecases::inventory::release;
use crate::usecases::inventory::valuation::{self, Revalue};
use crate::views::amount;
use crate::views::currency;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPledge {
    #[schema(example = "Cainiao Hangzhou 3")]
    pub warehouse: String,
    #[schema(example = "WR-2026-000981")]
    pub receipt_number: String,
    #[schema(example = "SKU-PHONE-128")]
    pub sku: String,
    /// `apparel`, `electronics`, `grocery`, `household` or `raw_materials`: sets the haircut.
    #[schema(example = "electronics")]
    pub category: String,
    #[schema(example = 1000)]
    pub quantity: i64,
    #[schema(example = "CNY")]
    pub currency: String,
    /// The warehouse partner's valuation per unit.
    #[schema(example = "50.00")]
    pub unit_value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CollateralView {
    pub id: Uuid,
    pub merchant_id: Uuid,
    pub warehouse: String,
    pub receipt_number: String,
    pub sku: String,
    pub category: String,
    pub quantity: i64,
    pub currency: String,
    pub unit_value: String,
    pub haircut: String,
    pub lendable_value: String,
    pub status: String,
    pub loan_id: Option<Uuid>,
    pub valued_on: NaiveDate,
    /// The receipt's registry fingerprint (`GET /v1/registry/{fingerprint}`).
    pub fingerprint: String,
}

impl CollateralView {
    pub(crate) fn build(c: &CollateralRow) -> Result<CollateralView, ApiError> {
        let ccy = currency(&c.currency)?;
        Ok(CollateralView {
            id: c.id,
            merchant_id: c.merchant_id,
            warehouse: c.warehouse.clone(),
            receipt_number: c.receipt_number.clone(),
            sku: c.sku.clone(),
            category: c.category.clone(),
            quantity: c.quantity,
            currency: c.currency.clone(),
            unit_value: amount(c.unit_value, ccy),
            haircut: c.haircut.normalize().to_string(),
            lendable_value: amount(lendable_value(c, c.unit_value), ccy),
            status: c.status.clone(),
            loan_id: c.loan_id,
            valued_on: c.valued_on,
            fingerprint: receipt_fingerprint(&c.receipt_key),
        })
    }
}

fn text(field: &str, value: &str) -> Result<String, ApiError> {
    let v = value.trim();
    crate::text::name(field, v)?;
    if v.is_empty() || v.chars().count() > 100 {
        return Err(ApiError::invalid(
            field,
            format!("{field} must have 1 to 100 characters"),
        ));
    }
    Ok(v.into())
}

impl TryFrom<NewPledge> for Pledge {
    type Error = ApiError;

    fn try_from(dto: NewPledge) -> Result<Self, ApiError> {
        let (receipt, key) =
            crate::text::identifier("receipt_number", &dto.receipt_number, 100)?.into_parts();
        let category: Category = dto
            .category
            .parse()
            .map_err(|e: UnknownCategory| ApiError::invalid("category", e.to_string()))?;
        if dto.quantity <= 0 {
            return Err(ApiError::invalid("quantity", "quantity must be positive"));
        }
        let ccy = Currency::parse(&dto.currency)
            .map_err(|e| ApiError::invalid("currency", e.to_string()))?;
        let unit = Money::parse_positive(&dto.unit_value, ccy)
            .map_err(|e| ApiError::invalid("unit_value", e.to_string()))?;
        Ok(Pledge {
            warehouse: text("warehouse", &dto.warehouse)?,
            receipt_number: receipt,
            receipt_key: key,
            sku: text("sku", &dto.sku)?,
            category,
            quantity: dto.quantity,
            unit_value: unit,
        })
    }
}

/// Pledges goods by warehouse receipt (merchant); a receipt ever pledged before is refused.
#[utoipa::path(post, path = "/v1/collateral", tag = "inventory financing", security(("bearer" = [])),
    request_body = NewPledge, params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = CollateralView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pledge(call: Call, body: JsonBody<NewPledge>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = Pledge::try_from(body.into_inner())?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| pledge::pledge(ctx, ask),
        |row| Reply::created(&CollateralView::build(&row)?),
    )
    .await
}

/// Pledged goods with their current valuation.
#[utoipa::path(get, path = "/v1/collateral/{id}", tag = "inventory financing", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = CollateralView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| goods::find_goods(ctx, id),
        |row| Reply::ok(&CollateralView::build(&row)?),
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCollateralDraw {
    #[schema(example = "24000.00")]
    pub amount: String,
    #[schema(example = 60)]
    pub tenor_days: u32,
}

/// Draws a bullet loan against the goods (their merchant, `Idempotency-Key` required): 201
/// with the loan when approved, 200 without one when declined; the decision's `outcome`,
/// `decision_id` and `reasons` stand beside the loan's fields.
#[utoipa::path(post, path = "/v1/collateral/{id}/draws", tag = "inventory financing", security(("bearer" = [])),
    request_body = NewCollateralDraw, params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = LoanView), (status = 200, description = "declined"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draw(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewCollateralDraw>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let NewCollateralDraw { amount, tenor_days } = body.into_inner();
    let ask = DrawOnGoods {
        collateral_id: id.into_inner(),
        amount,
        tenor_days,
    };
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| draw::draw(ctx, ask),
        |decided| Reply::decided(decided, AdvanceView::build),
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewValuation {
    #[schema(example = "40.00")]
    pub unit_value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValuationView {
    pub collateral: CollateralView,
    /// Principal outstanding over lendable value; absent when nothing is lent.
    pub ltv: Option<String>,
    pub margin_call: bool,
}

/// Revalues the goods (staff, on the warehouse partner's appraisal); an LTV above the margin
/// threshold opens a margin call and freezes the merchant's further draws.
#[utoipa::path(post, path = "/v1/collateral/{id}/valuations", tag = "inventory financing", security(("bearer" = [])),
    request_body = NewValuation, params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ValuationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revalue(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewValuation>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = Revalue {
        collateral_id: id.into_inner(),
        unit_value: body.into_inner().unit_value,
    };
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| valuation::revalue(ctx, ask),
        |valued| {
            Reply::created(&ValuationView {
                collateral: CollateralView::build(&valued.goods)?,
                ltv: valued.ltv.map(|r| r.round_dp(6).normalize().to_string()),
                margin_call: valued.margin_call,
            })
        },
    )
    .await
}

/// Releases the goods once their loan is repaid (their merchant, or staff).
#[utoipa::path(post, path = "/v1/collateral/{id}/release", tag = "inventory financing", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = CollateralView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn release(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.run(
        KeyPolicy::Optional,
        None,
        move |ctx| release::release(ctx, id),
        |row| Reply::ok(&CollateralView::build(&row)?),
    )
    .await
}
