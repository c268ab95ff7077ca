//! Keyset-paginated lists of orders, pledged goods, factoring requests (single and pools) and
//! bills: all for staff, or those one party is concerned by. Each list reads its page in one
//! statement and what the views need besides (linked receivables, endorsement chains) in one
//! more, never one per row.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use uuid::Uuid;

use crate::collateral::CollateralRow;
use crate::error::RepoError;
use crate::orders::OrderRow;
use crate::scf::bills::{BillRow, EndorsementRow};
use crate::scf::factoring::RequestRow;
use crate::schema::{
    bill_endorsements, bills, collateral, factoring_request_receivables as links,
    factoring_requests, orders,
};

/// What a list is restricted to.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Only what this party is concerned by; `None`: everything (staff).
    pub party: Option<Uuid>,
    /// The stored status (or state) to keep.
    pub status: Option<&'static str>,
    /// Keyset cursor: the last id of the previous page.
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// Orders the party sells or buys.
pub fn orders(conn: &mut PgConnection, l: &Listing) -> Result<Vec<OrderRow>, RepoError> {
    let mut query = orders::table.select(OrderRow::as_select()).into_boxed();
    if let Some(p) = l.party {
        query = query.filter(orders::merchant_id.eq(p).or(orders::buyer_id.eq(p)));
    }
    if let Some(s) = l.status {
        query = query.filter(orders::status.eq(s));
    }
    if let Some(a) = l.after {
        query = query.filter(orders::id.gt(a));
    }
    Ok(query.order(orders::id.asc()).limit(l.limit).load(conn)?)
}

/// Goods the party pledged.
pub fn collateral(conn: &mut PgConnection, l: &Listing) -> Result<Vec<CollateralRow>, RepoError> {
    let mut query = collateral::table
        .select(CollateralRow::as_select())
        .into_boxed();
    if let Some(p) = l.party {
        query = query.filter(collateral::merchant_id.eq(p));
    }
    if let Some(s) = l.status {
        query = query.filter(collateral::status.eq(s));
    }
    if let Some(a) = l.after {
        query = query.filter(collateral::id.gt(a));
    }
    Ok(query
        .order(collateral::id.asc())
        .limit(l.limit)
        .load(conn)?)
}

/// Factoring requests of the supplier (`kind`: `single` or `pool`, or both), each with the
/// receivables it asked to finance, in id order.
pub fn factoring_requests(
    conn: &mut PgConnection,
    l: &Listing,
    kind: Option<&'static str>,
) -> Result<Vec<(RequestRow, Vec<Uuid>)>, RepoError> {
    let mut query = factoring_requests::table
        .select(RequestRow::as_select())
        .into_boxed();
    if let Some(p) = l.party {
        query = query.filter(factoring_requests::supplier_id.eq(p));
    }
    if let Some(k) = kind {
        query = query.filter(factoring_requests::kind.eq(k));
    }
    if let Some(s) = l.status {
        query = query.filter(factoring_requests::state.eq(s));
    }
    if let Some(a) = l.after {
        query = query.filter(factoring_requests::id.gt(a));
    }
    let rows: Vec<RequestRow> = query
        .order(factoring_requests::id.asc())
        .limit(l.limit)
        .load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let pairs: Vec<(Uuid, Uuid)> = links::table
        .filter(links::request_id.eq_any(&ids))
        .order((links::request_id.asc(), links::receivable_id.asc()))
        .select((links::request_id, links::receivable_id))
        .load(conn)?;
    let mut linked: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for (request, receivable) in pairs {
        linked.entry(request).or_default().push(receivable);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let ids = linked.remove(&r.id).unwrap_or_default();
            (r, ids)
        })
        .collect())
}

/// Bills the party drew, accepts, is payee or holder of, or endorsed, each with its chain.
pub fn bills(
    conn: &mut PgConnection,
    l: &Listing,
) -> Result<Vec<(BillRow, Vec<EndorsementRow>)>, RepoError> {
    let mut query = bills::table.select(BillRow::as_select()).into_boxed();
    if let Some(p) = l.party {
        // An endorser stays concerned after passing the bill on (it may face recourse).
        let endorsed = diesel::dsl::sql::<Bool>(
            "EXISTS (SELECT 1 FROM bill_endorsements e WHERE e.acceptor_id = bills.acceptor_id \
             AND e.bill_id = bills.id AND (e.from_party_id = ",
        )
        .bind::<SqlUuid, _>(p)
        .sql(" OR e.to_party_id = ")
        .bind::<SqlUuid, _>(p)
        .sql("))");
        query = query.filter(
            bills::drawer_id
                .eq(p)
                .or(bills::acceptor_id.eq(p))
                .or(bills::payee_id.eq(p))
                .or(bills::holder_id.eq(p))
                .or(endorsed),
        );
    }
    if let Some(s) = l.status {
        query = query.filter(bills::state.eq(s));
    }
    if let Some(a) = l.after {
        query = query.filter(bills::id.gt(a));
    }
    let rows: Vec<BillRow> = query.order(bills::id.asc()).limit(l.limit).load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|b| b.id).collect();
    let chain: Vec<EndorsementRow> = bill_endorsements::table
        .filter(bill_endorsements::bill_id.eq_any(&ids))
        .order((
            bill_endorsements::bill_id.asc(),
            bill_endorsements::seq.asc(),
        ))
        .select(EndorsementRow::as_select())
        .load(conn)?;
    let mut chains: BTreeMap<Uuid, Vec<EndorsementRow>> = BTreeMap::new();
    for e in chain {
        chains.entry(e.bill_id).or_default().push(e);
    }
    Ok(rows
        .into_iter()
        .map(|b| {
            let chain = chains.remove(&b.id).unwrap_or_default();
            (b, chain)
        })
        .collect())
}
