//! Releasing goods once their loan is repaid (or when they never backed one); there is no
//! partial release.

use domain::lending_state::LoanStatus;
use persistence::audit::Chain;
use persistence::collateral::{self, CollateralRow};
use uuid::Uuid;

use super::goods::{lock_visible, status};
use crate::usecases::lending::booking::status_of;
use crate::usecases::{Context, UseCaseError};

/// Releases the goods; the receipt stays registered (never pledged twice) but no longer
/// encumbered.
pub fn release(ctx: &mut Context<'_>, id: Uuid) -> Result<CollateralRow, UseCaseError> {
    let goods = lock_visible(ctx, id)?;
    let released = status(&goods)?.release().map_err(|_| {
        UseCaseError::refused(
            "collateral_released",
            "the goods were already released",
            None,
        )
    })?;
    if let Some(loan) = goods.loan_id {
        let loan = persistence::loans::find(ctx.conn, loan)?;
        if status_of(&loan)? != LoanStatus::Closed {
            return Err(UseCaseError::refused(
                "loan_outstanding",
                "goods are released only once their loan is repaid",
                None,
            ));
        }
    }
    collateral::set_status(ctx.conn, goods.merchant_id, goods.id, released.as_str())?;
    persistence::scf::registry::set_encumbered(ctx.conn, goods.id, false)?;
    ctx.audit(
        &Chain::of(goods.merchant_id, "collateral", goods.id),
        "collateral.released",
        &serde_json::json!({"loan_id": goods.loan_id}),
    );
    Ok(collateral::lock(ctx.conn, goods.merchant_id, goods.id)?)
}
