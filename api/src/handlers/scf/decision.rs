//! The credit decision for factoring and bill discounting: the one place that calls the
//! scoring engine for supply-chain finance.
//!
//! Both the supplier (or bill holder's acceptor) and the debtor are scored with the shipped
//! default model on the product's policy; the worse outcome wins, so a weak debtor cannot be
//! carried by a strong supplier. A requested amount above the engine's limit is referred.

use std::sync::OnceLock;

use chrono::NaiveDate;
use credit_scoring::{decide, CompiledModel, InputValue, Inputs, Outcome, ProductKind};
use diesel::PgConnection;
use persistence::parties::{self, PartyRecord};
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::error::ApiError;

fn model() -> Result<&'static CompiledModel, ApiError> {
    static MODEL: OnceLock<Result<CompiledModel, String>> = OnceLock::new();
    MODEL
        .get_or_init(|| credit_scoring::default_compiled_model().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(ApiError::internal)
}

/// What the engine said, with enough to reproduce it.
#[derive(Debug, Clone, Serialize)]
pub struct ScfDecision {
    pub outcome: Outcome,
    pub product: ProductKind,
    /// Per party scored: the engine's full decision.
    pub decisions: Vec<credit_scoring::Decision>,
    /// The smallest limit granted across the parties scored.
    pub credit_limit: Decimal,
}

impl ScfDecision {
    pub fn to_json(&self) -> Result<String, ApiError> {
        serde_json::to_string(self).map_err(ApiError::internal)
    }
}

/// The model's inputs from what Lendline knows about a party.
fn inputs_for(
    record: &PartyRecord,
    exposure: Decimal,
    requested: Decimal,
    on: NaiveDate,
) -> Inputs {
    let sales: Vec<Decimal> = record.monthly_sales.iter().map(|m| m.amount).collect();
    let mut inputs = Inputs::new()
        .with("sector", InputValue::Text(record.party.sector.clone()))
        .with("past_delinquencies", InputValue::Number(Decimal::ZERO))
        .with("max_days_past_due", InputValue::Number(Decimal::ZERO))
        .with("blacklisted", InputValue::Bool(false))
        .with("current_exposure", InputValue::Number(exposure))
        .with("requested_amount", InputValue::Number(requested));
    let opened = record
        .party
        .store_opened_on
        .unwrap_or(record.party.onboarded_on);
    inputs.insert(
        "store_age_days",
        InputValue::Number(Decimal::from((on - opened).num_days())),
    );
    if let Some(r) = record.party.returns_rate {
        inputs.insert("returns_rate", InputValue::Number(r));
    }
    if let (Some(max), Some(min)) = (sales.iter().max(), sales.iter().min()) {
        let count = Decimal::from(sales.len());
        let mean = sales.iter().copied().sum::<Decimal>() / count;
        inputs.insert("monthly_sales_avg", InputValue::Number(mean));
        // The spread relative to the mean: a square-root-free stand-in for volatility.
        if !mean.is_zero() {
            inputs.insert("sales_volatility", InputValue::Number((*max - *min) / mean));
        }
    }
    inputs
}

/// Scores each party for `product` on `requested` and combines the outcomes.
pub fn decide_parties(
    conn: &mut PgConnection,
    product: ProductKind,
    parties_scored: &[(Uuid, Decimal)],
    requested: Decimal,
    on: NaiveDate,
) -> Result<ScfDecision, ApiError> {
    let model = model()?;
    let mut decisions = Vec::with_capacity(parties_scored.len());
    for (party, exposure) in parties_scored {
        let record = parties::find(conn, *party)?;
        let inputs = inputs_for(&record, *exposure, requested, on);
        decisions.push(decide(model, product, &inputs).map_err(ApiError::internal)?);
    }
    let mut outcome = decisions
        .iter()
        .map(|d| d.outcome)
        .max()
        .unwrap_or(Outcome::Decline);
    let credit_limit = decisions
        .iter()
        .map(|d| d.credit_limit)
        .min()
        .unwrap_or(Decimal::ZERO);
    if outcome == Outcome::Approve && requested > credit_limit {
        outcome = Outcome::Refer;
    }
    Ok(ScfDecision {
        outcome,
        product,
        decisions,
        credit_limit,
    })
}

/// Factoring: the supplier and every debtor of the request.
pub fn decide_factoring(
    conn: &mut PgConnection,
    supplier: (Uuid, Decimal),
    debtors: &[(Uuid, Decimal)],
    advance: Decimal,
    on: NaiveDate,
) -> Result<ScfDecision, ApiError> {
    let mut scored = vec![supplier];
    scored.extend_from_slice(debtors);
    decide_parties(conn, ProductKind::Factoring, &scored, advance, on)
}

/// Bill discounting: the acceptor's risk decides.
pub fn decide_bill(
    conn: &mut PgConnection,
    acceptor: Uuid,
    proceeds: Decimal,
    on: NaiveDate,
) -> Result<ScfDecision, ApiError> {
    decide_parties(
        conn,
        ProductKind::BillDiscount,
        &[(acceptor, Decimal::ZERO)],
        proceeds,
        on,
    )
}
