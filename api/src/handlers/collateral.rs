//! Inventory financing: pledging goods held in a partner warehouse, drawing against them,
//! revaluing them (margin calls) and releasing them once repaid.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, SubsecRound, Utc};
use domain::money::{Currency, Money};
use domain::receivable_fingerprint::{receipt_fingerprint, PaperKind};
use persistence::collateral::{self, CollateralRow};
use persistence::scf::registry;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::handlers::loans::LoanView;
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::lending::inventory::{self, haircut, lendable_value};
use crate::lending::{business_date, currency};
use crate::state::AppState;
use crate::usecases::lending::draw::{Draw, RepaymentMethod};
use crate::views::amount;

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

impl NewPledge {
    fn into_row(self, merchant: Uuid, today: NaiveDate) -> Result<CollateralRow, ApiError> {
        let (receipt, key) =
            crate::text::identifier("receipt_number", &self.receipt_number, 100)?.into_parts();
        let cut = haircut(&self.category)
            .ok_or_else(|| ApiError::invalid("category", "no haircut is set for this category"))?;
        if self.quantity <= 0 {
            return Err(ApiError::invalid("quantity", "quantity must be positive"));
        }
        let ccy = Currency::parse(&self.currency)
            .map_err(|e| ApiError::invalid("currency", e.to_string()))?;
        let unit = Money::parse_positive(&self.unit_value, ccy)
            .map_err(|e| ApiError::invalid("unit_value", e.to_string()))?;
        Ok(CollateralRow {
            id: Uuid::now_v7(),
            merchant_id: merchant,
            warehouse: text("warehouse", &self.warehouse)?,
            receipt_number: receipt,
            receipt_key: key,
            sku: text("sku", &self.sku)?,
            category: self.category,
            quantity: self.quantity,
            currency: ccy.code().into(),
            unit_value: unit.amount(),
            haircut: cut,
            status: "pledged".into(),
            loan_id: None,
            valued_on: today,
            created_at: Utc::now().trunc_subsecs(6),
        })
    }
}

/// Pledges goods by warehouse receipt (merchant); a receipt ever pledged before is refused.
#[utoipa::path(post, path = "/v1/collateral", tag = "inventory financing", security(("bearer" = [])),
    request_body = NewPledge, params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = CollateralView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pledge(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody<NewPledge>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant])?;
    let merchant = caller.party().ok_or(ApiError::Forbidden)?;
    let hash = body.hash().to_string();
    let (dto, actor) = (body.value, caller.actor());
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Optional,
        move |conn| {
            crate::usecases::dates::stored_party_currency(conn, merchant, &dto.currency)?;
            let row = dto.into_row(merchant, business_date(conn)?)?;
            if collateral::receipt_exists(conn, &row.receipt_key)? {
                return Err(ApiError::Conflict {
                    code: "receipt_already_pledged",
                    message: "this warehouse receipt already backs, or backed, a pledge".into(),
                    field: Some("receipt_number".into()),
                    retry_after_seconds: None,
                });
            }
            collateral::insert(conn, &row)?;
            // In the shared registry, so an outside lender can see the goods are pledged.
            registry::register(
                conn,
                &receipt_fingerprint(&row.receipt_key),
                PaperKind::WarehouseReceipt.as_str(),
                row.id,
            )?;
            registry::set_encumbered(conn, row.id, true)?;
            let view = CollateralView::build(&row)?;
            let payload = serde_json::to_value(&view).map_err(ApiError::internal)?;
            persistence::audit::append(
                conn,
                &format!("collateral:{}", row.id),
                &actor,
                "collateral.pledged",
                &payload,
                Utc::now(),
            )?;
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}

fn visible(
    conn: &mut diesel::PgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<CollateralRow, ApiError> {
    let goods = collateral::lock(conn, id)?;
    caller.ensure_can_see(&[goods.merchant_id])?;
    Ok(goods)
}

/// Pledged goods with their current valuation.
#[utoipa::path(get, path = "/v1/collateral/{id}", tag = "inventory financing", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = CollateralView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant, Role::RiskOfficer, Role::Admin])?;
    let id = id.into_inner();
    let view = state
        .transaction(move |conn| CollateralView::build(&visible(conn, &caller, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCollateralDraw {
    #[schema(example = "24000.00")]
    pub amount: String,
    #[schema(example = 60)]
    pub tenor_days: u32,
}

/// Draws a bullet loan against the goods (their merchant, `Idempotency-Key` required).
#[utoipa::path(post, path = "/v1/collateral/{id}/draws", tag = "inventory financing", security(("bearer" = [])),
    request_body = NewCollateralDraw, params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = LoanView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draw(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<NewCollateralDraw>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant])?;
    let hash = body.hash().to_string();
    let (id, dto, actor, who) = (id.into_inner(), body.value, caller.actor(), caller.clone());
    let (policy, models) = (state.policy.loans.clone(), state.policy.models.clone());
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let goods = visible(conn, &who, id)?;
            let ccy = currency(&goods.currency)?;
            let value = Money::parse_positive(&dto.amount, ccy)
                .map_err(|e| ApiError::invalid("amount", e.to_string()))?;
            let request = Draw {
                amount: value,
                tenor_days: dto.tenor_days,
                method: RepaymentMethod::Bullet,
            };
            let today = business_date(conn)?;
            let (loan, schedule) =
                inventory::draw(conn, &models, &goods, &request, today, &policy, &actor)?;
            Ok((StatusCode::CREATED, LoanView::build(&loan, &schedule)?))
        },
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
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<NewValuation>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::RiskOfficer, Role::Admin])?;
    let hash = body.hash().to_string();
    let (id, dto, actor) = (id.into_inner(), body.value, caller.actor());
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Optional,
        move |conn| {
            let goods = collateral::lock(conn, id)?;
            let ccy = currency(&goods.currency)?;
            let unit = Money::parse_non_negative(&dto.unit_value, ccy)
                .map_err(|e| ApiError::invalid("unit_value", e.to_string()))?;
            let today = business_date(conn)?;
            let (status, ltv) = inventory::revalue(conn, &goods, unit, today, &actor)?;
            let goods = collateral::lock(conn, id)?;
            Ok((
                StatusCode::CREATED,
                ValuationView {
                    collateral: CollateralView::build(&goods)?,
                    ltv: ltv
                        .filter(|r| *r != Decimal::MAX)
                        .map(|r| r.round_dp(6).normalize().to_string()),
                    margin_call: status == "margin_call",
                },
            ))
        },
    )
    .await
}

/// Releases the goods once their loan is repaid (their merchant, or staff).
#[utoipa::path(post, path = "/v1/collateral/{id}/release", tag = "inventory financing", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = CollateralView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn release(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant, Role::RiskOfficer, Role::Admin])?;
    let (id, actor, who) = (id.into_inner(), caller.actor(), caller.clone());
    idempotency::run(
        &state,
        &caller,
        &req,
        None,
        KeyPolicy::Optional,
        move |conn| {
            let goods = visible(conn, &who, id)?;
            inventory::release(conn, &goods, &actor)?;
            Ok((
                StatusCode::OK,
                CollateralView::build(&collateral::lock(conn, id)?)?,
            ))
        },
    )
    .await
}
