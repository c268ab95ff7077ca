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
//! - [`bills`]: commercial acceptance bills: registration to discount, payment or dishonour.
//! - [`books`]: the ledger, the audit trail and the outbox, as staff read and tend them.
//! - [`day`]: the business date and end of day.
//! - [`installments`]: installment plans at checkout, the offers behind them and refunds.
//! - [`inventory`]: goods pledged by warehouse receipt, drawn on, revalued and released.
//! - [`lending`]: stock-up credit lines and the loans drawn on them.
//! - [`listings`]: lists that cut across products, as the caller may see them.
//! - [`orders`]: orders a merchant borrows against, and their settlement.
//! - [`parties`]: onboarding and reading the platform's parties.
//! - [`reviews`]: the risk officers' queue of referred cases, for every product.
//! - [`scf`]: supply-chain finance: factoring programs, receivables, factoring, pools, settlement.
//! - [`scoring`]: the one credit assessment every product asks for, and its stored decisions.
//!
//! [`recent`] keeps what nearly every decision reads and rarely changes (the business date,
//! the scoring assignments) for a moment, instead of a round trip per decision.
//!
//! Shared by the retail families: [`credit_check`] (scoring a borrower on the spot),
//! [`advance`] (a bullet loan against an order or goods) and [`party_currency`] (a party acts
//! in its own currency).

pub mod advance;
pub mod bills;
pub mod books;
pub mod context;
pub mod credit_check;
pub mod dates;
pub mod day;
pub mod error;
pub mod figures;
pub mod installments;
pub mod inventory;
pub mod lending;
pub mod listings;
pub mod orders;
pub mod outcome;
pub mod parties;
pub mod party_currency;
pub mod recent;
pub mod reviews;
pub mod scf;
pub mod scoring;

pub use context::{Actor, Context};
pub use error::UseCaseError;
pub use outcome::{Decided, Verdict};
