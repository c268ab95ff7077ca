//! Settlement of financed receivables: the debtor's payment (full or short) and the default
//! after the due date plus grace days.
//!
//! A single invoice settles through `domain::factoring::settle`: the advance and fees are
//! repaid, the reserve absorbs dilution and the rest is released to the supplier; what is left
//! unpaid is borne as `scf_postings::shortfall_bearer` decides: dilution is a claim on the
//! supplier in every program, a default is one under recourse and a credit loss without. A pool
//! receivable's collection repays what the pool has drawn and remits the rest to the supplier; a
//! short-paid one just collects less, the supplier still owing what is drawn. A defaulted pool
//! receivable's share of what is drawn is borne the same way. The pool's base is then revalued.

use chrono::{Duration, NaiveDate};
use domain::factoring::{settle, FactoringQuote};
use domain::money::{Currency, Money};
use domain::scf_postings::{self, Booking, ShortfallBearer, ShortfallCause};
use domain::scf_state::{FactoringState, ReceivableState, RequestKind};
use persistence::audit::Chain;
use persistence::scf::factoring::{self as requests, RequestRow};
use persistence::scf::programs::{self, ProgramRow};
use persistence::scf::receivables::{self, ReceivableRow};
use persistence::scf::registry;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::valuation::{self, PoolTerms};
use super::{
    business_date, eligibility, money, post, record, shown, stored_currency, stored_state,
    transition_refused,
};
use crate::usecases::{Context, UseCaseError};

/// The debtor's payment of a financed receivable: the amount in the receivable's currency.
#[derive(Debug, Clone)]
pub struct PayReceivable {
    pub receivable_id: Uuid,
    pub amount: String,
    /// The business date of the payment; the platform's when absent.
    pub paid_on: Option<NaiveDate>,
}

/// A default declared on a financed receivable, with what was recovered after all.
#[derive(Debug, Clone)]
pub struct DefaultReceivable {
    pub receivable_id: Uuid,
    pub business_date: Option<NaiveDate>,
    pub recovered: Option<String>,
}

/// How a shortfall is borne.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    None,
    /// A pool receivable with no shortfall.
    Pool,
    RecourseClaim,
    CreditLoss,
}

impl Treatment {
    pub fn as_str(self) -> &'static str {
        match self {
            Treatment::None => "none",
            Treatment::Pool => "pool",
            Treatment::RecourseClaim => "recourse_claim",
            Treatment::CreditLoss => "credit_loss",
        }
    }

    /// `none` (a single invoice) or `pool` when there is no shortfall.
    fn of(bearer: ShortfallBearer, shortfall: Decimal, none: Treatment) -> Treatment {
        match (shortfall.is_zero(), bearer) {
            (true, _) => none,
            (false, ShortfallBearer::Supplier) => Treatment::RecourseClaim,
            (false, ShortfallBearer::Factor) => Treatment::CreditLoss,
        }
    }
}

/// What a settlement or a default did with the money.
#[derive(Debug, Clone)]
pub struct Settled {
    pub receivable_id: Uuid,
    pub state: ReceivableState,
    pub currency: Currency,
    pub debtor_payment: Decimal,
    pub repaid_to_factor: Decimal,
    /// Paid out to the supplier (a single invoice's reserve left over; a pool collection's
    /// excess).
    pub reserve_released: Decimal,
    /// Taken from what the supplier would receive against what it owes on recourse claims.
    pub claims_set_off: Decimal,
    pub dilution: Decimal,
    pub shortfall: Decimal,
    pub treatment: Treatment,
}

impl Settled {
    /// The audit event: the amounts as the settlement's answer shows them.
    fn event(&self) -> serde_json::Value {
        let c = self.currency;
        serde_json::json!({"receivable_id": self.receivable_id, "state": self.state.as_str(),
            "debtor_payment": shown(self.debtor_payment, c),
            "repaid_to_factor": shown(self.repaid_to_factor, c),
            "reserve_released": shown(self.reserve_released, c),
            "claims_set_off": shown(self.claims_set_off, c), "dilution": shown(self.dilution, c),
            "shortfall": shown(self.shortfall, c),
            "shortfall_treatment": self.treatment.as_str()})
    }
}

/// Records the debtor's payment of a financed receivable (at most its face).
pub fn pay(ctx: &mut Context<'_>, ask: PayReceivable) -> Result<Settled, UseCaseError> {
    let supplier = receivables::owner(ctx.conn, ask.receivable_id)?;
    let mut r = receivables::lock(ctx.conn, supplier, ask.receivable_id)?;
    let c = stored_currency(&r.currency)?;
    let paid =
        Money::parse_positive(&ask.amount, c).map_err(|e| UseCaseError::invalid("amount", e))?;
    if paid.amount() > r.amount {
        return Err(UseCaseError::invalid(
            "amount",
            "a payment cannot exceed the face value",
        ));
    }
    let on = business_date(ctx.today, ask.paid_on, "paid_on")?;
    settle_receivable(ctx, &mut r, paid, on, ReceivableState::Settled)
}

/// Declares a financed receivable defaulted once it is past due plus grace.
pub fn default(ctx: &mut Context<'_>, ask: DefaultReceivable) -> Result<Settled, UseCaseError> {
    let on = business_date(ctx.today, ask.business_date, "business_date")?;
    let supplier = receivables::owner(ctx.conn, ask.receivable_id)?;
    let mut r = receivables::lock(ctx.conn, supplier, ask.receivable_id)?;
    let c = stored_currency(&r.currency)?;
    let recovered = match ask.recovered.as_deref() {
        Some(text) => {
            Money::parse_non_negative(text, c).map_err(|e| UseCaseError::invalid("recovered", e))?
        }
        None => Money::zero(c),
    };
    if recovered.amount() > r.amount {
        return Err(UseCaseError::invalid(
            "recovered",
            "a recovery cannot exceed the face value",
        ));
    }
    let program = programs::find(ctx.conn, r.program_id)?;
    let grace_end = r.due_date + Duration::days(i64::from(program.grace_days));
    if on <= grace_end {
        return Err(UseCaseError::refused(
            "not_past_grace",
            format!("the receivable is in grace until {grace_end}"),
            Some("business_date"),
        ));
    }
    settle_receivable(ctx, &mut r, recovered, on, ReceivableState::Defaulted)
}

/// The single invoice's quote as it was fixed on its request.
fn stored_quote(req: &RequestRow, c: Currency) -> Result<FactoringQuote, UseCaseError> {
    let face = money(req.face_total, c);
    let advance = money(req.advance_total, c);
    let fees = money(req.fees_total, c);
    let corrupt = |e| UseCaseError::corrupt("stored quote", e);
    Ok(FactoringQuote {
        face,
        days: 0,
        advance,
        discount_fee: fees,
        service_fee: Money::zero(c),
        reserve: face.checked_sub(advance).map_err(corrupt)?,
        owed_to_factor: advance.checked_add(fees).map_err(corrupt)?,
    })
}

/// What every settlement knows before the money moves.
struct Closing<'a> {
    r: &'a ReceivableRow,
    to: ReceivableState,
    paid: Money,
    on: NaiveDate,
    cause: ShortfallCause,
    program: ProgramRow,
    /// What the receivable counted against the limits (released now).
    exposure: Decimal,
    /// What the supplier owes on recourse claims, set off from what it would receive.
    claims: Decimal,
}

impl Closing<'_> {
    fn bearer(&self) -> ShortfallBearer {
        scf_postings::shortfall_bearer(self.cause, self.program.recourse)
    }

    /// A default's unpaid rest is a credit shortfall, not dilution.
    fn dilution(&self) -> Decimal {
        match self.cause {
            ShortfallCause::Default => Decimal::ZERO,
            ShortfallCause::Dilution => self.r.amount - self.paid.amount(),
        }
    }

    fn settled(&self) -> Settled {
        Settled {
            receivable_id: self.r.id,
            state: self.to,
            currency: self.paid.currency(),
            debtor_payment: self.paid.amount(),
            repaid_to_factor: Decimal::ZERO,
            reserve_released: Decimal::ZERO,
            claims_set_off: Decimal::ZERO,
            dilution: self.dilution(),
            shortfall: Decimal::ZERO,
            treatment: Treatment::None,
        }
    }
}

/// Settles a locked, financed receivable on `paid` (zero for a default).
fn settle_receivable(
    ctx: &mut Context<'_>,
    r: &mut ReceivableRow,
    paid: Money,
    on: NaiveDate,
    to: ReceivableState,
) -> Result<Settled, UseCaseError> {
    let from: ReceivableState = stored_state(&r.state)?;
    from.transition(to).map_err(transition_refused)?;
    let request_id = r
        .factoring_request_id
        .ok_or_else(|| UseCaseError::corrupt("financed receivable", "financed without request"))?;
    let program = programs::find(ctx.conn, r.program_id)?;
    let mut req = requests::lock(ctx.conn, r.supplier_id, request_id)?;
    let kind: RequestKind = stored_state(&req.kind)?;
    let c = stored_currency(&r.currency)?;
    // Limits before ledger balances: the order a funding takes them in.
    let exposure = match kind {
        RequestKind::Single => req.advance_total,
        RequestKind::Pool => {
            let terms =
                PoolTerms::load(ctx.conn, r.supplier_id, request_id, std::slice::from_ref(r))?;
            valuation::exposure_of(r, terms.rate_of(r)?, c)
        }
    };
    eligibility::release_limits(
        ctx.conn,
        (r.debtor_id, r.program_id),
        r.supplier_id,
        exposure,
    )?;
    let claims = supplier_claims(ctx, r.supplier_id, c)?;
    let closing = Closing {
        r,
        to,
        paid,
        on,
        cause: if to == ReceivableState::Defaulted {
            ShortfallCause::Default
        } else {
            ShortfallCause::Dilution
        },
        program,
        exposure,
        claims,
    };
    let settled = match kind {
        RequestKind::Single => settle_single(ctx, &closing, &mut req)?,
        RequestKind::Pool => settle_pooled(ctx, &closing, &mut req)?,
    };
    r.state = to.as_str().into();
    r.paid_amount = Some(paid.amount());
    r.updated_at = ctx.now;
    receivables::save(ctx.conn, r)?;
    registry::set_encumbered(ctx.conn, r.id, false)?;
    if kind == RequestKind::Pool {
        valuation::revalue(ctx, &mut req, on)?;
    }
    let event = settled.event();
    record(
        ctx,
        &Chain::of(r.supplier_id, "receivable", r.id),
        &format!("receivable.{to}"),
        &event,
    )?;
    record(
        ctx,
        &Chain::of(req.supplier_id, "factoring", request_id),
        "factoring.receivable_closed",
        &event,
    )?;
    Ok(settled)
}

/// A single invoice: repaid from the payment and its reserve; the request closes.
fn settle_single(
    ctx: &mut Context<'_>,
    closing: &Closing<'_>,
    req: &mut RequestRow,
) -> Result<Settled, UseCaseError> {
    let c = closing.paid.currency();
    let quote = stored_quote(req, c)?;
    let s = settle(&quote, closing.paid).map_err(|e| UseCaseError::invalid("amount", e))?;
    let set_off = s.reserve_released.amount().min(closing.claims);
    let how = Booking {
        cause: closing.cause,
        recourse: closing.program.recourse,
        set_off: money(set_off, c),
    };
    let (request, supplier) = (req.id.to_string(), req.supplier_id.to_string());
    post(
        ctx,
        req.supplier_id,
        scf_postings::invoice_settlement(&request, &supplier, &quote, &s, &how, closing.on),
    )?;
    let from: FactoringState = stored_state(&req.state)?;
    req.state = from
        .transition(FactoringState::Closed)
        .map_err(transition_refused)?
        .as_str()
        .into();
    req.updated_at = ctx.now;
    requests::save(ctx.conn, req)?;
    Ok(Settled {
        debtor_payment: s.debtor_payment.amount(),
        repaid_to_factor: s.repaid_to_factor.amount(),
        reserve_released: s.reserve_released.amount() - set_off,
        claims_set_off: set_off,
        shortfall: s.recourse_amount.amount(),
        treatment: Treatment::of(
            closing.bearer(),
            s.recourse_amount.amount(),
            Treatment::None,
        ),
        ..closing.settled()
    })
}

/// A pool receivable: what the debtor paid repays the pool first, then the supplier's recourse
/// claims; only the rest is remitted. A default bears its share of what is still drawn.
fn settle_pooled(
    ctx: &mut Context<'_>,
    closing: &Closing<'_>,
    req: &mut RequestRow,
) -> Result<Settled, UseCaseError> {
    let (paid, c) = (closing.paid, closing.paid.currency());
    let (request, supplier) = (req.id.to_string(), req.supplier_id.to_string());
    let applied = paid.amount().min(req.drawn_outstanding);
    let set_off = (paid.amount() - applied).min(closing.claims);
    if paid.is_positive() {
        let entry = scf_postings::pool_collection(
            &request,
            &supplier,
            paid,
            money(applied, c),
            money(set_off, c),
            closing.on,
        );
        post(ctx, req.supplier_id, entry)?;
    }
    // A default: the receivable's share of what is still drawn, net of its own recovery.
    let shortfall = if closing.cause == ShortfallCause::Default {
        (closing.exposure - applied)
            .min(req.drawn_outstanding - applied)
            .max(Decimal::ZERO)
    } else {
        Decimal::ZERO
    };
    if shortfall > Decimal::ZERO {
        let entry = scf_postings::pool_default(
            &request,
            &supplier,
            money(shortfall, c),
            closing.bearer(),
            closing.on,
        );
        post(ctx, req.supplier_id, entry)?;
    }
    req.drawn_outstanding -= applied + shortfall;
    Ok(Settled {
        repaid_to_factor: applied,
        reserve_released: paid.amount() - applied - set_off,
        claims_set_off: set_off,
        shortfall,
        treatment: Treatment::of(closing.bearer(), shortfall, Treatment::Pool),
        ..closing.settled()
    })
}

/// What the supplier owes on recourse claims (zero when it owes nothing), read under a lock
/// that settlements of this supplier take in turn until they commit. Only settlements lower
/// this account, so a claim set off by one is never set off again by another.
fn supplier_claims(
    ctx: &mut Context<'_>,
    supplier: Uuid,
    c: Currency,
) -> Result<Decimal, UseCaseError> {
    let account = domain::ledger::Account::of("recourse_receivable", supplier)
        .map_err(|e| UseCaseError::corrupt("recourse account", e))?;
    persistence::ledger::serialise_on(ctx.conn, &account)?;
    Ok(persistence::ledger::balance(ctx.conn, &account, c.code())?.max(Decimal::ZERO))
}
