//! Reading stored amounts back as money, shared by the retail families: a stored currency
//! code or account name our own rules cannot read is corrupt data, never the caller's fault.

use domain::ledger::Account;
use domain::money::{Currency, Money, RoundingMode};
use rust_decimal::Decimal;

use crate::usecases::UseCaseError;

/// A stored currency code.
pub fn currency(code: &str) -> Result<Currency, UseCaseError> {
    Currency::parse(code).map_err(|e| UseCaseError::corrupt("stored currency", e))
}

/// A stored amount as money (stored amounts are always in whole minor units).
pub fn money(amount: Decimal, currency: Currency) -> Money {
    Money::new(amount, currency).round(RoundingMode::HalfEven)
}

/// One of the platform's own ledger accounts (`cash:platform`, …).
pub fn account(name: &str) -> Result<Account, UseCaseError> {
    Account::parse(name).map_err(|e| UseCaseError::corrupt("ledger account", e))
}
