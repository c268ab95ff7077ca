//! What a risk officer's decision does to a referred factoring request or bill discount.
//!
//! An approval funds the request (or buys the bill) as of the business date on which the
//! officer approves: eligibility and limits are checked again under the same locks as a new
//! request, and the price runs to the due date from that day. If the subject can no longer be
//! financed (past due, a limit used up meanwhile) the approval is refused with the reason and
//! the officer declines instead. Either way the supplier is told.

use chrono::{SubsecRound, Utc};
use diesel::PgConnection;
use persistence::reviews::ReviewRow;
use persistence::scf::bills;
use persistence::scf::factoring as requests;

use super::{bill_discount, eligibility, funding, record, stored_currency, today};
use crate::error::ApiError;
use crate::mail;

/// The stored engine decision with the officer's outcome added (never the officer's identity
/// or private note: suppliers read this).
fn with_review(decision: &str, review: &ReviewRow) -> Result<String, ApiError> {
    let mut value: serde_json::Value =
        serde_json::from_str(decision).map_err(ApiError::internal)?;
    value["review"] = serde_json::json!({
        "review_id": review.id,
        "outcome": review.outcome,
        "reason_code": review.reason_code,
    });
    Ok(value.to_string())
}

/// Funds or declines the referred factoring request behind `review`.
pub fn factoring_closed(
    conn: &mut PgConnection,
    review: &ReviewRow,
    actor: &str,
) -> Result<(), ApiError> {
    let id = review.subject_id;
    let referred = requests::find(conn, id)?;
    if referred.state != "referred" {
        return Err(ApiError::internal(
            "a reviewed factoring request is not referred",
        ));
    }
    requests::release_pending(conn, id)?;
    let approved = review.status == "approved";
    // The house lock order: receivables, programs and memberships, then the request.
    let mut locked = if approved {
        let on = today(conn)?;
        let ids = requests::linked(conn, id)?;
        if ids.is_empty() {
            // Referred before requests kept what they asked for: nothing to fund.
            return Err(ApiError::unprocessable(
                "nothing_to_fund",
                "this request does not record its receivables; decline it and resubmit",
                None,
            ));
        }
        Some((
            eligibility::lock_and_check(conn, referred.supplier_id, &ids, on)?,
            on,
        ))
    } else {
        None
    };
    let mut row = requests::lock(conn, id)?;
    if let Some((locked, _)) = locked.as_ref() {
        // Priced as of the approval, on the programs' terms.
        requests::set_terms(conn, id, &funding::terms_of(locked)?)?;
    }
    match locked.as_mut() {
        Some((locked, on)) if row.kind == "single" => {
            let (r, program) = funding::single_of(locked)?;
            let q = funding::quote(&r, &program, stored_currency(&row.currency)?, *on)?;
            funding::price_single(&mut row, &program, &q);
            funding::fund_single(conn, locked, &mut row, &q, *on, actor)?;
        }
        Some((locked, on)) => {
            funding::price_pool(&mut row, locked, *on)?;
            funding::fund_pool(conn, locked, &mut row, actor)?;
        }
        None => row.state = "declined".into(),
    }
    row.decision = with_review(&row.decision, review)?;
    row.updated_at = Utc::now().trunc_subsecs(6);
    requests::save(conn, &row)?;
    let payload = serde_json::json!({"review_id": review.id, "reason_code": review.reason_code,
        "advance_total": row.advance_total, "fees_total": row.fees_total,
        "borrowing_base": row.borrowing_base});
    record(
        conn,
        &format!("factoring:{id}"),
        actor,
        &format!("factoring.{}_on_review", row.state),
        &payload,
    )?;
    mail::notify(
        conn,
        row.supplier_id,
        "factoring_reviewed",
        format!("Your factoring request was {}", row.state),
        vec![
            format!("Factoring request {id} was {} on review.", row.state),
            format!(
                "Advance: {} {}",
                crate::views::stored_amount(row.advance_total, &row.currency),
                row.currency
            ),
        ],
    )?;
    Ok(())
}

/// Buys or leaves the bill behind a referred discount.
pub fn bill_closed(
    conn: &mut PgConnection,
    review: &ReviewRow,
    actor: &str,
) -> Result<(), ApiError> {
    let mut referral = bills::lock_referral(conn, review.subject_id)?;
    if referral.state != "referred" {
        return Err(ApiError::internal(
            "a reviewed bill discount is not referred",
        ));
    }
    let mut bill = bills::lock(conn, referral.bill_id)?;
    let approved = review.status == "approved";
    let mut payload = serde_json::json!({"review_id": review.id, "reason_code": review.reason_code,
        "seller": referral.holder_id});
    if approved {
        // Endorsement and another discount are refused while the referral waits, so the
        // holder who asked is still the holder; checked anyway, as money follows it.
        if bill.holder_id != Some(referral.holder_id) {
            return Err(ApiError::internal("the bill changed hands under review"));
        }
        let on = today(conn)?;
        let quote = bill_discount::price(conn, &bill, on)?;
        bill_discount::execute(conn, &mut bill, &quote, on)?;
        payload["days"] = quote.days.into();
        payload["discount_interest"] = serde_json::json!(quote.discount_interest);
        payload["proceeds"] = serde_json::json!(quote.proceeds);
    }
    referral.state = if approved { "approved" } else { "declined" }.into();
    referral.decided_at = Some(Utc::now().trunc_subsecs(6));
    referral.decision = with_review(&referral.decision, review)?;
    bills::save_referral(conn, &referral)?;
    bill.decision = Some(referral.decision.clone());
    bills::save(conn, &bill)?;
    record(
        conn,
        &format!("bill:{}", bill.id),
        actor,
        &format!("bill.discount_{}_on_review", referral.state),
        &payload,
    )?;
    mail::notify(
        conn,
        referral.holder_id,
        "bill_discount_reviewed",
        format!("Your bill discount was {}", referral.state),
        vec![format!(
            "The discount of bill {} was {} on review.",
            bill.bill_number, referral.state
        )],
    )?;
    Ok(())
}
