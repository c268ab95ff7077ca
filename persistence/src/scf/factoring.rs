//! Factoring requests: one financed invoice, or a pool with a borrowing base.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{self, Array, Nullable, Numeric};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::RepoError;
use crate::schema::{factoring_request_receivables as links, factoring_requests};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = factoring_requests, treat_none_as_null = true)]
pub struct RequestRow {
    pub id: Uuid,
    /// The owner: a row never changes hands between shards.
    #[diesel(skip_update)]
    pub supplier_id: Uuid,
    pub kind: String,
    pub state: String,
    pub currency: String,
    pub face_total: Decimal,
    pub advance_total: Decimal,
    pub fees_total: Decimal,
    pub advance_rate: Decimal,
    pub concentration_limit: Option<Decimal>,
    pub drawn_outstanding: Decimal,
    pub borrowing_base: Decimal,
    pub overdrawn: bool,
    pub decision: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Stores a new request with what it asks to finance and on what terms, in one statement;
/// `pending` while the request waits for a risk officer.
pub fn insert_linked(
    conn: &mut PgConnection,
    row: &RequestRow,
    terms: &[LinkTerms],
    pending: bool,
) -> Result<(), RepoError> {
    let links: Vec<_> = terms
        .iter()
        .map(|t| {
            (
                links::supplier_id.eq(row.supplier_id),
                links::request_id.eq(row.id),
                links::receivable_id.eq(t.receivable),
                links::pending.eq(pending),
                links::advance_rate.eq(t.advance_rate),
                links::concentration_limit.eq(t.concentration_limit),
            )
        })
        .collect();
    crate::together::together(
        diesel::insert_into(factoring_requests::table).values(row),
        diesel::insert_into(links::table).values(links),
    )
    .sized(terms.len())
    .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<RequestRow, RepoError> {
    Ok(factoring_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)?)
}

/// Whose request `id` is (its supplier): how staff and the debtor find the supplier to lock it
/// through. A read without a lock, so on a cluster it may ask every shard.
pub fn owner(conn: &mut PgConnection, id: Uuid) -> Result<Uuid, RepoError> {
    Ok(factoring_requests::table
        .find(id)
        .select(factoring_requests::supplier_id)
        .first(conn)?)
}

/// Loads `supplier`'s request `id` and locks it.
pub fn lock(conn: &mut PgConnection, supplier: Uuid, id: Uuid) -> Result<RequestRow, RepoError> {
    Ok(factoring_requests::table
        .find(id)
        .filter(factoring_requests::supplier_id.eq(supplier))
        .select(RequestRow::as_select())
        .for_update()
        .first(conn)?)
}

pub fn save(conn: &mut PgConnection, row: &RequestRow) -> Result<(), RepoError> {
    let stored = factoring_requests::table
        .find(row.id)
        .filter(factoring_requests::supplier_id.eq(row.supplier_id));
    diesel::update(stored).set(row).execute(conn)?;
    Ok(())
}

/// The terms one receivable of a request is financed on: its advance rate and, in a pool, its
/// debtor's concentration limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkTerms {
    pub receivable: Uuid,
    pub advance_rate: Decimal,
    pub concentration_limit: Option<Decimal>,
}

/// Re-prices the receivables of `request` (an approval after review prices as of that day),
/// in one statement.
pub fn set_terms(
    conn: &mut PgConnection,
    supplier: Uuid,
    request: Uuid,
    terms: &[LinkTerms],
) -> Result<(), RepoError> {
    let ids: Vec<Uuid> = terms.iter().map(|t| t.receivable).collect();
    let rates: Vec<Decimal> = terms.iter().map(|t| t.advance_rate).collect();
    let limits: Vec<Option<Decimal>> = terms.iter().map(|t| t.concentration_limit).collect();
    diesel::sql_query(
        "UPDATE factoring_request_receivables l
            SET advance_rate = t.rate, concentration_limit = t.limit_
           FROM unnest($2::uuid[], $3::numeric[], $4::numeric[]) AS t(id, rate, limit_)
          WHERE l.supplier_id = $5 AND l.request_id = $1 AND l.receivable_id = t.id",
    )
    .bind::<sql_types::Uuid, _>(request)
    .bind::<Array<sql_types::Uuid>, _>(&ids)
    .bind::<Array<Numeric>, _>(&rates)
    .bind::<Array<Nullable<Numeric>>, _>(&limits)
    .bind::<sql_types::Uuid, _>(supplier)
    .execute(conn)?;
    Ok(())
}

/// The terms the given receivables of `request` are financed on, by receivable.
pub fn terms(
    conn: &mut PgConnection,
    supplier: Uuid,
    request: Uuid,
    receivables: &[Uuid],
) -> Result<BTreeMap<Uuid, LinkTerms>, RepoError> {
    Ok(links::table
        .filter(links::supplier_id.eq(supplier))
        .filter(links::request_id.eq(request))
        .filter(links::receivable_id.eq_any(receivables))
        .select((
            links::receivable_id,
            links::advance_rate,
            links::concentration_limit,
        ))
        .load::<(Uuid, Decimal, Option<Decimal>)>(conn)?
        .into_iter()
        .map(|(receivable, advance_rate, concentration_limit)| {
            (
                receivable,
                LinkTerms {
                    receivable,
                    advance_rate,
                    concentration_limit,
                },
            )
        })
        .collect())
}

/// The receivables `request` asked to finance, in id order.
pub fn linked(
    conn: &mut PgConnection,
    supplier: Uuid,
    request: Uuid,
) -> Result<Vec<Uuid>, RepoError> {
    Ok(links::table
        .filter(links::supplier_id.eq(supplier))
        .filter(links::request_id.eq(request))
        .order(links::receivable_id.asc())
        .select(links::receivable_id)
        .load(conn)?)
}

/// Which of `supplier`'s `receivables` wait in a referred request.
pub fn pending_among(
    conn: &mut PgConnection,
    supplier: Uuid,
    receivables: &[Uuid],
) -> Result<Vec<Uuid>, RepoError> {
    Ok(links::table
        .filter(links::supplier_id.eq(supplier))
        .filter(links::receivable_id.eq_any(receivables))
        .filter(links::pending)
        .select(links::receivable_id)
        .load(conn)?)
}

/// Ends the wait of a referred request's receivables (approved or declined).
pub fn release_pending(
    conn: &mut PgConnection,
    supplier: Uuid,
    request: Uuid,
) -> Result<(), RepoError> {
    let waiting = links::table
        .filter(links::supplier_id.eq(supplier))
        .filter(links::request_id.eq(request));
    diesel::update(waiting)
        .set(links::pending.eq(false))
        .execute(conn)?;
    Ok(())
}
