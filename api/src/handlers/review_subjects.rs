//! A bridge, for as long as supply-chain finance still finishes its referred subjects with
//! services that answer `ApiError` (`handlers::scf::referrals`): what the review use cases
//! call, as [`crate::usecases::reviews::Finish`], for a factoring request or a bill discount
//! an officer's final decision closed. It goes when those services move into the use-case
//! layer: the review use case then calls them directly.

use persistence::reviews::ReviewRow;
use persistence::RepoError;

use crate::error::ApiError;
use crate::handlers::scf::{bill_discount, factoring, referrals};
use crate::usecases::{Context, UseCaseError};

/// Funds or declines the supply-chain subject behind `review`.
pub fn finish(ctx: &mut Context<'_>, review: &ReviewRow) -> Result<(), UseCaseError> {
    let actor = ctx.actor.name.clone();
    let done = match review.subject_kind.as_str() {
        factoring::REVIEW_KIND => referrals::factoring_closed(ctx.conn, review, &actor),
        bill_discount::REVIEW_KIND => referrals::bill_closed(ctx.conn, review, &actor),
        other => {
            return Err(UseCaseError::corrupt(
                "review",
                format!("no subject handler for review kind {other:?}"),
            ))
        }
    };
    done.map_err(told)
}

/// Keeps what the HTTP answer would have been: a refusal stays a refusal with its code (the
/// officer reads why the subject can no longer be financed), storage trouble stays storage
/// trouble, anything else is a defect.
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
        other => UseCaseError::corrupt("review subject", other.to_string()),
    }
}
