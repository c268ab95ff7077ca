//! Persistence: diesel schema, repositories, migrations runner and the embedded PostgreSQL
//! launcher. Repositories take `&mut PgConnection` so that the caller owns the transaction.

pub mod audit;
pub mod audit_verify;
pub mod canonical;
pub mod db;
pub mod embedded;
pub mod error;
pub mod idempotency;
pub mod ledger;
pub mod outbox;
pub mod parties;
pub mod schema;
pub mod scoring;

pub use db::{DbConn, DbPool};
pub use error::RepoError;
