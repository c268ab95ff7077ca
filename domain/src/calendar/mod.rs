//! Calendars: how days between two dates become a fraction of a year, and when instalments fall
//! due.
//!
//! Dates are `chrono::NaiveDate` parameters; nothing here knows today's date.

mod day_count;
mod frequency;
pub mod horizon;

pub use day_count::{DayCount, DayCountSettings, DaysInMonth, DaysInYear, UnknownDayCount};
pub use frequency::{add_months_clamped, Frequency};
