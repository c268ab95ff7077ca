//! Borrowing against an order: at most [`ADVANCE_RATE`] of its value, one loan per order,
//! maturing [`GRACE_DAYS`] after the order's expected settlement.

use chrono::Duration;
use credit_scoring::ProductKind;
use domain::money::Money;
use persistence::orders;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::order::{lock_visible, status};
use crate::usecases::advance::{self, Advance, Booked};
use crate::usecases::lending::accrual::stored_currency;
use crate::usecases::{Context, Decided, UseCaseError};

/// The most a merchant may borrow against an order: 80 % of its value.
pub const ADVANCE_RATE: Decimal = Decimal::from_parts(80, 0, 0, false, 2);
/// Days after the expected settlement before the loan falls due.
pub const GRACE_DAYS: i64 = 15;

/// The order's merchant asks for an advance; the amount is parsed in the order's currency.
#[derive(Debug, Clone)]
pub struct FinanceOrder {
    pub order_id: Uuid,
    pub amount: String,
}

/// Decides on the merchant and, on approval, books the loan against the order.
pub fn finance(
    ctx: &mut Context<'_>,
    ask: FinanceOrder,
) -> Result<Decided<Option<Booked>>, UseCaseError> {
    let order = lock_visible(ctx, ask.order_id)?;
    if ctx.actor.party != Some(order.merchant_id) {
        return Err(UseCaseError::NotFound);
    }
    let amount = Money::parse_positive(&ask.amount, stored_currency(&order.currency)?)
        .map_err(|e| UseCaseError::invalid("amount", e))?;
    if !status(&order)?.may_back_a_loan() || order.loan_id.is_some() {
        return Err(UseCaseError::refused(
            "order_not_financeable",
            "only a confirmed order not yet financed can be borrowed against",
            None,
        ));
    }
    let ceiling = (order.order_value * ADVANCE_RATE).round_dp(2);
    if amount.amount() > ceiling {
        return Err(UseCaseError::refused(
            "exceeds_advance_rate",
            format!("at most {ceiling} may be advanced on this order"),
            Some("amount"),
        ));
    }
    let maturity = order.expected_settlement_on + Duration::days(GRACE_DAYS);
    let tenor = (maturity - ctx.today).num_days();
    let policy = &ctx.policy.loans;
    if tenor < i64::from(policy.min_tenor_days) || tenor > i64::from(policy.max_tenor_days) {
        return Err(UseCaseError::refused(
            "order_settles_out_of_range",
            "the order settles too soon or too late to be financed",
            None,
        ));
    }
    let decided = advance::advance(
        ctx,
        Advance {
            merchant: order.merchant_id,
            product: ProductKind::OrderFinancing,
            loan_product: "order_financing",
            subject: format!("order_financing:{}", order.id),
            amount,
            tenor_days: u32::try_from(tenor).map_err(|e| UseCaseError::corrupt("tenor", e))?,
        },
    )?;
    if let Some((loan, _)) = &decided.subject {
        orders::attach_loan(ctx.conn, order.merchant_id, order.id, loan.id)?;
    }
    Ok(decided)
}
