//! Lists of orders, pledged goods (open margin calls), factoring requests, pools and bills:
//! staff see all and may narrow to one party; a party sees only what concerns it. Keyset
//! pagination by id, as every other list.

use actix_web::{web, HttpResponse};
use diesel::PgConnection;
use persistence::lists::{self, Listing};
use persistence::RepoError;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::filters::{BillState, CollateralStatus, OrderStatus, RequestState};
use crate::handlers::collateral::CollateralView;
use crate::handlers::orders::OrderView;
use crate::handlers::scf::bills::BillView;
use crate::handlers::scf::factoring::FactoringRequestView;
use crate::pagination::Page;
use crate::request::{Call, Reply};
use crate::usecases::listings;

fn listing(
    call: &Call,
    party_id: Option<Uuid>,
    status: Option<&'static str>,
    after: Option<Uuid>,
    limit: Option<i64>,
) -> Listing {
    Listing {
        party: party_id,
        status,
        after,
        limit: call.page_size(limit),
    }
}

/// Runs one listing as the caller may see it and answers its page: what every list here
/// shares.
async fn page<R, V>(
    call: Call,
    l: Listing,
    fetch: impl FnOnce(&mut PgConnection, &Listing) -> Result<Vec<R>, RepoError> + Send + 'static,
    build: impl Fn(R) -> Result<V, ApiError> + Send + 'static,
    id_of: impl Fn(&V) -> Uuid + Send + 'static,
) -> Result<HttpResponse, ApiError>
where
    R: Send + 'static,
    V: Serialize + Send + 'static,
{
    let limit = l.limit;
    call.read(
        move |ctx| listings::visible(ctx, l, fetch),
        move |rows| {
            let views = rows.into_iter().map(build).collect::<Result<Vec<_>, _>>()?;
            Reply::ok(&Page::new(views, limit, id_of))
        },
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrderQuery {
    #[param(inline)]
    pub status: Option<OrderStatus>,
    /// Staff only: orders this party sells or buys.
    pub party_id: Option<Uuid>,
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// Orders: those a merchant sells or a buyer buys; staff all.
#[utoipa::path(get, path = "/v1/orders", tag = "order financing", security(("bearer" = [])),
    params(OrderQuery), responses((status = 200, body = Page<OrderView>), (status = 403, body = ErrorBody)))]
pub async fn orders(call: Call, query: web::Query<OrderQuery>) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let status = q.status.map(OrderStatus::as_str);
    let l = listing(&call, q.party_id, status, q.after, q.limit);
    page(
        call,
        l,
        lists::orders,
        |row| OrderView::build(&row),
        |v| v.id,
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CollateralQuery {
    /// `margin_call`: the pledges with an open margin call.
    #[param(inline)]
    pub status: Option<CollateralStatus>,
    /// Staff only: one merchant's pledges.
    pub party_id: Option<Uuid>,
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// Pledged goods: a merchant's own; staff all (e.g. `?status=margin_call`).
#[utoipa::path(get, path = "/v1/collateral", tag = "inventory financing", security(("bearer" = [])),
    params(CollateralQuery), responses((status = 200, body = Page<CollateralView>), (status = 403, body = ErrorBody)))]
pub async fn collateral(
    call: Call,
    query: web::Query<CollateralQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let status = q.status.map(CollateralStatus::as_str);
    let l = listing(&call, q.party_id, status, q.after, q.limit);
    page(
        call,
        l,
        lists::collateral,
        |row| CollateralView::build(&row),
        |v| v.id,
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RequestQuery {
    #[param(inline)]
    pub state: Option<RequestState>,
    /// Staff only: one supplier's requests.
    pub party_id: Option<Uuid>,
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// Factoring requests, single and pools: a supplier's own; staff all.
#[utoipa::path(get, path = "/v1/factoring-requests", tag = "supply-chain finance", security(("bearer" = [])),
    params(RequestQuery), responses((status = 200, body = Page<FactoringRequestView>), (status = 403, body = ErrorBody)))]
pub async fn factoring_requests(
    call: Call,
    query: web::Query<RequestQuery>,
) -> Result<HttpResponse, ApiError> {
    requests_of_kind(call, query.into_inner(), None).await
}

/// Pools: a supplier's own; staff all.
#[utoipa::path(get, path = "/v1/pools", tag = "supply-chain finance", security(("bearer" = [])),
    params(RequestQuery), responses((status = 200, body = Page<FactoringRequestView>), (status = 403, body = ErrorBody)))]
pub async fn pools(call: Call, query: web::Query<RequestQuery>) -> Result<HttpResponse, ApiError> {
    requests_of_kind(call, query.into_inner(), Some("pool")).await
}

async fn requests_of_kind(
    call: Call,
    q: RequestQuery,
    kind: Option<&'static str>,
) -> Result<HttpResponse, ApiError> {
    let status = q.state.map(RequestState::as_str);
    let l = listing(&call, q.party_id, status, q.after, q.limit);
    let fetch =
        move |conn: &mut PgConnection, l: &Listing| lists::factoring_requests(conn, l, kind);
    let build = |(row, ids)| FactoringRequestView::build(&row, ids);
    page(call, l, fetch, build, |v| v.id).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BillQuery {
    #[param(inline)]
    pub state: Option<BillState>,
    /// Staff only: bills this party drew, accepts, holds, is payee of or endorsed.
    pub party_id: Option<Uuid>,
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// Bills: those the caller drew, accepts, holds, is payee of or endorsed; staff all.
#[utoipa::path(get, path = "/v1/bills", tag = "supply-chain finance", security(("bearer" = [])),
    params(BillQuery), responses((status = 200, body = Page<BillView>), (status = 403, body = ErrorBody)))]
pub async fn bills(call: Call, query: web::Query<BillQuery>) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let status = q.state.map(BillState::as_str);
    let l = listing(&call, q.party_id, status, q.after, q.limit);
    let build = |(bill, chain): (_, Vec<_>)| BillView::build(&bill, &chain);
    page(call, l, lists::bills, build, |v| v.id).await
}
