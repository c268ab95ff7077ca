//! The risk-officer console: static pages and scripts compiled into the binary and served under
//! `/console/`. The pages call only the public JSON API with the bearer token the officer signs
//! in with (`lendline token --link`), so the console can do nothing a curl user could not.
//!
//! Assets are embedded with `include_bytes!` (a dozen files: a table is simpler than a crate),
//! so the binary works offline and no build step other than `cargo` exists.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::error::ApiError;

/// Where the console lives on the API port.
pub const PATH: &str = "/console/";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/console/", $name)),
        }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

const ASSETS: &[Asset] = &[
    asset!("index.html", HTML),
    asset!("case.html", HTML),
    asset!("portfolio.html", HTML),
    asset!("decision.html", HTML),
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("common.js", JS),
    asset!("charts.js", JS),
    asset!("queue.js", JS),
    asset!("case.js", JS),
    asset!("case_actions.js", JS),
    asset!("portfolio.js", JS),
    asset!("decision.js", JS),
    asset!("vendor/chart.umd.min.js", JS),
];

/// Scripts and styles come from this origin only; no inline script, no framing. The token
/// travels in the fragment, which browsers never send, and no referrer leaves the page.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console", web::get().to(redirect))
        .route("/console/", web::get().to(index))
        .route("/console/{file:.+}", web::get().to(file));
}

async fn redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, PATH))
        .finish()
}

async fn index() -> Result<HttpResponse, ApiError> {
    serve("index.html")
}

async fn file(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    serve(&name)
}

fn serve(name: &str) -> Result<HttpResponse, ApiError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name)
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        // Revalidate on every load, so an upgraded binary never runs yesterday's script.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(asset.body))
}

/// The sign-in link for a server listening on `bind`: the token rides in the fragment, which
/// never reaches a server or a log; the page moves it to session storage at once. A wildcard
/// listen address becomes the loopback one, the address a browser on this machine can open.
pub fn sign_in_link(bind: &str, token: &str) -> String {
    let host = match bind.rsplit_once(':') {
        Some(("0.0.0.0", port)) => format!("127.0.0.1:{port}"),
        Some(("[::]", port)) => format!("[::1]:{port}"),
        _ => bind.to_string(),
    };
    format!("http://{host}{PATH}#token={token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_carries_the_token_in_the_fragment() {
        assert_eq!(
            sign_in_link("127.0.0.1:8080", "abc.def.ghi"),
            "http://127.0.0.1:8080/console/#token=abc.def.ghi"
        );
    }

    #[test]
    fn a_wildcard_listen_address_links_to_loopback() {
        assert_eq!(
            sign_in_link("0.0.0.0:80", "t"),
            "http://127.0.0.1:80/console/#token=t"
        );
        assert_eq!(
            sign_in_link("[::]:80", "t"),
            "http://[::1]:80/console/#token=t"
        );
    }

    #[test]
    fn every_page_is_embedded_and_unknown_files_are_not_found() {
        for page in ["index.html", "case.html", "portfolio.html", "decision.html"] {
            assert!(serve(page).is_ok(), "{page}");
        }
        assert!(serve("../Cargo.toml").is_err());
    }
}
