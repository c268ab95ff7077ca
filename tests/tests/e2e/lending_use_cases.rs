//! Issue 13, stock-up lending in the use-case layer: a credit-line application's decision
//! answers in the one shape of every automated decision (201 when approved or referred, 200
//! when declined: nothing was created; the application's fields with `outcome`, `decision_id`
//! and `reasons` beside them), and a payoff quote keeps nothing of what it computed.

use api::auth::Role;
use serde_json::{json, Value};

use crate::lending_support::{
    apply, approved_line, assert_books_sound, draw, merchant_with_sales, payoff, post_keyed,
    set_date,
};

fn application(limit: &str) -> Value {
    json!({"requested_limit": limit, "currency": "CNY", "purpose": "stock_up",
        "consent_to_sales_data": true})
}

#[tokio::test]
async fn a_declined_application_is_a_200_with_its_decision_and_a_retry_replays_it() {
    let app = lendline_tests::TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, token) = merchant_with_sales(&app, "200000.00").await;
    let (status, approved) = apply(&app, &token, "50000.00").await;
    assert_eq!(status, 201, "{approved}");
    assert_eq!(approved["outcome"], "approved", "{approved}");
    assert_eq!(approved["status"], "approved", "{approved}");
    assert!(approved["credit_line_id"].is_string(), "{approved}");

    // The engine's limit is used up: the next application is declined.
    let path = "/v1/credit-line-applications";
    let ask = application("10000.00");
    let (status, declined) = post_keyed(&app, path, &token, "declined-once", &ask).await;
    assert_eq!(status, 200, "{declined}");
    assert_eq!(declined["outcome"], "declined", "{declined}");
    assert_eq!(declined["status"], "declined", "{declined}");
    assert_eq!(declined["decision"]["outcome"], "declined", "{declined}");
    assert!(declined["credit_line_id"].is_null(), "{declined}");
    let reasons = declined["reasons"].as_array().expect("reasons");
    assert!(!reasons.is_empty(), "{declined}");
    assert_eq!(declined["reasons"], declined["decision"]["reasons"]);

    let decision = declined["decision_id"].as_str().expect("decision_id");
    let officer = app.token(Role::RiskOfficer, "officer-1");
    let (status, stored) = app
        .get(&format!("/v1/decisions/{decision}"), &officer)
        .await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["outcome"], "decline", "{stored}");

    // A decline is committed like any answer: the application reads back, a retry replays it.
    let id = declined["id"].as_str().unwrap();
    let (status, read) = app
        .get(&format!("/v1/credit-line-applications/{id}"), &token)
        .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["status"], "declined", "{read}");
    let (status, again) = post_keyed(&app, path, &token, "declined-once", &ask).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, declined);
}

/// A payoff quote runs the real accrual up to its date and then rolls it back: quoting a later
/// day leaves the loan, its transactions and the books as they were.
#[tokio::test]
async fn a_payoff_quote_for_a_later_day_keeps_nothing_of_its_accrual() {
    let app = lendline_tests::TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 90, "bullet").await;
    let id = loan["id"].as_str().unwrap();
    let later = payoff(&app, &token, id, "2026-10-31").await;
    assert_ne!(later["interest"], "0.00", "{later}");
    let today = payoff(&app, &token, id, "2026-09-01").await;
    assert_eq!(today["interest"], "0.00", "{today}");
    assert_eq!(today["total"], "10000.00", "{today}");
    let (status, read) = app.get(&format!("/v1/loans/{id}"), &token).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["interest_outstanding"], "0.00", "{read}");
    let (status, moves) = app
        .get(&format!("/v1/loans/{id}/transactions"), &token)
        .await;
    assert_eq!(status, 200, "{moves}");
    assert_eq!(moves["items"].as_array().map(Vec::len), Some(1), "{moves}");
    assert_books_sound(&app).await;
}
