//! What a risk officer's final decision does to a referred bill discount: an approval buys the
//! bill as of the business date on which the officer approves; a decline leaves it with its
//! holder. Either way the holder is told. The review queue calls [`bill_closed`] in the
//! review's transaction.

use domain::scf_state::ReferralState;
use persistence::audit::Chain;
use persistence::reviews::ReviewRow;
use persistence::scf::bills;

use super::discount::{execute, price};
use crate::mail;
use crate::usecases::scf::referrals::{approved, with_review};
use crate::usecases::scf::{record, stored_state, transition_refused};
use crate::usecases::{Context, UseCaseError};

/// Buys or leaves the bill behind a referred discount.
pub fn bill_closed(ctx: &mut Context<'_>, review: &ReviewRow) -> Result<(), UseCaseError> {
    let acceptor = bills::referral_owner(ctx.conn, review.subject_id)?;
    let mut referral = bills::lock_referral(ctx.conn, acceptor, review.subject_id)?;
    let from: ReferralState = stored_state(&referral.state)?;
    if from != ReferralState::Referred {
        return Err(UseCaseError::corrupt(
            "bill referral",
            "a reviewed bill discount is not referred",
        ));
    }
    let mut bill = bills::lock(ctx.conn, referral.acceptor_id, referral.bill_id)?;
    let approved = approved(review);
    let mut payload = serde_json::json!({"review_id": review.id, "reason_code": review.reason_code,
        "seller": referral.holder_id});
    if approved {
        // Endorsement and another discount are refused while the referral waits, so the
        // holder who asked is still the holder; checked anyway, as money follows it.
        if bill.holder_id != Some(referral.holder_id) {
            return Err(UseCaseError::corrupt(
                "bill referral",
                "the bill changed hands under review",
            ));
        }
        let on = ctx.today;
        let quote = price(ctx.conn, &bill, on)?;
        execute(ctx, &mut bill, &quote, on)?;
        payload["days"] = quote.days.into();
        payload["discount_interest"] = serde_json::json!(quote.discount_interest);
        payload["proceeds"] = serde_json::json!(quote.proceeds);
    }
    let to = if approved {
        ReferralState::Approved
    } else {
        ReferralState::Declined
    };
    referral.state = from
        .transition(to)
        .map_err(transition_refused)?
        .as_str()
        .into();
    referral.decided_at = Some(ctx.now);
    referral.decision = with_review(&referral.decision, review)?;
    bills::save_referral(ctx.conn, &referral)?;
    bill.decision = Some(referral.decision.clone());
    bills::save(ctx.conn, &bill)?;
    record(
        ctx,
        &Chain::of(bill.acceptor_id, "bill", bill.id),
        &format!("bill.discount_{to}_on_review"),
        &payload,
    )?;
    mail::notify(
        ctx,
        referral.holder_id,
        "bill_discount_reviewed",
        format!("Your bill discount was {to}"),
        vec![format!(
            "The discount of bill {} was {to} on review.",
            bill.bill_number
        )],
    )?;
    Ok(())
}
