//! A bill from its registration by the drawer to its acceptance, and the endorsement chain
//! (only the current holder endorses; never before acceptance, after discount or at maturity).

use chrono::NaiveDate;
use domain::calendar::add_months_clamped;
use domain::identifier::Identifier;
use domain::money::Money;
use domain::receivable_fingerprint::{bill_fingerprint, PaperKind};
use domain::scf_state::{BillMedium, BillState};
use persistence::audit::Chain;
use persistence::parties;
use persistence::scf::bills::{self, BillRow, EndorsementRow};
use uuid::Uuid;

use super::{ensure_not_under_review, holder, load, visible, Bill};
use crate::usecases::scf::{record, registry, shown, stored_state, transition_refused};
use crate::usecases::{Context, UseCaseError};

/// A bill to register: its maturity after its issue and within its medium's tenor limit.
#[derive(Debug, Clone)]
pub struct RegisterBill {
    bill_number: Identifier,
    acceptor_id: Uuid,
    payee_id: Uuid,
    face: Money,
    issue_date: NaiveDate,
    maturity_date: NaiveDate,
    medium: BillMedium,
}

impl RegisterBill {
    pub fn new(
        bill_number: Identifier,
        (acceptor_id, payee_id): (Uuid, Uuid),
        face: Money,
        (issue_date, maturity_date): (NaiveDate, NaiveDate),
        medium: BillMedium,
    ) -> Result<RegisterBill, UseCaseError> {
        let latest = add_months_clamped(issue_date, medium.max_tenor_months());
        if maturity_date <= issue_date || latest.is_none_or(|l| maturity_date > l) {
            return Err(UseCaseError::invalid(
                "maturity_date",
                "maturity must fall after issue and within the tenor limit",
            ));
        }
        Ok(RegisterBill {
            bill_number,
            acceptor_id,
            payee_id,
            face,
            issue_date,
            maturity_date,
            medium,
        })
    }
}

/// Registers a bill drawn by the caller (a supplier); the payee holds it.
pub fn register(ctx: &mut Context<'_>, new: RegisterBill) -> Result<Bill, UseCaseError> {
    let drawer = ctx.actor.party.ok_or(UseCaseError::Forbidden)?;
    parties::find(ctx.conn, drawer)?;
    let acceptor = parties::find(ctx.conn, new.acceptor_id)
        .ok()
        .filter(|a| a.party.kind == "core_enterprise")
        .ok_or_else(|| UseCaseError::invalid("acceptor_id", "no such core enterprise"))?;
    parties::find(ctx.conn, new.payee_id)
        .map_err(|_| UseCaseError::invalid("payee_id", "no such party"))?;
    // A bill is its acceptor and its number: a second drawer cannot register it again.
    let number = new.bill_number.text();
    let print = bill_fingerprint(&acceptor.party.registration_number, number);
    let id = Uuid::now_v7();
    registry::register(ctx, &print, PaperKind::Bill, id)?;
    let c = new.face.currency();
    let row = BillRow {
        id,
        bill_number: number.to_string(),
        drawer_id: drawer,
        acceptor_id: new.acceptor_id,
        payee_id: new.payee_id,
        holder_id: Some(new.payee_id),
        face_value: new.face.amount(),
        currency: c.code().into(),
        issue_date: new.issue_date,
        maturity_date: new.maturity_date,
        medium: new.medium.as_str().into(),
        fingerprint: print,
        state: BillState::Registered.as_str().into(),
        discount_interest: None,
        decision: None,
        created_at: ctx.now,
    };
    bills::insert(ctx.conn, &row)?;
    let event = serde_json::json!({"id": id, "bill_number": row.bill_number,
        "drawer_id": drawer, "acceptor_id": row.acceptor_id, "payee_id": row.payee_id,
        "holder_id": row.holder_id, "face_value": shown(row.face_value, c),
        "currency": row.currency, "issue_date": row.issue_date,
        "maturity_date": row.maturity_date, "medium": row.medium,
        "fingerprint": row.fingerprint, "state": row.state, "discount_interest": null,
        "endorsements": [], "decision": null, "created_at": row.created_at});
    record(
        ctx,
        &Chain::of(row.acceptor_id, "bill", id),
        "bill.registered",
        &event,
    )?;
    Ok((row, Vec::new()))
}

/// A bill the caller has been party to.
pub fn find(ctx: &mut Context<'_>, id: Uuid) -> Result<Bill, UseCaseError> {
    let bill = bills::find(ctx.conn, id)?;
    let chain = bills::endorsements(ctx.conn, bill.acceptor_id, id)?;
    if !visible(ctx.actor, &bill, &chain) {
        return Err(UseCaseError::NotFound);
    }
    Ok((bill, chain))
}

/// The acceptor (the caller) accepts the bill.
pub fn accept(ctx: &mut Context<'_>, id: Uuid) -> Result<Bill, UseCaseError> {
    let acceptor = bills::owner(ctx.conn, id)?;
    let mut bill = bills::lock(ctx.conn, acceptor, id)?;
    if !ctx.actor.can_see(&[bill.acceptor_id]) {
        return Err(UseCaseError::NotFound);
    }
    let from: BillState = stored_state(&bill.state)?;
    bill.state = from
        .transition(BillState::Accepted)
        .map_err(transition_refused)?
        .as_str()
        .into();
    bills::save(ctx.conn, &bill)?;
    record(
        ctx,
        &Chain::of(bill.acceptor_id, "bill", id),
        "bill.accepted",
        &serde_json::json!({}),
    )?;
    let chain = bills::endorsements(ctx.conn, bill.acceptor_id, id)?;
    Ok((bill, chain))
}

/// The current holder (the caller) endorses the bill to another party.
pub fn endorse(ctx: &mut Context<'_>, id: Uuid, to: Uuid) -> Result<Bill, UseCaseError> {
    let (mut bill, chain) = load(ctx, id)?;
    let holder = holder(ctx, &bill, "endorse")?;
    ensure_not_under_review(ctx, &bill)?;
    let state: BillState = stored_state(&bill.state)?;
    // Until the acceptor has accepted, nobody is bound to pay the bill: passing it on would
    // sell a promise nobody made.
    if state == BillState::Registered {
        return Err(UseCaseError::refused(
            "bill_not_accepted",
            "a bill can be endorsed only once its acceptor has accepted it",
            None,
        ));
    }
    if state != BillState::Accepted || ctx.today >= bill.maturity_date {
        return Err(UseCaseError::refused(
            "endorsement_closed",
            "no endorsement after discount or maturity",
            None,
        ));
    }
    if to == holder {
        return Err(UseCaseError::invalid(
            "to_party_id",
            "a holder cannot endorse to itself",
        ));
    }
    parties::find(ctx.conn, to)
        .map_err(|_| UseCaseError::invalid("to_party_id", "no such party"))?;
    let seq = i32::try_from(chain.len() + 1)
        .map_err(|e| UseCaseError::corrupt("endorsement chain", e))?;
    let row = EndorsementRow {
        bill_id: id,
        acceptor_id: bill.acceptor_id,
        seq,
        from_party_id: holder,
        to_party_id: to,
        endorsed_at: ctx.now,
    };
    bills::add_endorsement(ctx.conn, &row)?;
    bill.holder_id = Some(to);
    bills::save(ctx.conn, &bill)?;
    record(
        ctx,
        &Chain::of(bill.acceptor_id, "bill", id),
        "bill.endorsed",
        &serde_json::json!({"seq": seq, "from": holder, "to": to}),
    )?;
    let chain = bills::endorsements(ctx.conn, bill.acceptor_id, id)?;
    Ok((bill, chain))
}
