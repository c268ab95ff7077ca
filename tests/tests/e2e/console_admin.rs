//! The portfolio page's admin-only parts: an officer is told the trial balance and the outbox
//! are for admins; an admin sees a parked email and replays it from the page.

use std::time::{Duration, Instant};

use api::auth::Role;
use lendline_tests::browser::Browser;
use lendline_tests::smtp::{Mode, SmtpServer};
use lendline_tests::{party_body, TestApp};
use serde_json::json;

fn link(app: &TestApp, role: Role, who: &str) -> String {
    api::console::sign_in_link(
        app.base.trim_start_matches("http://"),
        &app.token(role, who),
    )
}

#[tokio::test]
async fn an_admin_replays_a_parked_email_and_an_officer_is_told_it_is_for_admins() {
    let smtp = SmtpServer::start().await;
    smtp.set_mode(Mode::Defer);
    let app = TestApp::spawn_with(|config| {
        config.smtp.poll_interval_ms = 20;
        config.smtp.backoff_base_ms = 20;
        config.smtp.max_attempts = 1;
        smtp.configure(config);
    })
    .await;
    let mut body = party_body("merchant");
    body["contact_email"] = json!("parked@example.com");
    let (status, party) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201, "{party}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, failed) = app
            .get("/v1/admin/outbox?status=failed", &app.admin())
            .await;
        assert_eq!(status, 200, "{failed}");
        if !failed["items"].as_array().unwrap().is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the welcome email was never parked"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let browser = Browser::start().await;
    browser
        .goto(&link(&app, Role::RiskOfficer, "officer-7"))
        .await;
    browser.find("#queue").await;
    browser.goto(&app.url("/console/portfolio.html")).await;
    browser
        .wait_for_text("#outbox", "Administrators only")
        .await;
    browser
        .wait_for_text("#ledger", "Administrators only")
        .await;

    smtp.set_mode(Mode::Accept);
    browser.goto(&link(&app, Role::Admin, "ops-1")).await;
    browser.find("#queue").await;
    browser.goto(&app.url("/console/portfolio.html")).await;
    browser.wait_for_text("#outbox", "parked@example.com").await;
    browser.click("#outbox tbody button").await;
    browser.wait_for_text("#outbox", "queued again").await;
    browser.close().await;
    let (_, failed) = app
        .get("/v1/admin/outbox?status=failed", &app.admin())
        .await;
    assert_eq!(failed["items"], json!([]), "{failed}");
}
