//! Structural checks on a model document, so a broken model is refused at import with a
//! reason instead of producing odd decisions later.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use thiserror::Error;

use crate::model::{Bin, Binning, Feature, ModelDocument, ScoreDistribution};
use crate::product::{ProductPolicy, Thresholds};
use crate::rules::{Condition, PolicyRule};

/// Rules are tracked in a 64-bit mask on the hot path.
pub const MAX_RULES: usize = 64;

/// Why a model document was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    #[error("model id must not be empty")]
    EmptyId,
    #[error("model must have at least one feature")]
    NoFeatures,
    #[error("feature `{0}` appears more than once")]
    DuplicateFeature(String),
    #[error("feature `{0}` has edges that are not finite and strictly increasing")]
    UnsortedEdges(String),
    #[error("feature `{feature}` needs {expected} bins for its edges, has {found}")]
    BinCountMismatch {
        feature: String,
        expected: usize,
        found: usize,
    },
    #[error("feature `{0}` has no categorical groups")]
    NoGroups(String),
    #[error("feature `{feature}` lists category `{value}` in more than one group")]
    OverlappingCategory { feature: String, value: String },
    #[error("feature `{0}` has a non-finite weight of evidence or points")]
    NonFinitePoints(String),
    #[error("scaling must have finite positive base odds and PDO and a finite base score")]
    BadScaling,
    #[error("intercept points must be finite")]
    BadIntercept,
    #[error("rule code `{0}` appears more than once")]
    DuplicateRule(String),
    #[error("rule `{0}` has no conditions")]
    EmptyRule(String),
    #[error("rule `{0}` has a membership condition with no values")]
    EmptyMembership(String),
    #[error("the model has more than {MAX_RULES} rules")]
    TooManyRules,
    #[error("input `{0}` is used both as a number and as a category")]
    InputKindConflict(String),
    #[error("product `{0}` is configured more than once")]
    DuplicateProduct(String),
    #[error("product `{0}`: approve cut-off must be at least as strict as refer cut-off")]
    BadThresholds(String),
    #[error("product `{0}`: grade bands must be non-empty with strictly decreasing min scores")]
    BadGrades(String),
    #[error("product `{0}`: limit minimum and maximum must satisfy 0 <= min <= max")]
    BadLimits(String),
    #[error("product `{0}`: rates and multipliers must be >= 0 with floor <= ceiling")]
    BadPricing(String),
    #[error("score distribution must have sorted edges and one share per bucket")]
    BadScoreDistribution,
}

impl ModelDocument {
    /// Checks the whole document; the first problem found is reported.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.id.trim().is_empty() {
            return Err(ModelError::EmptyId);
        }
        let s = &self.scaling;
        let scaling_ok = s.base_score.is_finite()
            && s.base_odds.is_finite()
            && s.base_odds > 0.0
            && s.pdo.is_finite()
            && s.pdo > 0.0;
        if !scaling_ok {
            return Err(ModelError::BadScaling);
        }
        if !self.intercept_points.is_finite() {
            return Err(ModelError::BadIntercept);
        }
        validate_features(&self.features)?;
        validate_rules(&self.rules)?;
        validate_products(&self.products)?;
        if let Some(distribution) = &self.score_distribution {
            validate_distribution(distribution)?;
        }
        Ok(())
    }
}

fn validate_features(features: &[Feature]) -> Result<(), ModelError> {
    if features.is_empty() {
        return Err(ModelError::NoFeatures);
    }
    let mut names = BTreeSet::new();
    for feature in features {
        if !names.insert(feature.name.as_str()) {
            return Err(ModelError::DuplicateFeature(feature.name.clone()));
        }
        validate_feature(feature)?;
    }
    Ok(())
}

fn validate_feature(feature: &Feature) -> Result<(), ModelError> {
    let name = || feature.name.clone();
    let finite = |bin: &Bin| bin.woe.is_finite() && bin.points.is_finite();
    if !finite(&feature.missing) {
        return Err(ModelError::NonFinitePoints(name()));
    }
    match &feature.binning {
        Binning::Numeric { edges, bins } => {
            let sorted = edges.iter().all(|edge| edge.is_finite())
                && edges.windows(2).all(|pair| pair[0] < pair[1]);
            if !sorted {
                return Err(ModelError::UnsortedEdges(name()));
            }
            if bins.len() != edges.len() + 1 {
                return Err(ModelError::BinCountMismatch {
                    feature: name(),
                    expected: edges.len() + 1,
                    found: bins.len(),
                });
            }
            if !bins.iter().all(finite) {
                return Err(ModelError::NonFinitePoints(name()));
            }
        }
        Binning::Categorical { groups, unseen } => {
            if groups.is_empty() {
                return Err(ModelError::NoGroups(name()));
            }
            let mut seen = BTreeSet::new();
            for value in groups.iter().flat_map(|group| &group.values) {
                if !seen.insert(value.as_str()) {
                    return Err(ModelError::OverlappingCategory {
                        feature: name(),
                        value: value.clone(),
                    });
                }
            }
            if !finite(unseen) || !groups.iter().all(|group| finite(&group.bin)) {
                return Err(ModelError::NonFinitePoints(name()));
            }
        }
    }
    Ok(())
}

fn validate_rules(rules: &[PolicyRule]) -> Result<(), ModelError> {
    if rules.len() > MAX_RULES {
        return Err(ModelError::TooManyRules);
    }
    let mut codes = BTreeSet::new();
    for rule in rules {
        if !codes.insert(rule.code.as_str()) {
            return Err(ModelError::DuplicateRule(rule.code.clone()));
        }
        if rule.when.is_empty() {
            return Err(ModelError::EmptyRule(rule.code.clone()));
        }
        let empty_membership = rule.when.iter().any(|condition| match condition {
            Condition::In { values, .. } | Condition::NotIn { values, .. } => values.is_empty(),
            _ => false,
        });
        if empty_membership {
            return Err(ModelError::EmptyMembership(rule.code.clone()));
        }
    }
    Ok(())
}

fn validate_products(products: &[ProductPolicy]) -> Result<(), ModelError> {
    let mut seen = BTreeSet::new();
    for policy in products {
        let name = || policy.product.as_str().to_owned();
        if !seen.insert(policy.product) {
            return Err(ModelError::DuplicateProduct(name()));
        }
        let thresholds_ok = match policy.thresholds {
            Thresholds::Score {
                approve_min,
                refer_min,
            } => approve_min.is_finite() && refer_min.is_finite() && approve_min >= refer_min,
            Thresholds::ProbabilityOfDefault {
                approve_max,
                refer_max,
            } => (0.0..=1.0).contains(&approve_max) && (approve_max..=1.0).contains(&refer_max),
        };
        if !thresholds_ok {
            return Err(ModelError::BadThresholds(name()));
        }
        let grades_ok = !policy.grades.is_empty()
            && policy.grades.iter().all(|band| band.min_score.is_finite())
            && policy
                .grades
                .windows(2)
                .all(|pair| pair[0].min_score > pair[1].min_score);
        if !grades_ok {
            return Err(ModelError::BadGrades(name()));
        }
        if policy.limit_min < Decimal::ZERO || policy.limit_min > policy.limit_max {
            return Err(ModelError::BadLimits(name()));
        }
        let pricing_ok = policy.rate_floor_annual >= Decimal::ZERO
            && policy.rate_floor_annual <= policy.rate_ceiling_annual
            && policy.grades.iter().all(|band| {
                band.rate_annual >= Decimal::ZERO && band.limit_multiplier >= Decimal::ZERO
            });
        if !pricing_ok {
            return Err(ModelError::BadPricing(name()));
        }
    }
    Ok(())
}

fn validate_distribution(distribution: &ScoreDistribution) -> Result<(), ModelError> {
    let edges = &distribution.edges;
    let ok = edges.iter().all(|edge| edge.is_finite())
        && edges.windows(2).all(|pair| pair[0] < pair[1])
        && distribution.shares.len() == edges.len() + 1
        && distribution
            .shares
            .iter()
            .all(|share| share.is_finite() && *share >= 0.0);
    if ok {
        Ok(())
    } else {
        Err(ModelError::BadScoreDistribution)
    }
}
