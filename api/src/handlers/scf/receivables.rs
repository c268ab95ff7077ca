//! The receivables registry: suppliers submit invoices (refused with 409 when the same paper is
//! already registered, by anyone), debtors confirm or dispute them, and each party lists and
//! reads only its own.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use domain::money::Money;
use domain::receivable_fingerprint::{
    is_fingerprint, receivable_fingerprint, PaperKind, ReceivableKey,
};
use domain::scf_state::ReceivableState;
use persistence::scf::receivables::{self, ReceivableFilter, ReceivableRow, Viewer};
use persistence::scf::{programs, registry};
use persistence::{parties, RepoError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{currency, record, stored_currency, stored_state, transition_refused};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::pagination::Page;
use crate::state::AppState;
use crate::usecases::dates;
use crate::views::amount;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReceivable {
    /// The core enterprise that owes the invoice.
    pub debtor_id: Uuid,
    #[schema(example = "INV-2026-000123")]
    pub invoice_number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    #[schema(example = "100000.00")]
    pub amount: String,
    #[schema(example = "CNY")]
    pub currency: String,
    /// SHA-256 (hex) of the invoice document, if the supplier has it.
    pub document_sha256: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivableView {
    pub id: Uuid,
    pub supplier_id: Uuid,
    pub debtor_id: Uuid,
    pub program_id: Uuid,
    pub invoice_number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: String,
    pub currency: String,
    pub document_sha256: Option<String>,
    /// The registry fingerprint; outside financiers check it at `/v1/registry/{fingerprint}`.
    pub fingerprint: String,
    pub state: String,
    pub factoring_request_id: Option<Uuid>,
    pub paid_amount: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<&ReceivableRow> for ReceivableView {
    type Error = ApiError;

    fn try_from(r: &ReceivableRow) -> Result<Self, ApiError> {
        let c = stored_currency(&r.currency)?;
        Ok(ReceivableView {
            id: r.id,
            supplier_id: r.supplier_id,
            debtor_id: r.debtor_id,
            program_id: r.program_id,
            invoice_number: r.invoice_number.clone(),
            issue_date: r.issue_date,
            due_date: r.due_date,
            amount: amount(r.amount, c),
            currency: r.currency.clone(),
            document_sha256: r.document_sha256.clone(),
            fingerprint: r.fingerprint.clone(),
            state: r.state.clone(),
            factoring_request_id: r.factoring_request_id,
            paid_amount: r.paid_amount.map(|p| amount(p, c)),
            created_at: r.created_at,
        })
    }
}

/// What a duplicate answers: the same words whoever holds the first registration.
pub fn already_registered() -> ApiError {
    ApiError::Conflict {
        code: "already_registered",
        message: "this receivable or bill is already registered".into(),
        field: None,
        retry_after_seconds: None,
    }
}

/// Registers a fingerprint; a duplicate becomes the bland 409.
pub fn register(
    conn: &mut diesel::PgConnection,
    print: &str,
    kind: PaperKind,
    subject: Uuid,
) -> Result<(), ApiError> {
    registry::register(conn, print, kind.as_str(), subject).map_err(|e| match e {
        RepoError::Conflict { .. } => already_registered(),
        other => other.into(),
    })
}

/// Submits a receivable (supplier).
#[utoipa::path(post, path = "/v1/receivables", tag = "supply-chain finance",
    request_body = NewReceivable, security(("bearer" = [])),
    responses((status = 201, body = ReceivableView),
        (status = 409, body = ErrorBody, description = "the same receivable is already registered"),
        (status = 422, body = ErrorBody)))]
pub async fn submit(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody<NewReceivable>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Supplier])?;
    let supplier = caller.party().ok_or(ApiError::Forbidden)?;
    let hash = body.hash().to_string();
    let new = body.value;
    let currency = currency(&new.currency)?;
    let face = Money::parse_positive(&new.amount, currency)
        .map_err(|e| ApiError::invalid("amount", e.to_string()))?;
    let number = crate::text::identifier("invoice_number", &new.invoice_number, 64)?;
    if new.due_date < new.issue_date {
        return Err(ApiError::invalid(
            "due_date",
            "due_date is before issue_date",
        ));
    }
    if new
        .document_sha256
        .as_deref()
        .is_some_and(|d| !is_fingerprint(d))
    {
        return Err(ApiError::invalid(
            "document_sha256",
            "64 lower-case hex digits",
        ));
    }
    let actor = caller.actor();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Optional,
        move |conn| {
            let today = crate::lending::business_date(conn)?;
            dates::not_after_today("issue_date", new.issue_date, today)?;
            // An invoice already past due is a collection, not a financing.
            dates::not_before_today("due_date", new.due_date, today)?;
            // The supplier is not part of the paper's identity (the same invoice submitted by a
            // second supplier is the same registry entry), and the auth gate has already checked
            // that it exists and is a supplier: nothing to load here.
            let debtor = parties::find(conn, new.debtor_id)
                .ok()
                .filter(|d| d.party.kind == "core_enterprise")
                .ok_or_else(|| ApiError::invalid("debtor_id", "no such core enterprise"))?;
            let program = programs::find_by_core_enterprise(conn, new.debtor_id).map_err(|_| {
                ApiError::unprocessable(
                    "no_program",
                    "the debtor has no factoring program",
                    Some("debtor_id"),
                )
            })?;
            if program.currency != currency.code() {
                return Err(ApiError::invalid(
                    "currency",
                    "the debtor's program uses another currency",
                ));
            }
            let print = receivable_fingerprint(&ReceivableKey {
                debtor_registration: &debtor.party.registration_number,
                number: number.text(),
                amount: face,
                issue_date: new.issue_date,
            });
            let id = Uuid::now_v7();
            register(conn, &print, PaperKind::Receivable, id)?;
            let now = Utc::now().trunc_subsecs(6);
            let row = ReceivableRow {
                id,
                supplier_id: supplier,
                debtor_id: new.debtor_id,
                program_id: program.id,
                invoice_number: number.text().to_string(),
                issue_date: new.issue_date,
                due_date: new.due_date,
                amount: face.amount(),
                currency: currency.code().to_string(),
                document_sha256: new.document_sha256,
                fingerprint: print,
                state: ReceivableState::Submitted.as_str().into(),
                factoring_request_id: None,
                paid_amount: None,
                created_at: now,
                updated_at: now,
            };
            receivables::insert(conn, &row)?;
            let view = ReceivableView::try_from(&row)?;
            record(
                conn,
                &format!("receivable:{id}"),
                &actor,
                "receivable.submitted",
                &view,
            )?;
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}

/// A receivable is visible to its supplier, its debtor and staff; anyone else gets 404.
pub fn ensure_visible(caller: &Caller, row: &ReceivableRow) -> Result<(), ApiError> {
    caller.ensure_can_see(&[row.supplier_id, row.debtor_id])
}

#[utoipa::path(get, path = "/v1/receivables/{id}", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReceivableView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = state
        .transaction(move |conn| Ok(receivables::find(conn, id)?))
        .await?;
    ensure_visible(&caller, &row)?;
    Ok(HttpResponse::Ok().json(ReceivableView::try_from(&row)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReceivableQuery {
    #[param(inline)]
    pub state: Option<crate::filters::ReceivableState>,
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// Lists receivables: a supplier its own, a core enterprise those naming it, staff all.
#[utoipa::path(get, path = "/v1/receivables", tag = "supply-chain finance",
    security(("bearer" = [])), params(ReceivableQuery),
    responses((status = 200, body = Page<ReceivableView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReceivableQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = match (caller.role, caller.party()) {
        (Role::Supplier, Some(p)) => Viewer::Supplier(p),
        (Role::CoreEnterprise, Some(p)) => Viewer::Debtor(p),
        (Role::Admin | Role::RiskOfficer, _) => Viewer::Staff,
        _ => return Err(ApiError::Forbidden),
    };
    let query = query.into_inner();
    let filter = ReceivableFilter {
        viewer,
        state: query.state.map(|s| s.as_str().to_string()),
        after: query.after,
        limit: state.page_size(query.limit),
    };
    let limit = filter.limit;
    let rows = state
        .transaction(move |conn| Ok(receivables::list(conn, &filter)?))
        .await?;
    let views = rows
        .iter()
        .map(ReceivableView::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page::new(views, limit, |v| v.id)))
}

/// Moves a receivable the caller (as debtor, or as supplier for a cancel) may act on.
async fn move_to(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    to: ReceivableState,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.actor();
    let row = state
        .transaction(move |conn| {
            let mut row = receivables::lock(conn, id)?;
            // Only the debtor confirms or disputes; only the supplier cancels. Anyone else is
            // told the receivable does not exist.
            let actor_party = if to == ReceivableState::Cancelled {
                row.supplier_id
            } else {
                row.debtor_id
            };
            caller.ensure_can_see(&[actor_party])?;
            let from: ReceivableState = stored_state(&row.state)?;
            from.transition(to).map_err(transition_refused)?;
            row.state = to.as_str().into();
            row.updated_at = Utc::now().trunc_subsecs(6);
            receivables::save(conn, &row)?;
            let action = format!("receivable.{}", to.as_str());
            record(
                conn,
                &format!("receivable:{id}"),
                &actor,
                &action,
                &serde_json::json!({"from": from.as_str(), "to": to.as_str()}),
            )?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ReceivableView::try_from(&row)?))
}

/// The debtor confirms that it owes the receivable.
#[utoipa::path(post, path = "/v1/receivables/{id}/confirm", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReceivableView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn confirm(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::CoreEnterprise])?;
    move_to(state, caller, id.into_inner(), ReceivableState::Confirmed).await
}

/// The debtor disputes the receivable.
#[utoipa::path(post, path = "/v1/receivables/{id}/dispute", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReceivableView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn dispute(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::CoreEnterprise])?;
    move_to(state, caller, id.into_inner(), ReceivableState::Disputed).await
}

/// The supplier withdraws a receivable that is not financed.
#[utoipa::path(post, path = "/v1/receivables/{id}/cancel", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReceivableView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Supplier])?;
    move_to(state, caller, id.into_inner(), ReceivableState::Cancelled).await
}
