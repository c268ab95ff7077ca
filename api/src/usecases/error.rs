//! Why a use case did not happen. The HTTP mapping lives in `crate::error` (one place); here
//! there are only meanings.

use std::borrow::Cow;

use persistence::RepoError;

type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum UseCaseError {
    /// A value the caller sent is not acceptable here (e.g. more decimals than the line's
    /// currency has, a tenor outside the product's range).
    #[error("{field}: {source}")]
    Invalid {
        field: Cow<'static, str>,
        #[source]
        source: Cause,
    },
    /// A business rule refuses the request (`code` is machine-readable, e.g. `line_frozen`).
    #[error("{message}")]
    Refused {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
    /// The object does not exist, or the caller may not know that it does.
    #[error("no such object")]
    NotFound,
    /// The request conflicts with the current state (already done, done concurrently).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
    #[error("the caller may not do this")]
    Forbidden,
    #[error(transparent)]
    Storage(#[from] RepoError),
    /// Stored data that our own rules cannot read back: a defect, never the caller's fault.
    #[error("corrupt stored data ({what})")]
    Corrupt {
        what: &'static str,
        #[source]
        source: Cause,
    },
}

impl UseCaseError {
    pub fn invalid(field: impl Into<Cow<'static, str>>, source: impl Into<Cause>) -> Self {
        UseCaseError::Invalid {
            field: field.into(),
            source: source.into(),
        }
    }

    pub fn refused(
        code: &'static str,
        message: impl Into<String>,
        field: Option<&'static str>,
    ) -> Self {
        UseCaseError::Refused {
            code,
            message: message.into(),
            field,
        }
    }

    pub fn corrupt(what: &'static str, source: impl Into<Cause>) -> Self {
        UseCaseError::Corrupt {
            what,
            source: source.into(),
        }
    }
}

/// Lets diesel's transaction helpers (savepoints) carry this error.
impl From<diesel::result::Error> for UseCaseError {
    fn from(e: diesel::result::Error) -> Self {
        UseCaseError::Storage(RepoError::from(e))
    }
}
