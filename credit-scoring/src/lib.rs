//! Pure credit-scoring engine: versioned scorecards, policy rules, decisions and training.
//!
//! The flow: a [`ModelDocument`] (JSON) is validated and compiled once into a
//! [`CompiledModel`]; [`decide`] then turns named [`Inputs`] into a reproducible [`Decision`]
//! for one [`ProductKind`]. [`train`] builds a model document from CSV data and [`evaluate`]
//! measures one on held-out data. No I/O, no clock: callers pass readers and timestamps.

mod challenger;
mod compiled;
mod decision;
mod explain;
mod inputs;
mod model;
mod product;
mod rules;
mod validate;

#[cfg(test)]
mod decision_tests;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod validate_tests;

pub use challenger::{routes_to_challenger, FULL_SHARE_BPS};
pub use compiled::{CompiledModel, Slot};
pub use decision::{
    decide, Decision, DecisionError, FastDecision, FeaturePoints, FiredRule, Outcome, Reason,
    ReasonRef, ReasonSource, MAX_REASONS,
};
pub use explain::{LIMIT_BELOW_MINIMUM, NO_SALES_HISTORY};
pub use inputs::{
    parse_decimal, InputError, InputValue, Inputs, ResolvedInputs, SlotKind, SlotValue,
    UNSEEN_CATEGORY,
};
pub use model::{Bin, Binning, CategoryGroup, Feature, ModelDocument, Scaling, ScoreDistribution};
pub use product::{
    Grade, GradeBand, LimitOutcome, ProductKind, ProductPolicy, Thresholds, UnknownProduct,
};
pub use rules::{CompareOp, Condition, PolicyRule, RuleOutcome};
pub use validate::{ModelError, MAX_RULES};
