//! The compiled form of a model: inputs resolved to slot indices, bins as flat sorted arrays
//! and categories as dictionary ids, so scoring one application does no string lookups and no
//! allocation.

use std::collections::BTreeMap;

use crate::inputs::{category_id, UNSEEN_CATEGORY};
use crate::inputs::{resolve_value, InputError, Inputs, ResolvedInputs, SlotKind, SlotValue};
use crate::model::{Binning, Feature, ModelDocument};
use crate::product::{ProductKind, ProductPolicy};
use crate::rules::{CompiledCondition, CompiledRule, Condition};
use crate::validate::ModelError;

/// One input slot: its name, how it is read and (for categories) its sorted dictionary.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub name: String,
    pub kind: SlotKind,
    pub categories: Vec<String>,
}

/// A feature ready for the hot path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledFeature {
    pub slot: usize,
    /// Numeric: cut points. Categorical: empty.
    pub edges: Vec<f64>,
    /// Categorical: bin index per dictionary id. Numeric: empty.
    pub category_bins: Vec<u16>,
    /// Points per bin; the last two entries are the missing and the unseen bin.
    pub points: Vec<f64>,
    pub best_points: f64,
}

impl CompiledFeature {
    /// Index into `points` for a value.
    #[inline]
    pub fn bin_index(&self, value: &SlotValue) -> usize {
        let missing = self.points.len() - 2;
        match value {
            SlotValue::Missing => missing,
            SlotValue::Number { value, .. } if value.is_nan() => missing,
            SlotValue::Number { value, .. } => self.edges.partition_point(|edge| edge <= value),
            SlotValue::Category(id) => self
                .category_bins
                .get(*id as usize)
                .map_or(missing + 1, |bin| usize::from(*bin)),
        }
    }

    /// Whether `bin` is the one a value falls into when it was not given at all.
    #[inline]
    pub fn is_missing_bin(&self, bin: usize) -> bool {
        bin == self.points.len() - 2
    }
}

/// A product policy with its money inputs resolved to slots.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledProduct {
    pub policy: ProductPolicy,
    pub sales_slot: usize,
    pub exposure_slot: usize,
}

/// A validated model ready to decide. Build once per model version and share it.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledModel {
    pub(crate) document: ModelDocument,
    pub(crate) slots: Vec<Slot>,
    pub(crate) features: Vec<CompiledFeature>,
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) products: [Option<CompiledProduct>; ProductKind::ALL.len()],
    pub(crate) offset: f64,
    pub(crate) factor: f64,
}

/// Collects slot names, kinds and category dictionaries while compiling.
#[derive(Default)]
struct SlotTable {
    slots: BTreeMap<String, (SlotKind, Vec<String>)>,
}

impl SlotTable {
    fn require(&mut self, name: &str, kind: SlotKind) -> Result<(), ModelError> {
        let entry = self
            .slots
            .entry(name.to_owned())
            .or_insert((kind, Vec::new()));
        match (entry.0, kind) {
            (current, wanted) if current == wanted => Ok(()),
            (_, SlotKind::Presence) => Ok(()),
            (SlotKind::Presence, wanted) => {
                entry.0 = wanted;
                Ok(())
            }
            _ => Err(ModelError::InputKindConflict(name.to_owned())),
        }
    }

    fn add_categories<'a>(&mut self, name: &str, values: impl Iterator<Item = &'a String>) {
        if let Some(entry) = self.slots.get_mut(name) {
            entry.1.extend(values.cloned());
        }
    }

    fn finish(self) -> Vec<Slot> {
        self.slots
            .into_iter()
            .map(|(name, (kind, mut categories))| {
                categories.sort();
                categories.dedup();
                Slot {
                    name,
                    kind,
                    categories,
                }
            })
            .collect()
    }
}

fn collect_slots(document: &ModelDocument) -> Result<Vec<Slot>, ModelError> {
    let mut table = SlotTable::default();
    for feature in &document.features {
        match &feature.binning {
            Binning::Numeric { .. } => table.require(&feature.name, SlotKind::Numeric)?,
            Binning::Categorical { groups, .. } => {
                table.require(&feature.name, SlotKind::Categorical)?;
                let values = groups.iter().flat_map(|group| &group.values);
                table.add_categories(&feature.name, values);
            }
        }
    }
    for condition in document.rules.iter().flat_map(|rule| &rule.when) {
        match condition {
            Condition::Compare { input, .. } => table.require(input, SlotKind::Numeric)?,
            Condition::Ratio {
                numerator,
                denominator,
                ..
            } => {
                table.require(numerator, SlotKind::Numeric)?;
                table.require(denominator, SlotKind::Numeric)?;
            }
            Condition::In { input, values } | Condition::NotIn { input, values } => {
                table.require(input, SlotKind::Categorical)?;
                table.add_categories(input, values.iter());
            }
            Condition::Missing { input } => table.require(input, SlotKind::Presence)?,
        }
    }
    for policy in &document.products {
        table.require(&policy.sales_input, SlotKind::Numeric)?;
        table.require(&policy.exposure_input, SlotKind::Numeric)?;
    }
    Ok(table.finish())
}

fn slot_index(slots: &[Slot], name: &str) -> usize {
    // Every name was registered by `collect_slots`; the fallback is unreachable.
    slots
        .binary_search_by(|slot| slot.name.as_str().cmp(name))
        .unwrap_or(0)
}

fn compile_feature(slots: &[Slot], feature: &Feature) -> CompiledFeature {
    let slot = slot_index(slots, &feature.name);
    let (edges, category_bins, mut points) = match &feature.binning {
        Binning::Numeric { edges, bins } => {
            let points: Vec<f64> = bins.iter().map(|bin| bin.points).collect();
            (edges.clone(), Vec::new(), points)
        }
        Binning::Categorical { groups, unseen } => {
            let dictionary = &slots[slot].categories;
            let unseen_bin = groups.len() + 1;
            let mut category_bins = vec![to_u16(unseen_bin); dictionary.len()];
            for (index, group) in groups.iter().enumerate() {
                for value in &group.values {
                    let id = category_id(dictionary, value);
                    if let Some(bin) = category_bins.get_mut(id as usize) {
                        *bin = to_u16(index);
                    }
                }
            }
            let mut points: Vec<f64> = groups.iter().map(|group| group.bin.points).collect();
            points.push(feature.missing.points);
            points.push(unseen.points);
            return CompiledFeature {
                slot,
                edges: Vec::new(),
                category_bins,
                points,
                best_points: feature.best_points(),
            };
        }
    };
    points.push(feature.missing.points);
    // Numeric features have no unseen values; the slot keeps the layout uniform.
    points.push(feature.missing.points);
    CompiledFeature {
        slot,
        edges,
        category_bins,
        points,
        best_points: feature.best_points(),
    }
}

fn to_u16(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

fn compile_condition(slots: &[Slot], condition: &Condition) -> CompiledCondition {
    let ids = |input: &str, values: &[String]| {
        let dictionary = &slots[slot_index(slots, input)].categories;
        let mut ids: Vec<u32> = values.iter().map(|v| category_id(dictionary, v)).collect();
        ids.retain(|id| *id != UNSEEN_CATEGORY);
        ids.sort_unstable();
        ids
    };
    match condition {
        Condition::Compare { input, op, value } => CompiledCondition::Compare {
            slot: slot_index(slots, input),
            op: *op,
            value: *value,
        },
        Condition::In { input, values } | Condition::NotIn { input, values } => {
            CompiledCondition::Member {
                slot: slot_index(slots, input),
                ids: ids(input, values),
                negate: matches!(condition, Condition::NotIn { .. }),
            }
        }
        Condition::Ratio {
            numerator,
            denominator,
            op,
            factor,
        } => CompiledCondition::Ratio {
            numerator: slot_index(slots, numerator),
            denominator: slot_index(slots, denominator),
            op: *op,
            factor: *factor,
        },
        Condition::Missing { input } => CompiledCondition::Missing {
            slot: slot_index(slots, input),
        },
    }
}

impl CompiledModel {
    /// Validates and compiles a model document.
    pub fn compile(document: &ModelDocument) -> Result<Self, ModelError> {
        document.validate()?;
        let slots = collect_slots(document)?;
        let features = document
            .features
            .iter()
            .map(|feature| compile_feature(&slots, feature))
            .collect();
        let rules = document
            .rules
            .iter()
            .map(|rule| CompiledRule {
                outcome: rule.outcome,
                conditions: rule
                    .when
                    .iter()
                    .map(|condition| compile_condition(&slots, condition))
                    .collect(),
            })
            .collect();
        let mut products: [Option<CompiledProduct>; ProductKind::ALL.len()] = Default::default();
        for policy in &document.products {
            products[policy.product.index()] = Some(CompiledProduct {
                policy: policy.clone(),
                sales_slot: slot_index(&slots, &policy.sales_input),
                exposure_slot: slot_index(&slots, &policy.exposure_input),
            });
        }
        Ok(CompiledModel {
            offset: document.scaling.offset(),
            factor: document.scaling.factor(),
            document: document.clone(),
            slots,
            features,
            rules,
            products,
        })
    }

    pub fn document(&self) -> &ModelDocument {
        &self.document
    }

    /// The inputs this model reads, in slot order.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// Products this model is configured for.
    pub fn products(&self) -> impl Iterator<Item = ProductKind> + '_ {
        self.products
            .iter()
            .flatten()
            .map(|product| product.policy.product)
    }

    /// Lays out named inputs by slot; unknown names are ignored.
    pub fn resolve(&self, inputs: &Inputs) -> Result<ResolvedInputs, InputError> {
        let values = self
            .slots
            .iter()
            .map(|slot| {
                resolve_value(
                    &slot.name,
                    slot.kind,
                    &slot.categories,
                    inputs.get(&slot.name),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ResolvedInputs { values })
    }

    /// Score only: intercept plus the points of each feature's bin.
    pub fn score(&self, inputs: &ResolvedInputs) -> f64 {
        let mut score = self.document.intercept_points;
        for feature in &self.features {
            let value = inputs
                .values
                .get(feature.slot)
                .unwrap_or(&SlotValue::Missing);
            score += feature.points[feature.bin_index(value)];
        }
        score
    }

    /// Probability of default implied by a score under this model's scaling.
    #[inline]
    pub fn probability_of_default(&self, score: f64) -> f64 {
        1.0 / (1.0 + ((score - self.offset) / self.factor).exp())
    }
}
