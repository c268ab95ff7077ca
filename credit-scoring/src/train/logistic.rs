//! Logistic regression by iteratively reweighted least squares (Newton's method) with a small
//! L2 penalty on the slopes, which keeps the Hessian invertible when WoE columns are collinear.
//! Deterministic: no random starts, a fixed iteration order and a fixed stopping rule.

const MAX_ITERATIONS: usize = 50;
const TOLERANCE: f64 = 1e-9;

/// Fitted intercept and slopes for `logit P(bad) = intercept + Σ coefficients × x`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogisticFit {
    pub intercept: f64,
    pub coefficients: Vec<f64>,
    pub iterations: usize,
}

/// `rows` is row-major with `width` predictors per row; `bad[i]` is the label of row `i`.
pub(crate) fn fit_logistic(rows: &[f64], width: usize, bad: &[bool], l2: f64) -> LogisticFit {
    let size = width + 1;
    let mut beta = vec![0.0; size];
    let mut iterations = 0;
    for _ in 0..MAX_ITERATIONS {
        iterations += 1;
        let mut hessian = vec![0.0; size * size];
        let mut gradient = vec![0.0; size];
        let mut x = vec![0.0; size];
        for (row, is_bad) in rows.chunks_exact(width.max(1)).zip(bad) {
            x[0] = 1.0;
            x[1..].copy_from_slice(&row[..width]);
            let eta: f64 = x.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-eta).exp());
            let weight = (p * (1.0 - p)).max(1e-12);
            let residual = f64::from(u8::from(*is_bad)) - p;
            for i in 0..size {
                gradient[i] += x[i] * residual;
                let scaled = weight * x[i];
                // Only the lower triangle; it is mirrored before solving.
                for j in 0..=i {
                    hessian[i * size + j] += scaled * x[j];
                }
            }
        }
        for i in 1..size {
            gradient[i] -= l2 * beta[i];
            hessian[i * size + i] += l2;
        }
        for i in 0..size {
            for j in 0..i {
                hessian[j * size + i] = hessian[i * size + j];
            }
        }
        let Some(step) = solve_cholesky(&hessian, &gradient, size) else {
            break;
        };
        let largest = step.iter().fold(0.0_f64, |m, s| m.max(s.abs()));
        beta.iter_mut().zip(&step).for_each(|(b, s)| *b += s);
        if largest < TOLERANCE {
            break;
        }
    }
    LogisticFit {
        intercept: beta[0],
        coefficients: beta[1..].to_vec(),
        iterations,
    }
}

/// Solves `A x = b` for symmetric positive definite `A` (row-major `n × n`).
fn solve_cholesky(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let diagonal = a[i * n + i] - sum;
                if diagonal <= 0.0 || !diagonal.is_finite() {
                    return None;
                }
                l[i * n + i] = diagonal.sqrt();
            } else {
                l[i * n + j] = (a[i * n + j] - sum) / l[j * n + j];
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        let sum: f64 = (0..i).map(|k| l[i * n + k] * y[k]).sum();
        y[i] = (b[i] - sum) / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let sum: f64 = (i + 1..n).map(|k| l[k * n + i] * x[k]).sum();
        x[i] = (y[i] - sum) / l[i * n + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn cholesky_solves_a_small_system() {
        let x = solve_cholesky(&[4.0, 2.0, 2.0, 3.0], &[2.0, 1.0], 2).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12);
    }

    #[test]
    fn the_fit_recovers_known_coefficients_from_simulated_data() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut rows = Vec::new();
        let mut bad = Vec::new();
        for _ in 0..40_000 {
            let (a, b): (f64, f64) = (rng.gen_range(-2.0..2.0), rng.gen_range(-2.0..2.0));
            let p = 1.0 / (1.0 + (-(-1.0 + 1.5 * a - 0.7 * b)).exp());
            rows.extend([a, b]);
            bad.push(rng.gen::<f64>() < p);
        }
        let fit = fit_logistic(&rows, 2, &bad, 1e-6);
        assert!((fit.intercept + 1.0).abs() < 0.08, "{fit:?}");
        assert!((fit.coefficients[0] - 1.5).abs() < 0.08, "{fit:?}");
        assert!((fit.coefficients[1] + 0.7).abs() < 0.08, "{fit:?}");
        assert!(fit.iterations < 15);
    }

    #[test]
    fn a_perfectly_separable_set_still_gives_finite_coefficients_thanks_to_l2() {
        let rows = [-2.0, -1.0, 1.0, 2.0];
        let bad = [false, false, true, true];
        let fit = fit_logistic(&rows, 1, &bad, 1.0);
        assert!(fit.coefficients[0].is_finite() && fit.coefficients[0] > 0.0);
    }
}
