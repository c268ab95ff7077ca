//! Installment plans at checkout ("pay in 3/6/12"): the platform pays the merchant now and
//! collects from the shopper over time.
//!
//! A plan is a loan (`product = 'installment'`) owed by the shopper, plus an
//! `installment_plans` row for the checkout around it, so repayment, allocation, accrual,
//! aging, reminders and write-off are the stock-up loan's own code paths.
//!
//! Rules a lender has to choose, and the choices made:
//! - Scoring: the engine decides on the shopper inside the request (product `installment`).
//!   A shopper party stores its declared monthly income in `monthly_sales` and its account
//!   opening in `store_opened_on`, so the standard inputs read as income and tenure; the
//!   exposure is the principal outstanding on all its plans at every merchant (and any other
//!   credit), so the limit spans merchants. The purchase must fit the limit the engine grants.
//!   The shopper's row is locked before its exposure is read, so concurrent checkouts for one
//!   shopper are decided in turn and never overrun the limit together.
//!   There is no human in the checkout loop: a referral declines the plan (HTTP 200 with
//!   `outcome: declined` and the reasons; the decision itself is stored and audited).
//! - Pricing: shopper-paid plans carry a fee each period of `round_half_up(purchase ×
//!   fee_rate_per_period)`, at most [`offers::MAX_FEE_RATE_PER_PERIOD`], and no interest.
//!   Merchant-paid plans are interest-free; the merchant's subsidy is the interest the platform
//!   forgoes at [`offers::SUBSIDY_ANNUAL_RATE`], measured as a present value (see
//!   `domain::installment_plan`), and is kept back from the settlement.
//! - Books at checkout: `Dr loans_receivable:<plan> purchase; Cr cash:platform settlement;
//!   Cr merchant_subsidy_income subsidy`. The subsidy is recognised at checkout (it is earned
//!   by committing the funds; a refund gives it back pro rata).
//! - Fees become receivable on their installment's due date (`Dr fee_receivable Cr
//!   fee_income`, posted by the shared accrual), so early settlement pays the outstanding
//!   principal plus the fees of installments already due: fees of installments not yet due
//!   are never charged, and there is no early-settlement penalty.
//! - Missed installments accrue penalty interest on the overdue principal and age through the
//!   same end of day as loans.
//! - Refunds: see `domain::installment_refund` ("cut from the end", fees recomputed,
//!   proportional claw-back). Books: `Dr cash:platform claw_back; Dr merchant_subsidy_income
//!   subsidy_returned; Cr loans_receivable:<plan> principal_cut; Cr cash:platform to_shopper`.
//!   Cumulative refunds above the purchase settled through the plan are refused (422
//!   `refund_exceeds_settled`), so claw-backs never exceed what the merchant was paid.

pub mod checkout;
pub mod offers;
pub mod plans;
pub mod refund;
