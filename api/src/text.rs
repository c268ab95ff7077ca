//! Untrusted text at the edge: NUL refused in every JSON body (422 `invalid_text`, naming the
//! field), path and query string (400 `invalid_text`), and identifiers and names checked field
//! by field (422 naming the field) with the one rule in `domain::identifier`.
//!
//! PostgreSQL cannot store NUL in text, so a NUL that reached a query used to surface as a 500;
//! refusing it here, once, covers every endpoint and every field, present and future. In a body
//! `"\u0000"` is well-formed JSON of the documented type, so it is the field's value that is
//! refused (422, like any other unacceptable value); the OpenAPI document publishes "no NUL"
//! for URI parameters instead, where a malformed parameter is a 400.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use domain::identifier::{check_text, Identifier};
use serde_json::Value;

use crate::error::ApiError;

/// The field's own identifier rules: trimmed, 1 to `max_chars` characters, no control or bidi
/// characters, at least one letter or digit. Answers the text and its canonical key.
pub fn identifier(field: &str, raw: &str, max_chars: usize) -> Result<Identifier, ApiError> {
    Identifier::parse(raw, max_chars).map_err(|e| ApiError::invalid(field, format!("{field} {e}")))
}

/// A name or other displayed text: no control characters or bidirectional overrides.
pub fn name(field: &str, raw: &str) -> Result<(), ApiError> {
    check_text(raw).map_err(|e| ApiError::invalid(field, format!("{field} {e}")))
}

const NUL_REFUSED: &str = "text must not contain NUL characters";

/// 400 for a NUL in the URI, naming the query parameter that carries it when there is one.
fn nul_refused(parameter: Option<&str>) -> ApiError {
    ApiError::bad_request("invalid_text", NUL_REFUSED, parameter)
}

/// Refuses a JSON body with a NUL in any string or key, naming where it is.
pub fn refuse_nul_in_json(value: &Value) -> Result<(), ApiError> {
    match find_nul(value, String::new()) {
        Some(path) => Err(ApiError::unprocessable(
            "invalid_text",
            NUL_REFUSED,
            Some(&path),
        )),
        None => Ok(()),
    }
}

fn find_nul(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) => s.contains('\0').then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_nul(v, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                return Some(here);
            }
            find_nul(v, here)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}

/// True when a URI part carries a percent-encoded NUL (a raw NUL cannot reach us in a URI).
fn has_encoded_nul(part: &str) -> bool {
    part.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// Middleware: a NUL in the path or the query string is 400 `invalid_text`, before any
/// extractor or handler sees it.
pub async fn refuse_nul_in_uri(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if has_encoded_nul(req.path()) {
        return Err(nul_refused(None).into());
    }
    // Name the parameter that carries it, as a body's NUL names its field.
    if let Some(pair) = req.query_string().split('&').find(|p| has_encoded_nul(p)) {
        let name = pair.split('=').next().filter(|n| !has_encoded_nul(n));
        return Err(nul_refused(name).into());
    }
    next.call(req).await
}

/// A payer's reference for a payment: an identifier of 1 to 100 characters (unique platform-wide
/// by its canonical key, computed where the transaction is recorded, so one payment is never
/// booked twice however the reference is disguised).
pub fn external_reference(raw: &str) -> Result<String, ApiError> {
    Ok(identifier("external_reference", raw, 100)?
        .text()
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nul_anywhere_in_a_body_is_found_with_its_path() {
        let body = json!({"name": "ok", "monthly_sales": [{"month": "2026-10\u{0}"}]});
        let Err(ApiError::Unprocessable { field, .. }) = refuse_nul_in_json(&body) else {
            panic!("NUL not found");
        };
        assert_eq!(field.as_deref(), Some("monthly_sales[0].month"));
        assert!(refuse_nul_in_json(&json!({"a": ["b", 1, null]})).is_ok());
    }

    #[test]
    fn only_an_encoded_nul_is_refused_in_a_uri() {
        assert!(has_encoded_nul("status=a%00b"));
        assert!(!has_encoded_nul("status=a%2500b"));
        assert!(!has_encoded_nul("/v1/loans"));
    }
}
