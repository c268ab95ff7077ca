//! Supervised binning: weight of evidence, information value, monotonic numeric bins and
//! bad-rate-ordered categorical groups.
//!
//! Numeric columns start from quantile pre-bins; adjacent pre-bins are pooled (pool adjacent
//! violators) until the bad rate is monotonic, trying both directions and keeping the one with
//! the higher information value; then bins that are too small, or lack goods or bads, are
//! merged into the neighbour with the closest bad rate. Categorical values are sorted by bad
//! rate (rare values pooled first) and go through the same merge, so groups are contiguous in
//! risk order.

use super::dataset::ColumnData;

/// Good and bad counts of a bin (f64 so shares and smoothing need no casts).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Counts {
    pub good: f64,
    pub bad: f64,
}

impl Counts {
    pub fn total(&self) -> f64 {
        self.good + self.bad
    }

    pub fn add(&mut self, bad: bool) {
        if bad {
            self.bad += 1.0;
        } else {
            self.good += 1.0;
        }
    }

    fn merged(self, other: Counts) -> Counts {
        Counts {
            good: self.good + other.good,
            bad: self.bad + other.bad,
        }
    }

    /// Bad rate with a half-observation prior so empty bins stay finite.
    pub fn bad_rate(&self) -> f64 {
        (self.bad + 0.5) / (self.total() + 1.0)
    }
}

/// `ln(share of goods / share of bads)`, with 0.5 added to each count so a bin without goods or
/// bads has a large but finite weight.
pub(crate) fn woe(bin: Counts, totals: Counts) -> f64 {
    ((bin.good + 0.5) / totals.good).ln() - ((bin.bad + 0.5) / totals.bad).ln()
}

/// Information value `Σ (good share − bad share) × WoE`.
pub(crate) fn information_value<'a>(
    bins: impl IntoIterator<Item = &'a Counts>,
    totals: Counts,
) -> f64 {
    bins.into_iter()
        .filter(|bin| bin.total() > 0.0)
        .map(|bin| (bin.good / totals.good - bin.bad / totals.bad) * woe(*bin, totals))
        .sum()
}

/// A run of adjacent units `[start, end)` and its pooled counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Block {
    pub start: usize,
    pub end: usize,
    pub counts: Counts,
}

/// Pools adjacent units so bad rates are strictly monotonic, in the better of both directions,
/// with every block holding at least `min_count` rows and at least one good and one bad.
pub(crate) fn monotonic_blocks(units: &[Counts], min_count: f64, totals: Counts) -> Vec<Block> {
    let candidates = [true, false].map(|increasing| {
        let blocks = merge_small(pool_adjacent_violators(units, increasing), min_count);
        let iv = information_value(blocks.iter().map(|block| &block.counts), totals);
        (iv, blocks)
    });
    let [(iv_up, up), (iv_down, down)] = candidates;
    if iv_up >= iv_down {
        up
    } else {
        down
    }
}

fn pool_adjacent_violators(units: &[Counts], increasing: bool) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::with_capacity(units.len());
    for (index, counts) in units.iter().enumerate() {
        if counts.total() == 0.0 {
            continue;
        }
        blocks.push(Block {
            start: index,
            end: index + 1,
            counts: *counts,
        });
        while blocks.len() >= 2 {
            let last = blocks[blocks.len() - 1];
            let previous = blocks[blocks.len() - 2];
            let ordered = if increasing {
                previous.counts.bad_rate() < last.counts.bad_rate()
            } else {
                previous.counts.bad_rate() > last.counts.bad_rate()
            };
            if ordered {
                break;
            }
            blocks.pop();
            if let Some(top) = blocks.last_mut() {
                top.end = last.end;
                top.counts = top.counts.merged(last.counts);
            }
        }
    }
    blocks
}

/// Merges undersized blocks (smallest first) into the neighbour with the closer bad rate;
/// merging neighbours keeps a monotonic sequence monotonic.
fn merge_small(mut blocks: Vec<Block>, min_count: f64) -> Vec<Block> {
    let too_small = |block: &Block| {
        block.counts.total() < min_count || block.counts.good < 1.0 || block.counts.bad < 1.0
    };
    while blocks.len() > 1 {
        let smallest = blocks
            .iter()
            .enumerate()
            .filter(|(_, block)| too_small(block))
            .min_by(|a, b| a.1.counts.total().total_cmp(&b.1.counts.total()))
            .map(|(index, _)| index);
        let Some(index) = smallest else { break };
        let rate = blocks[index].counts.bad_rate();
        let distance = |other: usize| (blocks[other].counts.bad_rate() - rate).abs();
        let neighbour = match (
            index.checked_sub(1),
            (index + 1 < blocks.len()).then_some(index + 1),
        ) {
            (Some(left), Some(right)) if distance(right) < distance(left) => right,
            (Some(left), _) => left,
            (None, Some(right)) => right,
            (None, None) => break,
        };
        let (first, second) = (index.min(neighbour), index.max(neighbour));
        let absorbed = blocks.remove(second);
        blocks[first].end = absorbed.end;
        blocks[first].counts = blocks[first].counts.merged(absorbed.counts);
    }
    blocks
}

/// How a fitted feature assigns values to bins.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Layout {
    Numeric {
        edges: Vec<f64>,
    },
    /// Category values per group; `unseen_group` takes values never seen in training.
    Categorical {
        groups: Vec<Vec<String>>,
        unseen_group: Option<usize>,
    },
}

/// A binned feature: per-bin counts and WoE (missing last) and each row's bin.
#[derive(Debug, Clone)]
pub(crate) struct FittedFeature {
    pub name: String,
    pub layout: Layout,
    pub counts: Vec<Counts>,
    /// WoE per bin, then missing, then unseen.
    pub woe: Vec<f64>,
    pub information_value: f64,
    /// Bin of every row (training and hold-out), same indexing as `woe`.
    pub assignment: Vec<u16>,
}

/// Bins one column using only the rows where `train` is true.
pub(crate) fn fit_feature(
    name: &str,
    data: &ColumnData,
    bad: &[bool],
    train: &[bool],
    settings: BinSettings,
) -> FittedFeature {
    let mut totals = Counts::default();
    bad.iter()
        .zip(train)
        .filter(|(_, t)| **t)
        .for_each(|(b, _)| totals.add(*b));
    let (layout, assignment, bins) = match data {
        ColumnData::Numeric(values) => {
            super::prebin::bin_numeric(values, bad, train, settings, totals)
        }
        ColumnData::Categorical { ids, dictionary } => {
            super::prebin::bin_categorical(ids, dictionary, bad, train, settings, totals)
        }
    };
    let mut counts = vec![Counts::default(); bins + 1];
    for ((bin, is_bad), _) in assignment.iter().zip(bad).zip(train).filter(|(_, t)| **t) {
        if let Some(slot) = counts.get_mut(usize::from(*bin)) {
            slot.add(*is_bad);
        }
    }
    let missing = counts.pop().unwrap_or_default();
    let mut woe_table: Vec<f64> = counts.iter().map(|c| woe(*c, totals)).collect();
    let missing_woe = if missing.total() > 0.0 {
        woe(missing, totals)
    } else {
        0.0
    };
    woe_table.push(missing_woe);
    let unseen_woe = match &layout {
        Layout::Categorical {
            unseen_group: Some(group),
            ..
        } => woe_table[*group],
        _ => 0.0,
    };
    woe_table.push(unseen_woe);
    let information_value = information_value(counts.iter().chain([&missing]), totals);
    FittedFeature {
        name: name.to_owned(),
        layout,
        counts,
        woe: woe_table,
        information_value,
        assignment,
    }
}

/// Binning knobs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BinSettings {
    pub min_bin_share: f64,
    pub prebins: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(good: f64, bad: f64) -> Counts {
        Counts { good, bad }
    }

    #[test]
    fn woe_and_iv_match_a_hand_computed_table() {
        // Two bins: (good 80, bad 20) and (good 20, bad 30); totals 100 goods, 50 bads.
        let totals = counts(100.0, 50.0);
        let first = woe(counts(80.0, 20.0), totals);
        let second = woe(counts(20.0, 30.0), totals);
        // ln((80.5/100)/(20.5/50)) and ln((20.5/100)/(30.5/50)).
        assert!((first - 0.674_685).abs() < 1e-5, "{first}");
        assert!((second - (-1.090_449)).abs() < 1e-5, "{second}");
        let iv = information_value(&[counts(80.0, 20.0), counts(20.0, 30.0)], totals);
        // (0.8 − 0.4) × 0.674685 + (0.2 − 0.6) × −1.090449 = 0.706054
        assert!((iv - 0.706_054).abs() < 1e-5, "{iv}");
    }

    #[test]
    fn adjacent_violators_are_pooled_until_bad_rates_are_monotonic() {
        let units = [
            counts(90.0, 10.0),
            counts(80.0, 20.0),
            counts(85.0, 15.0),
            counts(60.0, 40.0),
        ];
        let blocks = pool_adjacent_violators(&units, true);
        let bounds: Vec<_> = blocks.iter().map(|b| (b.start, b.end)).collect();
        assert_eq!(bounds, [(0, 1), (1, 3), (3, 4)]);
    }

    #[test]
    fn the_direction_with_the_higher_information_value_wins() {
        let units = [counts(60.0, 40.0), counts(80.0, 20.0), counts(95.0, 5.0)];
        let blocks = monotonic_blocks(&units, 1.0, counts(235.0, 65.0));
        assert_eq!(blocks.len(), 3);
    }

    #[test]
    fn small_blocks_merge_into_the_neighbour_with_the_closest_bad_rate() {
        let blocks = vec![
            Block {
                start: 0,
                end: 1,
                counts: counts(90.0, 10.0),
            },
            Block {
                start: 1,
                end: 2,
                counts: counts(4.0, 1.0),
            },
            Block {
                start: 2,
                end: 3,
                counts: counts(50.0, 50.0),
            },
        ];
        let merged = merge_small(blocks, 20.0);
        assert_eq!(merged.len(), 2);
        assert_eq!((merged[0].start, merged[0].end), (0, 2));
    }

    #[test]
    fn a_block_without_bads_is_merged_even_when_large() {
        let blocks = vec![
            Block {
                start: 0,
                end: 1,
                counts: counts(100.0, 0.0),
            },
            Block {
                start: 1,
                end: 2,
                counts: counts(100.0, 10.0),
            },
        ];
        assert_eq!(merge_small(blocks, 5.0).len(), 1);
    }
}
