//! Formatting shared by response views: the one place that decides how money and scores
//! look in JSON.

use rust_decimal::Decimal;

pub use crate::usecases::figures::{amount, score, stored_amount};

/// A stored currency code read back for a view; a code the domain does not know is a corrupt
/// row (500), never the client's fault.
pub fn currency(code: &str) -> Result<domain::money::Currency, crate::error::ApiError> {
    domain::money::Currency::parse(code).map_err(crate::error::ApiError::internal)
}

/// An engine decision stored as JSON, shown like every other view: each `score` rounded like
/// [`score`] and each `credit_limit` with the currency's minor units. Decisions are stored
/// whole (the engine's own types, and rows written before this rendering), so this is done
/// on the way out.
pub fn tidy_engine_decision(mut value: serde_json::Value, currency: &str) -> serde_json::Value {
    tidy(&mut value, currency);
    value
}

fn tidy(value: &mut serde_json::Value, currency: &str) {
    match value {
        serde_json::Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                let limit = field.as_str().and_then(|s| s.parse::<Decimal>().ok());
                match (key.as_str(), field.as_f64(), limit) {
                    ("score", Some(raw), _) => *field = serde_json::json!(score(raw)),
                    ("credit_limit", _, Some(limit)) => {
                        *field = serde_json::json!(stored_amount(limit, currency));
                    }
                    _ => tidy(field, currency),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| tidy(i, currency)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_stored_amount_shows_the_minor_units_and_never_less_than_it_has() {
        assert_eq!(stored_amount(dec!(40000), "CNY"), "40000.00");
        assert_eq!(stored_amount(dec!(8881.1000), "CNY"), "8881.10");
        assert_eq!(stored_amount(dec!(-12.5), "USD"), "-12.50");
        assert_eq!(stored_amount(dec!(0.0001), "CNY"), "0.0001");
        assert_eq!(stored_amount(dec!(1500.0000), "JPY"), "1500");
        assert_eq!(stored_amount(Decimal::ZERO, "EUR"), "0.00");
    }

    #[test]
    fn stored_scores_and_limits_are_tidied_wherever_they_sit() {
        let stored = serde_json::json!({"score": 627.2400000000001, "credit_limit": "10999",
            "decisions": [{"score": 584.9000000000001, "grade": "B"}]});
        let tidied = tidy_engine_decision(stored, "CNY");
        assert_eq!(tidied["credit_limit"], "10999.00");
        assert_eq!(tidied["score"].to_string(), "627.24");
        assert_eq!(tidied["decisions"][0]["score"].to_string(), "584.9");
        assert_eq!(tidied["decisions"][0]["grade"], "B");
    }

    #[test]
    fn a_score_has_no_float_noise() {
        assert_eq!(score(584.900_000_000_000_1).to_string(), "584.9");
        assert_eq!(score(600.0).to_string(), "600");
        assert_eq!(score(612.346).to_string(), "612.35");
    }
}
