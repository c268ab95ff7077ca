//! Issue 12, §4: the server and its OpenAPI document agree on what a well-formed request is,
//! so schemathesis (`.ci/schemathesis`) finds no schema-valid request refused with 400: a whole
//! number may be written as a float, and every path or query parameter the server parses
//! publishes its format (a fingerprint's hex digits, an account name, a decimal, a set of
//! values), which the server reads exactly.

use api::auth::Role;
use lendline_tests::TestApp;
use serde_json::{json, Value};

fn parameter(doc: &Value, path: &str, name: &str) -> Value {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{path} has no {name}"))["schema"]
        .clone()
}

#[tokio::test]
async fn a_whole_number_written_as_a_float_is_the_integer_it_stands_for() {
    let app = TestApp::spawn().await;
    let party = app.create_party("merchant").await;
    let merchant = app.token(Role::Merchant, &party.to_string());
    let plan = |installments: Value| {
        json!({"purchase_amount": "3000.00", "currency": "CNY", "installments": installments,
            "start_date": "2024-01-31",
            "pricing": {"kind": "interest_free",
                "subsidy": {"basis": "merchant_discount_rate", "rate": "0.03"}}})
    };
    let (status, whole) = app
        .post("/v1/quotes/installment-plan", &merchant, &plan(json!(6)))
        .await;
    assert_eq!(status, 200, "{whole}");
    // JSON has one number type: 6.0 and 6e0 are the same number as 6.
    for written in ["6.0", "6e0", "0.6e1"] {
        let number: Value = serde_json::from_str(written).unwrap();
        let (status, quote) = app
            .post("/v1/quotes/installment-plan", &merchant, &plan(number))
            .await;
        assert_eq!((status, &quote), (200, &whole), "{written}");
    }
    let (status, err) = app
        .post("/v1/quotes/installment-plan", &merchant, &plan(json!(6.5)))
        .await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (400, &json!("installments"))
    );
    // Money is text: a number where an amount belongs is still refused.
    let mut number = plan(json!(6));
    number["purchase_amount"] = json!(3000.0);
    let (status, err) = app
        .post("/v1/quotes/installment-plan", &merchant, &number)
        .await;
    assert_eq!(status, 400, "{err}");
}

#[tokio::test]
async fn the_document_publishes_the_format_of_every_parameter_the_server_parses() {
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    let fingerprint = parameter(&doc, "/v1/registry/{fingerprint}", "fingerprint");
    assert_eq!(fingerprint["pattern"], "^[0-9A-Fa-f]{64}$");
    let account = parameter(&doc, "/v1/ledger/accounts/{account}", "account");
    let after = parameter(&doc, "/v1/ledger/trial-balance", "after");
    assert_eq!(account["pattern"], r"^[a-z_]+(:[A-Za-z0-9_.-]+)*$");
    assert_eq!(after["pattern"], account["pattern"]);
    let status = parameter(&doc, "/v1/reviews", "status");
    assert!(
        status.to_string().contains("awaiting_confirmation"),
        "{status}"
    );
    let product = parameter(&doc, "/v1/reviews", "product");
    assert!(product.to_string().contains("stock_up_line"), "{product}");
    let min_amount = parameter(&doc, "/v1/reviews", "min_amount");
    assert_eq!(min_amount["pattern"], api::decimal_text::PATTERN);
    // Free text still may not carry a NUL, which the server refuses in any URI.
    let entity = parameter(&doc, "/v1/audit/events", "entity");
    assert_eq!(entity["pattern"], r"^[^\u0000]*$");
}

#[tokio::test]
async fn parameters_outside_their_published_format_are_400_and_those_inside_are_answered() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    for path in [
        "/v1/reviews?min_amount=",
        "/v1/reviews?max_amount=1e3",
        "/v1/reviews?product=bogus",
        "/v1/reviews?status=",
        "/v1/ledger/trial-balance?after=Cash",
        "/v1/ledger/accounts/0",
        "/v1/registry/0",
    ] {
        let (status, body) = app.get(path, &admin).await;
        assert_eq!(status, 400, "{path}: {body}");
    }
    for path in [
        "/v1/reviews?min_amount=0&max_amount=-1.5&product=factoring&status=awaiting_confirmation",
        "/v1/ledger/trial-balance?after=cash:platform",
        "/v1/ledger/accounts/cash:nobody",
        &format!("/v1/registry/{}", "AB".repeat(32)),
    ] {
        let (status, body) = app.get(path, &admin).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
}

#[tokio::test]
async fn a_decimal_field_reads_the_published_grammar_only() {
    let app = TestApp::spawn().await;
    let mut party = lendline_tests::party_body("merchant");
    party["returns_rate"] = json!("+0.5");
    let (status, err) = app.post("/v1/parties", &app.admin(), &party).await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (400, &json!("returns_rate"))
    );
    party["returns_rate"] = json!("1.5");
    let (status, err) = app.post("/v1/parties", &app.admin(), &party).await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (422, &json!("returns_rate"))
    );
    party["returns_rate"] = json!("0.035");
    let (status, created) = app.post("/v1/parties", &app.admin(), &party).await;
    assert_eq!((status, &created["returns_rate"]), (201, &json!("0.035")));
}
