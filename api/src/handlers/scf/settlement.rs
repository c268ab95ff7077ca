//! Settlement of financed receivables: the debtor's payment (full or short) and the default
//! after the due date plus grace days.
//!
//! A single invoice settles through `domain::factoring::settle`: the advance and fees are
//! repaid, the reserve absorbs dilution and the rest is released to the supplier; what is left
//! unpaid is borne as `scf_postings::shortfall_bearer` decides: dilution is a claim on the
//! supplier in every program, a default is one under recourse and a credit loss without. A pool
//! receivable's collection repays what the pool has drawn and remits the rest to the supplier; a
//! short-paid one just collects less, the supplier still owing what is drawn. A defaulted pool
//! receivable's share of what is drawn is borne the same way. The pool's base is then revalued.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, NaiveDate, SubsecRound, Utc};
use diesel::PgConnection;
use domain::factoring::{settle, FactoringQuote};
use domain::money::{Currency, Money};
use domain::scf_postings::{self, ShortfallBearer, ShortfallCause};
use domain::scf_state::ReceivableState;
use persistence::scf::factoring::{self as requests, RequestRow};
use persistence::scf::programs;
use persistence::scf::receivables::{self, ReceivableRow};
use persistence::scf::registry;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    business_date, eligibility, money, pools, post, record, stored_currency, stored_state,
};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::state::AppState;
use crate::views::amount;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    /// What the debtor paid: the face, or less (dilution).
    #[schema(example = "100000.00")]
    pub amount: String,
    /// The business date of the payment; today when absent.
    pub paid_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDefault {
    /// The business date on which the default is declared; must be after due date + grace.
    pub business_date: Option<NaiveDate>,
    /// What the debtor paid after all (e.g. from its insolvency), at most the face; nothing
    /// when absent. The rest is a credit shortfall, not dilution.
    #[schema(example = "60000.00")]
    pub recovered: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementView {
    pub receivable_id: Uuid,
    pub state: String,
    pub debtor_payment: String,
    pub repaid_to_factor: String,
    /// Paid out to the supplier (a single invoice's reserve left over; a pool collection's
    /// excess).
    pub reserve_released: String,
    /// Pools: taken from the collection against what the supplier owes on recourse claims.
    pub claims_set_off: String,
    pub dilution: String,
    /// Beyond the reserve, or a defaulted pool receivable's share of what is drawn: owed by the
    /// supplier or written off, as `shortfall_treatment` says.
    pub shortfall: String,
    /// `none`, `recourse_claim` or `credit_loss`; `pool` for a pool receivable with no shortfall.
    pub shortfall_treatment: String,
}

/// The single invoice's quote as it was fixed on its request.
fn stored_quote(req: &RequestRow, c: Currency) -> Result<FactoringQuote, ApiError> {
    let face = money(req.face_total, c);
    let advance = money(req.advance_total, c);
    let fees = money(req.fees_total, c);
    Ok(FactoringQuote {
        face,
        days: 0,
        advance,
        discount_fee: fees,
        service_fee: Money::zero(c),
        reserve: face.checked_sub(advance).map_err(ApiError::internal)?,
        owed_to_factor: advance.checked_add(fees).map_err(ApiError::internal)?,
    })
}

/// Settles a locked, financed receivable on `paid` (zero for a default).
fn settle_receivable(
    conn: &mut PgConnection,
    r: &mut ReceivableRow,
    paid: Money,
    on: NaiveDate,
    to: ReceivableState,
    actor: &str,
) -> Result<SettlementView, ApiError> {
    let from: ReceivableState = stored_state(&r.state)?;
    from.transition(to).map_err(super::transition_refused)?;
    let request_id = r
        .factoring_request_id
        .ok_or_else(|| ApiError::internal("financed without request"))?;
    let program = programs::find(conn, r.program_id)?;
    let mut req = requests::lock(conn, request_id)?;
    let c = stored_currency(&r.currency)?;
    let defaulted = to == ReceivableState::Defaulted;
    let cause = if defaulted {
        ShortfallCause::Default
    } else {
        ShortfallCause::Dilution
    };
    let bearer = scf_postings::shortfall_bearer(cause, program.recourse);
    let request = request_id.to_string();
    let supplier = r.supplier_id.to_string();
    // Limits before ledger balances: the order a funding takes them in.
    let exposure = if req.kind == "single" {
        req.advance_total
    } else {
        let rate = pools::PoolTerms::load(conn, request_id, std::slice::from_ref(r))?.rate_of(r)?;
        pools::exposure_of(r, rate, c)
    };
    eligibility::release_limits(conn, r.program_id, r.supplier_id, exposure)?;
    // What the supplier owes on recourse claims is paid from what it would receive.
    let claims = supplier_claims(conn, &supplier, c)?;
    // A default's unpaid rest is a credit shortfall, not dilution.
    let dilution = if defaulted {
        Decimal::ZERO
    } else {
        r.amount - paid.amount()
    };
    let view = if req.kind == "single" {
        let quote = stored_quote(&req, c)?;
        let s = settle(&quote, paid).map_err(|e| ApiError::invalid("amount", e.to_string()))?;
        let set_off = s.reserve_released.amount().min(claims);
        let how = scf_postings::Booking {
            cause,
            recourse: program.recourse,
            set_off: money(set_off, c),
        };
        post(
            conn,
            scf_postings::invoice_settlement(&request, &supplier, &quote, &s, &how, on),
        )?;
        req.state = "closed".into();
        req.updated_at = Utc::now().trunc_subsecs(6);
        requests::save(conn, &req)?;
        SettlementView {
            receivable_id: r.id,
            state: to.as_str().into(),
            debtor_payment: amount(s.debtor_payment.amount(), c),
            repaid_to_factor: amount(s.repaid_to_factor.amount(), c),
            reserve_released: amount(s.reserve_released.amount() - set_off, c),
            claims_set_off: amount(set_off, c),
            dilution: amount(dilution, c),
            shortfall: amount(s.recourse_amount.amount(), c),
            shortfall_treatment: treatment(bearer, s.recourse_amount, "none").into(),
        }
    } else {
        // What the debtor paid repays the pool first, then the supplier's recourse claims; only
        // the rest is remitted.
        let applied = paid.amount().min(req.drawn_outstanding);
        let set_off = (paid.amount() - applied).min(claims);
        if paid.is_positive() {
            post(
                conn,
                scf_postings::pool_collection(
                    &request,
                    &supplier,
                    paid,
                    money(applied, c),
                    money(set_off, c),
                    on,
                ),
            )?;
        }
        // A default: the receivable's share of what is still drawn, net of its own recovery.
        let shortfall = if defaulted {
            (exposure - applied)
                .min(req.drawn_outstanding - applied)
                .max(Decimal::ZERO)
        } else {
            Decimal::ZERO
        };
        if shortfall > Decimal::ZERO {
            post(
                conn,
                scf_postings::pool_default(&request, &supplier, money(shortfall, c), bearer, on),
            )?;
        }
        req.drawn_outstanding -= applied + shortfall;
        SettlementView {
            receivable_id: r.id,
            state: to.as_str().into(),
            debtor_payment: amount(paid.amount(), c),
            repaid_to_factor: amount(applied, c),
            reserve_released: amount(paid.amount() - applied - set_off, c),
            claims_set_off: amount(set_off, c),
            dilution: amount(dilution, c),
            shortfall: amount(shortfall, c),
            shortfall_treatment: treatment(bearer, money(shortfall, c), "pool").into(),
        }
    };
    r.state = to.as_str().into();
    r.paid_amount = Some(paid.amount());
    r.updated_at = Utc::now().trunc_subsecs(6);
    receivables::save(conn, r)?;
    registry::set_encumbered(conn, r.id, false)?;
    if req.kind == "pool" {
        pools::revalue(conn, &mut req, on)?;
    }
    record(
        conn,
        &format!("receivable:{}", r.id),
        actor,
        &format!("receivable.{}", to.as_str()),
        &view,
    )?;
    record(
        conn,
        &format!("factoring:{request_id}"),
        actor,
        "factoring.receivable_closed",
        &view,
    )?;
    Ok(view)
}

/// What the supplier owes on recourse claims (zero when it owes nothing), read under a lock
/// that settlements of this supplier take in turn until they commit. Only settlements lower
/// this account, so a claim set off by one is never set off again by another.
fn supplier_claims(
    conn: &mut PgConnection,
    supplier: &str,
    c: Currency,
) -> Result<Decimal, ApiError> {
    let account =
        domain::ledger::Account::of("recourse_receivable", supplier).map_err(ApiError::internal)?;
    persistence::ledger::serialise_on(conn, &account)?;
    Ok(persistence::ledger::balance(conn, &account, c.code())?.max(Decimal::ZERO))
}

/// How the view names the shortfall's treatment; `none` is its name when there is no shortfall.
fn treatment(bearer: ShortfallBearer, shortfall: Money, none: &'static str) -> &'static str {
    match (shortfall.is_zero(), bearer) {
        (true, _) => none,
        (false, ShortfallBearer::Supplier) => "recourse_claim",
        (false, ShortfallBearer::Factor) => "credit_loss",
    }
}

/// Records the debtor's payment of a financed receivable (staff). Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/v1/receivables/{id}/payments", tag = "supply-chain finance",
    request_body = NewPayment, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = SettlementView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn pay(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<NewPayment>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = id.into_inner();
    let hash = body.hash().to_string();
    let payment = body.value;
    let actor = caller.actor();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let mut r = receivables::lock(conn, id)?;
            let c = stored_currency(&r.currency)?;
            let paid = Money::parse_positive(&payment.amount, c)
                .map_err(|e| ApiError::invalid("amount", e.to_string()))?;
            if paid.amount() > r.amount {
                return Err(ApiError::invalid(
                    "amount",
                    "a payment cannot exceed the face value",
                ));
            }
            let on = business_date(conn, payment.paid_on, "paid_on")?;
            let view = settle_receivable(conn, &mut r, paid, on, ReceivableState::Settled, &actor)?;
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}

/// Declares a financed receivable defaulted once it is past due plus grace (staff).
#[utoipa::path(post, path = "/v1/receivables/{id}/default", tag = "supply-chain finance",
    request_body = NewDefault, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = SettlementView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn default(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<NewDefault>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin, Role::RiskOfficer])?;
    let id = id.into_inner();
    let hash = body.hash().to_string();
    let (given, recovered) = (body.value.business_date, body.value.recovered);
    let actor = caller.actor();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let on = business_date(conn, given, "business_date")?;
            let mut r = receivables::lock(conn, id)?;
            let c = stored_currency(&r.currency)?;
            let recovered = match recovered.as_deref() {
                Some(text) => Money::parse_non_negative(text, c)
                    .map_err(|e| ApiError::invalid("recovered", e.to_string()))?,
                None => Money::zero(c),
            };
            if recovered.amount() > r.amount {
                return Err(ApiError::invalid(
                    "recovered",
                    "a recovery cannot exceed the face value",
                ));
            }
            let program = programs::find(conn, r.program_id)?;
            let grace_end = r.due_date + Duration::days(i64::from(program.grace_days));
            if on <= grace_end {
                return Err(ApiError::unprocessable(
                    "not_past_grace",
                    format!("the receivable is in grace until {grace_end}"),
                    Some("business_date"),
                ));
            }
            let view = settle_receivable(
                conn,
                &mut r,
                recovered,
                on,
                ReceivableState::Defaulted,
                &actor,
            )?;
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}
