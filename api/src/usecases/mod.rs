//! The use-case layer: what every product does, with no HTTP in it.
//!
//! Each use case is a function `fn(&mut Context, Command) -> Result<Outcome, UseCaseError>`.
//! The request runner (`crate::request`) opens the one transaction, builds the [`Context`]
//! (business date, clock reading, actor, policy) once per request and maps the result to
//! HTTP; a use case never sees actix, `ApiError` or a status code (checked by
//! `api/tests/usecase_boundary.rs`).
//!
//! One module per product family; a new product (say reverse factoring) gets its own folder
//! beside these:
//! - [`books`]: the ledger, the audit trail and the outbox, as staff read and tend them.
//! - [`lending`]: stock-up credit lines and the loans drawn on them.
//! - [`bills`]: commercial acceptance bills: registration to discount, payment or dishonour.
//! - [`day`]: the business date and end of day.
//! - [`listings`]: lists that cut across products, as the caller may see them.
//! - [`parties`]: onboarding and reading the platform's parties.
//! - [`scf`]: supply-chain finance: factoring programs, receivables, factoring, pools, settlement.
//! - [`reviews`]: the risk officers' queue of referred cases, for every product.
//! - [`scoring`]: the one credit assessment every product asks for, and its stored decisions.

pub mod bills;
pub mod books;
pub mod context;
pub mod dates;
pub mod day;
pub mod error;
pub mod figures;
pub mod lending;
pub mod listings;
pub mod outcome;
pub mod parties;
pub mod reviews;
pub mod scf;
pub mod scoring;

pub use context::{Actor, Context};
pub use error::UseCaseError;
pub use outcome::{Decided, Verdict};
