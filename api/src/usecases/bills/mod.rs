//! Commercial acceptance bills: registration by the drawer (in the same duplicate-proof
//! registry as receivables), acceptance, the endorsement chain, discounting by the platform
//! (decided by the scoring engine on the acceptor, a referral closed by a risk officer), and
//! the end at maturity: paid, or dishonoured with recourse on everyone who signed.
//!
//! Every change is recorded on the bill's audit chain (`bill:<id>`). This module holds what
//! the steps share; the steps use it and never each other, except the referral, which buys
//! the bill as a discount does.

pub mod discount;
pub mod lifecycle;
pub mod maturity;
pub mod referral;

use persistence::scf::bills::{self, BillRow, EndorsementRow};
use uuid::Uuid;

use crate::usecases::{Actor, Context, UseCaseError};

/// A bill with its endorsement chain, oldest first.
pub type Bill = (BillRow, Vec<EndorsementRow>);

/// Everyone who has been party to the bill may see it; anyone else is told it does not exist.
pub fn visible(actor: &Actor, b: &BillRow, chain: &[EndorsementRow]) -> bool {
    let mut parties = vec![b.drawer_id, b.acceptor_id, b.payee_id];
    parties.extend(b.holder_id);
    parties.extend(chain.iter().flat_map(|e| [e.from_party_id, e.to_party_id]));
    actor.can_see(&parties)
}

/// Loads and locks a bill the caller may see, with its endorsement chain.
pub fn load(ctx: &mut Context<'_>, id: Uuid) -> Result<Bill, UseCaseError> {
    let acceptor = bills::owner(ctx.conn, id)?;
    let bill = bills::lock(ctx.conn, acceptor, id)?;
    let chain = bills::endorsements(ctx.conn, acceptor, id)?;
    if !visible(ctx.actor, &bill, &chain) {
        return Err(UseCaseError::NotFound);
    }
    Ok((bill, chain))
}

/// The holder, when the caller is it; `what` names the act refused otherwise.
pub fn holder(ctx: &Context<'_>, bill: &BillRow, what: &str) -> Result<Uuid, UseCaseError> {
    bill.holder_id
        .filter(|h| ctx.actor.party == Some(*h))
        .ok_or_else(|| {
            UseCaseError::refused(
                "not_the_holder",
                format!("only the current holder may {what} the bill"),
                None,
            )
        })
}

/// Refuses a change to a bill whose discount waits for a risk officer.
pub fn ensure_not_under_review(ctx: &mut Context<'_>, bill: &BillRow) -> Result<(), UseCaseError> {
    if bills::waiting_referral(ctx.conn, bill.acceptor_id, bill.id)?.is_some() {
        return Err(UseCaseError::Conflict {
            code: "discount_under_review",
            message: "the bill's discount waits for a risk officer's decision".into(),
            field: None,
        });
    }
    Ok(())
}
