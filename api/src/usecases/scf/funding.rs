//! Pricing and funding an approved factoring request, shared by the engine's immediate approval
//! and a risk officer's approval of a referred request. Both run on receivables locked and
//! checked by `eligibility::lock_and_check` in the same transaction.

use persistence::audit::Chain;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::factoring::{factoring_quote, FactoringInput, FactoringQuote, FactoringTerms};
use domain::money::Currency;
use domain::scf_postings;
use domain::scf_state::{FactoringState, ReceivableState};
use persistence::scf::factoring::{LinkTerms, RequestRow};
use persistence::scf::programs::ProgramRow;
use persistence::scf::receivables::{self, ReceivableRow};
use persistence::scf::registry;
use persistence::RepoError;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::eligibility::{self, Locked};
use super::valuation::{self, PoolTerms};
use super::{money, notice, post, record, stored_currency, stored_rate};
use crate::usecases::{Context, UseCaseError};

pub fn terms(program: &ProgramRow) -> Result<FactoringTerms, UseCaseError> {
    Ok(FactoringTerms {
        advance_rate: stored_rate(program.advance_rate)?,
        discount_rate: stored_rate(program.discount_rate_annual)?,
        service_fee_rate: stored_rate(program.service_fee_rate)?,
        basis_days: 360,
    })
}

/// The single receivable of a locked request and its program.
pub fn single_of(locked: &Locked) -> Result<(ReceivableRow, ProgramRow), UseCaseError> {
    let r = locked
        .receivables
        .first()
        .cloned()
        .ok_or(UseCaseError::NotFound)?;
    let program = locked
        .programs
        .get(&r.program_id)
        .cloned()
        .ok_or_else(|| UseCaseError::corrupt("locked programs", "program not locked"))?;
    Ok((r, program))
}

/// Prices a single invoice financed on `on`.
pub fn quote(
    r: &ReceivableRow,
    program: &ProgramRow,
    c: Currency,
    on: NaiveDate,
) -> Result<FactoringQuote, UseCaseError> {
    let face = money(r.amount, c);
    let q = factoring_quote(&FactoringInput {
        face,
        eligible: face,
        purchase_date: on,
        due_date: r.due_date,
        terms: terms(program)?,
    })
    .map_err(|e| UseCaseError::refused("pricing_refused", e.to_string(), None))?;
    let fees = q.discount_fee.amount() + q.service_fee.amount();
    if fees > q.reserve.amount() {
        return Err(UseCaseError::refused(
            "fees_exceed_reserve",
            "the fees to the due date would exceed the reserve",
            Some("receivable_ids"),
        ));
    }
    Ok(q)
}

/// Fixes a single invoice's price on its request (settlement reads it back from there).
pub fn price_single(row: &mut RequestRow, program: &ProgramRow, q: &FactoringQuote) {
    row.advance_rate = program.advance_rate;
    row.advance_total = q.advance.amount();
    row.fees_total = q.discount_fee.amount() + q.service_fee.amount();
}

/// Prices a pool: each debtor at its own program's advance rate and concentration limit. The
/// request keeps the lowest rate and limit among them, for the record.
pub fn price_pool(
    row: &mut RequestRow,
    locked: &Locked,
    on: NaiveDate,
) -> Result<(), UseCaseError> {
    row.advance_rate = locked
        .programs
        .values()
        .map(|p| p.advance_rate)
        .min()
        .unwrap_or(Decimal::ZERO);
    row.concentration_limit = locked
        .programs
        .values()
        .map(|p| p.concentration_limit)
        .min();
    let terms = PoolTerms::of_programs(&locked.receivables, &locked.programs);
    row.borrowing_base = valuation::base_of(row, &locked.receivables, &terms, on)?.amount();
    row.advance_total = row.borrowing_base;
    Ok(())
}

/// The terms each receivable of a request is financed on: its program's.
pub fn terms_of(locked: &Locked) -> Result<Vec<LinkTerms>, UseCaseError> {
    locked
        .receivables
        .iter()
        .map(|r| {
            locked
                .programs
                .get(&r.program_id)
                .map(|p| LinkTerms {
                    receivable: r.id,
                    advance_rate: p.advance_rate,
                    concentration_limit: Some(p.concentration_limit),
                })
                .ok_or_else(|| UseCaseError::corrupt("locked programs", "program not locked"))
        })
        .collect()
}

/// Funds a priced single invoice: limits, the receivable financed, the advance paid out.
pub fn fund_single(
    ctx: &mut Context<'_>,
    locked: &mut Locked,
    row: &mut RequestRow,
    q: &FactoringQuote,
    on: NaiveDate,
) -> Result<(), UseCaseError> {
    let (r, _) = single_of(locked)?;
    eligibility::reserve_limits(
        ctx,
        locked,
        &BTreeMap::from([(r.program_id, q.advance.amount())]),
    )?;
    mark_financed(ctx, &mut locked.receivables, row.id)?;
    post(
        ctx,
        row.supplier_id,
        scf_postings::invoice_funding(&row.id.to_string(), &row.supplier_id.to_string(), q, on),
    )?;
    row.state = FactoringState::Funded.as_str().into();
    Ok(())
}

/// Opens a priced pool for draws. Each receivable counts against the limits at its full
/// advance at its own rate, ignoring concentration: the exposure is overstated rather than
/// understated.
pub fn fund_pool(
    ctx: &mut Context<'_>,
    locked: &mut Locked,
    row: &mut RequestRow,
) -> Result<(), UseCaseError> {
    let c = stored_currency(&row.currency)?;
    // At the rates recorded on the request: what settlement will release.
    let terms = PoolTerms::load(ctx.conn, row.supplier_id, row.id, &locked.receivables)?;
    let mut exposure: BTreeMap<Uuid, Decimal> = BTreeMap::new();
    for r in &locked.receivables {
        *exposure.entry(r.program_id).or_default() +=
            valuation::exposure_of(r, terms.rate_of(r)?, c);
    }
    eligibility::reserve_limits(ctx, locked, &exposure)?;
    mark_financed(ctx, &mut locked.receivables, row.id)?;
    row.state = FactoringState::Funded.as_str().into();
    Ok(())
}

/// Marks the receivables financed by `request` and tells the registry they are encumbered.
fn mark_financed(
    ctx: &mut Context<'_>,
    rows: &mut [ReceivableRow],
    request: Uuid,
) -> Result<(), UseCaseError> {
    for r in rows.iter_mut() {
        let from: ReceivableState = super::stored_state(&r.state)?;
        from.transition(ReceivableState::Financed)
            .map_err(super::transition_refused)?;
        r.state = ReceivableState::Financed.as_str().into();
        r.factoring_request_id = Some(request);
        r.updated_at = ctx.now;
        // Nothing later in the request reads these rows back (it holds them locked).
        ctx.write_at_close(receivables::state_change(r), || RepoError::NotFound)?;
        ctx.write_at_close(registry::encumbrance(r.id, true), || {
            RepoError::Corrupt("a financed receivable is not in the registry".into())
        })?;
        record(
            ctx,
            &Chain::of(r.supplier_id, "receivable", r.id),
            "receivable.financed",
            &serde_json::json!({"factoring_request_id": request, "from": from.as_str()}),
        )?;
        notice::assignment(ctx, r, request)?;
    }
    Ok(())
}
