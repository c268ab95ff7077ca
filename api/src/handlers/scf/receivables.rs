//! The receivables registry: suppliers submit invoices (refused with 409 when the same paper is
//! already registered, by anyone), debtors confirm or dispute them, and each party lists and
//! reads only its own.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Money;
use domain::receivable_fingerprint::is_fingerprint;
use domain::scf_state::ReceivableState;
use persistence::scf::receivables::{ReceivableFilter, ReceivableRow, Viewer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{currency, stored_currency};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::pagination::Page;
use crate::request::{Call, Reply};
use crate::state::AppState;
use crate::usecases::scf::receivables::{self, SubmitReceivable};
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

impl TryFrom<NewReceivable> for SubmitReceivable {
    type Error = ApiError;

    fn try_from(new: NewReceivable) -> Result<Self, ApiError> {
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
        Ok(SubmitReceivable {
            debtor_id: new.debtor_id,
            invoice_number: number,
            issue_date: new.issue_date,
            due_date: new.due_date,
            face,
            document_sha256: new.document_sha256,
        })
    }
}

fn view(row: &ReceivableRow) -> Result<Reply, ApiError> {
    Reply::ok(&ReceivableView::try_from(row)?)
}

/// Submits a receivable (supplier).
#[utoipa::path(post, path = "/v1/receivables", tag = "supply-chain finance",
    request_body = NewReceivable, security(("bearer" = [])),
    responses((status = 201, body = ReceivableView),
        (status = 409, body = ErrorBody, description = "the same receivable is already registered"),
        (status = 422, body = ErrorBody)))]
pub async fn submit(call: Call, body: JsonBody<NewReceivable>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let new = SubmitReceivable::try_from(body.into_inner())?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| receivables::submit(ctx, new),
        |row| Reply::created(&ReceivableView::try_from(&row)?),
    )
    .await
}

#[utoipa::path(get, path = "/v1/receivables/{id}", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReceivableView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(move |ctx| receivables::find(ctx, id), |row| view(&row))
        .await
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

/// Whose receivables the caller lists: a supplier's, a debtor's, or (staff) all.
fn viewer_of(caller: &Caller) -> Result<Viewer, ApiError> {
    match (caller.role, caller.party()) {
        (Role::Supplier, Some(p)) => Ok(Viewer::Supplier(p)),
        (Role::CoreEnterprise, Some(p)) => Ok(Viewer::Debtor(p)),
        (Role::Admin | Role::RiskOfficer, _) => Ok(Viewer::Staff),
        _ => Err(ApiError::Forbidden),
    }
}

/// Lists receivables: a supplier its own, a core enterprise those naming it, staff all.
#[utoipa::path(get, path = "/v1/receivables", tag = "supply-chain finance",
    security(("bearer" = [])), params(ReceivableQuery),
    responses((status = 200, body = Page<ReceivableView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    call: Call,
    state: web::Data<AppState>,
    query: web::Query<ReceivableQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let filter = ReceivableFilter {
        viewer: viewer_of(call.caller())?,
        state: query.state.map(|s| s.as_str().to_string()),
        after: query.after,
        limit: state.page_size(query.limit),
    };
    let limit = filter.limit;
    call.read(
        move |ctx| receivables::list(ctx, filter),
        move |rows| {
            let views = rows
                .iter()
                .map(ReceivableView::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Reply::ok(&Page::new(views, limit, |v| v.id))
        },
    )
    .await
}

/// Moves a receivable the caller (as debtor, or as supplier for a cancel) may act on.
async fn move_to(call: Call, id: Uuid, to: ReceivableState) -> Result<HttpResponse, ApiError> {
    call.run(
        KeyPolicy::Optional,
        None,
        move |ctx| receivables::move_to(ctx, id, to),
        |row| view(&row),
    )
    .await
}

/// The debtor confirms that it owes the receivable.
#[utoipa::path(post, path = "/v1/receivables/{id}/confirm", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReceivableView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn confirm(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    move_to(call, id.into_inner(), ReceivableState::Confirmed).await
}

/// The debtor disputes the receivable.
#[utoipa::path(post, path = "/v1/receivables/{id}/dispute", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReceivableView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn dispute(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    move_to(call, id.into_inner(), ReceivableState::Disputed).await
}

/// The supplier withdraws a receivable that is not financed.
#[utoipa::path(post, path = "/v1/receivables/{id}/cancel", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReceivableView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn cancel(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    move_to(call, id.into_inner(), ReceivableState::Cancelled).await
}
