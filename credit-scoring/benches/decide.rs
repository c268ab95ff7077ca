//! Decision throughput with a 15-feature model and 10 policy rules.
//!
//! `CARGO_TARGET_DIR=/work/target-scoring cargo bench -p credit-scoring --bench decide`

use std::fmt::Debug;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use rust_decimal::Decimal;
use serde_json::json;

use credit_scoring::{
    decide, Bin, Binning, CategoryGroup, CompareOp, CompiledModel, Condition, Feature, Inputs,
    ModelDocument, PolicyRule, ProductKind, RuleOutcome, Scaling,
};

fn ok<T, E: Debug>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("benchmark setup failed: {error:?}"),
    }
}

fn bin(points: f64) -> Bin {
    Bin {
        woe: points / 25.0,
        points,
    }
}

fn feature(name: String, binning: Binning) -> Feature {
    Feature {
        reason_code: format!("F_{}", name.to_uppercase()),
        reason_text: format!("{name} weighs against the application"),
        name,
        coefficient: -1.0,
        information_value: 0.1,
        binning,
        missing: bin(-5.0),
    }
}

fn compare(code: &str, input: &str, op: CompareOp, value: i64, outcome: RuleOutcome) -> PolicyRule {
    let value = Decimal::from(value);
    let when = vec![Condition::Compare {
        input: input.into(),
        op,
        value,
    }];
    PolicyRule {
        code: code.into(),
        text: code.into(),
        outcome,
        when,
    }
}

fn model() -> ModelDocument {
    let mut features: Vec<Feature> = (0..12)
        .map(|i| {
            let edges = (1..=8).map(|e| f64::from(e) * 100.0).collect();
            let bins = (0..9).map(|b| bin(f64::from(b) * 3.0 - 10.0)).collect();
            feature(format!("num_{i}"), Binning::Numeric { edges, bins })
        })
        .collect();
    for i in 0..3 {
        let groups = (0..4)
            .map(|g| CategoryGroup {
                values: (0..3).map(|v| format!("cat_{g}_{v}")).collect(),
                bin: bin(f64::from(g) * 5.0),
            })
            .collect();
        features.push(feature(
            format!("cat_{i}"),
            Binning::Categorical {
                groups,
                unseen: bin(0.0),
            },
        ));
    }
    let membership = |code: &str, values: &[&str], outcome| PolicyRule {
        code: code.into(),
        text: code.into(),
        outcome,
        when: vec![Condition::In {
            input: "cat_0".into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }],
    };
    let rules = vec![
        membership("R_BLACKLIST", &["cat_9_9"], RuleOutcome::Decline),
        membership("R_SECTOR", &["cat_0_0", "cat_0_1"], RuleOutcome::Refer),
        compare(
            "R_DPD_60",
            "num_0",
            CompareOp::Gt,
            790,
            RuleOutcome::Decline,
        ),
        compare("R_DPD_15", "num_0", CompareOp::Gt, 750, RuleOutcome::Refer),
        compare("R_AGE_30", "num_1", CompareOp::Lt, 30, RuleOutcome::Decline),
        compare("R_AGE_90", "num_1", CompareOp::Lt, 90, RuleOutcome::Refer),
        compare("R_N2", "num_2", CompareOp::Ge, 10_000, RuleOutcome::Refer),
        compare("R_N3", "num_3", CompareOp::Le, -1, RuleOutcome::Refer),
        PolicyRule {
            code: "R_RATIO".into(),
            text: "R_RATIO".into(),
            outcome: RuleOutcome::Refer,
            when: vec![Condition::Ratio {
                numerator: "requested_amount".into(),
                denominator: "monthly_sales_avg".into(),
                op: CompareOp::Gt,
                factor: Decimal::from(3),
            }],
        },
        PolicyRule {
            code: "R_NO_SALES".into(),
            text: "R_NO_SALES".into(),
            outcome: RuleOutcome::Refer,
            when: vec![Condition::Missing {
                input: "monthly_sales_avg".into(),
            }],
        },
    ];
    let mut document = ok(credit_scoring::default_model());
    let products = std::mem::take(&mut document.products);
    ModelDocument {
        id: "bench".into(),
        version: 1,
        created_at: "2025-01-01T00:00:00Z".into(),
        description: "15 features, 10 rules".into(),
        scaling: Scaling {
            base_score: 600.0,
            base_odds: 50.0,
            pdo: 20.0,
        },
        intercept_points: 480.0,
        features,
        rules,
        products,
        score_distribution: None,
    }
}

fn inputs() -> Inputs {
    let mut value = json!({"monthly_sales_avg": "12000.50", "current_exposure": "1500",
        "requested_amount": "20000", "cat_0": "cat_2_1", "cat_1": "cat_1_0", "cat_2": "unknown"});
    for i in 0..12 {
        value[format!("num_{i}")] = json!(i * 73 % 900);
    }
    ok(Inputs::from_json(&value))
}

fn bench(c: &mut Criterion) {
    let model = ok(CompiledModel::compile(&model()));
    let inputs = inputs();
    let resolved = ok(model.resolve(&inputs));
    c.bench_function("decide_fast (pre-resolved, 15 features, 10 rules)", |b| {
        b.iter(|| black_box(model.decide_fast(ProductKind::StockUpLine, black_box(&resolved))))
    });
    c.bench_function("resolve + decide_fast (named inputs)", |b| {
        b.iter(|| {
            let resolved = ok(model.resolve(black_box(&inputs)));
            black_box(model.decide_fast(ProductKind::StockUpLine, &resolved))
        })
    });
    c.bench_function("decide (full reproducible Decision)", |b| {
        b.iter(|| black_box(decide(&model, ProductKind::StockUpLine, black_box(&inputs))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
