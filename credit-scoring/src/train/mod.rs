//! Scorecard training: CSV in, a ready-to-import [`ModelDocument`] and a report out.
//!
//! Steps: read and type the columns; bin every feature on the training rows (monotonic WoE);
//! drop weak features (IV below the threshold) and redundant ones (WoE columns correlated with
//! a stronger feature); fit a logistic regression on the WoE columns, dropping any feature
//! whose coefficient has the wrong sign; scale to points; attach default rules, products and
//! the training score distribution. Deterministic for a given seed.

pub(crate) mod binning;
pub(crate) mod dataset;
mod defaults;
mod document;
mod logistic;
mod prebin;
mod select;

use std::io::Read;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::compiled::CompiledModel;
use crate::model::{ModelDocument, Scaling};
use crate::validate::ModelError;

pub use defaults::{EXPOSURE_INPUT, REQUESTED_INPUT, SALES_INPUT};

/// Training settings. [`TrainOptions::new`] fills sensible defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    pub target_column: String,
    /// Target value that marks a bad (defaulted) row; every other value is good.
    pub bad_value: String,
    pub excluded_columns: Vec<String>,
    /// Seeds the hold-out split.
    pub seed: u64,
    /// Share of rows kept out of fitting and reported on (0 = fit on everything).
    pub holdout_share: f64,
    pub model_id: String,
    pub version: u32,
    pub description: String,
    pub created_at: String,
    pub scaling: Scaling,
    /// Minimum share of rows in every bin.
    pub min_bin_share: f64,
    /// Quantile pre-bins per numeric feature before merging.
    pub prebins: usize,
    pub min_information_value: f64,
    /// WoE columns correlated above this (absolute) with a stronger feature are dropped.
    pub max_correlation: f64,
    pub max_features: usize,
    /// L2 penalty on the logistic slopes.
    pub l2: f64,
}

impl TrainOptions {
    pub fn new(target_column: &str, bad_value: &str) -> Self {
        TrainOptions {
            target_column: target_column.to_owned(),
            bad_value: bad_value.to_owned(),
            excluded_columns: Vec::new(),
            seed: 7,
            holdout_share: 0.0,
            model_id: "scorecard".into(),
            version: 1,
            description: String::new(),
            created_at: String::new(),
            scaling: Scaling {
                base_score: 600.0,
                base_odds: 50.0,
                pdo: 20.0,
            },
            min_bin_share: 0.05,
            prebins: 20,
            min_information_value: 0.02,
            max_correlation: 0.8,
            max_features: 20,
            l2: 1.0,
        }
    }
}

/// Why training failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TrainError {
    #[error("CSV error: {0}")]
    Csv(String),
    #[error("target column `{0}` not found")]
    MissingTarget(String),
    #[error("line {line}: {message}")]
    Row { line: usize, message: String },
    #[error("the data must contain both good and bad rows")]
    SingleClass,
    #[error("no feature reaches the minimum information value")]
    NoUsableFeatures,
    #[error("invalid option: {0}")]
    BadOption(String),
    #[error("the trained model is invalid: {0}")]
    InvalidModel(#[from] ModelError),
}

/// What happened to one candidate feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FeatureStatus {
    Selected { coefficient: f64 },
    WeakInformationValue,
    Correlated { with: String, correlation: f64 },
    WrongSign { coefficient: f64 },
    OverFeatureLimit,
}

/// One candidate feature in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureReport {
    pub name: String,
    pub numeric: bool,
    pub bins: usize,
    pub information_value: f64,
    #[serde(flatten)]
    pub status: FeatureStatus,
}

/// Training summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    pub rows: usize,
    pub bads: usize,
    pub training_rows: usize,
    pub holdout_rows: usize,
    pub features: Vec<FeatureReport>,
    pub training_auc: f64,
    pub training_ks: f64,
    pub holdout_auc: Option<f64>,
    pub holdout_ks: Option<f64>,
    pub iterations: usize,
}

/// Trains a scorecard from CSV.
pub fn train(
    reader: impl Read,
    options: &TrainOptions,
) -> Result<(ModelDocument, TrainReport), TrainError> {
    if !(0.0..0.9).contains(&options.holdout_share)
        || !(0.0..0.5).contains(&options.min_bin_share)
        || options.prebins < 2
    {
        return Err(TrainError::BadOption(
            "holdout_share must be in [0, 0.9), min_bin_share in [0, 0.5), prebins >= 2".into(),
        ));
    }
    let data = dataset::read_dataset(
        reader,
        &options.target_column,
        &options.bad_value,
        &options.excluded_columns,
    )?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let train_mask: Vec<bool> = data
        .bad
        .iter()
        .map(|_| rng.gen::<f64>() >= options.holdout_share)
        .collect();
    let train_bads = data
        .bad
        .iter()
        .zip(&train_mask)
        .filter(|(b, t)| **b && **t)
        .count();
    let train_rows = train_mask.iter().filter(|t| **t).count();
    if train_bads == 0 || train_bads == train_rows {
        return Err(TrainError::SingleClass);
    }
    let settings = binning::BinSettings {
        min_bin_share: options.min_bin_share,
        prebins: options.prebins,
    };
    let fitted: Vec<binning::FittedFeature> = data
        .columns
        .iter()
        .map(|column| {
            binning::fit_feature(&column.name, &column.data, &data.bad, &train_mask, settings)
        })
        .collect();
    let selection = select::select_and_fit(&fitted, &data.bad, &train_mask, options)?;
    let built = document::build(&data, &fitted, &selection, &train_mask, options);
    CompiledModel::compile(&built.document)?;
    let report = TrainReport {
        rows: data.bad.len(),
        bads: data.bad.iter().filter(|b| **b).count(),
        training_rows: train_rows,
        holdout_rows: data.bad.len() - train_rows,
        features: selection.reports,
        training_auc: built.training_auc,
        training_ks: built.training_ks,
        holdout_auc: built.holdout_auc,
        holdout_ks: built.holdout_ks,
        iterations: selection.iterations,
    };
    Ok((built.document, report))
}
