//! The email outbox for admins: list queued, sent and parked emails, and replay a parked one.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use persistence::audit;
use persistence::outbox::{self, EmailFilter, EmailStatus, EmailSummary, Replay};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::pagination::Page;
use crate::state::AppState;

/// Where an email is: `pending` (queued or waiting to retry), `sent`, or `failed` (parked
/// after too many failed attempts, until replayed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    Pending,
    Sent,
    Failed,
}

impl From<OutboxStatus> for EmailStatus {
    fn from(status: OutboxStatus) -> EmailStatus {
        match status {
            OutboxStatus::Pending => EmailStatus::Pending,
            OutboxStatus::Sent => EmailStatus::Sent,
            OutboxStatus::Failed => EmailStatus::Failed,
        }
    }
}

impl From<EmailStatus> for OutboxStatus {
    fn from(status: EmailStatus) -> OutboxStatus {
        match status {
            EmailStatus::Pending => OutboxStatus::Pending,
            EmailStatus::Sent => OutboxStatus::Sent,
            EmailStatus::Failed => OutboxStatus::Failed,
        }
    }
}

/// One email, without its bodies.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxEmailView {
    pub id: Uuid,
    /// The template that produced it, e.g. `welcome`.
    pub template: String,
    /// What caused it, e.g. `party:<id>`.
    pub reference: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub status: OutboxStatus,
    /// Delivery attempts so far (reset by a replay).
    pub attempts: i32,
    /// When the worker may next try (meaningful while `pending`).
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<EmailSummary> for OutboxEmailView {
    type Error = ApiError;

    fn try_from(row: EmailSummary) -> Result<Self, ApiError> {
        Ok(OutboxEmailView {
            status: EmailStatus::parse(&row.status)?.into(),
            id: row.id,
            template: row.template,
            reference: row.reference,
            recipient: row.recipient,
            subject: row.subject,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            created_at: row.created_at,
            sent_at: row.sent_at,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// Only emails in this state.
    pub status: Option<OutboxStatus>,
    /// Cursor: the last id of the previous page.
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// Lists emails (admin), oldest first, with keyset pagination.
#[utoipa::path(get, path = "/v1/admin/outbox", tag = "outbox", security(("bearer" = [])),
    params(OutboxQuery),
    responses((status = 200, body = Page<OutboxEmailView>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let query = query.into_inner();
    let filter = EmailFilter {
        status: query.status.map(EmailStatus::from),
        after: query.after,
        limit: state.page_size(query.limit),
    };
    let limit = filter.limit;
    let rows = state
        .transaction(move |conn| Ok(outbox::list(conn, &filter)?))
        .await?;
    let views = rows
        .into_iter()
        .map(OutboxEmailView::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page::new(views, limit, |v| v.id)))
}

/// Puts a parked (`failed`) email back in the queue with a fresh attempt budget (admin).
#[utoipa::path(post, path = "/v1/admin/outbox/{id}/replay", tag = "outbox",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "email id")),
    responses((status = 200, body = OutboxEmailView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the email is not failed")))]
pub async fn replay(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    let actor = caller.actor();
    let view = state
        .transaction(move |conn| {
            let now = Utc::now();
            match outbox::replay(conn, id, now)? {
                Replay::Replayed(row) => {
                    let view = OutboxEmailView::try_from(row)?;
                    let payload = serde_json::json!({ "id": id, "recipient": view.recipient });
                    audit::append(
                        conn,
                        &format!("email:{id}"),
                        &actor,
                        "email.replayed",
                        &payload,
                        now,
                    )?;
                    Ok(view)
                }
                Replay::NotFailed(status) => Err(ApiError::Conflict {
                    code: "not_failed",
                    message: format!(
                        "only a failed email can be replayed; this one is {}",
                        status.as_str()
                    ),
                    field: None,
                    retry_after_seconds: None,
                }),
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
