//! Pool facilities: the borrowing base over a pool's eligible receivables, draws up to it, and
//! the overdrawn flag when settlements or ineligibility move the base below what is drawn.
//!
//! A pool receivable is eligible while it is financed and not yet due; settled or defaulted
//! receivables and those past due leave the base.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, SubsecRound, Utc};
use diesel::PgConnection;
use domain::factoring::{borrowing_base_by_debtor, BorrowingBase, DebtorTerms, Receivable};
use domain::money::{Currency, Money};
use domain::scf_postings;
use persistence::scf::factoring::{self as requests, RequestRow};
use persistence::scf::programs::{self, ProgramRow};
use persistence::scf::receivables::{self, ReceivableRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::factoring::{FactoringRequestView, EXPOSURE_ROUNDING};
use super::{money, post, record, stored_currency, stored_rate, today};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::state::AppState;

/// What one pool receivable counts against the limits: its face at the rate it is financed at.
pub fn exposure_of(r: &ReceivableRow, advance_rate: Decimal, c: Currency) -> Decimal {
    Money::new(r.amount * advance_rate, c)
        .round(EXPOSURE_ROUNDING)
        .amount()
}

fn eligible(r: &ReceivableRow, on: NaiveDate) -> bool {
    r.state == "financed" && r.due_date > on
}

/// A pool's terms: the advance rate each receivable is financed at (its debtor's program's)
/// and each debtor's concentration limit (from the same program).
pub struct PoolTerms {
    pub rates: BTreeMap<Uuid, Decimal>,
    pub concentration: BTreeMap<Uuid, Decimal>,
}

impl PoolTerms {
    /// From the programs of receivables about to be financed.
    pub fn of_programs(rows: &[ReceivableRow], programs: &BTreeMap<Uuid, ProgramRow>) -> Self {
        let mut terms = PoolTerms {
            rates: BTreeMap::new(),
            concentration: BTreeMap::new(),
        };
        for r in rows {
            if let Some(p) = programs.get(&r.program_id) {
                terms.rates.insert(r.id, p.advance_rate);
                terms
                    .concentration
                    .insert(r.debtor_id, p.concentration_limit);
            }
        }
        terms
    }

    /// As `pool` was financed: each receivable's recorded rate and its debtor's recorded limit
    /// (a pool from before per-debtor terms recorded its one limit for every debtor).
    pub fn load(
        conn: &mut PgConnection,
        pool: Uuid,
        rows: &[ReceivableRow],
    ) -> Result<Self, ApiError> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let recorded = requests::terms(conn, pool, &ids)?;
        let mut terms = PoolTerms {
            rates: BTreeMap::new(),
            concentration: BTreeMap::new(),
        };
        for r in rows {
            let link = recorded.get(&r.id).ok_or_else(|| {
                ApiError::internal(format!("receivable {} not in its pool", r.id))
            })?;
            let limit = link
                .concentration_limit
                .ok_or_else(|| ApiError::internal("a pool receivable without its limit"))?;
            terms.rates.insert(r.id, link.advance_rate);
            terms.concentration.entry(r.debtor_id).or_insert(limit);
        }
        Ok(terms)
    }

    /// The rate `r` is financed at.
    pub fn rate_of(&self, r: &ReceivableRow) -> Result<Decimal, ApiError> {
        self.rates
            .get(&r.id)
            .copied()
            .ok_or_else(|| ApiError::internal(format!("no advance rate for receivable {}", r.id)))
    }
}

/// The borrowing base of `pool` over its receivables as of `on` (zero when none is eligible):
/// each debtor lends at its own rate within its own concentration limit.
pub fn base_of(
    pool: &RequestRow,
    rows: &[ReceivableRow],
    terms: &PoolTerms,
    on: NaiveDate,
) -> Result<Money, ApiError> {
    let c = stored_currency(&pool.currency)?;
    Ok(breakdown(rows, terms, on, c)?.map_or(Money::zero(c), |b| b.borrowing_base))
}

/// What the pool lends against each debtor as of `on` (its share of the base, rounded down to
/// the minor unit): the amount each debtor is scored on.
pub fn debtor_shares(
    pool: &RequestRow,
    rows: &[ReceivableRow],
    terms: &PoolTerms,
    on: NaiveDate,
) -> Result<BTreeMap<Uuid, Decimal>, ApiError> {
    let c = stored_currency(&pool.currency)?;
    let Some(base) = breakdown(rows, terms, on, c)? else {
        return Ok(BTreeMap::new());
    };
    base.debtors
        .iter()
        .map(|d| {
            let debtor = Uuid::parse_str(&d.debtor).map_err(ApiError::internal)?;
            Ok((debtor, d.lent.round(EXPOSURE_ROUNDING).amount()))
        })
        .collect()
}

/// The base and its per-debtor parts over the eligible receivables; `None` when none is.
fn breakdown(
    rows: &[ReceivableRow],
    terms: &PoolTerms,
    on: NaiveDate,
    c: Currency,
) -> Result<Option<BorrowingBase>, ApiError> {
    let mut pool_items = Vec::new();
    let mut by_debtor: BTreeMap<String, DebtorTerms> = BTreeMap::new();
    // At creation the receivables are not financed yet; they are about to be.
    for r in rows
        .iter()
        .filter(|r| eligible(r, on) || (r.factoring_request_id.is_none() && r.due_date > on))
    {
        let rate = stored_rate(terms.rate_of(r)?)?;
        let limit = terms
            .concentration
            .get(&r.debtor_id)
            .copied()
            .ok_or_else(|| ApiError::internal("no concentration limit for a pool debtor"))?;
        let debtor = r.debtor_id.to_string();
        let own = by_debtor.entry(debtor.clone()).or_insert(DebtorTerms {
            advance_rate: rate,
            concentration_limit: stored_rate(limit)?,
        });
        // One program per debtor gives one rate; should a debtor's receivables differ, the
        // lowest applies.
        own.advance_rate = own.advance_rate.min(rate);
        pool_items.push(Receivable {
            debtor,
            eligible: money(r.amount, c),
        });
    }
    if pool_items.is_empty() {
        return Ok(None);
    }
    borrowing_base_by_debtor(&pool_items, &by_debtor)
        .map(Some)
        .map_err(|e| ApiError::unprocessable("pricing_refused", e.to_string(), None))
}

/// Recomputes the base of a locked pool from its receivables and flags an overdraw; answers
/// the receivables it read.
pub fn revalue(
    conn: &mut PgConnection,
    pool: &mut RequestRow,
    on: NaiveDate,
) -> Result<Vec<ReceivableRow>, ApiError> {
    let rows = receivables::by_request(conn, pool.id)?;
    let terms = PoolTerms::load(conn, pool.id, &rows)?;
    pool.borrowing_base = base_of(pool, &rows, &terms, on)?.amount();
    pool.overdrawn = pool.drawn_outstanding > pool.borrowing_base;
    pool.updated_at = Utc::now().trunc_subsecs(6);
    requests::save(conn, pool)?;
    Ok(rows)
}

fn pool_for(conn: &mut PgConnection, caller: &Caller, id: Uuid) -> Result<RequestRow, ApiError> {
    let row = requests::lock(conn, id)?;
    caller.ensure_can_see(&[row.supplier_id])?;
    if row.kind != "pool" {
        return Err(ApiError::NotFound);
    }
    Ok(row)
}

/// The pool, revalued as of today.
#[utoipa::path(get, path = "/v1/pools/{id}", tag = "supply-chain finance",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "the pool's factoring request id")),
    responses((status = 200, body = FactoringRequestView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .transaction(move |conn| {
            let mut pool = pool_for(conn, &caller, id)?;
            let ids = if pool.state == "funded" {
                let on = today(conn)?;
                revalue(conn, &mut pool, on)?
                    .into_iter()
                    .map(|r| r.id)
                    .collect()
            } else {
                requests::linked(conn, id)?
            };
            FactoringRequestView::build(&pool, ids)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
// Published under its own name: two request types called `NewDraw` collide in the OpenAPI.
#[schema(as = PoolDraw)]
pub struct NewDraw {
    #[schema(example = "50000.00")]
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DrawView {
    pub pool_id: Uuid,
    pub amount: String,
    pub service_fee: String,
    pub drawn_outstanding: String,
    pub borrowing_base: String,
}

/// Draws on a pool up to its borrowing base (the supplier). Requires an `Idempotency-Key`.
#[utoipa::path(post, path = "/v1/pools/{id}/draws", tag = "supply-chain finance",
    request_body = NewDraw, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = DrawView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn draw(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<NewDraw>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Supplier])?;
    let id = id.into_inner();
    let hash = body.hash().to_string();
    let requested = body.value.amount;
    let actor = caller.actor();
    let who = caller.clone();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let mut pool = pool_for(conn, &who, id)?;
            if pool.state != "funded" {
                return Err(ApiError::unprocessable(
                    "invalid_state",
                    "the pool is not approved",
                    None,
                ));
            }
            let c = stored_currency(&pool.currency)?;
            let amount = Money::parse_positive(&requested, c)
                .map_err(|e| ApiError::invalid("amount", e.to_string()))?;
            let on = today(conn)?;
            let rows = revalue(conn, &mut pool, on)?;
            let fee = service_fee(conn, &rows, amount)?;
            let owed = amount.checked_add(fee).map_err(ApiError::internal)?;
            let available = pool.borrowing_base - pool.drawn_outstanding;
            if owed.amount() > available {
                return Err(ApiError::unprocessable(
                    "exceeds_borrowing_base",
                    format!(
                        "the draw and its fee exceed what the base has available ({})",
                        crate::views::stored_amount(available, &pool.currency)
                    ),
                    Some("amount"),
                ));
            }
            pool.drawn_outstanding += owed.amount();
            pool.fees_total += fee.amount();
            requests::save(conn, &pool)?;
            post(
                conn,
                scf_postings::pool_draw(&id.to_string(), amount, fee, on),
            )?;
            let view = DrawView {
                pool_id: id,
                amount: crate::views::amount(amount.amount(), amount.currency()),
                service_fee: crate::views::amount(fee.amount(), fee.currency()),
                drawn_outstanding: crate::views::stored_amount(
                    pool.drawn_outstanding,
                    &pool.currency,
                ),
                borrowing_base: crate::views::stored_amount(pool.borrowing_base, &pool.currency),
            };
            record(
                conn,
                &format!("factoring:{id}"),
                &actor,
                "factoring.pool_draw",
                &view,
            )?;
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}

/// The highest service fee rate among the pool's programs, applied to the draw.
fn service_fee(
    conn: &mut PgConnection,
    rows: &[ReceivableRow],
    amount: Money,
) -> Result<Money, ApiError> {
    let mut rate = Decimal::ZERO;
    let mut seen = std::collections::BTreeSet::new();
    for r in rows {
        if seen.insert(r.program_id) {
            rate = rate.max(programs::find(conn, r.program_id)?.service_fee_rate);
        }
    }
    Ok(amount
        .checked_mul_rate(rate)
        .map_err(ApiError::internal)?
        .round(domain::money::RoundingMode::HalfUp))
}
