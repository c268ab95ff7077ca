//! Inventory financing end to end: pledge by warehouse receipt, draw within the LTV, a
//! revaluation that calls for margin and freezes draws, repayment and release; one receipt
//! never backs two loans.

use api::auth::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lending_support::*;
use lendline_tests::TestApp;

fn goods(receipt: &str) -> Value {
    json!({"warehouse": "Cainiao Hangzhou 3", "receipt_number": receipt, "sku": "SKU-PHONE-128",
        "category": "electronics", "quantity": 1000, "currency": "CNY", "unit_value": "50.00"})
}

async fn pledge(app: &TestApp, token: &str, receipt: &str) -> (u16, Value) {
    app.post("/v1/collateral", token, &goods(receipt)).await
}

async fn draw_on(app: &TestApp, token: &str, id: &str, amount: &str) -> (u16, Value) {
    let path = format!("/v1/collateral/{id}/draws");
    let body = json!({"amount": amount, "tenor_days": 60});
    post_keyed(app, &path, token, &Uuid::new_v4().to_string(), &body).await
}

#[tokio::test]
async fn goods_go_through_a_margin_call_and_are_released_only_after_repayment() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, merchant) = merchant_with_sales(&app, "200000.00").await;
    let (_, other) = merchant_with_sales(&app, "200000.00").await;
    let (status, pledged) = pledge(&app, &merchant, "WR-2026-0001").await;
    assert_eq!(status, 201, "{pledged}");
    // 1000 × 50 × (1 − 0.40) = 30000 lendable; 80 % LTV = 24000.
    assert_eq!(pledged["lendable_value"], "30000.00");
    let id = pledged["id"].as_str().unwrap().to_string();
    let (status, err) = draw_on(&app, &merchant, &id, "24000.01").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("ltv_exceeded"))
    );
    let (status, _) = draw_on(&app, &other, &id, "1000.00").await;
    assert_eq!(status, 404);
    let (status, loan) = draw_on(&app, &merchant, &id, "24000.00").await;
    assert_eq!(status, 201, "{loan}");
    assert_eq!(loan["product"], "inventory_financing");
    let loan_id = loan["id"].as_str().unwrap().to_string();
    let (status, err) = draw_on(&app, &merchant, &id, "100.00").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("collateral_in_use"))
    );

    let officer = app.token(api::auth::Role::RiskOfficer, "officer-1");
    let path = format!("/v1/collateral/{id}/valuations");
    let (status, _) = app
        .post(&path, &merchant, &json!({"unit_value": "80.00"}))
        .await;
    assert_eq!(status, 403, "merchants do not value their own goods");
    let (status, valued) = app
        .post(&path, &officer, &json!({"unit_value": "40.00"}))
        .await;
    assert_eq!(status, 201, "{valued}");
    assert_eq!(valued["margin_call"], true, "{valued}");
    assert_eq!(valued["ltv"], "1");
    assert_eq!(valued["collateral"]["status"], "margin_call");
    let (_, second) = pledge(&app, &merchant, "WR-2026-0002").await;
    let (status, err) = draw_on(&app, &merchant, second["id"].as_str().unwrap(), "1000.00").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("margin_call_open"))
    );
    let release = format!("/v1/collateral/{id}/release");
    let (status, err) = app.post(&release, &merchant, &json!({})).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("loan_outstanding"))
    );

    set_date(&app, "2026-10-01").await;
    let quote = payoff(&app, &merchant, &loan_id, "2026-10-01").await;
    let (status, paid) = repay(&app, &merchant, &loan_id, quote["total"].as_str().unwrap()).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["loan"]["status"], "closed");
    let (status, valued) = app
        .post(&path, &officer, &json!({"unit_value": "40.00"}))
        .await;
    assert_eq!(status, 201, "{valued}");
    assert_eq!(valued["margin_call"], false, "{valued}");
    let print = pledged["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(
        registry(&app, &print).await,
        json!({"registered": true, "encumbered": true})
    );
    let (status, released) = app.post(&release, &merchant, &json!({})).await;
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["status"], "released");
    assert_eq!(
        registry(&app, &print).await,
        json!({"registered": true, "encumbered": false}),
        "released goods stay registered, no longer pledged"
    );
    assert_books_sound(&app).await;
}

/// What an outside lender learns from the registry about a fingerprint.
async fn registry(app: &TestApp, fingerprint: &str) -> Value {
    let outsider = app.token(Role::Financier, "bank-of-elsewhere");
    let (status, body) = app
        .get(&format!("/v1/registry/{fingerprint}"), &outsider)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn one_warehouse_receipt_never_backs_two_pledges() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, merchant) = merchant_with_sales(&app, "200000.00").await;
    let (_, other) = merchant_with_sales(&app, "200000.00").await;
    let (status, pledged) = pledge(&app, &merchant, "wr-2026/0007").await;
    assert_eq!(status, 201);
    // An outside lender holding the receipt finds the goods pledged.
    let print = pledged["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(
        registry(&app, &print).await,
        json!({"registered": true, "encumbered": true})
    );
    for (token, receipt) in [(&merchant, "WR 2026 0007"), (&other, "WR-2026-0007")] {
        let (status, err) = pledge(&app, token, receipt).await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (409, Some("receipt_already_pledged"))
        );
    }
    assert_books_sound(&app).await;
}
