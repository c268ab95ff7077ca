//! The one way code that is not an HTTP request runs a use case: the `lendline eod` command
//! and the scheduled end of day. [`run`] opens one transaction on the given connection, builds
//! the use case's [`Context`] for a system actor (one clock reading, the business date), and
//! commits when the use case succeeds. HTTP requests go through `crate::request` instead.

use diesel::{Connection, PgConnection};

use crate::usecases::context::Policy;
use crate::usecases::{Actor, Context, UseCaseError};

/// Runs `work` in one transaction as the system actor `name` (e.g. `system:eod`), at the
/// clock reading `now`, under `policy` (the server's own, so that requests see what it
/// changes, such as the business date).
pub fn run<T>(
    conn: &mut PgConnection,
    name: &str,
    policy: &Policy,
    now: chrono::DateTime<chrono::Utc>,
    work: impl FnOnce(&mut Context<'_>) -> Result<T, UseCaseError>,
) -> Result<T, UseCaseError> {
    let actor = Actor {
        name: name.to_string(),
        party: None,
        staff: true,
    };
    let (answer, changed) = conn.transaction(|c| {
        let mut context = Context::open(c, now, &actor, policy)?;
        let answer = work(&mut context)?;
        let (changed, mut log) = context.close();
        log.append(c)?;
        Ok::<_, UseCaseError>((answer, changed))
    })?;
    policy.settle(&changed);
    Ok(answer)
}
