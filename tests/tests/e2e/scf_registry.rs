//! The registry: duplicates refused whoever submits them and however the number is written,
//! concurrent financing of one receivable happens once, and parties see only their own paper.

use api::auth::Role;
use serde_json::json;
use uuid::Uuid;

use crate::scf_support::{
    assert_books_sound, confirmed_receivable, member, receivable_body, setup,
};
use lendline_tests::TestApp;

#[tokio::test]
async fn the_same_invoice_written_differently_is_refused_without_naming_its_holder() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let first = receivable_body(scf.core, "INV-000123", "1000.00", 30);
    let (status, body) = app
        .post("/v1/receivables", &scf.supplier_token, &first)
        .await;
    assert_eq!(status, 201, "{body}");
    for number in ["inv 123", "Inv-0123", " INV123 "] {
        let mut again = first.clone();
        again["invoice_number"] = json!(number);
        again["amount"] = json!("1000");
        let (status, body) = app
            .post("/v1/receivables", &scf.supplier_token, &again)
            .await;
        assert_eq!(status, 409, "{number}: {body}");
        assert_eq!(body["error"]["code"], "already_registered");
        assert!(
            !body.to_string().contains(&scf.supplier.to_string()),
            "{body}"
        );
    }
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn the_registry_check_answers_only_registered_and_encumbered() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-77", "1000.00", 30).await;
    let (_, r) = app
        .get(&format!("/v1/receivables/{id}"), &scf.supplier_token)
        .await;
    let print = r["fingerprint"].as_str().unwrap();
    let outsider = app.token(Role::Financier, "bank-of-elsewhere");
    let (status, body) = app.get(&format!("/v1/registry/{print}"), &outsider).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"registered": true, "encumbered": false}));
    let (_, body) = app
        .get(&format!("/v1/registry/{}", "0".repeat(64)), &outsider)
        .await;
    assert_eq!(body, json!({"registered": false, "encumbered": false}));
    let (status, _) = app.get("/v1/registry/not-a-fingerprint", &outsider).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn twenty_concurrent_factoring_requests_over_one_receivable_finance_it_once() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-RACE", "100000.00", 60).await;
    let attempts = (0..20).map(|_| {
        let client = app.client.clone();
        let url = app.url("/v1/factoring-requests");
        let token = scf.supplier_token.clone();
        tokio::spawn(async move {
            let res = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", Uuid::new_v4().to_string())
                .json(&json!({"receivable_ids": [id]}))
                .send()
                .await
                .unwrap();
            lendline_tests::read(res).await
        })
    });
    let mut funded = 0;
    for attempt in attempts {
        let (status, body) = attempt.await.unwrap();
        match status {
            201 => {
                assert_eq!(body["state"], "funded", "{body}");
                funded += 1;
            }
            422 => assert_eq!(body["error"]["code"], "receivable_not_eligible", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(funded, 1);
    let (_, program) = app
        .get(
            &format!("/v1/factoring-programs/{}", scf.program),
            &app.admin(),
        )
        .await;
    assert_eq!(program["debtor_exposure"], "80000.00", "{program}");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_supplier_cannot_read_or_factor_another_suppliers_receivable() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-MINE", "1000.00", 30).await;
    let (_, other_token) = member(&app, scf.program).await;
    let (status, _) = app
        .get(&format!("/v1/receivables/{id}"), &other_token)
        .await;
    assert_eq!(status, 404);
    let (status, _) = crate::scf_support::request_factoring(&app, &other_token, &[id]).await;
    assert_eq!(status, 404);
    let (_, list) = app.get("/v1/receivables", &other_token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_core_enterprise_sees_and_confirms_only_receivables_naming_it() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let other = setup(&app, json!({})).await;
    let (_, body) = app
        .post(
            "/v1/receivables",
            &scf.supplier_token,
            &receivable_body(scf.core, "INV-X", "10.00", 30),
        )
        .await;
    let id = body["id"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("/v1/receivables/{id}/confirm"),
            &other.core_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get(&format!("/v1/receivables/{id}"), &other.core_token)
        .await;
    assert_eq!(status, 404);
    let (_, list) = app.get("/v1/receivables", &other.core_token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let (_, list) = app.get("/v1/receivables", &scf.core_token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (status, body) = app
        .post(
            &format!("/v1/receivables/{id}/confirm"),
            &scf.core_token,
            &json!({}),
        )
        .await;
    assert_eq!((status, body["state"].as_str()), (200, Some("confirmed")));
    assert_books_sound(&app).await;
}

/// Registration numbers are kept unique platform-wide in the registry too (a table distributed
/// by party cannot hold that unique index): outside financiers are never answered about them.
#[tokio::test]
async fn the_registry_check_never_answers_about_a_partys_registration() {
    let app = TestApp::spawn().await;
    let body = lendline_tests::party_body("merchant");
    let (status, _) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201);
    let print = persistence::parties::registration_fingerprint(
        "CN",
        body["registration_number"].as_str().unwrap(),
    );
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    let kind: String = {
        use diesel::prelude::*;
        use persistence::schema::registry_entries::dsl as registry;
        registry::registry_entries
            .find(&print)
            .select(registry::kind)
            .first(&mut conn)
            .unwrap()
    };
    assert_eq!(kind, "party_registration");
    let outsider = app.token(Role::Financier, "bank-of-elsewhere");
    let (status, body) = app.get(&format!("/v1/registry/{print}"), &outsider).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"registered": false, "encumbered": false}));
}
