//! A declined inventory draw has the one declined shape of every automated decision: 200 with
//! `outcome: declined`, the stored decision's id and its reasons; nothing is lent, the goods
//! stay free, and a retry with the same key replays the decline instead of deciding again.

use serde_json::json;

use crate::lending_support::*;
use lendline_tests::TestApp;

#[tokio::test]
async fn a_declined_inventory_draw_keeps_its_decision_lends_nothing_and_a_retry_replays_it() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, merchant) = merchant_with_sales(&app, "3000.00").await;
    let goods = json!({"warehouse": "Cainiao Hangzhou 3", "receipt_number": "WR-D-1",
        "sku": "SKU-PHONE-128", "category": "electronics", "quantity": 100000,
        "currency": "CNY", "unit_value": "50.00"});
    let (status, pledged) = app.post("/v1/collateral", &merchant, &goods).await;
    assert_eq!(status, 201, "{pledged}");
    let id = pledged["id"].as_str().unwrap().to_string();
    let path = format!("/v1/collateral/{id}/draws");
    let ask = json!({"amount": "400000.00", "tenor_days": 60});
    let (status, declined) = post_keyed(&app, &path, &merchant, "d-1", &ask).await;
    assert_eq!(
        (status, declined["outcome"].as_str()),
        (200, Some("declined")),
        "{declined}"
    );
    assert!(declined["id"].is_null(), "no loan is booked: {declined}");
    assert!(
        !declined["reasons"].as_array().unwrap().is_empty(),
        "{declined}"
    );
    let decision = declined["decision_id"].as_str().unwrap();
    let (status, stored) = app
        .get(&format!("/v1/decisions/{decision}"), &app.admin())
        .await;
    assert_eq!(status, 200, "the decline is on record: {stored}");
    assert_ne!(stored["outcome"], "approve", "{stored}");
    let (status, again) = post_keyed(&app, &path, &merchant, "d-1", &ask).await;
    assert_eq!(
        (status, &again),
        (200, &declined),
        "replayed, not decided again"
    );
    let (status, goods) = app.get(&format!("/v1/collateral/{id}"), &merchant).await;
    assert_eq!(status, 200, "{goods}");
    assert!(goods["loan_id"].is_null(), "{goods}");
    assert_books_sound(&app).await;
}
