//! Supply-chain finance storage: factoring programs and their suppliers, the duplicate-proof
//! registry, receivables, factoring requests (single invoices and pools) and bills.
//!
//! Rows are loaded `FOR UPDATE`, changed in Rust and saved whole (`save`), so a state change and
//! the checks that guard it always see the same committed row. Lock order, followed by every
//! writer so that concurrent requests never deadlock: receivables (by id), then the program row
//! (debtor exposure), then the supplier's membership row, then the factoring request.

pub mod bills;
pub mod factoring;
pub mod programs;
pub mod receivables;
pub mod registry;
