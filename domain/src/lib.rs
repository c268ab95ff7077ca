//! Pure business rules of Lendline: money, calendars, schedules and product rules.
//!
//! This crate performs no I/O and never reads a clock: the current time and the business date
//! are always parameters. It never uses binary floating point either: every amount, rate and
//! yield is a `rust_decimal::Decimal`, so results are exact and reproducible to the cent.

#![deny(clippy::float_arithmetic, clippy::float_cmp)]

pub mod bill_recourse;
pub mod calendar;
pub mod discounting;
pub mod factoring;
pub mod identifier;
pub mod installment_plan;
pub mod installment_refund;
pub mod ledger;
pub mod lending_state;
pub mod money;
pub mod payoff;
pub mod rate;
pub mod receivable_fingerprint;
pub mod repayment_allocation;
pub mod retail_state;
pub mod review;
pub mod scf_postings;
pub mod scf_state;
pub mod schedule;
pub mod state_machine;
pub mod tenor;
