//! Receivables: invoices a supplier holds on a core enterprise.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::audit::Tail;
use crate::error::RepoError;
use crate::schema::receivables;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = receivables, treat_none_as_null = true)]
pub struct ReceivableRow {
    pub id: Uuid,
    /// The owner: a row never changes hands between shards.
    #[diesel(skip_update)]
    pub supplier_id: Uuid,
    pub debtor_id: Uuid,
    pub program_id: Uuid,
    pub invoice_number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Decimal,
    pub currency: String,
    pub document_sha256: Option<String>,
    pub fingerprint: String,
    pub state: String,
    pub factoring_request_id: Option<Uuid>,
    pub paid_amount: Option<Decimal>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Who is listing: a supplier sees what it sold, a debtor what it owes, staff everything.
#[derive(Debug, Clone, Copy)]
pub enum Viewer {
    Supplier(Uuid),
    Debtor(Uuid),
    Staff,
}

#[derive(Debug, Clone)]
pub struct ReceivableFilter {
    pub viewer: Viewer,
    pub state: Option<String>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

pub fn insert(conn: &mut PgConnection, row: &ReceivableRow) -> Result<(), RepoError> {
    diesel::insert_into(receivables::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<ReceivableRow, RepoError> {
    Ok(receivables::table
        .find(id)
        .select(ReceivableRow::as_select())
        .first(conn)?)
}

/// Locks `supplier`'s receivables in id order (the house lock order); missing ids (and other
/// suppliers' receivables) are simply absent.
pub fn lock_many(
    conn: &mut PgConnection,
    supplier: Uuid,
    ids: &[Uuid],
) -> Result<Vec<ReceivableRow>, RepoError> {
    Ok(receivables::table
        .filter(receivables::supplier_id.eq(supplier))
        .filter(receivables::id.eq_any(ids))
        .order(receivables::id.asc())
        .select(ReceivableRow::as_select())
        .for_update()
        .load(conn)?)
}

/// Whose receivable `id` is (its supplier): how the debtor and staff find the supplier to lock
/// it through. A read without a lock, so on a cluster it may ask every shard.
pub fn owner(conn: &mut PgConnection, id: Uuid) -> Result<Uuid, RepoError> {
    Ok(receivables::table
        .find(id)
        .select(receivables::supplier_id)
        .first(conn)?)
}

/// Loads `supplier`'s receivable `id` and locks it.
pub fn lock(conn: &mut PgConnection, supplier: Uuid, id: Uuid) -> Result<ReceivableRow, RepoError> {
    Ok(receivables::table
        .find(id)
        .filter(receivables::supplier_id.eq(supplier))
        .select(ReceivableRow::as_select())
        .for_update()
        .first(conn)?)
}

pub fn list(
    conn: &mut PgConnection,
    filter: &ReceivableFilter,
) -> Result<Vec<ReceivableRow>, RepoError> {
    let mut query = receivables::table
        .select(ReceivableRow::as_select())
        .into_boxed();
    query = match filter.viewer {
        Viewer::Supplier(p) => query.filter(receivables::supplier_id.eq(p)),
        Viewer::Debtor(p) => query.filter(receivables::debtor_id.eq(p)),
        Viewer::Staff => query,
    };
    if let Some(state) = &filter.state {
        query = query.filter(receivables::state.eq(state));
    }
    if let Some(after) = filter.after {
        query = query.filter(receivables::id.gt(after));
    }
    Ok(query
        .order(receivables::id.asc())
        .limit(filter.limit)
        .load(conn)?)
}

/// The receivables `supplier`'s factoring request financed, locked in id order.
pub fn lock_by_request(
    conn: &mut PgConnection,
    supplier: Uuid,
    request: Uuid,
) -> Result<Vec<ReceivableRow>, RepoError> {
    Ok(receivables::table
        .filter(receivables::supplier_id.eq(supplier))
        .filter(receivables::factoring_request_id.eq(request))
        .order(receivables::id.asc())
        .select(ReceivableRow::as_select())
        .for_update()
        .load(conn)?)
}

pub fn by_request(
    conn: &mut PgConnection,
    supplier: Uuid,
    request: Uuid,
) -> Result<Vec<ReceivableRow>, RepoError> {
    Ok(receivables::table
        .filter(receivables::supplier_id.eq(supplier))
        .filter(receivables::factoring_request_id.eq(request))
        .order(receivables::id.asc())
        .select(ReceivableRow::as_select())
        .load(conn)?)
}

/// The write of `row`'s state, financing request and update time (what financing it changes),
/// as a write that rides along with a request's audit appends or runs alone
/// ([`crate::audit::Tail`]); it returns no row when the receivable is not its supplier's.
pub fn state_change(row: &ReceivableRow) -> Tail<'static> {
    let (state, request, at) = (row.state.clone(), row.factoring_request_id, row.updated_at);
    let (id, supplier) = (row.id, row.supplier_id);
    Tail {
        sql: "UPDATE receivables SET state = $1, factoring_request_id = $2, updated_at = $3
               WHERE id = $4 AND supplier_id = $5
              RETURNING 1"
            .into(),
        params: 5,
        bind: Box::new(move |query| {
            query
                .bind::<sql_types::Text, _>(state)
                .bind::<sql_types::Nullable<sql_types::Uuid>, _>(request)
                .bind::<sql_types::Timestamptz, _>(at)
                .bind::<sql_types::Uuid, _>(id)
                .bind::<sql_types::Uuid, _>(supplier)
        }),
    }
}

pub fn save(conn: &mut PgConnection, row: &ReceivableRow) -> Result<(), RepoError> {
    let stored = receivables::table
        .find(row.id)
        .filter(receivables::supplier_id.eq(row.supplier_id));
    diesel::update(stored).set(row).execute(conn)?;
    Ok(())
}
