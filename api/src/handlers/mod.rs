//! HTTP handlers, one endpoint family per module.

pub mod audit;
pub mod decisions;
pub mod health;
pub mod ledger;
pub mod outbox;
pub mod parties;
pub mod quotes;
pub mod scoring;
