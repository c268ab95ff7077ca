//! Reading plans: a shopper its own, a merchant those sold at its store, staff any.

use persistence::installment_plans::{self, PlanFilter, PlanRow};
use persistence::loans::{self, InstallmentRow, LoanRow};
use persistence::RepoError;
use uuid::Uuid;

use crate::usecases::{Actor, Context, UseCaseError};

/// A plan with its loan, as one caller may see it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub row: PlanRow,
    pub loan: LoanRow,
    /// Empty in lists.
    pub schedule: Vec<InstallmentRow>,
    /// The plan's merchant sees the sale and its settlement, never the shopper's balances,
    /// arrears or other credit; the shopper and staff see the loan too.
    pub shows_loan: bool,
}

impl Plan {
    pub(super) fn seen_by(
        actor: &Actor,
        row: PlanRow,
        loan: LoanRow,
        schedule: Vec<InstallmentRow>,
    ) -> Plan {
        let shows_loan = actor.party != Some(row.merchant_id);
        Plan {
            row,
            loan,
            schedule,
            shows_loan,
        }
    }
}

/// Which side of its plans a business caller stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Merchant,
    Shopper,
}

/// A page of plans. The merchant and shopper filters are for staff: a party sees only its own
/// plans, on its side, whatever it asks.
#[derive(Debug, Clone)]
pub struct ListPlans {
    pub side: Side,
    pub merchant_id: Option<Uuid>,
    pub shopper_id: Option<Uuid>,
    /// The plan's loan status (`active`, `closed`, `written_off`).
    pub status: Option<&'static str>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// Loads a plan its shopper, its merchant or staff may see; to anyone else it does not exist.
pub(super) fn visible(ctx: &mut Context<'_>, id: Uuid) -> Result<PlanRow, UseCaseError> {
    let plan = installment_plans::find_plan(ctx.conn, id)?;
    if !ctx.actor.can_see(&[plan.merchant_id, plan.shopper_id]) {
        return Err(UseCaseError::NotFound);
    }
    Ok(plan)
}

/// One plan with its schedule.
pub fn find_plan(ctx: &mut Context<'_>, id: Uuid) -> Result<Plan, UseCaseError> {
    let row = visible(ctx, id)?;
    let loan = loans::find(ctx.conn, id)?;
    let schedule = loans::installments(ctx.conn, row.shopper_id, id)?;
    Ok(Plan::seen_by(ctx.actor, row, loan, schedule))
}

/// A page of plans (without their schedules).
pub fn list_plans(ctx: &mut Context<'_>, ask: ListPlans) -> Result<Vec<Plan>, UseCaseError> {
    let staff = ctx.actor.staff;
    let own = |side: Side| ctx.actor.party.filter(|_| ask.side == side);
    let filter = PlanFilter {
        merchant: if staff {
            ask.merchant_id
        } else {
            own(Side::Merchant)
        },
        shopper: if staff {
            ask.shopper_id
        } else {
            own(Side::Shopper)
        },
        status: ask.status,
        after: ask.after,
        limit: ask.limit,
    };
    let rows = installment_plans::list_plans(ctx.conn, &filter)?;
    // One query for the page's loans, not one per plan.
    let ids: Vec<Uuid> = rows.iter().map(|row| row.loan_id).collect();
    let mut found = loans::find_many(ctx.conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let loan = found.remove(&row.loan_id).ok_or(RepoError::NotFound)?;
            Ok(Plan::seen_by(ctx.actor, row, loan, Vec::new()))
        })
        .collect()
}
