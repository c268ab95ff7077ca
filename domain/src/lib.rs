//! Pure business rules of Lendline: money, calendars, schedules and product rules.
//!
//! This crate performs no I/O and never reads a clock: the current time and the business date
//! are always parameters.

