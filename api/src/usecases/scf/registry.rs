//! The duplicate-proof registry of supply-chain paper (receivables and bills), and the check
//! outside financiers make against it.

use domain::receivable_fingerprint::PaperKind;
use persistence::scf::registry;
use persistence::RepoError;
use uuid::Uuid;

use crate::usecases::{Context, UseCaseError};

/// What a duplicate answers: the same words whoever holds the first registration.
fn already_registered() -> UseCaseError {
    UseCaseError::Conflict {
        code: "already_registered",
        message: "this receivable or bill is already registered".into(),
        field: None,
    }
}

/// Registers a fingerprint; a duplicate becomes the bland 409.
pub fn register(
    ctx: &mut Context<'_>,
    print: &str,
    kind: PaperKind,
    subject: Uuid,
) -> Result<(), UseCaseError> {
    registry::register(ctx.conn, print, kind.as_str(), subject).map_err(|e| match e {
        RepoError::Conflict { .. } => already_registered(),
        other => other.into(),
    })
}

/// What the registry says of a fingerprint.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub registered: bool,
    /// True while the paper is financed (a receivable or bill) or pledged (a warehouse receipt).
    pub encumbered: bool,
}

/// Is `print` registered, and is it encumbered? Nothing else is ever answered.
pub fn check(ctx: &mut Context<'_>, print: &str) -> Result<Standing, UseCaseError> {
    let found = registry::lookup(ctx.conn, print)?;
    Ok(Standing {
        registered: found.is_some(),
        encumbered: found.unwrap_or(false),
    })
}
