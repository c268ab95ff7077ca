//! Strict JSON bodies: an object naming the same key twice is refused, at any depth, and a
//! body that does not fit its type names the field at fault.
//!
//! `serde_json::Value` keeps the last of two equal keys, so `"kind":"merchant","kind":"shopper"`
//! would silently make a shopper; a derived struct refuses duplicates only at its own level and
//! not inside free-form values. Parsing every body through [`UniqueKeys`] first closes both.
//!
//! The same pass reads a whole number written as a float (`1.0`, `3e2`) as the integer it is:
//! JSON does not tell `1.0` from `1` (RFC 8259 has one number type, and the OpenAPI `integer`
//! accepts both), so a client's encoder may write either and a typed `u32` field must accept
//! both. Money never travels as a JSON number (amounts are decimal strings and refuse
//! numbers), so this reading cannot round an amount.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::extract::deserialize_error;

/// A JSON value in which no object repeats a key.
#[derive(Debug)]
pub struct UniqueKeys(pub Value);

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueVisitor).map(UniqueKeys)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(integral(v).unwrap_or_else(|| Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        UniqueKeys::deserialize(d).map(|u| u.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(UniqueKeys(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                // Worded like serde's own message for structs, so both read the same.
                return Err(de::Error::custom(format!("duplicate field `{key}`")));
            }
            let UniqueKeys(value) = access.next_value()?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// The integer a float stands for, when it is a whole number an `i64` or `u64` holds exactly.
/// `-0.0` is `0`; fractions, infinities and numbers beyond 64 bits stay floats (and so are
/// refused by an integer field, as they should be).
fn integral(v: f64) -> Option<Value> {
    // 2^63 and 2^64 are exact in f64; the bounds are exclusive because the casts below saturate.
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
    if !v.is_finite() || v.fract() != 0.0 {
        return None;
    }
    if (-TWO_POW_63..TWO_POW_63).contains(&v) {
        Some(Value::from(v as i64))
    } else if (0.0..TWO_POW_64).contains(&v) {
        Some(Value::from(v as u64))
    } else {
        None
    }
}

/// Converts an already parsed body into `T`; a mismatch names the path of the field at fault
/// (`monthly_sales[0].amount`), since serde's own type errors do not say which field it was.
pub fn typed<T: DeserializeOwned>(raw: &Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(raw).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let error = deserialize_error(&inner);
        match error {
            ApiError::BadRequest {
                code,
                message,
                field: None,
            } if path != "." && !path.is_empty() => ApiError::BadRequest {
                code,
                message: format!("{path}: {message}"),
                field: Some(path),
            },
            other => other,
        }
    })
}

/// Whether a body key names a date: the house names dates `date`, `*_date` or `*_on`.
fn is_date_key(key: &str) -> bool {
    key == "date" || key.ends_with("_date") || key.ends_with("_on")
}

/// Refuses (422, naming the field) any date in the body outside the platform's horizon
/// ([`domain::calendar::horizon`]); one walk covers every date field of every endpoint.
pub fn check_date_horizon(raw: &Value) -> Result<(), ApiError> {
    walk_dates(raw, "")
}

fn walk_dates(value: &Value, path: &str) -> Result<(), ApiError> {
    match value {
        Value::Object(map) => map.iter().try_for_each(|(key, v)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if let (true, Value::String(text)) = (is_date_key(key), v) {
                check_date(&here, text)?;
            }
            walk_dates(v, &here)
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| walk_dates(v, &format!("{path}[{i}]"))),
        _ => Ok(()),
    }
}

/// A text that is not a date is left to the typed parse, which names its own error.
fn check_date(field: &str, text: &str) -> Result<(), ApiError> {
    match text.parse::<chrono::NaiveDate>() {
        Ok(date) => Ok(crate::usecases::dates::within_horizon(field, date)?),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<Value, serde_json::Error> {
        serde_json::from_str::<UniqueKeys>(body).map(|u| u.0)
    }

    #[test]
    fn a_repeated_key_is_refused_at_any_depth() {
        let top = parse(r#"{"kind":"merchant","kind":"shopper"}"#).unwrap_err();
        assert!(top.to_string().contains("duplicate field `kind`"), "{top}");
        let nested = parse(r#"{"a":[{"b":1,"b":2}]}"#).unwrap_err();
        assert!(nested.is_data(), "{nested}");
    }

    #[test]
    fn a_date_beyond_the_horizon_is_refused_naming_its_field() {
        let body = serde_json::json!({"onboarded_on": "2025-03-01",
            "items": [{"due_date": "2101-01-01"}], "name": "2999-01-01"});
        let err = check_date_horizon(&body).unwrap_err();
        assert!(
            matches!(&err, ApiError::Unprocessable { field: Some(f), .. } if f == "items[0].due_date"),
            "{err:?}"
        );
        let fine = serde_json::json!({"date": "1900-01-01", "paid_on": null});
        assert!(check_date_horizon(&fine).is_ok());
    }

    #[test]
    fn a_whole_number_written_as_a_float_is_read_as_an_integer() {
        let body = parse(r#"{"tenor_days":1.0,"n":[3e2,-0.0,-7.0,1.5,1e300]}"#).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"tenor_days": 1, "n": [300, 0, -7, 1.5, 1e300]})
        );
        assert!(body["tenor_days"].is_u64(), "{body}");
        // 2^64 does not fit: it stays a float. 2^63 fits only a u64.
        assert_eq!(
            parse("1.8446744073709552e19").unwrap(),
            Value::from(1.8446744073709552e19)
        );
        assert_eq!(
            parse("9.223372036854775808e18").unwrap(),
            Value::from(9_223_372_036_854_775_808_u64)
        );
    }

    #[test]
    fn distinct_keys_parse_to_the_same_value_as_serde_json() {
        let body = r#"{"a":{"b":[1,-2,3.5,"x",null,true]},"c":{}}"#;
        assert_eq!(
            parse(body).unwrap(),
            serde_json::from_str::<Value>(body).unwrap()
        );
    }
}
