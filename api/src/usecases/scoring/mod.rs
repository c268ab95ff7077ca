//! The one credit assessment every product uses: loans, factoring and installments call
//! [`assess`] inside their own database transaction, so the decision, its shadow, its audit
//! event and the product's own writes commit together or not at all.
//!
//! The champion model assigned to the product decides; with none assigned, the shipped default
//! model does (stored on first use, so every decision names a stored model). A challenger, when
//! assigned, also scores the share of subjects routed to it and its decision is stored as a
//! shadow: recorded for comparison, never returned and never acted on.

pub mod assessment;
mod cache;
mod inputs;
pub mod models;
mod record;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use credit_scoring::{
    decide, routes_to_challenger, CompiledModel, DecisionError, InputError, Inputs, ProductKind,
};
use diesel::PgConnection;
use domain::money::Currency;
use persistence::canonical::{canonical_json, sha256_hex};
use persistence::parties::PartyRecord;
use persistence::scoring::{self, ModelRow};
use persistence::RepoError;
use uuid::Uuid;

pub use cache::{ModelCache, ModelKey};
pub use inputs::{merchant_inputs, party_inputs, with_overrides, ApplicationFacts, SALES_MONTHS};
pub use record::{grade_text, load_decision, outcome_text, StoredDecision};

use crate::usecases::{Context, UseCaseError};

/// Who stored the shipped default model.
pub const SYSTEM_ACTOR: &str = "system:lendline";
/// The longest subject reference accepted.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// One request for a credit decision.
#[derive(Debug, Clone)]
pub struct AssessmentRequest {
    pub party_id: Uuid,
    pub product: ProductKind,
    /// What is decided on, e.g. `loan_application:<id>`; also the challenger routing key, so
    /// the same subject is always routed the same way.
    pub subject: String,
    /// The currency of the limit granted.
    pub currency: Currency,
    /// Who asked, as recorded in the audit trail (`role:subject`).
    pub actor: String,
    pub inputs: Inputs,
    pub decided_at: DateTime<Utc>,
}

impl AssessmentRequest {
    /// A request for a merchant: inputs from the stored party as of the business date `on`
    /// (never the wall clock: a store's age and its recent sales are counted on the platform's
    /// calendar) plus the application's facts, in the party's currency. `decided_at` is only
    /// the timestamp recorded with the decision.
    pub fn for_merchant(
        party: &PartyRecord,
        product: ProductKind,
        subject: &str,
        actor: &str,
        facts: &ApplicationFacts,
        (on, decided_at): (NaiveDate, DateTime<Utc>),
    ) -> Result<AssessmentRequest, UseCaseError> {
        Ok(AssessmentRequest {
            party_id: party.party.id,
            product,
            subject: subject.to_string(),
            currency: Currency::parse(&party.party.currency)
                .map_err(|e| UseCaseError::corrupt("scoring", e))?,
            actor: actor.to_string(),
            inputs: merchant_inputs(party, on, facts),
            decided_at,
        })
    }
}

/// Decides `request` with the product's champion model, stores the decision (and a challenger
/// shadow when the subject routes to it) and appends it to the audit chain `decision:<id>`.
///
/// Runs on the caller's connection and transaction. Refuses with 422 when the inputs cannot be
/// read by the model; a failing challenger never fails the assessment.
pub fn assess(
    ctx: &mut Context<'_>,
    request: &AssessmentRequest,
) -> Result<StoredDecision, UseCaseError> {
    // The policy outlives the request: its models stay at hand while the context is lent.
    let models = &ctx.policy.models;
    let subject = request.subject.trim();
    if subject.is_empty() || subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(UseCaseError::invalid(
            "subject",
            format!("subject must have 1 to {MAX_SUBJECT_CHARS} characters"),
        ));
    }
    let decided_at = request.decided_at.trunc_subsecs(6);
    let assigned = Assigned::load(ctx.conn, models, request.product)?;
    let champion_key = match assigned.champion {
        Some(key) => key,
        None => ensure_default_model(ctx.conn, decided_at)?,
    };
    let champion = models.get_or_load(ctx.conn, &champion_key)?;
    let decision = decide(&champion, request.product, &request.inputs).map_err(decision_refused)?;
    let stored = StoredDecision {
        id: Uuid::now_v7(),
        party_id: request.party_id,
        subject: subject.to_string(),
        currency: request.currency,
        decided_at,
        decided_by: request.actor.clone(),
        champion_decision_id: None,
        shadow_decision_id: None,
        decision,
    };
    record::save(ctx, &stored)?;
    let Some((challenger_key, share_bps)) = assigned.challenger else {
        return Ok(stored);
    };
    if !routes_to_challenger(subject, share_bps) {
        return Ok(stored);
    }
    let challenger = models.get_or_load(ctx.conn, &challenger_key)?;
    let shadow_id = shadow(ctx, &challenger, request, &stored)?;
    Ok(StoredDecision {
        shadow_decision_id: shadow_id,
        ..stored
    })
}

/// Scores the challenger and stores its decision as a shadow of `champion`.
fn shadow(
    ctx: &mut Context<'_>,
    model: &CompiledModel,
    request: &AssessmentRequest,
    champion: &StoredDecision,
) -> Result<Option<Uuid>, UseCaseError> {
    let decision = match decide(model, request.product, &request.inputs) {
        Ok(decision) => decision,
        Err(error) => {
            // The applicant was decided by the champion; a challenger that cannot read the
            // inputs is a finding for the risk team, not a reason to fail the application.
            tracing::warn!(%error, model = %model.document().id, "challenger could not decide");
            return Ok(None);
        }
    };
    let shadow = StoredDecision {
        id: Uuid::now_v7(),
        champion_decision_id: Some(champion.id),
        shadow_decision_id: None,
        decision,
        ..champion.clone()
    };
    record::save(ctx, &shadow)?;
    Ok(Some(shadow.id))
}

/// The product's champion and (with its share) challenger.
struct Assigned {
    champion: Option<ModelKey>,
    challenger: Option<(ModelKey, u16)>,
}

impl Assigned {
    /// The product's assignments; with no champion assigned, the shipped default model's key
    /// when it is known to be stored.
    fn load(
        conn: &mut PgConnection,
        models: &ModelCache,
        product: ProductKind,
    ) -> Result<Assigned, UseCaseError> {
        let all = models.assignments(conn)?;
        let mut assigned = Assigned {
            champion: None,
            challenger: None,
        };
        for (row, sha256) in all
            .rows
            .iter()
            .filter(|(r, _)| r.product == product.as_str())
        {
            let key = ModelKey {
                id: row.model_id.clone(),
                version: row.model_version,
                sha256: sha256.clone(),
            };
            match row.role.as_str() {
                "champion" => assigned.champion = Some(key),
                "challenger" => {
                    let share = u16::try_from(row.challenger_share_bps)
                        .map_err(|_| RepoError::Corrupt("challenger share out of range".into()))?;
                    assigned.challenger = Some((key, share));
                }
                other => {
                    return Err(
                        RepoError::Corrupt(format!("unknown assignment role {other}")).into(),
                    )
                }
            }
        }
        if assigned.champion.is_none() {
            assigned.champion = all.default_model.clone();
        }
        Ok(assigned)
    }
}

/// Stores the shipped default model unless already stored, and answers its key.
pub fn ensure_default_model(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> Result<ModelKey, UseCaseError> {
    let document =
        credit_scoring::default_model().map_err(|e| UseCaseError::corrupt("scoring", e))?;
    let version =
        i32::try_from(document.version).map_err(|e| UseCaseError::corrupt("scoring", e))?;
    if let Some(sha256) = scoring::model_digest(conn, &document.id, version)? {
        return Ok(ModelKey {
            id: document.id,
            version,
            sha256,
        });
    }
    let row = model_row(&document, SYSTEM_ACTOR, now)?;
    scoring::insert_model_if_absent(conn, &row)?;
    // Read back: a concurrent first use may have stored it first.
    let sha256 = scoring::model_digest(conn, &row.id, row.version)?.ok_or(RepoError::NotFound)?;
    Ok(ModelKey {
        id: row.id,
        version: row.version,
        sha256,
    })
}

/// The row that stores a validated document: canonical JSON and its digest.
pub fn model_row(
    document: &credit_scoring::ModelDocument,
    uploaded_by: &str,
    uploaded_at: DateTime<Utc>,
) -> Result<ModelRow, UseCaseError> {
    let version = i32::try_from(document.version)
        .map_err(|_| UseCaseError::invalid("document.version", "version is too large"))?;
    let value = serde_json::to_value(document).map_err(|e| UseCaseError::corrupt("scoring", e))?;
    let canonical = canonical_json(&value);
    Ok(ModelRow {
        id: document.id.clone(),
        version,
        document_sha256: sha256_hex(&[canonical.as_bytes()]),
        document: canonical,
        description: document.description.clone(),
        uploaded_by: uploaded_by.to_string(),
        uploaded_at: uploaded_at.trunc_subsecs(6),
    })
}

/// Inputs the model cannot read are the caller's to fix: 422 naming the input.
fn decision_refused(error: DecisionError) -> UseCaseError {
    let message = error.to_string();
    match error {
        DecisionError::ProductNotConfigured(_) => {
            UseCaseError::refused("product_not_configured", message, Some("product"))
        }
        DecisionError::Input(InputError::NotAnObject) => UseCaseError::invalid("inputs", message),
        DecisionError::Input(
            InputError::UnsupportedValue { input } | InputError::NotNumeric { input, .. },
        ) => UseCaseError::invalid(format!("inputs.{input}"), message),
    }
}
