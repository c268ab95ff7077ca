//! The route table: every URL and method the server answers, in one place.

use actix_web::{middleware, web};

use crate::handlers::quotes::{bill_discount, factoring, installment_plan, schedule};
use crate::handlers::{audit, decisions, health, ledger, outbox, parties, scoring};
use crate::{metrics, openapi};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health/live", web::get().to(health::live))
        .route("/health/ready", web::get().to(health::ready))
        .route("/metrics", web::get().to(metrics::expose))
        .route("/openapi.json", web::get().to(openapi::serve))
        .service(
            web::scope("/v1")
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
                .route("/quotes/schedule", web::post().to(schedule::quote))
                .route(
                    "/quotes/installment-plan",
                    web::post().to(installment_plan::quote),
                )
                .route(
                    "/quotes/bill-discount",
                    web::post().to(bill_discount::quote),
                )
                .route("/quotes/factoring", web::post().to(factoring::quote)),
        );
}
