//! Draw tenors: how long a loan runs, and how an equal-installment draw is cut into months.
//!
//! The rule: a tenor is counted in days and the loan matures exactly `tenor_days` after the
//! draw, whatever the repayment method, so a maturity can never pass the maximum tenor. A
//! bullet loan may run any number of days in range. An equal-installment loan runs whole
//! months of tenor, `tenor_days` a multiple of [`DAYS_PER_MONTH`] (30, 60, …): one installment
//! on each monthly anniversary of the draw and the last on the maturity date, so the last
//! period is a few days shorter (or, after February, longer) than a calendar month and its
//! interest counts its real days. Any other tenor is refused rather than silently rounded.

use chrono::{Days, NaiveDate};
use thiserror::Error;

/// The days of tenor that make one monthly installment.
pub const DAYS_PER_MONTH: u32 = 30;

/// Why a tenor is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TenorError {
    #[error("tenor must be {min} to {max} days")]
    OutOfRange { min: u32, max: u32 },
    #[error(
        "equal installments run whole months: tenor_days must be a multiple of {DAYS_PER_MONTH} \
         (30 days per monthly installment), not {tenor_days}"
    )]
    NotWholeMonths { tenor_days: u32 },
    #[error("the maturity falls outside the supported calendar")]
    DateOutOfRange,
}

/// Checks `tenor_days` against the policy range `min..=max`.
pub fn check_range(tenor_days: u32, min: u32, max: u32) -> Result<(), TenorError> {
    if tenor_days < min || tenor_days > max {
        return Err(TenorError::OutOfRange { min, max });
    }
    Ok(())
}

/// The number of monthly installments of an equal-installment tenor.
pub fn monthly_installments(tenor_days: u32) -> Result<u32, TenorError> {
    if tenor_days == 0 || !tenor_days.is_multiple_of(DAYS_PER_MONTH) {
        return Err(TenorError::NotWholeMonths { tenor_days });
    }
    Ok(tenor_days / DAYS_PER_MONTH)
}

/// The maturity of a loan drawn on `start` for `tenor_days`.
pub fn maturity(start: NaiveDate, tenor_days: u32) -> Result<NaiveDate, TenorError> {
    start
        .checked_add_days(Days::new(u64::from(tenor_days)))
        .ok_or(TenorError::DateOutOfRange)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_tenor_outside_the_policy_range_is_refused() {
        assert!(check_range(7, 7, 180).is_ok());
        assert!(check_range(180, 7, 180).is_ok());
        assert_eq!(
            check_range(6, 7, 180),
            Err(TenorError::OutOfRange { min: 7, max: 180 })
        );
        assert!(check_range(181, 7, 180).is_err());
    }

    #[test]
    fn equal_installments_need_whole_months_of_thirty_days() {
        assert_eq!(monthly_installments(30), Ok(1));
        assert_eq!(monthly_installments(180), Ok(6));
        for refused in [0, 7, 29, 31, 95, 179] {
            assert_eq!(
                monthly_installments(refused),
                Err(TenorError::NotWholeMonths {
                    tenor_days: refused
                })
            );
        }
    }

    #[test]
    fn the_maturity_is_exactly_the_tenor_after_the_draw() {
        let start = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        assert_eq!(
            maturity(start, 180),
            Ok(NaiveDate::from_ymd_opt(2027, 2, 28).unwrap())
        );
        assert_eq!(maturity(NaiveDate::MAX, 1), Err(TenorError::DateOutOfRange));
    }
}
