//! Ledger reads: the trial balance, one account's balance and postings, and the balance check.

use actix_web::{web, HttpResponse};
use domain::ledger::Account;
use persistence::ledger::{self, PostingRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::request::{Call, Reply};
use crate::usecases::books::{self, TrialBalance};
use crate::views::stored_amount;

#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceView {
    pub account: String,
    pub currency: String,
    #[schema(example = "1000.00")]
    pub balance: String,
    pub postings_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyTotal {
    pub currency: String,
    /// Debits minus credits over every account: exactly zero in a sound ledger.
    #[schema(example = "0.00")]
    pub total: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrialBalanceView {
    pub totals: Vec<CurrencyTotal>,
    pub balanced: bool,
    pub accounts: Vec<BalanceView>,
    /// Pass as `after` for the next page of accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrialBalanceQuery {
    /// The `next_cursor` of the previous page: an account name.
    #[param(pattern = r"^[a-z_]+(:[A-Za-z0-9_.-]+)*$", max_length = 200)]
    pub after: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostingView {
    pub id: i64,
    pub entry_id: Uuid,
    pub currency: String,
    /// Positive: debit; negative: credit.
    #[schema(example = "-250.00")]
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub account: String,
    pub balances: Vec<BalanceView>,
    pub postings: Vec<PostingView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    /// Posting id cursor.
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceCheckView {
    /// True when every kept balance equals the sum of its account's postings.
    pub consistent: bool,
    pub mismatches: Vec<BalanceMismatchView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceMismatchView {
    pub account: String,
    pub currency: String,
    pub kept: String,
    pub from_postings: String,
}

fn balance_view(b: ledger::BalanceRow) -> BalanceView {
    BalanceView {
        account: b.account,
        balance: stored_amount(b.balance, &b.currency),
        currency: b.currency,
        postings_count: b.postings_count,
    }
}

impl From<TrialBalance> for TrialBalanceView {
    fn from(page: TrialBalance) -> Self {
        TrialBalanceView {
            balanced: page.totals.iter().all(|(_, t)| t.is_zero()),
            totals: page
                .totals
                .into_iter()
                .map(|(currency, total)| CurrencyTotal {
                    total: stored_amount(total, &currency),
                    currency,
                })
                .collect(),
            accounts: page.accounts.into_iter().map(balance_view).collect(),
            next_cursor: None,
        }
    }
}

/// The trial balance's cursor: an account name (as published). Anything else, an empty text
/// or a NUL that PostgreSQL would refuse among them, names no page.
fn cursor(after: Option<&str>) -> Result<String, ApiError> {
    match after {
        None => Ok(String::new()),
        Some(name) if Account::parse(name).is_ok() => Ok(name.to_string()),
        Some(_) => Err(ApiError::bad_request(
            "invalid_query",
            "after must be an account name from a previous page",
            Some("after"),
        )),
    }
}

/// Every account's balance and the total per currency.
#[utoipa::path(get, path = "/v1/ledger/trial-balance", tag = "ledger", security(("bearer" = [])),
    params(TrialBalanceQuery),
    responses((status = 200, body = TrialBalanceView), (status = 403, body = ErrorBody)))]
pub async fn trial_balance(
    call: Call,
    query: web::Query<TrialBalanceQuery>,
) -> Result<HttpResponse, ApiError> {
    let (after, limit) = (cursor(query.after.as_deref())?, call.page_size(query.limit));
    call.read(
        move |ctx| books::trial_balance(ctx, after, limit),
        move |page| {
            let next_cursor =
                crate::pagination::next_cursor(&page.accounts, limit, |r| r.account.clone());
            Reply::ok(&TrialBalanceView {
                next_cursor,
                ..TrialBalanceView::from(page)
            })
        },
    )
    .await
}

/// One account: its balances and its postings, oldest first.
#[utoipa::path(get, path = "/v1/ledger/accounts/{account}", tag = "ledger", security(("bearer" = [])),
    params(("account" = String, Path, description = "e.g. loans_receivable:<loan id>",
        pattern = r"^[a-z_]+(:[A-Za-z0-9_.-]+)*$", max_length = 200), AccountQuery),
    responses((status = 200, body = AccountView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn account(
    call: Call,
    path: web::Path<String>,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, ApiError> {
    let name = path.into_inner();
    let account = Account::parse(&name)
        .map_err(|e| ApiError::bad_request("invalid_account", e.to_string(), Some("account")))?;
    let limit = call.page_size(query.limit);
    let after = query.after.unwrap_or(0);
    call.read(
        move |ctx| books::account(ctx, account, after, limit),
        move |(balances, postings)| {
            Reply::ok(&AccountView {
                account: name,
                next_cursor: crate::pagination::next_cursor(&postings, limit, |p| p.id),
                balances: balances.into_iter().map(balance_view).collect(),
                postings: postings.into_iter().map(posting_view).collect(),
            })
        },
    )
    .await
}

fn posting_view(p: PostingRow) -> PostingView {
    PostingView {
        id: p.id,
        entry_id: p.entry_id,
        amount: stored_amount(p.amount, &p.currency),
        currency: p.currency,
    }
}

/// Proves that every kept balance equals the sum of its postings.
#[utoipa::path(get, path = "/v1/ledger/check", tag = "ledger", security(("bearer" = [])),
    responses((status = 200, body = BalanceCheckView), (status = 403, body = ErrorBody)))]
pub async fn check(call: Call) -> Result<HttpResponse, ApiError> {
    call.read(books::balance_check, |mismatches| {
        Reply::ok(&BalanceCheckView {
            consistent: mismatches.is_empty(),
            mismatches: mismatches
                .into_iter()
                .map(|m| BalanceMismatchView {
                    account: m.account,
                    kept: stored_amount(m.kept, &m.currency),
                    from_postings: stored_amount(m.from_postings, &m.currency),
                    currency: m.currency,
                })
                .collect(),
        })
    })
    .await
}
