//! The credit assessment as the use-case layer calls it: [`super::assess`] with its errors
//! told in use-case terms. A bridge while the scoring service itself still answers `ApiError`;
//! it goes once the service speaks `UseCaseError` natively.

use diesel::PgConnection;
use persistence::RepoError;

use super::{AssessmentRequest, ModelCache, StoredDecision};
use crate::error::ApiError;
use crate::usecases::UseCaseError;

/// Decides, stores and audits `request` (see [`super::assess`]).
pub fn assess(
    conn: &mut PgConnection,
    models: &ModelCache,
    request: &AssessmentRequest,
) -> Result<StoredDecision, UseCaseError> {
    super::assess(conn, models, request).map_err(told)
}

/// Keeps what the HTTP answer would have been: storage trouble stays storage trouble (so a
/// serialisation failure is still retried and a closed day is still 409), a refusal stays a
/// refusal, anything else is a defect.
fn told(e: ApiError) -> UseCaseError {
    match e {
        ApiError::NotFound => UseCaseError::NotFound,
        ApiError::Unprocessable { code, message, .. } => UseCaseError::refused(code, message, None),
        ApiError::Conflict {
            code: "concurrent_update",
            ..
        } => UseCaseError::Storage(RepoError::Serialization),
        ApiError::Conflict { code, message, .. } => UseCaseError::Conflict {
            code,
            message,
            field: None,
        },
        ApiError::Unavailable { .. } => {
            UseCaseError::Storage(RepoError::Unavailable("the database is busy".into()))
        }
        other => UseCaseError::corrupt("credit assessment", other.to_string()),
    }
}
