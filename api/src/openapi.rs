//! The OpenAPI 3 document, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};
use crate::handlers::quotes::{self, bill_discount, factoring, installment_plan, schedule};
use crate::handlers::scf;
use crate::handlers::{
    audit, business_day, collateral, credit_lines, decisions, health, installment_offers,
    installment_plans, ledger, loans, orders, outbox, parties, reviews, scoring,
};
use crate::pagination::Page;

#[derive(OpenApi)]
#[openapi(
    info(title = "Lendline API", description = "Supply-chain financing and merchant lending."),
    paths(health::live, health::ready, parties::create, parties::get, parties::list,
        ledger::trial_balance, ledger::account, ledger::check,
        audit::verify, audit::latest_checkpoint, audit::create_checkpoint, audit::events,
        outbox::list, outbox::replay,
        scoring::upload, scoring::list, scoring::activate, decisions::assess, decisions::get,
        business_day::get, business_day::set, business_day::run,
        credit_lines::apply, credit_lines::get_application, credit_lines::list_lines, credit_lines::get_line, credit_lines::draw,
        loans::list, loans::get, loans::transactions, loans::payoff, loans::repay, loans::write_off,
        reviews::list, reviews::get, reviews::claim, reviews::decide, reviews::confirm,
        schedule::quote, installment_plan::quote, bill_discount::quote, factoring::quote,
        scf::programs::create, scf::programs::get, scf::programs::join, scf::programs::approve,
        scf::receivables::submit, scf::receivables::list, scf::receivables::get, scf::receivables::confirm,
        scf::receivables::dispute, scf::receivables::cancel, scf::settlement::pay, scf::settlement::default,
        scf::registry::check, scf::factoring::create, scf::factoring::get, scf::pools::get, scf::pools::draw,
        scf::bills::register_bill, scf::bills::get, scf::bills::accept, scf::bills::endorse,
        scf::bill_discount::discount, scf::bill_discount::pay, scf::bill_discount::dishonour,
        installment_offers::create, installment_offers::list,
        installment_plans::create, installment_plans::list, installment_plans::get, installment_plans::refund,
        orders::create, orders::get, orders::finance, orders::settle,
        collateral::pledge, collateral::get, collateral::draw, collateral::revalue, collateral::release),
    components(schemas(ErrorBody, ErrorDetail, parties::NewParty, parties::PartyView,
        parties::MonthlySales, parties::PartyKind, Page<parties::PartyView>,
        ledger::TrialBalanceView, ledger::AccountView, ledger::BalanceCheckView,
        audit::VerifyView, audit::CheckpointView, audit::EventsView,
        outbox::OutboxEmailView, outbox::OutboxStatus, Page<outbox::OutboxEmailView>,
        scoring::UploadModel, scoring::ModelView, scoring::ModelsView, scoring::Activation,
        scoring::AssignmentRole, scoring::AssignmentView, decisions::NewAssessment,
        decisions::DecisionView, decisions::PartyDecisionView, decisions::DecisionResponse,
        decisions::ReasonView, decisions::FeaturePointsView, decisions::FiredRuleView,
        schedule::ScheduleQuoteRequest, quotes::ScheduleView, quotes::InstallmentView,
        installment_plan::InstallmentPlanRequest, installment_plan::PricingRequest,
        installment_plan::SubsidyRequest, installment_plan::InstallmentPlanView,
        bill_discount::BillDiscountRequest, bill_discount::BillDiscountView,
        factoring::FactoringRequest, factoring::FactoringView, factoring::SettlementPreview,
        scf::programs::NewProgram, scf::programs::ProgramView, scf::programs::MemberView,
        scf::receivables::NewReceivable, scf::receivables::ReceivableView, Page<scf::receivables::ReceivableView>,
        scf::settlement::NewPayment, scf::settlement::NewDefault, scf::settlement::SettlementView,
        scf::registry::RegistryView, scf::factoring::NewFactoringRequest, scf::factoring::FactoringRequestView,
        scf::pools::NewDraw, scf::pools::DrawView, scf::bills::NewBill, scf::bills::BillView, scf::bills::Medium,
        scf::bills::EndorsementView, scf::bills::NewEndorsement, scf::bill_discount::NewDiscount,
        scf::bill_discount::MaturityEvent,
        installment_offers::NewOffer, installment_offers::OfferView, installment_offers::Payer,
        Page<installment_offers::OfferView>, installment_plans::NewPlan, installment_plans::PlanView,
        installment_plans::CheckoutView, installment_plans::NewRefund, installment_plans::RefundView,
        Page<installment_plans::PlanView>, orders::OrderKind, orders::NewOrder, orders::OrderView,
        orders::NewFinancing, orders::NewSettlement, orders::OrderSettlementView,
        collateral::NewPledge, collateral::CollateralView, collateral::NewCollateralDraw,
        collateral::NewValuation, collateral::ValuationView)),
    modifiers(&BearerAuth),
    tags((name = "health"), (name = "parties"), (name = "ledger"), (name = "audit"), (name = "outbox"),
        (name = "scoring"), (name = "operations"), (name = "credit lines"), (name = "loans"), (name = "reviews"),
        (name = "quotes", description = "Stateless pricing; any authenticated caller."), (name = "supply-chain finance"),
        (name = "installments"), (name = "order financing"), (name = "inventory financing"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// `GET /openapi.json`.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
