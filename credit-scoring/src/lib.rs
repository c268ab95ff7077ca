//! Pure credit-scoring engine: versioned scorecards, policy rules, decisions and training.
//!
//! The flow: a [`ModelDocument`] (JSON) is validated and compiled once into a
//! [`CompiledModel`]; [`decide`] then turns named [`Inputs`] into a reproducible [`Decision`]
//! for one [`ProductKind`]. [`train`] builds a model document from CSV data and [`evaluate`]
//! measures one on held-out data. No I/O, no clock: callers pass readers and timestamps.

mod challenger;
mod compiled;
mod decision;
mod default_model;
mod evaluate;
mod explain;
mod inputs;
mod metrics;
mod model;
mod product;
mod rules;
pub mod synthetic;
mod train;
mod validate;

#[cfg(test)]
mod decision_tests;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod train_tests;
#[cfg(test)]
mod validate_tests;

pub use challenger::{routes_to_challenger, FULL_SHARE_BPS};
pub use compiled::{CompiledModel, Slot};
pub use decision::{
    decide, Decision, DecisionError, FastDecision, FeaturePoints, FiredRule, Outcome, Reason,
    ReasonRef, ReasonSource, MAX_REASONS,
};
pub use default_model::{default_compiled_model, default_model, DefaultModelError};
pub use evaluate::{evaluate, EvalReport};
pub use explain::{LIMIT_BELOW_MINIMUM, NO_SALES_HISTORY};
pub use inputs::{
    parse_decimal, InputError, InputValue, Inputs, ResolvedInputs, SlotKind, SlotValue,
    UNSEEN_CATEGORY,
};
pub use metrics::{auc, ks, population_stability_index};
pub use model::{Bin, Binning, CategoryGroup, Feature, ModelDocument, Scaling, ScoreDistribution};
pub use product::{
    Grade, GradeBand, LimitOutcome, ProductKind, ProductPolicy, Thresholds, UnknownProduct,
};
pub use rules::{CompareOp, Condition, PolicyRule, RuleOutcome};
pub use train::{
    train, FeatureReport, FeatureStatus, TrainError, TrainOptions, TrainReport, EXPOSURE_INPUT,
    REQUESTED_INPUT, SALES_INPUT,
};
pub use validate::{ModelError, MAX_RULES};
