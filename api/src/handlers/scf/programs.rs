//! Factoring programs (admin) and supplier membership: a supplier applies, staff approve with a
//! limit from the scoring engine (capped by the program's per-supplier limit).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, SubsecRound, Utc};
use credit_scoring::Outcome;
use domain::money::Money;
use domain::rate::Rate;
use persistence::parties;
use persistence::scf::programs::{self, MemberRow, ProgramRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{currency, decision, record};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::state::AppState;
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

impl NewProgram {
    fn into_row(self, id: Uuid) -> Result<ProgramRow, ApiError> {
        let currency = currency(&self.currency)?;
        let positive = |field: &str, text: &str| {
            Money::parse_positive(text, currency)
                .map(|m| m.amount())
                .map_err(|e| ApiError::invalid(field, e.to_string()))
        };
        if !(1..=720).contains(&self.max_tenor_days) {
            return Err(ApiError::invalid(
                "max_tenor_days",
                "between 1 and 720 days",
            ));
        }
        if !(0..=365).contains(&self.grace_days) {
            return Err(ApiError::invalid("grace_days", "between 0 and 365 days"));
        }
        Ok(ProgramRow {
            id,
            core_enterprise_id: self.core_enterprise_id,
            currency: currency.code().to_string(),
            advance_rate: share("advance_rate", &self.advance_rate, false)?,
            discount_rate_annual: share("discount_rate_annual", &self.discount_rate_annual, true)?,
            service_fee_rate: share("service_fee_rate", &self.service_fee_rate, true)?,
            recourse: self.recourse,
            max_tenor_days: self.max_tenor_days,
            grace_days: self.grace_days,
            debtor_limit: positive("debtor_limit", &self.debtor_limit)?,
            supplier_limit: positive("supplier_limit", &self.supplier_limit)?,
            concentration_limit: share("concentration_limit", &self.concentration_limit, false)?,
            confirmation_required: self.confirmation_required,
            debtor_exposure: Decimal::ZERO,
            created_at: Utc::now().trunc_subsecs(6),
        })
    }
}

/// Creates the factoring program of a core enterprise (one per core enterprise).
#[utoipa::path(post, path = "/v1/factoring-programs", tag = "supply-chain finance",
    request_body = NewProgram, security(("bearer" = [])),
    responses((status = 201, body = ProgramView), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody<NewProgram>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let hash = body.hash().to_string();
    let row = body.value.into_row(Uuid::now_v7())?;
    let actor = caller.actor();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Optional,
        move |conn| {
            let debtor = parties::find(conn, row.core_enterprise_id)
                .map_err(|_| ApiError::invalid("core_enterprise_id", "no such core enterprise"))?;
            if debtor.party.kind != "core_enterprise" {
                return Err(ApiError::invalid(
                    "core_enterprise_id",
                    "the party is not a core enterprise",
                ));
            }
            programs::insert(conn, &row).map_err(|e| match e {
                persistence::RepoError::Conflict { .. } => ApiError::Conflict {
                    code: "duplicate",
                    message: "this core enterprise already has a factoring program".into(),
                    field: Some("core_enterprise_id".into()),
                    retry_after_seconds: None,
                },
                other => other.into(),
            })?;
            let view = ProgramView::from(&row);
            record(
                conn,
                &format!("program:{}", row.id),
                &actor,
                "program.created",
                &view,
            )?;
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}

/// Reads a program: staff, or its core enterprise.
#[utoipa::path(get, path = "/v1/factoring-programs/{id}", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ProgramView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = state
        .transaction(move |conn| Ok(programs::find(conn, id)?))
        .await?;
    caller.ensure_can_see(&[row.core_enterprise_id])?;
    Ok(HttpResponse::Ok().json(ProgramView::from(&row)))
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
    fn new(m: &MemberRow, currency: &str) -> Self {
        MemberView {
            program_id: m.program_id,
            supplier_id: m.supplier_id,
            status: m.status.clone(),
            supplier_limit: stored_amount(m.supplier_limit, currency),
            exposure: stored_amount(m.exposure, currency),
        }
    }
}

/// A supplier applies to join a program.
#[utoipa::path(post, path = "/v1/factoring-programs/{id}/suppliers", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 201, body = MemberView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn join(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Supplier])?;
    let supplier = caller.party().ok_or(ApiError::Forbidden)?;
    let program = id.into_inner();
    let actor = caller.actor();
    let view = state
        .transaction(move |conn| {
            let found = programs::find(conn, program)?;
            let row = MemberRow {
                program_id: program,
                supplier_id: supplier,
                status: "pending".into(),
                supplier_limit: Decimal::ZERO,
                exposure: Decimal::ZERO,
                decision: None,
                decided_by: None,
                created_at: Utc::now().trunc_subsecs(6),
            };
            programs::insert_member(conn, &row)?;
            let view = MemberView::new(&row, &found.currency);
            record(
                conn,
                &format!("program:{program}"),
                &actor,
                "program.supplier_applied",
                &view,
            )?;
            Ok(view)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Staff decide a supplier's application; approval asks the scoring engine for the limit.
#[utoipa::path(post, path = "/v1/factoring-programs/{id}/suppliers/{supplier_id}/approve",
    tag = "supply-chain finance", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("supplier_id" = Uuid, Path)),
    responses((status = 200, body = MemberView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn approve(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin, Role::RiskOfficer])?;
    let (program_id, supplier) = path.into_inner();
    let actor = caller.actor();
    let models = state.policy.models.clone();
    let view = state
        .transaction(move |conn| {
            let program = programs::find(conn, program_id)?;
            let mut member = programs::lock_member(conn, program_id, supplier)?;
            if member.status != "pending" {
                return Err(ApiError::unprocessable(
                    "invalid_state",
                    "already decided",
                    None,
                ));
            }
            let subject = format!("program_member:{program_id}:{supplier}");
            let ask = decision::Ask {
                models: &models,
                product: credit_scoring::ProductKind::Factoring,
                subject: &subject,
                actor: &actor,
                requested: Decimal::ZERO,
                on: crate::lending::business_date(conn)?,
            };
            let decided = decision::decide_parties(conn, &ask, &[(supplier, Decimal::ZERO)])?;
            let approved = decided.outcome != Outcome::Decline;
            member.status = if approved { "approved" } else { "declined" }.into();
            member.supplier_limit = if approved {
                decided.credit_limit.min(program.supplier_limit)
            } else {
                Decimal::ZERO
            };
            member.decision = Some(decided.to_json()?);
            member.decided_by = Some(actor.clone());
            programs::save_member(conn, &member)?;
            let view = MemberView::new(&member, &program.currency);
            record(
                conn,
                &format!("program:{program_id}"),
                &actor,
                "program.supplier_decided",
                &view,
            )?;
            Ok(view)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
