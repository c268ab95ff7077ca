//! A risk officer's assessment of a party on demand, and reading stored decisions.

use credit_scoring::{Inputs, ProductKind};
use domain::money::Currency;
use persistence::parties;
use persistence::RepoError;
use uuid::Uuid;

use super::{
    assess, load_decision, party_inputs, with_overrides, AssessmentRequest, StoredDecision,
};
use crate::usecases::{Context, UseCaseError};

/// Score `party_id` for `product` as of the business date, with `overrides` replacing the
/// inputs the platform holds.
pub struct Assessment {
    pub party_id: Uuid,
    pub product: ProductKind,
    pub overrides: Inputs,
    /// What is decided on; one is made up when the officer gives none.
    pub subject: Option<String>,
}

pub fn assess_party(
    ctx: &mut Context<'_>,
    ask: Assessment,
) -> Result<StoredDecision, UseCaseError> {
    let party = match parties::find(ctx.conn, ask.party_id) {
        Err(RepoError::NotFound) => return Err(UseCaseError::invalid("party_id", "no such party")),
        found => found?,
    };
    let currency = Currency::parse(&party.party.currency)
        .map_err(|e| UseCaseError::corrupt("party currency", e))?;
    let request = AssessmentRequest {
        party_id: ask.party_id,
        product: ask.product,
        subject: ask
            .subject
            .unwrap_or_else(|| format!("assessment:{}", Uuid::now_v7())),
        currency,
        actor: ctx.actor.name.clone(),
        inputs: with_overrides(party_inputs(&party, ctx.today), &ask.overrides),
        decided_at: ctx.now,
    };
    assess(ctx, &request)
}

/// A stored decision: staff see any; the party it concerns sees its own, except shadows
/// (never the party's decision, so they do not exist for it); anyone else gets "not found".
pub fn find_decision(ctx: &mut Context<'_>, id: Uuid) -> Result<StoredDecision, UseCaseError> {
    let stored = load_decision(ctx.conn, id)?;
    let visible = ctx.actor.staff || (!stored.is_shadow() && ctx.actor.can_see(&[stored.party_id]));
    if !visible {
        return Err(UseCaseError::NotFound);
    }
    Ok(stored)
}
