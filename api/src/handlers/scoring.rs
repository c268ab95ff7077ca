//! Scoring models: upload a versioned model document (admin), list models and assignments
//! (staff), and make a version a product's champion or challenger (admin).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use credit_scoring::{CompiledModel, ModelDocument, ProductKind, FULL_SHARE_BPS};
use persistence::scoring::{AssignmentRow, ModelRow, ModelSummaryRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::request::{Call, Reply};
use crate::usecases::scoring::models::{self, Part};

/// A model upload. The document is what `lendline scoring train` writes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadModel {
    #[schema(value_type = Object)]
    pub document: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelView {
    pub id: String,
    pub version: i32,
    pub description: String,
    /// SHA-256 of the canonical stored document: what every decision by this version used.
    pub document_sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<ModelSummaryRow> for ModelView {
    fn from(row: ModelSummaryRow) -> Self {
        ModelView {
            id: row.id,
            version: row.version,
            description: row.description,
            document_sha256: row.document_sha256,
            uploaded_by: row.uploaded_by,
            uploaded_at: row.uploaded_at,
        }
    }
}

impl From<&ModelRow> for ModelView {
    fn from(row: &ModelRow) -> Self {
        ModelView {
            id: row.id.clone(),
            version: row.version,
            description: row.description.clone(),
            document_sha256: row.document_sha256.clone(),
            uploaded_by: row.uploaded_by.clone(),
            uploaded_at: row.uploaded_at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentRole {
    /// Decides every application of the product.
    Champion,
    /// Also scores a share of applications; its decisions are recorded, never used.
    Challenger,
}

/// Makes a stored version the champion or challenger of a product.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Activation {
    #[schema(example = "stock_up_line")]
    pub product: String,
    pub role: AssignmentRole,
    pub version: u32,
    /// Challengers only: the share of applications it also scores, in basis points (0-10000).
    #[schema(maximum = 10000)]
    pub challenger_share_bps: Option<u16>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    pub product: String,
    pub role: String,
    pub model_id: String,
    pub model_version: i32,
    pub challenger_share_bps: i32,
    pub assigned_by: String,
    pub assigned_at: DateTime<Utc>,
}

impl From<AssignmentRow> for AssignmentView {
    fn from(row: AssignmentRow) -> Self {
        AssignmentView {
            product: row.product,
            role: row.role,
            model_id: row.model_id,
            model_version: row.model_version,
            challenger_share_bps: row.challenger_share_bps,
            assigned_by: row.assigned_by,
            assigned_at: row.assigned_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelsView {
    pub models: Vec<ModelView>,
    pub assignments: Vec<AssignmentView>,
}

const MAX_DESCRIPTION_CHARS: usize = 2000;

fn refused(message: impl Into<String>, field: &str) -> ApiError {
    ApiError::unprocessable("invalid_model", message, Some(field))
}

/// Reads and validates a model document; every refusal says why.
fn parse_document(raw: &Value) -> Result<ModelDocument, ApiError> {
    let document: ModelDocument = serde_json::from_value(raw.clone())
        .map_err(|e| refused(format!("the model document is malformed: {e}"), "document"))?;
    // serde ignores unknown keys; in a model a misspelt `rules` would silently drop every
    // policy rule, so anything the engine would not read back is refused.
    let understood = serde_json::to_value(&document).map_err(ApiError::internal)?;
    if let Some(path) = first_unknown_key(raw, &understood, "document") {
        return Err(refused(format!("unknown field `{path}`"), &path));
    }
    let id_ok = !document.id.is_empty()
        && document.id.len() <= 100
        && document
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if !id_ok {
        return Err(refused(
            "model id must be 1-100 characters of [A-Za-z0-9_.-]",
            "document.id",
        ));
    }
    if document.description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(refused(
            format!("description is longer than {MAX_DESCRIPTION_CHARS} characters"),
            "document.description",
        ));
    }
    CompiledModel::compile(&document)
        .map_err(|e| refused(format!("the model is invalid: {e}"), "document"))?;
    Ok(document)
}

/// The path of the first key in `raw` that does not survive a round trip through the model
/// type. A key whose value is null is as good as absent.
fn first_unknown_key(raw: &Value, understood: &Value, path: &str) -> Option<String> {
    match (raw, understood) {
        (Value::Object(raw), Value::Object(known)) => raw.iter().find_map(|(key, value)| {
            let here = format!("{path}.{key}");
            match known.get(key) {
                None if value.is_null() => None,
                None => Some(here),
                Some(known) => first_unknown_key(value, known, &here),
            }
        }),
        (Value::Array(raw), Value::Array(known)) => {
            raw.iter()
                .zip(known)
                .enumerate()
                .find_map(|(i, (value, known))| {
                    first_unknown_key(value, known, &format!("{path}[{i}]"))
                })
        }
        _ => None,
    }
}

/// Uploads a model version. Versions are immutable: the same id and version again is 409.
#[utoipa::path(post, path = "/v1/scoring/models", tag = "scoring", request_body = UploadModel,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = ModelView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "this id and version are already stored"),
        (status = 422, body = ErrorBody, description = "the model is refused, with the reason")))]
pub async fn upload(call: Call, body: JsonBody<UploadModel>) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let document = parse_document(&body.value.document)?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| models::upload(ctx, document),
        |row| Reply::created(&ModelView::from(&row)),
    )
    .await
}

/// Every stored model version and every current assignment.
#[utoipa::path(get, path = "/v1/scoring/models", tag = "scoring", security(("bearer" = [])),
    responses((status = 200, body = ModelsView), (status = 403, body = ErrorBody)))]
pub async fn list(call: Call) -> Result<HttpResponse, ApiError> {
    call.read(models::list, |(stored, assignments)| {
        Reply::ok(&ModelsView {
            models: stored.into_iter().map(ModelView::from).collect(),
            assignments: assignments.into_iter().map(AssignmentView::from).collect(),
        })
    })
    .await
}

impl Activation {
    /// Parses the request for model `id` into the use case's command.
    fn parse(&self, id: String) -> Result<models::Activation, ApiError> {
        let product: ProductKind =
            self.product
                .parse()
                .map_err(|e: credit_scoring::UnknownProduct| {
                    ApiError::invalid("product", e.to_string())
                })?;
        let part = match (self.role, self.challenger_share_bps) {
            (AssignmentRole::Champion, None | Some(0)) => Part::Champion,
            (AssignmentRole::Champion, Some(_)) => {
                return Err(ApiError::invalid(
                    "challenger_share_bps",
                    "a champion decides every application: send no challenger_share_bps",
                ))
            }
            (AssignmentRole::Challenger, Some(share_bps)) if share_bps <= FULL_SHARE_BPS => {
                Part::Challenger { share_bps }
            }
            (AssignmentRole::Challenger, _) => {
                return Err(ApiError::invalid(
                    "challenger_share_bps",
                    format!("a challenger needs challenger_share_bps from 0 to {FULL_SHARE_BPS}"),
                ))
            }
        };
        let version = i32::try_from(self.version)
            .map_err(|_| ApiError::invalid("version", "version is too large"))?;
        Ok(models::Activation {
            id,
            version,
            product,
            part,
        })
    }
}

/// Makes a stored version the champion or the challenger of a product, replacing the previous
/// one. The model must configure the product.
#[utoipa::path(post, path = "/v1/scoring/models/{id}/activate", tag = "scoring",
    request_body = Activation, security(("bearer" = [])),
    params(("id" = String, Path, description = "model id"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 200, body = AssignmentView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such model version"),
        (status = 422, body = ErrorBody)))]
pub async fn activate(
    call: Call,
    id: web::Path<String>,
    body: JsonBody<Activation>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = body.value.parse(id.into_inner())?;
    call.run(
        KeyPolicy::Optional,
        Some(&hash),
        move |ctx| models::activate(ctx, ask),
        |row| Reply::ok(&AssignmentView::from(row)),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> Value {
        serde_json::to_value(credit_scoring::default_model().unwrap()).unwrap()
    }

    #[test]
    fn the_shipped_model_is_accepted_as_it_is() {
        assert!(parse_document(&document()).is_ok());
    }

    #[test]
    fn a_misspelt_key_deep_in_the_document_is_named() {
        let mut raw = document();
        raw["features"][2]["missing"]["pionts"] = json!(3.0);
        let err = parse_document(&raw).unwrap_err().to_string();
        assert_eq!(err, "unknown field `document.features[2].missing.pionts`");
    }

    #[test]
    fn a_null_for_an_optional_key_is_not_an_unknown_key() {
        let mut raw = document();
        raw["score_distribution"] = Value::Null;
        assert!(parse_document(&raw).is_ok());
    }

    #[test]
    fn an_id_the_database_would_refuse_is_refused_first() {
        let mut raw = document();
        raw["id"] = json!("no spaces please");
        assert!(parse_document(&raw).is_err());
    }
}
