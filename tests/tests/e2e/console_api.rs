//! What the console reads besides the existing API: the staff-only portfolio, one party's lines
//! for staff, and the console's own files (embedded, with a strict content security policy).

use api::auth::Role;
use lendline_tests::TestApp;
use serde_json::json;

use crate::lending_support::{approved_line, draw, eod, set_date};

#[tokio::test]
async fn the_portfolio_is_for_staff_and_sums_active_loans_by_product_and_bucket() {
    let app = TestApp::spawn().await;
    let (merchant, token, line) = approved_line(&app, "30000.00").await;
    draw(&app, &token, line, "10000.00", 7, "bullet").await;
    draw(&app, &token, line, "2500.50", 60, "bullet").await;
    assert_eq!(app.get("/v1/portfolio", &token).await.0, 403);

    let officer = app.token(Role::RiskOfficer, "officer-7");
    let (status, before) = app.get("/v1/portfolio", &officer).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["last_end_of_day"], json!(null), "{before}");
    assert_eq!(
        before["exposure"],
        json!([{"product": "stock_up", "currency": "CNY", "loans": 2, "principal_outstanding": "12500.50"}])
    );

    set_date(&app, "2026-09-12").await;
    eod(&app, "2026-09-12").await;
    let (status, after) = app.get("/v1/portfolio", &officer).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["last_end_of_day"]["business_date"], "2026-09-12");
    assert_eq!(after["business_date"], "2026-09-13");
    assert_eq!(
        after["days_past_due"],
        json!([
            {"bucket": "current", "currency": "CNY", "loans": 1, "principal_outstanding": "2500.50"},
            {"bucket": "1-30", "currency": "CNY", "loans": 1, "principal_outstanding": "10000.00"}
        ])
    );

    // Staff narrow the lines to one party; a merchant's party_id cannot widen its view.
    let (status, lines) = app
        .get(&format!("/v1/credit-lines?party_id={merchant}"), &officer)
        .await;
    assert_eq!(status, 200, "{lines}");
    assert_eq!(lines["items"].as_array().unwrap().len(), 1, "{lines}");
    let other = app.create_party("merchant").await;
    let (status, none) = app
        .get(&format!("/v1/credit-lines?party_id={other}"), &officer)
        .await;
    assert_eq!((status, none["items"].as_array().unwrap().len()), (200, 0));
    let (status, own) = app
        .get(&format!("/v1/credit-lines?party_id={other}"), &token)
        .await;
    assert_eq!((status, own["items"].as_array().unwrap().len()), (200, 1));
}

#[tokio::test]
async fn the_console_files_are_served_from_the_binary_with_a_strict_policy() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/console/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-content-type-options"], "nosniff");

    let chart = app
        .client
        .get(app.url("/console/vendor/chart.umd.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(chart.status(), 200);
    assert!(chart.text().await.unwrap().contains("Chart.js v4.6.1"));

    let missing = app
        .client
        .get(app.url("/console/missing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/console"))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 308);
    assert_eq!(bare.headers()["location"], "/console/");
}
