//! Inventory financing: goods in a partner warehouse, pledged by warehouse receipt, back one
//! bullet loan (product `inventory_financing`).
//!
//! Rules:
//! - The lender sets the haircut by category ([`haircut`]); the merchant cannot choose it.
//!   Lendable value = `quantity × unit_value × (1 − haircut)`, rounded down to the cent.
//! - LTV = principal outstanding ÷ lendable value. A drawdown is refused above [`MAX_LTV`].
//! - A revaluation that takes the LTV above [`MARGIN_CALL_LTV`] opens a margin call: the goods
//!   go to `margin_call`, the merchant is emailed, and every further inventory draw of that
//!   merchant is refused until the call is cured. A later valuation at or below [`MAX_LTV`]
//!   (after a partial repayment or a price recovery) cures it.
//! - One receipt backs one loan, ever: receipts are keyed by their normalised number
//!   platform-wide and entered in the supply-chain registry (kind `warehouse_receipt`),
//!   encumbered while pledged, so an outside lender can check the goods before lending on them;
//!   released receipts stay registered.
//! - Goods are released only once their loan is closed (repaid in full); there is no partial
//!   release.

use chrono::{NaiveDate, SubsecRound, Utc};
use credit_scoring::ProductKind;
use diesel::PgConnection;
use domain::money::Money;
use persistence::collateral::{self, CollateralRow, ValuationRow};
use persistence::loans::{InstallmentRow, LoanRow};
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

use super::accrual::account;
use super::order_financing::approve_merchant;
use crate::config::LoansConfig;
use crate::error::ApiError;
use crate::mail;
use crate::usecases::lending::draw::{originate, schedule_for, Draw, NewLoan, RepaymentMethod};
use crate::usecases::scoring::ModelCache;

/// The highest LTV at drawdown (80 %).
pub const MAX_LTV: Decimal = Decimal::from_parts(80, 0, 0, false, 2);
/// The LTV above which a revaluation calls for margin (90 %).
pub const MARGIN_CALL_LTV: Decimal = Decimal::from_parts(90, 0, 0, false, 2);

/// The haircut for a category of goods: how far their resale value may fall before the loan
/// is at risk. Perishables and fast-obsoleting goods take the deepest cuts.
pub fn haircut(category: &str) -> Option<Decimal> {
    let percent = match category {
        "apparel" => 30,
        "electronics" => 40,
        "grocery" => 50,
        "household" => 30,
        "raw_materials" => 20,
        _ => return None,
    };
    Some(Decimal::new(percent, 2))
}

/// Lendable value of the goods at `unit_value`.
pub fn lendable_value(c: &CollateralRow, unit_value: Decimal) -> Decimal {
    (Decimal::from(c.quantity) * unit_value * (Decimal::ONE - c.haircut))
        .round_dp_with_strategy(2, RoundingStrategy::ToZero)
}

/// LTV of `outstanding` on the goods at `unit_value`, unrounded (thresholds compare exactly);
/// none when the goods are worth nothing.
pub fn ltv(c: &CollateralRow, unit_value: Decimal, outstanding: Decimal) -> Option<Decimal> {
    let value = lendable_value(c, unit_value);
    (!value.is_zero()).then(|| outstanding / value)
}

/// Draws a loan against pledged goods (locked, the caller's).
pub fn draw(
    conn: &mut PgConnection,
    models: &ModelCache,
    goods: &CollateralRow,
    draw: &Draw,
    today: NaiveDate,
    policy: &LoansConfig,
    actor: &str,
) -> Result<(LoanRow, Vec<InstallmentRow>), ApiError> {
    if collateral::margin_call_open(conn, goods.merchant_id)? {
        return Err(ApiError::unprocessable(
            "margin_call_open",
            "draws are frozen while a margin call is open",
            None,
        ));
    }
    if goods.status != "pledged" || goods.loan_id.is_some() {
        return Err(ApiError::unprocessable(
            "collateral_in_use",
            "these goods already back a loan or were released",
            None,
        ));
    }
    let ceiling = lendable_value(goods, goods.unit_value) * MAX_LTV;
    if draw.amount.amount() > ceiling {
        return Err(ApiError::unprocessable(
            "ltv_exceeded",
            format!(
                "at most {} may be drawn on these goods (LTV {MAX_LTV})",
                ceiling.round_dp(2)
            ),
            Some("amount"),
        ));
    }
    if draw.tenor_days < u32::try_from(policy.min_tenor_days).unwrap_or(0)
        || draw.tenor_days > u32::try_from(policy.max_tenor_days).unwrap_or(0)
    {
        return Err(ApiError::invalid(
            "tenor_days",
            format!(
                "tenor must be {} to {} days",
                policy.min_tenor_days, policy.max_tenor_days
            ),
        ));
    }
    let subject = format!("inventory_financing:{}", goods.id);
    let rate = approve_merchant(
        conn,
        models,
        goods.merchant_id,
        ProductKind::InventoryFinancing,
        draw.amount,
        &subject,
        actor,
    )?;
    let bullet = Draw {
        method: RepaymentMethod::Bullet,
        ..draw.clone()
    };
    let schedule = schedule_for(&bullet, rate, today)?;
    let booked = originate(
        conn,
        &NewLoan {
            party_id: goods.merchant_id,
            line_id: None,
            product: "inventory_financing",
            annual_rate: rate,
            penalty_rate_daily: policy.penalty_rate_daily,
            method: "bullet",
            schedule: &schedule,
            start: today,
            credits: vec![(account("cash:platform")?, draw.amount)],
        },
        chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6),
        actor,
    )?;
    collateral::attach_loan(conn, goods.id, booked.0.id)?;
    Ok(booked)
}

/// Records a valuation; opens or cures a margin call as the LTV demands.
pub fn revalue(
    conn: &mut PgConnection,
    goods: &CollateralRow,
    unit_value: Money,
    valued_on: NaiveDate,
    actor: &str,
) -> Result<(String, Option<Decimal>), ApiError> {
    if goods.status == "released" {
        return Err(ApiError::unprocessable(
            "collateral_released",
            "released goods are no longer valued",
            None,
        ));
    }
    let outstanding = match goods.loan_id {
        Some(loan) => {
            let loan = persistence::loans::find(conn, loan)?;
            if loan.status == "active" {
                loan.principal_outstanding()
            } else {
                Decimal::ZERO
            }
        }
        None => Decimal::ZERO,
    };
    let ratio = ltv(goods, unit_value.amount(), outstanding)
        .or((!outstanding.is_zero()).then_some(Decimal::MAX));
    let exposed = ratio.unwrap_or(Decimal::ZERO);
    // A call opens above the margin threshold and, once open, stays until the LTV is back
    // within the drawdown limit (a band, so the status does not flap around one threshold).
    let called = exposed > MARGIN_CALL_LTV || (goods.status == "margin_call" && exposed > MAX_LTV);
    let status = if called { "margin_call" } else { "pledged" };
    collateral::revalue(
        conn,
        &ValuationRow {
            id: Uuid::now_v7(),
            collateral_id: goods.id,
            unit_value: unit_value.amount(),
            valued_on,
            ltv: ratio.filter(|r| *r != Decimal::MAX).map(|r| r.round_dp(6)),
            valued_by: actor.into(),
            created_at: Utc::now().trunc_subsecs(6),
        },
    )?;
    collateral::set_status(conn, goods.id, status)?;
    let payload = serde_json::json!({"unit_value": unit_value.amount().to_string(), "valued_on": valued_on,
        "ltv": ratio.map(|r| r.round_dp(6).to_string()), "status": status});
    persistence::audit::append(
        conn,
        &format!("collateral:{}", goods.id),
        actor,
        "collateral.revalued",
        &payload,
        Utc::now(),
    )?;
    if status == "margin_call" && goods.status != "margin_call" {
        mail::notify(conn, goods.merchant_id, "margin_call", format!("Margin call on warehouse receipt {}", goods.receipt_number), vec![format!(
                    "The goods under receipt {} were revalued at {} {} a unit; the loan now exceeds {} of their lendable value. Repay part of the loan or pledge more goods; further draws are frozen until then.",
                    goods.receipt_number, unit_value.amount(), goods.currency, MARGIN_CALL_LTV
                )])?;
    }
    Ok((status.into(), ratio))
}

/// Releases goods whose loan is repaid (or that never backed one).
pub fn release(
    conn: &mut PgConnection,
    goods: &CollateralRow,
    actor: &str,
) -> Result<(), ApiError> {
    if goods.status == "released" {
        return Err(ApiError::unprocessable(
            "collateral_released",
            "the goods were already released",
            None,
        ));
    }
    if let Some(loan) = goods.loan_id {
        if persistence::loans::find(conn, loan)?.status != "closed" {
            return Err(ApiError::unprocessable(
                "loan_outstanding",
                "goods are released only once their loan is repaid",
                None,
            ));
        }
    }
    collateral::set_status(conn, goods.id, "released")?;
    // The receipt stays registered (never pledged twice) but no longer encumbered.
    persistence::scf::registry::set_encumbered(conn, goods.id, false)?;
    persistence::audit::append(
        conn,
        &format!("collateral:{}", goods.id),
        actor,
        "collateral.released",
        &serde_json::json!({"loan_id": goods.loan_id}),
        Utc::now(),
    )?;
    Ok(())
}
