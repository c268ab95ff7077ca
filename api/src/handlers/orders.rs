//! Orders and order financing: a buyer confirms a purchase order (staff register pre-sale
//! order books), the merchant borrows against it, and the buyer's settlement repays the loan
//! with the remainder paid to the merchant.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use domain::money::{Currency, Money};
use persistence::orders::OrderRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::handlers::loans::LoanView;
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::advance::Booked;
use crate::usecases::orders::financing::{self, FinanceOrder};
use crate::usecases::orders::order;
use crate::usecases::orders::register::{self, RegisterOrder};
use crate::usecases::orders::settlement::{self, SettleOrder};
use crate::views::amount;
use crate::views::currency;

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

/// A decided advance (on an order or on pledged goods): the loan's fields when approved,
/// none when declined.
#[derive(Debug, Serialize)]
pub struct AdvanceView {
    #[serde(flatten)]
    pub loan: Option<LoanView>,
}

impl AdvanceView {
    pub(crate) fn build(booked: Option<Booked>) -> Result<AdvanceView, ApiError> {
        let loan = booked.map(|(loan, schedule)| LoanView::build(&loan, &schedule));
        Ok(AdvanceView {
            loan: loan.transpose()?,
        })
    }
}

impl TryFrom<NewOrder> for RegisterOrder {
    type Error = ApiError;

    fn try_from(dto: NewOrder) -> Result<Self, ApiError> {
        let (number, key) =
            crate::text::identifier("order_number", &dto.order_number, 100)?.into_parts();
        let ccy = Currency::parse(&dto.currency)
            .map_err(|e| ApiError::invalid("currency", e.to_string()))?;
        let value = Money::parse_positive(&dto.order_value, ccy)
            .map_err(|e| ApiError::invalid("order_value", e.to_string()))?;
        Ok(RegisterOrder {
            merchant_id: dto.merchant_id,
            buyer_id: dto.buyer_id,
            order_number: number,
            order_key: key,
            kind: match dto.kind {
                OrderKind::PurchaseOrder => register::OrderKind::PurchaseOrder,
                OrderKind::PreSale => register::OrderKind::PreSale,
            },
            order_value: value,
            expected_settlement_on: dto.expected_settlement_on,
        })
    }
}

/// Confirms an order (the buyer; staff for pre-sale order books).
#[utoipa::path(post, path = "/v1/orders", tag = "order financing", security(("bearer" = [])),
    request_body = NewOrder, params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = OrderView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(call: Call, body: JsonBody<NewOrder>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = RegisterOrder::try_from(body.into_inner())?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| register::register(ctx, ask),
        |row| Reply::created(&OrderView::build(&row)?),
    )
    .await
}

/// One order.
#[utoipa::path(get, path = "/v1/orders/{id}", tag = "order financing", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = OrderView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| order::find_order(ctx, id),
        |row| Reply::ok(&OrderView::build(&row)?),
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinancing {
    #[schema(example = "40000.00")]
    pub amount: String,
}

/// Borrows against the order (its merchant, `Idempotency-Key` required): 201 with the loan
/// when approved, 200 without one when declined; the decision's `outcome`, `decision_id` and
/// `reasons` stand beside the loan's fields.
#[utoipa::path(post, path = "/v1/orders/{id}/financing", tag = "order financing", security(("bearer" = [])),
    request_body = NewFinancing, params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = LoanView), (status = 200, description = "declined"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn finance(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewFinancing>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = FinanceOrder {
        order_id: id.into_inner(),
        amount: body.into_inner().amount,
    };
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| financing::finance(ctx, ask),
        |decided| Reply::decided(decided, AdvanceView::build),
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
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewSettlement>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let dto = body.into_inner();
    let ask = SettleOrder {
        order_id: id.into_inner(),
        reference: crate::text::external_reference(&dto.external_reference)?,
        amount: dto.amount,
    };
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| settlement::settle(ctx, ask),
        |done| {
            let ccy = currency(&done.order.currency)?;
            Reply::created(&OrderSettlementView {
                order: OrderView::build(&done.order)?,
                applied_to_loan: amount(done.to_loan, ccy),
                paid_to_merchant: amount(done.to_merchant, ccy),
            })
        },
    )
    .await
}
