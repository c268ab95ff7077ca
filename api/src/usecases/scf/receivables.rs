//! The receivables registry: suppliers submit invoices (refused with 409 when the same paper is
//! already registered, by anyone), debtors confirm or dispute them, suppliers withdraw them, and
//! each party reads only its own.

use chrono::NaiveDate;
use domain::identifier::Identifier;
use domain::money::{Currency, Money};
use domain::receivable_fingerprint::{receivable_fingerprint, PaperKind, ReceivableKey};
use domain::scf_state::ReceivableState;
use persistence::audit::Chain;
use persistence::parties::{self, PartyRecord};
use persistence::scf::programs::{self, ProgramRow};
use persistence::scf::receivables::{self, ReceivableFilter, ReceivableRow};
use uuid::Uuid;

use super::{record, registry, shown, stored_state, transition_refused};
use crate::usecases::{dates, Context, UseCaseError};

/// An invoice to submit, each field already valid on its own (the number a clean identifier,
/// the due date not before the issue date, the document hash 64 lower-case hex digits).
#[derive(Debug, Clone)]
pub struct SubmitReceivable {
    pub debtor_id: Uuid,
    pub invoice_number: Identifier,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub face: Money,
    pub document_sha256: Option<String>,
}

/// The debtor (a core enterprise) and its program, which must lend in `currency`.
fn debtor_and_program(
    ctx: &mut Context<'_>,
    debtor_id: Uuid,
    currency: Currency,
) -> Result<(PartyRecord, ProgramRow), UseCaseError> {
    let debtor = parties::find(ctx.conn, debtor_id)
        .ok()
        .filter(|d| d.party.kind == "core_enterprise")
        .ok_or_else(|| UseCaseError::invalid("debtor_id", "no such core enterprise"))?;
    let program = programs::find_by_core_enterprise(ctx.conn, debtor_id).map_err(|_| {
        UseCaseError::refused(
            "no_program",
            "the debtor has no factoring program",
            Some("debtor_id"),
        )
    })?;
    if program.currency != currency.code() {
        return Err(UseCaseError::invalid(
            "currency",
            "the debtor's program uses another currency",
        ));
    }
    Ok((debtor, program))
}

/// Submits a receivable for the caller (a supplier) under its debtor's program.
pub fn submit(ctx: &mut Context<'_>, new: SubmitReceivable) -> Result<ReceivableRow, UseCaseError> {
    let supplier = ctx.actor.party.ok_or(UseCaseError::Forbidden)?;
    dates::not_after_today("issue_date", new.issue_date, ctx.today)?;
    // An invoice already past due is a collection, not a financing.
    if new.due_date < ctx.today {
        return Err(UseCaseError::invalid(
            "due_date",
            format!(
                "due_date {} is before the business date {}",
                new.due_date, ctx.today
            ),
        ));
    }
    // The supplier is not part of the paper's identity (the same invoice submitted by a second
    // supplier is the same registry entry), and the auth gate has already checked that it
    // exists and is a supplier: nothing to load here.
    let currency = new.face.currency();
    let (debtor, program) = debtor_and_program(ctx, new.debtor_id, currency)?;
    let print = receivable_fingerprint(&ReceivableKey {
        debtor_registration: &debtor.party.registration_number,
        number: new.invoice_number.text(),
        amount: new.face,
        issue_date: new.issue_date,
    });
    let id = Uuid::now_v7();
    registry::register(ctx, &print, PaperKind::Receivable, id)?;
    let row = ReceivableRow {
        id,
        supplier_id: supplier,
        debtor_id: new.debtor_id,
        program_id: program.id,
        invoice_number: new.invoice_number.text().to_string(),
        issue_date: new.issue_date,
        due_date: new.due_date,
        amount: new.face.amount(),
        currency: currency.code().to_string(),
        document_sha256: new.document_sha256,
        fingerprint: print,
        state: ReceivableState::Submitted.as_str().into(),
        factoring_request_id: None,
        paid_amount: None,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    receivables::insert(ctx.conn, &row)?;
    let event = serde_json::json!({"id": id, "supplier_id": supplier, "debtor_id": row.debtor_id,
        "program_id": row.program_id, "invoice_number": row.invoice_number,
        "issue_date": row.issue_date, "due_date": row.due_date,
        "amount": shown(row.amount, currency), "currency": row.currency,
        "document_sha256": row.document_sha256, "fingerprint": row.fingerprint,
        "state": row.state, "factoring_request_id": null, "paid_amount": null,
        "created_at": row.created_at});
    record(
        ctx,
        &Chain::of(row.supplier_id, "receivable", id),
        "receivable.submitted",
        &event,
    )?;
    Ok(row)
}

/// A receivable is visible to its supplier, its debtor and staff; anyone else gets 404.
pub fn find(ctx: &mut Context<'_>, id: Uuid) -> Result<ReceivableRow, UseCaseError> {
    let row = receivables::find(ctx.conn, id)?;
    if !ctx.actor.can_see(&[row.supplier_id, row.debtor_id]) {
        return Err(UseCaseError::NotFound);
    }
    Ok(row)
}

/// Lists receivables for the viewer the edge derived from the caller's role.
pub fn list(
    ctx: &mut Context<'_>,
    filter: ReceivableFilter,
) -> Result<Vec<ReceivableRow>, UseCaseError> {
    Ok(receivables::list(ctx.conn, &filter)?)
}

/// Moves a receivable: only its debtor confirms or disputes, only its supplier cancels
/// (`Cancelled`). Anyone else is told it does not exist.
pub fn move_to(
    ctx: &mut Context<'_>,
    id: Uuid,
    to: ReceivableState,
) -> Result<ReceivableRow, UseCaseError> {
    let supplier = receivables::owner(ctx.conn, id)?;
    let mut row = receivables::lock(ctx.conn, supplier, id)?;
    let actor_party = if to == ReceivableState::Cancelled {
        row.supplier_id
    } else {
        row.debtor_id
    };
    if !ctx.actor.can_see(&[actor_party]) {
        return Err(UseCaseError::NotFound);
    }
    let from: ReceivableState = stored_state(&row.state)?;
    from.transition(to).map_err(transition_refused)?;
    row.state = to.as_str().into();
    row.updated_at = ctx.now;
    receivables::save(ctx.conn, &row)?;
    record(
        ctx,
        &Chain::of(row.supplier_id, "receivable", id),
        &format!("receivable.{to}"),
        &serde_json::json!({"from": from.as_str(), "to": to.as_str()}),
    )?;
    Ok(row)
}
