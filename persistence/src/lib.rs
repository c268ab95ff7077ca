//! Persistence: diesel schema, repositories, migrations runner and the embedded PostgreSQL
//! launcher. Repositories take `&mut PgConnection` so that the caller owns the transaction.

pub mod audit;
pub mod audit_verify;
pub mod calendar;
pub mod canonical;
pub mod collateral;
pub mod credit_lines;
pub mod db;
pub mod distribute;
pub mod distribution;
pub mod embedded;
pub mod error;
pub mod idempotency;
pub mod installment_plans;
pub mod ledger;
pub mod lists;
pub mod loans;
pub mod loans_eod;
pub mod orders;
pub mod outbox;
pub mod parties;
pub mod pool;
pub mod portfolio;
pub mod prepared;
pub mod rekey;
pub mod reviews;
pub mod scf;
pub mod schema;
pub mod scoring;
pub mod shards;
pub mod statements;
pub mod together;
pub mod what_if;

pub use error::RepoError;
pub use pool::{DbConn, DbPool, PoolSettings};
