//! HTTP handlers, one endpoint family per module.

pub mod audit;
pub mod business_day;
pub mod collateral;
pub mod credit_lines;
pub mod decisions;
pub mod health;
pub mod installment_offers;
pub mod installment_plans;
pub mod ledger;
pub mod lists;
pub mod loans;
pub mod orders;
pub mod outbox;
pub mod parties;
pub mod quotes;
pub mod reviews;
pub mod scf;
pub mod scoring;
