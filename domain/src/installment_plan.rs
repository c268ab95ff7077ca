//! Consumer instalment plans ("pay in 3/6/12"): fee-based, interest-bearing and interest-free.
//!
//! Every plan is priced as a [`Schedule`], so its APR is disclosed the same way as a loan's:
//! - fee-based: no interest; a fee of `round(purchase × fee_rate_per_period)` every period, the
//!   purchase split into equal parts (the last absorbing the cents);
//! - interest-bearing: a normal schedule at the given rate and method;
//! - interest-free: the customer repays exactly the purchase (APR 0) and the merchant pays a
//!   subsidy, so the lender settles `purchase − subsidy` with the merchant. The subsidy is either
//!   a configured merchant discount rate (`purchase × rate`), or the interest the plan would have
//!   earned at a given annual rate, measured as a present value: `purchase − Σ instalment_t ÷
//!   (1 + rate/periods_per_year)^t`. The present-value form is chosen because it makes the
//!   lender's yield on the settlement exactly that rate; summing a schedule's nominal interest
//!   would over-charge the merchant for money the lender gets back early.
//!
//! Subsidies are rounded half-up to the minor unit.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{DayCount, Frequency};
use crate::money::{Money, MoneyError, RoundingMode};
use crate::rate::Rate;
use crate::schedule::{
    build_schedule, AmortizationMethod, InterestMethod, Schedule, ScheduleError, ScheduleInput,
};

/// How the merchant subsidises an interest-free plan. Serde: `{"basis":"interest_at_rate",
/// "annual_rate":"0.12"}` or `{"basis":"merchant_discount_rate","rate":"0.03"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum MerchantSubsidy {
    InterestAtRate { annual_rate: Rate },
    MerchantDiscountRate { rate: Rate },
}

/// How a plan is priced. Serde: tagged by `kind`: `fee_based`, `interest_bearing`,
/// `interest_free`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanPricing {
    FeeBased {
        fee_rate_per_period: Rate,
    },
    InterestBearing {
        annual_rate: Rate,
        method: AmortizationMethod,
    },
    InterestFree {
        subsidy: MerchantSubsidy,
    },
}

/// A plan request; `frequency` defaults to monthly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallmentPlanInput {
    pub purchase_amount: Money,
    pub installments: u32,
    #[serde(default = "monthly")]
    pub frequency: Frequency,
    pub start_date: NaiveDate,
    pub pricing: PlanPricing,
}

fn monthly() -> Frequency {
    Frequency::Monthly
}

/// The customer's schedule and what the merchant is paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallmentPlanQuote {
    pub schedule: Schedule,
    pub merchant_subsidy: Money,
    pub merchant_settlement: Money,
}

/// Why a plan cannot be quoted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlanError {
    #[error("an instalment plan needs at least two instalments and a periodic frequency")]
    InvalidInstallments,
    #[error("the merchant subsidy would exceed the purchase amount")]
    SubsidyExceedsPurchase,
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Quotes an instalment plan (see the module docs for each pricing).
pub fn quote_installment_plan(
    input: &InstallmentPlanInput,
) -> Result<InstallmentPlanQuote, PlanError> {
    if input.installments < 2 || input.frequency == Frequency::WholeTerm {
        return Err(PlanError::InvalidInstallments);
    }
    let purchase = input.purchase_amount;
    let mut schedule_input = ScheduleInput {
        principal: purchase,
        annual_rate: Rate::ZERO,
        start_date: input.start_date,
        term: input.installments,
        frequency: input.frequency,
        method: AmortizationMethod::Annuity,
        interest: InterestMethod::PerPeriod,
        day_count: DayCount::Act365Fixed.settings(),
        grace_principal_periods: 0,
        grace_interest_periods: 0,
        installment_rounding: None,
        fee_per_period: None,
        rounding: RoundingMode::HalfUp,
    };
    match input.pricing {
        PlanPricing::FeeBased {
            fee_rate_per_period,
        } => {
            let fee = purchase.checked_mul_rate(fee_rate_per_period.value())?;
            schedule_input.fee_per_period = Some(fee.round(RoundingMode::HalfUp));
        }
        PlanPricing::InterestBearing {
            annual_rate,
            method,
        } => {
            schedule_input.annual_rate = annual_rate;
            schedule_input.method = method;
        }
        PlanPricing::InterestFree { .. } => {}
    }
    let schedule = build_schedule(&schedule_input)?;
    let merchant_subsidy = match input.pricing {
        PlanPricing::InterestFree { subsidy } => {
            subsidy_amount(&schedule, subsidy, &schedule_input)?
        }
        _ => Money::zero(purchase.currency()),
    };
    let merchant_settlement = purchase.checked_sub(merchant_subsidy)?;
    if merchant_settlement.is_negative() {
        return Err(PlanError::SubsidyExceedsPurchase);
    }
    Ok(InstallmentPlanQuote {
        schedule,
        merchant_subsidy,
        merchant_settlement,
    })
}

fn subsidy_amount(
    schedule: &Schedule,
    subsidy: MerchantSubsidy,
    input: &ScheduleInput,
) -> Result<Money, PlanError> {
    let purchase = input.principal;
    let unrounded = match subsidy {
        MerchantSubsidy::MerchantDiscountRate { rate } => {
            purchase.checked_mul_rate(rate.value())?
        }
        MerchantSubsidy::InterestAtRate { annual_rate } => {
            let periods_per_year = input
                .frequency
                .periods_per_year(&input.day_count, input.term);
            let discount = Decimal::ONE / (Decimal::ONE + annual_rate.value() / periods_per_year);
            let mut factor = Decimal::ONE;
            let mut present_value = Money::zero(purchase.currency());
            for row in &schedule.installments {
                factor *= discount;
                present_value = present_value.checked_add(row.total.checked_mul_rate(factor)?)?;
            }
            purchase.checked_sub(present_value)?
        }
    };
    Ok(unrounded.round(RoundingMode::HalfUp))
}

#[cfg(test)]
#[path = "installment_plan_tests.rs"]
mod tests;
