//! Column-type specific halves of binning: quantile pre-bins for numbers, bad-rate ordering
//! with rare-value pooling for categories, and the row-to-bin assignment of each.

use super::binning::{monotonic_blocks, BinSettings, Counts, Layout};

/// Share of the minimum bin size under which a category is pooled with other rare values
/// before grouping, so one-off values do not get a weight of their own.
const RARE_SHARE_OF_MIN_BIN: f64 = 0.2;

fn to_u16(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

/// Returns the layout, each row's bin (`bins` = missing) and the number of bins.
pub(crate) fn bin_numeric(
    values: &[f64],
    bad: &[bool],
    train: &[bool],
    settings: BinSettings,
    totals: Counts,
) -> (Layout, Vec<u16>, usize) {
    let mut sorted: Vec<(f64, bool)> = values
        .iter()
        .zip(bad)
        .zip(train)
        .filter(|((value, _), is_train)| **is_train && !value.is_nan())
        .map(|((value, is_bad), _)| (*value, *is_bad))
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let prebin_edges = quantile_edges(&sorted, settings.prebins);
    let mut units = vec![Counts::default(); prebin_edges.len() + 1];
    for (value, is_bad) in &sorted {
        units[prebin_edges.partition_point(|edge| edge <= value)].add(*is_bad);
    }
    let min_count = settings.min_bin_share * totals.total();
    let blocks = monotonic_blocks(&units, min_count, totals);
    let edges: Vec<f64> = blocks
        .iter()
        .skip(1)
        .filter_map(|block| block.start.checked_sub(1).map(|i| prebin_edges[i]))
        .collect();
    let bins = edges.len() + 1;
    let assignment = values
        .iter()
        .map(|value| {
            if value.is_nan() {
                to_u16(bins)
            } else {
                to_u16(edges.partition_point(|edge| edge <= value))
            }
        })
        .collect();
    (Layout::Numeric { edges }, assignment, bins)
}

/// Distinct values at the quantiles `1/prebins … (prebins−1)/prebins`, above the minimum so
/// the first pre-bin is never empty.
fn quantile_edges(sorted: &[(f64, bool)], prebins: usize) -> Vec<f64> {
    let Some(&(minimum, _)) = sorted.first() else {
        return Vec::new();
    };
    let mut edges: Vec<f64> = (1..prebins)
        .map(|q| sorted[q * sorted.len() / prebins].0)
        .filter(|edge| *edge > minimum)
        .collect();
    edges.dedup();
    edges
}

/// Returns the layout, each row's bin (`bins` = missing, `bins + 1` = unseen) and the number of
/// bins.
pub(crate) fn bin_categorical(
    ids: &[Option<u32>],
    dictionary: &[String],
    bad: &[bool],
    train: &[bool],
    settings: BinSettings,
    totals: Counts,
) -> (Layout, Vec<u16>, usize) {
    let mut per_value = vec![Counts::default(); dictionary.len()];
    for ((id, is_bad), _) in ids.iter().zip(bad).zip(train).filter(|(_, t)| **t) {
        if let Some(counts) = id.and_then(|id| per_value.get_mut(id as usize)) {
            counts.add(*is_bad);
        }
    }
    let rare_count = (settings.min_bin_share * totals.total() * RARE_SHARE_OF_MIN_BIN).max(1.0);
    let mut units: Vec<(Counts, Vec<usize>, bool)> = Vec::new();
    let mut pool = (Counts::default(), Vec::new(), true);
    for (id, counts) in per_value.iter().enumerate() {
        if counts.total() >= rare_count {
            units.push((*counts, vec![id], false));
        } else if counts.total() > 0.0 {
            pool.0 = Counts {
                good: pool.0.good + counts.good,
                bad: pool.0.bad + counts.bad,
            };
            pool.1.push(id);
        }
    }
    if !pool.1.is_empty() {
        units.push(pool);
    }
    // Sorting by bad rate turns categories into an ordered axis; ties fall back to the value.
    units.sort_by(|a, b| {
        a.0.bad_rate()
            .total_cmp(&b.0.bad_rate())
            .then(a.1.cmp(&b.1))
    });
    let unit_counts: Vec<Counts> = units.iter().map(|unit| unit.0).collect();
    let min_count = settings.min_bin_share * totals.total();
    let blocks = monotonic_blocks(&unit_counts, min_count, totals);
    let bins = blocks.len();
    let mut group_of = vec![to_u16(bins + 1); dictionary.len()];
    let mut groups = Vec::with_capacity(bins);
    let mut unseen_group = None;
    for (group, block) in blocks.iter().enumerate() {
        let mut values = Vec::new();
        for unit in &units[block.start..block.end] {
            // Values never seen in training are treated like the pooled rare values.
            if unit.2 {
                unseen_group = Some(group);
            }
            for id in &unit.1 {
                group_of[*id] = to_u16(group);
                values.push(dictionary[*id].clone());
            }
        }
        values.sort();
        groups.push(values);
    }
    let assignment = ids
        .iter()
        .map(|id| id.map_or(to_u16(bins), |id| group_of[id as usize]))
        .collect();
    (
        Layout::Categorical {
            groups,
            unseen_group,
        },
        assignment,
        bins,
    )
}
