//! A discounted bill at maturity: the acceptor pays it, or dishonours it and the platform gains
//! recourse against the drawer, every endorser and the seller who discounted it (see
//! `domain::bill_recourse`).

use chrono::NaiveDate;
use domain::bill_recourse::{recourse_parties, Endorsement};
use domain::money::Money;
use domain::scf_postings;
use domain::scf_state::BillState;
use persistence::audit::Chain;
use persistence::scf::bills::{self, ClaimRow, EndorsementRow};
use persistence::scf::registry;
use uuid::Uuid;

use super::{load, Bill};
use crate::usecases::scf::{
    business_date, money, post, record, stored_currency, stored_state, transition_refused,
};
use crate::usecases::{Context, UseCaseError};

/// How a discounted bill ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Paid,
    Dishonoured,
}

impl End {
    fn state(self) -> BillState {
        match self {
            End::Paid => BillState::Paid,
            End::Dishonoured => BillState::Dishonoured,
        }
    }
}

/// A bill's end recorded on a business date (the platform's when absent), on or after its
/// maturity.
#[derive(Debug, Clone)]
pub struct AtMaturity {
    pub bill_id: Uuid,
    pub end: End,
    pub business_date: Option<NaiveDate>,
}

/// Records the acceptor's payment or dishonour of a discounted bill.
pub fn at_maturity(ctx: &mut Context<'_>, ask: AtMaturity) -> Result<Bill, UseCaseError> {
    let on = business_date(ctx.today, ask.business_date, "business_date")?;
    let (id, to) = (ask.bill_id, ask.end.state());
    let (mut bill, chain) = load(ctx, id)?;
    let from: BillState = stored_state(&bill.state)?;
    from.transition(to).map_err(transition_refused)?;
    if on < bill.maturity_date {
        return Err(UseCaseError::refused(
            "not_matured",
            "the bill is not yet at maturity",
            Some("business_date"),
        ));
    }
    let face = money(bill.face_value, stored_currency(&bill.currency)?);
    match ask.end {
        End::Paid => {
            post(
                ctx,
                bill.acceptor_id,
                scf_postings::bill_payment(&id.to_string(), face, on),
            )?;
        }
        End::Dishonoured => {
            post(
                ctx,
                bill.acceptor_id,
                scf_postings::bill_dishonour(&id.to_string(), face, on),
            )?;
            claim_recourse(
                ctx,
                (id, bill.drawer_id, bill.payee_id, bill.acceptor_id),
                &chain,
                face,
            )?;
        }
    }
    bill.state = to.as_str().into();
    bills::save(ctx.conn, &bill)?;
    registry::set_encumbered(ctx.conn, id, false)?;
    record(
        ctx,
        &Chain::of(bill.acceptor_id, "bill", id),
        &format!("bill.{to}"),
        &serde_json::json!({"business_date": on}),
    )?;
    Ok((bill, chain))
}

/// Drawer, every endorser and the seller who discounted the bill are jointly liable for the
/// face.
fn claim_recourse(
    ctx: &mut Context<'_>,
    (id, drawer, payee, acceptor): (Uuid, Uuid, Uuid, Uuid),
    chain: &[EndorsementRow],
    face: Money,
) -> Result<(), UseCaseError> {
    let transfers: Vec<Endorsement<Uuid>> = chain
        .iter()
        .map(|e| Endorsement {
            from: e.from_party_id,
            to: e.to_party_id,
        })
        .collect();
    let claims: Vec<ClaimRow> = recourse_parties(drawer, payee, &transfers)
        .into_iter()
        .map(|(party_id, role)| ClaimRow {
            bill_id: id,
            acceptor_id: acceptor,
            party_id,
            role: role.as_str().into(),
            amount: face.amount(),
            created_at: ctx.now,
        })
        .collect();
    bills::add_claims(ctx.conn, &claims)?;
    let event: Vec<_> = claims
        .iter()
        .map(|c| serde_json::json!({"party": c.party_id, "role": c.role}))
        .collect();
    record(
        ctx,
        &Chain::of(acceptor, "bill", id),
        "bill.recourse_claims",
        &event,
    )
}
