//! Orders a merchant may borrow against: confirmed purchase orders from a platform buyer, or
//! a pre-sale order book, and their settlement.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::RepoError;
use crate::schema::orders;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = orders)]
pub struct OrderRow {
    pub id: Uuid,
    pub merchant_id: Uuid,
    pub buyer_id: Uuid,
    pub order_number: String,
    /// `purchase_order` or `pre_sale`.
    pub kind: String,
    pub currency: String,
    pub order_value: Decimal,
    pub expected_settlement_on: NaiveDate,
    /// `confirmed` until the buyer's payment arrives, then `settled`.
    pub status: String,
    pub loan_id: Option<Uuid>,
    pub settled_amount: Option<Decimal>,
    pub settled_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    /// The order number's canonical key (`domain::identifier`), unique per merchant; `None`
    /// only on an order stored before keys existed that could not be re-keyed.
    pub order_key: Option<String>,
}

pub fn insert(conn: &mut PgConnection, row: &OrderRow) -> Result<(), RepoError> {
    diesel::insert_into(orders::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<OrderRow, RepoError> {
    Ok(orders::table
        .find(id)
        .select(OrderRow::as_select())
        .first(conn)?)
}

/// Whose order `id` is (its merchant, the order's tenant key): how its buyer and staff find
/// the merchant to lock it through. A read without a lock, so on a cluster it may ask every
/// shard.
pub fn owner(conn: &mut PgConnection, id: Uuid) -> Result<Uuid, RepoError> {
    Ok(orders::table
        .find(id)
        .select(orders::merchant_id)
        .first(conn)?)
}

/// Loads `merchant`'s order `id` and locks it: financing and settlement of one order are
/// serialised.
pub fn lock(conn: &mut PgConnection, merchant: Uuid, id: Uuid) -> Result<OrderRow, RepoError> {
    Ok(orders::table
        .find(id)
        .filter(orders::merchant_id.eq(merchant))
        .select(OrderRow::as_select())
        .for_update()
        .first(conn)?)
}

pub fn attach_loan(
    conn: &mut PgConnection,
    merchant: Uuid,
    id: Uuid,
    loan: Uuid,
) -> Result<(), RepoError> {
    diesel::update(
        orders::table
            .find(id)
            .filter(orders::merchant_id.eq(merchant)),
    )
    .set(orders::loan_id.eq(loan))
    .execute(conn)?;
    Ok(())
}

/// Records the buyer's payment; `status` is the order's status after it (`settled`).
pub fn mark_settled(
    conn: &mut PgConnection,
    merchant: Uuid,
    id: Uuid,
    status: &str,
    amount: Decimal,
    on: NaiveDate,
) -> Result<(), RepoError> {
    diesel::update(
        orders::table
            .find(id)
            .filter(orders::merchant_id.eq(merchant)),
    )
    .set((
        orders::status.eq(status),
        orders::settled_amount.eq(amount),
        orders::settled_on.eq(on),
    ))
    .execute(conn)?;
    Ok(())
}

/// Orders where `party` is the merchant or the buyer (all for staff), keyset by id.
pub fn list(
    conn: &mut PgConnection,
    party: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<OrderRow>, RepoError> {
    let mut query = orders::table.select(OrderRow::as_select()).into_boxed();
    if let Some(p) = party {
        query = query.filter(orders::merchant_id.eq(p).or(orders::buyer_id.eq(p)));
    }
    if let Some(a) = after {
        query = query.filter(orders::id.gt(a));
    }
    Ok(query.order(orders::id.asc()).limit(limit).load(conn)?)
}
