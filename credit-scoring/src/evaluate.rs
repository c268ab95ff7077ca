//! Measures a model on labelled CSV data: AUC, Gini, KS, and PSI against the training score
//! distribution stored in the model.

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::compiled::CompiledModel;
use crate::inputs::{InputValue, Inputs};
use crate::metrics::{auc, ks, population_stability_index};
use crate::train::dataset::is_missing;
use crate::train::TrainError;

/// Evaluation results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    pub rows: usize,
    pub bads: usize,
    pub auc: f64,
    pub gini: f64,
    pub ks: f64,
    /// `None` when the model stores no training score distribution.
    pub population_stability_index: Option<f64>,
}

/// Scores every labelled row of `reader` and compares scores with outcomes.
pub fn evaluate(
    model: &CompiledModel,
    reader: impl Read,
    target: &str,
    bad_value: &str,
) -> Result<EvalReport, TrainError> {
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| TrainError::Csv(e.to_string()))?
        .clone();
    let target_index = headers
        .iter()
        .position(|name| name.trim() == target)
        .ok_or_else(|| TrainError::MissingTarget(target.to_owned()))?;
    let used: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter(|(_, name)| model.slots().iter().any(|slot| slot.name == name.trim()))
        .map(|(index, name)| (index, name.trim().to_owned()))
        .collect();
    let (mut scores, mut bad) = (Vec::new(), Vec::new());
    for (line, record) in csv.records().enumerate() {
        let record = record.map_err(|e| TrainError::Csv(e.to_string()))?;
        let label = record.get(target_index).unwrap_or("").trim();
        if is_missing(label) {
            continue;
        }
        let mut inputs = Inputs::new();
        for (index, name) in &used {
            let cell = record.get(*index).unwrap_or("").trim();
            let value = if is_missing(cell) {
                InputValue::Missing
            } else {
                InputValue::Text(cell.to_owned())
            };
            inputs.insert(name, value);
        }
        let resolved = model.resolve(&inputs).map_err(|error| TrainError::Row {
            line: line + 2,
            message: error.to_string(),
        })?;
        scores.push(model.score(&resolved));
        bad.push(label == bad_value.trim());
    }
    let area = auc(&scores, &bad).ok_or(TrainError::SingleClass)?;
    let psi = model
        .document()
        .score_distribution
        .as_ref()
        .map(|distribution| {
            let mut counts = vec![0.0; distribution.shares.len()];
            for score in &scores {
                counts[distribution.bucket(*score)] += 1.0;
            }
            let actual: Vec<f64> = counts.iter().map(|c| c / scores.len() as f64).collect();
            population_stability_index(&distribution.shares, &actual)
        });
    Ok(EvalReport {
        rows: scores.len(),
        bads: bad.iter().filter(|b| **b).count(),
        auc: area,
        gini: 2.0 * area - 1.0,
        ks: ks(&scores, &bad).unwrap_or(0.0),
        population_stability_index: psi,
    })
}
