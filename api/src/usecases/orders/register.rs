//! Registering an order: a buyer confirms its purchase order; staff register pre-sale order
//! books for a named buyer.

use chrono::NaiveDate;
use domain::money::Money;
use domain::retail_state::OrderStatus;
use persistence::audit::Chain;
use persistence::orders::{self, OrderRow};
use persistence::RepoError;
use uuid::Uuid;

use crate::usecases::lending::accrual::stored_money;
use crate::usecases::party_currency;
use crate::usecases::{Context, UseCaseError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKind {
    PurchaseOrder,
    PreSale,
}

impl OrderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::PurchaseOrder => "purchase_order",
            OrderKind::PreSale => "pre_sale",
        }
    }
}

/// An order as its buyer (or staff) states it; the number is already a checked identifier.
#[derive(Debug, Clone)]
pub struct RegisterOrder {
    pub merchant_id: Uuid,
    /// Staff only: a business buyer confirms its own orders.
    pub buyer_id: Option<Uuid>,
    pub order_number: String,
    /// The number's canonical key, unique per merchant.
    pub order_key: String,
    pub kind: OrderKind,
    pub order_value: Money,
    pub expected_settlement_on: NaiveDate,
}

/// Confirms the order, ready to be borrowed against by its merchant.
pub fn register(ctx: &mut Context<'_>, ask: RegisterOrder) -> Result<OrderRow, UseCaseError> {
    let buyer = match (ctx.actor.party, ask.buyer_id) {
        (Some(own), None) => own,
        (None, Some(buyer)) => buyer,
        _ => {
            return Err(UseCaseError::invalid(
                "buyer_id",
                "only staff name the buyer",
            ))
        }
    };
    if ask.kind == OrderKind::PreSale && !ctx.actor.staff {
        return Err(UseCaseError::invalid(
            "kind",
            "pre-sale order books are registered by staff",
        ));
    }
    if buyer == ask.merchant_id {
        return Err(UseCaseError::invalid(
            "merchant_id",
            "a merchant cannot buy from itself",
        ));
    }
    check_seller(ctx, &ask)?;
    // Staff name the buyer: it must exist. The foreign key says so on one PostgreSQL, but a
    // cluster distributed by party cannot keep a reference to another party's row.
    if ask.buyer_id.is_some() && persistence::parties::kind_of(ctx.conn, buyer)?.is_none() {
        return Err(UseCaseError::invalid("buyer_id", "no such party"));
    }
    if ask.expected_settlement_on < ctx.today {
        return Err(UseCaseError::invalid(
            "expected_settlement_on",
            format!(
                "expected_settlement_on {} is before the business date {}",
                ask.expected_settlement_on, ctx.today
            ),
        ));
    }
    let ccy = ask.order_value.currency();
    let row = OrderRow {
        id: Uuid::now_v7(),
        merchant_id: ask.merchant_id,
        buyer_id: buyer,
        order_number: ask.order_number,
        order_key: Some(ask.order_key),
        kind: ask.kind.as_str().into(),
        currency: ccy.code().into(),
        order_value: ask.order_value.amount(),
        expected_settlement_on: ask.expected_settlement_on,
        status: OrderStatus::Confirmed.as_str().into(),
        loan_id: None,
        settled_amount: None,
        settled_on: None,
        created_at: ctx.now,
    };
    orders::insert(ctx.conn, &row)?;
    let payload = serde_json::json!({"id": row.id, "merchant_id": row.merchant_id,
        "buyer_id": row.buyer_id, "order_number": row.order_number, "kind": row.kind,
        "currency": row.currency, "order_value": stored_money(row.order_value, ccy).amount().to_string(),
        "expected_settlement_on": row.expected_settlement_on, "status": row.status,
        "loan_id": row.loan_id, "settled_amount": row.settled_amount});
    ctx.audit(
        &Chain::of(row.merchant_id, "order", row.id),
        "order.confirmed",
        &payload,
    );
    Ok(row)
}

/// The seller is a merchant doing business in the order's currency.
fn check_seller(ctx: &mut Context<'_>, ask: &RegisterOrder) -> Result<(), UseCaseError> {
    let merchant = persistence::parties::find(ctx.conn, ask.merchant_id).map_err(|e| match e {
        RepoError::NotFound => UseCaseError::invalid("merchant_id", "no such merchant"),
        other => other.into(),
    })?;
    if merchant.party.kind != "merchant" {
        return Err(UseCaseError::invalid(
            "merchant_id",
            "the seller is not a merchant",
        ));
    }
    party_currency::check(&merchant, ask.order_value.currency())
}
