//! The OpenAPI 3 document, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{Schema, SchemaType};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::openapi::{ObjectBuilder, Type};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};
use crate::handlers::quotes::{self, bill_discount, factoring, installment_plan, schedule};
use crate::handlers::scf;
use crate::handlers::{
    audit, business_day, collateral, credit_lines, decisions, health, installment_offers,
    installment_plans, ledger, lists, loans, orders, outbox, parties, portfolio, reviews, scoring,
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
        scf::programs::create, scf::programs::get, scf::programs::join, scf::programs::approve, scf::membership::get,
        scf::receivables::submit, scf::receivables::list, scf::receivables::get, scf::receivables::confirm,
        scf::receivables::dispute, scf::receivables::cancel, scf::settlement::pay, scf::settlement::default,
        scf::registry::check, scf::factoring::create, scf::factoring::get, scf::pools::get, scf::pools::draw,
        scf::bills::register_bill, scf::bills::get, scf::bills::accept, scf::bills::endorse,
        scf::bill_discount::discount, scf::bill_discount::pay, scf::bill_discount::dishonour,
        installment_offers::create, installment_offers::list,
        installment_plans::create, installment_plans::list, installment_plans::get, installment_plans::refund,
        orders::create, orders::get, orders::finance, orders::settle,
        collateral::pledge, collateral::get, collateral::draw, collateral::revalue, collateral::release,
        lists::orders, lists::collateral, lists::factoring_requests, lists::pools, lists::bills,
        portfolio::summary),
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
        collateral::NewValuation, collateral::ValuationView,
        portfolio::PortfolioView, portfolio::ExposureView, portfolio::BucketView, portfolio::EodRunView)),
    modifiers(&BearerAuth, &ErrorStatuses),
    tags((name = "health"), (name = "parties"), (name = "ledger"), (name = "audit"), (name = "outbox"),
        (name = "scoring"), (name = "operations"), (name = "credit lines"), (name = "loans"), (name = "reviews"),
        (name = "quotes", description = "Stateless pricing; any authenticated caller."), (name = "supply-chain finance"),
        (name = "installments"), (name = "order financing"), (name = "inventory financing"),
        (name = "portfolio", description = "Staff: exposure, days past due, end of day."))
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

/// Documents the error statuses every operation can answer besides those its annotation names:
/// they follow from what the operation takes (a token, a path id, a body, an idempotency key)
/// and from the middleware in front of every handler, so they are derived here in one place
/// rather than repeated, and possibly forgotten, on each of the handlers.
struct ErrorStatuses;

impl Modify for ErrorStatuses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let probe = path.starts_with("/health/");
            let operations = [
                (&mut item.get, false),
                (&mut item.put, true),
                (&mut item.post, true),
                (&mut item.delete, true),
                (&mut item.patch, true),
            ];
            for (operation, writes) in operations {
                if let Some(operation) = operation.as_mut() {
                    document_errors(operation, probe, writes);
                }
            }
        }
    }
}

/// The Idempotency-Key header as the server accepts it: 1 to 200 visible ASCII characters
/// (a header value is ASCII; surrounding blanks are trimmed, so none are promised).
fn constrain_idempotency_key(operation: &mut Operation) {
    let Some(params) = operation.parameters.as_mut() else {
        return;
    };
    for p in params
        .iter_mut()
        .filter(|p| p.name == crate::idempotency::HEADER)
    {
        let max = crate::idempotency::MAX_KEY_CHARS;
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(max))
            .pattern(Some(format!("^[!-~]([ -~]{{0,{}}}[!-~])?$", max - 2)))
            .build();
        p.schema = Some(RefOr::T(schema.into()));
    }
}

/// What the server refuses in every path and query string (a NUL, 400 `invalid_text`, see
/// [`crate::text`]), published on each free-text parameter that names no stricter format,
/// pattern or set of values; those that do exclude a NUL already.
const NO_NUL_PATTERN: &str = r"^[^\u0000]*$";

fn refuse_nul_in_uri_parameters(operation: &mut Operation) {
    let Some(params) = operation.parameters.as_mut() else {
        return;
    };
    let uri = |p: &&mut Parameter| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query);
    for p in params.iter_mut().filter(uri) {
        if let Some(RefOr::T(Schema::Object(object))) = p.schema.as_mut() {
            let free_text = object.schema_type == SchemaType::Type(Type::String)
                && object.format.is_none()
                && object.pattern.is_none()
                && object.enum_values.is_none();
            if free_text {
                object.pattern = Some(NO_NUL_PATTERN.to_string());
            }
        }
    }
}

fn document_errors(operation: &mut Operation, probe: bool, writes: bool) {
    constrain_idempotency_key(operation);
    refuse_nul_in_uri_parameters(operation);
    let params = operation.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let (in_path, in_query) = (has(ParameterIn::Path), has(ParameterIn::Query));
    let idempotent = params.iter().any(|p| p.name == "Idempotency-Key");
    let body = operation.request_body.is_some();
    let secured = operation.security.is_some();
    let mut add = |status: &str, when: bool, description: &str| {
        if when {
            let responses = &mut operation.responses.responses;
            responses
                .entry(status.to_string())
                .or_insert_with(|| error_response(status, description));
        }
    };
    add(
        "400",
        in_path || in_query || body || idempotent,
        "malformed request: bad JSON, unknown field, bad parameter",
    );
    add("401", secured, "missing, invalid or expired token");
    add(
        "403",
        secured,
        "the caller's role may not call this operation",
    );
    add("404", in_path, "no such object, or another party's");
    add(
        "409",
        writes && (body || idempotent),
        "conflict: duplicate, concurrent change, or an idempotency key reused with another request",
    );
    add("413", body, "request body too large");
    add(
        "422",
        body || in_query,
        "a business rule or a field's value refuses the request",
    );
    add(
        "429",
        !probe,
        "over the caller's request rate; see Retry-After",
    );
    add("431", true, "request headers too large");
    add(
        "503",
        true,
        "overloaded or the database is unreachable; see Retry-After",
    );
}

fn error_response(status: &str, description: &str) -> RefOr<Response> {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    let mut response = ResponseBuilder::new()
        .description(description)
        .content("application/json", content);
    if status == "429" || status == "503" {
        let seconds = ObjectBuilder::new().schema_type(Type::Integer).build();
        response = response.header("Retry-After", Header::new(seconds));
    }
    RefOr::T(response.build())
}

/// `GET /openapi.json`.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
