//! One declined shape for supply-chain finance: a factoring request or a bill discount that the
//! engine declines is answered 200 (nothing was created) with `outcome`, `decision_id` and
//! `reasons` beside the request's or the bill's own fields; nothing is financed, and the other
//! party's credit data stays out of the answer.

use api::auth::Role;
use lendline_tests::{party_body, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lending_support::set_date;
use crate::scf_support::{
    assert_books_sound, confirmed_receivable, in_days, post_key, program_of, setup_on, today,
};

/// A core enterprise whose store opened ten days ago: the engine declines lending against it.
async fn young_core(app: &TestApp) -> Uuid {
    set_date(app, &today().to_string()).await;
    let mut body = party_body("core_enterprise");
    body["onboarded_on"] = json!(in_days(-10));
    body["store_opened_on"] = json!(in_days(-10));
    let (status, party) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201, "{party}");
    party["id"].as_str().unwrap().parse().unwrap()
}

/// The declined shape: the outcome, the caller's decision id and readable reasons, none of them
/// the debtor's or acceptor's own.
fn assert_declined(body: &Value) {
    assert_eq!(body["outcome"], "declined", "{body}");
    assert!(body["decision_id"].is_string(), "{body}");
    let reasons = body["reasons"].as_array().expect("reasons");
    assert!(!reasons.is_empty(), "{body}");
    assert!(
        reasons
            .iter()
            .all(|r| !r.as_str().unwrap().contains("Store")),
        "another party's reasons are not the caller's to read: {body}"
    );
}

#[tokio::test]
async fn a_factoring_request_declined_on_its_debtor_is_200_and_finances_nothing() {
    let app = TestApp::spawn().await;
    let core = young_core(&app).await;
    let scf = setup_on(&app, core, json!({})).await;
    let receivable = confirmed_receivable(&app, &scf, "INV-DECL-1", "100000.00", 60).await;

    let (status, body) = post_key(
        &app,
        "/v1/factoring-requests",
        &scf.supplier_token,
        &json!({"receivable_ids": [receivable]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_declined(&body);
    assert_eq!(body["state"], "declined", "{body}");
    assert_eq!(body["decision"]["outcome"], "decline", "{body}");

    let (status, r) = app
        .get(
            &format!("/v1/receivables/{receivable}"),
            &scf.supplier_token,
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["state"], "confirmed", "{r}");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_bill_discount_declined_on_its_acceptor_is_200_and_leaves_the_bill_with_its_holder() {
    let app = TestApp::spawn().await;
    let core = young_core(&app).await;
    let (core_token, _) = program_of(&app, core, json!({})).await;
    let (drawer, payee) = (
        app.create_party("supplier").await,
        app.create_party("supplier").await,
    );
    let token = |p: Uuid| app.token(Role::Supplier, &p.to_string());
    let body = json!({"bill_number": "CA-DECL-1", "acceptor_id": core, "payee_id": payee,
        "face_value": "80000.00", "currency": "CNY", "issue_date": in_days(-1),
        "maturity_date": in_days(90), "medium": "electronic"});
    let (status, bill) = app.post("/v1/bills", &token(drawer), &body).await;
    assert_eq!(status, 201, "{bill}");
    let id = bill["id"].as_str().unwrap();
    let (status, accepted) = app
        .post(&format!("/v1/bills/{id}/accept"), &core_token, &json!({}))
        .await;
    assert_eq!(status, 200, "{accepted}");

    let (status, body) = post_key(
        &app,
        &format!("/v1/bills/{id}/discount"),
        &token(payee),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_declined(&body);
    assert_eq!(body["state"], "accepted", "{body}");
    assert_eq!(body["holder_id"], payee.to_string(), "{body}");
    assert_books_sound(&app).await;
}
