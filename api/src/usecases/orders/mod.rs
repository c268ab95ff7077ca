//! Order financing: a merchant borrows against one confirmed order and the buyer's payment
//! repays it.
//!
//! Rules: the advance is at most [`ADVANCE_RATE`] of the order value; the loan is a bullet
//! loan (product `order_financing`, no credit line) at the rate the scoring engine prices for
//! the merchant, maturing [`GRACE_DAYS`] after the order's expected settlement date, so a
//! buyer paying a little late does not put the merchant in arrears. One order backs at most
//! one loan. When the buyer's settlement arrives it first repays the loan through the loans'
//! own repayment path (interest to date, nothing for unused days); the remainder is owed to
//! the merchant and paid out at once (`Dr cash:platform Cr merchant_payable:<m>`, then
//! `Dr merchant_payable:<m> Cr cash:platform`). A settlement smaller than the loan leaves the
//! rest on the loan, which the merchant repays and end of day ages like any other.

pub mod financing;
pub mod register;
pub mod settlement;

use domain::retail_state::OrderStatus;
use persistence::orders::{self, OrderRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::usecases::{Context, UseCaseError};

/// The most a merchant may borrow against an order: 80 % of its value.
pub const ADVANCE_RATE: Decimal = Decimal::from_parts(80, 0, 0, false, 2);
/// Days after the expected settlement before the loan falls due.
pub const GRACE_DAYS: i64 = 15;

/// Loads and locks an order its merchant, its buyer or staff may see; to anyone else it does
/// not exist. Financing and settlement of one order are serialised by the lock.
fn lock_visible(ctx: &mut Context<'_>, id: Uuid) -> Result<OrderRow, UseCaseError> {
    let order = orders::lock(ctx.conn, id)?;
    if !ctx.actor.can_see(&[order.merchant_id, order.buyer_id]) {
        return Err(UseCaseError::NotFound);
    }
    Ok(order)
}

/// One order.
pub fn find_order(ctx: &mut Context<'_>, id: Uuid) -> Result<OrderRow, UseCaseError> {
    let order = orders::find(ctx.conn, id)?;
    if !ctx.actor.can_see(&[order.merchant_id, order.buyer_id]) {
        return Err(UseCaseError::NotFound);
    }
    Ok(order)
}

/// The order's typed status; a column our rules cannot read is corrupt.
fn status(order: &OrderRow) -> Result<OrderStatus, UseCaseError> {
    order
        .status
        .parse()
        .map_err(|e| UseCaseError::corrupt("order status", e))
}
