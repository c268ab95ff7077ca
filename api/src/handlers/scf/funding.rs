//! Pricing and funding an approved factoring request, shared by the engine's immediate approval
//! and a risk officer's approval of a referred request. Both run on receivables locked and
//! checked by `eligibility::lock_and_check` in the same transaction.

use std::collections::BTreeMap;

use chrono::{NaiveDate, SubsecRound, Utc};
use diesel::PgConnection;
use domain::factoring::{factoring_quote, FactoringInput, FactoringQuote, FactoringTerms};
use domain::money::Currency;
use domain::scf_postings;
use domain::scf_state::ReceivableState;
use persistence::scf::factoring::{LinkTerms, RequestRow};
use persistence::scf::programs::ProgramRow;
use persistence::scf::receivables::{self, ReceivableRow};
use persistence::scf::registry;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::eligibility::{self, Locked};
use super::{money, notice, pools, post, record, stored_currency, stored_rate};
use crate::error::ApiError;

pub fn terms(program: &ProgramRow) -> Result<FactoringTerms, ApiError> {
    Ok(FactoringTerms {
        advance_rate: stored_rate(program.advance_rate)?,
        discount_rate: stored_rate(program.discount_rate_annual)?,
        service_fee_rate: stored_rate(program.service_fee_rate)?,
        basis_days: 360,
    })
}

/// The single receivable of a locked request and its program.
pub fn single_of(locked: &Locked) -> Result<(ReceivableRow, ProgramRow), ApiError> {
    let r = locked
        .receivables
        .first()
        .cloned()
        .ok_or(ApiError::NotFound)?;
    let program = locked
        .programs
        .get(&r.program_id)
        .cloned()
        .ok_or_else(|| ApiError::internal("program not locked"))?;
    Ok((r, program))
}

/// Prices a single invoice financed on `on`.
pub fn quote(
    r: &ReceivableRow,
    program: &ProgramRow,
    c: Currency,
    on: NaiveDate,
) -> Result<FactoringQuote, ApiError> {
    let face = money(r.amount, c);
    let q = factoring_quote(&FactoringInput {
        face,
        eligible: face,
        purchase_date: on,
        due_date: r.due_date,
        terms: terms(program)?,
    })
    .map_err(|e| ApiError::unprocessable("pricing_refused", e.to_string(), None))?;
    let fees = q.discount_fee.amount() + q.service_fee.amount();
    if fees > q.reserve.amount() {
        return Err(ApiError::unprocessable(
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
pub fn price_pool(row: &mut RequestRow, locked: &Locked, on: NaiveDate) -> Result<(), ApiError> {
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
    let terms = pools::PoolTerms::of_programs(&locked.receivables, &locked.programs);
    row.borrowing_base = pools::base_of(row, &locked.receivables, &terms, on)?.amount();
    row.advance_total = row.borrowing_base;
    Ok(())
}

/// The terms each receivable of a request is financed on: its program's.
pub fn terms_of(locked: &Locked) -> Result<Vec<LinkTerms>, ApiError> {
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
                .ok_or_else(|| ApiError::internal("program not locked"))
        })
        .collect()
}

/// Funds a priced single invoice: limits, the receivable financed, the advance paid out.
pub fn fund_single(
    conn: &mut PgConnection,
    locked: &mut Locked,
    row: &mut RequestRow,
    q: &FactoringQuote,
    on: NaiveDate,
    actor: &str,
) -> Result<(), ApiError> {
    let (r, _) = single_of(locked)?;
    eligibility::reserve_limits(
        conn,
        locked,
        &BTreeMap::from([(r.program_id, q.advance.amount())]),
    )?;
    mark_financed(conn, &mut locked.receivables, row.id, actor)?;
    post(
        conn,
        scf_postings::invoice_funding(&row.id.to_string(), &row.supplier_id.to_string(), q, on),
    )?;
    row.state = "funded".into();
    Ok(())
}

/// Opens a priced pool for draws. Each receivable counts against the limits at its full
/// advance at its own rate, ignoring concentration: the exposure is overstated rather than
/// understated.
pub fn fund_pool(
    conn: &mut PgConnection,
    locked: &mut Locked,
    row: &mut RequestRow,
    actor: &str,
) -> Result<(), ApiError> {
    let c = stored_currency(&row.currency)?;
    // At the rates recorded on the request: what settlement will release.
    let terms = pools::PoolTerms::load(conn, row.id, &locked.receivables)?;
    let mut exposure: BTreeMap<Uuid, Decimal> = BTreeMap::new();
    for r in &locked.receivables {
        *exposure.entry(r.program_id).or_default() += pools::exposure_of(r, terms.rate_of(r)?, c);
    }
    eligibility::reserve_limits(conn, locked, &exposure)?;
    mark_financed(conn, &mut locked.receivables, row.id, actor)?;
    row.state = "funded".into();
    Ok(())
}

/// Marks the receivables financed by `request` and tells the registry they are encumbered.
fn mark_financed(
    conn: &mut PgConnection,
    rows: &mut [ReceivableRow],
    request: Uuid,
    actor: &str,
) -> Result<(), ApiError> {
    for r in rows.iter_mut() {
        let from: ReceivableState = super::stored_state(&r.state)?;
        from.transition(ReceivableState::Financed)
            .map_err(super::transition_refused)?;
        r.state = ReceivableState::Financed.as_str().into();
        r.factoring_request_id = Some(request);
        r.updated_at = Utc::now().trunc_subsecs(6);
        receivables::save(conn, r)?;
        registry::set_encumbered(conn, r.id, true)?;
        record(
            conn,
            &format!("receivable:{}", r.id),
            actor,
            "receivable.financed",
            &serde_json::json!({"factoring_request_id": request, "from": from.as_str()}),
        )?;
        notice::assignment(conn, r, request, actor)?;
    }
    Ok(())
}
