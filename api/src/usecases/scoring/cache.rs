//! Compiled models shared by every request, so a decision costs microseconds instead of a
//! parse-validate-compile of the whole document.
//!
//! Entries are keyed by (id, version, digest of the stored document). Stored versions never
//! change, so an entry never goes stale; the digest still guards against compiling a document
//! that a rolled-back transaction stored and another transaction later stored differently.
//! The map is not bounded: it holds one entry per model version ever used, a few dozen.
//!
//! Which model decides each product (the assignments, and the shipped default model's key once
//! stored) is kept too, for a moment (see [`Recent`]): assigning a model here forgets it at
//! once; an assignment made through another instance is seen within the reuse time.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use credit_scoring::{CompiledModel, ModelDocument};
use diesel::PgConnection;
use persistence::scoring::{self, AssignmentRow};

use crate::usecases::recent::Recent;
use crate::usecases::UseCaseError;

/// A stored model version, as named by decisions and assignments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelKey {
    pub id: String,
    pub version: i32,
    pub sha256: String,
}

#[derive(Debug, Default)]
pub struct ModelCache {
    compiled: RwLock<HashMap<ModelKey, Arc<CompiledModel>>>,
    assignments: Recent<Arc<Assignments>>,
}

/// Every product's assignments with their models' digests, and the shipped default model's
/// key when it is stored (what decides a product with no champion assigned).
#[derive(Debug)]
pub struct Assignments {
    pub rows: Vec<(AssignmentRow, String)>,
    pub default_model: Option<ModelKey>,
}

impl ModelCache {
    /// A cache that reuses the assignments for `ttl` before reading them again.
    pub fn new(ttl: Duration) -> ModelCache {
        ModelCache {
            compiled: RwLock::default(),
            assignments: Recent::new(ttl),
        }
    }

    /// Which model decides each product, as recently read.
    pub fn assignments(&self, conn: &mut PgConnection) -> Result<Arc<Assignments>, UseCaseError> {
        self.assignments.get_or_load(|| {
            let rows = scoring::assignments_with_digests(conn)?;
            let shipped =
                credit_scoring::default_model().map_err(|e| UseCaseError::corrupt("scoring", e))?;
            let version =
                i32::try_from(shipped.version).map_err(|e| UseCaseError::corrupt("scoring", e))?;
            let default_model =
                scoring::model_digest(conn, &shipped.id, version)?.map(|sha256| ModelKey {
                    id: shipped.id,
                    version,
                    sha256,
                });
            Ok(Arc::new(Assignments {
                rows,
                default_model,
            }))
        })
    }

    /// An assignment is changing in this process: read them again until it has committed.
    pub fn forget_assignments(&self) {
        self.assignments.forget();
    }

    /// The assignment change announced by [`ModelCache::forget_assignments`] has committed.
    pub fn settle_assignments(&self) {
        self.assignments.settle();
    }

    /// The compiled model for `key`, loading and compiling the stored document on first use.
    pub fn get_or_load(
        &self,
        conn: &mut PgConnection,
        key: &ModelKey,
    ) -> Result<Arc<CompiledModel>, UseCaseError> {
        if let Some(found) = self.cached(key)? {
            return Ok(found);
        }
        let row = scoring::find_model(conn, &key.id, key.version)?;
        if row.document_sha256 != key.sha256 {
            return Err(UseCaseError::corrupt(
                "scoring",
                format!(
                    "model {}@{} changed digest while being read",
                    key.id, key.version
                ),
            ));
        }
        let document: ModelDocument = serde_json::from_str(&row.document).map_err(|e| {
            UseCaseError::corrupt(
                "scoring",
                format!("stored model {} is corrupt: {e}", key.id),
            )
        })?;
        let compiled = Arc::new(CompiledModel::compile(&document).map_err(|e| {
            UseCaseError::corrupt(
                "scoring",
                format!("stored model {} no longer compiles: {e}", key.id),
            )
        })?);
        let mut map = self
            .compiled
            .write()
            .map_err(|_| UseCaseError::corrupt("scoring", "model cache lock poisoned"))?;
        Ok(Arc::clone(map.entry(key.clone()).or_insert(compiled)))
    }

    fn cached(&self, key: &ModelKey) -> Result<Option<Arc<CompiledModel>>, UseCaseError> {
        let map = self
            .compiled
            .read()
            .map_err(|_| UseCaseError::corrupt("scoring", "model cache lock poisoned"))?;
        Ok(map.get(key).cloned())
    }

    /// How many compiled models are held.
    pub fn len(&self) -> usize {
        self.compiled.read().map_or(0, |map| map.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
