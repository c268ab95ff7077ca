//! Supply-chain finance over HTTP: factoring programs, the receivables registry, debtor
//! confirmation, factoring (single invoices and pools), settlement, and commercial acceptance
//! bills. Each handler extracts, calls one use case of `crate::usecases::scf` or
//! `crate::usecases::bills`, and maps the result to a view of this module.

pub mod bill_discount;
pub mod bills;
pub mod factoring;
pub mod membership;
pub mod pools;
pub mod programs;
pub mod receivables;
pub mod registry;
pub mod settlement;

use domain::money::Currency;

use crate::error::ApiError;

/// A currency the caller names; one we do not know is a 422 on `currency`.
pub fn currency(code: &str) -> Result<Currency, ApiError> {
    Currency::parse(code).map_err(|e| ApiError::invalid("currency", e.to_string()))
}

/// A stored currency code; one that does not parse is corruption, not a client error.
pub use crate::views::currency as stored_currency;

/// What the parties to a request or a bill may read of its stored decision: the outcome, the
/// ids of the per-party decisions (each readable by its own party and staff at
/// `/v1/decisions/{id}`) and the officers' outcome. Scores, reasons and limits stay out: the
/// debtor's or acceptor's credit data is not the supplier's to read. `with_reason` adds the
/// officer's reason code, for the applicant only.
pub fn public_decision(stored: &str, with_reason: bool) -> Result<serde_json::Value, ApiError> {
    let stored: serde_json::Value = serde_json::from_str(stored).map_err(ApiError::internal)?;
    let ids: Vec<serde_json::Value> = stored["decisions"]
        .as_array()
        .map(|all| all.iter().map(|d| d["decision_id"].clone()).collect())
        .unwrap_or_default();
    let mut view = serde_json::json!({"outcome": stored["outcome"], "decision_ids": ids});
    if let Some(review) = stored.get("review") {
        view["review"] = serde_json::json!({"outcome": review["outcome"]});
        if with_reason {
            view["review"]["reason_code"] = review["reason_code"].clone();
        }
    }
    Ok(view)
}
