//! Factoring programs (admin) and supplier membership: a supplier applies, staff approve with a
//! limit from the scoring engine (capped by the program's per-supplier limit).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::money::{Currency, Money};
use domain::rate::Rate;
use persistence::scf::programs::{MemberRow, ProgramRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::currency;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::scf::programs;
use crate::views::stored_amount;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgram {
    pub core_enterprise_id: Uuid,
    #[schema(example = "CNY")]
    pub currency: String,
    #[schema(example = "0.80")]
    pub advance_rate: String,
    /// Annual discount rate charged on the advance to the due date.
    #[schema(example = "0.06")]
    pub discount_rate_annual: String,
    /// Share of face charged once per invoice (or per draw on a pool).
    #[schema(example = "0.005")]
    pub service_fee_rate: String,
    pub recourse: bool,
    #[schema(example = 180)]
    pub max_tenor_days: i32,
    #[schema(example = 15)]
    pub grace_days: i32,
    /// Total advance outstanding allowed on this core enterprise.
    #[schema(example = "5000000.00")]
    pub debtor_limit: String,
    /// Highest limit any one supplier can be approved for.
    #[schema(example = "1000000.00")]
    pub supplier_limit: String,
    /// Largest share of a pool one debtor may make up before the excess is ineligible.
    #[schema(example = "0.25")]
    pub concentration_limit: String,
    pub confirmation_required: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramView {
    pub id: Uuid,
    pub core_enterprise_id: Uuid,
    pub currency: String,
    pub advance_rate: String,
    pub discount_rate_annual: String,
    pub service_fee_rate: String,
    pub recourse: bool,
    pub max_tenor_days: i32,
    pub grace_days: i32,
    pub debtor_limit: String,
    pub supplier_limit: String,
    pub concentration_limit: String,
    pub confirmation_required: bool,
    pub debtor_exposure: String,
    pub created_at: DateTime<Utc>,
}

impl From<&ProgramRow> for ProgramView {
    fn from(p: &ProgramRow) -> Self {
        ProgramView {
            id: p.id,
            core_enterprise_id: p.core_enterprise_id,
            currency: p.currency.clone(),
            advance_rate: p.advance_rate.normalize().to_string(),
            discount_rate_annual: p.discount_rate_annual.normalize().to_string(),
            service_fee_rate: p.service_fee_rate.normalize().to_string(),
            recourse: p.recourse,
            max_tenor_days: p.max_tenor_days,
            grace_days: p.grace_days,
            debtor_limit: stored_amount(p.debtor_limit, &p.currency),
            supplier_limit: stored_amount(p.supplier_limit, &p.currency),
            concentration_limit: p.concentration_limit.normalize().to_string(),
            confirmation_required: p.confirmation_required,
            debtor_exposure: stored_amount(p.debtor_exposure, &p.currency),
            created_at: p.created_at,
        }
    }
}

fn share(field: &str, text: &str, allow_zero: bool) -> Result<Decimal, ApiError> {
    let rate = Rate::parse(text).map_err(|e| ApiError::invalid(field, e.to_string()))?;
    if rate.value() > Decimal::ONE || (!allow_zero && rate.is_zero()) {
        return Err(ApiError::invalid(
            field,
            format!("{field} must be a share between 0 and 1"),
        ));
    }
    Ok(rate.value())
}

impl TryFrom<NewProgram> for programs::NewProgram {
    type Error = ApiError;

    fn try_from(dto: NewProgram) -> Result<Self, ApiError> {
        let currency = currency(&dto.currency)?;
        let positive = |field: &str, text: &str| {
            Money::parse_positive(text, currency)
                .map(|m| m.amount())
                .map_err(|e| ApiError::invalid(field, e.to_string()))
        };
        if !(1..=720).contains(&dto.max_tenor_days) {
            return Err(ApiError::invalid(
                "max_tenor_days",
                "between 1 and 720 days",
            ));
        }
        if !(0..=365).contains(&dto.grace_days) {
            return Err(ApiError::invalid("grace_days", "between 0 and 365 days"));
        }
        Ok(programs::NewProgram {
            core_enterprise_id: dto.core_enterprise_id,
            currency,
            advance_rate: share("advance_rate", &dto.advance_rate, false)?,
            discount_rate_annual: share("discount_rate_annual", &dto.discount_rate_annual, true)?,
            service_fee_rate: share("service_fee_rate", &dto.service_fee_rate, true)?,
            recourse: dto.recourse,
            max_tenor_days: dto.max_tenor_days,
            grace_days: dto.grace_days,
            debtor_limit: positive("debtor_limit", &dto.debtor_limit)?,
            supplier_limit: positive("supplier_limit", &dto.supplier_limit)?,
            concentration_limit: share("concentration_limit", &dto.concentration_limit, false)?,
            confirmation_required: dto.confirmation_required,
        })
    }
}

/// Creates the factoring program of a core enterprise (one per core enterprise).
#[utoipa::path(post, path = "/v1/factoring-programs", tag = "supply-chain finance",
    request_body = NewProgram, security(("bearer" = [])),
    responses((status = 201, body = ProgramView), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(call: Call, body: JsonBody<NewProgram>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let new = programs::NewProgram::try_from(body.into_inner())?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| programs::create(ctx, new),
        |row| Reply::created(&ProgramView::from(&row)),
    )
    .await
}

/// Reads a program: staff, or its core enterprise.
#[utoipa::path(get, path = "/v1/factoring-programs/{id}", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ProgramView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| programs::find(ctx, id),
        |row| Reply::ok(&ProgramView::from(&row)),
    )
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub program_id: Uuid,
    pub supplier_id: Uuid,
    pub status: String,
    pub supplier_limit: String,
    pub exposure: String,
}

impl MemberView {
    /// A membership in its program's currency.
    fn new(m: &MemberRow, currency: Currency) -> Self {
        MemberView {
            program_id: m.program_id,
            supplier_id: m.supplier_id,
            status: m.status.clone(),
            supplier_limit: stored_amount(m.supplier_limit, currency.code()),
            exposure: stored_amount(m.exposure, currency.code()),
        }
    }
}

/// A supplier applies to join a program.
#[utoipa::path(post, path = "/v1/factoring-programs/{id}/suppliers", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 201, body = MemberView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn join(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let program = id.into_inner();
    call.run(
        KeyPolicy::Optional,
        None,
        move |ctx| programs::join(ctx, program),
        |(member, c)| Reply::created(&MemberView::new(&member, c)),
    )
    .await
}

/// Staff decide a supplier's application; approval asks the scoring engine for the limit.
#[utoipa::path(post, path = "/v1/factoring-programs/{id}/suppliers/{supplier_id}/approve",
    tag = "supply-chain finance", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("supplier_id" = Uuid, Path)),
    responses((status = 200, body = MemberView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn approve(call: Call, path: web::Path<(Uuid, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (program, supplier) = path.into_inner();
    call.run(
        KeyPolicy::Optional,
        None,
        move |ctx| programs::decide_member(ctx, program, supplier),
        |(member, c)| Reply::ok(&MemberView::new(&member, c)),
    )
    .await
}
