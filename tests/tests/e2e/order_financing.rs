//! Order financing end to end: a buyer confirms an order, the merchant borrows against it and
//! the buyer's settlement repays the loan, the rest going to the merchant.

use api::auth::Role;
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

use crate::lending_support::*;
use lendline_tests::TestApp;

#[tokio::test]
async fn an_order_loan_is_repaid_from_the_settlement_and_the_rest_paid_to_the_merchant() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (merchant_id, merchant) = merchant_with_sales(&app, "200000.00").await;
    let (_, stranger) = merchant_with_sales(&app, "200000.00").await;
    let buyer_id = app.create_party("core_enterprise").await;
    let buyer = app.token(Role::CoreEnterprise, &buyer_id.to_string());
    let body = json!({"merchant_id": merchant_id, "order_number": "PO-1", "kind": "purchase_order",
        "currency": "CNY", "order_value": "50000.00", "expected_settlement_on": "2026-10-31"});
    let (status, order) = app.post("/v1/orders", &buyer, &body).await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap().to_string();
    let financing = format!("/v1/orders/{id}/financing");
    let (status, err) = post_keyed(
        &app,
        &financing,
        &merchant,
        "f-0",
        &json!({"amount": "40000.01"}),
    )
    .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("exceeds_advance_rate"))
    );
    let (status, _) = post_keyed(
        &app,
        &financing,
        &stranger,
        "f-x",
        &json!({"amount": "100.00"}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = app.get(&format!("/v1/orders/{id}"), &stranger).await;
    assert_eq!(status, 404);
    let (status, loan) = post_keyed(
        &app,
        &financing,
        &merchant,
        "f-1",
        &json!({"amount": "40000.00"}),
    )
    .await;
    assert_eq!(status, 201, "{loan}");
    assert_eq!(loan["product"], "order_financing");
    assert_eq!(loan["maturity_date"], "2026-11-15");
    let loan_id = loan["id"].as_str().unwrap().to_string();
    let (status, again) = post_keyed(
        &app,
        &financing,
        &merchant,
        "f-2",
        &json!({"amount": "100.00"}),
    )
    .await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (422, Some("order_not_financeable"))
    );

    set_date(&app, "2026-10-31").await;
    let quote = payoff(&app, &merchant, &loan_id, "2026-10-31").await;
    let owed: Decimal = quote["total"].as_str().unwrap().parse().unwrap();
    let settlement = format!("/v1/orders/{id}/settlement");
    let pay = json!({"amount": "50000.00", "external_reference": format!("W-{}", Uuid::new_v4().simple())});
    let (status, _) = post_keyed(&app, &settlement, &merchant, "s-x", &pay).await;
    assert_eq!(status, 404, "only the buyer or staff settle");
    let (status, settled) = post_keyed(&app, &settlement, &buyer, "s-1", &pay).await;
    assert_eq!(status, 201, "{settled}");
    let to_loan: Decimal = settled["applied_to_loan"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let to_merchant: Decimal = settled["paid_to_merchant"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(to_loan, owed);
    assert_eq!(to_loan + to_merchant, "50000".parse::<Decimal>().unwrap());
    assert_eq!(settled["order"]["status"], "settled");
    let (_, view) = app.get(&format!("/v1/loans/{loan_id}"), &merchant).await;
    assert_eq!(view["status"], "closed", "{view}");
    let (_, payable) = app
        .get(
            &format!("/v1/ledger/accounts/merchant_payable:{merchant_id}"),
            &app.admin(),
        )
        .await;
    assert_eq!(payable["balances"][0]["balance"], "0.00", "{payable}");
    let (status, twice) = post_keyed(&app, &settlement, &buyer, "s-2", &pay).await;
    assert_eq!(
        (status, twice["error"]["code"].as_str()),
        (422, Some("order_already_settled"))
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_declined_order_financing_keeps_its_decision_and_a_retry_replays_the_decline() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (merchant_id, merchant) = merchant_with_sales(&app, "3000.00").await;
    let buyer_id = app.create_party("core_enterprise").await;
    let buyer = app.token(Role::CoreEnterprise, &buyer_id.to_string());
    let body = json!({"merchant_id": merchant_id, "order_number": "PO-9", "kind": "purchase_order",
        "currency": "CNY", "order_value": "500000.00", "expected_settlement_on": "2026-10-31"});
    let (status, order) = app.post("/v1/orders", &buyer, &body).await;
    assert_eq!(status, 201, "{order}");
    let financing = format!("/v1/orders/{}/financing", order["id"].as_str().unwrap());
    let ask = json!({"amount": "400000.00"});
    let (status, declined) = post_keyed(&app, &financing, &merchant, "d-1", &ask).await;
    assert_eq!(
        (status, declined["outcome"].as_str()),
        (200, Some("declined")),
        "{declined}"
    );
    let decision = declined["decision_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no decision id in {declined}"));
    let (status, stored) = app
        .get(&format!("/v1/decisions/{decision}"), &app.admin())
        .await;
    assert_eq!(status, 200, "the decline is on record: {stored}");
    assert_ne!(stored["outcome"], "approve", "{stored}");
    let (status, again) = post_keyed(&app, &financing, &merchant, "d-1", &ask).await;
    assert_eq!(
        (status, &again),
        (200, &declined),
        "replayed, not decided again"
    );
    let (_, order) = app
        .get(
            &format!("/v1/orders/{}", order["id"].as_str().unwrap()),
            &merchant,
        )
        .await;
    assert!(order["loan_id"].is_null(), "{order}");
    assert_books_sound(&app).await;
}

/// Staff naming a buyer that does not exist are told so by name (on a cluster distributed by
/// party no foreign key to the buyer's row could catch it).
#[tokio::test]
async fn staff_naming_a_buyer_that_does_not_exist_are_refused() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (merchant_id, _) = merchant_with_sales(&app, "200000.00").await;
    let body = json!({"merchant_id": merchant_id, "buyer_id": Uuid::now_v7(),
        "order_number": "PO-9", "kind": "purchase_order", "currency": "CNY",
        "order_value": "50000.00", "expected_settlement_on": "2026-10-31"});
    let (status, err) = app.post("/v1/orders", &app.admin(), &body).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["field"], "buyer_id", "{err}");
}
