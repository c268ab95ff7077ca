//! The one error type handlers return and its mapping to HTTP.
//!
//! Every response body has the shape `{"error":{"code":…,"message":…,"field":…}}`. Server
//! errors log their whole cause and answer a bland message: no SQL, stack trace or host name
//! ever reaches a client.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use persistence::RepoError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be understood (malformed JSON, unknown field, bad parameter).
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("this role may not call this endpoint")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// 409: the request conflicts with the current state (duplicate, concurrent change).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        field: Option<String>,
        retry_after_seconds: Option<u32>,
    },
    #[error("request body larger than {limit_bytes} bytes")]
    PayloadTooLarge { limit_bytes: usize },
    /// 408: the body did not arrive within its deadline.
    #[error("the request body did not arrive within {millis} ms")]
    BodyTimeout { millis: u128 },
    /// 422: well-formed, but a business rule refuses it.
    #[error("{message}")]
    Unprocessable {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: u32 },
    #[error("temporarily unavailable")]
    Unavailable { retry_after_seconds: u32 },
    /// 500: the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The error body, as documented in the OpenAPI.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable code, e.g. `validation_failed`, `unknown_field`, `not_found`.
    pub code: String,
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(cause.to_string())
    }

    pub fn bad_request(
        code: &'static str,
        message: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
            field: field.map(String::from),
        }
    }

    /// A well-formed field whose value is not acceptable.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::unprocessable("validation_failed", message, Some(field))
    }

    pub fn unprocessable(
        code: &'static str,
        message: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        ApiError::Unprocessable {
            code,
            message: message.into(),
            field: field.map(String::from),
        }
    }

    fn parts(&self) -> (&str, String, Option<&str>) {
        match self {
            ApiError::BadRequest {
                code,
                message,
                field,
            }
            | ApiError::Unprocessable {
                code,
                message,
                field,
            }
            | ApiError::Conflict {
                code,
                message,
                field,
                ..
            } => (code, message.clone(), field.as_deref()),
            ApiError::Unauthorized(message) => ("unauthorized", (*message).to_string(), None),
            ApiError::Forbidden => ("forbidden", self.to_string(), None),
            ApiError::NotFound => ("not_found", "no such object".into(), None),
            ApiError::PayloadTooLarge { .. } => ("payload_too_large", self.to_string(), None),
            ApiError::BodyTimeout { .. } => ("request_timeout", self.to_string(), None),
            ApiError::TooManyRequests { .. } => ("rate_limited", self.to_string(), None),
            ApiError::Unavailable { .. } => (
                "unavailable",
                "temporarily unavailable, retry later".into(),
                None,
            ),
            ApiError::Internal(_) => ("internal_error", "internal error".into(), None),
        }
    }

    /// The JSON body clients receive.
    pub fn body(&self) -> ErrorBody {
        let (code, message, field) = self.parts();
        ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message,
                field: field.map(String::from),
            },
        }
    }

    fn retry_after(&self) -> Option<u32> {
        match self {
            ApiError::TooManyRequests {
                retry_after_seconds,
            }
            | ApiError::Unavailable {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            ApiError::Conflict {
                retry_after_seconds,
                ..
            } => *retry_after_seconds,
            ApiError::BadRequest { .. }
            | ApiError::Unauthorized(_)
            | ApiError::Forbidden
            | ApiError::NotFound
            | ApiError::PayloadTooLarge { .. }
            | ApiError::BodyTimeout { .. }
            | ApiError::Unprocessable { .. }
            | ApiError::Internal(_) => None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "request failed");
        }
        let body = self.body();
        let mut response = HttpResponse::build(self.status_code());
        if let Some(seconds) = self.retry_after() {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if matches!(self, ApiError::Unauthorized(_)) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(body)
    }
}

/// The single place where storage errors become HTTP errors.
impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => ApiError::NotFound,
            RepoError::Conflict { constraint } => conflict_for(&constraint),
            RepoError::Constraint { constraint }
                if persistence::error::constraint_is(&constraint, BUSINESS_DAY_CLOSED) =>
            {
                business_day_closed()
            }
            RepoError::Constraint { constraint } => {
                // The name is ours, not the client's: logged for us, never sent.
                tracing::info!(%constraint, "a database constraint refused a write");
                ApiError::unprocessable(
                    "constraint_violation",
                    "the request refers to something that does not exist or breaks a data rule",
                    None,
                )
            }
            RepoError::Serialization => ApiError::Conflict {
                code: "concurrent_update",
                message: "a concurrent request changed the same data; retry".into(),
                field: None,
                retry_after_seconds: Some(1),
            },
            RepoError::Pool(cause) | RepoError::Unavailable(cause) => {
                tracing::warn!(%cause, "database busy or unreachable");
                ApiError::Unavailable {
                    retry_after_seconds: 1,
                }
            }
            RepoError::Corrupt(cause) | RepoError::Database(cause) => ApiError::Internal(cause),
        }
    }
}

/// The single place where use-case errors become HTTP errors.
impl From<crate::usecases::UseCaseError> for ApiError {
    fn from(e: crate::usecases::UseCaseError) -> Self {
        use crate::usecases::UseCaseError as E;
        match e {
            E::Invalid { field, source } => ApiError::invalid(&field, source.to_string()),
            E::Refused {
                code,
                message,
                field,
            } => ApiError::unprocessable(code, message, field),
            E::NotFound => ApiError::NotFound,
            E::Conflict {
                code,
                message,
                field,
            } => ApiError::Conflict {
                code,
                message,
                field: field.map(String::from),
                retry_after_seconds: None,
            },
            E::Forbidden => ApiError::Forbidden,
            E::Storage(e) => e.into(),
            corrupt @ E::Corrupt { .. } => {
                ApiError::internal(crate::telemetry::error_chain(&corrupt))
            }
        }
    }
}

/// The database refuses a ledger posting dated on a day end of day has closed (a trigger on
/// `journal_entries`, so no code path can book money on a closed day).
const BUSINESS_DAY_CLOSED: &str = "business_day_closed";

/// What a posting on a closed day answers, whichever money movement it was.
pub fn business_day_closed() -> ApiError {
    ApiError::Conflict {
        code: BUSINESS_DAY_CLOSED,
        message: "that business day is closed by end of day: money can no longer move on it".into(),
        field: None,
        retry_after_seconds: None,
    }
}

impl ApiError {
    /// A posting was refused because its day is closed: the business date this process keeps
    /// may be behind an end of day run elsewhere.
    pub fn is_business_day_closed(&self) -> bool {
        matches!(self, ApiError::Conflict { code, .. } if *code == BUSINESS_DAY_CLOSED)
    }
}

/// The unique constraints whose violation names a field, so that clients can point at it.
const CONFLICTS: [(&str, &str, Option<&str>); 5] = [
    (
        persistence::parties::REGISTRATION_TAKEN,
        "a party with this registration number already exists in this country",
        Some("registration_number"),
    ),
    (
        "scoring_models_pkey",
        "this model version is already stored and versions are immutable: upload a new version",
        Some("document.version"),
    ),
    (
        persistence::loans::REFERENCE_TAKEN,
        "a payment with this external reference was already booked",
        Some("external_reference"),
    ),
    (
        persistence::installment_plans::ORDER_TAKEN,
        "an installment plan for this order reference already exists",
        Some("order_reference"),
    ),
    (
        "orders_merchant_order_key_unique",
        "an order with this number is already registered for this merchant",
        Some("order_number"),
    ),
];

/// Names the field behind a unique constraint. Matched with `constraint_is`, so a Citus shard's
/// name (the constraint's name with the shard id appended) maps like the table's own.
fn conflict_for(constraint: &str) -> ApiError {
    let (message, field) = CONFLICTS
        .iter()
        .find(|(ours, _, _)| persistence::error::constraint_is(constraint, ours))
        .map_or(
            ("the object already exists", None),
            |(_, message, field)| (*message, *field),
        );
    ApiError::Conflict {
        code: "duplicate",
        message: message.into(),
        field: field.map(String::from),
        retry_after_seconds: None,
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::{conflict_for, ApiError};

    fn field_of(error: ApiError) -> Option<String> {
        match error {
            ApiError::Conflict { field, .. } => field,
            other => panic!("not a conflict: {other:?}"),
        }
    }

    #[test]
    fn a_shards_unique_violation_names_the_same_field_as_the_tables() {
        let table = field_of(conflict_for("orders_merchant_order_key_unique"));
        let shard = field_of(conflict_for("orders_merchant_order_key_unique_102044"));
        assert_eq!(table.as_deref(), Some("order_number"));
        assert_eq!(shard, table);
    }

    #[test]
    fn an_unknown_unique_violation_names_no_field() {
        assert_eq!(field_of(conflict_for("parties_pkey_102008")), None);
    }
}
