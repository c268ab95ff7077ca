//! Commercial acceptance bills: endorsed twice, discounted, then paid at maturity or
//! dishonoured with recourse on the drawer and endorsers.

use api::auth::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lending_support::set_date;
use crate::scf_support::{assert_books_sound, balance, in_days, post_key, program};
use lendline_tests::TestApp;

struct Bill {
    id: String,
    holder_token: String,
}

/// Drawer → payee → second → third holder; accepted by the core enterprise.
async fn endorsed_twice(app: &TestApp, number: &str) -> (Bill, String) {
    let (core, core_token, _) = program(app, json!({"discount_rate_annual": "0.03"})).await;
    let drawer = app.create_party("supplier").await;
    let payee = app.create_party("supplier").await;
    let second = app.create_party("supplier").await;
    let third = app.create_party("supplier").await;
    let token = |p: Uuid| app.token(Role::Supplier, &p.to_string());
    let body = json!({"bill_number": number, "acceptor_id": core, "payee_id": payee,
        "face_value": "80000.00", "currency": "CNY", "issue_date": in_days(-1),
        "maturity_date": in_days(90), "medium": "electronic"});
    let (status, bill) = app.post("/v1/bills", &token(drawer), &body).await;
    assert_eq!(status, 201, "{bill}");
    let id = bill["id"].as_str().unwrap().to_string();
    let mut dup = body.clone();
    dup["bill_number"] = json!(number.to_lowercase().replace('-', " "));
    let (status, _) = app.post("/v1/bills", &token(drawer), &dup).await;
    assert_eq!(status, 409, "the same bill registered twice");
    let (status, b) = app
        .post(&format!("/v1/bills/{id}/accept"), &core_token, &json!({}))
        .await;
    assert_eq!(
        (status, b["state"].as_str()),
        (200, Some("accepted")),
        "{b}"
    );
    let (status, _) = app
        .post(
            &format!("/v1/bills/{id}/endorsements"),
            &token(second),
            &json!({"to_party_id": third}),
        )
        .await;
    assert_eq!(status, 404, "a stranger cannot endorse");
    for (from, to) in [(payee, second), (second, third)] {
        let (status, b) = app
            .post(
                &format!("/v1/bills/{id}/endorsements"),
                &token(from),
                &json!({"to_party_id": to}),
            )
            .await;
        assert_eq!(status, 201, "{b}");
    }
    let (status, b) = app
        .post(
            &format!("/v1/bills/{id}/endorsements"),
            &token(payee),
            &json!({"to_party_id": drawer}),
        )
        .await;
    assert_eq!(
        (status, b["error"]["code"].as_str()),
        (422, Some("not_the_holder"))
    );
    (
        Bill {
            id,
            holder_token: token(third),
        },
        drawer.to_string(),
    )
}

async fn discounted(app: &TestApp, number: &str) -> (Bill, String, Value) {
    let (bill, drawer) = endorsed_twice(app, number).await;
    let (status, d) = post_key(
        app,
        &format!("/v1/bills/{}/discount", bill.id),
        &bill.holder_token,
        &json!({}),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["state"], "discounted", "{d}");
    assert!(d["holder_id"].is_null());
    let (status, b) = app
        .post(
            &format!("/v1/bills/{}/endorsements", bill.id),
            &bill.holder_token,
            &json!({"to_party_id": drawer}),
        )
        .await;
    assert_eq!(status, 422, "the seller no longer holds it: {b}");
    (bill, drawer, d)
}

#[tokio::test]
async fn a_bill_endorsed_twice_is_discounted_and_paid_at_maturity() {
    let app = TestApp::spawn().await;
    let (bill, _, d) = discounted(&app, "CA-2026-0001").await;
    // 80,000 × 3% × 90 / 360 = 600.
    assert_eq!(d["discount_interest"], "600.00", "{d}");
    // Maturity events are booked on or before the platform's business date.
    set_date(&app, &in_days(90)).await;
    let (status, body) = post_key(
        &app,
        &format!("/v1/bills/{}/payment", bill.id),
        &app.admin(),
        &json!({"business_date": in_days(30)}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("not_matured"))
    );
    let (status, paid) = post_key(
        &app,
        &format!("/v1/bills/{}/payment", bill.id),
        &app.admin(),
        &json!({"business_date": in_days(90)}),
    )
    .await;
    assert_eq!(
        (status, paid["state"].as_str()),
        (201, Some("paid")),
        "{paid}"
    );
    assert_eq!(
        balance(&app, &format!("bills_discounted:{}", bill.id)).await,
        "0"
    );
    assert_eq!(balance(&app, "interest_income:discount").await, "-600");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_dishonoured_bill_gives_recourse_against_the_drawer_and_endorsers() {
    let app = TestApp::spawn().await;
    let (bill, _, _) = discounted(&app, "CA-2026-0002").await;
    set_date(&app, &in_days(91)).await;
    let (status, d) = post_key(
        &app,
        &format!("/v1/bills/{}/dishonour", bill.id),
        &app.admin(),
        &json!({"business_date": in_days(91)}),
    )
    .await;
    assert_eq!(
        (status, d["state"].as_str()),
        (201, Some("dishonoured")),
        "{d}"
    );
    assert_eq!(
        balance(&app, &format!("bill_recourse:{}", bill.id)).await,
        "80000"
    );
    let (_, events) = app
        .get(
            &format!("/v1/audit/events?entity=bill:{}", bill.id),
            &app.admin(),
        )
        .await;
    let text = events.to_string();
    assert!(text.contains("bill.recourse_claims"), "{text}");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn discounting_counts_the_days_from_the_platform_business_date() {
    let app = TestApp::spawn().await;
    let (bill, _) = endorsed_twice(&app, "CA-2026-0009").await;
    let res = app
        .client
        .put(app.url("/v1/admin/business-date"))
        .bearer_auth(app.admin())
        .json(&json!({"business_date": in_days(30)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, d) = post_key(
        &app,
        &format!("/v1/bills/{}/discount", bill.id),
        &bill.holder_token,
        &json!({}),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    // 60 days left on the business date: 80,000 × 3% × 60 / 360 = 400.
    assert_eq!(d["discount_interest"], "400.00", "{d}");
}
