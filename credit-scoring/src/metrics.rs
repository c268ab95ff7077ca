//! Discrimination and stability metrics for scores where higher means safer: AUC, Gini, KS and
//! the population stability index.

/// Probability that a random good scores above a random bad (ties count half). `None` when
/// either class is absent.
pub fn auc(scores: &[f64], bad: &[bool]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len().min(bad.len())).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    let goods = bad.iter().filter(|b| !**b).count() as f64;
    let bads = bad.iter().filter(|b| **b).count() as f64;
    if goods == 0.0 || bads == 0.0 {
        return None;
    }
    // Rank-sum of the goods with average ranks for ties (Mann-Whitney U).
    let mut rank_sum_goods = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + end + 1) as f64 / 2.0;
        let tied_goods = order[start..end].iter().filter(|i| !bad[**i]).count() as f64;
        rank_sum_goods += average_rank * tied_goods;
        start = end;
    }
    Some((rank_sum_goods - goods * (goods + 1.0) / 2.0) / (goods * bads))
}

/// Largest gap between the cumulative score distributions of bads and goods.
pub fn ks(scores: &[f64], bad: &[bool]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len().min(bad.len())).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    let goods = bad.iter().filter(|b| !**b).count() as f64;
    let bads = bad.iter().filter(|b| **b).count() as f64;
    if goods == 0.0 || bads == 0.0 {
        return None;
    }
    let (mut cum_good, mut cum_bad, mut best) = (0.0, 0.0, 0.0_f64);
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        // Ties move together: a threshold cannot split equal scores.
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            if bad[order[end]] {
                cum_bad += 1.0;
            } else {
                cum_good += 1.0;
            }
            end += 1;
        }
        best = best.max((cum_bad / bads - cum_good / goods).abs());
        start = end;
    }
    Some(best)
}

/// `Σ (actual − expected) × ln(actual / expected)` over buckets; shares are floored at 0.0001
/// so an empty bucket does not make the index infinite.
pub fn population_stability_index(expected: &[f64], actual: &[f64]) -> f64 {
    expected
        .iter()
        .zip(actual)
        .map(|(e, a)| {
            let (e, a) = (e.max(1e-4), a.max(1e-4));
            (a - e) * (a / e).ln()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_correctly_ordered_pairs_and_half_ties() {
        // goods 3, 4, 2; bads 1, 2. Pairs good>bad: (3,1)(3,2)(4,1)(4,2)(2,1) = 5, tie (2,2) = 0.5.
        let scores = [3.0, 4.0, 2.0, 1.0, 2.0];
        let bad = [false, false, false, true, true];
        assert!((auc(&scores, &bad).unwrap() - 5.5 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn auc_is_undefined_with_a_single_class() {
        assert_eq!(auc(&[1.0, 2.0], &[false, false]), None);
    }

    #[test]
    fn ks_is_the_largest_cumulative_gap() {
        // Sorted: 1 bad, 2 bad, 3 good, 4 good -> after 2: bads 100%, goods 0%.
        let scores = [3.0, 1.0, 4.0, 2.0];
        let bad = [false, true, false, true];
        assert_eq!(ks(&scores, &bad), Some(1.0));
        let mixed = [1.0, 2.0, 3.0, 4.0];
        let labels = [true, false, true, false];
        assert!((ks(&mixed, &labels).unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn psi_is_zero_for_identical_and_hand_checked_for_shifted_distributions() {
        assert_eq!(population_stability_index(&[0.5, 0.5], &[0.5, 0.5]), 0.0);
        // (0.6−0.5)ln(1.2) + (0.4−0.5)ln(0.8) = 0.0405465
        let psi = population_stability_index(&[0.5, 0.5], &[0.6, 0.4]);
        assert!((psi - 0.040_546_5).abs() < 1e-6);
    }
}
