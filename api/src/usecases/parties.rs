//! Parties: onboarding merchants, suppliers, core enterprises and shoppers, and reading them.

use persistence::audit::Chain;
use persistence::parties::{self, PartyFilter, PartyRecord, PartyRow};
use serde_json::json;
use uuid::Uuid;

use crate::mail::{self, Template};
use crate::usecases::figures::stored_amount;
use crate::usecases::{dates, Context, UseCaseError};

/// Onboards a party: stored, audited, and welcomed by email, together. The record arrives
/// parsed (every field valid on its own); what needs the business date is checked here.
pub fn onboard(
    ctx: &mut Context<'_>,
    mut record: PartyRecord,
) -> Result<PartyRecord, UseCaseError> {
    dates::not_after_today("onboarded_on", record.party.onboarded_on, ctx.today)?;
    if let Some(opened) = record.party.store_opened_on {
        dates::not_after_today("store_opened_on", opened, ctx.today)?;
    }
    record.party.created_at = ctx.now;
    parties::insert(ctx.conn, &record)?;
    let p = &record.party;
    ctx.audit(
        &Chain::of(p.id, "party", p.id),
        "party.onboarded",
        &onboarded_event(&record),
    );
    let welcome = Template::Welcome {
        party_name: p.name.clone(),
        party_kind: p.kind.clone(),
    };
    mail::enqueue_in(ctx, p.id, &welcome)?;
    Ok(record)
}

/// What the audit trail keeps of an onboarding: the party as it was stored.
fn onboarded_event(record: &PartyRecord) -> serde_json::Value {
    let p = &record.party;
    let sales: Vec<_> = record
        .monthly_sales
        .iter()
        .map(|m| {
            json!({"month": m.month.format("%Y-%m").to_string(),
                        "amount": stored_amount(m.amount, &p.currency)})
        })
        .collect();
    json!({"id": p.id, "kind": p.kind, "name": p.name,
        "registration_number": p.registration_number, "country": p.country,
        "sector": p.sector, "onboarded_on": p.onboarded_on, "contact_email": p.contact_email,
        "currency": p.currency, "store_opened_on": p.store_opened_on,
        "returns_rate": p.returns_rate.map(|r| r.normalize()), "monthly_sales": sales,
        "created_at": p.created_at})
}

/// One party: staff see any, a party only itself.
pub fn find(ctx: &mut Context<'_>, id: Uuid) -> Result<PartyRecord, UseCaseError> {
    if !ctx.actor.can_see(&[id]) {
        return Err(UseCaseError::NotFound);
    }
    Ok(parties::find(ctx.conn, id)?)
}

/// A page of parties (staff only, by the route table).
pub fn list(ctx: &mut Context<'_>, filter: PartyFilter) -> Result<Vec<PartyRow>, UseCaseError> {
    Ok(parties::list(ctx.conn, &filter)?)
}
