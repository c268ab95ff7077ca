//! Checkout: the engine decides on the shopper at once; an approved plan settles the merchant,
//! books the shopper's schedule and tells both.

use chrono::NaiveDate;
use credit_scoring::ProductKind;
use domain::installment_plan::{
    quote_installment_plan, InstallmentPlanInput, InstallmentPlanQuote, MerchantSubsidy,
    PlanPricing,
};
use domain::money::{Currency, Money};
use domain::rate::Rate;
use persistence::audit::Chain;
use persistence::installment_plans::{self, OfferRow, PlanRow};
use persistence::loans::InstallmentRow;
use persistence::parties::PartyRecord;
use persistence::RepoError;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::offers::{OfferPricing, SUBSIDY_ANNUAL_RATE};
use super::plans::Plan;
use crate::mail;
use crate::usecases::credit_check::{self, CreditCheck};
use crate::usecases::lending::accrual::{account, stored_currency, stored_money};
use crate::usecases::lending::draw::{originate, NewLoan};
use crate::usecases::{Context, Decided, UseCaseError};

/// A merchant asks for a plan at checkout. The purchase stays as the client wrote it: its
/// decimals depend on the offer's currency, which only the offer knows.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub offer_id: Uuid,
    pub shopper_id: Uuid,
    /// Already checked as an identifier at the edge.
    pub order_reference: String,
    pub purchase_amount: String,
}

/// Decides on the shopper and, on approval, books the plan; a decline keeps its decision.
pub fn checkout(
    ctx: &mut Context<'_>,
    ask: Checkout,
) -> Result<Decided<Option<Plan>>, UseCaseError> {
    let offer = installment_plans::find_offer(ctx.conn, ask.offer_id)?;
    let offer = ctx.actor.visible(offer.merchant_id, offer)?;
    let ccy = stored_currency(&offer.currency)?;
    let purchase = Money::parse_positive(&ask.purchase_amount, ccy)
        .map_err(|e| UseCaseError::invalid("purchase_amount", e))?;
    check_offer(&offer, purchase)?;
    let shopper = lock_shopper(ctx, ask.shopper_id)?;
    let subject = format!(
        "installment_checkout:{}:{}",
        offer.merchant_id, ask.order_reference
    );
    let check = credit_check::check(
        ctx,
        &shopper,
        (ProductKind::Installment, subject),
        purchase,
        "The purchase exceeds the shopper's installment limit",
    )?;
    if !check.approved {
        return Ok(check.decided(None));
    }
    let plan = book(ctx, &offer, &ask, purchase, &check)?;
    Ok(check.decided(Some(plan)))
}

/// Checks the offer applies to a purchase (already in the offer's currency).
fn check_offer(offer: &OfferRow, purchase: Money) -> Result<(), UseCaseError> {
    if !offer.active {
        return Err(UseCaseError::refused(
            "offer_inactive",
            "this plan is no longer offered",
            Some("offer_id"),
        ));
    }
    let value = purchase.amount();
    if value < offer.min_purchase || value > offer.max_purchase {
        let ccy = purchase.currency();
        return Err(UseCaseError::refused(
            "purchase_outside_plan",
            format!(
                "the plan takes purchases from {} to {}",
                stored_money(offer.min_purchase, ccy).amount(),
                stored_money(offer.max_purchase, ccy).amount()
            ),
            Some("purchase_amount"),
        ));
    }
    Ok(())
}

/// The shopper's row stays locked until commit: concurrent checkouts for one shopper (at any
/// merchant) are decided one after the other, each on the exposure the previous one left.
fn lock_shopper(ctx: &mut Context<'_>, id: Uuid) -> Result<PartyRecord, UseCaseError> {
    let shopper = persistence::parties::lock(ctx.conn, id).map_err(|e| match e {
        RepoError::NotFound => UseCaseError::invalid("shopper_id", "no such shopper"),
        other => other.into(),
    })?;
    if shopper.party.kind != "shopper" {
        return Err(UseCaseError::invalid(
            "shopper_id",
            "the party is not a shopper",
        ));
    }
    Ok(shopper)
}

/// Books an approved plan: the shopper's loan, the merchant's settlement, the plan row, its
/// audit event and both emails.
fn book(
    ctx: &mut Context<'_>,
    offer: &OfferRow,
    ask: &Checkout,
    purchase: Money,
    check: &CreditCheck,
) -> Result<Plan, UseCaseError> {
    let quote = quote(offer, purchase, ctx.today)?;
    let (loan, schedule) = originate(
        ctx.conn,
        &mut ctx.audit_log,
        &NewLoan {
            party_id: ask.shopper_id,
            line_id: None,
            product: "installment",
            annual_rate: Decimal::ZERO,
            penalty_rate_daily: ctx.policy.loans.penalty_rate_daily,
            method: "equal_installments",
            schedule: &quote.schedule,
            start: ctx.today,
            credits: vec![
                (account("cash:platform")?, quote.merchant_settlement),
                (account("merchant_subsidy_income")?, quote.merchant_subsidy),
            ],
        },
        ctx.now,
        &ctx.actor.name,
    )?;
    let row = PlanRow {
        loan_id: loan.id,
        offer_id: offer.id,
        merchant_id: offer.merchant_id,
        shopper_id: ask.shopper_id,
        order_reference: ask.order_reference.clone(),
        purchase_amount: purchase.amount(),
        merchant_subsidy: quote.merchant_subsidy.amount(),
        merchant_settlement: quote.merchant_settlement.amount(),
        refunded: Decimal::ZERO,
        clawed_back: Decimal::ZERO,
        decision_id: check.decision_id,
        created_at: loan.created_at,
        // Unique per merchant: one purchase is financed once however its reference is written.
        order_key: Some(domain::identifier::canonical_key(&ask.order_reference)),
    };
    installment_plans::insert_plan(ctx.conn, &row)?;
    let payload = serde_json::json!({"merchant_id": row.merchant_id, "order_reference": row.order_reference,
        "purchase_amount": row.purchase_amount.to_string(), "merchant_subsidy": row.merchant_subsidy.to_string(),
        "merchant_settlement": row.merchant_settlement.to_string(), "decision_id": row.decision_id});
    // The plan's own chain: the loan's takes its origination in this request, and one
    // statement moves a chain's head once.
    ctx.audit(
        &Chain::of(loan.party_id, "installment_plan", loan.id),
        "installment_plan.created",
        &payload,
    );
    notify_created(ctx, &row, purchase.currency(), &schedule)?;
    Ok(Plan::seen_by(ctx.actor, row, loan, schedule))
}

/// The plan's schedule and the merchant's settlement, priced as the offer says.
fn quote(
    offer: &OfferRow,
    purchase: Money,
    start: NaiveDate,
) -> Result<InstallmentPlanQuote, UseCaseError> {
    let pricing = match OfferPricing::of(offer)? {
        OfferPricing::MerchantSubsidised => PlanPricing::InterestFree {
            subsidy: MerchantSubsidy::InterestAtRate {
                annual_rate: rate(SUBSIDY_ANNUAL_RATE)?,
            },
        },
        OfferPricing::ShopperFee { rate_per_period } => PlanPricing::FeeBased {
            fee_rate_per_period: rate(rate_per_period)?,
        },
    };
    quote_installment_plan(&InstallmentPlanInput {
        purchase_amount: purchase,
        installments: u32::try_from(offer.installments)
            .map_err(|e| UseCaseError::corrupt("offer installments", e))?,
        frequency: domain::calendar::Frequency::Monthly,
        start_date: start,
        pricing,
    })
    .map_err(|e| UseCaseError::refused("plan_impossible", e.to_string(), None))
}

fn rate(value: Decimal) -> Result<Rate, UseCaseError> {
    Rate::new(value).map_err(|e| UseCaseError::corrupt("plan rate", e))
}

/// Tells the shopper its schedule and the merchant its settlement.
fn notify_created(
    ctx: &mut Context<'_>,
    plan: &PlanRow,
    ccy: Currency,
    schedule: &[InstallmentRow],
) -> Result<(), UseCaseError> {
    let mut lines = vec![format!(
        "Your purchase {} of {} {} is split into {} installments (plan {}).",
        plan.order_reference,
        stored_money(plan.purchase_amount, ccy).amount(),
        ccy.code(),
        schedule.len(),
        plan.loan_id
    )];
    lines.extend(schedule.iter().map(|i| {
        format!(
            "Installment {} due {}: {} {}.",
            i.number,
            i.due_date,
            stored_money(i.principal + i.interest + i.fee, ccy).amount(),
            ccy.code()
        )
    }));
    mail::notify(
        ctx,
        plan.shopper_id,
        "installment_plan_created",
        "Your installment plan".into(),
        lines,
    )?;
    let settled = format!(
        "Order {} was sold on an installment plan; {} {} is paid to you ({} {} kept as subsidy).",
        plan.order_reference,
        stored_money(plan.merchant_settlement, ccy).amount(),
        ccy.code(),
        stored_money(plan.merchant_subsidy, ccy).amount(),
        ccy.code()
    );
    mail::notify(
        ctx,
        plan.merchant_id,
        "installment_plan_settled",
        format!("Order {} settled", plan.order_reference),
        vec![settled],
    )?;
    Ok(())
}
