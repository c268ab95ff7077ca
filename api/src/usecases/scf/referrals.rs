//! What a risk officer's final decision does to a referred factoring request (the review
//! queue calls [`factoring_closed`] in the review's transaction; a referred bill discount is
//! `usecases::bills::referral::bill_closed`).
//!
//! An approval funds the request as of the business date on which the officer approves:
//! eligibility and limits are checked again under the same locks as a new request, and the
//! price runs to the due date from that day. If the request can no longer be financed (past
//! due, a limit used up meanwhile) the approval is refused with the reason and the officer
//! declines instead. Either way the supplier is told.

use domain::review::ReviewStatus;
use domain::scf_state::{FactoringState, RequestKind};
use persistence::audit::Chain;
use persistence::reviews::ReviewRow;
use persistence::scf::factoring::{self as requests, RequestRow};
use uuid::Uuid;

use super::eligibility::{self, Locked};
use super::{funding, record, shown, stored_currency, stored_state, transition_refused};
use crate::mail;
use crate::usecases::{Context, UseCaseError};

/// The stored engine decision with the officer's outcome added (never the officer's identity
/// or private note: suppliers read this).
pub fn with_review(decision: &str, review: &ReviewRow) -> Result<String, UseCaseError> {
    let mut value: serde_json::Value =
        serde_json::from_str(decision).map_err(|e| UseCaseError::corrupt("stored decision", e))?;
    value["review"] = serde_json::json!({
        "review_id": review.id,
        "outcome": review.outcome,
        "reason_code": review.reason_code,
    });
    Ok(value.to_string())
}

/// Whether the officers' final decision approves.
pub fn approved(review: &ReviewRow) -> bool {
    ReviewStatus::parse(&review.status) == Some(ReviewStatus::Approved)
}

/// Locks what an approved request funds, as a new request would; `None` when declined.
fn lock_for_funding(
    ctx: &mut Context<'_>,
    review: &ReviewRow,
    supplier: Uuid,
) -> Result<Option<Locked>, UseCaseError> {
    if !approved(review) {
        return Ok(None);
    }
    let ids = requests::linked(ctx.conn, supplier, review.subject_id)?;
    if ids.is_empty() {
        // Referred before requests kept what they asked for: nothing to fund.
        return Err(UseCaseError::refused(
            "nothing_to_fund",
            "this request does not record its receivables; decline it and resubmit",
            None,
        ));
    }
    let locked = eligibility::lock_and_check(ctx.conn, supplier, &ids, ctx.today)?;
    Ok(Some(locked))
}

/// Funds or declines the referred factoring request behind `review`.
pub fn factoring_closed(ctx: &mut Context<'_>, review: &ReviewRow) -> Result<(), UseCaseError> {
    let id = review.subject_id;
    let referred = requests::find(ctx.conn, id)?;
    let from: FactoringState = stored_state(&referred.state)?;
    if from != FactoringState::Referred {
        return Err(UseCaseError::corrupt(
            "factoring request",
            "a reviewed factoring request is not referred",
        ));
    }
    requests::release_pending(ctx.conn, referred.supplier_id, id)?;
    // The house lock order: receivables, programs and memberships, then the request.
    let mut locked = lock_for_funding(ctx, review, referred.supplier_id)?;
    let mut row = requests::lock(ctx.conn, referred.supplier_id, id)?;
    match locked.as_mut() {
        Some(locked) => fund(ctx, locked, &mut row)?,
        None => {
            row.state = from
                .transition(FactoringState::Declined)
                .map_err(transition_refused)?
                .as_str()
                .into();
        }
    }
    row.decision = with_review(&row.decision, review)?;
    row.updated_at = ctx.now;
    requests::save(ctx.conn, &row)?;
    tell(ctx, review, &row)
}

/// Prices the request as of the approval, on its programs' terms, and funds it.
fn fund(
    ctx: &mut Context<'_>,
    locked: &mut Locked,
    row: &mut RequestRow,
) -> Result<(), UseCaseError> {
    FactoringState::Referred
        .transition(FactoringState::Funded)
        .map_err(transition_refused)?;
    requests::set_terms(
        ctx.conn,
        row.supplier_id,
        row.id,
        &funding::terms_of(locked)?,
    )?;
    let on = ctx.today;
    match stored_state(&row.kind)? {
        RequestKind::Single => {
            let (r, program) = funding::single_of(locked)?;
            let q = funding::quote(&r, &program, stored_currency(&row.currency)?, on)?;
            funding::price_single(row, &program, &q);
            funding::fund_single(ctx, locked, row, &q, on)
        }
        RequestKind::Pool => {
            funding::price_pool(row, locked, on)?;
            funding::fund_pool(ctx, locked, row)
        }
    }
}

/// Records the officers' decision on the request's chain and tells the supplier.
fn tell(ctx: &mut Context<'_>, review: &ReviewRow, row: &RequestRow) -> Result<(), UseCaseError> {
    let id = row.id;
    let payload = serde_json::json!({"review_id": review.id, "reason_code": review.reason_code,
        "advance_total": row.advance_total, "fees_total": row.fees_total,
        "borrowing_base": row.borrowing_base});
    record(
        ctx,
        &Chain::of(row.supplier_id, "factoring", id),
        &format!("factoring.{}_on_review", row.state),
        &payload,
    )?;
    let advance = shown(row.advance_total, stored_currency(&row.currency)?);
    mail::notify(
        ctx,
        row.supplier_id,
        "factoring_reviewed",
        format!("Your factoring request was {}", row.state),
        vec![
            format!("Factoring request {id} was {} on review.", row.state),
            format!("Advance: {advance} {}", row.currency),
        ],
    )?;
    Ok(())
}
