//! Decimal numbers written as text (`"0.035"`, `"-12.5"`) in bodies and query strings, read to
//! one grammar that the OpenAPI document publishes as [`PATTERN`].
//!
//! rust_decimal's own parser also takes `+1`, `.5`, `1_000` and more digits than it can hold;
//! publishing that grammar would be a lie in one direction or the other, so the server reads
//! exactly the pattern it documents: an optional minus, 1 to 20 digits, and optionally a point
//! and 1 to 8 digits. 28 digits always fit a `Decimal`, so a text that matches never fails to
//! parse. Anything else is a malformed value (400); whether a well-formed number is acceptable
//! (positive, at most 1, …) is the field's own rule (422).

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// The published grammar; repeated as a literal in each `#[schema]`/`#[param]` that uses it
/// (the derive macros take only literals), which a test below holds to this constant.
pub const PATTERN: &str = r"^-?[0-9]{1,20}(\.[0-9]{1,8})?$";

const MAX_INTEGER_DIGITS: usize = 20;
const MAX_FRACTION_DIGITS: usize = 8;

/// A decimal read from text in the published grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalText(pub Decimal);

/// The decimal `text` spells, if it follows [`PATTERN`].
pub fn parse(text: &str) -> Option<Decimal> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |part: &str, max: usize| {
        (1..=max).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    let well_formed = digits(integer, MAX_INTEGER_DIGITS)
        && fraction.is_none_or(|f| digits(f, MAX_FRACTION_DIGITS));
    if !well_formed {
        return None;
    }
    text.parse().ok()
}

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(DecimalVisitor)
    }
}

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = DecimalText;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a decimal number as a string, such as \"0.035\" (at most {MAX_INTEGER_DIGITS} digits \
             before the point and {MAX_FRACTION_DIGITS} after)"
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DecimalText, E> {
        parse(v)
            .map(DecimalText)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// For `Option<Decimal>` body fields: `#[serde(default, with = "crate::decimal_text::option")]`.
pub mod option {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer};

    use super::DecimalText;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<DecimalText>::deserialize(d)?.map(|t| t.0))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_published_grammar_is_read_and_nothing_else() {
        for (text, value) in [
            ("0", "0"),
            ("-12.5", "-12.5"),
            ("0.035", "0.035"),
            (
                "99999999999999999999.99999999",
                "99999999999999999999.99999999",
            ),
        ] {
            assert_eq!(parse(text), Some(value.parse().unwrap()), "{text}");
        }
        for text in [
            "",
            "-",
            ".5",
            "5.",
            "+1",
            "1_000",
            "1e3",
            " 1",
            "1\n",
            "0.123456789",
            "1.2.3",
            "123456789012345678901",
            "٣",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_json_number_is_not_a_decimal_text() {
        assert!(serde_json::from_str::<DecimalText>("1.5").is_err());
        assert_eq!(
            serde_json::from_str::<DecimalText>("\"1.5\"").unwrap().0,
            "1.5".parse::<Decimal>().unwrap()
        );
    }

    #[test]
    fn every_decimal_field_publishes_the_grammar_it_is_read_with() {
        use utoipa::OpenApi;
        let doc = serde_json::to_value(crate::openapi::ApiDoc::openapi()).unwrap();
        let schemas = &doc["components"]["schemas"];
        for (schema, field) in [
            ("NewParty", "returns_rate"),
            ("ReviewDecision", "approved_amount"),
            ("ReviewDecision", "approved_rate"),
        ] {
            let published = &schemas[schema]["properties"][field]["pattern"];
            assert_eq!(published, PATTERN, "{schema}.{field}");
        }
        let reviews = doc["paths"]["/v1/reviews"]["get"]["parameters"]
            .as_array()
            .unwrap();
        for name in ["min_amount", "max_amount"] {
            let param = reviews.iter().find(|p| p["name"] == name).unwrap();
            assert_eq!(param["schema"]["pattern"], PATTERN, "{name}");
        }
    }
}
