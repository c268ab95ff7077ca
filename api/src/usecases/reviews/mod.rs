//! The review queue, for every product that refers cases to a risk officer: listing cases
//! (oldest first), claiming one, deciding it (the officer may lower the amount and raise the
//! rate of a credit line, never the reverse), and confirming another officer's approval above
//! the four-eyes amount. A final decision finishes the case's subject in the same transaction.

use domain::review::{self as rules, Case, ReviewError, ReviewStatus, Terms, TermsError};
use persistence::audit::Chain;
use persistence::parties::PartyRecord;
use persistence::reviews::{self, ReviewFilter, ReviewRow};
use uuid::Uuid;

use crate::usecases::bills::{discount, referral};
use crate::usecases::lending::applications;
use crate::usecases::scf::{factoring, referrals};
use crate::usecases::{Context, UseCaseError};

/// A page of the queue, oldest first, after the case `after` when given.
pub fn list_reviews(
    ctx: &mut Context<'_>,
    mut filter: ReviewFilter,
    after: Option<Uuid>,
) -> Result<Vec<ReviewRow>, UseCaseError> {
    if let Some(id) = after {
        let last = reviews::find(ctx.conn, id)?;
        filter.after = Some((last.created_at, last.id));
    }
    Ok(reviews::list(ctx.conn, &filter)?)
}

/// One case with the applicant's data.
pub fn find_review(
    ctx: &mut Context<'_>,
    id: Uuid,
) -> Result<(ReviewRow, PartyRecord), UseCaseError> {
    let row = reviews::find(ctx.conn, id)?;
    let party = persistence::parties::find(ctx.conn, row.party_id)?;
    Ok((row, party))
}

/// Claims a case: one officer at a time.
pub fn claim(ctx: &mut Context<'_>, id: Uuid) -> Result<ReviewRow, UseCaseError> {
    let now = ctx.now;
    transition(ctx, id, "review.claimed", |row, case, officer| {
        row.status = status(rules::claim(case, officer))?;
        row.claimed_by = Some(officer.to_string());
        row.claimed_at = Some(now);
        Ok(())
    })
}

/// An officer's decision, as sent (already checked at the edge: a decline has a reason code,
/// amounts are positive and rates between 0 and 10).
#[derive(Debug, Clone)]
pub struct DecideCase {
    pub id: Uuid,
    pub approve: bool,
    pub terms: Terms,
    pub reason_code: Option<String>,
    /// Private to staff.
    pub note: Option<String>,
}

/// Decides a claimed case; above the four-eyes amount an approval waits for a second officer.
pub fn decide(ctx: &mut Context<'_>, ask: DecideCase) -> Result<ReviewRow, UseCaseError> {
    let (now, threshold) = (ctx.now, ctx.policy.loans.four_eyes_above);
    let DecideCase {
        id,
        approve,
        terms,
        reason_code,
        note,
    } = ask;
    transition(ctx, id, "review.decided", move |row, case, officer| {
        let prices = row.subject_kind == applications::REVIEW_KIND;
        let engine_rate = applications::engine_rate(row);
        rules::check_terms(terms, row.amount, engine_rate, prices).map_err(terms_refused)?;
        let amount = terms.amount.unwrap_or(row.amount);
        row.status = status(rules::decide(case, officer, approve, amount, threshold))?;
        row.outcome = Some(if approve { "approve" } else { "decline" }.into());
        row.approved_amount = terms.amount.filter(|_| approve);
        row.approved_rate = terms.rate.filter(|_| approve);
        row.reason_code = reason_code;
        // A veto without a note keeps the deciding officer's note.
        row.private_note = note.or(row.private_note.take());
        row.decided_by = Some(officer.to_string());
        row.decided_at = Some(now);
        Ok(())
    })
}

/// Confirms another officer's approval (four eyes); refused with the reason when the subject
/// can no longer be carried out (e.g. a receivable fell due meanwhile).
pub fn confirm(ctx: &mut Context<'_>, id: Uuid) -> Result<ReviewRow, UseCaseError> {
    let now = ctx.now;
    transition(ctx, id, "review.confirmed", |row, case, officer| {
        row.status = status(rules::confirm(case, officer))?;
        row.confirmed_by = Some(officer.to_string());
        row.confirmed_at = Some(now);
        Ok(())
    })
}

/// Applies a rule to the locked case, saves and records it; finishes the subject when the
/// case is final.
fn transition(
    ctx: &mut Context<'_>,
    id: Uuid,
    action: &str,
    change: impl FnOnce(&mut ReviewRow, &Case, &str) -> Result<(), UseCaseError>,
) -> Result<ReviewRow, UseCaseError> {
    let party = reviews::owner(ctx.conn, id)?;
    let mut row = reviews::lock(ctx.conn, party, id)?;
    let case = Case {
        status: stored_status(&row.status)?,
        claimed_by: row.claimed_by.clone(),
        decided_by: row.decided_by.clone(),
    };
    change(&mut row, &case, ctx.actor.person())?;
    reviews::save(ctx.conn, &row)?;
    let payload = serde_json::json!({"status": row.status, "outcome": row.outcome,
        "reason_code": row.reason_code, "approved_amount": row.approved_amount.map(|a| a.to_string()),
        "approved_rate": row.approved_rate.map(|a| a.to_string())});
    ctx.audit(&Chain::of(row.party_id, "review", id), action, &payload);
    let status = stored_status(&row.status)?;
    if matches!(status, ReviewStatus::Approved | ReviewStatus::Declined) {
        finish_subject(ctx, &row)?;
    }
    Ok(row)
}

/// Carries a final decision over to the case's subject, whichever product referred it: opens
/// the credit line, funds the factoring request, buys the bill, or declines it.
fn finish_subject(ctx: &mut Context<'_>, row: &ReviewRow) -> Result<(), UseCaseError> {
    match row.subject_kind.as_str() {
        applications::REVIEW_KIND => applications::on_review_closed(ctx, row),
        factoring::REVIEW_KIND => referrals::factoring_closed(ctx, row),
        discount::REVIEW_KIND => referral::bill_closed(ctx, row),
        kind => Err(UseCaseError::corrupt(
            "review",
            format!("no subject handler for review kind {kind:?}"),
        )),
    }
}

fn stored_status(text: &str) -> Result<ReviewStatus, UseCaseError> {
    ReviewStatus::parse(text)
        .ok_or_else(|| UseCaseError::corrupt("review status", format!("unknown {text:?}")))
}

/// The status a rule moved the case to, as stored.
fn status(moved: Result<ReviewStatus, ReviewError>) -> Result<String, UseCaseError> {
    moved.map(|s| s.as_str().into()).map_err(|e| {
        let code = match e {
            ReviewError::NotPending => "review_not_pending",
            ReviewError::ClaimedByAnother => "claimed_by_another_officer",
            ReviewError::NotClaimed => "review_not_claimed",
            ReviewError::NotAwaitingConfirmation => "review_not_awaiting_confirmation",
            ReviewError::OwnDecision => "own_decision",
        };
        match e {
            ReviewError::OwnDecision => UseCaseError::refused(code, e.to_string(), None),
            ReviewError::NotPending
            | ReviewError::ClaimedByAnother
            | ReviewError::NotClaimed
            | ReviewError::NotAwaitingConfirmation => UseCaseError::Conflict {
                code,
                message: e.to_string(),
                field: None,
            },
        }
    })
}

fn terms_refused(e: TermsError) -> UseCaseError {
    let field = match e {
        TermsError::PricedByProgram | TermsError::AmountRaised => "approved_amount",
        TermsError::RateLowered => "approved_rate",
    };
    UseCaseError::invalid(field, e)
}
