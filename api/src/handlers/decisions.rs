//! Credit decisions: staff assess a party for a product, and read a decision back. The party
//! a decision concerns may read its outcome, limit, rate and reasons, never the model's
//! internals (points, inputs, rules).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use credit_scoring::{Inputs, ProductKind, ReasonSource, RuleOutcome};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::scoring::assessment::{self, Assessment};
use crate::usecases::scoring::{grade_text, outcome_text, StoredDecision};

/// Scores a party for a product. Inputs derived from the stored party (sales, store age,
/// returns rate, sector) are used unless `inputs` names them too.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    pub party_id: Uuid,
    #[schema(example = "stock_up_line")]
    pub product: String,
    /// What is decided on, e.g. `loan_application:<id>` [default: `assessment:<new id>`].
    pub subject: Option<String>,
    /// Named inputs: numbers, numeric strings, strings, booleans or null, e.g.
    /// `{"requested_amount": "20000", "current_exposure": "0", "blacklisted": false}`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub inputs: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonView {
    pub code: String,
    pub text: String,
    /// `rule`, `policy` or `feature`.
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeaturePointsView {
    pub feature: String,
    pub bin: usize,
    pub points: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FiredRuleView {
    pub code: String,
    /// `refer` or `decline`.
    pub outcome: String,
}

/// A decision as staff see it: everything needed to explain and reproduce it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    pub id: Uuid,
    pub party_id: Uuid,
    pub product: String,
    pub subject: String,
    /// `approve`, `refer` or `decline`.
    pub outcome: String,
    pub score: f64,
    pub grade: String,
    pub probability_of_default: f64,
    #[schema(example = "20000.00")]
    pub credit_limit: String,
    #[schema(example = "0.12")]
    pub rate_annual: String,
    pub currency: String,
    pub reasons: Vec<ReasonView>,
    pub model_id: String,
    pub model_version: u32,
    /// The inputs the model read, by name.
    #[schema(value_type = Object)]
    pub inputs: Value,
    pub feature_points: Vec<FeaturePointsView>,
    pub rules_fired: Vec<FiredRuleView>,
    pub decided_at: DateTime<Utc>,
    pub decided_by: String,
    /// A challenger's decision: recorded for comparison, never acted on.
    pub is_shadow: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub champion_decision_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shadow_decision_id: Option<Uuid>,
}

/// A decision as the party it concerns sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyDecisionView {
    pub id: Uuid,
    pub product: String,
    pub outcome: String,
    pub credit_limit: String,
    pub rate_annual: String,
    pub currency: String,
    /// Why, in words.
    pub reasons: Vec<String>,
    pub decided_at: DateTime<Utc>,
}

/// Staff get [`DecisionView`], the party concerned [`PartyDecisionView`].
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum DecisionResponse {
    Staff(Box<DecisionView>),
    Party(PartyDecisionView),
}

fn source_text(source: ReasonSource) -> &'static str {
    match source {
        ReasonSource::Rule => "rule",
        ReasonSource::Policy => "policy",
        ReasonSource::Feature => "feature",
    }
}

fn rule_outcome_text(outcome: RuleOutcome) -> &'static str {
    match outcome {
        RuleOutcome::Refer => "refer",
        RuleOutcome::Decline => "decline",
    }
}

impl From<&StoredDecision> for DecisionView {
    fn from(stored: &StoredDecision) -> Self {
        let d = &stored.decision;
        DecisionView {
            id: stored.id,
            party_id: stored.party_id,
            product: d.product.as_str().to_string(),
            subject: stored.subject.clone(),
            outcome: outcome_text(d.outcome).to_string(),
            score: crate::views::score(d.score),
            grade: grade_text(d.grade).to_string(),
            probability_of_default: d.probability_of_default,
            credit_limit: crate::views::amount(d.credit_limit, stored.currency),
            rate_annual: d.rate_annual.normalize().to_string(),
            currency: stored.currency.code().to_string(),
            reasons: d
                .reasons
                .iter()
                .map(|r| ReasonView {
                    code: r.code.clone(),
                    text: r.text.clone(),
                    source: source_text(r.source).to_string(),
                })
                .collect(),
            model_id: d.model_id.clone(),
            model_version: d.model_version,
            inputs: d.inputs.to_json(),
            feature_points: d
                .feature_points
                .iter()
                .map(|f| FeaturePointsView {
                    feature: f.feature.clone(),
                    bin: f.bin,
                    points: f.points,
                })
                .collect(),
            rules_fired: d
                .rules_fired
                .iter()
                .map(|r| FiredRuleView {
                    code: r.code.clone(),
                    outcome: rule_outcome_text(r.outcome).to_string(),
                })
                .collect(),
            decided_at: stored.decided_at,
            decided_by: stored.decided_by.clone(),
            is_shadow: stored.is_shadow(),
            champion_decision_id: stored.champion_decision_id,
            shadow_decision_id: stored.shadow_decision_id,
        }
    }
}

impl From<&StoredDecision> for PartyDecisionView {
    fn from(stored: &StoredDecision) -> Self {
        let d = &stored.decision;
        PartyDecisionView {
            id: stored.id,
            product: d.product.as_str().to_string(),
            outcome: outcome_text(d.outcome).to_string(),
            credit_limit: crate::views::amount(d.credit_limit, stored.currency),
            rate_annual: d.rate_annual.normalize().to_string(),
            currency: stored.currency.code().to_string(),
            reasons: d.reasons.iter().map(|r| r.text.clone()).collect(),
            decided_at: stored.decided_at,
        }
    }
}

impl TryFrom<NewAssessment> for Assessment {
    type Error = ApiError;

    fn try_from(ask: NewAssessment) -> Result<Assessment, ApiError> {
        let product: ProductKind =
            ask.product
                .parse()
                .map_err(|e: credit_scoring::UnknownProduct| {
                    ApiError::invalid("product", e.to_string())
                })?;
        let overrides = match &ask.inputs {
            None | Some(Value::Null) => Inputs::new(),
            Some(raw) => {
                Inputs::from_json(raw).map_err(|e| ApiError::invalid("inputs", e.to_string()))?
            }
        };
        Ok(Assessment {
            party_id: ask.party_id,
            product,
            overrides,
            subject: ask.subject,
        })
    }
}

/// Scores a party for a product now and answers the full decision.
#[utoipa::path(post, path = "/v1/credit/assessments", tag = "scoring",
    request_body = NewAssessment, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = DecisionView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assess(call: Call, body: JsonBody<NewAssessment>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = Assessment::try_from(body.into_inner())?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| assessment::assess_party(ctx, ask),
        |stored| Reply::created(&DecisionView::from(&stored)),
    )
    .await
}

/// One decision: staff see everything; the party it concerns sees the outcome, limit, rate
/// and reasons; anyone else gets 404.
#[utoipa::path(get, path = "/v1/decisions/{id}", tag = "scoring", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "decision id")),
    responses((status = 200, body = DecisionResponse), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let (id, staff) = (id.into_inner(), call.caller().role.is_staff());
    call.read(
        move |ctx| assessment::find_decision(ctx, id),
        move |stored| {
            Reply::ok(&if staff {
                DecisionResponse::Staff(Box::new(DecisionView::from(&stored)))
            } else {
                DecisionResponse::Party(PartyDecisionView::from(&stored))
            })
        },
    )
    .await
}
