//! Supply-chain cases in the console: a factoring request's receivables, their debtor and
//! registry status, a decision without re-pricing (the program sets the price), and a bill
//! discount's bill, acceptor and registry status.

use api::auth::Role;
use lendline_tests::browser::Browser;
use lendline_tests::{party_body, TestApp};
use serde_json::json;
use uuid::Uuid;

use crate::scf_support::{confirmed_receivable, factor, in_days, post_key, program, setup_on};

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

#[tokio::test]
async fn a_bill_discount_case_shows_the_bill_its_acceptor_and_registry_status() {
    let app = TestApp::spawn().await;
    let (core, core_token, _) = program(&app, json!({})).await;
    let drawer = app.create_party("supplier").await;
    let payee = app.create_party("supplier").await;
    let payee_token = app.token(Role::Supplier, &payee.to_string());
    let body = json!({"bill_number": "CA-CON-7", "acceptor_id": core, "payee_id": payee,
        "face_value": "900000.00", "currency": "CNY", "issue_date": in_days(-1),
        "maturity_date": in_days(90), "medium": "electronic"});
    let drawer_token = app.token(Role::Supplier, &drawer.to_string());
    let (status, bill) = app.post("/v1/bills", &drawer_token, &body).await;
    assert_eq!(status, 201, "{bill}");
    let id = bill["id"].as_str().unwrap().to_string();
    let accept = format!("/v1/bills/{id}/accept");
    assert_eq!(app.post(&accept, &core_token, &json!({})).await.0, 200);
    let discount = format!("/v1/bills/{id}/discount");
    let (status, d) = post_key(&app, &discount, &payee_token, &json!({})).await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["decision"]["outcome"], "refer", "{d}");
    let officer = app.token(Role::RiskOfficer, "officer-7");
    let (status, queue) = app
        .get("/v1/reviews?status=pending&product=bill_discount", &officer)
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
    browser.wait_for_text("#supply-chain", "CA-CON-7").await;
    browser
        .wait_for_text("#supply-chain", "Test core_enterprise")
        .await;
    browser.wait_for_text("#supply-chain", "registered").await;
    browser.close().await;
}
