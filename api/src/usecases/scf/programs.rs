//! Factoring programs (admin) and supplier membership: a supplier applies, staff approve with a
//! limit from the scoring engine (capped by the program's per-supplier limit); a supplier's
//! standing in its program.

use credit_scoring::{Outcome, ProductKind};
use domain::money::Currency;
use domain::scf_state::MembershipState;
use persistence::audit::Chain;
use persistence::parties;
use persistence::scf::programs::{self, MemberRow, ProgramRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::decision::{self, Ask};
use super::{record, stored_state, transition_refused};
use crate::usecases::{Context, UseCaseError};

/// A program's terms, each already a valid value (shares between 0 and 1, positive limits in
/// the program's currency, tenor and grace within range).
#[derive(Debug, Clone)]
pub struct NewProgram {
    pub core_enterprise_id: Uuid,
    pub currency: Currency,
    pub advance_rate: Decimal,
    pub discount_rate_annual: Decimal,
    pub service_fee_rate: Decimal,
    pub recourse: bool,
    pub max_tenor_days: i32,
    pub grace_days: i32,
    pub debtor_limit: Decimal,
    pub supplier_limit: Decimal,
    pub concentration_limit: Decimal,
    pub confirmation_required: bool,
}

/// Creates the factoring program of a core enterprise (one per core enterprise).
pub fn create(ctx: &mut Context<'_>, new: NewProgram) -> Result<ProgramRow, UseCaseError> {
    let debtor = parties::find(ctx.conn, new.core_enterprise_id)
        .map_err(|_| UseCaseError::invalid("core_enterprise_id", "no such core enterprise"))?;
    if debtor.party.kind != "core_enterprise" {
        return Err(UseCaseError::invalid(
            "core_enterprise_id",
            "the party is not a core enterprise",
        ));
    }
    let row = ProgramRow {
        id: Uuid::now_v7(),
        core_enterprise_id: new.core_enterprise_id,
        currency: new.currency.code().to_string(),
        advance_rate: new.advance_rate,
        discount_rate_annual: new.discount_rate_annual,
        service_fee_rate: new.service_fee_rate,
        recourse: new.recourse,
        max_tenor_days: new.max_tenor_days,
        grace_days: new.grace_days,
        debtor_limit: new.debtor_limit,
        supplier_limit: new.supplier_limit,
        concentration_limit: new.concentration_limit,
        confirmation_required: new.confirmation_required,
        debtor_exposure: Decimal::ZERO,
        created_at: ctx.now,
    };
    programs::insert(ctx.conn, &row).map_err(|e| match e {
        persistence::RepoError::Conflict { .. } => UseCaseError::Conflict {
            code: "duplicate",
            message: "this core enterprise already has a factoring program".into(),
            field: Some("core_enterprise_id"),
        },
        other => other.into(),
    })?;
    record(
        ctx,
        &Chain::of(row.core_enterprise_id, "program", row.id),
        "program.created",
        &program_event(&row),
    )?;
    Ok(row)
}

/// What the audit trail keeps of a new program (its terms, as stored).
fn program_event(p: &ProgramRow) -> serde_json::Value {
    serde_json::json!({"id": p.id, "core_enterprise_id": p.core_enterprise_id,
        "currency": p.currency, "advance_rate": p.advance_rate.normalize().to_string(),
        "discount_rate_annual": p.discount_rate_annual.normalize().to_string(),
        "service_fee_rate": p.service_fee_rate.normalize().to_string(), "recourse": p.recourse,
        "max_tenor_days": p.max_tenor_days, "grace_days": p.grace_days,
        "debtor_limit": p.debtor_limit, "supplier_limit": p.supplier_limit,
        "concentration_limit": p.concentration_limit.normalize().to_string(),
        "confirmation_required": p.confirmation_required, "debtor_exposure": p.debtor_exposure,
        "created_at": p.created_at})
}

/// A program: staff, or its core enterprise.
pub fn find(ctx: &mut Context<'_>, id: Uuid) -> Result<ProgramRow, UseCaseError> {
    let row = programs::find(ctx.conn, id)?;
    if !ctx.actor.can_see(&[row.core_enterprise_id]) {
        return Err(UseCaseError::NotFound);
    }
    Ok(row)
}

/// The caller (a supplier) applies to join a program; answers the membership and the
/// program's currency.
pub fn join(
    ctx: &mut Context<'_>,
    program_id: Uuid,
) -> Result<(MemberRow, Currency), UseCaseError> {
    let supplier = ctx.actor.party.ok_or(UseCaseError::Forbidden)?;
    let program = programs::find(ctx.conn, program_id)?;
    let row = MemberRow {
        program_id,
        supplier_id: supplier,
        status: MembershipState::Pending.as_str().into(),
        supplier_limit: Decimal::ZERO,
        exposure: Decimal::ZERO,
        decision: None,
        decided_by: None,
        created_at: ctx.now,
    };
    programs::insert_member(ctx.conn, &row)?;
    record(
        ctx,
        &Chain::of(program.core_enterprise_id, "program", program_id),
        "program.supplier_applied",
        &member_event(&row),
    )?;
    Ok((row, super::stored_currency(&program.currency)?))
}

fn member_event(m: &MemberRow) -> serde_json::Value {
    serde_json::json!({"program_id": m.program_id, "supplier_id": m.supplier_id,
        "status": m.status, "supplier_limit": m.supplier_limit, "exposure": m.exposure})
}

/// Staff decide a supplier's application; approval asks the scoring engine for the limit.
pub fn decide_member(
    ctx: &mut Context<'_>,
    program_id: Uuid,
    supplier: Uuid,
) -> Result<(MemberRow, Currency), UseCaseError> {
    let program = programs::find(ctx.conn, program_id)?;
    let mut member = programs::lock_member(ctx.conn, program_id, supplier)?;
    let from: MembershipState = stored_state(&member.status)?;
    if from != MembershipState::Pending {
        return Err(UseCaseError::refused(
            "invalid_state",
            "already decided",
            None,
        ));
    }
    let subject = format!("program_member:{program_id}:{supplier}");
    let ask = Ask {
        product: ProductKind::Factoring,
        subject: &subject,
        requested: Decimal::ZERO,
    };
    let decided = decision::decide_parties(ctx, &ask, &[(supplier, Decimal::ZERO)])?;
    let approved = decided.outcome != Outcome::Decline;
    let to = if approved {
        MembershipState::Approved
    } else {
        MembershipState::Declined
    };
    member.status = from
        .transition(to)
        .map_err(transition_refused)?
        .as_str()
        .into();
    member.supplier_limit = if approved {
        decided.credit_limit.min(program.supplier_limit)
    } else {
        Decimal::ZERO
    };
    member.decision = Some(decided.to_json()?);
    member.decided_by = Some(ctx.actor.name.clone());
    programs::save_member(ctx.conn, &member)?;
    record(
        ctx,
        &Chain::of(program.core_enterprise_id, "program", program_id),
        "program.supplier_decided",
        &member_event(&member),
    )?;
    Ok((member, super::stored_currency(&program.currency)?))
}

/// A supplier's standing in its program.
#[derive(Debug, Clone)]
pub struct Standing {
    pub program: ProgramRow,
    pub member: MemberRow,
    /// What the supplier may still be advanced: limit less exposure, never below zero.
    pub available: Decimal,
    /// What the supplier owes on recourse claims, before any set-off (never below zero).
    pub recourse_owed: Decimal,
}

/// A supplier's standing in a program: the supplier itself, the program's core enterprise, or
/// staff.
pub fn standing(
    ctx: &mut Context<'_>,
    program_id: Uuid,
    supplier: Uuid,
) -> Result<Standing, UseCaseError> {
    let program = programs::find(ctx.conn, program_id)?;
    if !ctx.actor.can_see(&[supplier, program.core_enterprise_id]) {
        return Err(UseCaseError::NotFound);
    }
    let member = programs::find_member(ctx.conn, program_id, supplier)?;
    let account = domain::ledger::Account::of("recourse_receivable", supplier)
        .map_err(|e| UseCaseError::corrupt("recourse account", e))?;
    let owed = persistence::ledger::balance(ctx.conn, &account, &program.currency)?;
    Ok(Standing {
        available: (member.supplier_limit - member.exposure).max(Decimal::ZERO),
        recourse_owed: owed.max(Decimal::ZERO),
        program,
        member,
    })
}
