//! Turns binned features and fitted coefficients into a model document with points, default
//! rules and products, and the training score distribution.

use super::binning::{FittedFeature, Layout};
use super::dataset::{ColumnData, Dataset};
use super::defaults::{default_products, default_rules, ColumnKinds};
use super::select::Selection;
use super::TrainOptions;
use crate::metrics::{auc, ks};
use crate::model::{Bin, Binning, CategoryGroup, Feature, ModelDocument, ScoreDistribution};

/// Buckets in the stored score distribution (deciles).
const DISTRIBUTION_BUCKETS: usize = 10;

pub(crate) struct Built {
    pub document: ModelDocument,
    pub training_auc: f64,
    pub training_ks: f64,
    pub holdout_auc: Option<f64>,
    pub holdout_ks: Option<f64>,
}

/// Points are stored to the cent so the document stays readable; scores are computed from the
/// rounded points, so training metrics describe exactly the shipped model.
fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn feature_document(feature: &FittedFeature, coefficient: f64, factor: f64) -> Feature {
    let bin = |index: usize| {
        let woe = feature.woe[index];
        Bin {
            woe: (woe * 1e6).round() / 1e6,
            points: round2(-factor * coefficient * woe),
        }
    };
    let bins = feature.counts.len();
    let (binning, kind_text) = match &feature.layout {
        Layout::Numeric { edges } => (
            Binning::Numeric {
                edges: edges.clone(),
                bins: (0..bins).map(bin).collect(),
            },
            "range",
        ),
        Layout::Categorical { groups, .. } => (
            Binning::Categorical {
                groups: groups
                    .iter()
                    .enumerate()
                    .map(|(index, values)| CategoryGroup {
                        values: values.clone(),
                        bin: bin(index),
                    })
                    .collect(),
                unseen: bin(bins + 1),
            },
            "group",
        ),
    };
    let code: String = feature
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    Feature {
        name: feature.name.clone(),
        reason_code: format!("F_{code}"),
        reason_text: format!("{} is in a higher-risk {kind_text}", feature.name),
        coefficient,
        information_value: feature.information_value,
        binning,
        missing: bin(bins),
    }
}

pub(crate) fn build(
    data: &Dataset,
    fitted: &[FittedFeature],
    selection: &Selection,
    train: &[bool],
    options: &TrainOptions,
) -> Built {
    let scaling = options.scaling;
    let factor = scaling.factor();
    let intercept_points = round2(scaling.offset() - factor * selection.intercept);
    let features: Vec<Feature> = selection
        .selected
        .iter()
        .map(|(index, coefficient)| feature_document(&fitted[*index], *coefficient, factor))
        .collect();
    let mut scores = vec![intercept_points; data.bad.len()];
    for ((index, coefficient), _) in selection.selected.iter().zip(&features) {
        let feature = &fitted[*index];
        for (score, bin) in scores.iter_mut().zip(&feature.assignment) {
            *score += round2(-factor * coefficient * feature.woe[usize::from(*bin)]);
        }
    }
    let split = |keep: bool| -> (Vec<f64>, Vec<bool>) {
        scores
            .iter()
            .zip(&data.bad)
            .zip(train)
            .filter(|(_, t)| **t == keep)
            .map(|((s, b), _)| (*s, *b))
            .unzip()
    };
    let (train_scores, train_bad) = split(true);
    let (holdout_scores, holdout_bad) = split(false);
    let kinds: ColumnKinds = data
        .columns
        .iter()
        .map(|column| {
            (
                column.name.clone(),
                matches!(column.data, ColumnData::Numeric(_)),
            )
        })
        .collect();
    let document = ModelDocument {
        id: options.model_id.clone(),
        version: options.version,
        created_at: options.created_at.clone(),
        description: options.description.clone(),
        scaling,
        intercept_points,
        features,
        rules: default_rules(&kinds),
        products: default_products(&scaling, &kinds),
        score_distribution: Some(distribution(&train_scores)),
    };
    Built {
        document,
        training_auc: auc(&train_scores, &train_bad).unwrap_or(0.5),
        training_ks: ks(&train_scores, &train_bad).unwrap_or(0.0),
        holdout_auc: auc(&holdout_scores, &holdout_bad),
        holdout_ks: ks(&holdout_scores, &holdout_bad),
    }
}

/// Decile edges of the training scores and the share of rows in each bucket.
fn distribution(scores: &[f64]) -> ScoreDistribution {
    let mut sorted = scores.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut edges: Vec<f64> = (1..DISTRIBUTION_BUCKETS)
        .filter_map(|q| sorted.get(q * sorted.len() / DISTRIBUTION_BUCKETS).copied())
        .collect();
    edges.dedup();
    let mut distribution = ScoreDistribution {
        shares: vec![0.0; edges.len() + 1],
        edges,
    };
    for score in &sorted {
        let bucket = distribution.bucket(*score);
        distribution.shares[bucket] += 1.0 / sorted.len() as f64;
    }
    distribution
}
