//! One order as a caller may see it, and its typed status.

use domain::retail_state::OrderStatus;
use persistence::orders::{self, OrderRow};
use uuid::Uuid;

use crate::usecases::{Context, UseCaseError};

/// Loads and locks an order its merchant, its buyer or staff may see; to anyone else it does
/// not exist. Financing and settlement of one order are serialised by the lock.
pub(super) fn lock_visible(ctx: &mut Context<'_>, id: Uuid) -> Result<OrderRow, UseCaseError> {
    let merchant = orders::owner(ctx.conn, id)?;
    let order = orders::lock(ctx.conn, merchant, id)?;
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
pub(super) fn status(order: &OrderRow) -> Result<OrderStatus, UseCaseError> {
    order
        .status
        .parse()
        .map_err(|e| UseCaseError::corrupt("order status", e))
}
