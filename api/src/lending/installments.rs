//! Installment plans at checkout ("pay in 3/6/12"): the platform pays the merchant now and
//! collects from the shopper over time.
//!
//! A plan is a loan (`product = 'installment'`) owed by the shopper, plus an
//! `installment_plans` row for the checkout around it, so repayment, allocation, accrual,
//! aging, reminders and write-off are the stock-up loan's own code paths.
//!
//! Rules a lender has to choose, and the choices made:
//! - Scoring: the engine decides on the shopper inside the request (product `installment`).
//!   A shopper party stores its declared monthly income in `monthly_sales` and its account
//!   opening in `store_opened_on`, so the standard inputs read as income and tenure; the
//!   exposure is the principal outstanding on all its plans at every merchant (and any other
//!   credit), so the limit spans merchants. The purchase must fit the limit the engine grants.
//!   The shopper's row is locked before its exposure is read, so concurrent checkouts for one
//!   shopper are decided in turn and never overrun the limit together.
//!   There is no human in the checkout loop: a referral declines the plan (HTTP 200 with
//!   `outcome: declined` and the reasons; the decision itself is stored and audited).
//! - Pricing: shopper-paid plans carry a fee each period of `round_half_up(purchase ×
//!   fee_rate_per_period)`, at most [`MAX_FEE_RATE_PER_PERIOD`], and no interest.
//!   Merchant-paid plans are interest-free; the merchant's subsidy is the interest the platform
//!   forgoes at [`SUBSIDY_ANNUAL_RATE`], measured as a present value (see
//!   `domain::installment_plan`), and is kept back from the settlement.
//! - Books at checkout: `Dr loans_receivable:<plan> purchase; Cr cash:platform settlement;
//!   Cr merchant_subsidy_income subsidy`. The subsidy is recognised at checkout (it is earned
//!   by committing the funds; a refund gives it back pro rata).
//! - Fees become receivable on their installment's due date (`Dr fee_receivable Cr
//!   fee_income`, posted by the shared accrual), so early settlement pays the outstanding
//!   principal plus the fees of installments already due: fees of installments not yet due
//!   are never charged, and there is no early-settlement penalty.
//! - Missed installments accrue penalty interest on the overdue principal and age through the
//!   same end of day as loans.
//! - Refunds: see `domain::installment_refund` ("cut from the end", fees recomputed,
//!   proportional claw-back). Books: `Dr cash:platform claw_back; Dr merchant_subsidy_income
//!   subsidy_returned; Cr loans_receivable:<plan> principal_cut; Cr cash:platform to_shopper`.
//!   Cumulative refunds above the purchase settled through the plan are refused (422
//!   `refund_exceeds_settled`), so claw-backs never exceed what the merchant was paid.

use chrono::{NaiveDate, SubsecRound, Utc};
use credit_scoring::{Outcome, ProductKind};
use diesel::PgConnection;
use domain::installment_plan::{
    quote_installment_plan, InstallmentPlanInput, MerchantSubsidy, PlanPricing,
};
use domain::money::Money;
use domain::rate::Rate;
use persistence::installment_plans::{self, OfferRow, PlanRow};
use persistence::loans::{InstallmentRow, LoanRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::accrual::account;
use super::{currency, money};
use crate::config::LoansConfig;
use crate::error::ApiError;
use crate::mail;
use crate::usecases::lending::draw::{originate, NewLoan};
use crate::usecases::scoring::{self, ApplicationFacts, AssessmentRequest, ModelCache};

/// The platform's annual funding rate, at which merchant-paid plans are subsidised.
pub const SUBSIDY_ANNUAL_RATE: Decimal = Decimal::from_parts(12, 0, 0, false, 2);
/// The highest fee per period a merchant may offer shoppers (3 % of the purchase).
pub const MAX_FEE_RATE_PER_PERIOD: Decimal = Decimal::from_parts(3, 0, 0, false, 2);

/// A checkout asking for a plan.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub shopper_id: Uuid,
    pub order_reference: String,
    pub purchase: Money,
}

/// The outcome at checkout: a plan, or the engine's reasons for declining.
pub enum CheckoutOutcome {
    Approved(Box<(PlanRow, LoanRow, Vec<InstallmentRow>)>),
    Declined {
        decision_id: Uuid,
        reasons: Vec<String>,
    },
}

/// Checks the offer applies to `checkout`.
fn check_offer(offer: &OfferRow, checkout: &Checkout) -> Result<(), ApiError> {
    if !offer.active {
        return Err(ApiError::unprocessable(
            "offer_inactive",
            "this plan is no longer offered",
            Some("offer_id"),
        ));
    }
    if checkout.purchase.currency().code() != offer.currency {
        return Err(ApiError::invalid(
            "purchase_amount",
            format!("the plan is offered in {}", offer.currency),
        ));
    }
    let value = checkout.purchase.amount();
    if value < offer.min_purchase || value > offer.max_purchase {
        return Err(ApiError::unprocessable(
            "purchase_outside_plan",
            format!(
                "the plan takes purchases from {} to {}",
                crate::views::stored_amount(offer.min_purchase, &offer.currency),
                crate::views::stored_amount(offer.max_purchase, &offer.currency)
            ),
            Some("purchase_amount"),
        ));
    }
    Ok(())
}

/// Scores the shopper for this purchase; answers the stored decision id, with the reasons
/// when the plan is declined.
fn score_shopper(
    conn: &mut PgConnection,
    models: &ModelCache,
    offer: &OfferRow,
    checkout: &Checkout,
    (today, actor): (NaiveDate, &str),
) -> Result<(Uuid, Option<Vec<String>>), ApiError> {
    // The shopper's row stays locked until commit: concurrent checkouts for one shopper (at any
    // merchant) are decided one after the other, each on the exposure the previous one left,
    // so together they never exceed the limit the engine grants.
    let shopper = persistence::parties::lock(conn, checkout.shopper_id).map_err(|e| match e {
        persistence::error::RepoError::NotFound => {
            ApiError::invalid("shopper_id", "no such shopper")
        }
        other => other.into(),
    })?;
    if shopper.party.kind != "shopper" {
        return Err(ApiError::invalid(
            "shopper_id",
            "the party is not a shopper",
        ));
    }
    let credit = persistence::credit_lines::party_credit(conn, checkout.shopper_id)?;
    let facts = ApplicationFacts {
        requested_amount: checkout.purchase.amount(),
        current_exposure: credit.exposure,
        max_days_past_due: u32::try_from(credit.max_dpd).unwrap_or(0),
        past_delinquencies: u32::try_from(credit.delinquent_loans).unwrap_or(u32::MAX),
        blacklisted: false,
    };
    let subject = format!(
        "installment_checkout:{}:{}",
        offer.merchant_id, checkout.order_reference
    );
    let mut request = AssessmentRequest::for_merchant(
        &shopper,
        ProductKind::Installment,
        &subject,
        actor,
        &facts,
        (today, Utc::now().trunc_subsecs(6)),
    )?;
    request.currency = checkout.purchase.currency();
    let stored = scoring::assess(conn, models, &request)?;
    let decision = &stored.decision;
    let mut reasons: Vec<String> = decision.reasons.iter().map(|r| r.text.clone()).collect();
    let approved =
        decision.outcome == Outcome::Approve && checkout.purchase.amount() <= decision.credit_limit;
    if approved {
        return Ok((stored.id, None));
    }
    if decision.outcome == Outcome::Approve {
        reasons.push("The purchase exceeds the shopper's installment limit".into());
    }
    Ok((stored.id, Some(reasons)))
}

/// Decides and, on approval, books a plan: shopper's schedule, merchant's settlement, emails.
pub fn create_plan(
    conn: &mut PgConnection,
    models: &ModelCache,
    offer: &OfferRow,
    checkout: &Checkout,
    today: NaiveDate,
    policy: &LoansConfig,
    actor: &str,
) -> Result<CheckoutOutcome, ApiError> {
    check_offer(offer, checkout)?;
    let (decision_id, declined) = score_shopper(conn, models, offer, checkout, (today, actor))?;
    if let Some(reasons) = declined {
        return Ok(CheckoutOutcome::Declined {
            decision_id,
            reasons,
        });
    }
    let pricing = if offer.payer == "merchant" {
        PlanPricing::InterestFree {
            subsidy: MerchantSubsidy::InterestAtRate {
                annual_rate: rate(SUBSIDY_ANNUAL_RATE)?,
            },
        }
    } else {
        PlanPricing::FeeBased {
            fee_rate_per_period: rate(offer.fee_rate_per_period)?,
        }
    };
    let quote = quote_installment_plan(&InstallmentPlanInput {
        purchase_amount: checkout.purchase,
        installments: u32::try_from(offer.installments).map_err(ApiError::internal)?,
        frequency: domain::calendar::Frequency::Monthly,
        start_date: today,
        pricing,
    })
    .map_err(|e| ApiError::unprocessable("plan_impossible", e.to_string(), None))?;
    let (loan, schedule) = originate(
        conn,
        &NewLoan {
            party_id: checkout.shopper_id,
            line_id: None,
            product: "installment",
            annual_rate: Decimal::ZERO,
            penalty_rate_daily: policy.penalty_rate_daily,
            method: "equal_installments",
            schedule: &quote.schedule,
            start: today,
            credits: vec![
                (account("cash:platform")?, quote.merchant_settlement),
                (account("merchant_subsidy_income")?, quote.merchant_subsidy),
            ],
        },
        chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6),
        actor,
    )?;
    let plan = PlanRow {
        loan_id: loan.id,
        offer_id: offer.id,
        merchant_id: offer.merchant_id,
        shopper_id: checkout.shopper_id,
        order_reference: checkout.order_reference.clone(),
        purchase_amount: checkout.purchase.amount(),
        merchant_subsidy: quote.merchant_subsidy.amount(),
        merchant_settlement: quote.merchant_settlement.amount(),
        refunded: Decimal::ZERO,
        clawed_back: Decimal::ZERO,
        decision_id,
        created_at: loan.created_at,
        // Unique per merchant: one purchase is financed once however its reference is written.
        order_key: Some(domain::identifier::canonical_key(&checkout.order_reference)),
    };
    installment_plans::insert_plan(conn, &plan)?;
    let payload = serde_json::json!({"merchant_id": plan.merchant_id, "order_reference": plan.order_reference,
        "purchase_amount": plan.purchase_amount.to_string(), "merchant_subsidy": plan.merchant_subsidy.to_string(),
        "merchant_settlement": plan.merchant_settlement.to_string(), "decision_id": decision_id});
    persistence::audit::append(
        conn,
        &format!("loan:{}", loan.id),
        actor,
        "installment_plan.created",
        &payload,
        Utc::now(),
    )?;
    notify_created(conn, &plan, &schedule)?;
    Ok(CheckoutOutcome::Approved(Box::new((plan, loan, schedule))))
}

fn rate(value: Decimal) -> Result<Rate, ApiError> {
    Rate::new(value).map_err(ApiError::internal)
}

/// Tells the shopper its schedule and the merchant its settlement.
fn notify_created(
    conn: &mut PgConnection,
    plan: &PlanRow,
    schedule: &[InstallmentRow],
) -> Result<(), ApiError> {
    let ccy = currency_of(plan, conn)?;
    let mut lines = vec![format!(
        "Your purchase {} of {} {} is split into {} installments (plan {}).",
        plan.order_reference,
        money(plan.purchase_amount, ccy).amount(),
        ccy.code(),
        schedule.len(),
        plan.loan_id
    )];
    lines.extend(schedule.iter().map(|i| {
        format!(
            "Installment {} due {}: {} {}.",
            i.number,
            i.due_date,
            money(i.principal + i.interest + i.fee, ccy).amount(),
            ccy.code()
        )
    }));
    mail::notify(
        conn,
        plan.shopper_id,
        "installment_plan_created",
        "Your installment plan".into(),
        lines,
    )?;
    mail::notify(conn, plan.merchant_id, "installment_plan_settled", format!("Order {} settled", plan.order_reference), vec![format!(
                "Order {} was sold on an installment plan; {} {} is paid to you ({} {} kept as subsidy).",
                plan.order_reference,
                money(plan.merchant_settlement, ccy).amount(),
                ccy.code(),
                money(plan.merchant_subsidy, ccy).amount(),
                ccy.code()
            )])?;
    Ok(())
}

fn currency_of(
    plan: &PlanRow,
    conn: &mut PgConnection,
) -> Result<domain::money::Currency, ApiError> {
    let loan = persistence::loans::find(conn, plan.loan_id)?;
    currency(&loan.currency)
}
