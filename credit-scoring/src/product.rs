//! Product configuration: cut-offs, grade bands, credit limits and pricing per product.
//!
//! Limits are money, so they are computed in `Decimal`: average monthly sales × the grade's
//! multiplier, capped by the product maximum, minus what the applicant already owes, rounded
//! down to whole currency units. Prices are annual rates by grade, clamped to the product's
//! floor and ceiling.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The lending products the engine can decide on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    StockUpLine,
    Factoring,
    BillDiscount,
    Installment,
    OrderFinancing,
    InventoryFinancing,
}

impl ProductKind {
    pub const ALL: [ProductKind; 6] = [
        ProductKind::StockUpLine,
        ProductKind::Factoring,
        ProductKind::BillDiscount,
        ProductKind::Installment,
        ProductKind::OrderFinancing,
        ProductKind::InventoryFinancing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::StockUpLine => "stock_up_line",
            ProductKind::Factoring => "factoring",
            ProductKind::BillDiscount => "bill_discount",
            ProductKind::Installment => "installment",
            ProductKind::OrderFinancing => "order_financing",
            ProductKind::InventoryFinancing => "inventory_financing",
        }
    }

    /// Position in [`ProductKind::ALL`], used to index per-product tables.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ProductKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown product name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown product `{0}`")]
pub struct UnknownProduct(pub String);

impl FromStr for ProductKind {
    type Err = UnknownProduct;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ProductKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| UnknownProduct(name.to_owned()))
    }
}

/// Risk grades, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
    E,
}

/// Approve / refer cut-offs, either on the score or on the probability of default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Thresholds {
    /// Approve at `score >= approve_min`, refer at `score >= refer_min`, else decline.
    Score { approve_min: f64, refer_min: f64 },
    /// Approve at `pd <= approve_max`, refer at `pd <= refer_max`, else decline.
    ProbabilityOfDefault { approve_max: f64, refer_max: f64 },
}

/// One grade band: the lowest score that earns it, its limit multiplier and its price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GradeBand {
    pub grade: Grade,
    pub min_score: f64,
    /// Months of average sales granted as limit.
    pub limit_multiplier: Decimal,
    pub rate_annual: Decimal,
}

/// Everything product-specific about a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductPolicy {
    pub product: ProductKind,
    pub thresholds: Thresholds,
    /// Best grade first, `min_score` strictly decreasing; a score below every band gets the
    /// last one.
    pub grades: Vec<GradeBand>,
    /// Input holding average monthly sales.
    pub sales_input: String,
    /// Input holding the applicant's current outstanding exposure.
    pub exposure_input: String,
    pub limit_min: Decimal,
    pub limit_max: Decimal,
    pub rate_floor_annual: Decimal,
    pub rate_ceiling_annual: Decimal,
}

/// Result of the limit computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitOutcome {
    Granted(Decimal),
    /// What is left after exposure is under the product minimum.
    BelowMinimum,
}

impl ProductPolicy {
    /// The grade band for a score.
    pub fn band_for(&self, score: f64) -> Option<&GradeBand> {
        self.grades
            .iter()
            .find(|band| score >= band.min_score)
            .or(self.grades.last())
    }

    /// Credit limit from average monthly sales and current exposure (negatives count as zero).
    pub fn credit_limit(
        &self,
        band: &GradeBand,
        monthly_sales: Decimal,
        exposure: Decimal,
    ) -> LimitOutcome {
        let gross = monthly_sales
            .max(Decimal::ZERO)
            .checked_mul(band.limit_multiplier)
            .map_or(self.limit_max, |limit| limit.min(self.limit_max));
        let net = gross
            .checked_sub(exposure.max(Decimal::ZERO))
            .unwrap_or(Decimal::ZERO)
            .round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity)
            .max(Decimal::ZERO);
        if net < self.limit_min || net.is_zero() {
            LimitOutcome::BelowMinimum
        } else {
            LimitOutcome::Granted(net)
        }
    }

    /// The grade's annual rate clamped to the product floor and ceiling.
    pub fn rate_annual(&self, band: &GradeBand) -> Decimal {
        band.rate_annual
            .max(self.rate_floor_annual)
            .min(self.rate_ceiling_annual)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn policy() -> ProductPolicy {
        ProductPolicy {
            product: ProductKind::StockUpLine,
            thresholds: Thresholds::Score {
                approve_min: 600.0,
                refer_min: 560.0,
            },
            grades: vec![
                band(Grade::A, 640.0, dec!(3), dec!(0.08)),
                band(Grade::B, 600.0, dec!(2), dec!(0.15)),
                band(Grade::E, 0.0, dec!(1), dec!(0.40)),
            ],
            sales_input: "monthly_sales_avg".into(),
            exposure_input: "current_exposure".into(),
            limit_min: dec!(500),
            limit_max: dec!(50000),
            rate_floor_annual: dec!(0.10),
            rate_ceiling_annual: dec!(0.36),
        }
    }

    fn band(grade: Grade, min_score: f64, multiplier: Decimal, rate: Decimal) -> GradeBand {
        GradeBand {
            grade,
            min_score,
            limit_multiplier: multiplier,
            rate_annual: rate,
        }
    }

    #[test]
    fn product_names_round_trip_through_text() {
        for kind in ProductKind::ALL {
            assert_eq!(kind.as_str().parse::<ProductKind>(), Ok(kind));
        }
        assert!("payday".parse::<ProductKind>().is_err());
    }

    #[test]
    fn a_score_gets_the_first_band_it_reaches_or_the_last_band() {
        let policy = policy();
        assert_eq!(policy.band_for(650.0).map(|b| b.grade), Some(Grade::A));
        assert_eq!(policy.band_for(600.0).map(|b| b.grade), Some(Grade::B));
        assert_eq!(policy.band_for(-50.0).map(|b| b.grade), Some(Grade::E));
    }

    #[test]
    fn the_limit_is_sales_times_multiplier_minus_exposure_rounded_down() {
        let policy = policy();
        let limit = policy.credit_limit(&policy.grades[1], dec!(1234.56), dec!(100.10));
        assert_eq!(limit, LimitOutcome::Granted(dec!(2369)));
    }

    #[test]
    fn the_limit_is_capped_before_exposure_is_subtracted() {
        let policy = policy();
        let limit = policy.credit_limit(&policy.grades[0], dec!(100000), dec!(10000));
        assert_eq!(limit, LimitOutcome::Granted(dec!(40000)));
    }

    #[test]
    fn a_limit_under_the_product_minimum_is_not_granted() {
        let policy = policy();
        let limit = policy.credit_limit(&policy.grades[1], dec!(1000), dec!(1600));
        assert_eq!(limit, LimitOutcome::BelowMinimum);
    }

    #[test]
    fn the_rate_is_clamped_to_floor_and_ceiling() {
        let policy = policy();
        assert_eq!(policy.rate_annual(&policy.grades[0]), dec!(0.10));
        assert_eq!(policy.rate_annual(&policy.grades[1]), dec!(0.15));
        assert_eq!(policy.rate_annual(&policy.grades[2]), dec!(0.36));
    }
}
