//! Policy rules as data: a decision table of knock-out (`decline`) and `refer` rules.
//!
//! A rule fires when all of its conditions hold. Conditions read named inputs; a condition on
//! an absent input is false (only the `missing` condition tests absence), so a missing value
//! never knocks an applicant out by accident.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::inputs::SlotValue;

/// One row of the decision table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRule {
    /// Stable reason code, e.g. `R_BLACKLISTED`.
    pub code: String,
    /// Readable reason text.
    pub text: String,
    pub outcome: RuleOutcome,
    /// All must hold for the rule to fire.
    pub when: Vec<Condition>,
}

/// What a fired rule does to the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    Refer,
    Decline,
}

/// A test on the inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Condition {
    /// `input op value` on a numeric input.
    Compare {
        input: String,
        op: CompareOp,
        value: Decimal,
    },
    /// The categorical input is one of `values`.
    In { input: String, values: Vec<String> },
    /// The categorical input is present and none of `values`.
    NotIn { input: String, values: Vec<String> },
    /// `numerator op factor × denominator`, e.g. requested amount > 3 × monthly sales.
    Ratio {
        numerator: String,
        denominator: String,
        op: CompareOp,
        factor: Decimal,
    },
    /// The input is absent or null.
    Missing { input: String },
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CompareOp {
    pub fn holds(self, left: Decimal, right: Decimal) -> bool {
        match self {
            CompareOp::Lt => left < right,
            CompareOp::Le => left <= right,
            CompareOp::Gt => left > right,
            CompareOp::Ge => left >= right,
            CompareOp::Eq => left == right,
            CompareOp::Ne => left != right,
        }
    }
}

/// A condition with inputs resolved to slot indices and categories to dictionary ids.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CompiledCondition {
    Compare {
        slot: usize,
        op: CompareOp,
        value: Decimal,
    },
    Member {
        slot: usize,
        ids: Vec<u32>,
        negate: bool,
    },
    Ratio {
        numerator: usize,
        denominator: usize,
        op: CompareOp,
        factor: Decimal,
    },
    Missing {
        slot: usize,
    },
}

impl CompiledCondition {
    fn holds(&self, values: &[SlotValue]) -> bool {
        let exact = |slot: usize| match values.get(slot) {
            Some(SlotValue::Number { exact, .. }) => Some(*exact),
            _ => None,
        };
        match self {
            CompiledCondition::Compare { slot, op, value } => {
                exact(*slot).is_some_and(|left| op.holds(left, *value))
            }
            CompiledCondition::Member { slot, ids, negate } => match values.get(*slot) {
                Some(SlotValue::Category(id)) => ids.contains(id) != *negate,
                _ => false,
            },
            CompiledCondition::Ratio {
                numerator,
                denominator,
                op,
                factor,
            } => match (exact(*numerator), exact(*denominator)) {
                // Multiplying instead of dividing keeps a zero denominator meaningful.
                (Some(top), Some(bottom)) => factor
                    .checked_mul(bottom)
                    .is_some_and(|scaled| op.holds(top, scaled)),
                _ => false,
            },
            CompiledCondition::Missing { slot } => {
                matches!(values.get(*slot), None | Some(SlotValue::Missing))
            }
        }
    }
}

/// A rule ready for the hot path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledRule {
    pub outcome: RuleOutcome,
    pub conditions: Vec<CompiledCondition>,
}

impl CompiledRule {
    pub fn fires(&self, values: &[SlotValue]) -> bool {
        self.conditions
            .iter()
            .all(|condition| condition.holds(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn num(exact: Decimal) -> SlotValue {
        SlotValue::number(exact)
    }

    fn compare(op: CompareOp, left: Decimal, right: Decimal) -> bool {
        let condition = CompiledCondition::Compare {
            slot: 0,
            op,
            value: right,
        };
        condition.holds(&[num(left)])
    }

    #[test]
    fn each_comparison_operator_holds_exactly_when_expected() {
        assert!(
            compare(CompareOp::Lt, dec!(1), dec!(2)) && !compare(CompareOp::Lt, dec!(2), dec!(2))
        );
        assert!(
            compare(CompareOp::Le, dec!(2), dec!(2)) && !compare(CompareOp::Le, dec!(3), dec!(2))
        );
        assert!(
            compare(CompareOp::Gt, dec!(3), dec!(2)) && !compare(CompareOp::Gt, dec!(2), dec!(2))
        );
        assert!(
            compare(CompareOp::Ge, dec!(2), dec!(2)) && !compare(CompareOp::Ge, dec!(1), dec!(2))
        );
        assert!(
            compare(CompareOp::Eq, dec!(2.0), dec!(2)) && !compare(CompareOp::Eq, dec!(1), dec!(2))
        );
        assert!(
            compare(CompareOp::Ne, dec!(1), dec!(2)) && !compare(CompareOp::Ne, dec!(2), dec!(2))
        );
    }

    #[test]
    fn a_comparison_on_a_missing_input_does_not_hold() {
        let condition = CompiledCondition::Compare {
            slot: 0,
            op: CompareOp::Lt,
            value: dec!(100),
        };
        assert!(!condition.holds(&[SlotValue::Missing]));
    }

    #[test]
    fn membership_and_its_negation_test_category_ids() {
        let member = CompiledCondition::Member {
            slot: 0,
            ids: vec![2, 5],
            negate: false,
        };
        let not_member = CompiledCondition::Member {
            slot: 0,
            ids: vec![2, 5],
            negate: true,
        };
        assert!(member.holds(&[SlotValue::Category(5)]));
        assert!(!member.holds(&[SlotValue::Category(3)]));
        assert!(not_member.holds(&[SlotValue::Category(3)]));
        assert!(!not_member.holds(&[SlotValue::Missing]));
    }

    #[test]
    fn a_ratio_compares_the_numerator_with_factor_times_denominator() {
        let condition = CompiledCondition::Ratio {
            numerator: 0,
            denominator: 1,
            op: CompareOp::Gt,
            factor: dec!(3),
        };
        assert!(condition.holds(&[num(dec!(3001)), num(dec!(1000))]));
        assert!(!condition.holds(&[num(dec!(3000)), num(dec!(1000))]));
        assert!(condition.holds(&[num(dec!(1)), num(dec!(0))]));
    }

    #[test]
    fn the_missing_condition_holds_only_for_absent_values() {
        let condition = CompiledCondition::Missing { slot: 0 };
        assert!(condition.holds(&[SlotValue::Missing]));
        assert!(!condition.holds(&[SlotValue::Category(0)]));
    }

    #[test]
    fn a_rule_fires_only_when_all_conditions_hold() {
        let rule = CompiledRule {
            outcome: RuleOutcome::Decline,
            conditions: vec![
                CompiledCondition::Compare {
                    slot: 0,
                    op: CompareOp::Gt,
                    value: dec!(30),
                },
                CompiledCondition::Member {
                    slot: 1,
                    ids: vec![0],
                    negate: false,
                },
            ],
        };
        assert!(rule.fires(&[num(dec!(31)), SlotValue::Category(0)]));
        assert!(!rule.fires(&[num(dec!(31)), SlotValue::Category(1)]));
    }

    #[test]
    fn rules_parse_from_their_json_form() {
        let json = r#"{"code":"R_SALES","text":"Requested amount too high","outcome":"refer",
            "when":[{"type":"ratio","numerator":"requested_amount",
            "denominator":"monthly_sales_avg","op":"gt","factor":"3"}]}"#;
        let rule: PolicyRule = serde_json::from_str(json).unwrap();
        assert_eq!(rule.outcome, RuleOutcome::Refer);
        assert!(matches!(rule.when[0], Condition::Ratio { .. }));
    }
}
