//! Standard merchant inputs: what the stored party says about itself (sales, store age,
//! returns, sector) merged with what only the application knows (amount, exposure, arrears).
//!
//! The names are the ones the shipped default model reads; a model trained on other columns
//! reads the extra inputs a caller passes through [`with_overrides`].

use chrono::NaiveDate;
use credit_scoring::{InputValue, Inputs};
use persistence::parties::PartyRecord;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;

/// Months of sales history averaged for `monthly_sales_avg`.
pub const SALES_MONTHS: usize = 12;

/// Facts that belong to one application rather than to the party.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationFacts {
    pub requested_amount: Decimal,
    /// What the applicant already owes Lendline.
    pub current_exposure: Decimal,
    /// Worst arrears on existing credit, in days.
    pub max_days_past_due: u32,
    pub past_delinquencies: u32,
    pub blacklisted: bool,
}

/// Inputs derived from the stored party as of `on`: `monthly_sales_avg` and
/// `sales_volatility` over the last [`SALES_MONTHS`] months that started by `on`,
/// `store_age_days`, `returns_rate` and `sector`. A fact the party lacks is left missing, so
/// the model scores it with its missing bin instead of a made-up value.
pub fn party_inputs(party: &PartyRecord, on: NaiveDate) -> Inputs {
    let mut inputs = Inputs::new();
    let months: Vec<Decimal> = party
        .monthly_sales
        .iter()
        .filter(|m| m.month <= on)
        .rev()
        .take(SALES_MONTHS)
        .map(|m| m.amount)
        .collect();
    inputs.insert("monthly_sales_avg", number(average(&months)));
    inputs.insert("sales_volatility", number(volatility(&months)));
    let age_days = party
        .party
        .store_opened_on
        .map(|opened| (on - opened).num_days())
        .filter(|days| *days >= 0)
        .map(Decimal::from);
    inputs.insert("store_age_days", number(age_days));
    inputs.insert("returns_rate", number(party.party.returns_rate));
    inputs.insert("sector", InputValue::Text(party.party.sector.clone()));
    inputs
}

/// [`party_inputs`] plus the application's facts.
pub fn merchant_inputs(party: &PartyRecord, on: NaiveDate, facts: &ApplicationFacts) -> Inputs {
    let mut inputs = party_inputs(party, on);
    inputs.insert(
        "requested_amount",
        InputValue::Number(facts.requested_amount),
    );
    inputs.insert(
        "current_exposure",
        InputValue::Number(facts.current_exposure),
    );
    inputs.insert(
        "max_days_past_due",
        InputValue::Number(facts.max_days_past_due.into()),
    );
    inputs.insert(
        "past_delinquencies",
        InputValue::Number(facts.past_delinquencies.into()),
    );
    inputs.insert("blacklisted", InputValue::Bool(facts.blacklisted));
    inputs
}

/// `base` with every value of `overrides` put over it: explicit inputs win.
pub fn with_overrides(mut base: Inputs, overrides: &Inputs) -> Inputs {
    for (name, value) in overrides.iter() {
        base.insert(name, value.clone());
    }
    base
}

fn number(value: Option<Decimal>) -> InputValue {
    value.map_or(InputValue::Missing, InputValue::Number)
}

fn average(months: &[Decimal]) -> Option<Decimal> {
    let count = Decimal::from(u32::try_from(months.len()).ok().filter(|n| *n > 0)?);
    let total = months
        .iter()
        .try_fold(Decimal::ZERO, |sum, m| sum.checked_add(*m))?;
    Some(total.checked_div(count)?.round_dp(2))
}

/// Coefficient of variation (population standard deviation over mean), to four decimals.
/// A ratio, not money, so `f64` is precise enough; it needs two months and positive sales.
fn volatility(months: &[Decimal]) -> Option<Decimal> {
    if months.len() < 2 {
        return None;
    }
    let values: Vec<f64> = months.iter().filter_map(ToPrimitive::to_f64).collect();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return None;
    }
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Decimal::from_f64(variance.sqrt() / mean).map(|cv| cv.round_dp(4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use persistence::parties::{MonthlySalesRow, PartyRow};
    use rust_decimal_macros::dec;
    use uuid::Uuid;

    fn party(sales: &[(&str, Decimal)]) -> PartyRecord {
        let id = Uuid::nil();
        PartyRecord {
            party: PartyRow {
                id,
                kind: "merchant".into(),
                name: "M".into(),
                registration_number: "R".into(),
                country: "CN".into(),
                sector: "pharmacy".into(),
                onboarded_on: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                contact_email: "a@b.example".into(),
                currency: "CNY".into(),
                store_opened_on: NaiveDate::from_ymd_opt(2026, 1, 1),
                returns_rate: Some(dec!(0.02)),
                created_at: DateTime::<Utc>::UNIX_EPOCH,
            },
            monthly_sales: sales
                .iter()
                .map(|(month, amount)| MonthlySalesRow {
                    party_id: id,
                    month: NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap(),
                    amount: *amount,
                })
                .collect(),
        }
    }

    #[test]
    fn sales_after_the_decision_date_are_ignored_and_the_rest_averaged() {
        let p = party(&[
            ("2026-08", dec!(100)),
            ("2026-09", dec!(300)),
            ("2026-12", dec!(9000)),
        ]);
        let inputs = party_inputs(&p, NaiveDate::from_ymd_opt(2026, 10, 15).unwrap());
        assert_eq!(
            inputs.get("monthly_sales_avg"),
            Some(&InputValue::Number(dec!(200)))
        );
        assert_eq!(
            inputs.get("sales_volatility"),
            Some(&InputValue::Number(dec!(0.5)))
        );
        assert_eq!(
            inputs.get("store_age_days"),
            Some(&InputValue::Number(dec!(287)))
        );
    }

    #[test]
    fn a_party_without_sales_leaves_sales_inputs_missing() {
        let inputs = party_inputs(&party(&[]), NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(inputs.get("monthly_sales_avg"), Some(&InputValue::Missing));
        assert_eq!(inputs.get("sales_volatility"), Some(&InputValue::Missing));
    }

    #[test]
    fn explicit_inputs_override_derived_ones() {
        let base = merchant_inputs(
            &party(&[("2026-09", dec!(100))]),
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            &ApplicationFacts {
                requested_amount: dec!(50),
                current_exposure: Decimal::ZERO,
                max_days_past_due: 0,
                past_delinquencies: 0,
                blacklisted: false,
            },
        );
        let overrides = Inputs::new().with("blacklisted", InputValue::Bool(true));
        let merged = with_overrides(base, &overrides);
        assert_eq!(merged.get("blacklisted"), Some(&InputValue::Bool(true)));
        assert_eq!(
            merged.get("requested_amount"),
            Some(&InputValue::Number(dec!(50)))
        );
    }
}
