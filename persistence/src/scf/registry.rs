//! The registry of fingerprints: what makes a second registration of the same receivable, bill
//! or warehouse receipt impossible, and what outside financiers may ask about.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{QueryFragment, QueryId};
use uuid::Uuid;

use crate::error::RepoError;
use crate::schema::registry_entries;
use crate::together::together;

/// The constraint a duplicate registration breaks.
pub const DUPLICATE_CONSTRAINT: &str = "registry_entries_pkey";

/// The kind of a party's registration-number entry: the registry also keeps the platform-wide
/// uniqueness of registrations, which outside financiers are never answered about.
pub const REGISTRATION_KIND: &str = "party_registration";

/// The kind of a payment's external reference (unique platform-wide), never answered about.
pub const PAYMENT_REFERENCE_KIND: &str = "payment_reference";

/// The kind of a merchant's order reference financed by an installment plan, never answered
/// about.
pub const ORDER_KIND: &str = "installment_order";

/// The kinds of paper outside financiers may ask about.
const PAPER_KINDS: [&str; 3] = ["receivable", "bill", "warehouse_receipt"];

/// Registers `fingerprint` for `subject`; a second registration of the same fingerprint fails
/// with `RepoError::Conflict` on [`DUPLICATE_CONSTRAINT`].
pub fn register(
    conn: &mut PgConnection,
    fingerprint: &str,
    kind: &str,
    subject: Uuid,
) -> Result<(), RepoError> {
    registration(fingerprint, kind, subject).execute(conn)?;
    Ok(())
}

/// The insert that registers `fingerprint`.
fn registration<'a>(
    fingerprint: &'a str,
    kind: &'a str,
    subject: Uuid,
) -> impl QueryFragment<Pg> + RunQueryDsl<PgConnection> + QueryId + 'a {
    diesel::insert_into(registry_entries::table).values((
        registry_entries::fingerprint.eq(fingerprint),
        registry_entries::kind.eq(kind),
        registry_entries::subject_id.eq(subject),
    ))
}

/// Registers `fingerprint` for `subject` and runs `write` (the row the registration guards)
/// in one statement (`crate::together`, the registration first). A fingerprint already
/// registered fails as `RepoError::Conflict` on `taken`, the name the caller's clients know.
pub fn register_with<W: QueryFragment<Pg>>(
    conn: &mut PgConnection,
    (fingerprint, kind, subject): (&str, &str, Uuid),
    write: W,
    taken: &str,
) -> Result<(), RepoError> {
    together(registration(fingerprint, kind, subject), write)
        .execute(conn)
        .map_err(|e| {
            let e = RepoError::from(e);
            if e.is_conflict_on(DUPLICATE_CONSTRAINT) {
                RepoError::Conflict {
                    constraint: taken.into(),
                }
            } else {
                e
            }
        })?;
    Ok(())
}

/// Whether the fingerprint of a paper (a receivable, bill or warehouse receipt) is registered
/// and, if so, whether it is encumbered.
pub fn lookup(conn: &mut PgConnection, fingerprint: &str) -> Result<Option<bool>, RepoError> {
    Ok(registry_entries::table
        .find(fingerprint)
        .filter(registry_entries::kind.eq_any(PAPER_KINDS))
        .select(registry_entries::encumbered)
        .first(conn)
        .optional()?)
}

pub fn set_encumbered(
    conn: &mut PgConnection,
    subject: Uuid,
    encumbered: bool,
) -> Result<(), RepoError> {
    crate::audit::run_alone(conn, encumbrance(subject, encumbered))?;
    Ok(())
}

/// [`set_encumbered`] as a write that rides along with a request's audit appends or runs
/// alone ([`crate::audit::Tail`]); it returns no row when `subject` is not registered.
pub fn encumbrance(subject: Uuid, encumbered: bool) -> crate::audit::Tail<'static> {
    crate::audit::Tail {
        sql: "UPDATE registry_entries SET encumbered = $1 WHERE subject_id = $2 RETURNING 1".into(),
        params: 2,
        bind: Box::new(move |query| {
            query
                .bind::<diesel::sql_types::Bool, _>(encumbered)
                .bind::<diesel::sql_types::Uuid, _>(subject)
        }),
    }
}
