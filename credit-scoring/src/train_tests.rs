//! End-to-end training tests on synthetic merchants.

use crate::synthetic::{generate_merchants, write_merchants_csv};
use crate::{
    decide, evaluate, train, CompiledModel, FeatureStatus, Inputs, ProductKind, TrainOptions,
};

fn csv(rows: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    write_merchants_csv(&generate_merchants(rows, seed), &mut out).unwrap();
    out
}

fn options() -> TrainOptions {
    let mut options = TrainOptions::new("default", "1");
    options.excluded_columns = vec!["merchant_id".into()];
    options.holdout_share = 0.2;
    options.created_at = "2025-01-01T00:00:00Z".into();
    options
}

#[test]
fn training_produces_a_valid_discriminating_model_and_drops_noise() {
    let (document, report) = train(csv(20_000, 5).as_slice(), &options()).unwrap();
    let model = CompiledModel::compile(&document).unwrap();
    assert!(report.holdout_auc.unwrap() > 0.7, "{report:?}");
    let noise = report
        .features
        .iter()
        .find(|f| f.name == "online_share")
        .unwrap();
    assert_eq!(noise.status, FeatureStatus::WeakInformationValue);
    let eval = evaluate(&model, csv(5_000, 6).as_slice(), "default", "1").unwrap();
    assert!(
        eval.auc > 0.7 && eval.population_stability_index.unwrap() < 0.05,
        "{eval:?}"
    );
    assert_eq!(model.products().count(), 6);
    let inputs = Inputs::from_json(&serde_json::json!({"monthly_sales_avg": "9000"})).unwrap();
    assert!(decide(&model, ProductKind::Factoring, &inputs).is_ok());
}

#[test]
fn training_is_deterministic_for_a_seed() {
    let data = csv(5_000, 9);
    let first = train(data.as_slice(), &options()).unwrap();
    let second = train(data.as_slice(), &options()).unwrap();
    assert_eq!(
        serde_json::to_string(&first.0).unwrap(),
        serde_json::to_string(&second.0).unwrap()
    );
}

#[test]
fn numeric_bins_have_monotonic_weights_of_evidence() {
    let (document, _) = train(csv(20_000, 5).as_slice(), &options()).unwrap();
    for feature in &document.features {
        if let crate::Binning::Numeric { bins, .. } = &feature.binning {
            let up = bins.windows(2).all(|w| w[0].woe < w[1].woe);
            let down = bins.windows(2).all(|w| w[0].woe > w[1].woe);
            assert!(up || down, "{} is not monotonic", feature.name);
        }
    }
}

#[test]
fn a_single_class_target_is_refused() {
    let data = "x,y\n1,0\n2,0\n";
    assert_eq!(
        train(data.as_bytes(), &TrainOptions::new("y", "1")).unwrap_err(),
        crate::TrainError::SingleClass
    );
}
