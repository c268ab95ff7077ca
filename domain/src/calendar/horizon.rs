//! The span of dates the platform accepts as input: a date outside it is a typo or an attack
//! (year 20260 for 2026, or year 1 to make a store look ancient), never a real business date.

use chrono::{Datelike, NaiveDate};

/// The first year a date input may fall in.
pub const EARLIEST_YEAR: i32 = 1900;
/// The last year a date input may fall in.
pub const LATEST_YEAR: i32 = 2100;

/// Whether `date` falls within [`EARLIEST_YEAR`]..=[`LATEST_YEAR`].
pub fn within_horizon(date: NaiveDate) -> bool {
    (EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_1900_to_2100_are_within_the_horizon_and_no_others() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(within_horizon(d(1900, 1, 1)));
        assert!(within_horizon(d(2100, 12, 31)));
        assert!(!within_horizon(d(1899, 12, 31)));
        assert!(!within_horizon(d(2101, 1, 1)));
        assert!(!within_horizon(d(20260, 1, 1)));
    }
}
