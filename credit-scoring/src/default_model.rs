//! The shipped default merchant scorecard (`models/default-merchant.json`), trained by the
//! `train_default` example on synthetic merchants; held-out AUC 0.768 against 0.769 for the
//! true generating model.

use crate::compiled::CompiledModel;
use crate::model::ModelDocument;

const DEFAULT_MODEL_JSON: &str = include_str!("../models/default-merchant.json");

/// Why the embedded model could not be loaded (only possible if the file was edited badly).
#[derive(Debug, thiserror::Error)]
pub enum DefaultModelError {
    #[error("default model JSON is malformed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("default model is invalid: {0}")]
    Invalid(#[from] crate::validate::ModelError),
}

/// The default model document.
pub fn default_model() -> Result<ModelDocument, DefaultModelError> {
    Ok(serde_json::from_str(DEFAULT_MODEL_JSON)?)
}

/// The default model, validated and compiled.
pub fn default_compiled_model() -> Result<CompiledModel, DefaultModelError> {
    Ok(CompiledModel::compile(&default_model()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decide, Inputs, Outcome, ProductKind};

    #[test]
    fn the_shipped_default_model_loads_and_configures_all_products() {
        let model = default_compiled_model().unwrap();
        assert_eq!(model.document().id, "default-merchant");
        assert_eq!(model.products().count(), ProductKind::ALL.len());
    }

    #[test]
    fn the_default_model_approves_a_strong_merchant_and_declines_a_blacklisted_one() {
        let model = default_compiled_model().unwrap();
        let strong = serde_json::json!({"monthly_sales_avg": "40000", "sales_volatility": 0.1,
            "store_age_days": 3000, "past_delinquencies": 0, "max_days_past_due": 0,
            "returns_rate": 0.01, "sector": "pharmacy", "region": "central",
            "current_exposure": "0", "requested_amount": "20000", "blacklisted": false});
        let inputs = Inputs::from_json(&strong).unwrap();
        let decision = decide(&model, ProductKind::StockUpLine, &inputs).unwrap();
        assert_eq!(decision.outcome, Outcome::Approve, "{decision:?}");
        let mut listed = strong.clone();
        listed["blacklisted"] = serde_json::json!(true);
        let inputs = Inputs::from_json(&listed).unwrap();
        let decision = decide(&model, ProductKind::StockUpLine, &inputs).unwrap();
        assert_eq!(decision.outcome, Outcome::Decline);
        assert_eq!(decision.reasons[0].code, "R_BLACKLISTED");
    }
}
