//! Answers the server gives before any handler runs, in the house error shape: 405 for a method
//! a path does not declare (with `Allow`), 404 for an unknown path, and 431 for request heads
//! too large to accept.
//!
//! actix itself answers 431 with an empty body when a request head overflows its fixed parser
//! limits (96 headers or 128 KiB; neither is configurable). The middleware here refuses heads
//! well below those limits, so every head a client can realistically send that is too large
//! gets the JSON answer; only a head beyond actix's own limits still gets actix's bare 431.

use std::sync::OnceLock;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};
use utoipa::OpenApi;

use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::openapi::ApiDoc;

/// At most this many request headers (actix refuses more than 96 before any service runs).
pub const MAX_HEADER_COUNT: usize = 64;
/// At most this many bytes of header names and values together (actix: 128 KiB of head).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Middleware: refuses oversized request heads with a JSON 431.
pub async fn header_limits(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADER_COUNT || bytes > MAX_HEADER_BYTES {
        let message = format!(
            "request headers exceed {MAX_HEADER_COUNT} headers or {MAX_HEADER_BYTES} bytes"
        );
        let response = error_response(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            message,
        );
        return Ok(req.into_response(response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The default service: 405 with `Allow` when the path exists under other methods, else 404.
pub async fn unmatched(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(methods) = methods_of(req.path()) else {
        return Err(ApiError::NotFound);
    };
    let message = format!("{} is not allowed here; allowed: {methods}", req.method());
    let mut response = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        message,
    );
    if let Ok(value) = header::HeaderValue::from_str(methods) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Ok(response)
}

fn error_response(status: StatusCode, code: &str, message: String) -> HttpResponse {
    HttpResponse::build(status).json(ErrorBody {
        error: ErrorDetail {
            code: code.into(),
            message,
            field: None,
        },
    })
}

/// A documented path: its segments (`None` for a `{parameter}`) and its methods, e.g. `GET, POST`.
type KnownPath = (Vec<Option<String>>, String);

/// The methods declared for the path that `path` matches, taken from the OpenAPI document so
/// the 405 answer and the published contract cannot disagree.
fn methods_of(path: &str) -> Option<&'static str> {
    static PATHS: OnceLock<Vec<KnownPath>> = OnceLock::new();
    let known = PATHS.get_or_init(known_paths);
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    known
        .iter()
        .find(|(pattern, _)| {
            pattern.len() == segments.len()
                && pattern.iter().zip(&segments).all(|(p, s)| match p {
                    Some(literal) => literal == s,
                    None => !s.is_empty(),
                })
        })
        .map(|(_, methods)| methods.as_str())
}

fn known_paths() -> Vec<KnownPath> {
    let doc = ApiDoc::openapi();
    let mut known: Vec<KnownPath> = doc
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let declared = [
                ("GET", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
            ];
            let methods: Vec<&str> = declared
                .iter()
                .filter(|(_, yes)| *yes)
                .map(|(m, _)| *m)
                .collect();
            (pattern(path), methods.join(", "))
        })
        .collect();
    // The document itself is served outside the document.
    known.push((pattern("/openapi.json"), "GET".into()));
    // Literal paths first, so `/audit/checkpoints/latest` wins over `/audit/checkpoints/{id}`.
    known.sort_by_key(|(p, _)| p.iter().filter(|s| s.is_none()).count());
    known
}

fn pattern(path: &str) -> Vec<Option<String>> {
    path.split('/')
        .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
        .collect()
}
