//! Commercial acceptance bills, their endorsement chain and the recourse claims of a dishonour.
//! A bill and everything about it are keyed by its acceptor: locks, reads of its parts and
//! writes name the acceptor.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::RepoError;
use crate::schema::{
    bill_discount_referrals as referrals, bill_endorsements, bill_recourse_claims, bills,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = bills, treat_none_as_null = true)]
pub struct BillRow {
    pub id: Uuid,
    pub bill_number: String,
    pub drawer_id: Uuid,
    /// The owner: a row never changes hands between shards.
    #[diesel(skip_update)]
    pub acceptor_id: Uuid,
    pub payee_id: Uuid,
    pub holder_id: Option<Uuid>,
    pub face_value: Decimal,
    pub currency: String,
    pub issue_date: NaiveDate,
    pub maturity_date: NaiveDate,
    pub medium: String,
    pub fingerprint: String,
    pub state: String,
    pub discount_interest: Option<Decimal>,
    pub decision: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = bill_endorsements)]
pub struct EndorsementRow {
    pub bill_id: Uuid,
    pub seq: i32,
    pub from_party_id: Uuid,
    pub to_party_id: Uuid,
    pub endorsed_at: DateTime<Utc>,
    /// The bill's acceptor (its tenant key).
    pub acceptor_id: Uuid,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = bill_recourse_claims)]
pub struct ClaimRow {
    pub bill_id: Uuid,
    pub party_id: Uuid,
    pub role: String,
    pub amount: Decimal,
    pub created_at: DateTime<Utc>,
    /// The bill's acceptor (its tenant key).
    pub acceptor_id: Uuid,
}

pub fn insert(conn: &mut PgConnection, row: &BillRow) -> Result<(), RepoError> {
    diesel::insert_into(bills::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<BillRow, RepoError> {
    Ok(bills::table
        .find(id)
        .select(BillRow::as_select())
        .first(conn)?)
}

/// Whose bill `id` is (its acceptor): how holders, drawers and staff find the acceptor to lock
/// it through. A read without a lock, so on a cluster it may ask every shard.
pub fn owner(conn: &mut PgConnection, id: Uuid) -> Result<Uuid, RepoError> {
    Ok(bills::table
        .find(id)
        .select(bills::acceptor_id)
        .first(conn)?)
}

/// Loads `acceptor`'s bill `id` and locks it.
pub fn lock(conn: &mut PgConnection, acceptor: Uuid, id: Uuid) -> Result<BillRow, RepoError> {
    Ok(bills::table
        .find(id)
        .filter(bills::acceptor_id.eq(acceptor))
        .select(BillRow::as_select())
        .for_update()
        .first(conn)?)
}

pub fn save(conn: &mut PgConnection, row: &BillRow) -> Result<(), RepoError> {
    diesel::update(
        bills::table
            .find(row.id)
            .filter(bills::acceptor_id.eq(row.acceptor_id)),
    )
    .set(row)
    .execute(conn)?;
    Ok(())
}

pub fn endorsements(
    conn: &mut PgConnection,
    acceptor: Uuid,
    bill: Uuid,
) -> Result<Vec<EndorsementRow>, RepoError> {
    Ok(bill_endorsements::table
        .filter(bill_endorsements::acceptor_id.eq(acceptor))
        .filter(bill_endorsements::bill_id.eq(bill))
        .order(bill_endorsements::seq.asc())
        .select(EndorsementRow::as_select())
        .load(conn)?)
}

pub fn add_endorsement(conn: &mut PgConnection, row: &EndorsementRow) -> Result<(), RepoError> {
    diesel::insert_into(bill_endorsements::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn add_claims(conn: &mut PgConnection, rows: &[ClaimRow]) -> Result<(), RepoError> {
    diesel::insert_into(bill_recourse_claims::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

pub fn claims(
    conn: &mut PgConnection,
    acceptor: Uuid,
    bill: Uuid,
) -> Result<Vec<ClaimRow>, RepoError> {
    Ok(bill_recourse_claims::table
        .filter(bill_recourse_claims::acceptor_id.eq(acceptor))
        .filter(bill_recourse_claims::bill_id.eq(bill))
        .order(bill_recourse_claims::created_at.asc())
        .select(ClaimRow::as_select())
        .load(conn)?)
}

/// A discount the scoring engine referred to a risk officer.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = referrals, treat_none_as_null = true)]
pub struct ReferralRow {
    pub id: Uuid,
    pub bill_id: Uuid,
    pub holder_id: Uuid,
    pub state: String,
    pub decision: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The bill's acceptor (its tenant key).
    /// The owner: a row never changes hands between shards.
    #[diesel(skip_update)]
    pub acceptor_id: Uuid,
}

pub fn insert_referral(conn: &mut PgConnection, row: &ReferralRow) -> Result<(), RepoError> {
    diesel::insert_into(referrals::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Whose referral `id` is (the bill's acceptor): the risk officer closing it knows only its id.
pub fn referral_owner(conn: &mut PgConnection, id: Uuid) -> Result<Uuid, RepoError> {
    Ok(referrals::table
        .find(id)
        .select(referrals::acceptor_id)
        .first(conn)?)
}

/// Loads `acceptor`'s referral `id` and locks it.
pub fn lock_referral(
    conn: &mut PgConnection,
    acceptor: Uuid,
    id: Uuid,
) -> Result<ReferralRow, RepoError> {
    Ok(referrals::table
        .find(id)
        .filter(referrals::acceptor_id.eq(acceptor))
        .select(ReferralRow::as_select())
        .for_update()
        .first(conn)?)
}

pub fn save_referral(conn: &mut PgConnection, row: &ReferralRow) -> Result<(), RepoError> {
    diesel::update(
        referrals::table
            .find(row.id)
            .filter(referrals::acceptor_id.eq(row.acceptor_id)),
    )
    .set(row)
    .execute(conn)?;
    Ok(())
}

/// The referral of `bill` still waiting for a risk officer, if any.
pub fn waiting_referral(
    conn: &mut PgConnection,
    acceptor: Uuid,
    bill: Uuid,
) -> Result<Option<ReferralRow>, RepoError> {
    Ok(referrals::table
        .filter(referrals::acceptor_id.eq(acceptor))
        .filter(referrals::bill_id.eq(bill))
        .filter(referrals::state.eq("referred"))
        .select(ReferralRow::as_select())
        .first(conn)
        .optional()?)
}
