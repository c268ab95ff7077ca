//! Issue 12 §3: range checks on dates, countries and currencies, duplicate JSON keys and decimal
//! strings, each refused with the field at fault.

use api::auth::Role;
use serde_json::{json, Value};

use crate::lending_support::*;
use crate::scf_support::{confirmed_receivable, factor, in_days, post_key, receivable_body, setup};
use lendline_tests::{party_body, read, TestApp};

fn assert_refused(status: u16, err: &Value, want_status: u16, field: &str) {
    assert_eq!(status, want_status, "{err}");
    assert_eq!(err["error"]["field"], field, "{err}");
}

#[tokio::test]
async fn onboarding_refuses_future_or_absurd_dates_and_unknown_countries() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let cases = [
        ("onboarded_on", json!("2026-09-02")),
        ("store_opened_on", json!("2027-01-01")),
        ("onboarded_on", json!("2101-01-01")),
        ("store_opened_on", json!("1899-12-31")),
        ("country", json!("XX")),
        ("country", json!("UK")),
    ];
    for (field, value) in cases {
        let mut body = party_body("merchant");
        body[field] = value;
        let (status, err) = app.post("/v1/parties", &app.admin(), &body).await;
        assert_refused(status, &err, 422, field);
    }
    let mut body = party_body("merchant");
    body["monthly_sales"][0]["month"] = json!("1066-10");
    let (status, err) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_refused(status, &err, 422, "monthly_sales.month");
    let (status, party) = app
        .post("/v1/parties", &app.admin(), &party_body("merchant"))
        .await;
    assert_eq!(status, 201, "{party}");
}

#[tokio::test]
async fn orders_in_another_currency_or_settling_in_the_past_are_refused() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (merchant, _) = merchant_with_sales(&app, "200000.00").await;
    let buyer_id = app.create_party("core_enterprise").await;
    let buyer = app.token(Role::CoreEnterprise, &buyer_id.to_string());
    let order = |currency: &str, settles: &str| {
        json!({"merchant_id": merchant, "order_number": format!("PO-{currency}-{settles}"),
            "kind": "purchase_order", "currency": currency, "order_value": "50000.00",
            "expected_settlement_on": settles})
    };
    let (status, err) = app
        .post("/v1/orders", &buyer, &order("USD", "2026-10-31"))
        .await;
    assert_refused(status, &err, 422, "currency");
    let (status, err) = app
        .post("/v1/orders", &buyer, &order("CNY", "2026-08-31"))
        .await;
    assert_refused(status, &err, 422, "expected_settlement_on");
    let (status, ok) = app
        .post("/v1/orders", &buyer, &order("CNY", "2026-10-31"))
        .await;
    assert_eq!(status, 201, "{ok}");
}

#[tokio::test]
async fn a_credit_line_application_in_another_currency_is_refused() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, token) = merchant_with_sales(&app, "200000.00").await;
    let body = json!({"requested_limit": "30000.00", "currency": "USD", "purpose": "stock_up",
        "event_name": "Double 11", "event_date": "2026-11-11", "consent_to_sales_data": true});
    let (status, err) = app
        .post("/v1/credit-line-applications", &token, &body)
        .await;
    assert_refused(status, &err, 422, "currency");
}

#[tokio::test]
async fn offers_and_pledges_in_another_currency_than_the_merchants_are_refused() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, token) = merchant_with_sales(&app, "200000.00").await;
    let offer = json!({"currency": "USD", "installments": 3, "payer": "merchant",
        "min_purchase": "100.00", "max_purchase": "50000.00"});
    let (status, err) = app.post("/v1/installment-offers", &token, &offer).await;
    assert_refused(status, &err, 422, "currency");
    let goods = json!({"warehouse": "Cainiao Hangzhou 3", "receipt_number": "WR-USD-1",
        "sku": "SKU-PHONE-128", "category": "electronics", "quantity": 1000, "currency": "USD",
        "unit_value": "50.00"});
    let (status, err) = app.post("/v1/collateral", &token, &goods).await;
    assert_refused(status, &err, 422, "currency");
}

#[tokio::test]
async fn receivables_payments_and_defaults_are_dated_against_the_business_date() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let mut future_issue = receivable_body(scf.core, "INV-D-1", "10000.00", 30);
    future_issue["issue_date"] = json!(in_days(1));
    let (status, err) = app
        .post("/v1/receivables", &scf.supplier_token, &future_issue)
        .await;
    assert_refused(status, &err, 422, "issue_date");
    let past_due = receivable_body(scf.core, "INV-D-2", "10000.00", -1);
    let (status, err) = app
        .post("/v1/receivables", &scf.supplier_token, &past_due)
        .await;
    assert_refused(status, &err, 422, "due_date");
    let id = confirmed_receivable(&app, &scf, "INV-D-3", "10000.00", 30).await;
    factor(&app, &scf, &[id]).await;
    let (status, err) = post_key(
        &app,
        &format!("/v1/receivables/{id}/payments"),
        &app.admin(),
        &json!({"amount": "10000.00", "paid_on": in_days(1)}),
    )
    .await;
    assert_refused(status, &err, 422, "paid_on");
    let (status, err) = post_key(
        &app,
        &format!("/v1/receivables/{id}/default"),
        &app.admin(),
        &json!({"business_date": in_days(41)}),
    )
    .await;
    assert_refused(status, &err, 422, "business_date");
}

async fn post_raw(app: &TestApp, path: &str, token: &str, body: &str) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    read(res).await
}

#[tokio::test]
async fn a_repeated_json_key_is_refused_everywhere_and_decimal_strings_refuse_numbers() {
    let app = TestApp::spawn().await;
    let body = party_body("merchant").to_string();
    // The last key used to win: this made a shopper.
    let twice = body.replacen('{', r#"{"kind":"shopper","#, 1);
    let (status, err) = post_raw(&app, "/v1/parties", &app.admin(), &twice).await;
    assert_refused(status, &err, 400, "kind");
    assert_eq!(err["error"]["code"], "duplicate_key", "{err}");
    let nested = body.replacen(r#""month":"#, r#""month":"2026-01","month":"#, 1);
    let (status, err) = post_raw(&app, "/v1/parties", &app.admin(), &nested).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (400, Some("duplicate_key")),
        "{err}"
    );
    set_date(&app, "2026-09-01").await;
    let (_, token) = merchant_with_sales(&app, "200000.00").await;
    let application = r#"{"requested_limit":"30000.00","currency":"CNY","purpose":"stock_up",
        "event_name":"Double 11","event_date":"2026-11-11","consent_to_sales_data":true,
        "requested_limit":"900000.00"}"#;
    let (status, err) = post_raw(&app, "/v1/credit-line-applications", &token, application).await;
    assert_refused(status, &err, 400, "requested_limit");
    let mut number = party_body("merchant");
    number["returns_rate"] = json!(0.03);
    let (status, err) = app.post("/v1/parties", &app.admin(), &number).await;
    assert_refused(status, &err, 400, "returns_rate");
    let (status, parties) = app.get("/v1/parties?kind=shopper", &app.admin()).await;
    assert_eq!(status, 200);
    assert_eq!(parties["items"].as_array().unwrap().len(), 0, "{parties}");
}
