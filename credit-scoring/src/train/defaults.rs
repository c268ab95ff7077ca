//! Default policy rules and product configuration attached to a freshly trained model, so the
//! document is usable as soon as it is imported. Risk teams are expected to edit them.
//!
//! Cut-offs are expressed relative to the scaling (points above/below the base score), so they
//! keep their meaning whatever base score and PDO the model uses.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::model::Scaling;
use crate::product::{Grade, GradeBand, ProductKind, ProductPolicy, Thresholds};
use crate::rules::{CompareOp, Condition, PolicyRule, RuleOutcome};

/// Conventional input names the default rules and products read.
pub const SALES_INPUT: &str = "monthly_sales_avg";
pub const EXPOSURE_INPUT: &str = "current_exposure";
pub const REQUESTED_INPUT: &str = "requested_amount";

/// Whether each training column was numeric; rules skip inputs of the wrong kind.
pub(crate) type ColumnKinds = BTreeMap<String, bool>;

fn numeric_ok(kinds: &ColumnKinds, name: &str) -> bool {
    kinds.get(name).copied().unwrap_or(true)
}

fn rule(code: &str, text: &str, outcome: RuleOutcome, when: Vec<Condition>) -> PolicyRule {
    PolicyRule {
        code: code.into(),
        text: text.into(),
        outcome,
        when,
    }
}

fn compare(input: &str, op: CompareOp, value: i64) -> Condition {
    Condition::Compare {
        input: input.into(),
        op,
        value: Decimal::from(value),
    }
}

/// Blacklist, past-due, store-age and request-size rules.
pub(crate) fn default_rules(kinds: &ColumnKinds) -> Vec<PolicyRule> {
    let mut rules = Vec::new();
    let blacklisted = if numeric_ok(kinds, "blacklisted") && kinds.contains_key("blacklisted") {
        compare("blacklisted", CompareOp::Ge, 1)
    } else {
        let values = ["true", "1", "yes", "y"].map(String::from).to_vec();
        Condition::In {
            input: "blacklisted".into(),
            values,
        }
    };
    rules.push(rule(
        "R_BLACKLISTED",
        "Applicant is on the internal blacklist",
        RuleOutcome::Decline,
        vec![blacklisted],
    ));
    if numeric_ok(kinds, "max_days_past_due") {
        rules.push(rule(
            "R_PAST_DUE_60",
            "Existing loans more than 60 days past due",
            RuleOutcome::Decline,
            vec![compare("max_days_past_due", CompareOp::Gt, 60)],
        ));
        rules.push(rule(
            "R_PAST_DUE_15",
            "Existing loans more than 15 days past due",
            RuleOutcome::Refer,
            vec![compare("max_days_past_due", CompareOp::Gt, 15)],
        ));
    }
    if numeric_ok(kinds, "store_age_days") {
        rules.push(rule(
            "R_STORE_UNDER_30_DAYS",
            "Store is younger than 30 days",
            RuleOutcome::Decline,
            vec![compare("store_age_days", CompareOp::Lt, 30)],
        ));
        rules.push(rule(
            "R_STORE_UNDER_90_DAYS",
            "Store is younger than 90 days",
            RuleOutcome::Refer,
            vec![compare("store_age_days", CompareOp::Lt, 90)],
        ));
    }
    if numeric_ok(kinds, REQUESTED_INPUT) && numeric_ok(kinds, SALES_INPUT) {
        rules.push(rule(
            "R_REQUEST_OVER_3X_SALES",
            "Requested amount exceeds three months of sales",
            RuleOutcome::Refer,
            vec![Condition::Ratio {
                numerator: REQUESTED_INPUT.into(),
                denominator: SALES_INPUT.into(),
                op: CompareOp::Gt,
                factor: Decimal::from(3),
            }],
        ));
    }
    rules
}

/// Per product: limit multiplier scale (tenths), rate add-on (basis points), limit min, max.
const PRODUCT_TERMS: [(ProductKind, i64, i64, i64, i64); 6] = [
    (ProductKind::StockUpLine, 10, 0, 500, 50_000),
    (ProductKind::Factoring, 15, -200, 1_000, 200_000),
    (ProductKind::BillDiscount, 12, -100, 1_000, 100_000),
    (ProductKind::Installment, 20, 200, 2_000, 150_000),
    (ProductKind::OrderFinancing, 12, 100, 1_000, 100_000),
    (ProductKind::InventoryFinancing, 15, 100, 2_000, 150_000),
];

/// Grade: points above base score, months of sales (tenths), annual rate (basis points).
const GRADE_TERMS: [(Grade, f64, i64, i64); 5] = [
    (Grade::A, 1.0, 30, 1_200),
    (Grade::B, -0.25, 25, 1_600),
    (Grade::C, -1.5, 20, 2_000),
    (Grade::D, -2.5, 15, 2_600),
    (Grade::E, f64::NEG_INFINITY, 10, 3_200),
];

/// All six products with grade bands A–E, approve from one PDO below the base score (about
/// twice the base odds of default), refer down to two PDO below.
pub(crate) fn default_products(scaling: &Scaling, kinds: &ColumnKinds) -> Vec<ProductPolicy> {
    if !numeric_ok(kinds, SALES_INPUT) || !numeric_ok(kinds, EXPOSURE_INPUT) {
        return Vec::new();
    }
    let at = |pdo_multiple: f64| scaling.base_score + pdo_multiple * scaling.pdo;
    PRODUCT_TERMS
        .iter()
        .map(|(product, scale_tenths, rate_addon_bps, min, max)| {
            let grades = GRADE_TERMS
                .iter()
                .map(|(grade, pdo_multiple, months_tenths, rate_bps)| GradeBand {
                    grade: *grade,
                    min_score: if pdo_multiple.is_finite() {
                        at(*pdo_multiple)
                    } else {
                        f64::MIN
                    },
                    limit_multiplier: Decimal::new(months_tenths * scale_tenths, 2),
                    rate_annual: Decimal::new(rate_bps + rate_addon_bps, 4),
                })
                .collect();
            ProductPolicy {
                product: *product,
                thresholds: Thresholds::Score {
                    approve_min: at(-1.0),
                    refer_min: at(-2.0),
                },
                grades,
                sales_input: SALES_INPUT.into(),
                exposure_input: EXPOSURE_INPUT.into(),
                limit_min: Decimal::from(*min),
                limit_max: Decimal::from(*max),
                rate_floor_annual: Decimal::new(800, 4),
                rate_ceiling_annual: Decimal::new(3_600, 4),
            }
        })
        .collect()
}
