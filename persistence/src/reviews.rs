//! The review queue shared by every product: cases the engine referred, claimed by one risk
//! officer at a time, decided, and — above a threshold — confirmed by a second officer.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::RepoError;
use crate::schema::reviews;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reviews)]
pub struct ReviewRow {
    pub id: Uuid,
    pub subject_kind: String,
    pub subject_id: Uuid,
    pub party_id: Uuid,
    pub product: String,
    pub amount: Decimal,
    pub currency: String,
    pub engine_decision: serde_json::Value,
    pub status: String,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub approved_amount: Option<Decimal>,
    pub approved_rate: Option<Decimal>,
    pub reason_code: Option<String>,
    pub private_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What a product needs to send a case to the queue.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub subject_kind: String,
    pub subject_id: Uuid,
    pub party_id: Uuid,
    pub product: String,
    pub amount: Decimal,
    pub currency: String,
    pub engine_decision: serde_json::Value,
}

#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    pub status: Option<String>,
    pub product: Option<String>,
    pub min_amount: Option<Decimal>,
    pub max_amount: Option<Decimal>,
    pub limit: i64,
    /// Keyset cursor: created_at and id of the last row seen (oldest first).
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

/// Opens a case inside the caller's transaction.
pub fn open(
    conn: &mut PgConnection,
    new: &NewReview,
    now: DateTime<Utc>,
) -> Result<ReviewRow, RepoError> {
    let row = ReviewRow {
        id: Uuid::now_v7(),
        subject_kind: new.subject_kind.clone(),
        subject_id: new.subject_id,
        party_id: new.party_id,
        product: new.product.clone(),
        amount: new.amount,
        currency: new.currency.clone(),
        engine_decision: new.engine_decision.clone(),
        status: "pending".into(),
        claimed_by: None,
        claimed_at: None,
        outcome: None,
        approved_amount: None,
        approved_rate: None,
        reason_code: None,
        private_note: None,
        decided_by: None,
        decided_at: None,
        confirmed_by: None,
        confirmed_at: None,
        created_at: now,
    };
    diesel::insert_into(reviews::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// Oldest first.
pub fn list(conn: &mut PgConnection, filter: &ReviewFilter) -> Result<Vec<ReviewRow>, RepoError> {
    let mut query = reviews::table.select(ReviewRow::as_select()).into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(reviews::status.eq(status));
    }
    if let Some(product) = &filter.product {
        query = query.filter(reviews::product.eq(product));
    }
    if let Some(min) = filter.min_amount {
        query = query.filter(reviews::amount.ge(min));
    }
    if let Some(max) = filter.max_amount {
        query = query.filter(reviews::amount.le(max));
    }
    if let Some((at, id)) = filter.after {
        query = query.filter(
            reviews::created_at
                .gt(at)
                .or(reviews::created_at.eq(at).and(reviews::id.gt(id))),
        );
    }
    Ok(query
        .order((reviews::created_at.asc(), reviews::id.asc()))
        .limit(filter.limit)
        .load(conn)?)
}

/// Whose case `id` is: staff work cases by id, and find the party to lock it through here. A
/// read without a lock, so on a cluster it may ask every shard.
pub fn owner(conn: &mut PgConnection, id: Uuid) -> Result<Uuid, RepoError> {
    Ok(reviews::table
        .find(id)
        .select(reviews::party_id)
        .first(conn)?)
}

/// Loads `party`'s case `id` and locks it for the rest of the transaction.
pub fn lock(conn: &mut PgConnection, party: Uuid, id: Uuid) -> Result<ReviewRow, RepoError> {
    Ok(reviews::table
        .find(id)
        .filter(reviews::party_id.eq(party))
        .select(ReviewRow::as_select())
        .for_update()
        .first(conn)?)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<ReviewRow, RepoError> {
    Ok(reviews::table
        .find(id)
        .select(ReviewRow::as_select())
        .first(conn)?)
}

/// The case of one subject (e.g. the review of an application), if it was referred.
pub fn find_by_subject(
    conn: &mut PgConnection,
    kind: &str,
    subject: Uuid,
) -> Result<Option<ReviewRow>, RepoError> {
    Ok(reviews::table
        .filter(reviews::subject_kind.eq(kind))
        .filter(reviews::subject_id.eq(subject))
        .select(ReviewRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores the whole row back (the caller holds its lock and changed it by the rules).
pub fn save(conn: &mut PgConnection, row: &ReviewRow) -> Result<(), RepoError> {
    diesel::update(
        reviews::table
            .find(row.id)
            .filter(reviews::party_id.eq(row.party_id)),
    )
    .set((
        reviews::status.eq(&row.status),
        reviews::claimed_by.eq(&row.claimed_by),
        reviews::claimed_at.eq(row.claimed_at),
        reviews::outcome.eq(&row.outcome),
        reviews::approved_amount.eq(row.approved_amount),
        reviews::approved_rate.eq(row.approved_rate),
        reviews::reason_code.eq(&row.reason_code),
        reviews::private_note.eq(&row.private_note),
        reviews::decided_by.eq(&row.decided_by),
        reviews::decided_at.eq(row.decided_at),
        reviews::confirmed_by.eq(&row.confirmed_by),
        reviews::confirmed_at.eq(row.confirmed_at),
    ))
    .execute(conn)?;
    Ok(())
}
