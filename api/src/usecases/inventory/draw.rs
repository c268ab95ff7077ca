//! Drawing a bullet loan against pledged goods, within [`super::goods::MAX_LTV`] of their lendable value and
//! never while one of the merchant's margin calls is open.

use credit_scoring::ProductKind;
use domain::money::Money;
use persistence::collateral;
use uuid::Uuid;

use super::goods::{lendable_value, lock_visible, status, MAX_LTV};
use crate::usecases::advance::{self, Advance, Booked};
use crate::usecases::lending::accrual::stored_currency;
use crate::usecases::{Context, Decided, UseCaseError};

/// The goods' merchant asks for a loan; the amount is parsed in the goods' currency.
#[derive(Debug, Clone)]
pub struct DrawOnGoods {
    pub collateral_id: Uuid,
    pub amount: String,
    pub tenor_days: u32,
}

/// Decides on the merchant and, on approval, books the loan against the goods.
pub fn draw(
    ctx: &mut Context<'_>,
    ask: DrawOnGoods,
) -> Result<Decided<Option<Booked>>, UseCaseError> {
    let goods = lock_visible(ctx, ask.collateral_id)?;
    let amount = Money::parse_positive(&ask.amount, stored_currency(&goods.currency)?)
        .map_err(|e| UseCaseError::invalid("amount", e))?;
    if collateral::margin_call_open(ctx.conn, goods.merchant_id)? {
        return Err(UseCaseError::refused(
            "margin_call_open",
            "draws are frozen while a margin call is open",
            None,
        ));
    }
    if !status(&goods)?.may_back_a_loan() || goods.loan_id.is_some() {
        return Err(UseCaseError::refused(
            "collateral_in_use",
            "these goods already back a loan or were released",
            None,
        ));
    }
    let ceiling = lendable_value(&goods, goods.unit_value) * MAX_LTV;
    if amount.amount() > ceiling {
        return Err(UseCaseError::refused(
            "ltv_exceeded",
            format!(
                "at most {} may be drawn on these goods (LTV {MAX_LTV})",
                ceiling.round_dp(2)
            ),
            Some("amount"),
        ));
    }
    let policy = &ctx.policy.loans;
    let days = |d: i32| u32::try_from(d).unwrap_or(0);
    if ask.tenor_days < days(policy.min_tenor_days) || ask.tenor_days > days(policy.max_tenor_days)
    {
        return Err(UseCaseError::invalid(
            "tenor_days",
            format!(
                "tenor must be {} to {} days",
                policy.min_tenor_days, policy.max_tenor_days
            ),
        ));
    }
    let decided = advance::advance(
        ctx,
        Advance {
            merchant: goods.merchant_id,
            product: ProductKind::InventoryFinancing,
            loan_product: "inventory_financing",
            subject: format!("inventory_financing:{}", goods.id),
            amount,
            tenor_days: ask.tenor_days,
        },
    )?;
    if let Some((loan, _)) = &decided.subject {
        collateral::attach_loan(ctx.conn, goods.merchant_id, goods.id, loan.id)?;
    }
    Ok(decided)
}
