//! The review queue: risk officers list referred cases (oldest first), claim one, see the
//! engine's full explanation and the applicant's data, decide, and confirm (four eyes).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::review::Terms;
use persistence::reviews::{ReviewFilter, ReviewRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::decimal_text::DecimalText;
use crate::error::{ApiError, ErrorBody};
use crate::filters::{ReviewProduct, ReviewState};
use crate::handlers::parties::PartyView;
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::reviews::{self, DecideCase};
use crate::views::stored_amount;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: Uuid,
    pub subject_kind: String,
    pub subject_id: Uuid,
    pub party_id: Uuid,
    pub product: String,
    pub amount: String,
    pub currency: String,
    pub status: String,
    /// The engine's decision with its explanation (score, grade, reasons).
    #[schema(value_type = Object)]
    pub engine_decision: serde_json::Value,
    pub claimed_by: Option<String>,
    pub outcome: Option<String>,
    pub approved_amount: Option<String>,
    pub approved_rate: Option<String>,
    pub reason_code: Option<String>,
    /// Staff-only; merchants never see it.
    pub private_note: Option<String>,
    pub decided_by: Option<String>,
    pub confirmed_by: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant: Option<PartyView>,
}

impl From<ReviewRow> for ReviewView {
    fn from(r: ReviewRow) -> Self {
        ReviewView {
            id: r.id,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            party_id: r.party_id,
            product: r.product,
            amount: stored_amount(r.amount, &r.currency),
            currency: r.currency.clone(),
            status: r.status,
            engine_decision: crate::views::tidy_engine_decision(r.engine_decision, &r.currency),
            claimed_by: r.claimed_by,
            outcome: r.outcome,
            approved_amount: r.approved_amount.map(|a| stored_amount(a, &r.currency)),
            approved_rate: r.approved_rate.map(|a| a.normalize().to_string()),
            reason_code: r.reason_code,
            private_note: r.private_note,
            decided_by: r.decided_by,
            confirmed_by: r.confirmed_by,
            created_at: r.created_at,
            applicant: None,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewQuery {
    #[param(inline)]
    pub status: Option<ReviewState>,
    #[param(inline)]
    pub product: Option<ReviewProduct>,
    /// A decimal such as `1000.00`, in the case's currency.
    #[param(value_type = Option<String>, pattern = r"^-?[0-9]{1,20}(\.[0-9]{1,8})?$")]
    pub min_amount: Option<DecimalText>,
    #[param(value_type = Option<String>, pattern = r"^-?[0-9]{1,20}(\.[0-9]{1,8})?$")]
    pub max_amount: Option<DecimalText>,
    /// Cursor: the id of the last case seen.
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPage {
    pub items: Vec<ReviewView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Uuid>,
}

/// The queue, oldest first.
#[utoipa::path(get, path = "/v1/reviews", tag = "reviews", security(("bearer" = [])), params(ReviewQuery),
    responses((status = 200, body = ReviewPage), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "`after` names no review")))]
pub async fn list(call: Call, query: web::Query<ReviewQuery>) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = call.page_size(q.limit);
    let filter = ReviewFilter {
        status: q.status.map(|s| s.as_str().to_string()),
        product: q.product.map(|p| p.as_str().to_string()),
        min_amount: q.min_amount.map(|m| m.0),
        max_amount: q.max_amount.map(|m| m.0),
        limit,
        after: None,
    };
    call.read(
        move |ctx| reviews::list_reviews(ctx, filter, q.after),
        move |rows| {
            let next_cursor = crate::pagination::next_cursor(&rows, limit, |r| r.id);
            let items = rows.into_iter().map(ReviewView::from).collect();
            Reply::ok(&ReviewPage { items, next_cursor })
        },
    )
    .await
}

/// One case with the applicant's data.
#[utoipa::path(get, path = "/v1/reviews/{id}", tag = "reviews", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReviewView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| reviews::find_review(ctx, id),
        |(row, party)| {
            let mut view = ReviewView::from(row);
            view.applicant = Some(PartyView::try_from(party)?);
            Reply::ok(&view)
        },
    )
    .await
}

fn case_view(row: ReviewRow) -> Result<Reply, ApiError> {
    Reply::ok(&ReviewView::from(row))
}

/// Claims a case: one officer at a time.
#[utoipa::path(post, path = "/v1/reviews/{id}/claim", tag = "reviews", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReviewView), (status = 409, body = ErrorBody)))]
pub async fn claim(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.run(
        KeyPolicy::Optional,
        None,
        move |ctx| reviews::claim(ctx, id),
        case_view,
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecision {
    /// `approve` or `decline`.
    pub decision: String,
    /// Optionally a lower amount than requested, a decimal string.
    #[schema(value_type = Option<String>, pattern = r"^-?[0-9]{1,20}(\.[0-9]{1,8})?$")]
    #[serde(default, with = "crate::decimal_text::option")]
    pub approved_amount: Option<Decimal>,
    /// Optionally a higher rate than the engine's, a decimal string.
    #[schema(value_type = Option<String>, pattern = r"^-?[0-9]{1,20}(\.[0-9]{1,8})?$")]
    #[serde(default, with = "crate::decimal_text::option")]
    pub approved_rate: Option<Decimal>,
    pub reason_code: Option<String>,
    /// Private to staff.
    pub note: Option<String>,
}

impl TryFrom<(Uuid, ReviewDecision)> for DecideCase {
    type Error = ApiError;

    fn try_from((id, d): (Uuid, ReviewDecision)) -> Result<DecideCase, ApiError> {
        let approve = match d.decision.as_str() {
            "approve" => true,
            "decline" => false,
            _ => {
                return Err(ApiError::invalid(
                    "decision",
                    "decision must be approve or decline",
                ))
            }
        };
        if !approve && d.reason_code.as_deref().is_none_or(|c| c.trim().is_empty()) {
            return Err(ApiError::invalid(
                "reason_code",
                "a decline needs a reason code",
            ));
        }
        if d.approved_amount.is_some_and(|a| a <= Decimal::ZERO)
            || d.approved_rate
                .is_some_and(|r| r < Decimal::ZERO || r > Decimal::TEN)
        {
            return Err(ApiError::invalid(
                "approved_amount",
                "amounts must be positive and rates between 0 and 10",
            ));
        }
        Ok(DecideCase {
            id,
            approve,
            terms: Terms {
                amount: d.approved_amount,
                rate: d.approved_rate,
            },
            reason_code: d.reason_code,
            note: d.note,
        })
    }
}

/// Decides a claimed case; above the four-eyes amount an approval waits for a second officer.
#[utoipa::path(post, path = "/v1/reviews/{id}/decision", tag = "reviews", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ReviewDecision, responses((status = 200, body = ReviewView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<ReviewDecision>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = DecideCase::try_from((id.into_inner(), body.into_inner()))?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| reviews::decide(ctx, ask),
        case_view,
    )
    .await
}

/// Confirms another officer's approval (four eyes); 422 with the reason when the subject can no
/// longer be carried out (e.g. a receivable fell due meanwhile).
#[utoipa::path(post, path = "/v1/reviews/{id}/confirm", tag = "reviews", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReviewView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.run(
        KeyPolicy::Optional,
        None,
        move |ctx| reviews::confirm(ctx, id),
        case_view,
    )
    .await
}
