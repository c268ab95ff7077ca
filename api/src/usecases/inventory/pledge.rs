//! Pledging goods by warehouse receipt: one receipt backs one loan, ever.

use domain::money::Money;
use domain::receivable_fingerprint::{receipt_fingerprint, PaperKind};
use domain::retail_state::CollateralStatus;
use persistence::audit::Chain;
use persistence::collateral::{self, CollateralRow};
use persistence::scf::registry;
use uuid::Uuid;

use super::goods::{lendable_value, Category};
use crate::usecases::lending::accrual::stored_money;
use crate::usecases::party_currency;
use crate::usecases::{Context, UseCaseError};

/// Goods as the merchant describes them (texts and the receipt number already checked at the
/// edge, the quantity positive, the unit value in the stated currency).
#[derive(Debug, Clone)]
pub struct Pledge {
    pub warehouse: String,
    pub receipt_number: String,
    /// The receipt number's canonical key, unique platform-wide.
    pub receipt_key: String,
    pub sku: String,
    pub category: Category,
    pub quantity: i64,
    /// The warehouse partner's valuation per unit.
    pub unit_value: Money,
}

/// Pledges the acting merchant's goods and enters the receipt in the shared registry,
/// encumbered, so an outside lender can see the goods are pledged.
pub fn pledge(ctx: &mut Context<'_>, ask: Pledge) -> Result<CollateralRow, UseCaseError> {
    let merchant = ctx.actor.party.ok_or(UseCaseError::Forbidden)?;
    let ccy = ask.unit_value.currency();
    party_currency::check(&persistence::parties::find(ctx.conn, merchant)?, ccy)?;
    // Released receipts stay in the registry: a receipt backs one pledge, ever.
    let fingerprint = receipt_fingerprint(&ask.receipt_key);
    if registry::lookup(ctx.conn, &fingerprint)?.is_some() {
        return Err(already_pledged());
    }
    let row = CollateralRow {
        id: Uuid::now_v7(),
        merchant_id: merchant,
        warehouse: ask.warehouse,
        receipt_number: ask.receipt_number,
        receipt_key: ask.receipt_key,
        sku: ask.sku,
        category: ask.category.as_str().into(),
        quantity: ask.quantity,
        currency: ccy.code().into(),
        unit_value: ask.unit_value.amount(),
        haircut: ask.category.haircut(),
        status: CollateralStatus::Pledged.as_str().into(),
        loan_id: None,
        valued_on: ctx.today,
        created_at: ctx.now,
    };
    // The registry row first: the goods name it, and it is what refuses a second pledge of
    // the receipt by a concurrent request.
    registry::register(
        ctx.conn,
        &fingerprint,
        PaperKind::WarehouseReceipt.as_str(),
        row.id,
    )
    .map_err(|e| match e {
        persistence::RepoError::Conflict { .. } => already_pledged(),
        other => other.into(),
    })?;
    collateral::insert(ctx.conn, &row, &fingerprint)?;
    registry::set_encumbered(ctx.conn, row.id, true)?;
    let payload = serde_json::json!({"id": row.id, "merchant_id": row.merchant_id,
        "warehouse": row.warehouse, "receipt_number": row.receipt_number, "sku": row.sku,
        "category": row.category, "quantity": row.quantity, "currency": row.currency,
        "unit_value": stored_money(row.unit_value, ccy).amount().to_string(),
        "haircut": row.haircut.normalize().to_string(),
        "lendable_value": stored_money(lendable_value(&row, row.unit_value), ccy).amount().to_string(),
        "status": row.status, "loan_id": row.loan_id, "valued_on": row.valued_on,
        "fingerprint": fingerprint});
    ctx.audit(
        &Chain::of(row.merchant_id, "collateral", row.id),
        "collateral.pledged",
        &payload,
    );
    Ok(row)
}

/// What a second pledge of one warehouse receipt answers.
fn already_pledged() -> UseCaseError {
    UseCaseError::Conflict {
        code: "receipt_already_pledged",
        message: "this warehouse receipt already backs, or backed, a pledge".into(),
        field: Some("receipt_number"),
    }
}
