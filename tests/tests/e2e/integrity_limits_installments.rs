//! Issue 12 §2: a shopper's installment limit holds when many checkouts arrive at once.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

use crate::installments::shopper;
use crate::lending_support::{assert_books_sound, merchant_with_sales, post_keyed, set_date};
use lendline_tests::TestApp;

/// The installment product's limit cap in the shipped model; a shopper declaring 200,000 a
/// month reaches it.
const SHOPPER_LIMIT: i64 = 150_000;

#[tokio::test]
async fn sixteen_concurrent_checkouts_for_one_shopper_stay_within_its_limit() {
    let app = Arc::new(TestApp::spawn().await);
    set_date(&app, "2026-09-01").await;
    let (_, merchant) = merchant_with_sales(&app, "200000.00").await;
    let (shopper_id, shopper_token) = shopper(&app).await;
    let (status, offer) = app
        .post(
            "/v1/installment-offers",
            &merchant,
            &json!({"currency": "CNY", "installments": 6, "payer": "merchant",
                "min_purchase": "100.00", "max_purchase": "50000.00"}),
        )
        .await;
    assert_eq!(status, 201, "{offer}");
    let offer_id = offer["id"].as_str().unwrap().to_string();

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16 {
        let (app, merchant, offer_id) = (app.clone(), merchant.clone(), offer_id.clone());
        tasks.spawn(async move {
            let body = json!({"shopper_id": shopper_id, "offer_id": offer_id,
                "purchase_amount": "19000.00", "order_reference": format!("ORD-C-{i}")});
            let key = Uuid::new_v4().to_string();
            post_keyed(&app, "/v1/installment-plans", &merchant, &key, &body).await
        });
    }
    let mut approved = Vec::new();
    let mut declined = 0;
    while let Some(answer) = tasks.join_next().await {
        let (status, body) = answer.unwrap();
        match status {
            201 => {
                assert_eq!(body["outcome"], "approved", "{body}");
                approved.push(
                    body["plan"]["purchase_amount"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
            200 => {
                assert_eq!(body["outcome"], "declined", "{body}");
                declined += 1;
            }
            other => panic!("checkout answered {other}: {body}"),
        }
    }
    let total: Decimal = approved.iter().map(|a| a.parse::<Decimal>().unwrap()).sum();
    assert!(
        total <= Decimal::from(SHOPPER_LIMIT),
        "{} plans approved for {total} against a limit of {SHOPPER_LIMIT}",
        approved.len()
    );
    // Decided in turn, exactly as sequential checkouts would be: 7 × 19,000 = 133,000 fits,
    // an 8th would not.
    assert_eq!((approved.len(), declined), (7, 9), "{approved:?}");
    let (status, loans) = app.get("/v1/loans?limit=100", &shopper_token).await;
    assert_eq!(status, 200, "{loans}");
    assert_eq!(loans["items"].as_array().unwrap().len(), 7, "{loans}");
    assert_books_sound(&app).await;
}
