//! Order financing: a merchant borrows against one confirmed order and the buyer's payment
//! repays it.
//!
//! Rules: the advance is at most [`ADVANCE_RATE`] of the order value; the loan is a bullet
//! loan (product `order_financing`, no credit line) at the rate the scoring engine prices for
//! the merchant, maturing [`GRACE_DAYS`] after the order's expected settlement date, so a
//! buyer paying a little late does not put the merchant in arrears. One order backs at most
//! one loan. When the buyer's settlement arrives it first repays the loan through the loans'
//! own repayment path (interest to date, nothing for unused days); the remainder is owed to
//! the merchant and paid out at once (`Dr cash:platform Cr merchant_payable:<m>`, then
//! `Dr merchant_payable:<m> Cr cash:platform`). A settlement smaller than the loan leaves the
//! rest on the loan, which the merchant repays and end of day ages like any other.

use chrono::{NaiveDate, Utc};
use diesel::PgConnection;
use domain::ledger::{Account, JournalEntry};
use domain::money::Money;
use persistence::orders::{self, OrderRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::accrual::account;
use super::repayment::{self, payoff_quote};
use crate::error::ApiError;
use crate::mail;

/// What a settlement did.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct SettlementOutcome {
    pub to_loan: Decimal,
    pub to_merchant: Decimal,
}

/// Applies the buyer's payment of `amount` to the (locked) order: the loan first, the
/// remainder to the merchant.
pub fn settle(
    conn: &mut PgConnection,
    order: &OrderRow,
    amount: Money,
    reference: &str,
    today: NaiveDate,
    actor: &str,
) -> Result<SettlementOutcome, ApiError> {
    if order.status != "confirmed" {
        return Err(ApiError::unprocessable(
            "order_already_settled",
            "the order was already settled",
            None,
        ));
    }
    let mut to_loan = Decimal::ZERO;
    if let Some(loan_id) = order.loan_id {
        let loan = persistence::loans::find(conn, loan_id)?;
        if loan.status == "active" {
            let owed = payoff_quote(conn, loan_id, today)?.total();
            to_loan = owed.min(amount.amount());
            let part = Money::new(to_loan, amount.currency());
            repayment::repay(conn, loan_id, part, reference, today, actor)?;
        }
    }
    let to_merchant = amount.amount() - to_loan;
    if to_merchant > Decimal::ZERO {
        pay_merchant(
            conn,
            order,
            Money::new(to_merchant, amount.currency()),
            today,
        )?;
    }
    orders::mark_settled(conn, order.id, amount.amount(), today)?;
    let outcome = SettlementOutcome {
        to_loan,
        to_merchant,
    };
    let payload = serde_json::json!({"amount": amount.amount().to_string(), "reference": reference, "outcome": outcome});
    persistence::audit::append(
        conn,
        &format!("order:{}", order.id),
        actor,
        "order.settled",
        &payload,
        Utc::now(),
    )?;
    mail::notify(conn, order.merchant_id, "order_settled", format!("Order {} settled", order.order_number), vec![format!(
                "The buyer paid {} {} for order {}: {} repaid your order financing and {} is paid to you.",
                amount.amount(), order.currency, order.order_number, to_loan, to_merchant
            )])?;
    Ok(outcome)
}

/// The remainder is owed to the merchant, then paid out: two entries, so the payable shows.
fn pay_merchant(
    conn: &mut PgConnection,
    order: &OrderRow,
    value: Money,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let payable = Account::of("merchant_payable", order.merchant_id).map_err(ApiError::internal)?;
    let cash = account("cash:platform")?;
    let reference = format!("order:{}", order.id);
    for (kind, debit, credit) in [
        ("order_settlement", &cash, &payable),
        ("merchant_payout", &payable, &cash),
    ] {
        let entry = JournalEntry::builder(value.currency(), today, kind, &reference)
            .debit(debit, value)
            .credit(credit, value)
            .build()
            .map_err(ApiError::internal)?;
        persistence::ledger::post(conn, Uuid::now_v7(), &entry, None)?;
    }
    Ok(())
}
