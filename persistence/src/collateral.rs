//! Goods in partner warehouses pledged as collateral and the goods' valuations. The registry
//! keeps one warehouse receipt from ever backing two loans: the goods name their receipt's
//! registry row (`receipt_fingerprint`). Goods are keyed by their merchant: every lock and
//! write names it.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::RepoError;
use crate::schema::{collateral, collateral_valuations};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = collateral)]
pub struct CollateralRow {
    pub id: Uuid,
    pub merchant_id: Uuid,
    pub warehouse: String,
    pub receipt_number: String,
    /// The receipt number normalised (`domain::receivable_fingerprint::normalise_receipt`).
    pub receipt_key: String,
    pub sku: String,
    pub category: String,
    pub quantity: i64,
    pub currency: String,
    pub unit_value: Decimal,
    pub haircut: Decimal,
    /// `pledged`, `margin_call` or `released`.
    pub status: String,
    pub loan_id: Option<Uuid>,
    pub valued_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = collateral_valuations)]
pub struct ValuationRow {
    pub id: Uuid,
    pub collateral_id: Uuid,
    pub unit_value: Decimal,
    pub valued_on: NaiveDate,
    pub ltv: Option<Decimal>,
    pub valued_by: String,
    pub created_at: DateTime<Utc>,
    /// The goods' merchant.
    pub merchant_id: Uuid,
}

/// Stores pledged goods whose receipt is registered under `receipt_fingerprint` with the
/// goods as subject (register first).
pub fn insert(
    conn: &mut PgConnection,
    row: &CollateralRow,
    receipt_fingerprint: &str,
) -> Result<(), RepoError> {
    diesel::insert_into(collateral::table)
        .values((row, collateral::receipt_fingerprint.eq(receipt_fingerprint)))
        .execute(conn)?;
    Ok(())
}

/// Whose goods `id` are: how staff find the merchant to lock them through. A read without a
/// lock, so on a cluster it may ask every shard.
pub fn owner(conn: &mut PgConnection, id: Uuid) -> Result<Uuid, RepoError> {
    Ok(collateral::table
        .find(id)
        .select(collateral::merchant_id)
        .first(conn)?)
}

/// Loads `merchant`'s goods `id` and locks them for the rest of the transaction.
pub fn lock(conn: &mut PgConnection, merchant: Uuid, id: Uuid) -> Result<CollateralRow, RepoError> {
    Ok(collateral::table
        .find(id)
        .filter(collateral::merchant_id.eq(merchant))
        .select(CollateralRow::as_select())
        .for_update()
        .first(conn)?)
}

/// Whether the merchant has goods under an open margin call (its draws are frozen).
pub fn margin_call_open(conn: &mut PgConnection, merchant: Uuid) -> Result<bool, RepoError> {
    Ok(collateral::table
        .filter(collateral::merchant_id.eq(merchant))
        .filter(collateral::status.eq("margin_call"))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

pub fn attach_loan(
    conn: &mut PgConnection,
    merchant: Uuid,
    id: Uuid,
    loan: Uuid,
) -> Result<(), RepoError> {
    diesel::update(
        collateral::table
            .find(id)
            .filter(collateral::merchant_id.eq(merchant)),
    )
    .set(collateral::loan_id.eq(loan))
    .execute(conn)?;
    Ok(())
}

pub fn set_status(
    conn: &mut PgConnection,
    merchant: Uuid,
    id: Uuid,
    status: &str,
) -> Result<(), RepoError> {
    diesel::update(
        collateral::table
            .find(id)
            .filter(collateral::merchant_id.eq(merchant)),
    )
    .set(collateral::status.eq(status))
    .execute(conn)?;
    Ok(())
}

/// Records a valuation and makes it the goods' current one.
pub fn revalue(conn: &mut PgConnection, v: &ValuationRow) -> Result<(), RepoError> {
    diesel::insert_into(collateral_valuations::table)
        .values(v)
        .execute(conn)?;
    let goods = collateral::table
        .find(v.collateral_id)
        .filter(collateral::merchant_id.eq(v.merchant_id));
    diesel::update(goods)
        .set((
            collateral::unit_value.eq(v.unit_value),
            collateral::valued_on.eq(v.valued_on),
        ))
        .execute(conn)?;
    Ok(())
}
