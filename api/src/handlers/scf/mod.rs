//! Supply-chain finance: factoring programs, the receivables registry, debtor confirmation,
//! factoring (single invoices and pools), settlement, and commercial acceptance bills.
//!
//! Every state change runs in one transaction with its ledger entry and its audit event on the
//! aggregate's chain (`receivable:<id>`, `factoring:<id>`, `bill:<id>`, `program:<id>`).

pub mod bill_discount;
pub mod bills;
pub mod decision;
pub mod eligibility;
pub mod factoring;
pub mod funding;
pub mod membership;
pub mod notice;
pub mod pools;
pub mod programs;
pub mod receivables;
pub mod referrals;
pub mod registry;
pub mod settlement;

use std::str::FromStr;

use chrono::{NaiveDate, Utc};
use diesel::PgConnection;
use domain::ledger::{JournalEntry, LedgerError};
use domain::money::{Currency, Money};
use domain::rate::Rate;
use domain::scf_state::TransitionError;
use persistence::{audit, ledger};
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::error::ApiError;

/// The platform's business date: the same calendar loans and end of day run on.
pub fn today(conn: &mut diesel::PgConnection) -> Result<NaiveDate, ApiError> {
    crate::lending::business_date(conn)
}

pub fn currency(code: &str) -> Result<Currency, ApiError> {
    Currency::parse(code).map_err(|e| ApiError::invalid("currency", e.to_string()))
}

/// A stored currency code; one that does not parse is corruption, not a client error.
pub fn stored_currency(code: &str) -> Result<Currency, ApiError> {
    Currency::parse(code).map_err(ApiError::internal)
}

pub fn stored_rate(value: Decimal) -> Result<Rate, ApiError> {
    Rate::new(value).map_err(ApiError::internal)
}

pub fn money(amount: Decimal, currency: Currency) -> Money {
    Money::new(amount, currency)
}

/// A stored state name; an unknown one is corruption.
pub fn stored_state<S: FromStr>(text: &str) -> Result<S, ApiError> {
    text.parse()
        .map_err(|_| ApiError::internal(format!("unknown stored state {text:?}")))
}

pub fn transition_refused(e: TransitionError) -> ApiError {
    ApiError::unprocessable(
        "invalid_state",
        format!("not allowed now: {e}"),
        Some("state"),
    )
}

/// Appends one event on `chain`, the payload serialised as JSON.
pub fn record(
    conn: &mut PgConnection,
    chain: &str,
    actor: &str,
    action: &str,
    payload: &impl Serialize,
) -> Result<(), ApiError> {
    let payload = serde_json::to_value(payload).map_err(ApiError::internal)?;
    audit::append(conn, chain, actor, action, &payload, Utc::now())?;
    Ok(())
}

/// Posts a balanced entry in the caller's transaction and answers its id.
pub fn post(
    conn: &mut PgConnection,
    entry: Result<JournalEntry, LedgerError>,
) -> Result<Uuid, ApiError> {
    let entry = entry.map_err(ApiError::internal)?;
    Ok(ledger::post(conn, Uuid::now_v7(), &entry, None)?)
}

/// A business date an operator sets (back-office corrections), or the platform's. A given
/// date may lie in the past (a day end of day closed is still refused when the money is
/// posted: 409 `business_day_closed`), never after the platform's business date: a payment or
/// a default cannot be booked before it happened (422 on `field`).
pub fn business_date(
    conn: &mut diesel::PgConnection,
    given: Option<NaiveDate>,
    field: &str,
) -> Result<NaiveDate, ApiError> {
    let today = today(conn)?;
    match given {
        Some(date) => {
            crate::usecases::dates::not_after_today(field, date, today)?;
            Ok(date)
        }
        None => Ok(today),
    }
}
