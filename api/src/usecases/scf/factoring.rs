//! Factoring requests: one receivable (single invoice, funded at once) or several (a pool the
//! supplier then draws on up to its borrowing base). Eligibility and limits are checked under
//! row locks; the scoring engine approves, refers or declines.

use credit_scoring::{Outcome, ProductKind};
use domain::money::Currency;
use domain::scf_state::{FactoringState, RequestKind};
use persistence::audit::Chain;
use persistence::scf::factoring::{self as requests, LinkTerms, RequestRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::decision::{self, Ask, ScfDecision, Scored};
use super::eligibility::{self, Locked};
use super::valuation::{self, PoolTerms};
use super::{funding, money, record, stored_currency};
use crate::usecases::{Context, Decided, UseCaseError};

/// The most receivables one request may finance.
pub const MAX_POOL_SIZE: usize = 500;
/// The subject kind of factoring cases in the review queue.
pub const REVIEW_KIND: &str = "factoring_request";

/// The receivables to finance: 1 to [`MAX_POOL_SIZE`] distinct ids, sorted (the house lock
/// order). One is single-invoice factoring, several a pool.
#[derive(Debug, Clone)]
pub struct RequestFactoring {
    receivable_ids: Vec<Uuid>,
}

impl RequestFactoring {
    /// `None` when there are none or too many.
    pub fn new(mut ids: Vec<Uuid>) -> Option<RequestFactoring> {
        ids.sort();
        ids.dedup();
        (!ids.is_empty() && ids.len() <= MAX_POOL_SIZE).then_some(RequestFactoring {
            receivable_ids: ids,
        })
    }
}

/// A request with the receivables it finances.
pub type Request = (RequestRow, Vec<Uuid>);

/// Submits a factoring request for the caller (a supplier): decided by the engine, funded at
/// once when approved, queued for a risk officer when referred.
pub fn request(
    ctx: &mut Context<'_>,
    ask: RequestFactoring,
) -> Result<Decided<Request>, UseCaseError> {
    let supplier = ctx.actor.party.ok_or(UseCaseError::Forbidden)?;
    let ids = ask.receivable_ids;
    let mut locked = eligibility::lock_and_check(ctx.conn, supplier, &ids, ctx.today)?;
    let (decided, request) = if ids.len() == 1 {
        single(ctx, &mut locked, supplier)?
    } else {
        pool(ctx, &mut locked, supplier)?
    };
    Ok(decided.decided(supplier, request))
}

/// A request the caller may read: its supplier or staff.
pub fn find(ctx: &mut Context<'_>, id: Uuid) -> Result<Request, UseCaseError> {
    let row = requests::find(ctx.conn, id)?;
    if !ctx.actor.can_see(&[row.supplier_id]) {
        return Err(UseCaseError::NotFound);
    }
    let ids = requests::linked(ctx.conn, row.supplier_id, id)?;
    Ok((row, ids))
}

fn new_request(
    ctx: &Context<'_>,
    supplier: Uuid,
    kind: RequestKind,
    c: Currency,
    face: Decimal,
) -> RequestRow {
    RequestRow {
        id: Uuid::now_v7(),
        supplier_id: supplier,
        kind: kind.as_str().into(),
        state: FactoringState::Declined.as_str().into(),
        currency: c.code().into(),
        face_total: face,
        advance_total: Decimal::ZERO,
        fees_total: Decimal::ZERO,
        advance_rate: Decimal::ZERO,
        concentration_limit: None,
        drawn_outstanding: Decimal::ZERO,
        borrowing_base: Decimal::ZERO,
        overdrawn: false,
        decision: String::new(),
        created_at: ctx.now,
        updated_at: ctx.now,
    }
}

/// What the engine's outcome makes of a new request.
fn state_of(outcome: Outcome) -> FactoringState {
    match outcome {
        Outcome::Approve => FactoringState::Funded,
        Outcome::Refer => FactoringState::Referred,
        Outcome::Decline => FactoringState::Declined,
    }
}

/// Stores a decided request with what it asked for; a referral waits in the review queue.
fn store(
    ctx: &mut Context<'_>,
    row: &mut RequestRow,
    decided: &ScfDecision,
    terms: &[LinkTerms],
    review_amount: Decimal,
) -> Result<(), UseCaseError> {
    row.decision = decided.to_json()?;
    row.state = state_of(decided.outcome).as_str().into();
    let referred = decided.outcome == Outcome::Refer;
    requests::insert_linked(ctx.conn, row, terms, referred)?;
    if referred {
        // The review case of a referred request, in the risk officers' queue.
        let amount = (review_amount, row.currency.as_str());
        decided.refer(ctx, (REVIEW_KIND, row.id), row.supplier_id, amount)?;
    }
    Ok(())
}

fn single(
    ctx: &mut Context<'_>,
    locked: &mut Locked,
    supplier: Uuid,
) -> Result<(ScfDecision, Request), UseCaseError> {
    let on = ctx.today;
    let (r, program) = funding::single_of(locked)?;
    let c = stored_currency(&r.currency)?;
    let q = funding::quote(&r, &program, c, on)?;
    let member_exposure = locked
        .members
        .get(&r.program_id)
        .map_or(Decimal::ZERO, |m| m.exposure);
    let mut row = new_request(ctx, supplier, RequestKind::Single, c, q.face.amount());
    funding::price_single(&mut row, &program, &q);
    let subject = format!("factoring:{}", row.id);
    let ask = Ask {
        product: ProductKind::Factoring,
        subject: &subject,
        requested: q.advance.amount(),
    };
    let debtor = Scored {
        party: r.debtor_id,
        exposure: program.debtor_exposure,
        requested: q.advance.amount(),
    };
    let decided = decision::decide_factoring(ctx, &ask, (supplier, member_exposure), &[debtor])?;
    let terms = funding::terms_of(locked)?;
    store(ctx, &mut row, &decided, &terms, q.advance.amount())?;
    if decided.outcome == Outcome::Approve {
        funding::fund_single(ctx, locked, &mut row, &q, on)?;
    }
    record(
        ctx,
        &Chain::of(row.supplier_id, "factoring", row.id),
        &format!("factoring.{}", row.state),
        &serde_json::json!({"receivable_id": r.id, "advance": q.advance, "discount_fee": q.discount_fee,
            "service_fee": q.service_fee, "reserve": q.reserve}),
    )?;
    Ok((decided, (row, vec![r.id])))
}

/// Each debtor of a pool, scored on what the pool lends against it, not on the whole pool.
fn pool_debtors(
    locked: &Locked,
    row: &RequestRow,
    on: chrono::NaiveDate,
) -> Result<Vec<Scored>, UseCaseError> {
    let terms = PoolTerms::of_programs(&locked.receivables, &locked.programs);
    let shares = valuation::debtor_shares(row, &locked.receivables, &terms, on)?;
    Ok(locked
        .programs
        .values()
        .map(|p| Scored {
            party: p.core_enterprise_id,
            exposure: p.debtor_exposure,
            requested: shares
                .get(&p.core_enterprise_id)
                .copied()
                .unwrap_or(Decimal::ZERO),
        })
        .collect())
}

fn pool(
    ctx: &mut Context<'_>,
    locked: &mut Locked,
    supplier: Uuid,
) -> Result<(ScfDecision, Request), UseCaseError> {
    let on = ctx.today;
    let first = locked.receivables.first().ok_or(UseCaseError::NotFound)?;
    let c = stored_currency(&first.currency)?;
    let face = locked.receivables.iter().map(|r| r.amount).sum();
    let mut row = new_request(ctx, supplier, RequestKind::Pool, c, face);
    funding::price_pool(&mut row, locked, on)?;
    let debtors = pool_debtors(locked, &row, on)?;
    let member_exposure = locked.members.values().map(|m| m.exposure).sum();
    let subject = format!("factoring:{}", row.id);
    let ask = Ask {
        product: ProductKind::Factoring,
        subject: &subject,
        requested: row.borrowing_base,
    };
    let decided = decision::decide_factoring(ctx, &ask, (supplier, member_exposure), &debtors)?;
    let ids: Vec<Uuid> = locked.receivables.iter().map(|r| r.id).collect();
    let base = row.borrowing_base;
    let terms = funding::terms_of(locked)?;
    store(ctx, &mut row, &decided, &terms, base)?;
    if decided.outcome == Outcome::Approve {
        funding::fund_pool(ctx, locked, &mut row)?;
    }
    record(
        ctx,
        &Chain::of(row.supplier_id, "factoring", row.id),
        &format!("factoring.pool_{}", row.state),
        &serde_json::json!({"receivables": ids.len(), "borrowing_base": money(row.borrowing_base, c)}),
    )?;
    Ok((decided, (row, ids)))
}
