//! Helpers for the lending scenarios: merchants with known sales, approved lines, the business
//! calendar.

use api::auth::Role;
use lendline_tests::{party_body, read, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

/// A merchant whose three months of sales average `monthly_sales`.
pub async fn merchant_with_sales(app: &TestApp, monthly_sales: &str) -> (Uuid, String) {
    let mut body = party_body("merchant");
    body["sector"] = json!("grocery");
    for month in body["monthly_sales"].as_array_mut().unwrap() {
        month["amount"] = json!(monthly_sales);
    }
    let (status, party) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201, "{party}");
    let id: Uuid = party["id"].as_str().unwrap().parse().unwrap();
    (id, app.token(Role::Merchant, &id.to_string()))
}

pub async fn set_date(app: &TestApp, date: &str) {
    let res = app
        .client
        .put(app.url("/v1/admin/business-date"))
        .bearer_auth(app.admin())
        .json(&json!({"business_date": date}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

pub async fn eod(app: &TestApp, date: &str) -> Value {
    let (status, body) = app
        .post("/v1/admin/eod", &app.admin(), &json!({"date": date}))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

pub async fn apply(app: &TestApp, token: &str, limit: &str) -> (u16, Value) {
    let body = json!({"requested_limit": limit, "currency": "CNY", "purpose": "stock_up",
        "event_name": "Double 11", "event_date": "2026-11-11", "consent_to_sales_data": true});
    app.post("/v1/credit-line-applications", token, &body).await
}

/// A merchant with an approved line of `limit`, on business date 2026-09-01.
/// A merchant with little sales applies for `amount` on 2026-09-01 and is referred; answers the
/// merchant's token, the application and its pending review case as `officer` sees it.
pub async fn referred_application(
    app: &TestApp,
    amount: &str,
    officer: &str,
) -> (String, Value, Value) {
    set_date(app, "2026-09-01").await;
    let (_, token) = merchant_with_sales(app, "10000.00").await;
    let (status, application) = apply(app, &token, amount).await;
    assert_eq!(status, 201, "{application}");
    assert_eq!(application["status"], "referred", "{application}");
    let (status, queue) = app.get("/v1/reviews?status=pending", officer).await;
    assert_eq!(status, 200, "{queue}");
    let case = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject_id"] == application["id"])
        .unwrap()
        .clone();
    (token, application, case)
}

pub async fn approved_line(app: &TestApp, limit: &str) -> (Uuid, String, Uuid) {
    set_date(app, "2026-09-01").await;
    let (merchant, token) = merchant_with_sales(app, "200000.00").await;
    let (status, application) = apply(app, &token, limit).await;
    assert_eq!(status, 201, "{application}");
    assert_eq!(application["status"], "approved", "{application}");
    let line = application["credit_line_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    (merchant, token, line)
}

pub async fn post_keyed(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    read(res).await
}

pub async fn draw(
    app: &TestApp,
    token: &str,
    line: Uuid,
    amount: &str,
    tenor: u32,
    method: &str,
) -> Value {
    let body = json!({"amount": amount, "tenor_days": tenor, "repayment_method": method});
    let (status, loan) = post_keyed(
        app,
        &format!("/v1/credit-lines/{line}/draws"),
        token,
        &Uuid::new_v4().to_string(),
        &body,
    )
    .await;
    assert_eq!(status, 201, "{loan}");
    loan
}

pub async fn repay(app: &TestApp, token: &str, loan: &str, amount: &str) -> (u16, Value) {
    let body =
        json!({"amount": amount, "external_reference": format!("PAY-{}", Uuid::new_v4().simple())});
    post_keyed(
        app,
        &format!("/v1/loans/{loan}/repayments"),
        token,
        &Uuid::new_v4().to_string(),
        &body,
    )
    .await
}

pub async fn payoff(app: &TestApp, token: &str, loan: &str, date: &str) -> Value {
    let (status, quote) = app
        .get(&format!("/v1/loans/{loan}/payoff?date={date}"), token)
        .await;
    assert_eq!(status, 200, "{quote}");
    quote
}

/// The books balance and every kept balance equals its postings.
pub async fn assert_books_sound(app: &TestApp) {
    let (_, tb) = app.get("/v1/ledger/trial-balance", &app.admin()).await;
    assert_eq!(tb["balanced"], true, "{tb}");
    let (_, check) = app.get("/v1/ledger/check", &app.admin()).await;
    assert_eq!(check["consistent"], true, "{check}");
    let (_, audit) = app.get("/v1/audit/verify", &app.admin()).await;
    assert_eq!(audit["ok"], true, "{audit}");
}

/// The ledger balance of a loan's principal account.
pub async fn ledger_principal(app: &TestApp, loan: &str) -> String {
    let (_, account) = app
        .get(
            &format!("/v1/ledger/accounts/loans_receivable:{loan}"),
            &app.admin(),
        )
        .await;
    account["balances"][0]["balance"]
        .as_str()
        .unwrap_or("0.00")
        .to_string()
}
