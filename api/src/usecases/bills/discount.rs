//! Discounting a bill: its holder sells it to the platform for face less discount interest.
//! The acceptor's factoring program sets the rate; the scoring engine decides on the acceptor's
//! risk. A referred discount waits in the review queue (the bill frozen with its holder); a
//! declined one leaves the bill with its holder. Either way the decision is recorded.

use chrono::NaiveDate;
use credit_scoring::{Outcome, ProductKind};
use diesel::PgConnection;
use domain::discounting::{discount_bill, BillDiscount, BillDiscountInput};
use domain::money::Money;
use domain::scf_postings;
use domain::scf_state::{BillMedium, BillState, ReferralState};
use persistence::audit::Chain;
use persistence::scf::bills::{self, BillRow, ReferralRow};
use persistence::scf::{programs, registry};
use uuid::Uuid;

use super::{ensure_not_under_review, holder, load, Bill};
use crate::usecases::scf::decision::{self, Ask, ScfDecision};
use crate::usecases::scf::{
    money, post, record, stored_currency, stored_rate, stored_state, transition_refused,
};
use crate::usecases::{Context, Decided, UseCaseError};

/// The subject kind of referred discounts in the review queue.
pub const REVIEW_KIND: &str = "bill_discount";

/// The price of discounting `bill` on `on`, at the acceptor's program rate.
pub fn price(
    conn: &mut PgConnection,
    bill: &BillRow,
    on: NaiveDate,
) -> Result<BillDiscount, UseCaseError> {
    let program = programs::find_by_core_enterprise(conn, bill.acceptor_id).map_err(|_| {
        UseCaseError::refused(
            "no_program",
            "the acceptor has no program to price the bill",
            None,
        )
    })?;
    let medium: BillMedium = stored_state(&bill.medium)?;
    discount_bill(&BillDiscountInput {
        face: money(bill.face_value, stored_currency(&bill.currency)?),
        annual_rate: stored_rate(program.discount_rate_annual)?,
        discount_date: on,
        maturity_date: bill.maturity_date,
        adjustment_days: 0,
        basis_days: 360,
        max_tenor_months: medium.max_tenor_months(),
    })
    .map_err(|e| UseCaseError::refused("discount_refused", e.to_string(), None))
}

/// The platform buys the locked `bill` from its holder: proceeds paid, interest earned.
pub fn execute(
    ctx: &mut Context<'_>,
    bill: &mut BillRow,
    quote: &BillDiscount,
    on: NaiveDate,
) -> Result<(), UseCaseError> {
    let from: BillState = stored_state(&bill.state)?;
    let to = from
        .transition(BillState::Discounted)
        .map_err(transition_refused)?;
    let face = money(bill.face_value, stored_currency(&bill.currency)?);
    let entry = scf_postings::bill_discount(
        &bill.id.to_string(),
        face,
        quote.discount_interest,
        quote.proceeds,
        on,
    );
    post(ctx, bill.acceptor_id, entry)?;
    bill.state = to.as_str().into();
    bill.holder_id = None;
    bill.discount_interest = Some(quote.discount_interest.amount());
    registry::set_encumbered(ctx.conn, bill.id, true)?;
    Ok(())
}

/// Queues a referred discount for a risk officer; the bill stays with its holder meanwhile.
fn refer(
    ctx: &mut Context<'_>,
    bill: &BillRow,
    holder: Uuid,
    decided: &ScfDecision,
    proceeds: Money,
) -> Result<(), UseCaseError> {
    let referral = ReferralRow {
        id: Uuid::now_v7(),
        bill_id: bill.id,
        acceptor_id: bill.acceptor_id,
        holder_id: holder,
        state: ReferralState::Referred.as_str().into(),
        decision: decided.to_json()?,
        created_at: ctx.now,
        decided_at: None,
    };
    bills::insert_referral(ctx.conn, &referral)?;
    let amount = (proceeds.amount(), bill.currency.as_str());
    decided.refer(ctx, (REVIEW_KIND, referral.id), holder, amount)
}

/// The holder (the caller) sells the bill to the platform, as the engine decides.
pub fn discount(ctx: &mut Context<'_>, id: Uuid) -> Result<Decided<Bill>, UseCaseError> {
    let (mut bill, chain) = load(ctx, id)?;
    let holder = holder(ctx, &bill, "discount")?;
    ensure_not_under_review(ctx, &bill)?;
    let from: BillState = stored_state(&bill.state)?;
    from.transition(BillState::Discounted)
        .map_err(transition_refused)?;
    let on = ctx.today;
    let quote = price(ctx.conn, &bill, on)?;
    let subject = format!("bill:{id}");
    let ask = Ask {
        product: ProductKind::BillDiscount,
        subject: &subject,
        requested: quote.proceeds.amount(),
    };
    let decided = decision::decide_bill(ctx, &ask, bill.acceptor_id)?;
    bill.decision = Some(decided.to_json()?);
    match decided.outcome {
        Outcome::Approve => execute(ctx, &mut bill, &quote, on)?,
        Outcome::Refer => refer(ctx, &bill, holder, &decided, quote.proceeds)?,
        Outcome::Decline => {}
    }
    bills::save(ctx.conn, &bill)?;
    record(
        ctx,
        &Chain::of(bill.acceptor_id, "bill", id),
        "bill.discount_decided",
        &serde_json::json!({
            "outcome": decided.outcome, "seller": holder, "days": quote.days,
            "discount_interest": quote.discount_interest, "proceeds": quote.proceeds}),
    )?;
    Ok(decided.decided(holder, (bill, chain)))
}
