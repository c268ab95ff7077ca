//! A supplier's own standing in a factoring program: the terms it is financed on, its limit and
//! what is left of it, and what it owes on recourse claims. The core enterprise's exposure
//! across all its suppliers stays private to the program's owner and staff.

use actix_web::{web, HttpResponse};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::stored_currency;
use crate::error::{ApiError, ErrorBody};
use crate::request::{Call, Reply};
use crate::usecases::scf::programs::{self, Standing};
use crate::views::amount;

/// The terms a program finances its suppliers on.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramTermsView {
    pub program_id: Uuid,
    pub core_enterprise_id: Uuid,
    pub currency: String,
    pub advance_rate: String,
    pub discount_rate_annual: String,
    pub service_fee_rate: String,
    pub recourse: bool,
    pub max_tenor_days: i32,
    pub grace_days: i32,
    pub concentration_limit: String,
    pub confirmation_required: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SupplierStandingView {
    pub supplier_id: Uuid,
    /// `pending`, `approved` or `declined`.
    pub status: String,
    pub terms: ProgramTermsView,
    /// The limit the supplier was approved for (zero until approved).
    pub supplier_limit: String,
    /// Advances outstanding against that limit.
    pub exposure: String,
    /// What the supplier may still be advanced: limit less exposure, never below zero.
    pub available: String,
    /// What the supplier owes on recourse claims (defaulted invoices it bears), before any set-off.
    pub recourse_owed: String,
}

fn standing(s: &Standing) -> Result<SupplierStandingView, ApiError> {
    let (program, member) = (&s.program, &s.member);
    let c = stored_currency(&program.currency)?;
    let rate = |d: Decimal| d.normalize().to_string();
    Ok(SupplierStandingView {
        supplier_id: member.supplier_id,
        status: member.status.clone(),
        terms: ProgramTermsView {
            program_id: program.id,
            core_enterprise_id: program.core_enterprise_id,
            currency: program.currency.clone(),
            advance_rate: rate(program.advance_rate),
            discount_rate_annual: rate(program.discount_rate_annual),
            service_fee_rate: rate(program.service_fee_rate),
            recourse: program.recourse,
            max_tenor_days: program.max_tenor_days,
            grace_days: program.grace_days,
            concentration_limit: rate(program.concentration_limit),
            confirmation_required: program.confirmation_required,
        },
        supplier_limit: amount(member.supplier_limit, c),
        exposure: amount(member.exposure, c),
        available: amount(s.available, c),
        recourse_owed: amount(s.recourse_owed, c),
    })
}

/// A supplier's terms, limit and recourse claims in a program: the supplier itself, the
/// program's core enterprise, or staff.
#[utoipa::path(get, path = "/v1/factoring-programs/{id}/suppliers/{supplier_id}",
    tag = "supply-chain finance", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("supplier_id" = Uuid, Path)),
    responses((status = 200, body = SupplierStandingView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, path: web::Path<(Uuid, Uuid)>) -> Result<HttpResponse, ApiError> {
    let (program, supplier) = path.into_inner();
    call.read(
        move |ctx| programs::standing(ctx, program, supplier),
        |s| Reply::ok(&standing(&s)?),
    )
    .await
}
