//! Extractor configuration: JSON, path and query errors answered in the house error shape.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpRequest};

use crate::error::ApiError;

pub fn json_config(limit_bytes: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit_bytes)
        .error_handler(move |err, _req: &HttpRequest| json_error(err, limit_bytes).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _| {
        ApiError::bad_request("invalid_path", err.to_string(), None).into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _| {
        let (message, field) = describe_serde_message(&err.to_string());
        ApiError::bad_request("invalid_query", message, field.as_deref()).into()
    })
}

fn json_error(err: JsonPayloadError, limit_bytes: usize) -> ApiError {
    match err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::PayloadTooLarge { limit_bytes }
        }
        JsonPayloadError::ContentType => ApiError::bad_request(
            "unsupported_content_type",
            "the body must be JSON with Content-Type: application/json",
            None,
        ),
        JsonPayloadError::Deserialize(e) => deserialize_error(&e),
        other => ApiError::bad_request("malformed_json", other.to_string(), None),
    }
}

/// A body that is JSON but not of the expected shape is told apart from one that is not JSON.
pub fn deserialize_error(e: &serde_json::Error) -> ApiError {
    if !e.is_data() {
        return ApiError::bad_request(
            "malformed_json",
            format!("the body is not valid JSON: {e}"),
            None,
        );
    }
    let (message, field) = describe_serde_message(&e.to_string());
    let code = if message.starts_with("unknown field") {
        "unknown_field"
    } else if message.starts_with("duplicate field") {
        "duplicate_key"
    } else {
        "invalid_body"
    };
    ApiError::bad_request(code, message, field.as_deref())
}

/// serde names the offending field between backticks (`unknown field `status``); the field is
/// lifted out so clients can point at it.
fn describe_serde_message(message: &str) -> (String, Option<String>) {
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field"))
        .map(String::from);
    let clean = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_string();
    (clean, field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unknown_field_is_named() {
        let (message, field) = describe_serde_message(
            "unknown field `status`, expected one of `name` at line 1 column 9",
        );
        assert_eq!(field.as_deref(), Some("status"));
        assert_eq!(message, "unknown field `status`, expected one of `name`");
    }
}
