//! One canonical key for every identifier that must be unique in the world: invoice and bill
//! numbers, warehouse receipts, purchase orders, payment references and the registration
//! numbers inside registry fingerprints.
//!
//! A fraudster re-submits the same paper with its number disguised so that it looks identical
//! to a clerk but differs to a computer: a zero-width space, a soft hyphen, a Cyrillic `І`, full-
//! width digits, or extra leading zeros in a later group (`hx-2027-451` = `HX-2027-000451`).
//! The key removes every such difference, in this order:
//!
//! 1. Unicode NFKC (full-width and other compatibility forms become their plain letters/digits);
//! 2. drop what cannot be seen: general categories Cf (format: U+200B, U+00AD, U+2060, U+FEFF,
//!    bidi controls), Cc (controls), Mn and Me (combining marks left over after NFKC composed
//!    what it could) and every Default_Ignorable code point (variation selectors, Hangul
//!    fillers);
//! 3. upper-case;
//! 4. split into groups: ASCII digits form digit groups, every other alphanumeric character is
//!    a letter, anything else (spaces, dashes, dots, slashes…) is a separator;
//! 5. letters are replaced by their Unicode TR39 confusable skeleton (Cyrillic `І`/`В` become
//!    Latin `l`/`B`, so does Latin `I`: the skeleton prototype of `I` is `l`); a letter whose
//!    skeleton is an ASCII digit counts as that digit;
//! 6. leading zeros are stripped from every digit group (a group of zeros keeps one `0`);
//! 7. groups are joined without separators, except that two digit groups in a row are joined
//!    with `-`: `A1-2` and `A12` are different numbers and stay different keys.
//!
//! Why the skeleton is applied after upper-casing and to letters only: TR39 maps digits to
//! letters (`0` → `O`, `1` → `l`), which would defeat the leading-zero rule and merge real
//! numbers such as `B0-1` and `BO-1`; upper-casing first keeps lower-case look-alikes such as
//! `rn`/`m` apart, since the case is folded anyway.

use thiserror::Error;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_security::confusable_detection::skeleton;
use unicode_security::general_security_profile::IdentifierType;
use unicode_security::GeneralSecurityProfile;

/// Why a text was refused at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must have at most {max} characters")]
    TooLong { max: usize },
    #[error("must not contain control characters")]
    ControlCharacter,
    #[error("must not contain bidirectional override or isolate characters")]
    BidiControl,
    #[error("must contain at least one letter or digit")]
    NoLetterOrDigit,
}

/// An identifier as the client wrote it (trimmed) with its canonical registry key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    text: String,
    key: String,
}

impl Identifier {
    /// Trims `raw`, refuses unsafe text, more than `max_chars` characters or no letter or digit.
    pub fn parse(raw: &str, max_chars: usize) -> Result<Identifier, TextError> {
        let text = raw.trim();
        check_text(text)?;
        if text.is_empty() {
            return Err(TextError::Empty);
        }
        if text.chars().count() > max_chars {
            return Err(TextError::TooLong { max: max_chars });
        }
        let key = canonical_key(text);
        if key.is_empty() {
            return Err(TextError::NoLetterOrDigit);
        }
        Ok(Identifier {
            text: text.to_string(),
            key,
        })
    }

    /// What the client wrote (trimmed): shown back, never compared.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The canonical key: what uniqueness is decided on.
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn into_parts(self) -> (String, String) {
        (self.text, self.key)
    }
}

/// Refuses control characters (C0, C1, NUL, DEL) and bidirectional embeddings, overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069): they make a name or number display differently
/// from what is stored. Applies to identifiers and to names.
pub fn check_text(text: &str) -> Result<(), TextError> {
    for c in text.chars() {
        if c.is_control() {
            return Err(TextError::ControlCharacter);
        }
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            return Err(TextError::BidiControl);
        }
    }
    Ok(())
}

/// True for what a reader cannot see and the key therefore ignores (step 2).
fn is_invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Format
            | GeneralCategory::Control
            | GeneralCategory::NonspacingMark
            | GeneralCategory::EnclosingMark
    ) || c.identifier_type() == Some(IdentifierType::Default_Ignorable)
}

/// One step of the grouped stream: a character of a group, or a separator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(char),
    Separator,
}

/// The canonical key of an identifier (see the module documentation for the recipe). Two
/// identifiers are the same paper exactly when their keys are equal.
pub fn canonical_key(raw: &str) -> String {
    let visible: String = raw
        .nfkc()
        .filter(|c| !is_invisible(*c))
        .flat_map(char::to_uppercase)
        .collect();
    join_groups(tokens(&visible))
}

/// Steps 4 and 5: separators marked, letters replaced by their skeleton, digits kept.
fn tokens(visible: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(visible.len());
    let mut letters = String::new();
    for c in visible.chars() {
        if c.is_alphanumeric() && !c.is_ascii_digit() {
            letters.push(c);
            continue;
        }
        out.extend(skeleton(&letters).map(Token::Char));
        letters.clear();
        out.push(if c.is_ascii_digit() {
            Token::Char(c)
        } else {
            Token::Separator
        });
    }
    out.extend(skeleton(&letters).map(Token::Char));
    out
}

/// Steps 6 and 7: leading zeros stripped per digit group, groups joined. Two digit groups can
/// only follow each other across a separator, which is kept as `-`.
fn join_groups(tokens: Vec<Token>) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let mut last_group_was_digits = false;
    for token in tokens {
        match token {
            Token::Char(c) if c.is_ascii_digit() => {
                if digits.is_empty() && last_group_was_digits {
                    out.push('-');
                }
                digits.push(c);
            }
            Token::Char(c) => {
                flush_digits(&mut digits, &mut out);
                out.push(c);
                last_group_was_digits = false;
            }
            Token::Separator => {
                if flush_digits(&mut digits, &mut out) {
                    last_group_was_digits = true;
                }
            }
        }
    }
    flush_digits(&mut digits, &mut out);
    out
}

/// Appends a pending digit group without its leading zeros; answers whether there was one.
fn flush_digits(digits: &mut String, out: &mut String) -> bool {
    if digits.is_empty() {
        return false;
    }
    let significant = digits.trim_start_matches('0');
    out.push_str(if significant.is_empty() {
        "0"
    } else {
        significant
    });
    digits.clear();
    true
}

#[cfg(test)]
#[path = "identifier_tests.rs"]
mod tests;
