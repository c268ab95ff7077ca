//! Pool facilities: reading a pool revalued as of the business date, and draws up to its
//! borrowing base.

use persistence::audit::Chain;
use std::collections::BTreeSet;

use domain::money::{Money, RoundingMode};
use domain::scf_postings;
use domain::scf_state::{FactoringState, RequestKind};
use persistence::scf::factoring::{self as requests, RequestRow};
use persistence::scf::programs;
use persistence::scf::receivables::ReceivableRow;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::factoring::Request;
use super::valuation::revalue;
use super::{post, record, shown, stored_currency, stored_state};
use crate::usecases::{Context, UseCaseError};

/// Locks a pool the caller may see; any other request is "not found".
fn pool_for(ctx: &mut Context<'_>, id: Uuid) -> Result<RequestRow, UseCaseError> {
    // Only its supplier or staff see a pool: a supplier locks it through itself.
    let supplier = match ctx.actor.party.filter(|_| !ctx.actor.staff) {
        Some(party) => party,
        None => requests::owner(ctx.conn, id)?,
    };
    let row = requests::lock(ctx.conn, supplier, id)?;
    let kind: RequestKind = stored_state(&row.kind)?;
    if !ctx.actor.can_see(&[row.supplier_id]) || kind != RequestKind::Pool {
        return Err(UseCaseError::NotFound);
    }
    Ok(row)
}

/// The pool, revalued as of the business date when it is funded.
pub fn find(ctx: &mut Context<'_>, id: Uuid) -> Result<Request, UseCaseError> {
    let mut pool = pool_for(ctx, id)?;
    let state: FactoringState = stored_state(&pool.state)?;
    let ids = if state == FactoringState::Funded {
        let on = ctx.today;
        revalue(ctx, &mut pool, on)?
            .into_iter()
            .map(|r| r.id)
            .collect()
    } else {
        requests::linked(ctx.conn, pool.supplier_id, id)?
    };
    Ok((pool, ids))
}

/// A draw asked for on a pool; the amount is parsed in the pool's currency.
#[derive(Debug, Clone)]
pub struct DrawOnPool {
    pub pool_id: Uuid,
    pub amount: String,
}

/// A draw done: what was drawn and charged, and the pool after it.
#[derive(Debug, Clone)]
pub struct PoolDrawn {
    pub amount: Money,
    pub service_fee: Money,
    pub pool: RequestRow,
}

/// Draws on the caller's pool up to its borrowing base, the service fee included.
pub fn draw(ctx: &mut Context<'_>, ask: DrawOnPool) -> Result<PoolDrawn, UseCaseError> {
    let id = ask.pool_id;
    let mut pool = pool_for(ctx, id)?;
    let state: FactoringState = stored_state(&pool.state)?;
    if state != FactoringState::Funded {
        return Err(UseCaseError::refused(
            "invalid_state",
            "the pool is not approved",
            None,
        ));
    }
    let c = stored_currency(&pool.currency)?;
    let amount =
        Money::parse_positive(&ask.amount, c).map_err(|e| UseCaseError::invalid("amount", e))?;
    let on = ctx.today;
    let rows = revalue(ctx, &mut pool, on)?;
    let fee = service_fee(ctx, &rows, amount)?;
    let owed = amount
        .checked_add(fee)
        .map_err(|e| UseCaseError::corrupt("draw amount", e))?;
    let available = pool.borrowing_base - pool.drawn_outstanding;
    if owed.amount() > available {
        return Err(UseCaseError::refused(
            "exceeds_borrowing_base",
            format!(
                "the draw and its fee exceed what the base has available ({})",
                shown(available, c)
            ),
            Some("amount"),
        ));
    }
    pool.drawn_outstanding += owed.amount();
    pool.fees_total += fee.amount();
    requests::save(ctx.conn, &pool)?;
    post(
        ctx,
        pool.supplier_id,
        scf_postings::pool_draw(&id.to_string(), amount, fee, on),
    )?;
    record(
        ctx,
        &Chain::of(pool.supplier_id, "factoring", id),
        "factoring.pool_draw",
        &serde_json::json!({"pool_id": id, "amount": shown(amount.amount(), c),
            "service_fee": shown(fee.amount(), c),
            "drawn_outstanding": shown(pool.drawn_outstanding, c),
            "borrowing_base": shown(pool.borrowing_base, c)}),
    )?;
    Ok(PoolDrawn {
        amount,
        service_fee: fee,
        pool,
    })
}

/// The highest service fee rate among the pool's programs, applied to the draw.
fn service_fee(
    ctx: &mut Context<'_>,
    rows: &[ReceivableRow],
    amount: Money,
) -> Result<Money, UseCaseError> {
    let mut rate = Decimal::ZERO;
    let mut seen = BTreeSet::new();
    for r in rows {
        if seen.insert(r.program_id) {
            rate = rate.max(programs::find(ctx.conn, r.program_id)?.service_fee_rate);
        }
    }
    Ok(amount
        .checked_mul_rate(rate)
        .map_err(|e| UseCaseError::corrupt("service fee", e))?
        .round(RoundingMode::HalfUp))
}
