//! The model registry: uploading immutable versions and choosing each product's champion and
//! challenger. Every change is audited.

use credit_scoring::{ModelDocument, ProductKind};
use persistence::audit::Chain;
use persistence::scoring::{self, AssignmentRow, ModelRow, ModelSummaryRow};
use serde_json::json;

use super::{model_row, ModelKey};
use crate::usecases::context::Shared;
use crate::usecases::{Context, UseCaseError};

/// Stores a validated model document as a new version (the same id and version twice is a
/// conflict: versions are immutable).
pub fn upload(ctx: &mut Context<'_>, document: ModelDocument) -> Result<ModelRow, UseCaseError> {
    let row = model_row(&document, &ctx.actor.name, ctx.now)?;
    scoring::insert_model(ctx.conn, &row)?;
    let event = json!({"id": row.id, "version": row.version, "description": row.description,
        "document_sha256": row.document_sha256, "uploaded_by": row.uploaded_by,
        "uploaded_at": row.uploaded_at});
    ctx.audit(
        &Chain::platform("scoring_model", format!("{}@{}", row.id, row.version)),
        "scoring.model_uploaded",
        &event,
    );
    Ok(row)
}

/// Every stored version, and every current assignment.
pub fn list(
    ctx: &mut Context<'_>,
) -> Result<(Vec<ModelSummaryRow>, Vec<AssignmentRow>), UseCaseError> {
    Ok((
        scoring::list_models(ctx.conn)?,
        scoring::list_assignments(ctx.conn)?,
    ))
}

/// Which part a model version plays for a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Decides every application of the product.
    Champion,
    /// Also scores this share (basis points) of applications; recorded, never used.
    Challenger { share_bps: u16 },
}

/// Makes model `id` at `version` play `part` for `product`, replacing the previous one.
pub struct Activation {
    pub id: String,
    pub version: i32,
    pub product: ProductKind,
    pub part: Part,
}

pub fn activate(ctx: &mut Context<'_>, ask: Activation) -> Result<AssignmentRow, UseCaseError> {
    let stored = scoring::find_model(ctx.conn, &ask.id, ask.version)?;
    let key = ModelKey {
        id: stored.id,
        version: stored.version,
        sha256: stored.document_sha256,
    };
    let model = ctx.policy.models.get_or_load(ctx.conn, &key)?;
    let product = ask.product;
    if !model.products().any(|p| p == product) {
        return Err(UseCaseError::refused(
            "product_not_configured",
            format!(
                "model {}@{} has no configuration for {product}",
                key.id, key.version
            ),
            Some("product"),
        ));
    }
    let (role, share) = match ask.part {
        Part::Champion => ("champion", 0),
        Part::Challenger { share_bps } => ("challenger", share_bps),
    };
    let row = AssignmentRow {
        product: product.as_str().to_string(),
        role: role.to_string(),
        model_id: key.id,
        model_version: key.version,
        challenger_share_bps: i32::from(share),
        assigned_by: ctx.actor.name.clone(),
        assigned_at: ctx.now,
    };
    ctx.forget(Shared::Assignments);
    scoring::upsert_assignment(ctx.conn, &row)?;
    let event = json!({"product": row.product, "role": row.role, "model_id": row.model_id,
        "model_version": row.model_version, "challenger_share_bps": row.challenger_share_bps,
        "assigned_by": row.assigned_by, "assigned_at": row.assigned_at});
    ctx.audit(
        &Chain::platform("scoring_assignment", product),
        "scoring.model_activated",
        &event,
    );
    Ok(row)
}
