#![allow(clippy::unwrap_used)]

use super::*;
use crate::money::Currency;
use rust_decimal_macros::dec;

fn plan(pricing: PlanPricing) -> InstallmentPlanInput {
    InstallmentPlanInput {
        purchase_amount: Money::from_minor(120_000, Currency::Usd),
        installments: 3,
        frequency: Frequency::Monthly,
        start_date: NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
        pricing,
    }
}

fn rate(r: Decimal) -> Rate {
    Rate::new(r).unwrap()
}

fn totals(q: &InstallmentPlanQuote) -> Vec<Decimal> {
    q.schedule
        .installments
        .iter()
        .map(|r| r.total.amount())
        .collect()
}

#[test]
fn a_fee_based_plan_charges_the_fee_every_period_and_discloses_its_apr() {
    let q = quote_installment_plan(&plan(PlanPricing::FeeBased {
        fee_rate_per_period: rate(dec!(0.005)),
    }))
    .unwrap();
    assert_eq!(totals(&q), vec![dec!(406.00), dec!(406.00), dec!(406.00)]);
    assert_eq!(q.schedule.total_fees.amount(), dec!(18.00));
    assert!(q.schedule.total_interest.is_zero());
    assert_eq!(q.schedule.apr, dec!(0.089777));
    assert_eq!(q.merchant_settlement.amount(), dec!(1200.00));
}

#[test]
fn an_interest_bearing_plan_is_an_ordinary_schedule() {
    let q = quote_installment_plan(&plan(PlanPricing::InterestBearing {
        annual_rate: rate(dec!(0.12)),
        method: AmortizationMethod::Annuity,
    }))
    .unwrap();
    // PMT(1 %, 3, −1200) = 408.03; the last absorbs: 1200 + interest 24.08.
    assert_eq!(totals(&q), vec![dec!(408.03), dec!(408.03), dec!(408.02)]);
    assert!(q.merchant_subsidy.is_zero());
}

#[test]
fn an_interest_free_plan_is_subsidised_by_the_present_value_of_the_interest() {
    let q = quote_installment_plan(&plan(PlanPricing::InterestFree {
        subsidy: MerchantSubsidy::InterestAtRate {
            annual_rate: rate(dec!(0.12)),
        },
    }))
    .unwrap();
    assert_eq!(totals(&q), vec![dec!(400.00), dec!(400.00), dec!(400.00)]);
    assert_eq!(q.schedule.apr, Decimal::ZERO);
    assert_eq!(q.merchant_subsidy.amount(), dec!(23.61));
    assert_eq!(q.merchant_settlement.amount(), dec!(1176.39));
}

#[test]
fn a_merchant_discount_rate_subsidy_is_a_share_of_the_purchase() {
    let q = quote_installment_plan(&plan(PlanPricing::InterestFree {
        subsidy: MerchantSubsidy::MerchantDiscountRate {
            rate: rate(dec!(0.035)),
        },
    }))
    .unwrap();
    assert_eq!(q.merchant_subsidy.amount(), dec!(42.00));
    assert_eq!(q.merchant_settlement.amount(), dec!(1158.00));
}

#[test]
fn a_single_installment_or_whole_term_plan_is_refused() {
    let mut p = plan(PlanPricing::FeeBased {
        fee_rate_per_period: Rate::ZERO,
    });
    p.installments = 1;
    assert_eq!(
        quote_installment_plan(&p),
        Err(PlanError::InvalidInstallments)
    );
    p.installments = 3;
    p.frequency = Frequency::WholeTerm;
    assert_eq!(
        quote_installment_plan(&p),
        Err(PlanError::InvalidInstallments)
    );
}

#[test]
fn plan_pricing_is_tagged_by_kind_in_json() {
    let json = r#"{"purchase_amount":{"amount":"1200.00","currency":"USD"},"installments":6,
        "start_date":"2024-01-31","pricing":{"kind":"interest_free",
        "subsidy":{"basis":"merchant_discount_rate","rate":"0.03"}}}"#;
    let p: InstallmentPlanInput = serde_json::from_str(json).unwrap();
    assert_eq!(p.frequency, Frequency::Monthly);
    assert_eq!(
        quote_installment_plan(&p)
            .unwrap()
            .merchant_subsidy
            .amount(),
        dec!(36.00)
    );
}
