//! The route table: every URL and method the server answers, in one place.

use actix_web::{middleware, web};

use crate::handlers::{health, parties};
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
                .route("/parties/{id}", web::get().to(parties::get)),
        );
}
