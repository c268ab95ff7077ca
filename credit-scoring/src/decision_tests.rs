//! Decision tests against the hand-built fixture model.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;

use crate::fixtures;
use crate::{decide, CompiledModel, DecisionError, Grade, Inputs, Outcome, ProductKind};
use crate::{ReasonSource, Thresholds, LIMIT_BELOW_MINIMUM, NO_SALES_HISTORY};

fn compiled() -> CompiledModel {
    CompiledModel::compile(&fixtures::model()).unwrap()
}

fn inputs(value: serde_json::Value) -> Inputs {
    Inputs::from_json(&value).unwrap()
}

fn strong() -> serde_json::Value {
    json!({"store_age_days": 1000, "sector": "food", "monthly_sales_avg": "6000",
           "current_exposure": "1000.50", "requested_amount": 5000, "blacklisted": false,
           "max_days_past_due": 0})
}

fn decide_json(value: serde_json::Value) -> crate::Decision {
    decide(&compiled(), ProductKind::StockUpLine, &inputs(value)).unwrap()
}

#[test]
fn a_strong_applicant_is_approved_with_limit_grade_and_price() {
    let decision = decide_json(strong());
    assert_eq!(decision.outcome, Outcome::Approve);
    assert!((decision.score - 635.0).abs() < 1e-9);
    assert_eq!(decision.grade, Grade::B);
    // 6000 × 2 − 1000.50 = 10999.50, rounded down to whole units.
    assert_eq!(decision.credit_limit, dec!(10999));
    assert_eq!(decision.rate_annual, dec!(0.18));
    assert!(decision.reasons.is_empty());
    assert_eq!(decision.model_id, "fixture");
    assert_eq!(decision.model_version, 3);
}

#[test]
fn the_probability_of_default_follows_the_scaling() {
    let decision = decide_json(strong());
    let expected = fixtures::model().scaling.probability_of_default(635.0);
    assert!((decision.probability_of_default - expected).abs() < 1e-12);
}

#[test]
fn a_knock_out_rule_declines_with_its_reason_first_and_no_limit() {
    let mut value = strong();
    value["blacklisted"] = json!(true);
    value["store_age_days"] = json!(100);
    let decision = decide_json(value);
    assert_eq!(decision.outcome, Outcome::Decline);
    assert_eq!(decision.credit_limit, Decimal::ZERO);
    assert_eq!(decision.reasons[0].code, "R_BLACKLISTED");
    assert_eq!(decision.reasons[1].code, "F_STORE_AGE_DAYS");
    assert_eq!(decision.rules_fired.len(), 1);
}

#[test]
fn a_refer_rule_turns_an_approval_into_a_referral() {
    let mut value = strong();
    value["requested_amount"] = json!("18000.01");
    let decision = decide_json(value);
    assert_eq!(decision.outcome, Outcome::Refer);
    assert_eq!(decision.reasons[0].code, "R_REQUEST_TOO_HIGH");
    assert_eq!(decision.reasons[0].source, ReasonSource::Rule);
}

#[test]
fn adverse_features_are_ordered_by_points_lost_against_their_best_bin() {
    let value = json!({"store_age_days": 200, "sector": "travel", "monthly_sales_avg": 3000});
    let decision = decide_json(value);
    let codes: Vec<_> = decision.reasons.iter().map(|r| r.code.as_str()).collect();
    // sector loses 20, store age 20 (tie: model order), sales 15.
    assert_eq!(
        codes,
        ["F_STORE_AGE_DAYS", "F_SECTOR", "F_MONTHLY_SALES_AVG"]
    );
}

#[test]
fn a_low_score_is_declined_by_the_cut_off() {
    let value = json!({"store_age_days": 100, "sector": "travel", "monthly_sales_avg": 500});
    let decision = decide_json(value);
    assert_eq!(decision.outcome, Outcome::Decline);
    assert_eq!(decision.grade, Grade::C);
}

#[test]
fn missing_sales_refers_the_application_without_a_limit() {
    let mut value = strong();
    value.as_object_mut().unwrap().remove("monthly_sales_avg");
    let decision = decide_json(value);
    assert_eq!(decision.outcome, Outcome::Refer);
    assert_eq!(decision.reasons[0].code, NO_SALES_HISTORY);
    assert_eq!(decision.credit_limit, Decimal::ZERO);
}

#[test]
fn exposure_that_leaves_less_than_the_minimum_declines() {
    let mut value = strong();
    value["current_exposure"] = json!("11700");
    let decision = decide_json(value);
    assert_eq!(decision.outcome, Outcome::Decline);
    assert_eq!(decision.reasons[0].code, LIMIT_BELOW_MINIMUM);
}

#[test]
fn probability_of_default_thresholds_can_replace_score_cut_offs() {
    let mut doc = fixtures::model();
    doc.products[0].thresholds = Thresholds::ProbabilityOfDefault {
        approve_max: 0.001,
        refer_max: 0.5,
    };
    let model = CompiledModel::compile(&doc).unwrap();
    let decision = decide(&model, ProductKind::StockUpLine, &inputs(strong())).unwrap();
    assert_eq!(decision.outcome, Outcome::Refer);
}

#[test]
fn a_product_the_model_does_not_configure_is_refused() {
    let err = decide(&compiled(), ProductKind::Factoring, &inputs(strong())).unwrap_err();
    assert_eq!(
        err,
        DecisionError::ProductNotConfigured(ProductKind::Factoring)
    );
}

#[test]
fn the_same_inputs_and_model_give_byte_identical_decisions() {
    let first = serde_json::to_string(&decide_json(strong())).unwrap();
    let second = serde_json::to_string(&decide_json(strong())).unwrap();
    assert_eq!(first, second);
}

#[test]
fn the_decision_json_carries_money_as_strings_and_a_snapshot_of_used_inputs() {
    let mut value = strong();
    value["unrelated"] = json!("ignored");
    let json = serde_json::to_value(decide_json(value)).unwrap();
    assert_eq!(json["credit_limit"], json!("10999"));
    assert_eq!(json["rate_annual"], json!("0.18"));
    assert_eq!(json["outcome"], json!("approve"));
    assert_eq!(json["inputs"]["monthly_sales_avg"], json!("6000"));
    assert!(json["inputs"].get("unrelated").is_none());
    assert_eq!(json["feature_points"][1]["points"], json!(25.0));
}

#[test]
fn replaying_the_snapshot_reproduces_the_decision() {
    let decision = decide_json(strong());
    let replay = decide(&compiled(), ProductKind::StockUpLine, &decision.inputs).unwrap();
    assert_eq!(replay, decision);
}

#[test]
fn an_unseen_category_scores_the_unseen_bin() {
    let mut value = strong();
    value["sector"] = json!("mining");
    let decision = decide_json(value);
    assert_eq!(decision.feature_points[1].points, 10.0);
    assert_eq!(decision.feature_points[1].bin, 3);
}

fn arbitrary_value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(|b| json!(b)),
        (-1e9f64..1e9).prop_map(|f| json!(f)),
        any::<i64>().prop_map(|i| json!(i)),
        "[a-z0-9.\\-]{0,8}".prop_map(|s| json!(s)),
    ]
}

proptest! {
    #[test]
    fn decide_never_panics_and_never_grants_a_negative_limit(
        values in proptest::collection::vec(arbitrary_value(), 7)
    ) {
        let names = ["store_age_days", "sector", "monthly_sales_avg", "current_exposure",
                     "requested_amount", "blacklisted", "max_days_past_due"];
        let object: serde_json::Map<_, _> =
            names.iter().map(|n| n.to_string()).zip(values).collect();
        let parsed = Inputs::from_json(&serde_json::Value::Object(object)).unwrap();
        if let Ok(decision) = decide(&compiled(), ProductKind::StockUpLine, &parsed) {
            prop_assert!(decision.credit_limit >= Decimal::ZERO);
            prop_assert!(decision.reasons.len() <= 4);
            prop_assert!(decision.outcome != Outcome::Approve || decision.credit_limit > Decimal::ZERO);
        }
    }
}

#[test]
fn a_feature_never_given_is_not_cited_as_a_reason() {
    let mut value = strong();
    value.as_object_mut().unwrap().remove("sector");
    value["store_age_days"] = json!(200);
    let decision = decide_json(value);
    let codes: Vec<_> = decision.reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["F_STORE_AGE_DAYS"], "sector was never an input");
}
