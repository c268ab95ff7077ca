//! The duplicate-proof identity of a receivable, a bill or a warehouse receipt in the registry:
//! key fields in a fixed canonical text, hashed with SHA-256, so that an outside financier
//! holding the same paper computes the same fingerprint.
//!
//! Recipe v2 (every number and registration number goes through
//! [`crate::identifier::canonical_key`]):
//! - receivable: `lendline-registry-v2\nreceivable\n<debtor registration>\n<invoice number>\n
//!   <amount without trailing zeros>\n<currency>\n<issue date YYYY-MM-DD>`;
//! - bill: `lendline-registry-v2\nbill\n<acceptor registration>\n<bill number>`;
//! - warehouse receipt: `lendline-registry-v2\nwarehouse_receipt\n<receipt number>`.
//!
//! The seller is deliberately not part of a receivable's or bill's identity: the same invoice
//! submitted by a second supplier is the same paper and must collide (v1 hashed the seller in,
//! so two suppliers could finance one invoice). A bill is identified by its acceptor and number
//! alone, since an acceptor never issues two bills under one number.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::identifier::canonical_key;
use crate::money::Money;

/// The prefix of every v2 canonical text.
const VERSION: &str = "lendline-registry-v2";

/// Which registry a fingerprint belongs to; part of the hashed text so that an invoice, a bill
/// and a receipt can never collide.
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

/// The fields that identify one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceivableKey<'a> {
    pub debtor_registration: &'a str,
    pub number: &'a str,
    pub amount: Money,
    pub issue_date: NaiveDate,
}

/// The canonical text of a receivable (see the module documentation).
pub fn receivable_text(key: &ReceivableKey<'_>) -> String {
    format!(
        "{VERSION}\n{}\n{}\n{}\n{}\n{}\n{}",
        PaperKind::Receivable.as_str(),
        canonical_key(key.debtor_registration),
        canonical_key(key.number),
        key.amount.amount().normalize(),
        key.amount.currency().code(),
        key.issue_date.format("%Y-%m-%d"),
    )
}

/// A receivable's fingerprint: lower-case hex SHA-256 of [`receivable_text`].
pub fn receivable_fingerprint(key: &ReceivableKey<'_>) -> String {
    hex_sha256(&receivable_text(key))
}

/// The canonical text of a bill: its acceptor and its number.
pub fn bill_text(acceptor_registration: &str, number: &str) -> String {
    format!(
        "{VERSION}\n{}\n{}\n{}",
        PaperKind::Bill.as_str(),
        canonical_key(acceptor_registration),
        canonical_key(number),
    )
}

/// A bill's fingerprint: lower-case hex SHA-256 of [`bill_text`].
pub fn bill_fingerprint(acceptor_registration: &str, number: &str) -> String {
    hex_sha256(&bill_text(acceptor_registration, number))
}

/// A warehouse receipt's fingerprint from its canonical key (the key is what `collateral`
/// stores and keeps unique).
pub fn receipt_fingerprint(receipt_key: &str) -> String {
    hex_sha256(&format!(
        "{VERSION}\n{}\n{receipt_key}",
        PaperKind::WarehouseReceipt.as_str()
    ))
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fingerprint as a client may write it (upper- or lower-case hex), in the stored lower-case
/// form; `None` unless it is 64 hex digits.
pub fn parse_fingerprint(text: &str) -> Option<String> {
    (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| text.to_ascii_lowercase())
}

/// True when `text` has the stored form of a fingerprint (64 lower-case hex digits).
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

    fn invoice(number: &str, amount: &str) -> String {
        receivable_fingerprint(&ReceivableKey {
            debtor_registration: "91110000100000000X",
            number,
            amount: Money::parse_positive(amount, Currency::Cny).unwrap(),
            issue_date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        })
    }

    #[test]
    fn the_same_invoice_written_differently_has_the_same_fingerprint() {
        assert_eq!(
            invoice("INV-2026-000123", "1000.00"),
            invoice(" inv\u{200B} 2026 123 ", "1000")
        );
        assert!(is_fingerprint(&invoice("INV-1", "1")));
    }

    #[test]
    fn a_different_amount_number_or_kind_changes_the_fingerprint() {
        assert_ne!(invoice("INV-123", "1000.00"), invoice("INV-123", "1000.01"));
        assert_ne!(
            invoice("INV-123", "1000.00"),
            invoice("INV-1230", "1000.00")
        );
        assert_ne!(
            invoice("INV-1-23", "1000.00"),
            invoice("INV-123", "1000.00")
        );
        assert_ne!(
            bill_fingerprint("91110000100000000X", "INV-123"),
            invoice("INV-123", "1000.00")
        );
    }

    /// The README's worked examples: what an outside bank computes with `sha256sum`.
    #[test]
    fn the_documented_examples_hash_to_the_documented_fingerprints() {
        let key = ReceivableKey {
            debtor_registration: "91110000100000000X",
            number: "INV-2026-000123",
            amount: Money::parse_positive("100000.00", Currency::Cny).unwrap(),
            issue_date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        };
        assert_eq!(
            receivable_text(&key),
            "lendline-registry-v2\nreceivable\n91110000100000000X\nlNV2026-123\n100000\nCNY\n2026-10-01"
        );
        assert_eq!(
            receivable_fingerprint(&key),
            "6487264da9521f8e223a015f5810c01fce40ee22e1a5f457f8d285ae963b0fed"
        );
        assert_eq!(
            bill_text("91110000100000000X", "CA-2026-0001"),
            "lendline-registry-v2\nbill\n91110000100000000X\nCA2026-1"
        );
        assert_eq!(
            bill_fingerprint("91110000100000000X", "CA-2026-0001"),
            "d0ece6460e9bebbcf31fb47f07996b73f10915f01147706031fca7e791b44985"
        );
        assert_eq!(
            receipt_fingerprint(&canonical_key("WR-2026-000981")),
            "91be0681845027babbe182082f0646e471d7448a0a3016385d25340271048fe1"
        );
    }

    #[test]
    fn a_fingerprint_is_accepted_in_either_case_and_stored_in_lower_case() {
        let print = invoice("INV-1", "1");
        assert_eq!(
            parse_fingerprint(&print.to_uppercase()),
            Some(print.clone())
        );
        assert_eq!(parse_fingerprint(&print), Some(print));
        assert_eq!(parse_fingerprint("xyz"), None);
        assert_eq!(parse_fingerprint(&"g".repeat(64)), None);
    }
}
