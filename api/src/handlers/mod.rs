//! HTTP handlers, one endpoint family per module.

pub mod audit;
pub mod health;
pub mod ledger;
pub mod outbox;
pub mod parties;
