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

use chrono::{Duration, NaiveDate, Utc};
use credit_scoring::{Outcome, ProductKind};
use diesel::PgConnection;
use domain::ledger::{Account, JournalEntry};
use domain::money::Money;
use persistence::loans::{InstallmentRow, LoanRow};
use persistence::orders::{self, OrderRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::accrual::account;
use super::repayment::{self, payoff_quote};
use crate::config::LoansConfig;
use crate::error::ApiError;
use crate::mail;
use crate::usecases::lending::draw::{originate, schedule_for, Draw, NewLoan, RepaymentMethod};
use crate::usecases::scoring::{self, ApplicationFacts, AssessmentRequest, ModelCache};

/// The most a merchant may borrow against an order: 80 % of its value.
pub const ADVANCE_RATE: Decimal = Decimal::from_parts(80, 0, 0, false, 2);
/// Days after the expected settlement before the loan falls due.
pub const GRACE_DAYS: i64 = 15;

/// Scores `party` for `product` and answers the engine's rate, or declines with its reasons
/// (the decision stays stored: see [`ApiError::Declined`]).
pub fn approve_merchant(
    conn: &mut PgConnection,
    models: &ModelCache,
    party: Uuid,
    product: ProductKind,
    amount: Money,
    subject: &str,
    actor: &str,
) -> Result<Decimal, ApiError> {
    // Locked, so that concurrent financings for one merchant read its exposure in turn and
    // cannot together overrun the engine's limit.
    let merchant = persistence::parties::lock(conn, party)?;
    let credit = persistence::credit_lines::party_credit(conn, party)?;
    let facts = ApplicationFacts {
        requested_amount: amount.amount(),
        current_exposure: credit.exposure,
        max_days_past_due: u32::try_from(credit.max_dpd).unwrap_or(0),
        past_delinquencies: u32::try_from(credit.delinquent_loans).unwrap_or(u32::MAX),
        blacklisted: false,
    };
    let on = super::business_date(conn)?;
    let mut request = AssessmentRequest::for_merchant(
        &merchant,
        product,
        subject,
        actor,
        &facts,
        (on, Utc::now()),
    )?;
    request.currency = amount.currency();
    let stored = scoring::assess(conn, models, &request)?;
    let decision = &stored.decision;
    if decision.outcome == Outcome::Approve && amount.amount() <= decision.credit_limit {
        return Ok(decision.rate_annual);
    }
    let reasons: Vec<String> = decision.reasons.iter().map(|r| r.text.clone()).collect();
    Err(ApiError::Declined {
        message: format!(
            "financing declined (decision {}): {}",
            stored.id,
            reasons.join("; ")
        ),
        field: Some("amount".into()),
    })
}

/// Draws a loan of `amount` against the (locked, the caller's) order.
pub fn finance(
    conn: &mut PgConnection,
    models: &ModelCache,
    order: &OrderRow,
    amount: Money,
    today: NaiveDate,
    policy: &LoansConfig,
    actor: &str,
) -> Result<(LoanRow, Vec<InstallmentRow>), ApiError> {
    if order.status != "confirmed" || order.loan_id.is_some() {
        return Err(ApiError::unprocessable(
            "order_not_financeable",
            "only a confirmed order not yet financed can be borrowed against",
            None,
        ));
    }
    let ceiling = (order.order_value * ADVANCE_RATE).round_dp(2);
    if amount.amount() > ceiling {
        return Err(ApiError::unprocessable(
            "exceeds_advance_rate",
            format!("at most {ceiling} may be advanced on this order"),
            Some("amount"),
        ));
    }
    let maturity = order.expected_settlement_on + Duration::days(GRACE_DAYS);
    let tenor = (maturity - today).num_days();
    if tenor < i64::from(policy.min_tenor_days) || tenor > i64::from(policy.max_tenor_days) {
        return Err(ApiError::unprocessable(
            "order_settles_out_of_range",
            "the order settles too soon or too late to be financed",
            None,
        ));
    }
    let subject = format!("order_financing:{}", order.id);
    let rate = approve_merchant(
        conn,
        models,
        order.merchant_id,
        ProductKind::OrderFinancing,
        amount,
        &subject,
        actor,
    )?;
    let draw = Draw {
        amount,
        tenor_days: u32::try_from(tenor).map_err(ApiError::internal)?,
        method: RepaymentMethod::Bullet,
    };
    let schedule = schedule_for(&draw, rate, today)?;
    let booked = originate(
        conn,
        &NewLoan {
            party_id: order.merchant_id,
            line_id: None,
            product: "order_financing",
            annual_rate: rate,
            penalty_rate_daily: policy.penalty_rate_daily,
            method: "bullet",
            schedule: &schedule,
            start: today,
            credits: vec![(account("cash:platform")?, amount)],
        },
        chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6),
        actor,
    )?;
    orders::attach_loan(conn, order.id, booked.0.id)?;
    Ok(booked)
}

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
