//! The review queue: risk officers list referred cases (oldest first), claim one, see the
//! engine's full explanation and the applicant's data, decide, and confirm (four eyes).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, SubsecRound, Utc};
use diesel::PgConnection;
use domain::review::{self as rules, Case, ReviewError, ReviewStatus};
use persistence::reviews::{self, ReviewFilter, ReviewRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::decimal_text::DecimalText;
use crate::error::{ApiError, ErrorBody};
use crate::filters::{ReviewProduct, ReviewState};
use crate::handlers::parties::PartyView;
use crate::idempotency::JsonBody;
use crate::lending::{applications, business_date};
use crate::state::AppState;
use crate::usecases::bills::{discount, referral};
use crate::usecases::context::Policy;
use crate::usecases::scf::{factoring, referrals};
use crate::usecases::{Actor, Context, UseCaseError};
use crate::views::stored_amount;

const OFFICERS: [Role; 2] = [Role::RiskOfficer, Role::Admin];

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
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ReviewQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&OFFICERS)?;
    let q = query.into_inner();
    let limit = state.page_size(q.limit);
    let rows = state
        .transaction(move |conn| {
            let after = match q.after {
                Some(id) => Some(reviews::find(conn, id).map(|r| (r.created_at, r.id))?),
                None => None,
            };
            let filter = ReviewFilter {
                status: q.status.map(|s| s.as_str().to_string()),
                product: q.product.map(|p| p.as_str().to_string()),
                min_amount: q.min_amount.map(|m| m.0),
                max_amount: q.max_amount.map(|m| m.0),
                limit,
                after,
            };
            Ok(reviews::list(conn, &filter)?)
        })
        .await?;
    let next_cursor = crate::pagination::next_cursor(&rows, limit, |r| r.id);
    Ok(HttpResponse::Ok().json(ReviewPage {
        items: rows.into_iter().map(ReviewView::from).collect(),
        next_cursor,
    }))
}

/// One case with the applicant's data.
#[utoipa::path(get, path = "/v1/reviews/{id}", tag = "reviews", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReviewView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&OFFICERS)?;
    let id = id.into_inner();
    let view = state
        .transaction(move |conn| {
            let row = reviews::find(conn, id)?;
            let party = persistence::parties::find(conn, row.party_id)?;
            let mut view = ReviewView::from(row);
            view.applicant = Some(PartyView::try_from(party)?);
            Ok(view)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

fn case_of(row: &ReviewRow) -> Result<Case, ApiError> {
    Ok(Case {
        status: ReviewStatus::parse(&row.status)
            .ok_or_else(|| ApiError::internal("unknown review status"))?,
        claimed_by: row.claimed_by.clone(),
        decided_by: row.decided_by.clone(),
    })
}

fn rule_error(e: ReviewError) -> ApiError {
    let code = match e {
        ReviewError::NotPending => "review_not_pending",
        ReviewError::ClaimedByAnother => "claimed_by_another_officer",
        ReviewError::NotClaimed => "review_not_claimed",
        ReviewError::NotAwaitingConfirmation => "review_not_awaiting_confirmation",
        ReviewError::OwnDecision => "own_decision",
    };
    match e {
        ReviewError::OwnDecision => ApiError::unprocessable(code, e.to_string(), None),
        ReviewError::NotPending
        | ReviewError::ClaimedByAnother
        | ReviewError::NotClaimed
        | ReviewError::NotAwaitingConfirmation => ApiError::Conflict {
            code,
            message: e.to_string(),
            field: None,
            retry_after_seconds: None,
        },
    }
}

/// Carries a final decision over to the case's subject, in the case's transaction.
fn close_subject(
    conn: &mut PgConnection,
    row: &ReviewRow,
    policy: &Policy,
    actor: &str,
) -> Result<(), ApiError> {
    match row.subject_kind.as_str() {
        applications::REVIEW_KIND => {
            let today = business_date(conn)?;
            applications::on_review_closed(conn, row, today, &policy.loans, actor)
        }
        factoring::REVIEW_KIND => in_use_case(conn, policy, actor, |ctx| {
            referrals::factoring_closed(ctx, row)
        }),
        discount::REVIEW_KIND => {
            in_use_case(conn, policy, actor, |ctx| referral::bill_closed(ctx, row))
        }
        other => Err(ApiError::internal(format!(
            "no subject handler for review kind {other:?}"
        ))),
    }
}

/// Runs a product's use case for a closed case in the case's transaction, as the officer.
fn in_use_case(
    conn: &mut PgConnection,
    policy: &Policy,
    actor: &str,
    work: impl FnOnce(&mut Context<'_>) -> Result<(), UseCaseError>,
) -> Result<(), ApiError> {
    let actor = Actor {
        name: actor.to_string(),
        party: None,
        staff: true,
    };
    let mut ctx = Context::open(conn, Utc::now(), &actor, policy)?;
    Ok(work(&mut ctx)?)
}

/// Applies a rule to a locked case, saves it, records it; closes the subject when final.
async fn transition<F>(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    action: &'static str,
    change: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut ReviewRow, &Case, &str) -> Result<(), ApiError> + Send + 'static,
{
    caller.require(&OFFICERS)?;
    // Four eyes tell people apart by their staff id, whatever role their token carries.
    let (officer, actor, policy) = (
        caller.subject.clone(),
        caller.actor(),
        std::sync::Arc::clone(&state.policy),
    );
    let view = state
        .transaction(move |conn| {
            let mut row = reviews::lock(conn, id)?;
            let case = case_of(&row)?;
            change(&mut row, &case, &officer)?;
            reviews::save(conn, &row)?;
            let payload = serde_json::json!({"status": row.status, "outcome": row.outcome, "reason_code": row.reason_code,
                "approved_amount": row.approved_amount.map(|a| a.to_string()), "approved_rate": row.approved_rate.map(|a| a.to_string())});
            persistence::audit::append(conn, &format!("review:{id}"), &actor, action, &payload, Utc::now())?;
            if matches!(row.status.as_str(), "approved" | "declined") {
                close_subject(conn, &row, &policy, &actor)?;
            }
            Ok(ReviewView::from(row))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Claims a case: one officer at a time.
#[utoipa::path(post, path = "/v1/reviews/{id}/claim", tag = "reviews", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReviewView), (status = 409, body = ErrorBody)))]
pub async fn claim(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    transition(
        &state,
        &caller,
        id.into_inner(),
        "review.claimed",
        |row, case, officer| {
            row.status = rules::claim(case, officer)
                .map_err(rule_error)?
                .as_str()
                .into();
            row.claimed_by = Some(officer.to_string());
            row.claimed_at = Some(Utc::now().trunc_subsecs(6));
            Ok(())
        },
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

/// Decides a claimed case; above the four-eyes amount an approval waits for a second officer.
#[utoipa::path(post, path = "/v1/reviews/{id}/decision", tag = "reviews", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ReviewDecision, responses((status = 200, body = ReviewView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: JsonBody<ReviewDecision>,
) -> Result<HttpResponse, ApiError> {
    let d = body.value;
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
    let threshold = state.policy.loans.four_eyes_above;
    transition(
        &state,
        &caller,
        id.into_inner(),
        "review.decided",
        move |row, case, officer| {
            // Supply-chain finance is priced by its program: an officer approves or declines.
            if row.subject_kind != applications::REVIEW_KIND
                && (d.approved_amount.is_some() || d.approved_rate.is_some())
            {
                return Err(ApiError::invalid(
                    "approved_amount",
                    "this case is priced by its program: approve or decline it as it stands",
                ));
            }
            if d.approved_amount.is_some_and(|a| a > row.amount) {
                return Err(ApiError::invalid(
                    "approved_amount",
                    "an officer may lower the amount, not raise it",
                ));
            }
            let engine_rate = row
                .engine_decision
                .get("rate_annual")
                .and_then(|r| r.as_str())
                .and_then(|r| r.parse::<Decimal>().ok());
            if d.approved_rate
                .zip(engine_rate)
                .is_some_and(|(asked, engine)| asked < engine)
            {
                return Err(ApiError::invalid(
                    "approved_rate",
                    "an officer may raise the engine's rate, not lower it",
                ));
            }
            let amount = d.approved_amount.unwrap_or(row.amount);
            row.status = rules::decide(case, officer, approve, amount, threshold)
                .map_err(rule_error)?
                .as_str()
                .into();
            row.outcome = Some(if approve { "approve" } else { "decline" }.into());
            row.approved_amount = d.approved_amount.filter(|_| approve);
            row.approved_rate = d.approved_rate.filter(|_| approve);
            row.reason_code = d.reason_code;
            // A veto without a note keeps the deciding officer's note.
            row.private_note = d.note.or(row.private_note.take());
            row.decided_by = Some(officer.to_string());
            row.decided_at = Some(Utc::now().trunc_subsecs(6));
            Ok(())
        },
    )
    .await
}

/// Confirms another officer's approval (four eyes); 422 with the reason when the subject can no
/// longer be carried out (e.g. a receivable fell due meanwhile).
#[utoipa::path(post, path = "/v1/reviews/{id}/confirm", tag = "reviews", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ReviewView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    transition(
        &state,
        &caller,
        id.into_inner(),
        "review.confirmed",
        |row, case, officer| {
            row.status = rules::confirm(case, officer)
                .map_err(rule_error)?
                .as_str()
                .into();
            row.confirmed_by = Some(officer.to_string());
            row.confirmed_at = Some(Utc::now().trunc_subsecs(6));
            Ok(())
        },
    )
    .await
}
