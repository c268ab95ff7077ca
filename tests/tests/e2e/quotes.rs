//! Quote endpoints: hand-checked figures, every validation error, and authentication.

use api::auth::Role;
use lendline_tests::TestApp;
use serde_json::{json, Value};

fn loan() -> Value {
    json!({
        "principal": "10000.00", "currency": "CNY", "annual_rate": "0.12",
        "start_date": "2024-01-15", "term": 12, "frequency": "monthly", "method": "annuity",
        "interest": "per_period", "day_count": "ACT/365"
    })
}

async fn merchant(app: &TestApp) -> String {
    // Tokens must name a party of the role's kind that exists.
    let party = app.create_party("merchant").await;
    app.token(Role::Merchant, &party.to_string())
}

#[tokio::test]
async fn a_12_percent_annuity_of_10000_yuan_over_12_months_matches_the_spreadsheet() {
    let app = TestApp::spawn().await;
    let (status, q) = app
        .post("/v1/quotes/schedule", &merchant(&app).await, &loan())
        .await;
    assert_eq!(status, 200, "{q}");
    let rows = q["installments"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[0]["total"], "888.49");
    assert_eq!(rows[0]["interest"], "100.00");
    assert_eq!(rows[0]["principal"], "788.49");
    assert_eq!(rows[0]["balance"], "9211.51");
    assert_eq!(rows[0]["fee"], "0.00");
    assert_eq!(rows[0]["number"], 1);
    assert_eq!(rows[0]["due_date"], "2024-02-15");
    assert_eq!(rows[11]["balance"], "0.00");
    assert_eq!(q["total_interest"], "661.86");
    assert_eq!(q["total_fees"], "0.00");
    assert_eq!(q["apr"], "0.120001");
}

#[tokio::test]
async fn a_90_day_bullet_pays_act_360_interest_once_at_maturity() {
    let app = TestApp::spawn().await;
    let body = json!({
        "principal": "10000.00", "currency": "USD", "annual_rate": "0.12",
        "start_date": "2024-01-15", "term": 90, "frequency": "whole_term", "method": "bullet",
        "day_count": "ACT/360"
    });
    let (status, q) = app.post("/v1/quotes/schedule", &app.admin(), &body).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["installments"][0]["due_date"], "2024-04-14");
    assert_eq!(q["installments"][0]["interest"], "300.00");
    assert_eq!(q["installments"][0]["total"], "10300.00");
    assert_eq!(q["apr"], "0.120000");
}

#[tokio::test]
async fn a_loan_started_on_january_31_falls_due_on_the_last_day_of_february() {
    let app = TestApp::spawn().await;
    let mut body = loan();
    body["start_date"] = json!("2024-01-31");
    body["term"] = json!(3);
    let (_, q) = app.post("/v1/quotes/schedule", &app.admin(), &body).await;
    let dates: Vec<&str> = q["installments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["due_date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2024-02-29", "2024-03-31", "2024-04-30"]);
    body["start_date"] = json!("2023-01-31");
    let (_, q) = app.post("/v1/quotes/schedule", &app.admin(), &body).await;
    assert_eq!(q["installments"][0]["due_date"], "2023-02-28");
}

#[tokio::test]
async fn a_yen_schedule_answers_whole_yen() {
    let app = TestApp::spawn().await;
    let mut body = loan();
    body["currency"] = json!("JPY");
    body["principal"] = json!("100000");
    let (status, q) = app.post("/v1/quotes/schedule", &app.admin(), &body).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["installments"][0]["interest"], "1000");
}

#[tokio::test]
async fn each_invalid_schedule_field_is_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = app.admin();
    let cases = [
        ("principal", json!("100.001"), "principal"),
        ("principal", json!("-100.00"), "principal"),
        ("principal", json!("1e4"), "principal"),
        ("principal", json!("0"), "principal"),
        ("currency", json!("XYZ"), "currency"),
        ("annual_rate", json!("12%"), "annual_rate"),
        ("annual_rate", json!("-0.01"), "annual_rate"),
        ("day_count", json!("ACT/364"), "day_count"),
        ("frequency", json!("fortnightly"), "frequency"),
        ("method", json!("balloon"), "method"),
        ("interest", json!("hourly"), "interest"),
        ("start_date", json!("2024-02-30"), "start_date"),
        ("term", json!(0), "term"),
        ("term", json!(2001), "term"),
        ("fee_per_period", json!("-1.00"), "fee_per_period"),
        ("installment_rounding", json!("0"), "installment_rounding"),
    ];
    for (field, value, named) in cases {
        let mut body = loan();
        body[field] = value.clone();
        let (status, err) = app.post("/v1/quotes/schedule", &token, &body).await;
        assert_eq!(status, 422, "{field}={value}: {err}");
        assert_eq!(err["error"]["code"], "validation_failed", "{field}={value}");
        assert_eq!(err["error"]["field"], named, "{field}={value}");
    }
    let mut body = loan();
    body["grace_principal_periods"] = json!(12);
    let (status, err) = app.post("/v1/quotes/schedule", &token, &body).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("grace_too_long"))
    );
    assert_eq!(err["error"]["field"], "grace_principal_periods");
    let mut body = loan();
    body["grace_interest_periods"] = json!(13);
    let (_, err) = app.post("/v1/quotes/schedule", &token, &body).await;
    assert_eq!(err["error"]["field"], "grace_interest_periods");
}

#[tokio::test]
async fn an_unknown_field_is_a_400_and_a_missing_token_a_401() {
    let app = TestApp::spawn().await;
    let mut body = loan();
    body["apr"] = json!("0.1");
    let (status, err) = app.post("/v1/quotes/schedule", &app.admin(), &body).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["code"], "unknown_field");
    assert_eq!(err["error"]["field"], "apr");
    for path in [
        "/v1/quotes/schedule",
        "/v1/quotes/installment-plan",
        "/v1/quotes/bill-discount",
        "/v1/quotes/factoring",
    ] {
        let res = app
            .client
            .post(app.url(path))
            .json(&loan())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{path}");
    }
}

fn bill() -> Value {
    json!({
        "face_value": "1000000.00", "currency": "CNY", "annual_rate": "0.036",
        "discount_date": "2024-01-01", "maturity_date": "2024-03-31"
    })
}

#[tokio::test]
async fn a_million_yuan_bill_at_3_6_percent_for_90_days_costs_9000() {
    let app = TestApp::spawn().await;
    let (status, q) = app
        .post("/v1/quotes/bill-discount", &merchant(&app).await, &bill())
        .await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["days"], 90);
    assert_eq!(q["discount_interest"], "9000.00");
    assert_eq!(q["proceeds"], "991000.00");
    let mut with_adjustment = bill();
    with_adjustment["adjustment_days"] = json!(3);
    with_adjustment["basis"] = json!(365);
    let (_, q) = app
        .post("/v1/quotes/bill-discount", &app.admin(), &with_adjustment)
        .await;
    // 1,000,000 × 0.036 × 93 / 365 = 9172.60…
    assert_eq!(
        (q["days"].as_u64(), q["discount_interest"].as_str()),
        (Some(93), Some("9172.60"))
    );
}

#[tokio::test]
async fn bill_discount_rule_violations_have_their_own_codes() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "maturity_date",
            json!("2024-01-01"),
            "maturity_not_after_discount_date",
            "maturity_date",
        ),
        (
            "maturity_date",
            json!("2024-07-02"),
            "tenor_too_long",
            "maturity_date",
        ),
        ("basis", json!(364), "validation_failed", "basis"),
        (
            "face_value",
            json!("1000000.001"),
            "validation_failed",
            "face_value",
        ),
    ];
    for (field, value, code, named) in cases {
        let mut body = bill();
        body[field] = value;
        let (status, err) = app
            .post("/v1/quotes/bill-discount", &app.admin(), &body)
            .await;
        assert_eq!(status, 422, "{field}: {err}");
        assert_eq!(err["error"]["code"], code, "{field}");
        assert_eq!(err["error"]["field"], named, "{field}");
    }
}

#[tokio::test]
async fn an_interest_free_plan_is_paid_for_by_the_merchant() {
    let app = TestApp::spawn().await;
    let body = json!({
        "purchase_amount": "3000.00", "currency": "CNY", "installments": 6,
        "start_date": "2024-01-31",
        "pricing": {"kind": "interest_free",
            "subsidy": {"basis": "merchant_discount_rate", "rate": "0.03"}}
    });
    let (status, q) = app
        .post("/v1/quotes/installment-plan", &merchant(&app).await, &body)
        .await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["schedule"]["installments"][0]["total"], "500.00");
    assert_eq!(q["schedule"]["installments"][0]["due_date"], "2024-02-29");
    assert_eq!(q["merchant_subsidy"], "90.00");
    assert_eq!(q["merchant_settlement"], "2910.00");
    assert_eq!(q["apr"], "0.000000");
}

#[tokio::test]
async fn plan_lengths_other_than_3_6_and_12_and_misplaced_pricing_fields_are_refused() {
    let app = TestApp::spawn().await;
    let mut body = json!({
        "purchase_amount": "3000.00", "currency": "CNY", "installments": 4,
        "start_date": "2024-01-31",
        "pricing": {"kind": "fee_based", "fee_rate_per_period": "0.005"}
    });
    let (status, err) = app
        .post("/v1/quotes/installment-plan", &app.admin(), &body)
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("installments"))
    );
    body["installments"] = json!(3);
    let (status, q) = app
        .post("/v1/quotes/installment-plan", &app.admin(), &body)
        .await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["schedule"]["installments"][0]["fee"], "15.00");
    body["pricing"]["annual_rate"] = json!("0.1");
    let (status, err) = app
        .post("/v1/quotes/installment-plan", &app.admin(), &body)
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("pricing.annual_rate"))
    );
}

#[tokio::test]
async fn a_factoring_quote_previews_a_short_settlement() {
    let app = TestApp::spawn().await;
    let body = json!({
        "face": "100000.00", "eligible": "95000.00", "currency": "CNY",
        "purchase_date": "2024-01-15", "due_date": "2024-04-14", "advance_rate": "0.8",
        "discount_rate": "0.06", "service_fee_rate": "0.005", "debtor_payment": "70000.00"
    });
    let (status, q) = app
        .post("/v1/quotes/factoring", &merchant(&app).await, &body)
        .await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["days"], 90);
    assert_eq!(q["advance"], "76000.00");
    assert_eq!(q["discount_fee"], "1140.00");
    assert_eq!(q["service_fee"], "500.00");
    assert_eq!(q["reserve"], "24000.00");
    assert_eq!(q["owed_to_factor"], "77640.00");
    assert_eq!(q["settlement"]["repaid_to_factor"], "70000.00");
    assert_eq!(q["settlement"]["recourse_amount"], "7640.00");
    let mut late = body.clone();
    late["due_date"] = json!("2024-01-01");
    let (status, err) = app.post("/v1/quotes/factoring", &app.admin(), &late).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("due_before_purchase"))
    );
    let mut too_much = body;
    too_much["advance_rate"] = json!("1.5");
    let (status, err) = app
        .post("/v1/quotes/factoring", &app.admin(), &too_much)
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("advance_rate"))
    );
}
