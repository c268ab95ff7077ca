//! Turns an allocation-free [`FastDecision`] into a full [`Decision`]: reason texts, the input
//! snapshot, points per feature and the rules that fired.

use crate::compiled::CompiledModel;
use crate::decision::ReasonSource;
use crate::decision::{Decision, FastDecision, FeaturePoints, FiredRule, Reason, ReasonRef};
use crate::inputs::{InputValue, Inputs, ResolvedInputs, SlotValue};
use crate::product::ProductKind;

/// Reason code when what is left of the limit after exposure is under the product minimum.
pub const LIMIT_BELOW_MINIMUM: &str = "P_LIMIT_BELOW_MINIMUM";
/// Reason code when there are no sales figures to size a limit.
pub const NO_SALES_HISTORY: &str = "P_NO_SALES_HISTORY";

impl CompiledModel {
    /// The code and text of a reason.
    pub fn reason(&self, reason: ReasonRef) -> Reason {
        let document = &self.document;
        match reason {
            ReasonRef::Rule(index) => document.rules.get(usize::from(index)).map_or_else(
                || unknown_reason(ReasonSource::Rule),
                |rule| Reason {
                    code: rule.code.clone(),
                    text: rule.text.clone(),
                    source: ReasonSource::Rule,
                },
            ),
            ReasonRef::Feature(index) => document.features.get(usize::from(index)).map_or_else(
                || unknown_reason(ReasonSource::Feature),
                |feature| Reason {
                    code: feature.reason_code.clone(),
                    text: feature.reason_text.clone(),
                    source: ReasonSource::Feature,
                },
            ),
            ReasonRef::LimitBelowMinimum => Reason {
                code: LIMIT_BELOW_MINIMUM.into(),
                text: "Available credit after current exposure is below the product minimum".into(),
                source: ReasonSource::Policy,
            },
            ReasonRef::NoSalesHistory => Reason {
                code: NO_SALES_HISTORY.into(),
                text: "No sales history to size a credit limit".into(),
                source: ReasonSource::Policy,
            },
        }
    }

    pub(crate) fn explain(
        &self,
        product: ProductKind,
        inputs: &Inputs,
        resolved: &ResolvedInputs,
        fast: &FastDecision,
    ) -> Decision {
        let mut snapshot = Inputs::new();
        for slot in &self.slots {
            let value = inputs
                .get(&slot.name)
                .cloned()
                .unwrap_or(InputValue::Missing);
            snapshot.insert(&slot.name, value);
        }
        let feature_points = self
            .features
            .iter()
            .zip(&self.document.features)
            .map(|(compiled, feature)| {
                let value = resolved
                    .values
                    .get(compiled.slot)
                    .unwrap_or(&SlotValue::Missing);
                let bin = compiled.bin_index(value);
                FeaturePoints {
                    feature: feature.name.clone(),
                    bin,
                    points: compiled.points[bin],
                }
            })
            .collect();
        let rules_fired = self
            .document
            .rules
            .iter()
            .enumerate()
            .filter(|(index, _)| fast.rules_fired & (1 << index) != 0)
            .map(|(_, rule)| FiredRule {
                code: rule.code.clone(),
                outcome: rule.outcome,
            })
            .collect();
        Decision {
            outcome: fast.outcome,
            product,
            score: fast.score,
            grade: fast.grade,
            probability_of_default: fast.probability_of_default,
            credit_limit: fast.credit_limit,
            rate_annual: fast.rate_annual,
            reasons: fast
                .reasons
                .iter()
                .flatten()
                .map(|r| self.reason(*r))
                .collect(),
            model_id: self.document.id.clone(),
            model_version: self.document.version,
            inputs: snapshot,
            feature_points,
            rules_fired,
        }
    }
}

fn unknown_reason(source: ReasonSource) -> Reason {
    Reason {
        code: "UNKNOWN".into(),
        text: "Unknown reason".into(),
        source,
    }
}
