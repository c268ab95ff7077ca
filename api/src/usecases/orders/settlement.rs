//! The buyer's payment for an order: it first repays the order's loan through the loans' own
//! repayment path (interest to date, nothing for unused days); the remainder is owed to the
//! merchant and paid out at once. A payment smaller than the loan leaves the rest on the loan.

use domain::ledger::{Account, JournalEntry};
use domain::money::Money;
use persistence::audit::Chain;
use persistence::orders::{self, OrderRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::order::{lock_visible, status};
use crate::mail;
use crate::usecases::lending::accrual::{account, stored_currency};
use crate::usecases::lending::booking::{status_of, Payment};
use crate::usecases::lending::repayment::{payoff_quote, repay_loan};
use crate::usecases::{Context, UseCaseError};

/// The buyer (or staff) reports the order's payment; the amount is parsed in the order's
/// currency.
#[derive(Debug, Clone)]
pub struct SettleOrder {
    pub order_id: Uuid,
    pub amount: String,
    /// The payment's bank reference, already checked as an identifier.
    pub reference: String,
}

/// What a settlement did.
#[derive(Debug, Clone)]
pub struct Settled {
    pub order: OrderRow,
    pub to_loan: Decimal,
    pub to_merchant: Decimal,
}

/// Applies the buyer's payment: the loan first, the remainder to the merchant.
pub fn settle(ctx: &mut Context<'_>, ask: SettleOrder) -> Result<Settled, UseCaseError> {
    let order = lock_visible(ctx, ask.order_id)?;
    let order = ctx.actor.visible(order.buyer_id, order)?;
    let amount = Money::parse_positive(&ask.amount, stored_currency(&order.currency)?)
        .map_err(|e| UseCaseError::invalid("amount", e))?;
    let settled = status(&order)?.settle().map_err(|_| {
        UseCaseError::refused(
            "order_already_settled",
            "the order was already settled",
            None,
        )
    })?;
    let to_loan = repay_order_loan(ctx, &order, amount, &ask.reference)?;
    let to_merchant = amount.amount() - to_loan;
    if to_merchant > Decimal::ZERO {
        pay_merchant(ctx, &order, Money::new(to_merchant, amount.currency()))?;
    }
    orders::mark_settled(
        ctx.conn,
        order.merchant_id,
        order.id,
        settled.as_str(),
        amount.amount(),
        ctx.today,
    )?;
    let payload = serde_json::json!({"amount": amount.amount().to_string(), "reference": ask.reference,
        "outcome": {"to_loan": to_loan, "to_merchant": to_merchant}});
    ctx.audit(
        &Chain::of(order.merchant_id, "order", order.id),
        "order.settled",
        &payload,
    );
    let notice = format!(
        "The buyer paid {} {} for order {}: {} repaid your order financing and {} is paid to you.",
        amount.amount(),
        order.currency,
        order.order_number,
        to_loan,
        to_merchant
    );
    mail::notify(
        ctx,
        order.merchant_id,
        "order_settled",
        format!("Order {} settled", order.order_number),
        vec![notice],
    )?;
    Ok(Settled {
        order: orders::find(ctx.conn, order.id)?,
        to_loan,
        to_merchant,
    })
}

/// Repays what the order's loan owes today, up to `amount`; answers what went to the loan.
fn repay_order_loan(
    ctx: &mut Context<'_>,
    order: &OrderRow,
    amount: Money,
    reference: &str,
) -> Result<Decimal, UseCaseError> {
    let Some(loan_id) = order.loan_id else {
        return Ok(Decimal::ZERO);
    };
    let loan = persistence::loans::get(ctx.conn, order.merchant_id, loan_id)?;
    if !status_of(&loan)?.owes() {
        return Ok(Decimal::ZERO);
    }
    let owed = payoff_quote(ctx.conn, &loan, ctx.today)?.total();
    let to_loan = owed.min(amount.amount());
    let paid = Payment {
        amount: Money::new(to_loan, amount.currency()),
        reference,
        today: ctx.today,
        now: ctx.now,
        actor: &ctx.actor.name,
    };
    repay_loan(ctx.conn, &mut ctx.audit_log, loan.party_id, loan_id, paid)?;
    Ok(to_loan)
}

/// The remainder is owed to the merchant, then paid out: two entries, so the payable shows.
fn pay_merchant(ctx: &mut Context<'_>, order: &OrderRow, value: Money) -> Result<(), UseCaseError> {
    let payable = Account::of("merchant_payable", order.merchant_id)
        .map_err(|e| UseCaseError::corrupt("account", e))?;
    let cash = account("cash:platform")?;
    let reference = format!("order:{}", order.id);
    for (kind, debit, credit) in [
        ("order_settlement", &cash, &payable),
        ("merchant_payout", &payable, &cash),
    ] {
        let entry = JournalEntry::builder(value.currency(), ctx.today, kind, &reference)
            .debit(debit, value)
            .credit(credit, value)
            .build()
            .map_err(|e| UseCaseError::corrupt("payout entry", e))?;
        persistence::ledger::post(ctx.conn, order.merchant_id, Uuid::now_v7(), &entry, None)?;
    }
    Ok(())
}
