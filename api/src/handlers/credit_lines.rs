//! Credit lines: applying (decided by the scoring engine inside the request), reading lines,
//! and drawing loans on them.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use domain::money::{Currency, Money};
use persistence::credit_lines::{LineFilter, LineRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::filters::LineStatus;
use crate::handlers::loans::LoanView;
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::pagination::Page;
use crate::request::{Call, Reply};
use crate::usecases::lending::applications::{self, Application, Apply, DecisionRecord};
use crate::usecases::lending::draw::{self, DrawOnLine, RepaymentMethod};
use crate::usecases::lending::lines;
use crate::views::{amount, stored_amount};

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

impl TryFrom<(Uuid, NewApplication)> for Apply {
    type Error = ApiError;

    fn try_from((party, dto): (Uuid, NewApplication)) -> Result<Apply, ApiError> {
        if !dto.consent_to_sales_data {
            return Err(ApiError::invalid(
                "consent_to_sales_data",
                "the decision needs consent to use the platform's sales data",
            ));
        }
        let ccy = Currency::parse(&dto.currency)
            .map_err(|e| ApiError::invalid("currency", e.to_string()))?;
        let requested_limit = Money::parse_positive(&dto.requested_limit, ccy)
            .map_err(|e| ApiError::invalid("requested_limit", e.to_string()))?;
        let purpose = dto.purpose.trim();
        crate::text::name("purpose", purpose)?;
        if purpose.is_empty() || purpose.len() > 200 {
            return Err(ApiError::invalid(
                "purpose",
                "purpose must have 1 to 200 characters",
            ));
        }
        if let Some(event) = &dto.event_name {
            crate::text::name("event_name", event)?;
        }
        Ok(Apply {
            party,
            requested_limit,
            purpose: purpose.into(),
            event_name: dto.event_name.map(|e| e.trim().chars().take(100).collect()),
            event_date: dto.event_date,
        })
    }
}

/// The decision as the application shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
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

impl DecisionSummary {
    fn build(record: DecisionRecord, currency: &str) -> DecisionSummary {
        DecisionSummary {
            outcome: record.outcome,
            credit_limit: record.credit_limit.map(|l| stored_amount(l, currency)),
            annual_rate: record.annual_rate.map(|r| r.normalize().to_string()),
            max_tenor_days: record.max_tenor_days,
            expires_on: record.expires_on,
            reasons: record.reasons,
        }
    }
}

/// An application; answered to `POST` with the decision's `outcome`, `decision_id` and
/// `reasons` beside these fields (`status` and `decision` stay: clients read them).
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
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl ApplicationView {
    pub fn build(application: Application) -> Result<ApplicationView, ApiError> {
        let a = application.row;
        let record = DecisionRecord::of(&a)?;
        Ok(ApplicationView {
            id: a.id,
            party_id: a.party_id,
            requested_limit: amount(a.requested_limit, currency_of(&a.currency)?),
            decision: DecisionSummary::build(record, &a.currency),
            currency: a.currency,
            purpose: a.purpose,
            event_name: a.event_name,
            event_date: a.event_date,
            status: a.status,
            credit_line_id: application.line,
            created_at: a.created_at,
        })
    }
}

/// A stored currency code; one the domain does not know is a corrupt row (500).
fn currency_of(code: &str) -> Result<Currency, ApiError> {
    Currency::parse(code).map_err(ApiError::internal)
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
        let ccy = currency_of(&l.currency)?;
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

/// Applies for a stock-up line; the engine decides inside the request: 201 when approved
/// (the line is open) or referred (a risk officer decides), 200 when declined.
#[utoipa::path(post, path = "/v1/credit-line-applications", tag = "credit lines", security(("bearer" = [])),
    request_body = NewApplication, params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ApplicationView), (status = 200, body = ApplicationView, description = "declined"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn apply(call: Call, body: JsonBody<NewApplication>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = Apply::try_from((call.party()?, body.into_inner()))?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| applications::apply(ctx, ask),
        |decided| Reply::decided(decided, ApplicationView::build),
    )
    .await
}

/// One application with its decision (the merchant's own, or any for staff).
#[utoipa::path(get, path = "/v1/credit-line-applications/{id}", tag = "credit lines", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ApplicationView), (status = 404, body = ErrorBody)))]
pub async fn get_application(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| applications::find_application(ctx, id),
        |application| Reply::ok(&ApplicationView::build(application)?),
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LineQuery {
    #[param(inline)]
    pub status: Option<LineStatus>,
    /// `true`: frozen lines only; `false`: lines that are not frozen.
    pub frozen: Option<bool>,
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// The caller's lines (staff: all).
#[utoipa::path(get, path = "/v1/credit-lines", tag = "credit lines", security(("bearer" = [])), params(LineQuery),
    responses((status = 200, body = Page<LineView>)))]
pub async fn list_lines(
    call: Call,
    query: web::Query<LineQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = call.page_size(query.limit);
    let filter = LineFilter {
        party: None,
        status: query.status.map(|s| s.as_str()),
        frozen: query.frozen,
        after: query.after,
        limit,
    };
    call.read(
        move |ctx| lines::list_lines(ctx, filter),
        move |rows| {
            let views = rows.iter().map(LineView::build);
            Reply::ok(&Page::new(views.collect::<Result<_, _>>()?, limit, |v| {
                v.id
            }))
        },
    )
    .await
}

/// One line.
#[utoipa::path(get, path = "/v1/credit-lines/{id}", tag = "credit lines", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = LineView), (status = 404, body = ErrorBody)))]
pub async fn get_line(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| lines::find_line(ctx, id),
        |line| Reply::ok(&LineView::build(&line)?),
    )
    .await
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
