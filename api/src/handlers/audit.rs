//! The audit trail: verification, checkpoints, and the trail of one object.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use persistence::audit::{CheckpointRow, EventRow};
use persistence::audit_verify::VerifyReport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::idempotency::KeyPolicy;
use crate::request::{Call, Reply};
use crate::usecases::books;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VerifyQuery {
    /// A checkpoint hash published earlier (64 hexadecimal digits); verification fails unless
    /// it is still intact.
    #[param(pattern = "^[0-9a-fA-F]{64}$")]
    pub anchor: Option<String>,
}

/// A checkpoint hash as published: 64 hexadecimal digits, compared in lower case. Anything
/// else could never match and is refused, not reported as a broken trail.
fn anchor(query: VerifyQuery) -> Result<Option<String>, ApiError> {
    match query.anchor {
        Some(a) if a.len() == 64 && a.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(a.to_ascii_lowercase()))
        }
        Some(_) => Err(ApiError::bad_request(
            "invalid_query",
            "anchor must be a checkpoint hash: 64 hexadecimal digits",
            Some("anchor"),
        )),
        None => Ok(None),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakView {
    /// `event`, `head` or `checkpoint`.
    pub kind: String,
    pub chain: Option<String>,
    pub seq: Option<i64>,
    pub checkpoint_id: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyView {
    pub ok: bool,
    pub events_checked: u64,
    pub chains_checked: u64,
    pub checkpoints_checked: u64,
    pub anchor_found: Option<bool>,
    pub first_break: Option<BreakView>,
}

impl From<VerifyReport> for VerifyView {
    fn from(r: VerifyReport) -> Self {
        VerifyView {
            ok: r.ok(),
            events_checked: r.events_checked,
            chains_checked: r.chains_checked,
            checkpoints_checked: r.checkpoints_checked,
            anchor_found: r.anchor_found,
            first_break: r.first_break.map(|b| BreakView {
                kind: b.kind.to_string(),
                chain: b.chain,
                seq: b.seq,
                checkpoint_id: b.checkpoint_id,
                reason: b.reason,
            }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointView {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub heads_digest: String,
    pub chains_covered: i64,
    pub prev_hash: String,
    pub hash: String,
}

impl From<CheckpointRow> for CheckpointView {
    fn from(c: CheckpointRow) -> Self {
        CheckpointView {
            id: c.id,
            created_at: c.created_at,
            heads_digest: c.heads_digest,
            chains_covered: c.chains_covered,
            prev_hash: c.prev_hash,
            hash: c.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub chain: String,
    pub seq: i64,
    pub actor: String,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl TryFrom<EventRow> for EventView {
    type Error = ApiError;
    fn try_from(e: EventRow) -> Result<Self, ApiError> {
        Ok(EventView {
            payload: serde_json::from_str(&e.payload).map_err(ApiError::internal)?,
            chain: e.chain,
            seq: e.seq,
            actor: e.actor,
            occurred_at: e.occurred_at,
            action: e.action,
            prev_hash: e.prev_hash,
            hash: e.hash,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// The object, e.g. `party:<id>` or `loan:<id>`.
    pub entity: String,
    /// Sequence-number cursor.
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventsView {
    pub items: Vec<EventView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<i64>,
}

/// Recomputes every chain, head and checkpoint and reports the first broken link.
#[utoipa::path(get, path = "/v1/audit/verify", tag = "audit", security(("bearer" = [])), params(VerifyQuery),
    responses((status = 200, body = VerifyView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn verify(call: Call, query: web::Query<VerifyQuery>) -> Result<HttpResponse, ApiError> {
    let anchor = anchor(query.into_inner())?;
    call.read(
        move |ctx| books::verify_audit(ctx, anchor),
        |report| Reply::ok(&VerifyView::from(report)),
    )
    .await
}

/// The newest checkpoint.
#[utoipa::path(get, path = "/v1/audit/checkpoints/latest", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = CheckpointView), (status = 404, body = ErrorBody)))]
pub async fn latest_checkpoint(call: Call) -> Result<HttpResponse, ApiError> {
    call.read(books::latest_checkpoint, |c| {
        Reply::ok(&CheckpointView::from(c))
    })
    .await
}

/// Seals a checkpoint now over chain heads that moved, at most `audit.checkpoint_max_chains` of
/// them: call again until the answer is 200 to seal them all (the server also does so
/// periodically).
#[utoipa::path(post, path = "/v1/audit/checkpoints", tag = "audit", security(("bearer" = [])),
    responses((status = 201, body = CheckpointView), (status = 200, body = CheckpointView,
        description = "nothing moved: the latest checkpoint"), (status = 404, body = ErrorBody)))]
pub async fn create_checkpoint(call: Call) -> Result<HttpResponse, ApiError> {
    call.run(
        KeyPolicy::Optional,
        None,
        books::checkpoint_now,
        |(sealed, c)| {
            let view = CheckpointView::from(c);
            if sealed {
                Reply::created(&view)
            } else {
                Reply::ok(&view)
            }
        },
    )
    .await
}

/// The trail of one object, oldest first.
#[utoipa::path(get, path = "/v1/audit/events", tag = "audit", security(("bearer" = [])), params(EventsQuery),
    responses((status = 200, body = EventsView), (status = 403, body = ErrorBody)))]
pub async fn events(call: Call, query: web::Query<EventsQuery>) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = call.page_size(query.limit);
    let after = query.after.unwrap_or(0);
    call.read(
        move |ctx| books::events(ctx, query.entity, after, limit),
        move |rows| {
            let next_cursor = crate::pagination::next_cursor(&rows, limit, |e| e.seq);
            let items = rows
                .into_iter()
                .map(EventView::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Reply::ok(&EventsView { items, next_cursor })
        },
    )
    .await
}
