//! Revaluing pledged goods on the warehouse partner's appraisal: the LTV moves, and with it
//! the margin call (see `domain::retail_state`).

use domain::money::Money;
use domain::retail_state::CollateralStatus;
use persistence::audit::Chain;
use persistence::collateral::{self, CollateralRow, ValuationRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::goods::{lock_visible, ltv, status, LIMITS, MARGIN_CALL_LTV};
use crate::mail;
use crate::usecases::lending::accrual::stored_currency;
use crate::usecases::lending::booking::status_of;
use crate::usecases::{Context, UseCaseError};

/// Staff record an appraisal; the unit value is parsed in the goods' currency.
#[derive(Debug, Clone)]
pub struct Revalue {
    pub collateral_id: Uuid,
    pub unit_value: String,
}

/// The goods after a valuation.
#[derive(Debug, Clone)]
pub struct Valuation {
    pub goods: CollateralRow,
    /// Principal outstanding over lendable value; none when nothing is lent or the goods are
    /// worth nothing.
    pub ltv: Option<Decimal>,
    pub margin_call: bool,
}

/// Records a valuation; opens or cures a margin call as the LTV demands.
pub fn revalue(ctx: &mut Context<'_>, ask: Revalue) -> Result<Valuation, UseCaseError> {
    let goods = lock_visible(ctx, ask.collateral_id)?;
    let unit_value = Money::parse_non_negative(&ask.unit_value, stored_currency(&goods.currency)?)
        .map_err(|e| UseCaseError::invalid("unit_value", e))?;
    let outstanding = outstanding(ctx, &goods)?;
    let ratio = ltv(&goods, unit_value.amount(), outstanding);
    // Worthless goods under a loan are as exposed as goods can be.
    let exposed = match ratio {
        Some(r) => r,
        None if outstanding.is_zero() => Decimal::ZERO,
        None => Decimal::MAX,
    };
    let was = status(&goods)?;
    let now = was.revalued(exposed, LIMITS).map_err(|_| {
        UseCaseError::refused(
            "collateral_released",
            "released goods are no longer valued",
            None,
        )
    })?;
    let shown = ratio.map(|r| r.round_dp(6));
    collateral::revalue(
        ctx.conn,
        &ValuationRow {
            id: Uuid::now_v7(),
            collateral_id: goods.id,
            merchant_id: goods.merchant_id,
            unit_value: unit_value.amount(),
            valued_on: ctx.today,
            ltv: shown,
            valued_by: ctx.actor.name.clone(),
            created_at: ctx.now,
        },
    )?;
    collateral::set_status(ctx.conn, goods.merchant_id, goods.id, now.as_str())?;
    let payload = serde_json::json!({"unit_value": unit_value.amount().to_string(), "valued_on": ctx.today,
        "ltv": shown.map(|r| r.to_string()), "status": now.as_str()});
    ctx.audit(
        &Chain::of(goods.merchant_id, "collateral", goods.id),
        "collateral.revalued",
        &payload,
    );
    if now == CollateralStatus::MarginCall && was != CollateralStatus::MarginCall {
        call_margin(ctx, &goods, unit_value)?;
    }
    Ok(Valuation {
        goods: collateral::lock(ctx.conn, goods.merchant_id, goods.id)?,
        ltv: ratio,
        margin_call: now == CollateralStatus::MarginCall,
    })
}

/// Principal still owed on the loan the goods back (none once it is no longer active).
fn outstanding(ctx: &mut Context<'_>, goods: &CollateralRow) -> Result<Decimal, UseCaseError> {
    let Some(loan) = goods.loan_id else {
        return Ok(Decimal::ZERO);
    };
    let loan = persistence::loans::find(ctx.conn, loan)?;
    Ok(if status_of(&loan)?.owes() {
        loan.principal_outstanding()
    } else {
        Decimal::ZERO
    })
}

/// Tells the merchant a margin call opened.
fn call_margin(
    ctx: &mut Context<'_>,
    goods: &CollateralRow,
    unit_value: Money,
) -> Result<(), UseCaseError> {
    let notice = format!(
        "The goods under receipt {} were revalued at {} {} a unit; the loan now exceeds {} of their lendable value. Repay part of the loan or pledge more goods; further draws are frozen until then.",
        goods.receipt_number, unit_value.amount(), goods.currency, MARGIN_CALL_LTV
    );
    mail::notify(
        ctx,
        goods.merchant_id,
        "margin_call",
        format!("Margin call on warehouse receipt {}", goods.receipt_number),
        vec![notice],
    )?;
    Ok(())
}
