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

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::filters::{BillState, CollateralStatus, OrderStatus, RequestState};
use crate::handlers::collateral::CollateralView;
use crate::handlers::orders::OrderView;
use crate::handlers::scf::bills::BillView;
use crate::handlers::scf::factoring::FactoringRequestView;
use crate::pagination::Page;
use crate::state::AppState;

/// The listing a caller may see: a party is held to its own, whatever `party_id` says; staff
/// see all or the one party they name.
fn listing(
    state: &AppState,
    caller: &Caller,
    party_id: Option<Uuid>,
    status: Option<&'static str>,
    after: Option<Uuid>,
    limit: Option<i64>,
) -> Listing {
    Listing {
        party: if caller.role.is_staff() {
            party_id
        } else {
            caller.party()
        },
        status,
        after,
        limit: state.page_size(limit),
    }
}

/// Runs one listing and answers its page: the fetch and the view-building every list here shares.
async fn page<R, V>(
    state: &AppState,
    l: Listing,
    fetch: impl FnOnce(&mut PgConnection, &Listing) -> Result<Vec<R>, RepoError> + Send + 'static,
    build: impl Fn(R) -> Result<V, ApiError> + Send + 'static,
    id_of: impl Fn(&V) -> Uuid,
) -> Result<HttpResponse, ApiError>
where
    R: Send + 'static,
    V: Serialize + Send + 'static,
{
    let limit = l.limit;
    let views = state
        .transaction(move |conn| fetch(conn, &l)?.into_iter().map(build).collect())
        .await?;
    Ok(HttpResponse::Ok().json(Page::new(views, limit, id_of)))
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
pub async fn orders(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OrderQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[
        Role::Merchant,
        Role::CoreEnterprise,
        Role::RiskOfficer,
        Role::Admin,
    ])?;
    let q = query.into_inner();
    let status = q.status.map(OrderStatus::as_str);
    let l = listing(&state, &caller, q.party_id, status, q.after, q.limit);
    page(
        &state,
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
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CollateralQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant, Role::RiskOfficer, Role::Admin])?;
    let q = query.into_inner();
    let status = q.status.map(CollateralStatus::as_str);
    let l = listing(&state, &caller, q.party_id, status, q.after, q.limit);
    page(
        &state,
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
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<RequestQuery>,
) -> Result<HttpResponse, ApiError> {
    requests_of_kind(state, caller, query.into_inner(), None).await
}

/// Pools: a supplier's own; staff all.
#[utoipa::path(get, path = "/v1/pools", tag = "supply-chain finance", security(("bearer" = [])),
    params(RequestQuery), responses((status = 200, body = Page<FactoringRequestView>), (status = 403, body = ErrorBody)))]
pub async fn pools(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<RequestQuery>,
) -> Result<HttpResponse, ApiError> {
    requests_of_kind(state, caller, query.into_inner(), Some("pool")).await
}

async fn requests_of_kind(
    state: web::Data<AppState>,
    caller: Caller,
    q: RequestQuery,
    kind: Option<&'static str>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Supplier, Role::RiskOfficer, Role::Admin])?;
    let status = q.state.map(RequestState::as_str);
    let l = listing(&state, &caller, q.party_id, status, q.after, q.limit);
    let fetch =
        move |conn: &mut PgConnection, l: &Listing| lists::factoring_requests(conn, l, kind);
    let build = |(row, ids)| FactoringRequestView::build(&row, ids);
    page(&state, l, fetch, build, |v| v.id).await
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
pub async fn bills(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<BillQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[
        Role::Merchant,
        Role::Supplier,
        Role::CoreEnterprise,
        Role::RiskOfficer,
        Role::Admin,
    ])?;
    let q = query.into_inner();
    let status = q.state.map(BillState::as_str);
    let l = listing(&state, &caller, q.party_id, status, q.after, q.limit);
    let build = |(bill, chain): (_, Vec<_>)| BillView::build(&bill, &chain);
    page(&state, l, lists::bills, build, |v| v.id).await
}
