//! A supply-chain case in the console: the receivables, their debtor and registry status, and
//! a decision without re-pricing (the program sets the price).

use api::auth::Role;
use lendline_tests::browser::Browser;
use lendline_tests::{party_body, TestApp};
use serde_json::json;
use uuid::Uuid;

use crate::scf_support::{confirmed_receivable, factor, setup_on};

#[tokio::test]
async fn a_factoring_case_shows_its_receivables_debtor_and_registry_status() {
    let app = TestApp::spawn().await;
    // A debtor with small sales, so the engine refers what the supplier's limit still allows.
    let mut body = party_body("core_enterprise");
    body["name"] = json!("Small Buyer Ltd");
    for month in body["monthly_sales"].as_array_mut().unwrap() {
        month["amount"] = json!("20000.00");
    }
    let (status, party) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201, "{party}");
    let core: Uuid = party["id"].as_str().unwrap().parse().unwrap();
    let scf = setup_on(&app, core, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-CON-1", "125000.00", 60).await;
    let request = factor(&app, &scf, &[id]).await;
    assert_eq!(request["state"], "referred", "{request}");
    let officer = app.token(Role::RiskOfficer, "officer-7");
    let (status, queue) = app
        .get("/v1/reviews?status=pending&product=factoring", &officer)
        .await;
    assert_eq!(status, 200, "{queue}");
    let case_id = queue["items"][0]["id"].as_str().unwrap().to_string();

    let browser = Browser::start().await;
    let bind = app.base.trim_start_matches("http://");
    browser
        .goto(&api::console::sign_in_link(bind, &officer))
        .await;
    browser.find("#queue").await;
    browser
        .goto(&app.url(&format!("/console/case.html?id={case_id}")))
        .await;
    browser.wait_for_text("#supply-chain", "INV-CON-1").await;
    browser
        .wait_for_text("#supply-chain", "Small Buyer Ltd")
        .await;
    browser.wait_for_text("#supply-chain", "registered").await;
    browser.click("#claim").await;
    browser
        .wait_for_text("#decision-form", "priced by its program")
        .await;
    assert!(browser
        .client
        .find(fantoccini::Locator::Css("#approved_amount"))
        .await
        .is_err());
    browser.close().await;
}
