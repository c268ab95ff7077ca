//! Applicant inputs: the named values a caller sends, and their pre-resolved form.
//!
//! [`Inputs`] is what the API receives (a JSON object of numbers, numeric strings, strings,
//! booleans or nulls). [`ResolvedInputs`] is the same data laid out by slot index for one
//! compiled model, so the hot path does no string lookups and no allocation.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// One raw input value.
#[derive(Debug, Clone, PartialEq)]
pub enum InputValue {
    Number(Decimal),
    Text(String),
    Bool(bool),
    Missing,
}

/// Named applicant inputs. Ordered (BTreeMap) so snapshots serialize identically every time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    values: BTreeMap<String, InputValue>,
}

/// Why inputs could not be read or resolved.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum InputError {
    #[error("inputs must be a JSON object")]
    NotAnObject,
    #[error("input `{input}` must be a number, a string, a boolean or null")]
    UnsupportedValue { input: String },
    #[error("input `{input}` must be numeric, got `{value}`")]
    NotNumeric { input: String, value: String },
}

impl Inputs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builder-style insert, handy for callers and tests.
    pub fn with(mut self, name: &str, value: InputValue) -> Self {
        self.values.insert(name.to_owned(), value);
        self
    }

    pub fn insert(&mut self, name: &str, value: InputValue) {
        self.values.insert(name.to_owned(), value);
    }

    pub fn get(&self, name: &str) -> Option<&InputValue> {
        self.values.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &InputValue)> {
        self.values.iter()
    }

    /// Reads a JSON object; numbers become exact decimals, nested values are refused.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, InputError> {
        let object = value.as_object().ok_or(InputError::NotAnObject)?;
        let mut inputs = Inputs::new();
        for (name, raw) in object {
            let parsed = match raw {
                serde_json::Value::Null => InputValue::Missing,
                serde_json::Value::Bool(flag) => InputValue::Bool(*flag),
                serde_json::Value::String(text) => InputValue::Text(text.clone()),
                serde_json::Value::Number(number) => {
                    let text = number.to_string();
                    let exact = parse_decimal(&text).ok_or_else(|| InputError::NotNumeric {
                        input: name.clone(),
                        value: text,
                    })?;
                    InputValue::Number(exact)
                }
                _ => {
                    return Err(InputError::UnsupportedValue {
                        input: name.clone(),
                    })
                }
            };
            inputs.values.insert(name.clone(), parsed);
        }
        Ok(inputs)
    }

    /// The JSON form: decimals as strings (money never travels as a float).
    pub fn to_json(&self) -> serde_json::Value {
        let object = self
            .values
            .iter()
            .map(|(name, value)| {
                let json = match value {
                    InputValue::Number(exact) => serde_json::Value::String(exact.to_string()),
                    InputValue::Text(text) => serde_json::Value::String(text.clone()),
                    InputValue::Bool(flag) => serde_json::Value::Bool(*flag),
                    InputValue::Missing => serde_json::Value::Null,
                };
                (name.clone(), json)
            })
            .collect();
        serde_json::Value::Object(object)
    }
}

impl Serialize for Inputs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Inputs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Inputs::from_json(&value).map_err(serde::de::Error::custom)
    }
}

/// Parses plain or scientific decimal text (`"1200.50"`, `"1.2e3"`).
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let trimmed = text.trim();
    Decimal::from_str(trimmed)
        .or_else(|_| Decimal::from_scientific(trimmed))
        .ok()
}

/// Sentinel category id for a value the model has never seen.
pub const UNSEEN_CATEGORY: u32 = u32::MAX;

/// One input laid out for the hot path. Numbers carry both an `f64` (for binning) and the exact
/// decimal (for rules and money).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SlotValue {
    Missing,
    Number { value: f64, exact: Decimal },
    Category(u32),
}

impl SlotValue {
    /// A numeric slot value from an exact decimal.
    pub fn number(exact: Decimal) -> Self {
        match exact.to_f64() {
            Some(value) => SlotValue::Number { value, exact },
            None => SlotValue::Missing,
        }
    }
}

/// Inputs resolved against one compiled model: `values[i]` belongs to the model's slot `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedInputs {
    pub values: Vec<SlotValue>,
}

/// How a slot's raw value is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    Numeric,
    Categorical,
    /// Only tested for presence (a `missing` rule condition).
    Presence,
}

/// Resolves one raw value for a slot. `categories` is the slot's sorted dictionary.
pub(crate) fn resolve_value(
    name: &str,
    kind: SlotKind,
    categories: &[String],
    raw: Option<&InputValue>,
) -> Result<SlotValue, InputError> {
    let raw = match raw {
        None | Some(InputValue::Missing) => return Ok(SlotValue::Missing),
        Some(raw) => raw,
    };
    match kind {
        SlotKind::Numeric => match raw {
            InputValue::Number(exact) => Ok(SlotValue::number(*exact)),
            InputValue::Text(text) if text.trim().is_empty() => Ok(SlotValue::Missing),
            InputValue::Text(text) => parse_decimal(text)
                .map(SlotValue::number)
                .ok_or_else(|| not_numeric(name, text)),
            InputValue::Bool(flag) => Ok(SlotValue::number(Decimal::from(u8::from(*flag)))),
            InputValue::Missing => Ok(SlotValue::Missing),
        },
        SlotKind::Categorical | SlotKind::Presence => {
            let text = match raw {
                InputValue::Number(exact) => exact.normalize().to_string(),
                InputValue::Text(text) => text.clone(),
                InputValue::Bool(flag) => flag.to_string(),
                InputValue::Missing => return Ok(SlotValue::Missing),
            };
            Ok(SlotValue::Category(category_id(categories, &text)))
        }
    }
}

/// Index of a category in a sorted dictionary, or [`UNSEEN_CATEGORY`].
pub(crate) fn category_id(categories: &[String], value: &str) -> u32 {
    categories
        .binary_search_by(|known| known.as_str().cmp(value))
        .ok()
        .and_then(|index| u32::try_from(index).ok())
        .unwrap_or(UNSEEN_CATEGORY)
}

fn not_numeric(name: &str, text: &str) -> InputError {
    InputError::NotNumeric {
        input: name.to_owned(),
        value: text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    #[test]
    fn json_numbers_and_numeric_strings_both_become_numbers_for_numeric_slots() {
        let inputs = Inputs::from_json(&json!({"a": 12.5, "b": "12.5", "c": null})).unwrap();
        for name in ["a", "b"] {
            let value = resolve_value(name, SlotKind::Numeric, &[], inputs.get(name)).unwrap();
            assert_eq!(value, SlotValue::number(dec!(12.5)));
        }
        let missing = resolve_value("c", SlotKind::Numeric, &[], inputs.get("c")).unwrap();
        assert_eq!(missing, SlotValue::Missing);
    }

    #[test]
    fn a_non_numeric_string_for_a_numeric_slot_is_refused() {
        let raw = InputValue::Text("lots".into());
        let err = resolve_value("sales", SlotKind::Numeric, &[], Some(&raw)).unwrap_err();
        assert!(matches!(err, InputError::NotNumeric { .. }));
    }

    #[test]
    fn categories_resolve_to_dictionary_ids_or_unseen() {
        let dict = vec!["food".to_string(), "retail".to_string()];
        let known = resolve_value(
            "s",
            SlotKind::Categorical,
            &dict,
            Some(&InputValue::Text("retail".into())),
        );
        assert_eq!(known.unwrap(), SlotValue::Category(1));
        let unknown = resolve_value(
            "s",
            SlotKind::Categorical,
            &dict,
            Some(&InputValue::Text("mining".into())),
        );
        assert_eq!(unknown.unwrap(), SlotValue::Category(UNSEEN_CATEGORY));
    }

    #[test]
    fn nested_json_values_are_refused() {
        let err = Inputs::from_json(&json!({"a": [1, 2]})).unwrap_err();
        assert_eq!(err, InputError::UnsupportedValue { input: "a".into() });
    }

    #[test]
    fn inputs_round_trip_through_json_with_decimals_as_strings() {
        let inputs = Inputs::from_json(&json!({"a": 1.25, "flag": true, "s": "x"})).unwrap();
        let text = serde_json::to_string(&inputs).unwrap();
        assert_eq!(text, r#"{"a":"1.25","flag":true,"s":"x"}"#);
        let back: Inputs = serde_json::from_str(&text).unwrap();
        assert_eq!(back.get("flag"), Some(&InputValue::Bool(true)));
    }
}
