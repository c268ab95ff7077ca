//! Issue 12, rendering: every amount a string with the currency's minor units, scores without
//! float noise, and reason codes only for factors that were inputs.

use api::auth::Role;
use lendline_tests::TestApp;
use serde_json::{json, Value};

use crate::lending_support::{approved_line, draw, referred_application};

/// A CNY amount as the API must show it: digits, a point, exactly two decimals.
fn assert_cents(value: &Value, what: &str) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {value}"));
    let decimals = text.split_once('.').map(|(_, d)| d.len());
    assert_eq!(decimals, Some(2), "{what} = {text:?}");
}

/// A number shown with at most two decimals.
fn assert_no_float_noise(value: &Value, what: &str) {
    let text = value.to_string();
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    assert!(value.is_number() && decimals <= 2, "{what} = {text}");
}

#[tokio::test]
async fn a_review_shows_requested_and_approved_amounts_with_cents() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::RiskOfficer, "officer-a");
    let (_, _, case) = referred_application(&app, "40000", &officer).await;
    assert_eq!(case["amount"], "40000.00", "{case}");
    let case_id = case["id"].as_str().unwrap();
    let claim = format!("/v1/reviews/{case_id}/claim");
    assert_eq!(app.post(&claim, &officer, &json!({})).await.0, 200);
    let (status, detail) = app.get(&format!("/v1/reviews/{case_id}"), &officer).await;
    assert_eq!(status, 200, "{detail}");
    assert_no_float_noise(&detail["engine_decision"]["score"], "engine score");
    assert_cents(&detail["engine_decision"]["credit_limit"], "engine limit");
    let decision = json!({"decision": "approve", "approved_amount": "25000", "approved_rate": "0.18", "note": "ok"});
    let (status, decided) = app
        .post(
            &format!("/v1/reviews/{case_id}/decision"),
            &officer,
            &decision,
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["approved_amount"], "25000.00", "{decided}");
}

#[tokio::test]
async fn ledger_balances_postings_and_totals_show_cents() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000", 30, "bullet").await;
    let id = loan["id"].as_str().unwrap();
    let (status, account) = app
        .get(
            &format!("/v1/ledger/accounts/loans_receivable:{id}"),
            &app.admin(),
        )
        .await;
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["balances"][0]["balance"], "10000.00", "{account}");
    for posting in account["postings"].as_array().unwrap() {
        assert_cents(&posting["amount"], "posting amount");
    }
    let (_, trial) = app.get("/v1/ledger/trial-balance", &app.admin()).await;
    for total in trial["totals"].as_array().unwrap() {
        assert_cents(&total["total"], "currency total");
    }
    for balance in trial["accounts"].as_array().unwrap() {
        assert_cents(&balance["balance"], "account balance");
    }
}

#[tokio::test]
async fn a_decision_shows_a_rounded_score_and_cites_no_factor_it_never_had() {
    let app = TestApp::spawn().await;
    let party = app.create_party("merchant").await;
    let officer = app.token(Role::RiskOfficer, "officer-7");
    // No region: the platform never collects it.
    let body = json!({"party_id": party, "product": "stock_up_line", "subject": "rendering-1",
        "inputs": {"requested_amount": "20000", "current_exposure": "0",
            "max_days_past_due": 0, "past_delinquencies": 0, "blacklisted": false}});
    let (status, decision) = app.post("/v1/credit/assessments", &officer, &body).await;
    assert_eq!(status, 201, "{decision}");
    assert_no_float_noise(&decision["score"], "score");
    assert_cents(&decision["credit_limit"], "credit limit");
    let codes: Vec<&str> = decision["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"F_REGION"), "{codes:?}");
    let id = decision["id"].as_str().unwrap();
    let (status, stored) = app.get(&format!("/v1/decisions/{id}"), &officer).await;
    assert_eq!(status, 200, "{stored}");
    assert_no_float_noise(&stored["score"], "stored score");
}
