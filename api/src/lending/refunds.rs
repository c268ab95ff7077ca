//! Merchant refunds on installment plans: the shopper owes less (cut from the end, fees
//! recomputed), the merchant's settlement is clawed back, all in one balanced entry. The
//! rule itself is `domain::installment_refund`.

use chrono::{NaiveDate, Utc};
use diesel::PgConnection;
use domain::installment_refund::{cut_from_end, split_refund, PlanPosition, RefundError};
use domain::ledger::{Account, JournalEntry};
use domain::money::{Money, RoundingMode};
use persistence::installment_plans::{self, PlanRow};
use persistence::loans::{self, InstallmentRow, LoanRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::accrual::account;
use super::repayment::{owed_unposted, post_with_accrual, record, Split};
use super::{currency, money};
use crate::error::ApiError;

/// What a refund did.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct RefundOutcome {
    pub principal_cut: Decimal,
    pub to_shopper: Decimal,
    pub claw_back: Decimal,
    pub subsidy_returned: Decimal,
}

/// Books a refund of `amount` on the plan `loan_id` (the caller checked it is the merchant's).
pub fn refund(
    conn: &mut PgConnection,
    loan_id: Uuid,
    amount: Money,
    reference: &str,
    today: NaiveDate,
    actor: &str,
) -> Result<(PlanRow, LoanRow, RefundOutcome), ApiError> {
    let mut plan = installment_plans::lock_plan(conn, loan_id)?;
    let loan = loans::lock(conn, loan_id)?;
    let ccy = currency(&loan.currency)?;
    if amount.currency() != ccy {
        return Err(ApiError::invalid(
            "currency",
            format!("the plan is in {}", loan.currency),
        ));
    }
    if loan.status == "written_off" {
        return Err(ApiError::unprocessable(
            "loan_written_off",
            "the plan was written off; refunds go through collections",
            None,
        ));
    }
    // The accrual to date is posted with the refund's entry, in one sorted balance update.
    let (mut loan, accrued) = if loan.status == "active" {
        let (loan, _, accrued) = owed_unposted(conn, loan_id, today)?;
        (loan, accrued)
    } else {
        (loan, Vec::new())
    };
    let position = PlanPosition {
        purchase: money(plan.purchase_amount, ccy),
        settlement: money(plan.merchant_settlement, ccy),
        refunded: money(plan.refunded, ccy),
        clawed_back: money(plan.clawed_back, ccy),
        principal_outstanding: money(loan.principal_outstanding(), ccy),
    };
    let split = split_refund(&position, amount).map_err(|e| match e {
        RefundError::ExceedsSettled { .. } => {
            ApiError::unprocessable("refund_exceeds_settled", e.to_string(), Some("amount"))
        }
        RefundError::Money(m) => ApiError::internal(m),
    })?;
    plan.refunded += amount.amount();
    plan.clawed_back += split.claw_back.amount();
    let schedule = recut(conn, &plan, &loan, split.principal_cut, today)?;
    loan.principal -= split.principal_cut.amount();
    if loan.principal_outstanding().is_zero()
        && (loan.interest_outstanding() + loan.penalty_outstanding() + loan.fees_outstanding())
            .is_zero()
    {
        loan.status = "closed".into();
    }
    loans::reschedule(conn, &loan, &schedule)?;
    installment_plans::record_refund(conn, loan_id, plan.refunded, plan.clawed_back)?;
    if let Some(yesterday) = today.pred_opt() {
        persistence::loans_eod::age(conn, yesterday, Some(loan_id))?;
    }
    let entry_id = book(conn, &loan, amount, &split, today, accrued)?;
    let outcome = RefundOutcome {
        principal_cut: split.principal_cut.amount(),
        to_shopper: split.to_shopper.amount(),
        claw_back: split.claw_back.amount(),
        subsidy_returned: split.subsidy_returned.amount(),
    };
    let moved = Split {
        penalty: Decimal::ZERO,
        fees: Decimal::ZERO,
        interest: Decimal::ZERO,
        principal: outcome.principal_cut,
    };
    record(
        conn,
        &loan,
        "refund",
        amount.amount(),
        moved,
        Some(reference),
        entry_id,
        today,
    )?;
    let payload = serde_json::json!({"amount": amount.amount().to_string(), "reference": reference,
        "outcome": outcome, "refunded_total": plan.refunded.to_string()});
    persistence::audit::append(
        conn,
        &format!("loan:{loan_id}"),
        actor,
        "installment_plan.refunded",
        &payload,
        Utc::now(),
    )?;
    Ok((plan, loans::find(conn, loan_id)?, outcome))
}

/// The schedule after cutting `cut` from the end; fees of installments not yet due are
/// recomputed on the purchase net of refunds (see the domain rule).
fn recut(
    conn: &mut PgConnection,
    plan: &PlanRow,
    loan: &LoanRow,
    cut: Money,
    today: NaiveDate,
) -> Result<Vec<InstallmentRow>, ApiError> {
    let ccy = cut.currency();
    let mut rows = loans::installments(conn, loan.id)?;
    let parts: Vec<Money> = rows.iter().map(|r| money(r.principal, ccy)).collect();
    let cut_parts = cut_from_end(&parts, cut).map_err(ApiError::internal)?;
    let offer = installment_plans::find_offer(conn, plan.offer_id)?;
    let fee = money(plan.purchase_amount - plan.refunded, ccy)
        .checked_mul_rate(offer.fee_rate_per_period)
        .map_err(ApiError::internal)?
        .round(RoundingMode::HalfUp)
        .amount();
    let mut cumulative = Decimal::ZERO;
    for (row, part) in rows.iter_mut().zip(cut_parts) {
        row.principal = part.amount();
        cumulative += row.principal;
        row.cum_principal = cumulative;
        if row.due_date > today {
            row.fee = if row.principal.is_zero() {
                Decimal::ZERO
            } else {
                fee
            };
        }
    }
    Ok(rows)
}

/// `Dr cash:platform claw_back (from the merchant); Dr merchant_subsidy_income
/// subsidy_returned; Cr loans_receivable:<plan> principal_cut; Cr cash:platform to_shopper`.
/// Cash is booked gross both ways so each movement stays visible.
fn book(
    conn: &mut PgConnection,
    loan: &LoanRow,
    amount: Money,
    split: &domain::installment_refund::RefundSplit,
    today: NaiveDate,
    mut entries: Vec<JournalEntry>,
) -> Result<Uuid, ApiError> {
    let cash = account("cash:platform")?;
    let receivable = Account::of("loans_receivable", loan.id).map_err(ApiError::internal)?;
    let subsidy = account("merchant_subsidy_income")?;
    let mut entry = JournalEntry::builder(
        amount.currency(),
        today,
        "refund",
        &format!("loan:{}", loan.id),
    );
    for (value, account, credit) in [
        (split.claw_back, &cash, false),
        (split.subsidy_returned, &subsidy, false),
        (split.principal_cut, &receivable, true),
        (split.to_shopper, &cash, true),
    ] {
        if value.is_positive() {
            entry = if credit {
                entry.credit(account, value)
            } else {
                entry.debit(account, value)
            };
        }
    }
    entries.push(entry.build().map_err(ApiError::internal)?);
    post_with_accrual(conn, &entries)
}
