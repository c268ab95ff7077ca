//! The risk-officer console in a real browser (headless chromium through chromedriver) against
//! the real server: sign in with the printed link, review a referred case with charts, four
//! eyes, the staff-only page, and the portfolio's days-past-due chart after an end of day.

use std::path::PathBuf;

use api::auth::Role;
use lendline_tests::browser::Browser;
use lendline_tests::TestApp;
use serde_json::json;

use crate::lending_support::{approved_line, draw, eod, referred_application, set_date};

/// The link `lendline token --role … --party … --link` prints for this server.
fn sign_in_link(app: &TestApp, role: Role, who: &str) -> String {
    let bind = app.base.trim_start_matches("http://");
    api::console::sign_in_link(bind, &app.token(role, who))
}

/// Screenshots land in the target directory (`target/tmp/console/`); copies of current ones
/// are kept under `docs/` for the README.
fn screenshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("console")
        .join(name)
}

#[tokio::test]
async fn an_officer_approves_a_referred_case_with_a_lower_amount_and_a_second_officer_confirms_it()
{
    let app = TestApp::spawn().await;
    let officer_a = app.token(Role::RiskOfficer, "officer-7");
    let (_, application, case) = referred_application(&app, "40000.00", &officer_a).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let browser = Browser::start().await;
    first_officer_approves_a_lower_amount(&app, &browser, &case_id).await;
    second_officer_confirms(&app, &browser, &case_id).await;
    browser.close().await;

    // The API shows the line open at the approved amount.
    let party = application["party_id"].as_str().unwrap();
    let (status, lines) = app
        .get(&format!("/v1/credit-lines?party_id={party}"), &app.admin())
        .await;
    assert_eq!(status, 200, "{lines}");
    let line = &lines["items"][0];
    assert_eq!(
        (&line["status"], &line["limit"]),
        (&json!("active"), &json!("25000.00")),
        "{lines}"
    );
}

/// officer-7 signs in with the link, finds the case in the queue, claims it, sees the charts,
/// has a raise refused next to the amount and approves 25,000.
async fn first_officer_approves_a_lower_amount(app: &TestApp, browser: &Browser, case_id: &str) {
    browser
        .goto(&sign_in_link(app, Role::RiskOfficer, "officer-7"))
        .await;
    browser.find("#queue").await;
    // The token left the address bar for session storage.
    let url = browser.client.current_url().await.unwrap();
    assert!(url.fragment().is_none(), "{url}");
    // The product filter narrows the queue; the status filter keeps pending cases by default.
    browser.goto(&app.url("/console/?product=factoring")).await;
    browser
        .wait_for_text("#queue-status", "No case matches")
        .await;
    browser.goto(&app.url("/console/")).await;
    let row = format!("tr[data-case='{case_id}']");
    browser.wait_for_text(&row, "Test merchant").await;
    browser.wait_for_text(&row, "40,000.00 CNY").await;
    browser.screenshot(&screenshot_path("queue.png")).await;
    browser.click(&format!("{row} button.claim")).await;

    // The case page: the claim took, and both charts are drawn with data.
    browser.wait_for_text("#case-status", "claimed").await;
    assert_eq!(browser.chart_points("sales-chart").await, 3);
    assert!(browser.chart_points("points-chart").await > 0);
    browser.find("#reasons li").await;

    // A raise is refused by the API, and its message shows next to the amount.
    browser.fill("#approved_amount", "50000").await;
    browser.click("#approve").await;
    browser
        .wait_for_text("#err-approved_amount", "lower the amount")
        .await;
    browser.fill("#approved_amount", "25000.00").await;
    browser.fill("#note", "seasonal seller, known to us").await;
    browser.click("#approve").await;
    browser
        .wait_for_text("#case-status", "awaiting confirmation")
        .await;
    browser
        .wait_for_text("#own-decision", "cannot confirm your own")
        .await;
}

/// officer-9 sees the first decision and its private note, confirms, and reads the decision
/// page with its review trail and audit events.
async fn second_officer_confirms(app: &TestApp, browser: &Browser, case_id: &str) {
    browser
        .goto(&sign_in_link(app, Role::RiskOfficer, "officer-9"))
        .await;
    browser.find("#queue").await;
    browser
        .goto(&app.url(&format!("/console/case.html?id={case_id}")))
        .await;
    browser
        .wait_for_text("#private-note", "seasonal seller, known to us")
        .await;
    browser.wait_for_text("#decided-by", "officer-7").await;
    browser.chart_points("points-chart").await;
    browser.screenshot(&screenshot_path("case.png")).await;
    browser.click("#confirm").await;
    browser.wait_for_text("#case-status", "approved").await;

    browser.click("#trail a").await;
    browser.wait_for_text("#decision-outcome", "refer").await;
    browser
        .wait_for_text("#decision-model", "default-merchant")
        .await;
    browser
        .wait_for_text("#review-trail", "review.confirmed")
        .await;
    browser.wait_for_text("#chain-status", "verified").await;
    assert!(browser.chart_points("decision-points-chart").await > 0);
    browser.screenshot(&screenshot_path("decision.png")).await;
}

#[tokio::test]
async fn the_officer_who_approved_cannot_confirm_and_the_page_says_why() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::RiskOfficer, "officer-7");
    let (_, _, case) = referred_application(&app, "40000.00", &officer).await;
    let case_id = case["id"].as_str().unwrap();
    let claim = format!("/v1/reviews/{case_id}/claim");
    assert_eq!(app.post(&claim, &officer, &json!({})).await.0, 200);
    let decision = json!({"decision": "approve", "approved_amount": "30000"});
    let (status, body) = app
        .post(
            &format!("/v1/reviews/{case_id}/decision"),
            &officer,
            &decision,
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let browser = Browser::start().await;
    // Staff ids compare without case: OFFICER-7 is officer-7.
    browser
        .goto(&sign_in_link(&app, Role::RiskOfficer, "OFFICER-7"))
        .await;
    browser.find("#queue").await;
    browser
        .goto(&app.url(&format!("/console/case.html?id={case_id}")))
        .await;
    let text = browser.wait_for_text("#own-decision", "Four eyes").await;
    assert!(text.contains("second risk officer"), "{text}");
    let confirm = browser.find("#confirm").await;
    assert!(
        confirm.prop("disabled").await.unwrap().as_deref() == Some("true"),
        "the confirm button is disabled"
    );
    browser.close().await;
    let (_, still) = app.get(&format!("/v1/reviews/{case_id}"), &officer).await;
    assert_eq!(still["status"], "awaiting_confirmation", "{still}");
}

#[tokio::test]
async fn a_merchant_link_shows_the_staff_only_page() {
    let app = TestApp::spawn().await;
    let merchant = app.create_party("merchant").await;
    let browser = Browser::start().await;
    browser
        .goto(&sign_in_link(&app, Role::Merchant, &merchant.to_string()))
        .await;
    browser
        .wait_for_text("#staff-only", "This console is for staff")
        .await;
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#queue"))
            .await
            .is_err(),
        "a merchant sees no queue"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_portfolio_shows_days_past_due_after_an_end_of_day_made_a_loan_overdue() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    draw(&app, &token, line, "10000.00", 7, "bullet").await;
    draw(&app, &token, line, "5000.00", 60, "bullet").await;
    // The first loan falls due on 2026-09-08; one end of day after the jump ages it.
    set_date(&app, "2026-09-12").await;
    eod(&app, "2026-09-12").await;

    let browser = Browser::start().await;
    browser
        .goto(&sign_in_link(&app, Role::Admin, "ops-1"))
        .await;
    browser.find("#queue").await;
    browser.goto(&app.url("/console/portfolio.html")).await;
    browser.wait_for_text("#eod-date", "2026-09-12").await;
    assert_eq!(browser.chart_points("dpd-chart").await, 5);
    let overdue = browser
        .wait_for_script(
            "const c = Chart.getChart(document.getElementById('dpd-chart'));
             return c && c.data.datasets[0].data[1];",
            vec![],
        )
        .await;
    assert_eq!(overdue, json!(10000), "the 1-30 bucket holds the late loan");
    browser.wait_for_text("#dpd", "1-30").await;
    browser.wait_for_text("#exposure", "15,000.00").await;
    browser.wait_for_text("#chain-status", "Verified").await;
    browser.wait_for_text("#ledger", "nets to zero").await;
    browser.fill("#fingerprint", "not-a-fingerprint").await;
    browser.click("#registry button").await;
    browser
        .wait_for_text("#err-fingerprint", "64 hex digits")
        .await;
    browser.fill("#fingerprint", &"ab".repeat(32)).await;
    browser.click("#registry button").await;
    browser
        .wait_for_text("#registry-result", "Not registered")
        .await;
    browser.screenshot(&screenshot_path("portfolio.png")).await;
    browser.close().await;
}
