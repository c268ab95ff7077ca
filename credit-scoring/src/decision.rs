//! Decisions: approve, refer or decline with score, grade, PD, limit, price and reasons.
//!
//! [`CompiledModel::decide_fast`] is the allocation-free hot path over pre-resolved inputs;
//! [`decide`] wraps it with input resolution and everything needed to reproduce the decision
//! later (model id and version, input snapshot, points per feature, rules fired).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::compiled::CompiledModel;
use crate::inputs::{InputError, Inputs, ResolvedInputs, SlotValue};
use crate::product::{Grade, LimitOutcome, ProductKind, Thresholds};
use crate::rules::RuleOutcome;

/// At most this many reasons are reported, as adverse-action notices customarily do.
pub const MAX_REASONS: usize = 4;

/// The decision outcome, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approve,
    Refer,
    Decline,
}

impl From<RuleOutcome> for Outcome {
    fn from(outcome: RuleOutcome) -> Self {
        match outcome {
            RuleOutcome::Refer => Outcome::Refer,
            RuleOutcome::Decline => Outcome::Decline,
        }
    }
}

/// A reason by reference into the model; turned into text outside the hot path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonRef {
    Rule(u16),
    /// Feature index; the feature cost points against its best bin.
    Feature(u16),
    LimitBelowMinimum,
    NoSalesHistory,
}

/// The allocation-free decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FastDecision {
    pub outcome: Outcome,
    pub score: f64,
    pub probability_of_default: f64,
    pub grade: Grade,
    pub credit_limit: Decimal,
    pub rate_annual: Decimal,
    /// Bit `i` set when rule `i` fired.
    pub rules_fired: u64,
    pub reasons: [Option<ReasonRef>; MAX_REASONS],
}

/// Why no decision could be made.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DecisionError {
    #[error("the model has no configuration for product `{0}`")]
    ProductNotConfigured(ProductKind),
    #[error(transparent)]
    Input(#[from] InputError),
}

/// Where a reason came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonSource {
    Rule,
    Policy,
    Feature,
}

/// A reason code with readable text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub text: String,
    pub source: ReasonSource,
}

/// Points one feature contributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeaturePoints {
    pub feature: String,
    /// Bin index within the feature (numeric bins, then missing; categorical groups, then
    /// missing, then unseen).
    pub bin: usize,
    pub points: f64,
}

/// A rule that fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiredRule {
    pub code: String,
    pub outcome: RuleOutcome,
}

/// A full, reproducible decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub product: ProductKind,
    pub score: f64,
    pub grade: Grade,
    pub probability_of_default: f64,
    /// Whole currency units, rounded down; zero when declined.
    pub credit_limit: Decimal,
    pub rate_annual: Decimal,
    pub reasons: Vec<Reason>,
    pub model_id: String,
    pub model_version: u32,
    /// The inputs the model read, by name (absent ones as null).
    pub inputs: Inputs,
    pub feature_points: Vec<FeaturePoints>,
    pub rules_fired: Vec<FiredRule>,
}

/// Decides one application with a compiled model.
pub fn decide(
    model: &CompiledModel,
    product: ProductKind,
    inputs: &Inputs,
) -> Result<Decision, DecisionError> {
    let resolved = model.resolve(inputs)?;
    let fast = model.decide_fast(product, &resolved)?;
    Ok(model.explain(product, inputs, &resolved, &fast))
}

impl CompiledModel {
    /// The hot path: no allocation, no string lookups.
    pub fn decide_fast(
        &self,
        product: ProductKind,
        inputs: &ResolvedInputs,
    ) -> Result<FastDecision, DecisionError> {
        let not_configured = DecisionError::ProductNotConfigured(product);
        let compiled = self.products[product.index()]
            .as_ref()
            .ok_or(not_configured.clone())?;
        let policy = &compiled.policy;
        let values = inputs.values.as_slice();
        let (score, adverse) = self.score_with_adverse(values);
        let probability_of_default = self.probability_of_default(score);
        let mut outcome = match policy.thresholds {
            Thresholds::Score {
                approve_min,
                refer_min,
            } => outcome_at(score >= approve_min, score >= refer_min),
            Thresholds::ProbabilityOfDefault {
                approve_max,
                refer_max,
            } => outcome_at(
                probability_of_default <= approve_max,
                probability_of_default <= refer_max,
            ),
        };
        let mut reasons = Reasons::default();
        let mut rules_fired = 0_u64;
        for (index, rule) in self.rules.iter().enumerate() {
            if rule.fires(values) {
                rules_fired |= 1 << index;
                outcome = outcome.max(rule.outcome.into());
                reasons.push(ReasonRef::Rule(to_u16(index)));
            }
        }
        let band = policy.band_for(score).ok_or(not_configured)?;
        let mut credit_limit = Decimal::ZERO;
        if outcome != Outcome::Decline {
            let sales = exact(values, compiled.sales_slot);
            let exposure = exact(values, compiled.exposure_slot).unwrap_or_default();
            match sales.map(|sales| policy.credit_limit(band, sales, exposure)) {
                Some(LimitOutcome::Granted(limit)) => credit_limit = limit,
                Some(LimitOutcome::BelowMinimum) => {
                    outcome = Outcome::Decline;
                    reasons.push(ReasonRef::LimitBelowMinimum);
                }
                None => {
                    outcome = outcome.max(Outcome::Refer);
                    reasons.push(ReasonRef::NoSalesHistory);
                }
            }
        }
        for (cost, index) in adverse {
            if cost > 0.0 {
                reasons.push(ReasonRef::Feature(index));
            }
        }
        Ok(FastDecision {
            outcome,
            score,
            probability_of_default,
            grade: band.grade,
            credit_limit,
            rate_annual: policy.rate_annual(band),
            rules_fired,
            reasons: reasons.items,
        })
    }

    /// The score and the features that cost the most points against their best bin.
    #[inline]
    fn score_with_adverse(&self, values: &[SlotValue]) -> (f64, [(f64, u16); MAX_REASONS]) {
        let mut score = self.document.intercept_points;
        let mut adverse = [(0.0_f64, 0_u16); MAX_REASONS];
        for (index, feature) in self.features.iter().enumerate() {
            let value = values.get(feature.slot).unwrap_or(&SlotValue::Missing);
            let bin = feature.bin_index(value);
            let points = feature.points[bin];
            score += points;
            // A reason names a factor of the applicant's: a feature that was never an input
            // (no value collected) costs its missing-bin points but is not cited as a reason.
            if !feature.is_missing_bin(bin) {
                insert_adverse(&mut adverse, feature.best_points - points, index);
            }
        }
        (score, adverse)
    }
}

fn to_u16(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

fn outcome_at(approve: bool, refer: bool) -> Outcome {
    if approve {
        Outcome::Approve
    } else if refer {
        Outcome::Refer
    } else {
        Outcome::Decline
    }
}

fn exact(values: &[SlotValue], slot: usize) -> Option<Decimal> {
    match values.get(slot) {
        Some(SlotValue::Number { exact, .. }) => Some(*exact),
        _ => None,
    }
}

/// Keeps the `MAX_REASONS` largest costs, ties broken by the lower feature index so the order
/// never depends on anything but the model and the inputs.
#[inline]
fn insert_adverse(adverse: &mut [(f64, u16); MAX_REASONS], cost: f64, index: usize) {
    if cost <= adverse[MAX_REASONS - 1].0 {
        return;
    }
    let index = to_u16(index);
    let mut position = MAX_REASONS - 1;
    while position > 0 && cost > adverse[position - 1].0 {
        adverse[position] = adverse[position - 1];
        position -= 1;
    }
    adverse[position] = (cost, index);
}

/// A fixed-capacity reason list that silently drops reasons past the fourth.
#[derive(Default)]
struct Reasons {
    items: [Option<ReasonRef>; MAX_REASONS],
    len: usize,
}

impl Reasons {
    fn push(&mut self, reason: ReasonRef) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = Some(reason);
            self.len += 1;
        }
    }
}
