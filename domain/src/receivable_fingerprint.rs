//! The duplicate-proof identity of a receivable, a bill or a warehouse receipt: normalised key
//! fields hashed with SHA-256.
//!
//! The classic supply-chain fraud is financing the same invoice twice, often with its number
//! written differently the second time. The fingerprint therefore ignores what does not change
//! the paper's identity: letter case, spaces and dashes (including full-width and typographic
//! ones) and the leading zeros of every run of digits (`INV-000123` = `inv 123`). What does
//! change it (seller, debtor, amount, currency, issue date) is written in a fixed canonical form,
//! so an outside financier holding the same paper computes the same fingerprint.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::money::Money;

/// Which registry a fingerprint belongs to; part of the hashed text so that an invoice and a
/// bill can never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperKind {
    Receivable,
    Bill,
    WarehouseReceipt,
}

impl PaperKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PaperKind::Receivable => "receivable",
            PaperKind::Bill => "bill",
            PaperKind::WarehouseReceipt => "warehouse_receipt",
        }
    }
}

/// The fields that identify one receivable (or bill: drawer, acceptor, bill number, face).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperKey<'a> {
    pub kind: PaperKind,
    pub seller_registration: &'a str,
    pub debtor_registration: &'a str,
    pub number: &'a str,
    pub amount: Money,
    pub issue_date: NaiveDate,
}

/// Separators a clerk may or may not type: ASCII and Unicode spaces and dashes.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
        )
}

/// Upper-cases, drops spaces and dashes, and strips leading zeros from every run of digits
/// (a run of only zeros keeps one).
pub fn normalise_number(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut digits = String::new();
    // Full-width digits and letters (common on scanned Chinese invoices) fold to ASCII.
    for c in raw
        .chars()
        .filter(|c| !is_separator(*c))
        .map(fold_full_width)
    {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush_digits(&mut digits, &mut out);
            out.extend(c.to_uppercase());
        }
    }
    flush_digits(&mut digits, &mut out);
    out
}

fn flush_digits(digits: &mut String, out: &mut String) {
    if digits.is_empty() {
        return;
    }
    let significant = digits.trim_start_matches('0');
    out.push_str(if significant.is_empty() {
        "0"
    } else {
        significant
    });
    digits.clear();
}

fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Registration numbers: upper case, no spaces or dashes (leading zeros are significant).
pub fn normalise_registration(raw: &str) -> String {
    raw.chars()
        .filter(|c| !is_separator(*c))
        .map(fold_full_width)
        .flat_map(char::to_uppercase)
        .collect()
}

/// The canonical text that is hashed: one field per line, amounts without trailing zeros.
pub fn canonical_text(key: &PaperKey<'_>) -> String {
    format!(
        "lendline-registry-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        key.kind.as_str(),
        normalise_registration(key.seller_registration),
        normalise_registration(key.debtor_registration),
        normalise_number(key.number),
        key.amount.amount().normalize(),
        key.amount.currency().code(),
        key.issue_date.format("%Y-%m-%d"),
    )
}

/// The fingerprint: lower-case hex SHA-256 of [`canonical_text`].
pub fn fingerprint(key: &PaperKey<'_>) -> String {
    hex_sha256(&canonical_text(key))
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A warehouse receipt number as the registry keys it: upper case without spaces, dashes, dots,
/// slashes or underscores (`wr-001 / a` and `WR001A` are one receipt).
pub fn normalise_receipt(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '/' | '_'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// The registry fingerprint of a warehouse receipt (goods pledged as collateral), from its
/// normalised number ([`normalise_receipt`]): the hex SHA-256 of
/// `lendline-registry-v1\nwarehouse_receipt\n<normalised number>`, so that a lender holding the
/// same receipt can ask the registry whether the goods are already pledged.
pub fn receipt_fingerprint(receipt_key: &str) -> String {
    hex_sha256(&format!(
        "lendline-registry-v1\n{}\n{receipt_key}",
        PaperKind::WarehouseReceipt.as_str()
    ))
}

/// True when `text` has the form of a fingerprint (64 lower-case hex digits).
pub fn is_fingerprint(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn key(number: &str, amount: &str) -> String {
        fingerprint(&PaperKey {
            kind: PaperKind::Receivable,
            seller_registration: "9133-0100 ma27",
            debtor_registration: "91110000XYZ",
            number,
            amount: Money::parse_positive(amount, Currency::Cny).unwrap(),
            issue_date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        })
    }

    #[test]
    fn case_spaces_dashes_and_leading_zeros_do_not_change_the_number() {
        for (raw, expected) in [
            ("INV-000123", "INV123"),
            ("inv 123", "INV123"),
            ("Inv\u{2013}0123", "INV123"),
            ("ＩＮＶ－００１２３", "INV123"),
            ("A-007-B-0080", "A7B80"),
            ("000", "0"),
            ("INV-0-1", "INV1"),
            ("2026/001", "2026/1"),
        ] {
            assert_eq!(normalise_number(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn the_same_invoice_written_differently_has_the_same_fingerprint() {
        assert_eq!(key("INV-000123", "1000.00"), key(" inv 123 ", "1000"));
        assert_eq!(key("INV-000123", "1000.00").len(), 64);
        assert!(is_fingerprint(&key("INV-1", "1")));
    }

    #[test]
    fn a_different_amount_number_or_kind_changes_the_fingerprint() {
        assert_ne!(key("INV-123", "1000.00"), key("INV-123", "1000.01"));
        assert_ne!(key("INV-123", "1000.00"), key("INV-1230", "1000.00"));
        let bill = PaperKey {
            kind: PaperKind::Bill,
            seller_registration: "9133-0100 ma27",
            debtor_registration: "91110000XYZ",
            number: "INV-123",
            amount: Money::parse_positive("1000", Currency::Cny).unwrap(),
            issue_date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        };
        assert_ne!(fingerprint(&bill), key("INV-123", "1000.00"));
    }

    #[test]
    fn registration_numbers_ignore_case_and_separators_only() {
        assert_eq!(normalise_registration("9133-0100 ma27"), "91330100MA27");
        assert_eq!(normalise_registration("0012"), "0012");
    }

    #[test]
    fn a_receipt_written_differently_has_one_fingerprint_distinct_from_other_papers() {
        assert_eq!(normalise_receipt("wr-001 / a."), "WR001A");
        let one = receipt_fingerprint(&normalise_receipt("wr-001 / a"));
        assert_eq!(one, receipt_fingerprint(&normalise_receipt("WR001A")));
        assert_ne!(one, receipt_fingerprint(&normalise_receipt("WR001B")));
        assert!(is_fingerprint(&one));
        // The documented text hashed by `sha256sum`: what an outside lender computes.
        assert_eq!(
            one,
            "b7c4ba01963f3c0e73bca33243a0b025a6a3ea286b071abb28b80cec7629bd4b"
        );
    }
}
