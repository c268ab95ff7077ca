//! Credit lines: applying (decided by the scoring engine inside the request), reading lines,
//! and drawing loans on them.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, SubsecRound, Utc};
use domain::money::{Currency, Money};
use persistence::credit_lines::{self, ApplicationRow, LineFilter, LineRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::filters::LineStatus;
use crate::handlers::loans::LoanView;
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::lending::{business_date, currency};
use crate::pagination::Page;
use crate::request::{Call, Reply};
use crate::state::AppState;
use crate::usecases::lending::draw::{self, DrawOnLine, RepaymentMethod};
use crate::views::amount;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    #[schema(example = "30000.00")]
    pub requested_limit: String,
    #[schema(example = "CNY")]
    pub currency: String,
    /// What the money is for, e.g. `stock_up`.
    #[schema(example = "stock_up")]
    pub purpose: String,
    #[schema(example = "Double 11")]
    pub event_name: Option<String>,
    pub event_date: Option<NaiveDate>,
    /// The merchant agrees that Lendline uses the sales data the platform holds.
    pub consent_to_sales_data: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionSummary {
    /// `approved`, `declined` or `referred`.
    pub outcome: String,
    pub credit_limit: Option<String>,
    pub annual_rate: Option<String>,
    pub max_tenor_days: Option<i32>,
    pub expires_on: Option<NaiveDate>,
    /// Readable reasons (adverse-action style); never points or model internals.
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: Uuid,
    pub party_id: Uuid,
    pub currency: String,
    pub requested_limit: String,
    pub purpose: String,
    pub event_name: Option<String>,
    pub event_date: Option<NaiveDate>,
    pub status: String,
    pub decision: DecisionSummary,
    pub credit_line_id: Option<Uuid>,
    pub created_at: chrono::DateTime<Utc>,
}

impl ApplicationView {
    pub fn build(a: &ApplicationRow, line: Option<Uuid>) -> Result<ApplicationView, ApiError> {
        Ok(ApplicationView {
            id: a.id,
            party_id: a.party_id,
            currency: a.currency.clone(),
            requested_limit: amount(a.requested_limit, currency(&a.currency)?),
            purpose: a.purpose.clone(),
            event_name: a.event_name.clone(),
            event_date: a.event_date,
            status: a.status.clone(),
            decision: serde_json::from_value(a.decision.clone()).map_err(ApiError::internal)?,
            credit_line_id: line,
            created_at: a.created_at,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineView {
    pub id: Uuid,
    pub party_id: Uuid,
    pub currency: String,
    pub limit: String,
    pub used: String,
    pub available: String,
    pub annual_rate: String,
    pub max_tenor_days: i32,
    pub expires_on: NaiveDate,
    pub status: String,
    pub frozen_reason: Option<String>,
}

impl LineView {
    pub fn build(l: &LineRow) -> Result<LineView, ApiError> {
        let ccy = currency(&l.currency)?;
        Ok(LineView {
            id: l.id,
            party_id: l.party_id,
            currency: l.currency.clone(),
            limit: amount(l.limit_amount, ccy),
            used: amount(l.used_amount, ccy),
            available: amount(l.limit_amount - l.used_amount, ccy),
            annual_rate: l.annual_rate.normalize().to_string(),
            max_tenor_days: l.max_tenor_days,
            expires_on: l.expires_on,
            status: l.status.clone(),
            frozen_reason: l.frozen_reason.clone(),
        })
    }
}

impl NewApplication {
    fn into_row(self, party: Uuid) -> Result<ApplicationRow, ApiError> {
        if !self.consent_to_sales_data {
            return Err(ApiError::invalid(
                "consent_to_sales_data",
                "the decision needs consent to use the platform's sales data",
            ));
        }
        let ccy = Currency::parse(&self.currency)
            .map_err(|e| ApiError::invalid("currency", e.to_string()))?;
        let limit = Money::parse_positive(&self.requested_limit, ccy)
            .map_err(|e| ApiError::invalid("requested_limit", e.to_string()))?;
        let purpose = self.purpose.trim();
        crate::text::name("purpose", purpose)?;
        if purpose.is_empty() || purpose.len() > 200 {
            return Err(ApiError::invalid(
                "purpose",
                "purpose must have 1 to 200 characters",
            ));
        }
        if let Some(event) = &self.event_name {
            crate::text::name("event_name", event)?;
        }
        let now = Utc::now().trunc_subsecs(6);
        Ok(ApplicationRow {
            id: Uuid::now_v7(),
            party_id: party,
            currency: ccy.code().into(),
            requested_limit: limit.amount(),
            purpose: purpose.into(),
            event_name: self
                .event_name
                .map(|e| e.trim().chars().take(100).collect()),
            event_date: self.event_date,
            consent_given_at: now,
            status: "referred".into(),
            decision: serde_json::Value::Null,
            created_at: now,
        })
    }
}

/// Applies for a stock-up line; the engine decides inside the request.
#[utoipa::path(post, path = "/v1/credit-line-applications", tag = "credit lines", security(("bearer" = [])),
    request_body = NewApplication, params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ApplicationView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn apply(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody<NewApplication>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant])?;
    let party = caller.party().ok_or(ApiError::Forbidden)?;
    let hash = body.hash().to_string();
    let row = body.value.into_row(party)?;
    let (actor, policy, models) = (
        caller.actor(),
        state.policy.loans.clone(),
        state.policy.models.clone(),
    );
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Optional,
        move |conn| {
            let today = business_date(conn)?;
            let (application, line) =
                crate::lending::applications::decide(conn, &models, row, today, &policy, &actor)?;
            Ok((
                StatusCode::CREATED,
                ApplicationView::build(&application, line.map(|l| l.id))?,
            ))
        },
    )
    .await
}

/// One application with its decision (the merchant's own, or any for staff).
#[utoipa::path(get, path = "/v1/credit-line-applications/{id}", tag = "credit lines", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ApplicationView), (status = 404, body = ErrorBody)))]
pub async fn get_application(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant, Role::RiskOfficer, Role::Admin])?;
    let id = id.into_inner();
    let view = state
        .transaction(move |conn| {
            let a = credit_lines::find_application(conn, id)?;
            caller.ensure_can_see(&[a.party_id])?;
            let line = persistence::credit_lines::line_of_application(conn, id)?;
            ApplicationView::build(&a, line)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LineQuery {
    #[param(inline)]
    pub status: Option<LineStatus>,
    /// `true`: frozen lines only; `false`: lines that are not frozen.
    pub frozen: Option<bool>,
    /// Staff only: one party's lines.
    pub party_id: Option<Uuid>,
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// The caller's lines (staff: all).
#[utoipa::path(get, path = "/v1/credit-lines", tag = "credit lines", security(("bearer" = [])), params(LineQuery),
    responses((status = 200, body = Page<LineView>)))]
pub async fn list_lines(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<LineQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant, Role::RiskOfficer, Role::Admin])?;
    let limit = state.page_size(query.limit);
    let filter = LineFilter {
        party: if caller.role.is_staff() {
            query.party_id
        } else {
            caller.party()
        },
        status: query.status.map(|s| s.as_str()),
        frozen: query.frozen,
        after: query.after,
        limit,
    };
    let rows = state
        .transaction(move |conn| Ok(credit_lines::list_lines(conn, &filter)?))
        .await?;
    let views = rows
        .iter()
        .map(LineView::build)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page::new(views, limit, |v| v.id)))
}

/// One line.
#[utoipa::path(get, path = "/v1/credit-lines/{id}", tag = "credit lines", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = LineView), (status = 404, body = ErrorBody)))]
pub async fn get_line(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant, Role::RiskOfficer, Role::Admin])?;
    let id = id.into_inner();
    let line = state
        .transaction(move |conn| Ok(credit_lines::find_line(conn, id)?))
        .await?;
    caller.ensure_can_see(&[line.party_id])?;
    Ok(HttpResponse::Ok().json(LineView::build(&line)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
// Published under its own name: two request types called `NewDraw` collide in the OpenAPI.
#[schema(as = CreditLineDraw)]
pub struct NewDraw {
    #[schema(example = "10000.00")]
    pub amount: String,
    #[schema(example = 90)]
    pub tenor_days: u32,
    #[schema(value_type = RepaymentMethodSchema)]
    pub repayment_method: RepaymentMethod,
}

/// How a loan is repaid (the OpenAPI's picture of [`RepaymentMethod`]).
#[derive(ToSchema)]
#[schema(as = RepaymentMethod)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // documentation only: requests deserialize into `RepaymentMethod`
pub enum RepaymentMethodSchema {
    /// Interest and principal at maturity.
    Bullet,
    /// Monthly annuity installments.
    EqualInstallments,
}

/// Draws a loan on the line (merchant, `Idempotency-Key` required).
#[utoipa::path(post, path = "/v1/credit-lines/{id}/draws", tag = "credit lines", security(("bearer" = [])), request_body = NewDraw,
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = LoanView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draw(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewDraw>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let NewDraw {
        amount,
        tenor_days,
        repayment_method,
    } = body.into_inner();
    let ask = DrawOnLine {
        line_id: id.into_inner(),
        amount,
        tenor_days,
        method: repayment_method,
    };
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| draw::draw_on_line(ctx, ask),
        |(loan, schedule)| Reply::created(&LoanView::build(&loan, &schedule)?),
    )
    .await
}
