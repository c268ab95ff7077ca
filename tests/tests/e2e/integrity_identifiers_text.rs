//! Issue 12, §1: untrusted text. A NUL anywhere in a JSON body is 422 `invalid_text` naming
//! the field, in a path or a query string 400 `invalid_text` (it used to reach PostgreSQL and
//! answer 500); control characters and bidirectional overrides in identifiers and names are
//! 422 naming the field.

use api::auth::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lending_support::{approved_line, draw, merchant_with_sales, post_keyed, set_date};
use crate::scf_support::{receivable_body, setup};
use lendline_tests::TestApp;

fn assert_refused(status: u16, body: &Value, expected: u16, field: Option<&str>, what: &str) {
    assert_eq!(status, expected, "{what}: {body}");
    if expected == 400 {
        assert_eq!(body["error"]["code"], "invalid_text", "{what}: {body}");
    }
    if let Some(field) = field {
        assert_eq!(body["error"]["field"], field, "{what}: {body}");
    }
}

#[tokio::test]
async fn a_nul_in_any_json_body_is_422_naming_the_field() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let scf = setup(&app, json!({})).await;
    let (_, merchant) = merchant_with_sales(&app, "200000.00").await;
    let officer = app.token(Role::RiskOfficer, "officer-7");
    let mut party = lendline_tests::party_body("merchant");
    party["name"] = json!("Blue\u{0}Sky");
    let mut invoice = receivable_body(scf.core, "INV-1", "100.00", 30);
    invoice["invoice_number"] = json!("INV-\u{0}1");
    let goods = json!({"warehouse": "W\u{0}", "receipt_number": "WR-1", "sku": "SKU-1",
        "category": "electronics", "quantity": 10, "currency": "CNY", "unit_value": "50.00"});
    let application = json!({"requested_limit": "1000.00", "currency": "CNY",
        "purpose": "stock_up\u{0}", "event_name": "Double 11", "event_date": "2026-11-11",
        "consent_to_sales_data": true});
    let decision = json!({"decision": "approve", "note": "fine\u{0}"});
    let review = format!("/v1/reviews/{}/decision", Uuid::now_v7());
    let cases = [
        ("/v1/parties", app.admin(), party, "name"),
        (
            "/v1/receivables",
            scf.supplier_token.clone(),
            invoice,
            "invoice_number",
        ),
        ("/v1/collateral", merchant.clone(), goods, "warehouse"),
        (
            "/v1/credit-line-applications",
            merchant,
            application,
            "purpose",
        ),
        (review.as_str(), officer, decision, "note"),
    ];
    for (path, token, body, field) in cases {
        let (status, answer) = app.post(path, &token, &body).await;
        // `"\u0000"` is well-formed JSON of the documented type: it is the value that is refused.
        assert_refused(status, &answer, 422, Some(field), path);
        assert_eq!(answer["error"]["code"], "invalid_text", "{path}: {answer}");
    }
}

#[tokio::test]
async fn a_nul_in_a_query_string_or_path_is_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    for (path, field) in [
        ("/v1/loans?status=active%00", Some("status")),
        ("/v1/receivables?state=%00submitted", Some("state")),
        ("/v1/audit/events?entity=loan:%00", Some("entity")),
        ("/v1/reviews?limit=5&status=pending%00", Some("status")),
        ("/v1/ledger/accounts/cash%00platform", None),
    ] {
        let (status, body) = app.get(path, &admin).await;
        assert_refused(status, &body, 400, field, path);
    }
}

#[tokio::test]
async fn control_and_bidi_characters_in_names_and_identifiers_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    for (field, value) in [
        ("name", "Evil\u{202E}gnidart"),
        ("registration_number", "REG\u{7}1"),
        ("sector", "apparel\u{2066}"),
    ] {
        let mut party = lendline_tests::party_body("merchant");
        party[field] = json!(value);
        let (status, body) = app.post("/v1/parties", &app.admin(), &party).await;
        assert_refused(status, &body, 422, Some(field), field);
    }
    let mut invoice = receivable_body(scf.core, "INV-1", "100.00", 30);
    invoice["invoice_number"] = json!("INV\u{2067}-1");
    let (status, body) = app
        .post("/v1/receivables", &scf.supplier_token, &invoice)
        .await;
    assert_refused(status, &body, 422, Some("invoice_number"), "invoice");

    let (merchant_id, merchant) = merchant_with_sales(&app, "200000.00").await;
    let application = json!({"requested_limit": "1000.00", "currency": "CNY",
        "purpose": "stock_up", "event_name": "Double\u{202D} 11", "event_date": "2026-11-11",
        "consent_to_sales_data": true});
    let (status, body) = app
        .post("/v1/credit-line-applications", &merchant, &application)
        .await;
    assert_refused(status, &body, 422, Some("event_name"), "event");

    let buyer = app.token(Role::CoreEnterprise, &scf.core.to_string());
    let order = json!({"merchant_id": merchant_id, "order_number": "PO\u{85}1",
        "kind": "purchase_order", "currency": "CNY", "order_value": "500.00",
        "expected_settlement_on": "2026-10-31"});
    let (status, body) = app.post("/v1/orders", &buyer, &order).await;
    assert_refused(status, &body, 422, Some("order_number"), "order");
}

#[tokio::test]
async fn a_payment_reference_with_an_escape_sequence_is_422() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 30, "bullet").await;
    let path = format!("/v1/loans/{}/repayments", loan["id"].as_str().unwrap());
    let body = json!({"amount": "100.00", "external_reference": "WIRE\u{1B}[31m-1"});
    let (status, answer) = post_keyed(&app, &path, &token, "k-1", &body).await;
    assert_refused(
        status,
        &answer,
        422,
        Some("external_reference"),
        "reference",
    );
}
