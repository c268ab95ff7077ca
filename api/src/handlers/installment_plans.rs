//! Installment plans at checkout: creating one (the merchant, for a shopper), reading them
//! (the shopper its own, the merchant those at its store) and merchant refunds. The shopper
//! repays and settles early through `/v1/loans/{id}/…`: a plan is a loan.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::money::Money;
use persistence::installment_plans::{self, PlanFilter, PlanRow};
use persistence::loans::{self, InstallmentRow, LoanRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::handlers::loans::{InstallmentView, LoanView};
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::lending::installments::{self, Checkout, CheckoutOutcome};
use crate::lending::{business_date, currency, refunds};
use crate::pagination::Page;
use crate::state::AppState;
use crate::views::amount;

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
    fn build(
        caller: &Caller,
        plan: &PlanRow,
        loan: &LoanRow,
        schedule: &[InstallmentRow],
    ) -> Result<PlanView, ApiError> {
        let ccy = currency(&loan.currency)?;
        let full = LoanView::build(loan, schedule)?;
        let shows_loan = caller.role != Role::Merchant;
        Ok(PlanView {
            id: plan.loan_id,
            offer_id: plan.offer_id,
            merchant_id: plan.merchant_id,
            shopper_id: plan.shopper_id,
            order_reference: plan.order_reference.clone(),
            currency: loan.currency.clone(),
            purchase_amount: amount(plan.purchase_amount, ccy),
            merchant_subsidy: amount(plan.merchant_subsidy, ccy),
            merchant_settlement: amount(plan.merchant_settlement, ccy),
            refunded: amount(plan.refunded, ccy),
            clawed_back: amount(plan.clawed_back, ccy),
            status: loan.status.clone(),
            schedule: LoanView::build(loan, schedule)?.schedule,
            loan: shows_loan.then_some(full),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckoutView {
    /// `approved` or `declined`.
    pub outcome: String,
    pub decision_id: Uuid,
    /// Why a plan was declined (readable texts, never scores).
    pub reasons: Vec<String>,
    pub plan: Option<PlanView>,
}

const READERS: [Role; 4] = [
    Role::Merchant,
    Role::Shopper,
    Role::RiskOfficer,
    Role::Admin,
];

/// Loads a plan the caller may see: its shopper, its merchant, or staff; others get 404.
fn visible_plan(
    conn: &mut diesel::PgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<PlanRow, ApiError> {
    let plan = installment_plans::find_plan(conn, id)?;
    let owner = match caller.role {
        Role::Merchant => plan.merchant_id,
        _ => plan.shopper_id,
    };
    caller.ensure_can_see(&[owner])?;
    Ok(plan)
}

/// Offers a plan at checkout (merchant, `Idempotency-Key` required): the engine decides on
/// the shopper at once; on approval the merchant is settled and the schedule created.
#[utoipa::path(post, path = "/v1/installment-plans", tag = "installments", security(("bearer" = [])),
    request_body = NewPlan, params(("Idempotency-Key" = String, Header)),
    responses((status = 201, body = CheckoutView), (status = 200, description = "declined", body = CheckoutView),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody<NewPlan>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant])?;
    let hash = body.hash().to_string();
    let dto = body.value;
    let reference = crate::text::identifier("order_reference", &dto.order_reference, 100)?
        .text()
        .to_string();
    let (who, actor) = (caller.clone(), caller.actor());
    let (policy, models) = (state.policy.loans.clone(), state.policy.models.clone());
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let offer = installment_plans::find_offer(conn, dto.offer_id)?;
            who.ensure_can_see(&[offer.merchant_id])?;
            let ccy = currency(&offer.currency)?;
            let purchase = Money::parse_positive(&dto.purchase_amount, ccy)
                .map_err(|e| ApiError::invalid("purchase_amount", e.to_string()))?;
            let checkout = Checkout {
                shopper_id: dto.shopper_id,
                order_reference: reference,
                purchase,
            };
            let today = business_date(conn)?;
            match installments::create_plan(
                conn, &models, &offer, &checkout, today, &policy, &actor,
            )? {
                CheckoutOutcome::Approved(booked) => {
                    let (plan, loan, schedule) = *booked;
                    let view = CheckoutView {
                        outcome: "approved".into(),
                        decision_id: plan.decision_id,
                        reasons: Vec::new(),
                        plan: Some(PlanView::build(&who, &plan, &loan, &schedule)?),
                    };
                    Ok((StatusCode::CREATED, view))
                }
                CheckoutOutcome::Declined {
                    decision_id,
                    reasons,
                } => Ok((
                    StatusCode::OK,
                    CheckoutView {
                        outcome: "declined".into(),
                        decision_id,
                        reasons,
                        plan: None,
                    },
                )),
            }
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
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PlanQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&READERS)?;
    let limit = state.page_size(query.limit);
    // A party sees only its own plans whatever it asks; staff filter as they like.
    let staff = caller.role.is_staff();
    let filter = PlanFilter {
        merchant: if staff {
            query.merchant_id
        } else {
            caller.party().filter(|_| caller.role == Role::Merchant)
        },
        shopper: if staff {
            query.shopper_id
        } else {
            caller.party().filter(|_| caller.role == Role::Shopper)
        },
        status: query.status.map(|s| s.as_str()),
        after: query.after,
        limit,
    };
    let who = caller.clone();
    let views = state
        .transaction(move |conn| {
            let plans = installment_plans::list_plans(conn, &filter)?;
            plans
                .iter()
                .map(|p| {
                    let loan = loans::find(conn, p.loan_id)?;
                    PlanView::build(&who, p, &loan, &[])
                })
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::new(views, limit, |v| v.id)))
}

/// One plan with its schedule.
#[utoipa::path(get, path = "/v1/installment-plans/{id}", tag = "installments", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = PlanView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&READERS)?;
    let id = id.into_inner();
    let view = state
        .transaction(move |conn| {
            let plan = visible_plan(conn, &caller, id)?;
            let loan = loans::find(conn, id)?;
            PlanView::build(&caller, &plan, &loan, &loans::installments(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
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
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<NewRefund>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant])?;
    let hash = body.hash().to_string();
    let (id, dto, actor, who) = (id.into_inner(), body.value, caller.actor(), caller.clone());
    let reference = crate::lending::external_reference(&dto.external_reference)?;
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            visible_plan(conn, &who, id)?;
            let loan = loans::find(conn, id)?;
            let ccy = currency(&loan.currency)?;
            let value = Money::parse_positive(&dto.amount, ccy)
                .map_err(|e| ApiError::invalid("amount", e.to_string()))?;
            let today = business_date(conn)?;
            let (plan, loan, outcome) =
                refunds::refund(conn, id, value, &reference, today, &actor)?;
            let schedule = loans::installments(conn, id)?;
            let view = RefundView {
                plan: PlanView::build(&who, &plan, &loan, &schedule)?,
                principal_cut: amount(outcome.principal_cut, ccy),
                to_shopper: amount(outcome.to_shopper, ccy),
                claw_back: amount(outcome.claw_back, ccy),
            };
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}
