//! Installment plans at checkout: creating one (the merchant, for a shopper), reading them
//! (the shopper its own, the merchant those at its store) and merchant refunds. The shopper
//! repays and settles early through `/v1/loans/{id}/…`: a plan is a loan.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Role;
use crate::error::{ApiError, ErrorBody};
use crate::handlers::loans::{InstallmentView, LoanView};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::pagination::Page;
use crate::request::{Call, Reply};
use crate::usecases::installments::checkout::{self, Checkout};
use crate::usecases::installments::plans::{self, ListPlans, Plan, Side};
use crate::usecases::installments::refund::{self, Refund, Refunded};
use crate::views::amount;
use crate::views::currency;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    pub shopper_id: Uuid,
    pub offer_id: Uuid,
    /// The merchant's order id; one plan per order.
    #[schema(example = "ORD-2026-000123")]
    pub order_reference: String,
    #[schema(example = "1200.00")]
    pub purchase_amount: String,
}

/// A plan as the merchant sees it: the sale, the settlement and the plan's state, never the
/// shopper's balances, arrears or other credit. Shoppers and staff also get `loan`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub id: Uuid,
    pub offer_id: Uuid,
    pub merchant_id: Uuid,
    pub shopper_id: Uuid,
    pub order_reference: String,
    pub currency: String,
    pub purchase_amount: String,
    pub merchant_subsidy: String,
    pub merchant_settlement: String,
    pub refunded: String,
    pub clawed_back: String,
    pub status: String,
    pub schedule: Vec<InstallmentView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan: Option<LoanView>,
}

impl PlanView {
    fn build(plan: Plan) -> Result<PlanView, ApiError> {
        let Plan {
            row,
            loan,
            schedule,
            shows_loan,
        } = plan;
        let ccy = currency(&loan.currency)?;
        let full = LoanView::build(&loan, &schedule)?;
        Ok(PlanView {
            id: row.loan_id,
            offer_id: row.offer_id,
            merchant_id: row.merchant_id,
            shopper_id: row.shopper_id,
            currency: loan.currency.clone(),
            purchase_amount: amount(row.purchase_amount, ccy),
            merchant_subsidy: amount(row.merchant_subsidy, ccy),
            merchant_settlement: amount(row.merchant_settlement, ccy),
            refunded: amount(row.refunded, ccy),
            clawed_back: amount(row.clawed_back, ccy),
            order_reference: row.order_reference,
            status: loan.status.clone(),
            schedule: LoanView::build(&loan, &schedule)?.schedule,
            loan: shows_loan.then_some(full),
        })
    }
}

/// The answer at checkout: 201 with the plan when approved, 200 without one when declined;
/// the decision's `outcome` (`approved` or `declined`), `decision_id` and `reasons` (why a
/// plan was declined: readable texts, never scores) stand beside `plan`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckoutView {
    pub plan: Option<PlanView>,
}

/// Offers a plan at checkout (merchant, `Idempotency-Key` required): the engine decides on
/// the shopper at once; on approval the merchant is settled and the schedule created.
#[utoipa::path(post, path = "/v1/installment-plans", tag = "installments", security(("bearer" = [])),
    request_body = NewPlan, params(("Idempotency-Key" = String, Header)),
    responses((status = 201, body = CheckoutView), (status = 200, description = "declined", body = CheckoutView),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(call: Call, body: JsonBody<NewPlan>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let dto = body.into_inner();
    let ask = Checkout {
        offer_id: dto.offer_id,
        shopper_id: dto.shopper_id,
        order_reference: crate::text::identifier("order_reference", &dto.order_reference, 100)?
            .text()
            .to_string(),
        purchase_amount: dto.purchase_amount,
    };
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| checkout::checkout(ctx, ask),
        |decided| {
            Reply::decided(decided, |plan| {
                let plan = plan.map(PlanView::build).transpose()?;
                Ok(CheckoutView { plan })
            })
        },
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    /// Staff only: one merchant's plans.
    pub merchant_id: Option<Uuid>,
    /// Staff only: one shopper's plans.
    pub shopper_id: Option<Uuid>,
    /// The plan's loan status.
    #[param(inline)]
    pub status: Option<crate::filters::LoanStatus>,
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// Plans: a shopper's own, a merchant's store's, or all for staff.
#[utoipa::path(get, path = "/v1/installment-plans", tag = "installments", security(("bearer" = [])),
    params(PlanQuery), responses((status = 200, body = Page<PlanView>), (status = 403, body = ErrorBody)))]
pub async fn list(call: Call, query: web::Query<PlanQuery>) -> Result<HttpResponse, ApiError> {
    let limit = call.page_size(query.limit);
    let ask = ListPlans {
        side: match call.caller().role {
            Role::Shopper => Side::Shopper,
            _ => Side::Merchant,
        },
        merchant_id: query.merchant_id,
        shopper_id: query.shopper_id,
        status: query.status.map(|s| s.as_str()),
        after: query.after,
        limit,
    };
    call.read(
        move |ctx| plans::list_plans(ctx, ask),
        move |plans| {
            let views = plans
                .into_iter()
                .map(PlanView::build)
                .collect::<Result<Vec<_>, _>>()?;
            Reply::ok(&Page::new(views, limit, |v| v.id))
        },
    )
    .await
}

/// One plan with its schedule.
#[utoipa::path(get, path = "/v1/installment-plans/{id}", tag = "installments", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = PlanView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| plans::find_plan(ctx, id),
        |plan| Reply::ok(&PlanView::build(plan)?),
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRefund {
    #[schema(example = "300.00")]
    pub amount: String,
    /// The merchant's refund reference; unique platform-wide.
    #[schema(example = "RF-2026-0042")]
    pub external_reference: String,
}

impl RefundView {
    fn build(done: Refunded) -> Result<RefundView, ApiError> {
        let ccy = currency(&done.plan.loan.currency)?;
        let outcome = done.outcome;
        Ok(RefundView {
            plan: PlanView::build(done.plan)?,
            principal_cut: amount(outcome.principal_cut, ccy),
            to_shopper: amount(outcome.to_shopper, ccy),
            claw_back: amount(outcome.claw_back, ccy),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundView {
    pub plan: PlanView,
    /// Principal the shopper no longer owes (cut from the last installments).
    pub principal_cut: String,
    /// Paid back to the shopper: what it had already paid beyond the new price.
    pub to_shopper: String,
    /// Taken back from the merchant's settlement.
    pub claw_back: String,
}

/// Refunds (part of) the purchase (the plan's merchant, `Idempotency-Key` required).
#[utoipa::path(post, path = "/v1/installment-plans/{id}/refunds", tag = "installments", security(("bearer" = [])),
    request_body = NewRefund, params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = RefundView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refund(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewRefund>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let dto = body.into_inner();
    let ask = Refund {
        plan_id: id.into_inner(),
        reference: crate::text::external_reference(&dto.external_reference)?,
        amount: dto.amount,
    };
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| refund::refund(ctx, ask),
        |done| Reply::created(&RefundView::build(done)?),
    )
    .await
}
