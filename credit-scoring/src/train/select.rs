//! Feature selection and the final logistic fit: IV threshold, correlation pruning (keep the
//! stronger of two similar features) and sign checks on the fitted coefficients.

use super::binning::FittedFeature;
use super::logistic::fit_logistic;
use super::{FeatureReport, FeatureStatus, TrainError, TrainOptions};

/// The selected features (indices into the fitted list) with their coefficients.
pub(crate) struct Selection {
    pub selected: Vec<(usize, f64)>,
    pub intercept: f64,
    pub reports: Vec<FeatureReport>,
    pub iterations: usize,
}

fn woe_column(feature: &FittedFeature, train: &[bool]) -> Vec<f64> {
    feature
        .assignment
        .iter()
        .zip(train)
        .filter(|(_, t)| **t)
        .map(|(bin, _)| feature.woe[usize::from(*bin)])
        .collect()
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (mean_a, mean_b) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut cov, mut var_a, mut var_b) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        cov += (x - mean_a) * (y - mean_b);
        var_a += (x - mean_a).powi(2);
        var_b += (y - mean_b).powi(2);
    }
    if var_a == 0.0 || var_b == 0.0 {
        0.0
    } else {
        cov / (var_a * var_b).sqrt()
    }
}

pub(crate) fn select_and_fit(
    fitted: &[FittedFeature],
    bad: &[bool],
    train: &[bool],
    options: &TrainOptions,
) -> Result<Selection, TrainError> {
    let mut order: Vec<usize> = (0..fitted.len()).collect();
    order.sort_by(|a, b| {
        let (fa, fb) = (&fitted[*a], &fitted[*b]);
        fb.information_value
            .total_cmp(&fa.information_value)
            .then(fa.name.cmp(&fb.name))
    });
    let mut status: Vec<Option<FeatureStatus>> = vec![None; fitted.len()];
    let mut kept: Vec<(usize, Vec<f64>)> = Vec::new();
    for &index in &order {
        let feature = &fitted[index];
        if feature.information_value < options.min_information_value {
            status[index] = Some(FeatureStatus::WeakInformationValue);
            continue;
        }
        let column = woe_column(feature, train);
        let similar = kept
            .iter()
            .map(|(other, values)| (*other, correlation(&column, values)))
            .find(|(_, r)| r.abs() > options.max_correlation);
        if let Some((other, r)) = similar {
            status[index] = Some(FeatureStatus::Correlated {
                with: fitted[other].name.clone(),
                correlation: r,
            });
        } else if kept.len() >= options.max_features {
            status[index] = Some(FeatureStatus::OverFeatureLimit);
        } else {
            kept.push((index, column));
        }
    }
    let train_bad: Vec<bool> = bad
        .iter()
        .zip(train)
        .filter(|(_, t)| **t)
        .map(|(b, _)| *b)
        .collect();
    loop {
        if kept.is_empty() {
            return Err(TrainError::NoUsableFeatures);
        }
        let width = kept.len();
        let mut rows = vec![0.0; train_bad.len() * width];
        for (column_index, (_, column)) in kept.iter().enumerate() {
            for (row, value) in column.iter().enumerate() {
                rows[row * width + column_index] = *value;
            }
        }
        let fit = fit_logistic(&rows, width, &train_bad, options.l2);
        // WoE is ln(good/bad), so a sensible slope on logit(bad) is negative.
        let wrong = fit
            .coefficients
            .iter()
            .enumerate()
            .filter(|(_, c)| **c >= 0.0)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(position, c)| (position, *c));
        if let Some((position, coefficient)) = wrong {
            let (index, _) = kept.remove(position);
            status[index] = Some(FeatureStatus::WrongSign { coefficient });
            continue;
        }
        let selected: Vec<(usize, f64)> =
            kept.iter().map(|(i, _)| *i).zip(fit.coefficients).collect();
        for (index, coefficient) in &selected {
            status[*index] = Some(FeatureStatus::Selected {
                coefficient: *coefficient,
            });
        }
        let reports = order
            .iter()
            .map(|&index| FeatureReport {
                name: fitted[index].name.clone(),
                numeric: matches!(fitted[index].layout, super::binning::Layout::Numeric { .. }),
                bins: fitted[index].counts.len(),
                information_value: fitted[index].information_value,
                status: status[index]
                    .clone()
                    .unwrap_or(FeatureStatus::OverFeatureLimit),
            })
            .collect();
        return Ok(Selection {
            selected,
            intercept: fit.intercept,
            reports,
            iterations: fit.iterations,
        });
    }
}
