//! One test per validation rejection.

use crate::fixtures;
use crate::{Bin, Binning, CategoryGroup, Condition, ModelDocument, ModelError, ScoreDistribution};
use crate::{CompiledModel, Thresholds, MAX_RULES};
use rust_decimal_macros::dec;

fn refused(change: impl FnOnce(&mut ModelDocument)) -> ModelError {
    let mut doc = fixtures::model();
    change(&mut doc);
    CompiledModel::compile(&doc).unwrap_err()
}

fn numeric_edges(doc: &mut ModelDocument) -> &mut Vec<f64> {
    match &mut doc.features[0].binning {
        Binning::Numeric { edges, .. } => edges,
        Binning::Categorical { .. } => unreachable!("fixture feature 0 is numeric"),
    }
}

#[test]
fn the_fixture_model_is_valid() {
    assert_eq!(fixtures::model().validate(), Ok(()));
}

#[test]
fn an_empty_id_is_refused() {
    assert_eq!(refused(|d| d.id = " ".into()), ModelError::EmptyId);
}

#[test]
fn a_model_without_features_is_refused() {
    assert_eq!(refused(|d| d.features.clear()), ModelError::NoFeatures);
}

#[test]
fn duplicate_feature_names_are_refused() {
    let err = refused(|d| d.features.push(d.features[0].clone()));
    assert_eq!(err, ModelError::DuplicateFeature("store_age_days".into()));
}

#[test]
fn unsorted_edges_are_refused() {
    let err = refused(|d| numeric_edges(d).swap(0, 1));
    assert_eq!(err, ModelError::UnsortedEdges("store_age_days".into()));
}

#[test]
fn repeated_edges_are_refused_as_overlapping_bins() {
    let err = refused(|d| numeric_edges(d)[1] = 180.0);
    assert_eq!(err, ModelError::UnsortedEdges("store_age_days".into()));
}

#[test]
fn a_missing_numeric_bin_is_refused() {
    let err = refused(|d| {
        if let Binning::Numeric { bins, .. } = &mut d.features[0].binning {
            bins.pop();
        }
    });
    assert!(matches!(
        err,
        ModelError::BinCountMismatch {
            expected: 4,
            found: 3,
            ..
        }
    ));
}

#[test]
fn a_categorical_feature_without_groups_is_refused() {
    let err = refused(|d| {
        d.features[1].binning = Binning::Categorical {
            groups: vec![],
            unseen: Bin {
                woe: 0.0,
                points: 0.0,
            },
        }
    });
    assert_eq!(err, ModelError::NoGroups("sector".into()));
}

#[test]
fn a_category_in_two_groups_is_refused() {
    let err = refused(|d| {
        if let Binning::Categorical { groups, .. } = &mut d.features[1].binning {
            groups.push(CategoryGroup {
                values: vec!["food".into()],
                bin: Bin {
                    woe: 0.0,
                    points: 1.0,
                },
            });
        }
    });
    assert!(matches!(err, ModelError::OverlappingCategory { .. }));
}

#[test]
fn non_finite_points_are_refused() {
    let err = refused(|d| d.features[2].missing.points = f64::NAN);
    assert_eq!(err, ModelError::NonFinitePoints("monthly_sales_avg".into()));
}

#[test]
fn a_non_positive_pdo_is_refused() {
    assert_eq!(refused(|d| d.scaling.pdo = 0.0), ModelError::BadScaling);
}

#[test]
fn non_positive_base_odds_are_refused() {
    assert_eq!(
        refused(|d| d.scaling.base_odds = -1.0),
        ModelError::BadScaling
    );
}

#[test]
fn a_non_finite_intercept_is_refused() {
    assert_eq!(
        refused(|d| d.intercept_points = f64::INFINITY),
        ModelError::BadIntercept
    );
}

#[test]
fn duplicate_rule_codes_are_refused() {
    let err = refused(|d| d.rules.push(d.rules[0].clone()));
    assert_eq!(err, ModelError::DuplicateRule("R_BLACKLISTED".into()));
}

#[test]
fn a_rule_without_conditions_is_refused() {
    let err = refused(|d| d.rules[0].when.clear());
    assert_eq!(err, ModelError::EmptyRule("R_BLACKLISTED".into()));
}

#[test]
fn a_membership_without_values_is_refused() {
    let err = refused(|d| {
        d.rules[0].when = vec![Condition::In {
            input: "x".into(),
            values: vec![],
        }]
    });
    assert_eq!(err, ModelError::EmptyMembership("R_BLACKLISTED".into()));
}

#[test]
fn more_rules_than_the_mask_holds_are_refused() {
    let err = refused(|d| {
        let template = d.rules[1].clone();
        d.rules = (0..=MAX_RULES)
            .map(|i| {
                let mut rule = template.clone();
                rule.code = format!("R{i}");
                rule
            })
            .collect();
    });
    assert_eq!(err, ModelError::TooManyRules);
}

#[test]
fn an_input_used_as_number_and_category_is_refused() {
    let err = refused(|d| {
        d.rules[0].when = vec![Condition::In {
            input: "store_age_days".into(),
            values: vec!["old".into()],
        }]
    });
    assert_eq!(err, ModelError::InputKindConflict("store_age_days".into()));
}

#[test]
fn a_product_configured_twice_is_refused() {
    let err = refused(|d| d.products.push(fixtures::stock_up_policy()));
    assert_eq!(err, ModelError::DuplicateProduct("stock_up_line".into()));
}

#[test]
fn an_approve_cut_off_below_the_refer_cut_off_is_refused() {
    let err = refused(|d| {
        d.products[0].thresholds = Thresholds::Score {
            approve_min: 500.0,
            refer_min: 550.0,
        }
    });
    assert_eq!(err, ModelError::BadThresholds("stock_up_line".into()));
}

#[test]
fn grade_bands_out_of_order_are_refused() {
    let err = refused(|d| d.products[0].grades.swap(0, 1));
    assert_eq!(err, ModelError::BadGrades("stock_up_line".into()));
}

#[test]
fn a_limit_minimum_above_the_maximum_is_refused() {
    let err = refused(|d| d.products[0].limit_min = dec!(60000));
    assert_eq!(err, ModelError::BadLimits("stock_up_line".into()));
}

#[test]
fn a_rate_floor_above_the_ceiling_is_refused() {
    let err = refused(|d| d.products[0].rate_floor_annual = dec!(0.5));
    assert_eq!(err, ModelError::BadPricing("stock_up_line".into()));
}

#[test]
fn a_score_distribution_with_the_wrong_number_of_shares_is_refused() {
    let err = refused(|d| {
        d.score_distribution = Some(ScoreDistribution {
            edges: vec![1.0],
            shares: vec![1.0],
        })
    });
    assert_eq!(err, ModelError::BadScoreDistribution);
}

#[test]
fn the_model_document_round_trips_through_json() {
    let doc = fixtures::model();
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let back: ModelDocument = serde_json::from_str(&text).unwrap();
    assert_eq!(back, doc);
    assert!(text.contains("\"limit_max\": \"50000\""));
}
