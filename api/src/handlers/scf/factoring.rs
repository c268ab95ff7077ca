//! Factoring requests: one receivable (single invoice, funded at once) or several (a pool the
//! supplier then draws on up to its borrowing base). Eligibility and limits are checked under
//! row locks; the scoring engine approves, refers or declines.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use credit_scoring::{Outcome, ProductKind};
use diesel::PgConnection;
use domain::factoring::{factoring_quote, FactoringInput, FactoringQuote, FactoringTerms};
use domain::money::{Currency, RoundingMode};
use domain::scf_postings;
use domain::scf_state::ReceivableState;
use persistence::reviews::{self, NewReview};
use persistence::scf::factoring::{self as requests, RequestRow};
use persistence::scf::programs::ProgramRow;
use persistence::scf::receivables::{self, ReceivableRow};
use persistence::scf::registry;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::eligibility::{self, Locked};
use super::{decision, money, notice, pools, post, record, stored_currency, stored_rate, today};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::scoring_service::ModelCache;
use crate::state::AppState;
use crate::views::amount;

const MAX_POOL_SIZE: usize = 500;
/// The subject kind of factoring cases in the review queue.
pub const REVIEW_KIND: &str = "factoring_request";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFactoringRequest {
    /// One receivable for single-invoice factoring, several for a pool.
    pub receivable_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FactoringRequestView {
    pub id: Uuid,
    pub supplier_id: Uuid,
    /// `single` or `pool`.
    pub kind: String,
    /// `funded`, `referred`, `declined` or `closed`.
    pub state: String,
    pub currency: String,
    pub face_total: String,
    pub advance_total: String,
    pub fees_total: String,
    pub borrowing_base: String,
    pub drawn_outstanding: String,
    pub overdrawn: bool,
    pub receivable_ids: Vec<Uuid>,
    /// The scoring engine's decision (outcome, reasons, per-party details).
    #[schema(value_type = Object)]
    pub decision: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl FactoringRequestView {
    pub fn build(row: &RequestRow, receivable_ids: Vec<Uuid>) -> Result<Self, ApiError> {
        let c = stored_currency(&row.currency)?;
        Ok(FactoringRequestView {
            id: row.id,
            supplier_id: row.supplier_id,
            kind: row.kind.clone(),
            state: row.state.clone(),
            currency: row.currency.clone(),
            face_total: amount(row.face_total, c),
            advance_total: amount(row.advance_total, c),
            fees_total: amount(row.fees_total, c),
            borrowing_base: amount(row.borrowing_base, c),
            drawn_outstanding: amount(row.drawn_outstanding, c),
            overdrawn: row.overdrawn,
            receivable_ids,
            decision: serde_json::from_str(&row.decision).map_err(ApiError::internal)?,
            created_at: row.created_at,
        })
    }
}

pub fn terms(program: &ProgramRow) -> Result<FactoringTerms, ApiError> {
    Ok(FactoringTerms {
        advance_rate: stored_rate(program.advance_rate)?,
        discount_rate: stored_rate(program.discount_rate_annual)?,
        service_fee_rate: stored_rate(program.service_fee_rate)?,
        basis_days: 360,
    })
}

/// Prices a single invoice financed on `on`.
fn quote(
    r: &ReceivableRow,
    program: &ProgramRow,
    c: Currency,
    on: NaiveDate,
) -> Result<FactoringQuote, ApiError> {
    let face = money(r.amount, c);
    let q = factoring_quote(&FactoringInput {
        face,
        eligible: face,
        purchase_date: on,
        due_date: r.due_date,
        terms: terms(program)?,
    })
    .map_err(|e| ApiError::unprocessable("pricing_refused", e.to_string(), None))?;
    let fees = q.discount_fee.amount() + q.service_fee.amount();
    if fees > q.reserve.amount() {
        return Err(ApiError::unprocessable(
            "fees_exceed_reserve",
            "the fees to the due date would exceed the reserve",
            Some("receivable_ids"),
        ));
    }
    Ok(q)
}

/// Submits a factoring request (supplier). Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/v1/factoring-requests", tag = "supply-chain finance",
    request_body = NewFactoringRequest, security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "required: this moves money")),
    responses((status = 201, body = FactoringRequestView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: JsonBody<NewFactoringRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Supplier])?;
    let supplier = caller.party().ok_or(ApiError::Forbidden)?;
    let hash = body.hash().to_string();
    let mut ids = body.value.receivable_ids;
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_POOL_SIZE {
        return Err(ApiError::invalid(
            "receivable_ids",
            format!("1 to {MAX_POOL_SIZE} receivables"),
        ));
    }
    let actor = caller.actor();
    let models = state.models.clone();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let on = today(conn)?;
            let mut locked = eligibility::lock_and_check(conn, supplier, &ids, on)?;
            let view = if ids.len() == 1 {
                single(conn, &mut locked, supplier, &actor, &models)?
            } else {
                pool(conn, &mut locked, supplier, &actor, &models)?
            };
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}

fn new_request(supplier: Uuid, kind: &str, c: Currency, face: Decimal) -> RequestRow {
    let now = Utc::now().trunc_subsecs(6);
    RequestRow {
        id: Uuid::now_v7(),
        supplier_id: supplier,
        kind: kind.into(),
        state: "declined".into(),
        currency: c.code().into(),
        face_total: face,
        advance_total: Decimal::ZERO,
        fees_total: Decimal::ZERO,
        advance_rate: Decimal::ZERO,
        concentration_limit: None,
        drawn_outstanding: Decimal::ZERO,
        borrowing_base: Decimal::ZERO,
        overdrawn: false,
        decision: String::new(),
        created_at: now,
        updated_at: now,
    }
}

/// The review case of a referred request, in the risk officers' queue shared with loans.
fn open_review(conn: &mut PgConnection, row: &RequestRow, amount: Decimal) -> Result<(), ApiError> {
    let engine_decision = serde_json::from_str(&row.decision).map_err(ApiError::internal)?;
    reviews::open(
        conn,
        &NewReview {
            subject_kind: REVIEW_KIND.into(),
            subject_id: row.id,
            party_id: row.supplier_id,
            product: ProductKind::Factoring.as_str().into(),
            amount,
            currency: row.currency.clone(),
            engine_decision,
        },
        Utc::now(),
    )?;
    Ok(())
}

/// Marks the receivables financed by `request` and tells the registry they are encumbered.
fn mark_financed(
    conn: &mut PgConnection,
    rows: &mut [ReceivableRow],
    request: Uuid,
    actor: &str,
) -> Result<(), ApiError> {
    for r in rows.iter_mut() {
        let from: ReceivableState = super::stored_state(&r.state)?;
        from.transition(ReceivableState::Financed)
            .map_err(super::transition_refused)?;
        r.state = ReceivableState::Financed.as_str().into();
        r.factoring_request_id = Some(request);
        r.updated_at = Utc::now().trunc_subsecs(6);
        receivables::save(conn, r)?;
        registry::set_encumbered(conn, r.id, true)?;
        record(
            conn,
            &format!("receivable:{}", r.id),
            actor,
            "receivable.financed",
            &serde_json::json!({"factoring_request_id": request, "from": from.as_str()}),
        )?;
        notice::assignment(conn, r, request, actor)?;
    }
    Ok(())
}

fn single(
    conn: &mut PgConnection,
    locked: &mut Locked,
    supplier: Uuid,
    actor: &str,
    models: &ModelCache,
) -> Result<FactoringRequestView, ApiError> {
    let r = locked
        .receivables
        .first()
        .cloned()
        .ok_or(ApiError::NotFound)?;
    let program = locked
        .programs
        .get(&r.program_id)
        .cloned()
        .ok_or_else(|| ApiError::internal("program"))?;
    let c = stored_currency(&r.currency)?;
    let on = today(conn)?;
    let q = quote(&r, &program, c, on)?;
    let member_exposure = locked
        .members
        .get(&r.program_id)
        .map_or(Decimal::ZERO, |m| m.exposure);
    let mut row = new_request(supplier, "single", c, q.face.amount());
    let subject = format!("factoring:{}", row.id);
    let ask = decision::Ask {
        models,
        product: ProductKind::Factoring,
        subject: &subject,
        actor,
        requested: q.advance.amount(),
    };
    let decided = decision::decide_factoring(
        conn,
        &ask,
        (supplier, member_exposure),
        &[(r.debtor_id, program.debtor_exposure)],
    )?;
    row.advance_rate = program.advance_rate;
    row.advance_total = q.advance.amount();
    row.fees_total = q.discount_fee.amount() + q.service_fee.amount();
    row.decision = decided.to_json()?;
    row.state = match decided.outcome {
        Outcome::Approve => "funded",
        Outcome::Refer => "referred",
        Outcome::Decline => "declined",
    }
    .into();
    requests::insert(conn, &row)?;
    if decided.outcome == Outcome::Refer {
        open_review(conn, &row, q.advance.amount())?;
    }
    if decided.outcome == Outcome::Approve {
        eligibility::reserve_limits(
            conn,
            locked,
            &BTreeMap::from([(r.program_id, q.advance.amount())]),
        )?;
        let mut rows = locked.receivables.clone();
        mark_financed(conn, &mut rows, row.id, actor)?;
        post(
            conn,
            scf_postings::invoice_funding(&row.id.to_string(), &supplier.to_string(), &q, on),
        )?;
    }
    record(
        conn,
        &format!("factoring:{}", row.id),
        actor,
        &format!("factoring.{}", row.state),
        &serde_json::json!({"receivable_id": r.id, "advance": q.advance, "discount_fee": q.discount_fee,
            "service_fee": q.service_fee, "reserve": q.reserve}),
    )?;
    FactoringRequestView::build(&row, vec![r.id])
}

fn pool(
    conn: &mut PgConnection,
    locked: &mut Locked,
    supplier: Uuid,
    actor: &str,
    models: &ModelCache,
) -> Result<FactoringRequestView, ApiError> {
    let c = stored_currency(
        &locked
            .receivables
            .first()
            .ok_or(ApiError::NotFound)?
            .currency,
    )?;
    // Several programs may meet in one pool: the strictest terms apply.
    let advance_rate = locked
        .programs
        .values()
        .map(|p| p.advance_rate)
        .min()
        .unwrap_or(Decimal::ZERO);
    let concentration = locked
        .programs
        .values()
        .map(|p| p.concentration_limit)
        .min()
        .unwrap_or(Decimal::ZERO);
    let mut row = new_request(
        supplier,
        "pool",
        c,
        locked.receivables.iter().map(|r| r.amount).sum(),
    );
    row.advance_rate = advance_rate;
    row.concentration_limit = Some(concentration);
    let on = today(conn)?;
    let base = pools::base_of(&row, &locked.receivables, on)?;
    // Each receivable counts against the limits at its full advance, ignoring concentration:
    // the exposure is overstated rather than understated.
    let mut exposure: BTreeMap<Uuid, Decimal> = BTreeMap::new();
    for r in &locked.receivables {
        *exposure.entry(r.program_id).or_default() += pools::exposure_of(r, advance_rate, c);
    }
    let debtors: Vec<(Uuid, Decimal)> = locked
        .programs
        .values()
        .map(|p| (p.core_enterprise_id, p.debtor_exposure))
        .collect();
    let member_exposure = locked.members.values().map(|m| m.exposure).sum();
    let subject = format!("factoring:{}", row.id);
    let ask = decision::Ask {
        models,
        product: ProductKind::Factoring,
        subject: &subject,
        actor,
        requested: base.amount(),
    };
    let decided = decision::decide_factoring(conn, &ask, (supplier, member_exposure), &debtors)?;
    row.decision = decided.to_json()?;
    row.borrowing_base = base.amount();
    row.advance_total = base.amount();
    row.state = match decided.outcome {
        Outcome::Approve => "funded",
        Outcome::Refer => "referred",
        Outcome::Decline => "declined",
    }
    .into();
    requests::insert(conn, &row)?;
    if decided.outcome == Outcome::Refer {
        open_review(conn, &row, base.amount())?;
    }
    if decided.outcome == Outcome::Approve {
        eligibility::reserve_limits(conn, locked, &exposure)?;
        let mut rows = locked.receivables.clone();
        mark_financed(conn, &mut rows, row.id, actor)?;
    }
    record(
        conn,
        &format!("factoring:{}", row.id),
        actor,
        &format!("factoring.pool_{}", row.state),
        &serde_json::json!({"receivables": locked.receivables.len(), "borrowing_base": base}),
    )?;
    FactoringRequestView::build(&row, locked.receivables.iter().map(|r| r.id).collect())
}

/// Reads a factoring request: its supplier or staff.
#[utoipa::path(get, path = "/v1/factoring-requests/{id}", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = FactoringRequestView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (row, ids) = state
        .transaction(move |conn| {
            let row = requests::find(conn, id)?;
            let ids = receivables::by_request(conn, id)?
                .into_iter()
                .map(|r| r.id)
                .collect();
            Ok((row, ids))
        })
        .await?;
    caller.ensure_can_see(&[row.supplier_id])?;
    Ok(HttpResponse::Ok().json(FactoringRequestView::build(&row, ids)?))
}

/// The rounding used for per-receivable exposure: down, so that the sum never exceeds the base.
pub const EXPOSURE_ROUNDING: RoundingMode = RoundingMode::Down;
