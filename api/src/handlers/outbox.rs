//! The email outbox for admins: list queued, sent and parked emails, and replay a parked one.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use persistence::outbox::{EmailFilter, EmailStatus, EmailSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::idempotency::KeyPolicy;
use crate::pagination::Page;
use crate::request::{Call, Reply};
use crate::usecases::books;

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
pub async fn list(call: Call, query: web::Query<OutboxQuery>) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let filter = EmailFilter {
        status: query.status.map(EmailStatus::from),
        after: query.after,
        limit: call.page_size(query.limit),
    };
    let limit = filter.limit;
    call.read(
        move |ctx| books::outbox(ctx, filter),
        move |rows| {
            let views = rows
                .into_iter()
                .map(OutboxEmailView::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Reply::ok(&Page::new(views, limit, |v| v.id))
        },
    )
    .await
}

/// Puts a parked (`failed`) email back in the queue with a fresh attempt budget (admin).
#[utoipa::path(post, path = "/v1/admin/outbox/{id}/replay", tag = "outbox",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "email id")),
    responses((status = 200, body = OutboxEmailView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the email is not failed")))]
pub async fn replay(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.run(
        KeyPolicy::Optional,
        None,
        move |ctx| books::replay_email(ctx, id),
        |row| Reply::ok(&OutboxEmailView::try_from(row)?),
    )
    .await
}
