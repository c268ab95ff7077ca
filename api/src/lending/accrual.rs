//! Ledger accounts for the products whose services still answer `ApiError`: an adapter over
//! [`crate::usecases::lending::accrual::account`]; it goes away as they move into the
//! use-case layer.

use domain::ledger::Account;

use crate::error::ApiError;

pub fn account(name: &str) -> Result<Account, ApiError> {
    Ok(crate::usecases::lending::accrual::account(name)?)
}
