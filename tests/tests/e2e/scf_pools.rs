//! A pool of 20 invoices over several debtors with a concentration limit: the borrowing base,
//! draws up to it, and the overdrawn flag as receivables settle.

use serde_json::json;
use uuid::Uuid;

use crate::scf_support::{
    assert_books_sound, confirmed_receivable, member, post_key, program, Scf,
};
use lendline_tests::TestApp;

#[tokio::test]
async fn a_pool_of_twenty_invoices_lends_against_its_base_net_of_concentration_excess() {
    let app = TestApp::spawn().await;
    // Two debtors' programs; the supplier joins both. Debtor A carries 16 of 20 invoices.
    let (core_a, token_a, program_a) = program(&app, json!({"concentration_limit": "0.50"})).await;
    let (core_b, token_b, program_b) = program(&app, json!({"concentration_limit": "0.50"})).await;
    let (supplier, supplier_token) = member(&app, program_a).await;
    let (status, _) = app
        .post(
            &format!("/v1/factoring-programs/{program_b}/suppliers"),
            &supplier_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, 201);
    let officer = app.token(api::auth::Role::RiskOfficer, "officer-1");
    app.post(
        &format!("/v1/factoring-programs/{program_b}/suppliers/{supplier}/approve"),
        &officer,
        &json!({}),
    )
    .await;
    let a = Scf {
        core: core_a,
        core_token: token_a,
        supplier,
        supplier_token: supplier_token.clone(),
        program: program_a,
    };
    let b = Scf {
        core: core_b,
        core_token: token_b,
        supplier,
        supplier_token: supplier_token.clone(),
        program: program_b,
    };
    let mut ids: Vec<Uuid> = Vec::new();
    for i in 0..16 {
        ids.push(confirmed_receivable(&app, &a, &format!("A-{i}"), "5000.00", 60).await);
    }
    for i in 0..4 {
        ids.push(confirmed_receivable(&app, &b, &format!("B-{i}"), "5000.00", 60).await);
    }
    let (status, pool) = post_key(
        &app,
        "/v1/factoring-requests",
        &supplier_token,
        &json!({"receivable_ids": ids}),
    )
    .await;
    assert_eq!(status, 201, "{pool}");
    assert_eq!(pool["kind"], "pool");
    assert_eq!(pool["state"], "funded", "{pool}");
    // Total 100,000; A holds 80,000 against a 50,000 limit: 30,000 excess; base (100,000 −
    // 30,000) × 0.80 = 56,000.
    assert_eq!(pool["borrowing_base"], "56000.00", "{pool}");
    let pool_id = pool["id"].as_str().unwrap();

    let (status, body) = post_key(
        &app,
        &format!("/v1/pools/{pool_id}/draws"),
        &supplier_token,
        &json!({"amount": "60000.00"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("exceeds_borrowing_base")),
        "{body}"
    );
    let (status, draw) = post_key(
        &app,
        &format!("/v1/pools/{pool_id}/draws"),
        &supplier_token,
        &json!({"amount": "55000.00"}),
    )
    .await;
    assert_eq!(status, 201, "{draw}");

    // Four of B's invoices settle: the pool loses its diversification and the base falls
    // below what is drawn.
    for id in &ids[16..] {
        let (status, s) = post_key(
            &app,
            &format!("/v1/receivables/{id}/payments"),
            &app.admin(),
            &json!({"amount": "5000.00"}),
        )
        .await;
        assert_eq!(status, 201, "{s}");
    }
    let (status, pool) = app
        .get(&format!("/v1/pools/{pool_id}"), &supplier_token)
        .await;
    assert_eq!(status, 200, "{pool}");
    assert_eq!(pool["overdrawn"], true, "{pool}");
    assert_books_sound(&app).await;
}
