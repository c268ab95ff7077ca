//! Installment plans at checkout: the plans a merchant offers, and the plan around each
//! shopper's loan (merchant, order, purchase, subsidy, settlement, refunds).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use sha2::{Digest, Sha256};

use crate::error::RepoError;
use crate::scf::registry::{self, ORDER_KIND};
use crate::schema::{installment_offers, installment_plans};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = installment_offers)]
pub struct OfferRow {
    pub id: Uuid,
    pub merchant_id: Uuid,
    pub currency: String,
    pub installments: i32,
    /// `shopper` (a fee per period) or `merchant` (interest-free, subsidised).
    pub payer: String,
    pub fee_rate_per_period: Decimal,
    pub min_purchase: Decimal,
    pub max_purchase: Decimal,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = installment_plans)]
pub struct PlanRow {
    pub loan_id: Uuid,
    pub offer_id: Uuid,
    pub merchant_id: Uuid,
    pub shopper_id: Uuid,
    pub order_reference: String,
    pub purchase_amount: Decimal,
    pub merchant_subsidy: Decimal,
    pub merchant_settlement: Decimal,
    pub refunded: Decimal,
    pub clawed_back: Decimal,
    pub decision_id: Uuid,
    pub created_at: DateTime<Utc>,
    /// The order reference's canonical key (`domain::identifier`), unique per merchant.
    pub order_key: Option<String>,
}

pub fn insert_offer(conn: &mut PgConnection, row: &OfferRow) -> Result<(), RepoError> {
    diesel::insert_into(installment_offers::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_offer(conn: &mut PgConnection, id: Uuid) -> Result<OfferRow, RepoError> {
    Ok(installment_offers::table
        .find(id)
        .select(OfferRow::as_select())
        .first(conn)?)
}

/// Offers of one merchant (or all, for staff), keyset-paginated by id.
pub fn list_offers(
    conn: &mut PgConnection,
    merchant: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<OfferRow>, RepoError> {
    let mut query = installment_offers::table
        .select(OfferRow::as_select())
        .into_boxed();
    if let Some(m) = merchant {
        query = query.filter(installment_offers::merchant_id.eq(m));
    }
    if let Some(a) = after {
        query = query.filter(installment_offers::id.gt(a));
    }
    Ok(query
        .order(installment_offers::id.asc())
        .limit(limit)
        .load(conn)?)
}

/// The name a second plan for one merchant's order reference is refused under: the registry's
/// own constraint says nothing about plans.
pub const ORDER_TAKEN: &str = "installment_plans_merchant_order_key_unique";

/// The registry key of a merchant's order reference: the hex SHA-256 of
/// `lendline-registry-v1\ninstallment_order\n<merchant id>\n<canonical order key>` (the
/// migration that moved the uniqueness into the registry computes the same).
pub fn order_fingerprint(merchant: Uuid, key: &str) -> String {
    let text = format!("lendline-registry-v1\ninstallment_order\n{merchant}\n{key}");
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Stores a plan; its order reference is registered in the same statement, so a second plan
/// for the same merchant's order fails with `RepoError::Conflict` on [`ORDER_TAKEN`].
pub fn insert_plan(conn: &mut PgConnection, row: &PlanRow) -> Result<(), RepoError> {
    let Some(key) = &row.order_key else {
        diesel::insert_into(installment_plans::table)
            .values((row, installment_plans::order_fingerprint.eq(None::<String>)))
            .execute(conn)?;
        return Ok(());
    };
    let print = order_fingerprint(row.merchant_id, key);
    registry::register_with(
        conn,
        (&print, ORDER_KIND, row.loan_id),
        diesel::insert_into(installment_plans::table)
            .values((row, installment_plans::order_fingerprint.eq(Some(&print)))),
        ORDER_TAKEN,
    )
}

pub fn find_plan(conn: &mut PgConnection, loan: Uuid) -> Result<PlanRow, RepoError> {
    Ok(installment_plans::table
        .find(loan)
        .select(PlanRow::as_select())
        .first(conn)?)
}

/// Locks `shopper`'s plan for the rest of the transaction (refunds are serialised per plan);
/// the plan lives with the shopper's loan.
pub fn lock_plan(conn: &mut PgConnection, shopper: Uuid, loan: Uuid) -> Result<PlanRow, RepoError> {
    Ok(installment_plans::table
        .find(loan)
        .filter(installment_plans::shopper_id.eq(shopper))
        .select(PlanRow::as_select())
        .for_update()
        .first(conn)?)
}

/// Plans visible to a merchant (its store) or a shopper (its own), or all for staff.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub merchant: Option<Uuid>,
    pub shopper: Option<Uuid>,
    /// The plan's loan status (`active`, `closed`, `written_off`).
    pub status: Option<&'static str>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

pub fn list_plans(conn: &mut PgConnection, f: &PlanFilter) -> Result<Vec<PlanRow>, RepoError> {
    let mut query = installment_plans::table
        .select(PlanRow::as_select())
        .into_boxed();
    if let Some(m) = f.merchant {
        query = query.filter(installment_plans::merchant_id.eq(m));
    }
    if let Some(s) = f.shopper {
        query = query.filter(installment_plans::shopper_id.eq(s));
    }
    if let Some(s) = f.status {
        // The two tables are not declared joinable in the schema; the plan's loan is its key.
        let with_status = diesel::dsl::sql::<diesel::sql_types::Bool>(
            "EXISTS (SELECT 1 FROM loans l WHERE l.party_id = installment_plans.shopper_id \
             AND l.id = installment_plans.loan_id AND l.status = ",
        )
        .bind::<diesel::sql_types::Text, _>(s)
        .sql(")");
        query = query.filter(with_status);
    }
    if let Some(a) = f.after {
        query = query.filter(installment_plans::loan_id.gt(a));
    }
    Ok(query
        .order(installment_plans::loan_id.asc())
        .limit(f.limit)
        .load(conn)?)
}

pub fn record_refund(
    conn: &mut PgConnection,
    shopper: Uuid,
    loan: Uuid,
    refunded: Decimal,
    clawed_back: Decimal,
) -> Result<(), RepoError> {
    let plan = installment_plans::table
        .find(loan)
        .filter(installment_plans::shopper_id.eq(shopper));
    diesel::update(plan)
        .set((
            installment_plans::refunded.eq(refunded),
            installment_plans::clawed_back.eq(clawed_back),
        ))
        .execute(conn)?;
    Ok(())
}

/// What scoring needs of a shopper: principal outstanding on its plans at every merchant.
pub fn shopper_exposure(conn: &mut PgConnection, shopper: Uuid) -> Result<Decimal, RepoError> {
    use crate::schema::loans;
    let total: Option<Decimal> = loans::table
        .filter(loans::party_id.eq(shopper))
        .filter(loans::product.eq("installment"))
        .filter(loans::status.eq("active"))
        .select(diesel::dsl::sum(loans::principal - loans::principal_paid))
        .first(conn)?;
    Ok(total.unwrap_or(Decimal::ZERO))
}
