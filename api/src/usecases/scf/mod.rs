//! Supply-chain finance: factoring programs and their members, the receivables registry and
//! debtor confirmation, factoring (single invoices and pools), pool draws, settlement and
//! default, and a risk officer's decision on a referred factoring request.
//!
//! Every state change runs in the request's transaction with its ledger entry and its audit
//! event on the aggregate's chain (`receivable:<id>`, `factoring:<id>`, `program:<id>`).
//!
//! Who uses whom, so that nothing loops: `factoring` and `referrals` price and fund through
//! `funding`, which values pools through `valuation`; `pools` and `settlement` revalue through
//! `valuation` too; `eligibility`, `decision`, `notice` and `registry` use nothing here but
//! this module's helpers.

pub mod decision;
pub mod eligibility;
pub mod factoring;
pub mod funding;
pub mod notice;
pub mod pools;
pub mod programs;
pub mod receivables;
pub mod referrals;
pub mod registry;
pub mod settlement;
pub mod valuation;

use std::str::FromStr;

use chrono::NaiveDate;
use domain::ledger::{JournalEntry, LedgerError};
use domain::money::{Currency, Money};
use domain::rate::Rate;
use domain::scf_state::{TransitionError, UnknownState};
use persistence::audit::Chain;
use persistence::ledger;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::usecases::{dates, Context, UseCaseError};

/// A stored currency code; one that does not parse is corruption, not a client error.
pub use crate::usecases::figures::stored_currency;

pub fn stored_rate(value: Decimal) -> Result<Rate, UseCaseError> {
    Rate::new(value).map_err(|e| UseCaseError::corrupt("stored rate", e))
}

pub fn money(amount: Decimal, currency: Currency) -> Money {
    Money::new(amount, currency)
}

/// An amount as a message shows it: rounded to the currency's minor unit.
pub use crate::usecases::figures::amount as shown;

/// A stored state name; an unknown one is corruption.
pub fn stored_state<S: FromStr<Err = UnknownState>>(text: &str) -> Result<S, UseCaseError> {
    text.parse()
        .map_err(|e| UseCaseError::corrupt("stored state", e))
}

pub fn transition_refused(e: TransitionError) -> UseCaseError {
    UseCaseError::refused(
        "invalid_state",
        format!("not allowed now: {e}"),
        Some("state"),
    )
}

/// Appends one event on `chain` by the request's actor at its clock reading.
pub fn record(
    ctx: &mut Context<'_>,
    chain: &Chain,
    action: &str,
    payload: &impl Serialize,
) -> Result<(), UseCaseError> {
    let payload =
        serde_json::to_value(payload).map_err(|e| UseCaseError::corrupt("audit payload", e))?;
    ctx.audit(chain, action, &payload);
    Ok(())
}

/// Posts `party`'s balanced entry (the supplier of a receivable or pool, the acceptor of a
/// bill) in the request's transaction and answers its id.
pub fn post(
    ctx: &mut Context<'_>,
    party: Uuid,
    entry: Result<JournalEntry, LedgerError>,
) -> Result<Uuid, UseCaseError> {
    let entry = entry.map_err(|e| UseCaseError::corrupt("journal entry", e))?;
    Ok(ledger::post(ctx.conn, party, Uuid::now_v7(), &entry, None)?)
}

/// A business date an operator sets (back-office corrections), or the platform's. A given
/// date may lie in the past (a day end of day closed is still refused when the money is
/// posted: 409 `business_day_closed`), never after the platform's business date: a payment or
/// a default cannot be booked before it happened (422 on `field`).
pub fn business_date(
    today: NaiveDate,
    given: Option<NaiveDate>,
    field: &'static str,
) -> Result<NaiveDate, UseCaseError> {
    let date = given.unwrap_or(today);
    dates::not_after_today(field, date, today)?;
    Ok(date)
}
