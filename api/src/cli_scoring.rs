//! `lendline scoring train` and `lendline scoring evaluate`: build a scorecard from labelled
//! CSV and measure one, offline. Neither touches the database; upload the written model with
//! `POST /v1/scoring/models`.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use credit_scoring::{evaluate, train, CompiledModel, FeatureStatus, ModelDocument, TrainOptions};

#[derive(Debug, Args)]
pub struct ScoringArgs {
    #[command(subcommand)]
    pub command: ScoringCommand,
}

#[derive(Debug, Subcommand)]
pub enum ScoringCommand {
    /// Train a scorecard from labelled CSV and write the model document as JSON.
    Train(TrainArgs),
    /// Measure a model on labelled CSV: AUC, Gini, KS and PSI against its training scores.
    Evaluate(EvaluateArgs),
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// CSV file with a header line.
    #[arg(long)]
    pub data: PathBuf,
    /// The column holding the outcome.
    #[arg(long)]
    pub target: String,
    /// The target value that marks a bad (defaulted) row; any other value is good.
    #[arg(long)]
    pub bad: String,
    /// Columns that must not become features (ids, dates), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Where to write the model document.
    #[arg(long)]
    pub out: PathBuf,
    /// Model id.
    #[arg(long, default_value = "scorecard")]
    pub id: String,
    /// Model version; upload a new version rather than changing a stored one.
    #[arg(long, default_value_t = 1)]
    pub version: u32,
    #[arg(long, default_value = "")]
    pub description: String,
    /// Share of rows held out of fitting and reported on, e.g. 0.3.
    #[arg(long, default_value_t = 0.0)]
    pub holdout: f64,
    /// Seed of the hold-out split (training is deterministic for a given seed).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// A model document (JSON).
    #[arg(long)]
    pub model: PathBuf,
    /// Labelled CSV with the model's input columns.
    #[arg(long)]
    pub data: PathBuf,
    #[arg(long)]
    pub target: String,
    #[arg(long)]
    pub bad: String,
}

pub fn run(args: ScoringArgs) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match args.command {
        ScoringCommand::Train(args) => run_train(&args, &mut out),
        ScoringCommand::Evaluate(args) => run_evaluate(&args, &mut out),
    }
}

fn open(path: &PathBuf) -> anyhow::Result<BufReader<File>> {
    Ok(BufReader::new(
        File::open(path).with_context(|| format!("opening {}", path.display()))?,
    ))
}

fn run_train(args: &TrainArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let mut options = TrainOptions::new(&args.target, &args.bad);
    options.excluded_columns = args.exclude.clone();
    options.model_id = args.id.clone();
    options.version = args.version;
    options.description = args.description.clone();
    options.holdout_share = args.holdout;
    options.seed = args.seed;
    // The engine never reads a clock; the command line is where "now" is decided.
    options.created_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let progress = crate::progress::Progress::new("scoring train", Some(2));
    progress.step(&format!("binning and fitting {}", args.data.display()));
    let (document, report) = train(open(&args.data)?, &options).context("training")?;
    progress.step(&format!("writing {}", args.out.display()));
    let json = serde_json::to_string_pretty(&document)?;
    std::fs::write(&args.out, json + "\n")
        .with_context(|| format!("writing {}", args.out.display()))?;
    progress.finish("trained");
    writeln!(out, "rows {} (bads {})", report.rows, report.bads)?;
    writeln!(
        out,
        "training rows {}, hold-out rows {}",
        report.training_rows, report.holdout_rows
    )?;
    for feature in &report.features {
        let status = match &feature.status {
            FeatureStatus::Selected { coefficient } => {
                format!("selected (coefficient {coefficient:.4})")
            }
            FeatureStatus::WeakInformationValue => "dropped: weak information value".into(),
            FeatureStatus::Correlated { with, correlation } => {
                format!("dropped: correlated with {with} ({correlation:.2})")
            }
            FeatureStatus::WrongSign { coefficient } => {
                format!("dropped: wrong sign ({coefficient:.4})")
            }
            FeatureStatus::OverFeatureLimit => "dropped: over the feature limit".into(),
        };
        writeln!(
            out,
            "  {:<24} IV {:.4}  {status}",
            feature.name, feature.information_value
        )?;
    }
    writeln!(
        out,
        "training AUC {:.4} KS {:.4}",
        report.training_auc, report.training_ks
    )?;
    if let (Some(auc), Some(ks)) = (report.holdout_auc, report.holdout_ks) {
        writeln!(out, "hold-out AUC {auc:.4} KS {ks:.4}")?;
    }
    writeln!(
        out,
        "model {}@{} written to {}",
        document.id,
        document.version,
        args.out.display()
    )?;
    Ok(())
}

fn run_evaluate(args: &EvaluateArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let document: ModelDocument = serde_json::from_reader(open(&args.model)?)
        .with_context(|| format!("reading the model {}", args.model.display()))?;
    let model = CompiledModel::compile(&document).context("the model is invalid")?;
    let report =
        evaluate(&model, open(&args.data)?, &args.target, &args.bad).context("evaluating")?;
    writeln!(out, "model {}@{}", document.id, document.version)?;
    writeln!(out, "rows {} (bads {})", report.rows, report.bads)?;
    writeln!(out, "AUC {:.4}", report.auc)?;
    writeln!(out, "Gini {:.4}", report.gini)?;
    writeln!(out, "KS {:.4}", report.ks)?;
    match report.population_stability_index {
        Some(psi) => writeln!(out, "PSI {psi:.4}")?,
        None => writeln!(
            out,
            "PSI n/a (the model stores no training score distribution)"
        )?,
    }
    Ok(())
}
