//! Rebuilds the shipped default model `models/default-merchant.json`: generates 100 000
//! synthetic merchants (seed 7), trains on the first 80%, evaluates on the held-out 20% and
//! prints the reports (JSON) to stderr.
//!
//! `cargo run --release -p credit-scoring --example train_default > credit-scoring/models/default-merchant.json`

use std::process::ExitCode;

use credit_scoring::synthetic::{
    generate_merchants, true_default_probability, write_merchants_csv,
};
use credit_scoring::{auc, evaluate, train, CompiledModel, TrainOptions};

const ROWS: usize = 100_000;
const SEED: u64 = 7;

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let merchants = generate_merchants(ROWS, SEED);
    let (fit_rows, held_out) = merchants.split_at(ROWS * 8 / 10);
    let (mut fit_csv, mut held_out_csv) = (Vec::new(), Vec::new());
    write_merchants_csv(fit_rows, &mut fit_csv)?;
    write_merchants_csv(held_out, &mut held_out_csv)?;
    let mut options = TrainOptions::new("default", "1");
    options.excluded_columns = vec!["merchant_id".into()];
    options.seed = SEED;
    options.model_id = "default-merchant".into();
    options.description =
        "Default merchant scorecard trained on 80 000 synthetic merchants (seed 7)".into();
    options.created_at = "2025-01-01T00:00:00Z".into();
    let (document, report) = train(fit_csv.as_slice(), &options)?;
    let model = CompiledModel::compile(&document)?;
    let evaluation = evaluate(&model, held_out_csv.as_slice(), "default", "1")?;
    let truth: Vec<f64> = held_out
        .iter()
        .map(|m| -true_default_probability(m))
        .collect();
    let labels: Vec<bool> = held_out.iter().map(|m| m.defaulted).collect();
    eprintln!("{}", serde_json::to_string_pretty(&report)?);
    eprintln!("held-out: {}", serde_json::to_string(&evaluation)?);
    eprintln!(
        "held-out AUC of the true generating model: {:.4}",
        auc(&truth, &labels).unwrap_or(0.5)
    );
    println!("{}", serde_json::to_string_pretty(&document)?);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
