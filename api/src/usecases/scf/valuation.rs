//! Valuing a pool: the borrowing base over its eligible receivables, each debtor lending at
//! its own program's advance rate within its own concentration limit, and the overdrawn flag
//! when settlements or ineligibility move the base below what is drawn.
//!
//! A pool receivable is eligible while it is financed and not yet due; settled or defaulted
//! receivables and those past due leave the base.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::PgConnection;
use domain::factoring::{borrowing_base_by_debtor, BorrowingBase, DebtorTerms, Receivable};
use domain::money::{Currency, Money, RoundingMode};
use domain::scf_state::ReceivableState;
use persistence::scf::factoring::{self as requests, RequestRow};
use persistence::scf::programs::ProgramRow;
use persistence::scf::receivables::{self, ReceivableRow};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{money, stored_currency, stored_rate};
use crate::usecases::{Context, UseCaseError};

/// The rounding used for per-receivable exposure: down, so that the sum never exceeds the base.
pub const EXPOSURE_ROUNDING: RoundingMode = RoundingMode::Down;

/// What one pool receivable counts against the limits: its face at the rate it is financed at.
pub fn exposure_of(r: &ReceivableRow, advance_rate: Decimal, c: Currency) -> Decimal {
    Money::new(r.amount * advance_rate, c)
        .round(EXPOSURE_ROUNDING)
        .amount()
}

fn eligible(r: &ReceivableRow, on: NaiveDate) -> bool {
    r.state.parse() == Ok(ReceivableState::Financed) && r.due_date > on
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
        supplier: Uuid,
        pool: Uuid,
        rows: &[ReceivableRow],
    ) -> Result<Self, UseCaseError> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let recorded = requests::terms(conn, supplier, pool, &ids)?;
        let mut terms = PoolTerms {
            rates: BTreeMap::new(),
            concentration: BTreeMap::new(),
        };
        for r in rows {
            let link = recorded.get(&r.id).ok_or_else(|| {
                UseCaseError::corrupt("pool terms", format!("receivable {} not in its pool", r.id))
            })?;
            let limit = link.concentration_limit.ok_or_else(|| {
                UseCaseError::corrupt("pool terms", "a pool receivable without its limit")
            })?;
            terms.rates.insert(r.id, link.advance_rate);
            terms.concentration.entry(r.debtor_id).or_insert(limit);
        }
        Ok(terms)
    }

    /// The rate `r` is financed at.
    pub fn rate_of(&self, r: &ReceivableRow) -> Result<Decimal, UseCaseError> {
        self.rates.get(&r.id).copied().ok_or_else(|| {
            UseCaseError::corrupt(
                "pool terms",
                format!("no advance rate for receivable {}", r.id),
            )
        })
    }
}

/// The borrowing base of `pool` over its receivables as of `on` (zero when none is eligible):
/// each debtor lends at its own rate within its own concentration limit.
pub fn base_of(
    pool: &RequestRow,
    rows: &[ReceivableRow],
    terms: &PoolTerms,
    on: NaiveDate,
) -> Result<Money, UseCaseError> {
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
) -> Result<BTreeMap<Uuid, Decimal>, UseCaseError> {
    let c = stored_currency(&pool.currency)?;
    let Some(base) = breakdown(rows, terms, on, c)? else {
        return Ok(BTreeMap::new());
    };
    base.debtors
        .iter()
        .map(|d| {
            let debtor =
                Uuid::parse_str(&d.debtor).map_err(|e| UseCaseError::corrupt("debtor id", e))?;
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
) -> Result<Option<BorrowingBase>, UseCaseError> {
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
            .ok_or_else(|| {
                UseCaseError::corrupt("pool terms", "no concentration limit for a pool debtor")
            })?;
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
        .map_err(|e| UseCaseError::refused("pricing_refused", e.to_string(), None))
}

/// Recomputes the base of a locked pool from its receivables and flags an overdraw; answers
/// the receivables it read.
pub fn revalue(
    ctx: &mut Context<'_>,
    pool: &mut RequestRow,
    on: NaiveDate,
) -> Result<Vec<ReceivableRow>, UseCaseError> {
    let rows = receivables::by_request(ctx.conn, pool.supplier_id, pool.id)?;
    let terms = PoolTerms::load(ctx.conn, pool.supplier_id, pool.id, &rows)?;
    pool.borrowing_base = base_of(pool, &rows, &terms, on)?.amount();
    pool.overdrawn = pool.drawn_outstanding > pool.borrowing_base;
    pool.updated_at = ctx.now;
    requests::save(ctx.conn, pool)?;
    Ok(rows)
}
