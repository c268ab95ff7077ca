//! Scoring repository: immutable model versions, champion/challenger assignments per product,
//! and append-only credit decisions with their evidence.
//!
//! Rows hold plain columns; the API converts them to and from `credit-scoring` types.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types as sql;
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use crate::audit::Tail;
use crate::error::RepoError;
use crate::schema::{
    credit_decision_evidence, credit_decisions, scoring_assignments, scoring_models,
};
use crate::together::together;

/// One stored model version; `document` is canonical JSON and never changes once stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = scoring_models)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ModelRow {
    pub id: String,
    pub version: i32,
    pub document: String,
    pub document_sha256: String,
    pub description: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

/// A model version without its document, for listings.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = scoring_models)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ModelSummaryRow {
    pub id: String,
    pub version: i32,
    pub document_sha256: String,
    pub description: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

/// Which model decides (`champion`) or shadows (`challenger`) a product.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = scoring_assignments)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct AssignmentRow {
    pub product: String,
    pub role: String,
    pub model_id: String,
    pub model_version: i32,
    pub challenger_share_bps: i32,
    pub assigned_by: String,
    pub assigned_at: DateTime<Utc>,
}

/// One credit decision, the part a party may see; shadows name the champion decision they
/// accompanied.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = credit_decisions)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct DecisionRow {
    pub id: Uuid,
    pub party_id: Uuid,
    pub product: String,
    pub subject: String,
    pub model_id: String,
    pub model_version: i32,
    pub outcome: String,
    pub credit_limit: Decimal,
    pub rate_annual: Decimal,
    pub currency: String,
    pub reasons: Value,
    pub decided_at: DateTime<Utc>,
    pub decided_by: String,
    pub is_shadow: bool,
    pub champion_decision_id: Option<Uuid>,
}

/// What explains and reproduces a decision: the model's internals, for staff only.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = credit_decision_evidence)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct EvidenceRow {
    pub decision_id: Uuid,
    pub score: f64,
    pub grade: String,
    pub probability_of_default: f64,
    pub inputs: Value,
    pub feature_points: Value,
    pub rules_fired: Value,
    /// The party decided on (the decision's): evidence sits beside its decision.
    pub party_id: Uuid,
}

/// Stores a new model version; the same (id, version) again is a `Conflict`.
pub fn insert_model(conn: &mut PgConnection, row: &ModelRow) -> Result<(), RepoError> {
    diesel::insert_into(scoring_models::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Stores a model version unless one with the same (id, version) exists; answers whether it
/// was stored. Concurrent callers wait for each other on the key, so exactly one stores it.
pub fn insert_model_if_absent(conn: &mut PgConnection, row: &ModelRow) -> Result<bool, RepoError> {
    let stored = diesel::insert_into(scoring_models::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(stored == 1)
}

pub fn find_model(conn: &mut PgConnection, id: &str, version: i32) -> Result<ModelRow, RepoError> {
    Ok(scoring_models::table
        .find((id, version))
        .select(ModelRow::as_select())
        .first(conn)?)
}

/// The digest of a stored version, `None` when it is not stored.
pub fn model_digest(
    conn: &mut PgConnection,
    id: &str,
    version: i32,
) -> Result<Option<String>, RepoError> {
    Ok(scoring_models::table
        .find((id, version))
        .select(scoring_models::document_sha256)
        .first(conn)
        .optional()?)
}

/// Every stored version, by id then version.
pub fn list_models(conn: &mut PgConnection) -> Result<Vec<ModelSummaryRow>, RepoError> {
    Ok(scoring_models::table
        .order((scoring_models::id.asc(), scoring_models::version.asc()))
        .select(ModelSummaryRow::as_select())
        .load(conn)?)
}

/// Sets the model for (product, role), replacing the previous one.
pub fn upsert_assignment(conn: &mut PgConnection, row: &AssignmentRow) -> Result<(), RepoError> {
    diesel::insert_into(scoring_assignments::table)
        .values(row)
        .on_conflict((scoring_assignments::product, scoring_assignments::role))
        .do_update()
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// Every product's assignments (a handful of rows), each with its model's digest (so a cached compilation can
/// be checked against what is stored).
pub fn assignments_with_digests(
    conn: &mut PgConnection,
) -> Result<Vec<(AssignmentRow, String)>, RepoError> {
    Ok(scoring_assignments::table
        .inner_join(
            scoring_models::table.on(scoring_models::id
                .eq(scoring_assignments::model_id)
                .and(scoring_models::version.eq(scoring_assignments::model_version))),
        )
        .select((AssignmentRow::as_select(), scoring_models::document_sha256))
        .load(conn)?)
}

/// Every assignment, by product then role.
pub fn list_assignments(conn: &mut PgConnection) -> Result<Vec<AssignmentRow>, RepoError> {
    Ok(scoring_assignments::table
        .order((
            scoring_assignments::product.asc(),
            scoring_assignments::role.asc(),
        ))
        .select(AssignmentRow::as_select())
        .load(conn)?)
}

/// The inserts of a decision and of its evidence as writes that ride along with a request's
/// audit appends ([`crate::audit::AuditLog::ride`]): nothing later in a request reads a decision
/// it made. The decision rides before its evidence, so the evidence's foreign key holds whether
/// both land in one statement (checked when it ends) or in consecutive ones (a big request's
/// appends are split). Where writes cannot ride, [`insert_decision`] writes both in one
/// statement.
pub fn decision_inserts(decision: DecisionRow, evidence: EvidenceRow) -> [Tail<'static>; 2] {
    let decision = Tail {
        sql: "INSERT INTO credit_decisions
                  (id, party_id, product, subject, model_id, model_version, outcome, credit_limit,
                   rate_annual, currency, reasons, decided_at, decided_by, is_shadow,
                   champion_decision_id)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
              RETURNING 1"
            .into(),
        params: 15,
        bind: Box::new(move |q| {
            q.bind::<sql::Uuid, _>(decision.id)
                .bind::<sql::Uuid, _>(decision.party_id)
                .bind::<sql::Text, _>(decision.product)
                .bind::<sql::Text, _>(decision.subject)
                .bind::<sql::Text, _>(decision.model_id)
                .bind::<sql::Integer, _>(decision.model_version)
                .bind::<sql::Text, _>(decision.outcome)
                .bind::<sql::Numeric, _>(decision.credit_limit)
                .bind::<sql::Numeric, _>(decision.rate_annual)
                .bind::<sql::Text, _>(decision.currency)
                .bind::<sql::Jsonb, _>(decision.reasons)
                .bind::<sql::Timestamptz, _>(decision.decided_at)
                .bind::<sql::Text, _>(decision.decided_by)
                .bind::<sql::Bool, _>(decision.is_shadow)
                .bind::<sql::Nullable<sql::Uuid>, _>(decision.champion_decision_id)
        }),
    };
    let evidence = Tail {
        sql: "INSERT INTO credit_decision_evidence
                  (decision_id, party_id, score, grade, probability_of_default, inputs,
                   feature_points, rules_fired)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
              RETURNING 1"
            .into(),
        params: 8,
        bind: Box::new(move |q| {
            q.bind::<sql::Uuid, _>(evidence.decision_id)
                .bind::<sql::Uuid, _>(evidence.party_id)
                .bind::<sql::Double, _>(evidence.score)
                .bind::<sql::Text, _>(evidence.grade)
                .bind::<sql::Double, _>(evidence.probability_of_default)
                .bind::<sql::Jsonb, _>(evidence.inputs)
                .bind::<sql::Jsonb, _>(evidence.feature_points)
                .bind::<sql::Jsonb, _>(evidence.rules_fired)
        }),
    };
    [decision, evidence]
}

/// Stores a decision with its evidence.
pub fn insert_decision(
    conn: &mut PgConnection,
    decision: &DecisionRow,
    evidence: &EvidenceRow,
) -> Result<(), RepoError> {
    // One statement, the decision first (see `crate::together`).
    together(
        diesel::insert_into(credit_decisions::table).values(decision),
        diesel::insert_into(credit_decision_evidence::table).values(evidence),
    )
    .execute(conn)?;
    Ok(())
}

pub fn find_decision(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<(DecisionRow, EvidenceRow), RepoError> {
    // Joined on the party too: a decision and its evidence are co-located by party.
    let evidence = credit_decision_evidence::table.on(credit_decision_evidence::decision_id
        .eq(credit_decisions::id)
        .and(credit_decision_evidence::party_id.eq(credit_decisions::party_id)));
    Ok(credit_decisions::table
        .inner_join(evidence)
        .filter(credit_decisions::id.eq(id))
        .select((DecisionRow::as_select(), EvidenceRow::as_select()))
        .first(conn)?)
}

/// The challenger decision recorded alongside a champion decision, if any.
pub fn shadow_of(conn: &mut PgConnection, champion: Uuid) -> Result<Option<Uuid>, RepoError> {
    Ok(credit_decisions::table
        .filter(credit_decisions::champion_decision_id.eq(champion))
        .select(credit_decisions::id)
        .first(conn)
        .optional()?)
}
