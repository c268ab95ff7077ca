//! Receivables factoring: advances against invoices, their settlement, and a pool's borrowing
//! base.
//!
//! - `advance = eligible × advance_rate`; `reserve = face − advance` is held back until the debtor
//!   pays.
//! - `discount_fee = advance × discount_rate × days to due ÷ basis` (360 by default, or 365);
//!   `service_fee = face × service_fee_rate`. Both are charged at settlement, out of the debtor's
//!   payment.
//! - Settlement: the debtor's payment first repays the factor (advance + fees); the rest is the
//!   reserve released to the supplier. A short payment (dilution: credit notes, disputes) is thus
//!   charged to the reserve first; what the reserve cannot absorb is the supplier's recourse
//!   amount. A debtor default is a settlement with a zero payment.
//! - Borrowing base: per debtor, the eligible amount above `concentration_limit × total eligible`
//!   is excluded (one large debtor must not carry the pool); the base is `(total eligible −
//!   excluded excess) × advance_rate`, rounded down so it is never overstated. When the debtors
//!   of a pool come with their own terms (each core enterprise's program), each debtor's limit
//!   and advance rate apply to its own receivables and the parts are added before rounding.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::{Money, MoneyError, RoundingMode};
use crate::rate::Rate;

/// Why a factoring computation was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FactoringError {
    #[error("face must be positive, and the eligible amount between zero and the face")]
    InvalidAmounts,
    #[error("a rate that is a share (advance rate, concentration limit) must not exceed 1")]
    ShareAboveOne,
    #[error("due date must not be before the purchase date")]
    DueBeforePurchase,
    #[error("basis must be 360 or 365 days, not {0}")]
    InvalidBasis(u32),
    #[error("the debtor's payment must be between zero and the face value")]
    InvalidPayment,
    #[error("no pool terms for debtor {0}")]
    NoTermsFor(String),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Pricing terms agreed with the supplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactoringTerms {
    pub advance_rate: Rate,
    pub discount_rate: Rate,
    pub service_fee_rate: Rate,
    #[serde(default = "default_basis_days")]
    pub basis_days: u32,
}

fn default_basis_days() -> u32 {
    360
}

/// One invoice offered for factoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactoringInput {
    pub face: Money,
    pub eligible: Money,
    pub purchase_date: NaiveDate,
    pub due_date: NaiveDate,
    pub terms: FactoringTerms,
}

/// The advance and charges for one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactoringQuote {
    pub face: Money,
    pub days: u32,
    pub advance: Money,
    pub discount_fee: Money,
    pub service_fee: Money,
    pub reserve: Money,
    /// Advance plus fees: what the factor must recover.
    pub owed_to_factor: Money,
}

/// Prices one invoice (fees rounded half-up to the minor unit).
pub fn factoring_quote(input: &FactoringInput) -> Result<FactoringQuote, FactoringError> {
    let (face, eligible, terms) = (input.face, input.eligible, input.terms);
    let eligible_ok =
        !eligible.is_negative() && eligible.checked_sub(face)?.amount() <= Decimal::ZERO;
    if !face.is_positive() || !eligible_ok {
        return Err(FactoringError::InvalidAmounts);
    }
    if terms.advance_rate.value() > Decimal::ONE {
        return Err(FactoringError::ShareAboveOne);
    }
    if !matches!(terms.basis_days, 360 | 365) {
        return Err(FactoringError::InvalidBasis(terms.basis_days));
    }
    let days = u32::try_from((input.due_date - input.purchase_date).num_days())
        .map_err(|_| FactoringError::DueBeforePurchase)?;
    let mode = RoundingMode::HalfUp;
    let advance = eligible
        .checked_mul_rate(terms.advance_rate.value())?
        .round(mode);
    let discount_fee = advance
        .checked_mul_rate(terms.discount_rate.value() * Decimal::from(days))?
        .checked_div(Decimal::from(terms.basis_days))?
        .round(mode);
    let service_fee = face
        .checked_mul_rate(terms.service_fee_rate.value())?
        .round(mode);
    Ok(FactoringQuote {
        face,
        days,
        advance,
        discount_fee,
        service_fee,
        reserve: face.checked_sub(advance)?,
        owed_to_factor: advance
            .checked_add(discount_fee)?
            .checked_add(service_fee)?,
    })
}

/// How a debtor's payment is split between factor and supplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactoringSettlement {
    pub debtor_payment: Money,
    pub repaid_to_factor: Money,
    pub reserve_released: Money,
    pub dilution: Money,
    pub dilution_charged_to_reserve: Money,
    /// What the supplier still owes the factor (with recourse).
    pub recourse_amount: Money,
}

/// Settles an invoice on the debtor's payment (zero for a default).
pub fn settle(
    quote: &FactoringQuote,
    debtor_payment: Money,
) -> Result<FactoringSettlement, FactoringError> {
    let dilution = quote.face.checked_sub(debtor_payment)?;
    if debtor_payment.is_negative() || dilution.is_negative() {
        return Err(FactoringError::InvalidPayment);
    }
    let repaid_to_factor = debtor_payment.checked_min(quote.owed_to_factor)?;
    let recourse_amount = quote.owed_to_factor.checked_sub(repaid_to_factor)?;
    Ok(FactoringSettlement {
        debtor_payment,
        repaid_to_factor,
        reserve_released: debtor_payment.checked_sub(repaid_to_factor)?,
        dilution,
        dilution_charged_to_reserve: dilution.checked_sub(recourse_amount)?,
        recourse_amount,
    })
}

/// An eligible receivable in a pool, by debtor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receivable {
    pub debtor: String,
    pub eligible: Money,
}

/// A debtor's eligible total, its concentration limit, the excess above it, and what the pool
/// lends against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorExcess {
    pub debtor: String,
    pub eligible: Money,
    pub limit: Money,
    pub excess: Money,
    /// The debtor's share of the base: `(eligible − excess) × its advance_rate`, unrounded
    /// (the shares add up to the base before it is rounded). The credit risk taken on the
    /// debtor is this, not the whole pool.
    pub lent: Money,
}

/// The pool's borrowing base and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BorrowingBase {
    pub total_eligible: Money,
    pub concentration_excess: Money,
    pub borrowing_base: Money,
    pub debtors: Vec<DebtorExcess>,
}

/// A debtor's own pool terms (from its program).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorTerms {
    pub advance_rate: Rate,
    pub concentration_limit: Rate,
}

/// The pool's borrowing base (see the module docs), every debtor on the same terms.
pub fn borrowing_base(
    pool: &[Receivable],
    advance_rate: Rate,
    concentration_limit: Rate,
) -> Result<BorrowingBase, FactoringError> {
    let same = DebtorTerms {
        advance_rate,
        concentration_limit,
    };
    base_with(pool, |_| Some(same))
}

/// The pool's borrowing base with each debtor on its own terms: per debtor (sorted by name) the
/// eligible total, its limit (`its concentration_limit × total eligible`, unrounded) and the
/// excess above it; the base is the sum of `(eligible − excess) × its advance_rate`, rounded
/// down to the minor unit.
pub fn borrowing_base_by_debtor(
    pool: &[Receivable],
    terms: &BTreeMap<String, DebtorTerms>,
) -> Result<BorrowingBase, FactoringError> {
    base_with(pool, |debtor| terms.get(debtor).copied())
}

/// The borrowing base with each debtor's terms from `terms_of`.
fn base_with(
    pool: &[Receivable],
    terms_of: impl Fn(&str) -> Option<DebtorTerms>,
) -> Result<BorrowingBase, FactoringError> {
    let mut by_debtor: BTreeMap<&str, Money> = BTreeMap::new();
    let mut total: Option<Money> = None;
    for r in pool {
        if r.eligible.is_negative() {
            return Err(FactoringError::InvalidAmounts);
        }
        total = Some(total.map_or(Ok(r.eligible), |t| t.checked_add(r.eligible))?);
        let entry = by_debtor
            .entry(&r.debtor)
            .or_insert(Money::zero(r.eligible.currency()));
        *entry = entry.checked_add(r.eligible)?;
    }
    let Some(total) = total else {
        return Err(FactoringError::InvalidAmounts);
    };
    let zero = Money::zero(total.currency());
    let (mut excess_total, mut base) = (zero, zero);
    let mut debtors = Vec::with_capacity(by_debtor.len());
    for (debtor, eligible) in by_debtor {
        let own = terms_of(debtor).ok_or_else(|| FactoringError::NoTermsFor(debtor.to_owned()))?;
        if own.advance_rate.value() > Decimal::ONE || own.concentration_limit.value() > Decimal::ONE
        {
            return Err(FactoringError::ShareAboveOne);
        }
        let limit = total.checked_mul_rate(own.concentration_limit.value())?;
        let excess = eligible.checked_sub(limit)?.checked_max(zero)?;
        excess_total = excess_total.checked_add(excess)?;
        let lent = eligible
            .checked_sub(excess)?
            .checked_mul_rate(own.advance_rate.value())?;
        base = base.checked_add(lent)?;
        debtors.push(DebtorExcess {
            debtor: debtor.to_owned(),
            eligible,
            limit,
            excess,
            lent,
        });
    }
    Ok(BorrowingBase {
        total_eligible: total,
        concentration_excess: excess_total.round(RoundingMode::HalfUp),
        borrowing_base: base.round(RoundingMode::Down),
        debtors,
    })
}

#[cfg(test)]
#[path = "factoring_tests.rs"]
mod tests;
