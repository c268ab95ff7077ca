//! The eligibility check of a factoring request, done under row locks so that concurrent
//! requests can never finance one receivable twice or overshoot a limit.
//!
//! Locks are taken in the house order (receivables by id, then programs by id, then the
//! supplier's memberships), so two requests over overlapping receivables serialise instead of
//! deadlocking; the loser sees the winner's committed `financed` state and is refused.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::PgConnection;
use domain::scf_state::{MembershipState, ReceivableState};
use persistence::scf::factoring as requests;
use persistence::scf::programs::{self, MemberRow, ProgramRow};
use persistence::scf::receivables::{self, ReceivableRow};
use persistence::RepoError;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{shown, stored_currency, stored_state};
use crate::usecases::{Context, UseCaseError};

/// Everything a request needs, locked until the transaction ends.
pub struct Locked {
    pub receivables: Vec<ReceivableRow>,
    pub programs: BTreeMap<Uuid, ProgramRow>,
    pub members: BTreeMap<Uuid, MemberRow>,
}

fn not_eligible(id: Uuid, why: &str) -> UseCaseError {
    UseCaseError::refused(
        "receivable_not_eligible",
        format!("receivable {id} is not eligible: {why}"),
        Some("receivable_ids"),
    )
}

/// Why a receivable cannot be financed today, if it cannot.
fn refusal(
    r: &ReceivableRow,
    program: &ProgramRow,
    today: NaiveDate,
) -> Result<Option<&'static str>, UseCaseError> {
    let state: ReceivableState = stored_state(&r.state)?;
    let why = match state {
        ReceivableState::Confirmed => None,
        ReceivableState::Submitted if !program.confirmation_required => None,
        ReceivableState::Submitted => Some("the debtor has not confirmed it"),
        ReceivableState::Financed => Some("it is already financed"),
        ReceivableState::Disputed => Some("the debtor disputes it"),
        ReceivableState::Settled | ReceivableState::Defaulted | ReceivableState::Cancelled => {
            Some("it is closed")
        }
    };
    if why.is_some() {
        return Ok(why);
    }
    if r.due_date <= today {
        return Ok(Some("it is due or past due"));
    }
    if (r.due_date - today).num_days() > i64::from(program.max_tenor_days) {
        return Ok(Some("its tenor exceeds the program maximum"));
    }
    Ok(None)
}

/// Locks and checks the receivables, their programs and the supplier's memberships.
pub fn lock_and_check(
    conn: &mut PgConnection,
    supplier: Uuid,
    ids: &[Uuid],
    today: NaiveDate,
) -> Result<Locked, UseCaseError> {
    let rows = receivables::lock_many(conn, supplier, ids)?;
    // Another supplier's receivable is "not found", exactly like a missing one.
    if rows.len() != ids.len() || rows.iter().any(|r| r.supplier_id != supplier) {
        return Err(UseCaseError::NotFound);
    }
    let currency = rows.first().map(|r| r.currency.clone()).unwrap_or_default();
    if rows.iter().any(|r| r.currency != currency) {
        return Err(UseCaseError::invalid(
            "receivable_ids",
            "receivables in one request share a currency",
        ));
    }
    // A receivable's program is its debtor's: locked through the debtor, in program id order.
    let mut programs_locked = BTreeMap::new();
    for (program_id, debtor) in rows
        .iter()
        .map(|r| (r.program_id, r.debtor_id))
        .collect::<std::collections::BTreeSet<_>>()
    {
        programs_locked.insert(program_id, programs::lock(conn, debtor, program_id)?);
    }
    for r in &rows {
        let program = programs_locked
            .get(&r.program_id)
            .ok_or_else(|| UseCaseError::corrupt("locked programs", "program not locked"))?;
        if let Some(why) = refusal(r, program, today)? {
            return Err(not_eligible(r.id, why));
        }
    }
    // A referred request holds its receivables until an officer decides; the rows are locked,
    // so no other request can slip in between this check and its own insert.
    if let Some(waiting) = requests::pending_among(conn, supplier, ids)?.first() {
        return Err(not_eligible(
            *waiting,
            "it waits for a risk officer's review of another request",
        ));
    }
    let mut members = BTreeMap::new();
    for program_id in programs_locked.keys() {
        let member = programs::lock_member(conn, *program_id, supplier)
            .ok()
            .filter(|m| m.status.parse() == Ok(MembershipState::Approved))
            .ok_or_else(|| {
                UseCaseError::refused(
                    "not_a_program_member",
                    "the supplier is not an approved member of the debtor's program",
                    Some("receivable_ids"),
                )
            })?;
        members.insert(*program_id, member);
    }
    Ok(Locked {
        receivables: rows,
        programs: programs_locked,
        members,
    })
}

fn limit_exceeded(which: &str, available: Decimal, currency: &str) -> UseCaseError {
    let available = match stored_currency(currency) {
        Ok(c) => shown(available, c),
        Err(e) => return e,
    };
    UseCaseError::refused(
        "limit_exceeded",
        format!("the {which} limit has {available} available"),
        Some("receivable_ids"),
    )
}

/// Adds `exposure` per program to the debtor and supplier exposures, refusing any overshoot.
/// The rows are locked, so the check and the update cannot be interleaved with another request.
pub fn reserve_limits(
    ctx: &mut Context<'_>,
    locked: &mut Locked,
    exposure: &BTreeMap<Uuid, Decimal>,
) -> Result<(), UseCaseError> {
    for (program_id, amount) in exposure {
        let program = locked
            .programs
            .get_mut(program_id)
            .ok_or_else(|| UseCaseError::corrupt("locked programs", "program not locked"))?;
        let member = locked
            .members
            .get_mut(program_id)
            .ok_or_else(|| UseCaseError::corrupt("locked memberships", "membership not locked"))?;
        if program.debtor_exposure + amount > program.debtor_limit {
            return Err(limit_exceeded(
                "debtor",
                program.debtor_limit - program.debtor_exposure,
                &program.currency,
            ));
        }
        if member.exposure + amount > member.supplier_limit {
            return Err(limit_exceeded(
                "supplier",
                member.supplier_limit - member.exposure,
                &program.currency,
            ));
        }
        program.debtor_exposure += amount;
        member.exposure += amount;
        // Locked by `lock_and_check`, each written once (one program per entry).
        ctx.write_at_close(programs::exposure_change(program), || RepoError::NotFound)?;
        ctx.write_at_close(programs::member_exposure_change(member), || {
            RepoError::NotFound
        })?;
    }
    Ok(())
}

/// Gives back exposure when an advance is repaid or written off (never below zero).
pub fn release_limits(
    conn: &mut PgConnection,
    (debtor, program_id): (Uuid, Uuid),
    supplier: Uuid,
    amount: Decimal,
) -> Result<(), UseCaseError> {
    let mut program = programs::lock(conn, debtor, program_id)?;
    let mut member = programs::lock_member(conn, program_id, supplier)?;
    program.debtor_exposure = (program.debtor_exposure - amount).max(Decimal::ZERO);
    member.exposure = (member.exposure - amount).max(Decimal::ZERO);
    programs::save(conn, &program)?;
    programs::save_member(conn, &member)?;
    Ok(())
}
