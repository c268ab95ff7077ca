//! The one error type repositories return; diesel errors never leak past this crate.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    /// A unique or exclusion constraint refused the write; `constraint` names it.
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    /// A check or foreign-key constraint refused the write.
    #[error("constraint {constraint} refused the write")]
    Constraint { constraint: String },
    /// The database could not serialize concurrent transactions; the caller may retry.
    #[error("serialization failure")]
    Serialization,
    /// A stored row does not convert into a valid domain value.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(String),
    #[error("connection pool: {0}")]
    Pool(String),
    /// The database is gone (connection lost, server restarting) or did not answer within its
    /// deadline (statement or lock timeout): the request may be retried later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

/// Whether the constraint PostgreSQL named, `found`, is the one the schema calls `ours`.
///
/// On a Citus worker every shard carries its constraints with the shard's id appended
/// (`parties_registration_unique_102008`), and that is the name an error reports; so a name
/// matches when it is ours exactly or ours followed by `_` and digits only.
pub fn constraint_is(found: &str, ours: &str) -> bool {
    found.strip_prefix(ours).is_some_and(|rest| {
        rest.is_empty()
            || rest
                .strip_prefix('_')
                .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

impl RepoError {
    /// Whether this is a unique violation of the constraint the schema calls `ours` (see
    /// [`constraint_is`]).
    pub fn is_conflict_on(&self, ours: &str) -> bool {
        matches!(self, RepoError::Conflict { constraint } if constraint_is(constraint, ours))
    }
}

impl From<DieselError> for RepoError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => RepoError::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let constraint = constraint_of(info.as_ref());
                match kind {
                    DatabaseErrorKind::UniqueViolation => RepoError::Conflict { constraint },
                    DatabaseErrorKind::CheckViolation | DatabaseErrorKind::ForeignKeyViolation => {
                        RepoError::Constraint { constraint }
                    }
                    DatabaseErrorKind::SerializationFailure => RepoError::Serialization,
                    DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand => {
                        RepoError::Unavailable(info.message().to_string())
                    }
                    _ if is_deadline(info.message()) => {
                        RepoError::Unavailable(info.message().to_string())
                    }
                    _ => RepoError::Database(info.message().to_string()),
                }
            }
            // A COMMIT that failed, then a ROLLBACK that failed too (the connection was lost
            // in between): the commit's error says what happened.
            DieselError::RollbackErrorOnCommit { commit_error, .. } => {
                RepoError::from(*commit_error)
            }
            // The connection's transaction state is unknown after a failure in BEGIN, COMMIT or
            // ROLLBACK (it was lost): the pool discards such a connection, and a retry gets
            // another.
            DieselError::BrokenTransactionManager => {
                RepoError::Unavailable("the connection's transaction state was lost".into())
            }
            other => RepoError::Database(other.to_string()),
        }
    }
}

/// The constraint a violation names: PostgreSQL's own field, or, when the error was relayed by
/// a Citus coordinator from a worker (which keeps the message but not that field), the quoted
/// name in the message (`… violates unique constraint "registry_entries_pkey_102012"`).
fn constraint_of(info: &dyn diesel::result::DatabaseErrorInformation) -> String {
    info.constraint_name()
        .map(str::to_string)
        .or_else(|| {
            let (_, rest) = info.message().split_once(" constraint \"")?;
            rest.split_once('"').map(|(name, _)| name.to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// Statement and lock timeouts and an administrator's shutdown are told apart by SQLSTATE
/// (57014, 55P03, 57P01), which diesel does not expose, so they are recognised by PostgreSQL's
/// (default, English) messages.
fn is_deadline(message: &str) -> bool {
    message.starts_with("canceling statement due to")
        || message.starts_with("could not obtain lock")
        || message.starts_with("terminating connection")
}

impl From<diesel::r2d2::PoolError> for RepoError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        RepoError::Pool(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::{constraint_is, constraint_of, RepoError};
    use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};

    /// An error as a Citus coordinator relays it: the worker's message, no constraint field.
    struct Relayed(&'static str);

    impl DatabaseErrorInformation for Relayed {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    #[test]
    fn a_relayed_violation_is_known_by_the_name_in_its_message() {
        let relayed = Relayed(
            "duplicate key value violates unique constraint \"registry_entries_pkey_102012\"",
        );
        assert_eq!(constraint_of(&relayed), "registry_entries_pkey_102012");
        assert_eq!(constraint_of(&Relayed("division by zero")), "unknown");
    }

    #[test]
    fn a_constraint_matches_its_own_name_and_its_shards_names() {
        assert!(constraint_is("parties_pkey", "parties_pkey"));
        assert!(constraint_is("parties_pkey_102008", "parties_pkey"));
    }

    #[test]
    fn a_constraint_does_not_match_a_longer_name_or_a_non_numeric_suffix() {
        assert!(!constraint_is(
            "orders_merchant_order_key_unique",
            "orders_merchant"
        ));
        assert!(!constraint_is("parties_pkey_", "parties_pkey"));
        assert!(!constraint_is("parties_pkey_x1", "parties_pkey"));
        assert!(!constraint_is("parties_pk", "parties_pkey"));
    }

    #[test]
    fn a_connection_lost_at_commit_or_rollback_is_unavailable_not_a_database_error() {
        let lost = || {
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection,
                Box::new("server closed the connection unexpectedly".to_string()),
            )
        };
        let both = DieselError::RollbackErrorOnCommit {
            rollback_error: Box::new(lost()),
            commit_error: Box::new(lost()),
        };
        assert!(matches!(RepoError::from(both), RepoError::Unavailable(_)));
        assert!(matches!(
            RepoError::from(DieselError::BrokenTransactionManager),
            RepoError::Unavailable(_)
        ));
    }
}
