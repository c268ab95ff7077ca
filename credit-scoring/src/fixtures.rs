//! A small hand-built model shared by the unit tests.

use rust_decimal_macros::dec;

use crate::model::{Bin, Binning, CategoryGroup, Feature, ModelDocument, Scaling};
use crate::product::{Grade, GradeBand, ProductKind, ProductPolicy, Thresholds};
use crate::rules::{CompareOp, Condition, PolicyRule, RuleOutcome};

fn bin(points: f64) -> Bin {
    Bin {
        woe: points / 30.0,
        points,
    }
}

fn numeric(name: &str, edges: Vec<f64>, points: &[f64], missing: f64) -> Feature {
    Feature {
        name: name.into(),
        reason_code: format!("F_{}", name.to_uppercase()),
        reason_text: format!("{name} weighs against the application"),
        coefficient: -1.0,
        information_value: 0.3,
        binning: Binning::Numeric {
            edges,
            bins: points.iter().map(|p| bin(*p)).collect(),
        },
        missing: bin(missing),
    }
}

fn rule(code: &str, outcome: RuleOutcome, condition: Condition) -> PolicyRule {
    PolicyRule {
        code: code.into(),
        text: format!("{code} text"),
        outcome,
        when: vec![condition],
    }
}

pub fn stock_up_policy() -> ProductPolicy {
    let band = |grade, min_score, limit_multiplier, rate_annual| GradeBand {
        grade,
        min_score,
        limit_multiplier,
        rate_annual,
    };
    ProductPolicy {
        product: ProductKind::StockUpLine,
        thresholds: Thresholds::Score {
            approve_min: 600.0,
            refer_min: 570.0,
        },
        grades: vec![
            band(Grade::A, 640.0, dec!(3), dec!(0.12)),
            band(Grade::B, 610.0, dec!(2), dec!(0.18)),
            band(Grade::C, 0.0, dec!(1), dec!(0.40)),
        ],
        sales_input: "monthly_sales_avg".into(),
        exposure_input: "current_exposure".into(),
        limit_min: dec!(500),
        limit_max: dec!(50000),
        rate_floor_annual: dec!(0.10),
        rate_ceiling_annual: dec!(0.36),
    }
}

/// Best case: store age 30, sector 25, sales 30 on top of 550 = 635 (grade B).
pub fn model() -> ModelDocument {
    let sector = Feature {
        name: "sector".into(),
        reason_code: "F_SECTOR".into(),
        reason_text: "Sector risk".into(),
        coefficient: -1.0,
        information_value: 0.1,
        binning: Binning::Categorical {
            groups: vec![
                CategoryGroup {
                    values: vec!["food".into(), "retail".into()],
                    bin: bin(25.0),
                },
                CategoryGroup {
                    values: vec!["travel".into()],
                    bin: bin(5.0),
                },
            ],
            unseen: bin(10.0),
        },
        missing: bin(8.0),
    };
    ModelDocument {
        id: "fixture".into(),
        version: 3,
        created_at: "2025-01-01T00:00:00Z".into(),
        description: "hand-built test model".into(),
        scaling: Scaling {
            base_score: 600.0,
            base_odds: 50.0,
            pdo: 20.0,
        },
        intercept_points: 550.0,
        features: vec![
            numeric(
                "store_age_days",
                vec![180.0, 365.0, 730.0],
                &[0.0, 10.0, 20.0, 30.0],
                5.0,
            ),
            sector,
            numeric(
                "monthly_sales_avg",
                vec![1000.0, 5000.0],
                &[0.0, 15.0, 30.0],
                0.0,
            ),
        ],
        rules: vec![
            rule(
                "R_BLACKLISTED",
                RuleOutcome::Decline,
                Condition::In {
                    input: "blacklisted".into(),
                    values: vec!["true".into()],
                },
            ),
            rule(
                "R_PAST_DUE",
                RuleOutcome::Decline,
                Condition::Compare {
                    input: "max_days_past_due".into(),
                    op: CompareOp::Gt,
                    value: dec!(30),
                },
            ),
            rule(
                "R_YOUNG_STORE",
                RuleOutcome::Refer,
                Condition::Compare {
                    input: "store_age_days".into(),
                    op: CompareOp::Lt,
                    value: dec!(90),
                },
            ),
            rule(
                "R_REQUEST_TOO_HIGH",
                RuleOutcome::Refer,
                Condition::Ratio {
                    numerator: "requested_amount".into(),
                    denominator: "monthly_sales_avg".into(),
                    op: CompareOp::Gt,
                    factor: dec!(3),
                },
            ),
        ],
        products: vec![stock_up_policy()],
        score_distribution: None,
    }
}
