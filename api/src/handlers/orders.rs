//! Orders and order financing: a buyer confirms a purchase order (staff register pre-sale
//! order books), the merchant borrows against it, and the buyer's settlement repays the loan
//! with the remainder paid to the merchant.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, SubsecRound, Utc};
use domain::money::{Currency, Money};
use persistence::orders::{self, OrderRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::handlers::loans::LoanView;
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::lending::order_financing;
use crate::lending::{business_date, currency};
use crate::state::AppState;
use crate::usecases::dates;
use crate::views::amount;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    PurchaseOrder,
    PreSale,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// The seller.
    pub merchant_id: Uuid,
    /// Staff only (pre-sale order books); a buyer confirms its own orders.
    pub buyer_id: Option<Uuid>,
    #[schema(example = "PO-2026-7781")]
    pub order_number: String,
    pub kind: OrderKind,
    #[schema(example = "CNY")]
    pub currency: String,
    #[schema(example = "50000.00")]
    pub order_value: String,
    pub expected_settlement_on: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    pub id: Uuid,
    pub merchant_id: Uuid,
    pub buyer_id: Uuid,
    pub order_number: String,
    pub kind: String,
    pub currency: String,
    pub order_value: String,
    pub expected_settlement_on: NaiveDate,
    pub status: String,
    pub loan_id: Option<Uuid>,
    pub settled_amount: Option<String>,
}

impl OrderView {
    pub(crate) fn build(o: &OrderRow) -> Result<OrderView, ApiError> {
        let ccy = currency(&o.currency)?;
        Ok(OrderView {
            id: o.id,
            merchant_id: o.merchant_id,
            buyer_id: o.buyer_id,
            order_number: o.order_number.clone(),
            kind: o.kind.clone(),
            currency: o.currency.clone(),
            order_value: amount(o.order_value, ccy),
            expected_settlement_on: o.expected_settlement_on,
            status: o.status.clone(),
            loan_id: o.loan_id,
            settled_amount: o.settled_amount.map(|a| amount(a, ccy)),
        })
    }
}

const BUYERS: [Role; 3] = [Role::CoreEnterprise, Role::Merchant, Role::Admin];

impl NewOrder {
    fn into_row(self, caller: &Caller) -> Result<OrderRow, ApiError> {
        let buyer = match (caller.party(), self.buyer_id) {
            (Some(own), None) => own,
            (None, Some(buyer)) => buyer,
            _ => return Err(ApiError::invalid("buyer_id", "only staff name the buyer")),
        };
        let kind = match (self.kind, caller.role.is_staff()) {
            (OrderKind::PurchaseOrder, _) => "purchase_order",
            (OrderKind::PreSale, true) => "pre_sale",
            (OrderKind::PreSale, false) => {
                return Err(ApiError::invalid(
                    "kind",
                    "pre-sale order books are registered by staff",
                ))
            }
        };
        let (number, key) =
            crate::text::identifier("order_number", &self.order_number, 100)?.into_parts();
        let ccy = Currency::parse(&self.currency)
            .map_err(|e| ApiError::invalid("currency", e.to_string()))?;
        let value = Money::parse_positive(&self.order_value, ccy)
            .map_err(|e| ApiError::invalid("order_value", e.to_string()))?;
        if buyer == self.merchant_id {
            return Err(ApiError::invalid(
                "merchant_id",
                "a merchant cannot buy from itself",
            ));
        }
        Ok(OrderRow {
            id: Uuid::now_v7(),
            merchant_id: self.merchant_id,
            buyer_id: buyer,
            order_number: number,
            order_key: Some(key),
            kind: kind.into(),
            currency: ccy.code().into(),
            order_value: value.amount(),
            expected_settlement_on: self.expected_settlement_on,
            status: "confirmed".into(),
            loan_id: None,
            settled_amount: None,
            settled_on: None,
            created_at: Utc::now().trunc_subsecs(6),
        })
    }
}

/// Confirms an order (the buyer; staff for pre-sale order books).
#[utoipa::path(post, path = "/v1/orders", tag = "order financing", security(("bearer" = [])),
    request_body = NewOrder, params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = OrderView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody<NewOrder>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&BUYERS)?;
    let hash = body.hash().to_string();
    let row = body.value.into_row(&caller)?;
    let actor = caller.actor();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Optional,
        move |conn| {
            let merchant = persistence::parties::find(conn, row.merchant_id)
                .map_err(|_| ApiError::invalid("merchant_id", "no such merchant"))?;
            if merchant.party.kind != "merchant" {
                return Err(ApiError::invalid(
                    "merchant_id",
                    "the seller is not a merchant",
                ));
            }
            dates::party_currency(&row.currency, &merchant.party.currency)?;
            let today = business_date(conn)?;
            dates::not_before_today("expected_settlement_on", row.expected_settlement_on, today)?;
            orders::insert(conn, &row)?;
            let view = OrderView::build(&row)?;
            let payload = serde_json::to_value(&view).map_err(ApiError::internal)?;
            persistence::audit::append(
                conn,
                &format!("order:{}", row.id),
                &actor,
                "order.confirmed",
                &payload,
                Utc::now(),
            )?;
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}

/// Loads an order its merchant, its buyer or staff may see; others get 404.
fn visible(
    conn: &mut diesel::PgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<OrderRow, ApiError> {
    let order = orders::lock(conn, id)?;
    caller.ensure_can_see(&[order.merchant_id, order.buyer_id])?;
    Ok(order)
}

/// One order.
#[utoipa::path(get, path = "/v1/orders/{id}", tag = "order financing", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = OrderView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[
        Role::Merchant,
        Role::CoreEnterprise,
        Role::RiskOfficer,
        Role::Admin,
    ])?;
    let id = id.into_inner();
    let view = state
        .transaction(move |conn| OrderView::build(&visible(conn, &caller, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinancing {
    #[schema(example = "40000.00")]
    pub amount: String,
}

/// Borrows against the order (its merchant, `Idempotency-Key` required).
#[utoipa::path(post, path = "/v1/orders/{id}/financing", tag = "order financing", security(("bearer" = [])),
    request_body = NewFinancing, params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = LoanView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn finance(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<NewFinancing>,
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
            let order = visible(conn, &who, id)?;
            if who.party() != Some(order.merchant_id) {
                return Err(ApiError::NotFound);
            }
            let ccy = currency(&order.currency)?;
            let value = Money::parse_positive(&dto.amount, ccy)
                .map_err(|e| ApiError::invalid("amount", e.to_string()))?;
            let today = business_date(conn)?;
            let (loan, schedule) =
                order_financing::finance(conn, &models, &order, value, today, &policy, &actor)?;
            Ok((StatusCode::CREATED, LoanView::build(&loan, &schedule)?))
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSettlement {
    #[schema(example = "50000.00")]
    pub amount: String,
    /// The payment's bank reference; unique platform-wide.
    #[schema(example = "WIRE-20261201-0001")]
    pub external_reference: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderSettlementView {
    pub order: OrderView,
    pub applied_to_loan: String,
    pub paid_to_merchant: String,
}

/// The buyer's payment for the order arrives (the buyer or staff, `Idempotency-Key` required).
#[utoipa::path(post, path = "/v1/orders/{id}/settlement", tag = "order financing", security(("bearer" = [])),
    request_body = NewSettlement, params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = OrderSettlementView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn settle(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<NewSettlement>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&BUYERS)?;
    let hash = body.hash().to_string();
    let (id, dto, actor, who) = (id.into_inner(), body.value, caller.actor(), caller.clone());
    let reference = crate::lending::external_reference(&dto.external_reference)?;
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let order = visible(conn, &who, id)?;
            if !who.role.is_staff() && who.party() != Some(order.buyer_id) {
                return Err(ApiError::NotFound);
            }
            let ccy = currency(&order.currency)?;
            let value = Money::parse_positive(&dto.amount, ccy)
                .map_err(|e| ApiError::invalid("amount", e.to_string()))?;
            let today = business_date(conn)?;
            let outcome = order_financing::settle(conn, &order, value, &reference, today, &actor)?;
            let view = OrderSettlementView {
                order: OrderView::build(&orders::find(conn, id)?)?,
                applied_to_loan: amount(outcome.to_loan, ccy),
                paid_to_merchant: amount(outcome.to_merchant, ccy),
            };
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}
