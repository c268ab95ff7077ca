//! Splitting one payment over what a borrower owes, for every product.
//!
//! A payment is applied to dues in a fixed priority: past-due before due before not-yet-due, and
//! within a status either instalment by instalment (oldest due date first, components in the
//! configured order inside each date) or component by component (all penalties oldest first, then
//! all fees, …). Regulators and contracts differ on the component order, so it is configuration;
//! the status rule is not, because paying future principal while arrears remain would hide
//! delinquency. What cannot be applied is returned as `unapplied` for the caller to refund or
//! hold as credit.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::{Money, MoneyError};

/// The component of a due. Serde: `penalty`, `fee`, `interest`, `principal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    Penalty,
    Fee,
    Interest,
    Principal,
}

/// Where a due stands relative to the business date. Serde: `past_due`, `due`, `not_yet_due`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    PastDue,
    Due,
    NotYetDue,
}

/// Whether to finish one due date before the next, or one component before the next.
/// Serde: `installment_first`, `component_first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationStrategy {
    #[default]
    InstallmentFirst,
    ComponentFirst,
}

/// One amount owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub kind: ComponentKind,
    pub status: DueStatus,
    pub due_date: NaiveDate,
    pub amount: Money,
}

/// The configured priority: each component exactly once, plus a strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AllocationOrderWire")]
pub struct AllocationOrder {
    components: [ComponentKind; 4],
    strategy: AllocationStrategy,
}

#[derive(Deserialize)]
struct AllocationOrderWire {
    components: [ComponentKind; 4],
    #[serde(default)]
    strategy: AllocationStrategy,
}

impl TryFrom<AllocationOrderWire> for AllocationOrder {
    type Error = AllocationError;
    fn try_from(w: AllocationOrderWire) -> Result<Self, Self::Error> {
        AllocationOrder::new(w.components, w.strategy)
    }
}

impl Default for AllocationOrder {
    /// Penalty, fee, interest, principal, instalment by instalment: the common consumer order.
    fn default() -> Self {
        AllocationOrder {
            components: [
                ComponentKind::Penalty,
                ComponentKind::Fee,
                ComponentKind::Interest,
                ComponentKind::Principal,
            ],
            strategy: AllocationStrategy::InstallmentFirst,
        }
    }
}

impl AllocationOrder {
    /// Refuses an order that names a component twice (and therefore omits another).
    pub fn new(
        components: [ComponentKind; 4],
        strategy: AllocationStrategy,
    ) -> Result<Self, AllocationError> {
        for (i, c) in components.iter().enumerate() {
            if components[..i].contains(c) {
                return Err(AllocationError::RepeatedComponent(*c));
            }
        }
        Ok(AllocationOrder {
            components,
            strategy,
        })
    }

    pub fn components(&self) -> [ComponentKind; 4] {
        self.components
    }

    pub fn strategy(&self) -> AllocationStrategy {
        self.strategy
    }

    fn rank(&self, kind: ComponentKind) -> usize {
        self.components.iter().position(|c| *c == kind).unwrap_or(0)
    }
}

/// Why a payment could not be allocated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AllocationError {
    #[error("allocation order names {0:?} more than once")]
    RepeatedComponent(ComponentKind),
    #[error("payment and dues must not be negative")]
    NegativeAmount,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The result: `applied[i]` went to `dues[i]`; `unapplied` is what was left of the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub applied: Vec<Money>,
    pub unapplied: Money,
}

/// Applies `payment` to `dues` in priority order; never applies more than a due's amount and
/// never more than the payment. Equal keys keep the caller's order.
pub fn allocate_payment(
    payment: Money,
    dues: &[Due],
    order: &AllocationOrder,
) -> Result<Allocation, AllocationError> {
    if payment.is_negative() || dues.iter().any(|d| d.amount.is_negative()) {
        return Err(AllocationError::NegativeAmount);
    }
    let mut priority: Vec<usize> = (0..dues.len()).collect();
    priority.sort_by_key(|&i| {
        let d = &dues[i];
        let rank = order.rank(d.kind) as i32;
        let day = d.due_date.num_days_from_ce();
        match order.strategy {
            AllocationStrategy::InstallmentFirst => (d.status, day, rank),
            AllocationStrategy::ComponentFirst => (d.status, rank, day),
        }
    });
    let zero = Money::zero(payment.currency());
    let mut applied = vec![zero; dues.len()];
    let mut left = payment;
    for i in priority {
        let share = left.checked_min(dues[i].amount)?;
        applied[i] = share;
        left = left.checked_sub(share)?;
    }
    Ok(Allocation {
        applied,
        unapplied: left,
    })
}

#[cfg(test)]
#[path = "repayment_allocation_tests.rs"]
mod tests;
