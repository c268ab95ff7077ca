//! Day-count conventions: the numerator (days between two dates) and the denominator (days in a
//! year) of an interest year fraction.
//!
//! The five named conventions map to [`DayCountSettings`], the two independent knobs lenders
//! actually configure (days in month: actual or 30; days in year: 360, 364, 365 or actual), and a
//! settings value can also be built directly. Rules implemented:
//! - ACT/360, ACT/365 (fixed): actual days over 360 or 365.
//! - ACT/ACT (ISDA): days falling in a leap year over 366 plus days in other years over 365.
//! - 30/360 (US bond basis, ISDA 2006 4.16(f)): D1 = 31 becomes 30; D2 = 31 becomes 30 only when
//!   D1 is 30 or 31. No February adjustment.
//! - 30E/360 (Eurobond basis, 4.16(g)): any 31st becomes 30. No February adjustment.
//!
//! A 30-day-month count with an "actual" year divides by 360, since such a calendar's year has
//! 360 days.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A named day-count convention. Serde and `FromStr`: exactly `"ACT/360"`, `"ACT/365"`,
/// `"ACT/ACT"`, `"30/360"`, `"30E/360"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DayCount {
    #[serde(rename = "ACT/360")]
    Act360,
    #[serde(rename = "ACT/365")]
    Act365Fixed,
    #[serde(rename = "ACT/ACT")]
    ActActIsda,
    #[serde(rename = "30/360")]
    Thirty360,
    #[serde(rename = "30E/360")]
    ThirtyE360,
}

/// A day-count name that is not one of the five supported spellings.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown day count {0:?}: expected ACT/360, ACT/365, ACT/ACT, 30/360 or 30E/360")]
pub struct UnknownDayCount(pub String);

const NAMES: [(DayCount, &str); 5] = [
    (DayCount::Act360, "ACT/360"),
    (DayCount::Act365Fixed, "ACT/365"),
    (DayCount::ActActIsda, "ACT/ACT"),
    (DayCount::Thirty360, "30/360"),
    (DayCount::ThirtyE360, "30E/360"),
];

impl DayCount {
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(d, _)| *d == self)
            .map_or("", |(_, n)| n)
    }

    /// The independent settings this convention stands for.
    pub const fn settings(self) -> DayCountSettings {
        let (days_in_month, days_in_year) = match self {
            DayCount::Act360 => (DaysInMonth::Actual, DaysInYear::Days360),
            DayCount::Act365Fixed => (DaysInMonth::Actual, DaysInYear::Days365),
            DayCount::ActActIsda => (DaysInMonth::Actual, DaysInYear::Actual),
            DayCount::Thirty360 => (DaysInMonth::Thirty, DaysInYear::Days360),
            DayCount::ThirtyE360 => (DaysInMonth::ThirtyEuropean, DaysInYear::Days360),
        };
        DayCountSettings {
            days_in_month,
            days_in_year,
        }
    }

    pub fn year_fraction(self, start: NaiveDate, end: NaiveDate) -> Decimal {
        self.settings().year_fraction(start, end)
    }
}

impl FromStr for DayCount {
    type Err = UnknownDayCount;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NAMES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(d, _)| *d)
            .ok_or_else(|| UnknownDayCount(s.to_owned()))
    }
}

impl fmt::Display for DayCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How days within months are counted. Serde: `actual`, `thirty` (US bond basis),
/// `thirty_european`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DaysInMonth {
    Actual,
    Thirty,
    ThirtyEuropean,
}

/// The denominator of the year fraction. Serde: `"360"`, `"364"`, `"365"`, `"actual"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DaysInYear {
    #[serde(rename = "360")]
    Days360,
    #[serde(rename = "364")]
    Days364,
    #[serde(rename = "365")]
    Days365,
    #[serde(rename = "actual")]
    Actual,
}

/// The two settings behind every day-count convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayCountSettings {
    pub days_in_month: DaysInMonth,
    pub days_in_year: DaysInYear,
}

impl From<DayCount> for DayCountSettings {
    fn from(d: DayCount) -> Self {
        d.settings()
    }
}

impl DayCountSettings {
    /// Days between the dates under the month rule (negative when `end` precedes `start`).
    pub fn days(&self, start: NaiveDate, end: NaiveDate) -> i64 {
        match self.days_in_month {
            DaysInMonth::Actual => (end - start).num_days(),
            DaysInMonth::Thirty | DaysInMonth::ThirtyEuropean => self.days_thirty(start, end),
        }
    }

    fn days_thirty(&self, start: NaiveDate, end: NaiveDate) -> i64 {
        let d1 = start.day().min(30);
        let d2 = match self.days_in_month {
            DaysInMonth::Thirty if end.day() == 31 && d1 < 30 => 31,
            _ => end.day().min(30),
        };
        let years = i64::from(end.year() - start.year());
        let months = i64::from(end.month()) - i64::from(start.month());
        360 * years + 30 * months + i64::from(d2) - i64::from(d1)
    }

    /// The fixed denominator, or `None` for an actual (ISDA) year.
    pub fn fixed_days_in_year(&self) -> Option<u32> {
        match (self.days_in_year, self.days_in_month) {
            (DaysInYear::Days360, _) => Some(360),
            (DaysInYear::Days364, _) => Some(364),
            (DaysInYear::Days365, _) => Some(365),
            (DaysInYear::Actual, DaysInMonth::Actual) => None,
            (DaysInYear::Actual, _) => Some(360),
        }
    }

    /// Days in a year for per-day rates: the fixed denominator, or 365 for an actual year.
    pub fn nominal_days_in_year(&self) -> u32 {
        self.fixed_days_in_year().unwrap_or(365)
    }

    /// The fraction of a year between two dates (negative when `end` precedes `start`).
    pub fn year_fraction(&self, start: NaiveDate, end: NaiveDate) -> Decimal {
        if end < start {
            return -self.year_fraction(end, start);
        }
        match self.fixed_days_in_year() {
            Some(basis) => Decimal::from(self.days(start, end)) / Decimal::from(basis),
            None => isda_actual_fraction(start, end),
        }
    }
}

/// ACT/ACT ISDA: split the period at each 1 January and weigh each piece by its own year length.
fn isda_actual_fraction(start: NaiveDate, end: NaiveDate) -> Decimal {
    let mut fraction = Decimal::ZERO;
    let mut from = start;
    while from < end {
        let next_year = NaiveDate::from_ymd_opt(from.year() + 1, 1, 1).unwrap_or(end);
        let to = next_year.min(end);
        let year_days = if from.leap_year() { 366 } else { 365 };
        fraction += Decimal::from((to - from).num_days()) / Decimal::from(year_days);
        from = to;
    }
    fraction
}

#[cfg(test)]
#[path = "day_count_tests.rs"]
mod tests;
