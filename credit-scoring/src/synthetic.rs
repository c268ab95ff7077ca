//! A synthetic merchant population with a known ground truth, for tests, demos and the shipped
//! default model.
//!
//! Each merchant's default is drawn from a logistic model whose coefficients are public
//! ([`true_default_probability`]), so a trained scorecard can be compared with the best
//! achievable ranking. `online_share` is pure noise and should be dropped by training.

use std::io::Write;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

/// Sectors with their log-odds effect on default.
pub const SECTORS: [(&str, f64); 7] = [
    ("grocery", -0.4),
    ("pharmacy", -0.5),
    ("hardware", -0.1),
    ("fashion", 0.3),
    ("electronics", 0.2),
    ("restaurants", 0.6),
    ("travel", 0.8),
];

/// Regions with their log-odds effect on default.
pub const REGIONS: [(&str, f64); 5] = [
    ("central", -0.2),
    ("north", 0.0),
    ("south", 0.25),
    ("east", 0.1),
    ("west", -0.1),
];

/// Ground-truth intercept of the default log-odds.
pub const INTERCEPT: f64 = -2.9;

/// One generated merchant. Money is exact; ratios are plain floats.
#[derive(Debug, Clone, PartialEq)]
pub struct Merchant {
    pub merchant_id: String,
    pub monthly_sales_avg: Decimal,
    /// Coefficient of variation of monthly sales.
    pub sales_volatility: f64,
    pub store_age_days: u32,
    pub past_delinquencies: u32,
    pub max_days_past_due: u32,
    /// `None` for merchants without return data (about 8%).
    pub returns_rate: Option<f64>,
    pub sector: usize,
    pub region: usize,
    pub online_share: f64,
    pub current_exposure: Decimal,
    pub requested_amount: Decimal,
    pub defaulted: bool,
}

/// The true probability of default of a merchant under the generating model.
pub fn true_default_probability(m: &Merchant) -> f64 {
    let sales = decimal_to_f64(m.monthly_sales_avg).max(1.0);
    let age_years = f64::from(m.store_age_days.max(1)) / 365.0;
    // Missing return data is itself a warning sign: treated as a high returns rate.
    let returns = m.returns_rate.unwrap_or(0.12);
    let logit = INTERCEPT - 0.55 * (sales.ln() - 8000_f64.ln()) + 2.2 * (m.sales_volatility - 0.35)
        - 0.45 * age_years.ln()
        + 0.45 * f64::from(m.past_delinquencies)
        + 6.0 * (returns - 0.06)
        + SECTORS[m.sector].1
        + REGIONS[m.region].1;
    1.0 / (1.0 + (-logit).exp())
}

fn decimal_to_f64(value: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    value.to_f64().unwrap_or(0.0)
}

fn money(value: f64) -> Decimal {
    Decimal::from_f64_retain(value).map_or(Decimal::ZERO, |d| d.round_dp(2))
}

fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller; 1 − u keeps the logarithm away from zero.
    let (u, v): (f64, f64) = (1.0 - rng.gen::<f64>(), rng.gen());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn pick(rng: &mut ChaCha8Rng, len: usize) -> usize {
    rng.gen_range(0..len)
}

fn merchant(rng: &mut ChaCha8Rng, index: usize) -> Merchant {
    let sales = (8000_f64.ln() + 0.9 * standard_normal(rng)).exp();
    let past_delinquencies = (0..8).take_while(|_| rng.gen::<f64>() < 0.25).count() as u32;
    let max_days_past_due = if past_delinquencies == 0 {
        0
    } else {
        rng.gen_range(1..=15 * past_delinquencies + 30)
    };
    let exposure = if rng.gen::<f64>() < 0.4 {
        0.0
    } else {
        sales * rng.gen_range(0.0..1.5)
    };
    let mut m = Merchant {
        merchant_id: format!("M{index:07}"),
        monthly_sales_avg: money(sales),
        sales_volatility: 0.05 + 0.75 * rng.gen::<f64>().powf(1.5),
        store_age_days: (30.0 - rng.gen::<f64>().max(1e-9).ln() * 700.0).min(5000.0) as u32,
        past_delinquencies,
        max_days_past_due,
        returns_rate: (rng.gen::<f64>() >= 0.08).then(|| 0.01 + 0.15 * rng.gen::<f64>().powi(2)),
        sector: pick(rng, SECTORS.len()),
        region: pick(rng, REGIONS.len()),
        online_share: rng.gen(),
        current_exposure: money(exposure),
        requested_amount: money(sales * rng.gen_range(0.5..4.0)),
        defaulted: false,
    };
    m.defaulted = rng.gen::<f64>() < true_default_probability(&m);
    m
}

/// `rows` merchants, identical for identical seeds.
pub fn generate_merchants(rows: usize, seed: u64) -> Vec<Merchant> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..rows).map(|index| merchant(&mut rng, index)).collect()
}

/// Column names of [`write_merchants_csv`]; `default` is the target (`1` = bad).
pub const CSV_HEADER: [&str; 13] = [
    "merchant_id",
    "monthly_sales_avg",
    "sales_volatility",
    "store_age_days",
    "past_delinquencies",
    "max_days_past_due",
    "returns_rate",
    "sector",
    "region",
    "online_share",
    "current_exposure",
    "requested_amount",
    "default",
];

/// Writes merchants as CSV (missing returns rate as an empty cell).
pub fn write_merchants_csv(merchants: &[Merchant], out: impl Write) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_HEADER)?;
    for m in merchants {
        writer.write_record([
            m.merchant_id.clone(),
            m.monthly_sales_avg.to_string(),
            format!("{:.4}", m.sales_volatility),
            m.store_age_days.to_string(),
            m.past_delinquencies.to_string(),
            m.max_days_past_due.to_string(),
            m.returns_rate
                .map(|r| format!("{r:.4}"))
                .unwrap_or_default(),
            SECTORS[m.sector].0.to_owned(),
            REGIONS[m.region].0.to_owned(),
            format!("{:.4}", m.online_share),
            m.current_exposure.to_string(),
            m.requested_amount.to_string(),
            u8::from(m.defaulted).to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_generates_the_same_merchants() {
        assert_eq!(generate_merchants(50, 3), generate_merchants(50, 3));
        assert_ne!(generate_merchants(50, 3), generate_merchants(50, 4));
    }

    #[test]
    fn the_default_rate_is_plausible_for_small_business_lending() {
        let merchants = generate_merchants(20_000, 1);
        let rate = merchants.iter().filter(|m| m.defaulted).count() as f64 / 20_000.0;
        assert!((0.04..0.2).contains(&rate), "default rate {rate}");
    }

    #[test]
    fn the_csv_has_a_header_and_one_line_per_merchant() {
        let mut out = Vec::new();
        write_merchants_csv(&generate_merchants(3, 1), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 4);
        assert!(text.starts_with("merchant_id,monthly_sales_avg"));
    }
}
