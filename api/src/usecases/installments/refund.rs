//! Merchant refunds on installment plans: the shopper owes less (cut from the end, fees
//! recomputed), the merchant's settlement is clawed back, all in one balanced entry. The
//! rule itself is `domain::installment_refund`.

use chrono::NaiveDate;
use diesel::PgConnection;
use domain::installment_refund::{
    cut_from_end, split_refund, PlanPosition, RefundError, RefundSplit,
};
use domain::ledger::{Account, JournalEntry};
use domain::lending_state::LoanStatus;
use domain::money::{Money, RoundingMode};
use persistence::audit::Chain;
use persistence::installment_plans::{self, PlanRow};
use persistence::loans::{self, InstallmentRow, LoanRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::plans::Plan;
use crate::usecases::lending::accrual::{account, stored_currency, stored_money};
use crate::usecases::lending::booking::{
    owed_unposted, post_with_accrual, record, status_of, Movement, Split,
};
use crate::usecases::{Context, UseCaseError};

/// The plan's merchant refunds (part of) the purchase; the amount is parsed in the plan's
/// currency.
#[derive(Debug, Clone)]
pub struct Refund {
    pub plan_id: Uuid,
    pub amount: String,
    /// The merchant's refund reference, already checked as an identifier.
    pub reference: String,
}

/// What a refund did.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct RefundOutcome {
    pub principal_cut: Decimal,
    pub to_shopper: Decimal,
    pub claw_back: Decimal,
    pub subsidy_returned: Decimal,
}

/// The plan after a refund, and the refund's split.
#[derive(Debug, Clone)]
pub struct Refunded {
    pub plan: Plan,
    pub outcome: RefundOutcome,
}

/// Books the refund on the plan.
pub fn refund(ctx: &mut Context<'_>, ask: Refund) -> Result<Refunded, UseCaseError> {
    // The merchant refunds, the plan lives with the shopper's loan: whose loan it is comes first.
    let shopper = loans::owner(ctx.conn, ask.plan_id)?;
    let mut plan = installment_plans::lock_plan(ctx.conn, shopper, ask.plan_id)?;
    if ctx.actor.party != Some(plan.merchant_id) {
        return Err(UseCaseError::NotFound);
    }
    let loan = loans::lock(ctx.conn, plan.shopper_id, plan.loan_id)?;
    let ccy = stored_currency(&loan.currency)?;
    let amount =
        Money::parse_positive(&ask.amount, ccy).map_err(|e| UseCaseError::invalid("amount", e))?;
    let status = status_of(&loan)?;
    if status == LoanStatus::WrittenOff {
        return Err(UseCaseError::refused(
            "loan_written_off",
            "the plan was written off; refunds go through collections",
            None,
        ));
    }
    // The accrual to date is posted with the refund's entry, in one sorted balance update.
    let (mut loan, accrued) = if status.owes() {
        let (loan, _, accrued) = owed_unposted(ctx.conn, loan.party_id, loan.id, ctx.today)?;
        (loan, accrued)
    } else {
        (loan, Vec::new())
    };
    let split = split_for(&plan, &loan, amount)?;
    plan.refunded += amount.amount();
    plan.clawed_back += split.claw_back.amount();
    let schedule = recut(ctx.conn, &plan, &loan, split.principal_cut, ctx.today)?;
    loan.principal -= split.principal_cut.amount();
    let nothing_owed = (loan.principal_outstanding()
        + loan.interest_outstanding()
        + loan.penalty_outstanding()
        + loan.fees_outstanding())
    .is_zero();
    if status.owes() && nothing_owed {
        loan.status = status
            .close()
            .map_err(|e| UseCaseError::corrupt("plan status", e))?
            .as_str()
            .into();
    }
    loans::reschedule(ctx.conn, &loan, &schedule)?;
    installment_plans::record_refund(
        ctx.conn,
        plan.shopper_id,
        loan.id,
        plan.refunded,
        plan.clawed_back,
    )?;
    // The same aging as a repayment's; the loan is read again below.
    if let Some(yesterday) = ctx.today.pred_opt() {
        persistence::loans_eod::age_loan(ctx.conn, yesterday, loan.party_id, loan.id)?;
    }
    let outcome = book(ctx, &loan, amount, &split, accrued, &ask.reference)?;
    let payload = serde_json::json!({"amount": amount.amount().to_string(), "reference": ask.reference,
        "outcome": outcome, "refunded_total": plan.refunded.to_string()});
    ctx.audit(
        &Chain::of(loan.party_id, "loan", loan.id),
        "installment_plan.refunded",
        &payload,
    );
    let loan = loans::get(ctx.conn, loan.party_id, loan.id)?;
    let schedule = loans::installments(ctx.conn, loan.party_id, loan.id)?;
    Ok(Refunded {
        plan: Plan::seen_by(ctx.actor, plan, loan, schedule),
        outcome,
    })
}

/// How the refund splits, given what the merchant was settled and what is still owed.
fn split_for(plan: &PlanRow, loan: &LoanRow, amount: Money) -> Result<RefundSplit, UseCaseError> {
    let ccy = amount.currency();
    let position = PlanPosition {
        purchase: stored_money(plan.purchase_amount, ccy),
        settlement: stored_money(plan.merchant_settlement, ccy),
        refunded: stored_money(plan.refunded, ccy),
        clawed_back: stored_money(plan.clawed_back, ccy),
        principal_outstanding: stored_money(loan.principal_outstanding(), ccy),
    };
    split_refund(&position, amount).map_err(|e| match e {
        RefundError::ExceedsSettled { .. } => {
            UseCaseError::refused("refund_exceeds_settled", e.to_string(), Some("amount"))
        }
        RefundError::Money(m) => UseCaseError::corrupt("refund split", m),
    })
}

/// The schedule after cutting `cut` from the end; fees of installments not yet due are
/// recomputed on the purchase net of refunds (see the domain rule).
fn recut(
    conn: &mut PgConnection,
    plan: &PlanRow,
    loan: &LoanRow,
    cut: Money,
    today: NaiveDate,
) -> Result<Vec<InstallmentRow>, UseCaseError> {
    let ccy = cut.currency();
    let mut rows = loans::installments(conn, loan.party_id, loan.id)?;
    let parts: Vec<Money> = rows
        .iter()
        .map(|r| stored_money(r.principal, ccy))
        .collect();
    let cut_parts =
        cut_from_end(&parts, cut).map_err(|e| UseCaseError::corrupt("refund cut", e))?;
    let offer = installment_plans::find_offer(conn, plan.offer_id)?;
    let fee = stored_money(plan.purchase_amount - plan.refunded, ccy)
        .checked_mul_rate(offer.fee_rate_per_period)
        .map_err(|e| UseCaseError::corrupt("refund fee", e))?
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
/// subsidy_returned; Cr loans_receivable:<plan> principal_cut; Cr cash:platform to_shopper`,
/// posted after the accrual to date; cash is booked gross both ways so each movement stays
/// visible. The refund is recorded as the loan's transaction.
fn book(
    ctx: &mut Context<'_>,
    loan: &LoanRow,
    amount: Money,
    split: &RefundSplit,
    mut entries: Vec<JournalEntry>,
    reference: &str,
) -> Result<RefundOutcome, UseCaseError> {
    let cash = account("cash:platform")?;
    let receivable = Account::of("loans_receivable", loan.id)
        .map_err(|e| UseCaseError::corrupt("account", e))?;
    let subsidy = account("merchant_subsidy_income")?;
    let mut entry = JournalEntry::builder(
        amount.currency(),
        ctx.today,
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
    entries.push(
        entry
            .build()
            .map_err(|e| UseCaseError::corrupt("refund entry", e))?,
    );
    let entry = post_with_accrual(ctx.conn, loan.party_id, &entries)?;
    let outcome = RefundOutcome {
        principal_cut: split.principal_cut.amount(),
        to_shopper: split.to_shopper.amount(),
        claw_back: split.claw_back.amount(),
        subsidy_returned: split.subsidy_returned.amount(),
    };
    let movement = Movement {
        kind: "refund",
        amount: amount.amount(),
        split: Split {
            principal: outcome.principal_cut,
            ..Split::default()
        },
        reference: Some(reference),
        entry,
    };
    record(ctx.conn, loan, movement, ctx.today, ctx.now)?;
    Ok(outcome)
}
