//! Issue 12 §2, credit lines: the engine's limit is the merchant's total, so applications made
//! one after another or all at once never open lines worth more than it.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::lending_support::{apply, merchant_with_sales, set_date};
use lendline_tests::TestApp;

/// The stock-up line's limit cap in the shipped model; a merchant selling 200,000 a month
/// reaches it at any grade.
const ENGINE_LIMIT: i64 = 50_000;

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

/// The sum of the limits of the merchant's lines, as the merchant reads them.
async fn open_limits(app: &TestApp, token: &str) -> Decimal {
    let (status, lines) = app.get("/v1/credit-lines?limit=100", token).await;
    assert_eq!(status, 200, "{lines}");
    lines["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| dec(&l["limit"]))
        .sum()
}

#[tokio::test]
async fn applications_one_after_another_get_at_most_what_the_open_lines_leave() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, token) = merchant_with_sales(&app, "200000.00").await;
    let (status, first) = apply(&app, &token, "30000.00").await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["status"], "approved", "{first}");
    assert_eq!(first["decision"]["credit_limit"], "30000.00", "{first}");

    let (status, second) = apply(&app, &token, "30000.00").await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["status"], "approved", "{second}");
    assert_eq!(second["decision"]["credit_limit"], "20000.00", "{second}");

    let (status, third) = apply(&app, &token, "30000.00").await;
    assert_eq!(status, 200, "a decline creates nothing: {third}");
    assert_eq!(third["status"], "declined", "{third}");
    assert!(third["credit_line_id"].is_null(), "{third}");
    let reasons = third["decision"]["reasons"].to_string();
    assert!(reasons.contains("exposure"), "{reasons}");

    assert_eq!(open_limits(&app, &token).await, Decimal::from(ENGINE_LIMIT));
}

#[tokio::test]
async fn five_concurrent_applications_never_open_more_than_the_engine_limit() {
    let app = Arc::new(TestApp::spawn().await);
    set_date(&app, "2026-09-01").await;
    let (_, token) = merchant_with_sales(&app, "200000.00").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let (app, token) = (app.clone(), token.clone());
        tasks.spawn(async move { apply(&app, &token, "30000.00").await });
    }
    let mut granted = Decimal::ZERO;
    let mut outcomes = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        let (status, body) = answer.unwrap();
        let created = if body["status"] == "declined" {
            200
        } else {
            201
        };
        assert_eq!(status, created, "{body}");
        if body["status"] == "approved" {
            granted += dec(&body["decision"]["credit_limit"]);
        }
        outcomes.push(body["status"].as_str().unwrap().to_string());
    }
    assert!(
        granted <= Decimal::from(ENGINE_LIMIT),
        "{granted} granted: {outcomes:?}"
    );
    outcomes.sort();
    // Decided in turn: 30,000, then the 20,000 left, then nothing.
    assert_eq!(
        outcomes,
        ["approved", "approved", "declined", "declined", "declined"],
        "{granted}"
    );
    assert_eq!(open_limits(&app, &token).await, granted);
}
