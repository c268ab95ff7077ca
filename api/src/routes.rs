//! The route table: every URL and method the server answers, in one place.

use actix_web::{middleware, web};

use crate::handlers::quotes::{bill_discount, factoring, installment_plan, schedule};
use crate::handlers::scf;
use crate::handlers::{
    audit, business_day, collateral, credit_lines, decisions, health, installment_offers,
    installment_plans, ledger, lists, loans, orders, outbox, parties, portfolio, reviews, scoring,
};
use crate::openapi;

// Over 70 lines on purpose: the route table reads best as one list.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health/live", web::get().to(health::live))
        .route("/health/ready", web::get().to(health::ready))
        .route("/openapi.json", web::get().to(openapi::serve))
        .configure(crate::console::configure)
        .service(
            web::scope("/v1")
                .wrap(middleware::from_fn(crate::auth::gate::gate))
                .wrap(middleware::DefaultHeaders::new().add(("Cache-Control", "no-store")))
                .route("/parties", web::post().to(parties::create))
                .route("/parties", web::get().to(parties::list))
                .route("/parties/{id}", web::get().to(parties::get))
                .route(
                    "/ledger/trial-balance",
                    web::get().to(ledger::trial_balance),
                )
                .route("/ledger/check", web::get().to(ledger::check))
                .route("/ledger/accounts/{account}", web::get().to(ledger::account))
                .route("/audit/verify", web::get().to(audit::verify))
                .route(
                    "/audit/checkpoints/latest",
                    web::get().to(audit::latest_checkpoint),
                )
                .route(
                    "/audit/checkpoints",
                    web::post().to(audit::create_checkpoint),
                )
                .route("/audit/events", web::get().to(audit::events))
                .route("/admin/outbox", web::get().to(outbox::list))
                .route("/admin/outbox/{id}/replay", web::post().to(outbox::replay))
                .route("/scoring/models", web::post().to(scoring::upload))
                .route("/scoring/models", web::get().to(scoring::list))
                .route(
                    "/scoring/models/{id}/activate",
                    web::post().to(scoring::activate),
                )
                .route("/credit/assessments", web::post().to(decisions::assess))
                .route("/decisions/{id}", web::get().to(decisions::get))
                .route("/portfolio", web::get().to(portfolio::summary))
                .route("/admin/business-date", web::get().to(business_day::get))
                .route("/admin/business-date", web::put().to(business_day::set))
                .route("/admin/eod", web::post().to(business_day::run))
                .route(
                    "/credit-line-applications",
                    web::post().to(credit_lines::apply),
                )
                .route(
                    "/credit-line-applications/{id}",
                    web::get().to(credit_lines::get_application),
                )
                .route("/credit-lines", web::get().to(credit_lines::list_lines))
                .route("/credit-lines/{id}", web::get().to(credit_lines::get_line))
                .route(
                    "/credit-lines/{id}/draws",
                    web::post().to(credit_lines::draw),
                )
                .route("/loans", web::get().to(loans::list))
                .route("/loans/{id}", web::get().to(loans::get))
                .route(
                    "/loans/{id}/transactions",
                    web::get().to(loans::transactions),
                )
                .route("/loans/{id}/payoff", web::get().to(loans::payoff))
                .route("/loans/{id}/repayments", web::post().to(loans::repay))
                .route("/loans/{id}/write-off", web::post().to(loans::write_off))
                .route("/reviews", web::get().to(reviews::list))
                .route("/reviews/{id}", web::get().to(reviews::get))
                .route("/reviews/{id}/claim", web::post().to(reviews::claim))
                .route("/reviews/{id}/decision", web::post().to(reviews::decide))
                .route("/reviews/{id}/confirm", web::post().to(reviews::confirm))
                .route("/quotes/schedule", web::post().to(schedule::quote))
                .route(
                    "/quotes/installment-plan",
                    web::post().to(installment_plan::quote),
                )
                .route(
                    "/quotes/bill-discount",
                    web::post().to(bill_discount::quote),
                )
                .route("/quotes/factoring", web::post().to(factoring::quote))
                .configure(supply_chain_finance)
                .configure(checkout_and_asset_finance),
        );
}

// Over 70 lines on purpose: one family's routes, read as one list.
/// Supply-chain finance: programs, the registry, factoring, pools and bills.
fn supply_chain_finance(cfg: &mut web::ServiceConfig) {
    cfg.route("/factoring-programs", web::post().to(scf::programs::create))
        .route(
            "/factoring-programs/{id}",
            web::get().to(scf::programs::get),
        )
        .route(
            "/factoring-programs/{id}/suppliers",
            web::post().to(scf::programs::join),
        )
        .route(
            "/factoring-programs/{id}/suppliers/{supplier_id}",
            web::get().to(scf::membership::get),
        )
        .route(
            "/factoring-programs/{id}/suppliers/{supplier_id}/approve",
            web::post().to(scf::programs::approve),
        )
        .route("/receivables", web::post().to(scf::receivables::submit))
        .route("/receivables", web::get().to(scf::receivables::list))
        .route("/receivables/{id}", web::get().to(scf::receivables::get))
        .route(
            "/receivables/{id}/confirm",
            web::post().to(scf::receivables::confirm),
        )
        .route(
            "/receivables/{id}/dispute",
            web::post().to(scf::receivables::dispute),
        )
        .route(
            "/receivables/{id}/cancel",
            web::post().to(scf::receivables::cancel),
        )
        .route(
            "/receivables/{id}/payments",
            web::post().to(scf::settlement::pay),
        )
        .route(
            "/receivables/{id}/default",
            web::post().to(scf::settlement::default),
        )
        .route(
            "/registry/{fingerprint}",
            web::get().to(scf::registry::check),
        )
        .route(
            "/factoring-requests",
            web::post().to(scf::factoring::create),
        )
        .route(
            "/factoring-requests",
            web::get().to(lists::factoring_requests),
        )
        .route(
            "/factoring-requests/{id}",
            web::get().to(scf::factoring::get),
        )
        .route("/pools", web::get().to(lists::pools))
        .route("/pools/{id}", web::get().to(scf::pools::get))
        .route("/bills", web::get().to(lists::bills))
        .route("/pools/{id}/draws", web::post().to(scf::pools::draw))
        .route("/bills", web::post().to(scf::bills::register_bill))
        .route("/bills/{id}", web::get().to(scf::bills::get))
        .route("/bills/{id}/accept", web::post().to(scf::bills::accept))
        .route(
            "/bills/{id}/endorsements",
            web::post().to(scf::bills::endorse),
        )
        .route(
            "/bills/{id}/discount",
            web::post().to(scf::bill_discount::discount),
        )
        .route(
            "/bills/{id}/payment",
            web::post().to(scf::bill_discount::pay),
        )
        .route(
            "/bills/{id}/dishonour",
            web::post().to(scf::bill_discount::dishonour),
        );
}

/// Installment plans at checkout, order financing and inventory financing.
fn checkout_and_asset_finance(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/installment-offers",
        web::post().to(installment_offers::create),
    )
    .route(
        "/installment-offers",
        web::get().to(installment_offers::list),
    )
    .route(
        "/installment-plans",
        web::post().to(installment_plans::create),
    )
    .route("/installment-plans", web::get().to(installment_plans::list))
    .route(
        "/installment-plans/{id}",
        web::get().to(installment_plans::get),
    )
    .route(
        "/installment-plans/{id}/refunds",
        web::post().to(installment_plans::refund),
    )
    .route("/orders", web::post().to(orders::create))
    .route("/orders", web::get().to(lists::orders))
    .route("/orders/{id}", web::get().to(orders::get))
    .route("/orders/{id}/financing", web::post().to(orders::finance))
    .route("/orders/{id}/settlement", web::post().to(orders::settle))
    .route("/collateral", web::post().to(collateral::pledge))
    .route("/collateral", web::get().to(lists::collateral))
    .route("/collateral/{id}", web::get().to(collateral::get))
    .route("/collateral/{id}/draws", web::post().to(collateral::draw))
    .route(
        "/collateral/{id}/valuations",
        web::post().to(collateral::revalue),
    )
    .route(
        "/collateral/{id}/release",
        web::post().to(collateral::release),
    );
}
