//! Loans of every product: reads (balances, schedule, transactions), payoff quotes, repayments
//! and write-offs. A shopper's installment plan is a loan too: the shopper reads, settles and
//! repays it here, through the same repayment path as a merchant's stock-up loan.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use domain::lending_state::LoanStatus;
use domain::money::Currency;
use persistence::loans::{InstallmentRow, LoanFilter, LoanRow, TransactionRow};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::filters::{LoanBucket, LoanProduct, LoanStatus as StatusFilter};
use crate::idempotency::{JsonBody, KeyPolicy};
use crate::pagination::Page;
use crate::request::{Call, Reply};
use crate::usecases::lending::booking::{Owed, Split};
use crate::usecases::lending::repayment::{self, Repay};
use crate::usecases::lending::{loans, write_off};
use crate::views::amount;

#[derive(Debug, Serialize, ToSchema)]
pub struct LoanView {
    pub id: Uuid,
    /// The credit line of a stock-up loan; absent for other products.
    pub line_id: Option<Uuid>,
    /// `stock_up`, `installment`, `order_financing` or `inventory_financing`.
    pub product: String,
    pub party_id: Uuid,
    pub currency: String,
    pub principal: String,
    pub annual_rate: String,
    pub method: String,
    pub start_date: NaiveDate,
    pub maturity_date: NaiveDate,
    pub status: String,
    pub principal_outstanding: String,
    pub interest_outstanding: String,
    pub penalty_outstanding: String,
    pub fees_outstanding: String,
    pub days_past_due: i32,
    pub bucket: String,
    pub written_off_on: Option<NaiveDate>,
    pub recovered: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<InstallmentView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InstallmentView {
    pub number: i32,
    pub due_date: NaiveDate,
    pub principal: String,
    pub interest: String,
    pub fee: String,
    pub total: String,
}

impl LoanView {
    pub fn build(loan: &LoanRow, schedule: &[InstallmentRow]) -> Result<LoanView, ApiError> {
        let ccy = currency_of(&loan.currency)?;
        let status: LoanStatus = loan.status.parse().map_err(ApiError::internal)?;
        let owed = |value: Decimal| {
            amount(
                if status.carries_balances() {
                    value
                } else {
                    Decimal::ZERO
                },
                ccy,
            )
        };
        Ok(LoanView {
            id: loan.id,
            line_id: loan.line_id,
            product: loan.product.clone(),
            party_id: loan.party_id,
            currency: loan.currency.clone(),
            principal: amount(loan.principal, ccy),
            annual_rate: loan.annual_rate.normalize().to_string(),
            method: loan.method.clone(),
            start_date: loan.start_date,
            maturity_date: loan.maturity_date,
            status: loan.status.clone(),
            principal_outstanding: owed(loan.principal_outstanding()),
            interest_outstanding: owed(loan.interest_outstanding()),
            penalty_outstanding: owed(loan.penalty_outstanding()),
            fees_outstanding: owed(loan.fees_outstanding()),
            days_past_due: loan.dpd,
            bucket: loan.bucket.clone(),
            written_off_on: loan.written_off_on,
            recovered: amount(loan.recovered, ccy),
            schedule: schedule
                .iter()
                .map(|i| InstallmentView {
                    number: i.number,
                    due_date: i.due_date,
                    principal: amount(i.principal, ccy),
                    interest: amount(i.interest, ccy),
                    fee: amount(i.fee, ccy),
                    total: amount(i.principal + i.interest + i.fee, ccy),
                })
                .collect(),
        })
    }
}

/// A stored currency code; one the domain does not know is a corrupt row (500).
fn currency_of(code: &str) -> Result<Currency, ApiError> {
    Currency::parse(code).map_err(ApiError::internal)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionView {
    pub id: Uuid,
    pub kind: String,
    pub business_date: NaiveDate,
    pub amount: String,
    pub principal: String,
    pub interest: String,
    pub penalty: String,
    pub fee: String,
    pub external_reference: Option<String>,
    pub journal_entry_id: Uuid,
}

fn transaction_view(t: &TransactionRow, ccy: Currency) -> TransactionView {
    TransactionView {
        id: t.id,
        kind: t.kind.clone(),
        business_date: t.business_date,
        amount: amount(t.amount, ccy),
        principal: amount(t.principal, ccy),
        interest: amount(t.interest, ccy),
        penalty: amount(t.penalty, ccy),
        fee: amount(t.fee, ccy),
        external_reference: t.external_reference.clone(),
        journal_entry_id: t.journal_entry_id,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LoanQuery {
    #[param(inline)]
    pub product: Option<LoanProduct>,
    #[param(inline)]
    pub status: Option<StatusFilter>,
    #[param(inline)]
    pub bucket: Option<LoanBucket>,
    pub line_id: Option<Uuid>,
    /// Staff only: one party's loans.
    pub party_id: Option<Uuid>,
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// A merchant's own loans; staff see all, filtered.
#[utoipa::path(get, path = "/v1/loans", tag = "loans", security(("bearer" = [])), params(LoanQuery),
    responses((status = 200, body = Page<LoanView>), (status = 403, body = ErrorBody)))]
pub async fn list(call: Call, query: web::Query<LoanQuery>) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = call.page_size(q.limit);
    let filter = LoanFilter {
        party: q.party_id,
        product: q.product.map(|p| p.as_str().to_string()),
        line: q.line_id,
        status: q.status.map(|s| s.as_str().to_string()),
        bucket: q.bucket.map(|b| b.as_str().to_string()),
        after: q.after,
        limit,
    };
    call.read(
        move |ctx| loans::list_loans(ctx, filter),
        move |rows| {
            let views = rows.iter().map(|l| LoanView::build(l, &[]));
            Reply::ok(&Page::new(views.collect::<Result<_, _>>()?, limit, |v| {
                v.id
            }))
        },
    )
    .await
}

/// One loan with its balances, days past due and schedule.
#[utoipa::path(get, path = "/v1/loans/{id}", tag = "loans", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = LoanView), (status = 404, body = ErrorBody)))]
pub async fn get(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.read(
        move |ctx| loans::find_loan(ctx, id),
        |(loan, schedule)| Reply::ok(&LoanView::build(&loan, &schedule)?),
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// The loan's money movements, oldest first.
#[utoipa::path(get, path = "/v1/loans/{id}/transactions", tag = "loans", security(("bearer" = [])),
    params(("id" = Uuid, Path), PageQuery), responses((status = 200, body = Page<TransactionView>), (status = 404, body = ErrorBody)))]
pub async fn transactions(
    call: Call,
    id: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, limit, after) = (id.into_inner(), call.page_size(query.limit), query.after);
    call.read(
        move |ctx| loans::loan_transactions(ctx, id, after, limit),
        move |(loan, rows)| {
            let ccy = currency_of(&loan.currency)?;
            let views = rows.iter().map(|t| transaction_view(t, ccy)).collect();
            Reply::ok(&Page::new(views, limit, |t: &TransactionView| t.id))
        },
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PayoffQuery {
    /// Defaults to the business date; never before it.
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayoffView {
    pub loan_id: Uuid,
    pub date: NaiveDate,
    pub currency: String,
    pub penalty: String,
    pub interest: String,
    pub principal: String,
    pub fees: String,
    /// What is due on `date` (penalties, interest and principal due by then): paying it keeps
    /// the loan current.
    pub due_now: String,
    /// Repaying exactly this on `date` closes the loan.
    pub total: String,
}

impl PayoffView {
    fn build(loan: &LoanRow, date: NaiveDate, owed: &Owed) -> Result<PayoffView, ApiError> {
        let ccy = currency_of(&loan.currency)?;
        Ok(PayoffView {
            loan_id: loan.id,
            date,
            currency: loan.currency.clone(),
            penalty: amount(owed.penalty, ccy),
            interest: amount(owed.interest, ccy),
            principal: amount(owed.principal(), ccy),
            fees: amount(owed.fees, ccy),
            due_now: amount(owed.due_now(), ccy),
            total: amount(owed.total(), ccy),
        })
    }
}

/// What it takes to close the loan on a date.
#[utoipa::path(get, path = "/v1/loans/{id}/payoff", tag = "loans", security(("bearer" = [])),
    params(("id" = Uuid, Path), PayoffQuery), responses((status = 200, body = PayoffView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn payoff(
    call: Call,
    id: web::Path<Uuid>,
    query: web::Query<PayoffQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, date) = (id.into_inner(), query.date);
    call.read(
        move |ctx| loans::payoff(ctx, id, date),
        |(loan, date, owed)| Reply::ok(&PayoffView::build(&loan, date, &owed)?),
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRepayment {
    #[schema(example = "1000.00")]
    pub amount: String,
    /// The payment's reference at the payer's bank; unique platform-wide.
    #[schema(example = "ALIPAY-20261111-000123")]
    pub external_reference: String,
}

impl TryFrom<(Uuid, NewRepayment)> for Repay {
    type Error = ApiError;

    /// The reference is an identifier of 1 to 100 characters (unique platform-wide by its
    /// canonical key, computed where the transaction is recorded).
    fn try_from((loan_id, dto): (Uuid, NewRepayment)) -> Result<Repay, ApiError> {
        let reference =
            crate::text::identifier("external_reference", &dto.external_reference, 100)?;
        Ok(Repay {
            loan_id,
            amount: dto.amount,
            reference: reference.text().to_string(),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepaymentView {
    pub loan: LoanView,
    pub applied_to_penalty: String,
    pub applied_to_fees: String,
    pub applied_to_interest: String,
    pub applied_to_principal: String,
}

impl RepaymentView {
    fn build(loan: &LoanRow, split: &Split) -> Result<RepaymentView, ApiError> {
        let ccy = currency_of(&loan.currency)?;
        Ok(RepaymentView {
            loan: LoanView::build(loan, &[])?,
            applied_to_penalty: amount(split.penalty, ccy),
            applied_to_fees: amount(split.fees, ccy),
            applied_to_interest: amount(split.interest, ccy),
            applied_to_principal: amount(split.principal, ccy),
        })
    }
}

/// Repays a loan (the borrower: a merchant, or the shopper of an installment plan;
/// `Idempotency-Key` required).
#[utoipa::path(post, path = "/v1/loans/{id}/repayments", tag = "loans", security(("bearer" = [])), request_body = NewRepayment,
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = RepaymentView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn repay(
    call: Call,
    id: web::Path<Uuid>,
    body: JsonBody<NewRepayment>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash().to_string();
    let ask = Repay::try_from((id.into_inner(), body.into_inner()))?;
    call.run(
        KeyPolicy::Required,
        Some(&hash),
        move |ctx| repayment::repay(ctx, ask),
        |(loan, split)| Reply::created(&RepaymentView::build(&loan, &split)?),
    )
    .await
}

/// Writes a loan off (risk officer), once it is past the configured days past due.
#[utoipa::path(post, path = "/v1/loans/{id}/write-off", tag = "loans", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = LoanView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn write_off(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    call.run(
        KeyPolicy::Optional,
        None,
        move |ctx| write_off::write_off(ctx, id),
        |loan| Reply::ok(&LoanView::build(&loan, &[])?),
    )
    .await
}
