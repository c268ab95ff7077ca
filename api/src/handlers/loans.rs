//! Loans of every product: reads (balances, schedule, transactions), payoff quotes, repayments
//! and write-offs. A shopper's installment plan is a loan too: the shopper reads, settles and
//! repays it here, through the same repayment path as a merchant's stock-up loan.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use domain::money::Money;
use persistence::loans::{self, InstallmentRow, LoanFilter, LoanRow, TransactionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ErrorBody};
use crate::filters::{LoanBucket, LoanProduct, LoanStatus};
use crate::idempotency::{self, JsonBody, KeyPolicy};
use crate::lending::repayment::{self, Owed};
use crate::lending::write_off;
use crate::lending::{business_date, currency};
use crate::pagination::Page;
use crate::state::AppState;
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
        let ccy = currency(&loan.currency)?;
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
            principal_outstanding: amount(
                if loan.status == "written_off" {
                    rust_decimal::Decimal::ZERO
                } else {
                    loan.principal_outstanding()
                },
                ccy,
            ),
            interest_outstanding: amount(
                if loan.status == "written_off" {
                    rust_decimal::Decimal::ZERO
                } else {
                    loan.interest_outstanding()
                },
                ccy,
            ),
            penalty_outstanding: amount(
                if loan.status == "written_off" {
                    rust_decimal::Decimal::ZERO
                } else {
                    loan.penalty_outstanding()
                },
                ccy,
            ),
            fees_outstanding: amount(
                if loan.status == "written_off" {
                    rust_decimal::Decimal::ZERO
                } else {
                    loan.fees_outstanding()
                },
                ccy,
            ),
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

fn transaction_view(t: &TransactionRow, ccy: domain::money::Currency) -> TransactionView {
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
    pub status: Option<LoanStatus>,
    #[param(inline)]
    pub bucket: Option<LoanBucket>,
    pub line_id: Option<Uuid>,
    /// Staff only: one party's loans.
    pub party_id: Option<Uuid>,
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

const READERS: [Role; 4] = [
    Role::Merchant,
    Role::Shopper,
    Role::RiskOfficer,
    Role::Admin,
];

/// Loads a loan the caller may see (others' loans are "not found").
fn visible_loan(
    conn: &mut diesel::PgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<LoanRow, ApiError> {
    let loan = loans::find(conn, id)?;
    caller.ensure_can_see(&[loan.party_id])?;
    Ok(loan)
}

/// A merchant's own loans; staff see all, filtered.
#[utoipa::path(get, path = "/v1/loans", tag = "loans", security(("bearer" = [])), params(LoanQuery),
    responses((status = 200, body = Page<LoanView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<LoanQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&READERS)?;
    let q = query.into_inner();
    let filter = LoanFilter {
        party: if caller.role.is_staff() {
            q.party_id
        } else {
            caller.party()
        },
        product: q.product.map(|p| p.as_str().to_string()),
        line: q.line_id,
        status: q.status.map(|s| s.as_str().to_string()),
        bucket: q.bucket.map(|b| b.as_str().to_string()),
        after: q.after,
        limit: state.page_size(q.limit),
    };
    let limit = filter.limit;
    let rows = state
        .transaction(move |conn| Ok(loans::list(conn, &filter)?))
        .await?;
    let views = rows
        .iter()
        .map(|l| LoanView::build(l, &[]))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page::new(views, limit, |v| v.id)))
}

/// One loan with its balances, days past due and schedule.
#[utoipa::path(get, path = "/v1/loans/{id}", tag = "loans", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = LoanView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&READERS)?;
    let id = id.into_inner();
    let view = state
        .transaction(move |conn| {
            let loan = visible_loan(conn, &caller, id)?;
            LoanView::build(&loan, &loans::installments(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
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
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&READERS)?;
    let (id, limit, after) = (id.into_inner(), state.page_size(query.limit), query.after);
    let page = state
        .transaction(move |conn| {
            let loan = visible_loan(conn, &caller, id)?;
            let ccy = currency(&loan.currency)?;
            let rows = loans::transactions(conn, id, after, limit)?;
            Ok(Page::new(
                rows.iter().map(|t| transaction_view(t, ccy)).collect(),
                limit,
                |t: &TransactionView| t.id,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
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

/// What it takes to close the loan on a date.
#[utoipa::path(get, path = "/v1/loans/{id}/payoff", tag = "loans", security(("bearer" = [])),
    params(("id" = Uuid, Path), PayoffQuery), responses((status = 200, body = PayoffView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn payoff(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<PayoffQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&READERS)?;
    let (id, requested) = (id.into_inner(), query.date);
    let view = state
        .transaction(move |conn| {
            let loan = visible_loan(conn, &caller, id)?;
            if loan.status != "active" {
                return Err(ApiError::unprocessable(
                    "loan_not_active",
                    "only an active loan has a payoff amount",
                    None,
                ));
            }
            let today = business_date(conn)?;
            let date = requested.unwrap_or(today);
            crate::usecases::dates::within_horizon("date", date)?;
            if date < today {
                return Err(ApiError::invalid(
                    "date",
                    format!("the date must not be before the business date {today}"),
                ));
            }
            let owed: Owed = repayment::payoff_quote(conn, id, date)?;
            let ccy = currency(&loan.currency)?;
            Ok(PayoffView {
                loan_id: id,
                date,
                currency: loan.currency,
                penalty: amount(owed.penalty, ccy),
                interest: amount(owed.interest, ccy),
                principal: amount(
                    owed.principal_past_due + owed.principal_due + owed.principal_not_yet_due,
                    ccy,
                ),
                fees: amount(owed.fees, ccy),
                due_now: amount(owed.total() - owed.principal_not_yet_due, ccy),
                total: amount(owed.total(), ccy),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
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

#[derive(Debug, Serialize, ToSchema)]
pub struct RepaymentView {
    pub loan: LoanView,
    pub applied_to_penalty: String,
    pub applied_to_fees: String,
    pub applied_to_interest: String,
    pub applied_to_principal: String,
}

/// Repays a loan (the borrower: a merchant, or the shopper of an installment plan;
/// `Idempotency-Key` required).
#[utoipa::path(post, path = "/v1/loans/{id}/repayments", tag = "loans", security(("bearer" = [])), request_body = NewRepayment,
    params(("id" = Uuid, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = RepaymentView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn repay(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<NewRepayment>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Merchant, Role::Shopper])?;
    let hash = body.hash().to_string();
    let (id, dto, actor) = (id.into_inner(), body.value, caller.actor());
    let reference = crate::lending::external_reference(&dto.external_reference)?;
    let who = caller.clone();
    idempotency::run(
        &state,
        &caller,
        &req,
        Some(&hash),
        KeyPolicy::Required,
        move |conn| {
            let loan = visible_loan(conn, &who, id)?;
            let ccy = currency(&loan.currency)?;
            let value = Money::parse_positive(&dto.amount, ccy)
                .map_err(|e| ApiError::invalid("amount", e.to_string()))?;
            let today = business_date(conn)?;
            let (loan, split) = repayment::repay(conn, id, value, &reference, today, &actor)?;
            let view = RepaymentView {
                loan: LoanView::build(&loan, &[])?,
                applied_to_penalty: amount(split.penalty, ccy),
                applied_to_fees: amount(split.fees, ccy),
                applied_to_interest: amount(split.interest, ccy),
                applied_to_principal: amount(split.principal, ccy),
            };
            Ok((StatusCode::CREATED, view))
        },
    )
    .await
}

/// Writes a loan off (risk officer), once it is past the configured days past due.
#[utoipa::path(post, path = "/v1/loans/{id}/write-off", tag = "loans", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = LoanView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn write_off(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::RiskOfficer])?;
    let (id, actor, min_dpd) = (
        id.into_inner(),
        caller.actor(),
        state.policy.loans.write_off_after_dpd,
    );
    idempotency::run(
        &state,
        &caller,
        &req,
        None,
        KeyPolicy::Optional,
        move |conn| {
            let today = business_date(conn)?;
            let loan = write_off::write_off(conn, id, today, min_dpd, &actor)?;
            Ok((StatusCode::OK, LoanView::build(&loan, &[])?))
        },
    )
    .await
}
