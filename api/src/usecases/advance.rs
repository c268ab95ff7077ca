//! An advance to a merchant against something it holds (a confirmed order, pledged goods),
//! shared by the order and inventory families: the merchant is scored on the spot and, when
//! approved, one bullet loan is booked at the rate the engine prices it at.

use credit_scoring::ProductKind;
use domain::money::Money;
use persistence::loans::{InstallmentRow, LoanRow};
use uuid::Uuid;

use crate::usecases::credit_check;
use crate::usecases::lending::accrual::account;
use crate::usecases::lending::draw::{originate, schedule_for, Draw, NewLoan, RepaymentMethod};
use crate::usecases::{Context, Decided, UseCaseError};

/// A loan booked by an approved advance, with its schedule.
pub type Booked = (LoanRow, Vec<InstallmentRow>);

/// What is asked for (its product's own rules already checked by the caller).
#[derive(Debug, Clone)]
pub struct Advance {
    pub merchant: Uuid,
    pub product: ProductKind,
    /// The loan's product column (`order_financing`, `inventory_financing`).
    pub loan_product: &'static str,
    /// What is decided on, e.g. `order_financing:<order id>`.
    pub subject: String,
    pub amount: Money,
    pub tenor_days: u32,
}

/// Scores the merchant for the advance and books it when approved; a decline keeps the
/// engine's decision and books nothing.
pub fn advance(
    ctx: &mut Context<'_>,
    ask: Advance,
) -> Result<Decided<Option<Booked>>, UseCaseError> {
    // Locked, so that concurrent advances for one merchant read its exposure in turn.
    let merchant = persistence::parties::lock(ctx.conn, ask.merchant)?;
    let check = credit_check::check(
        ctx,
        &merchant,
        (ask.product, ask.subject),
        ask.amount,
        "The amount exceeds the merchant's credit limit",
    )?;
    if !check.approved {
        return Ok(check.decided(None));
    }
    let draw = Draw {
        amount: ask.amount,
        tenor_days: ask.tenor_days,
        method: RepaymentMethod::Bullet,
    };
    let schedule = schedule_for(&draw, check.rate_annual, ctx.today)?;
    let booked = originate(
        ctx.conn,
        &mut ctx.audit_log,
        &NewLoan {
            party_id: ask.merchant,
            line_id: None,
            product: ask.loan_product,
            annual_rate: check.rate_annual,
            penalty_rate_daily: ctx.policy.loans.penalty_rate_daily,
            method: RepaymentMethod::Bullet.as_str(),
            schedule: &schedule,
            start: ctx.today,
            credits: vec![(account("cash:platform")?, ask.amount)],
        },
        ctx.now,
        &ctx.actor.name,
    )?;
    Ok(check.decided(Some(booked)))
}
