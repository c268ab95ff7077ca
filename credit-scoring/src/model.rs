//! The scorecard model document: the versioned JSON a risk team imports, reviews and ships.
//!
//! It holds everything a decision depends on (features with their bins and points, the
//! points-to-double-the-odds scaling, policy rules and product configuration) so that a stored
//! model id + version is enough to reproduce any past decision.

use serde::{Deserialize, Serialize};

use crate::product::ProductPolicy;
use crate::rules::PolicyRule;

/// A complete, versioned scorecard. Build one with [`crate::train`] or by hand, then check it
/// with [`ModelDocument::validate`] (done by [`crate::CompiledModel::compile`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelDocument {
    pub id: String,
    pub version: u32,
    /// Supplied by the caller: the library never reads a clock.
    pub created_at: String,
    pub description: String,
    pub scaling: Scaling,
    /// Points every applicant starts with (the logistic intercept expressed in points).
    pub intercept_points: f64,
    pub features: Vec<Feature>,
    #[serde(default)]
    pub rules: Vec<PolicyRule>,
    #[serde(default)]
    pub products: Vec<ProductPolicy>,
    /// Training score distribution, kept so later populations can be compared (PSI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_distribution: Option<ScoreDistribution>,
}

/// Points-to-double-the-odds scaling: `base_score` points mean good:bad odds of `base_odds`,
/// and every `pdo` extra points double those odds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    pub base_score: f64,
    pub base_odds: f64,
    pub pdo: f64,
}

impl Scaling {
    /// Points per unit of log-odds.
    pub fn factor(&self) -> f64 {
        self.pdo / std::f64::consts::LN_2
    }

    /// The score at which the good:bad odds are exactly 1:1.
    pub fn offset(&self) -> f64 {
        self.base_score - self.factor() * self.base_odds.ln()
    }

    /// Probability of default implied by a score.
    pub fn probability_of_default(&self, score: f64) -> f64 {
        let log_odds_good = (score - self.offset()) / self.factor();
        1.0 / (1.0 + log_odds_good.exp())
    }

    /// Points for a log-odds-of-good contribution (used when turning coefficients into points).
    pub fn points_for_log_odds(&self, log_odds_good: f64) -> f64 {
        self.factor() * log_odds_good
    }
}

/// One scorecard characteristic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// The input name this feature reads.
    pub name: String,
    /// Short code used in adverse-action reasons, e.g. `F_STORE_AGE`.
    pub reason_code: String,
    /// Readable text shown when this feature is among the top reasons.
    pub reason_text: String,
    /// Logistic coefficient on the WoE column; informational, points already include it.
    #[serde(default)]
    pub coefficient: f64,
    /// Information value measured at training time; informational.
    #[serde(default)]
    pub information_value: f64,
    pub binning: Binning,
    /// Used when the input is absent or null.
    pub missing: Bin,
}

/// How an input value is assigned to a bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Binning {
    /// `edges` are strictly increasing cut points; `bins.len() == edges.len() + 1`.
    /// Bin `i` holds values in `[edges[i-1], edges[i])`, the first bin is open below and the
    /// last open above.
    Numeric { edges: Vec<f64>, bins: Vec<Bin> },
    /// Each group lists the category values it holds; `unseen` takes any other value.
    Categorical {
        groups: Vec<CategoryGroup>,
        unseen: Bin,
    },
}

/// A categorical bin: the values it holds and its weight of evidence and points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryGroup {
    pub values: Vec<String>,
    #[serde(flatten)]
    pub bin: Bin,
}

/// Weight of evidence (`ln(share of goods / share of bads)`) and points of one bin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    pub woe: f64,
    pub points: f64,
}

/// Training score distribution: `edges` cut the score axis into `edges.len() + 1` buckets whose
/// shares of the training population are `shares`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreDistribution {
    pub edges: Vec<f64>,
    pub shares: Vec<f64>,
}

impl ScoreDistribution {
    /// Bucket index of a score under the same convention as numeric bins.
    pub fn bucket(&self, score: f64) -> usize {
        self.edges.partition_point(|edge| *edge <= score)
    }
}

impl Feature {
    /// The highest points this feature can award; adverse reasons measure against it.
    pub fn best_points(&self) -> f64 {
        let mut best = self.missing.points;
        match &self.binning {
            Binning::Numeric { bins, .. } => {
                for bin in bins {
                    best = best.max(bin.points);
                }
            }
            Binning::Categorical { groups, unseen } => {
                best = best.max(unseen.points);
                for group in groups {
                    best = best.max(group.bin.points);
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scaling() -> Scaling {
        Scaling {
            base_score: 600.0,
            base_odds: 50.0,
            pdo: 20.0,
        }
    }

    #[test]
    fn the_base_score_maps_to_the_base_odds() {
        let pd = scaling().probability_of_default(600.0);
        assert!((pd - 1.0 / 51.0).abs() < 1e-12);
    }

    #[test]
    fn adding_pdo_points_doubles_the_good_bad_odds() {
        let pd = scaling().probability_of_default(620.0);
        let odds_good = (1.0 - pd) / pd;
        assert!((odds_good - 100.0).abs() < 1e-9);
    }

    #[test]
    fn the_factor_and_offset_match_the_textbook_values() {
        // factor = 20 / ln 2 = 28.8539; offset = 600 - 28.8539 * ln 50 = 487.1229
        assert!((scaling().factor() - 28.853_900_817_779_27).abs() < 1e-9);
        assert!((scaling().offset() - 487.122_876_205_52).abs() < 1e-6);
    }

    #[test]
    fn a_score_distribution_buckets_scores_on_half_open_intervals() {
        let dist = ScoreDistribution {
            edges: vec![500.0, 600.0],
            shares: vec![0.2, 0.5, 0.3],
        };
        assert_eq!(dist.bucket(499.9), 0);
        assert_eq!(dist.bucket(500.0), 1);
        assert_eq!(dist.bucket(700.0), 2);
    }
}
