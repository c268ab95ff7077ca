//! Repayment frequencies and due dates.
//!
//! Due date `n` is always computed from the start date, never from the previous due date, so a
//! loan started on 31 January falls due on 28 (or 29) February, 31 March, 30 April and so on:
//! month arithmetic clamps to the month's last day without drifting. A `whole_term` loan has one
//! instalment; its `term` counts days instead of periods.

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::DayCountSettings;

/// How often instalments fall due. Serde: `daily`, `weekly`, `biweekly`, `monthly`,
/// `quarterly`, `whole_term`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Daily,
    Weekly,
    Biweekly,
    Monthly,
    Quarterly,
    WholeTerm,
}

/// `date` plus `months` calendar months, clamped to the last day of the target month.
///
/// Year-and-month arithmetic rather than chrono's `checked_add_months`, which goes through
/// ordinal days: a schedule computes one due date per instalment on every quote.
pub fn add_months_clamped(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    let index = i64::from(date.year()) * 12 + i64::from(date.month0()) + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(year, month, date.day().min(days_in_month(year, month)))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Frequency {
    /// Number of instalments for a term: `term` itself, or one for `whole_term`.
    pub fn installments(self, term: u32) -> u32 {
        match self {
            Frequency::WholeTerm => 1,
            _ => term,
        }
    }

    /// The due date of instalment `n` (1-based) of a loan starting on `start`; for `whole_term`
    /// the single instalment falls `term` days after the start. `None` past the calendar's end.
    pub fn due_date(self, start: NaiveDate, n: u32, term: u32) -> Option<NaiveDate> {
        let days = |k: u32| start.checked_add_days(Days::new(u64::from(k)));
        match self {
            Frequency::Daily => days(n),
            Frequency::Weekly => days(n.checked_mul(7)?),
            Frequency::Biweekly => days(n.checked_mul(14)?),
            Frequency::Monthly => add_months_clamped(start, n),
            Frequency::Quarterly => add_months_clamped(start, n.checked_mul(3)?),
            Frequency::WholeTerm => days(term),
        }
    }

    /// Periods in a year, to turn an annual rate into a periodic one. Daily uses the day-count's
    /// year (365 for an actual year); `whole_term` uses year length ÷ term days.
    pub fn periods_per_year(self, day_count: &DayCountSettings, term: u32) -> Decimal {
        match self {
            Frequency::Daily => Decimal::from(day_count.nominal_days_in_year()),
            Frequency::Weekly => Decimal::from(52),
            Frequency::Biweekly => Decimal::from(26),
            Frequency::Monthly => Decimal::from(12),
            Frequency::Quarterly => Decimal::from(4),
            Frequency::WholeTerm => {
                Decimal::from(day_count.nominal_days_in_year()) / Decimal::from(term.max(1))
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::calendar::DayCount;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn monthly_dates(start: NaiveDate, n: u32) -> Vec<NaiveDate> {
        (1..=n)
            .map(|k| Frequency::Monthly.due_date(start, k, n).unwrap())
            .collect()
    }

    #[test]
    fn a_loan_started_on_january_31_falls_due_on_each_month_end_without_drifting() {
        let dates = monthly_dates(d(2023, 1, 31), 4);
        assert_eq!(
            dates,
            [
                d(2023, 2, 28),
                d(2023, 3, 31),
                d(2023, 4, 30),
                d(2023, 5, 31)
            ]
        );
    }

    #[test]
    fn in_a_leap_year_the_february_due_date_is_the_29th() {
        let dates = monthly_dates(d(2024, 1, 31), 2);
        assert_eq!(dates, [d(2024, 2, 29), d(2024, 3, 31)]);
    }

    #[test]
    fn quarterly_dates_step_three_months_from_the_start() {
        let q = |n| {
            Frequency::Quarterly
                .due_date(d(2023, 11, 30), n, 4)
                .unwrap()
        };
        assert_eq!(
            [q(1), q(2), q(3)],
            [d(2024, 2, 29), d(2024, 5, 30), d(2024, 8, 30)]
        );
    }

    #[test]
    fn daily_weekly_and_biweekly_dates_count_days() {
        let start = d(2024, 2, 27);
        assert_eq!(
            Frequency::Daily.due_date(start, 3, 10).unwrap(),
            d(2024, 3, 1)
        );
        assert_eq!(
            Frequency::Weekly.due_date(start, 1, 10).unwrap(),
            d(2024, 3, 5)
        );
        assert_eq!(
            Frequency::Biweekly.due_date(start, 2, 10).unwrap(),
            d(2024, 3, 26)
        );
    }

    #[test]
    fn a_whole_term_loan_has_one_installment_term_days_after_the_start() {
        assert_eq!(Frequency::WholeTerm.installments(90), 1);
        let due = Frequency::WholeTerm.due_date(d(2024, 1, 1), 1, 90).unwrap();
        assert_eq!(due, d(2024, 3, 31));
    }

    #[test]
    fn periods_per_year_follow_the_frequency_and_the_year_basis() {
        let act360 = DayCount::Act360.settings();
        assert_eq!(Frequency::Monthly.periods_per_year(&act360, 12), dec!(12));
        assert_eq!(Frequency::Biweekly.periods_per_year(&act360, 12), dec!(26));
        assert_eq!(Frequency::Daily.periods_per_year(&act360, 30), dec!(360));
        assert_eq!(Frequency::WholeTerm.periods_per_year(&act360, 90), dec!(4));
    }

    #[test]
    fn frequencies_use_snake_case_names() {
        let f: Frequency = serde_json::from_str("\"whole_term\"").unwrap();
        assert_eq!(f, Frequency::WholeTerm);
        assert_eq!(
            serde_json::to_string(&Frequency::Biweekly).unwrap(),
            "\"biweekly\""
        );
    }

    #[test]
    fn month_arithmetic_agrees_with_chrono_over_four_centuries_of_start_dates() {
        let mut date = d(1999, 12, 1);
        while date < d(2401, 1, 1) {
            for months in [1, 2, 3, 11, 12, 13, 36, 120, 1199] {
                assert_eq!(
                    add_months_clamped(date, months),
                    date.checked_add_months(chrono::Months::new(months)),
                    "{date} + {months}"
                );
            }
            date = date.succ_opt().unwrap();
        }
    }
}
