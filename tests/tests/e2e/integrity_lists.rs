//! Staff lists and party lists: filters with a closed set of values refuse unknown ones with
//! 400, lists of orders, pledges (open margin calls), factoring requests, pools and bills show
//! staff everything and a party only its own, and a supplier reads its standing in a program.

use api::auth::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lending_support::{approved_line, merchant_with_sales, post_keyed, set_date};
use crate::scf_support::{confirmed_receivable, factor, in_days, setup};
use lendline_tests::TestApp;

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn unknown_filter_values_are_refused_with_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    for path in [
        "/v1/loans?status=bogus",
        "/v1/loans?product=bogus",
        "/v1/loans?bucket=bogus",
        "/v1/receivables?state=bogus",
        "/v1/credit-lines?status=bogus",
        "/v1/credit-lines?frozen=maybe",
        "/v1/installment-plans?status=bogus",
        "/v1/orders?status=bogus",
        "/v1/collateral?status=bogus",
        "/v1/factoring-requests?state=bogus",
        "/v1/pools?state=bogus",
        "/v1/bills?state=bogus",
    ] {
        let (status, body) = app.get(path, &admin).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["code"], "invalid_query", "{path}: {body}");
    }
    let (status, body) = app
        .get("/v1/loans?status=active&bucket=90%2B", &admin)
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn credit_lines_are_filtered_by_status_and_frozen() {
    let app = TestApp::spawn().await;
    let (_, merchant, line) = approved_line(&app, "30000.00").await;
    let admin = app.admin();
    for (query, expected) in [
        ("status=active", true),
        ("status=frozen", false),
        ("frozen=false", true),
        ("frozen=true", false),
    ] {
        for token in [&admin, &merchant] {
            let (status, page) = app.get(&format!("/v1/credit-lines?{query}"), token).await;
            assert_eq!(status, 200, "{query}: {page}");
            assert_eq!(
                ids(&page).contains(&line.to_string()),
                expected,
                "{query}: {page}"
            );
        }
    }
}

#[tokio::test]
async fn staff_list_all_orders_and_open_margin_calls_while_a_merchant_sees_its_own() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let buyer_id = app.create_party("core_enterprise").await;
    let buyer = app.token(Role::CoreEnterprise, &buyer_id.to_string());
    let (mine_id, mine) = merchant_with_sales(&app, "200000.00").await;
    let (theirs_id, _) = merchant_with_sales(&app, "200000.00").await;
    let mut orders = Vec::new();
    for (merchant, number) in [(mine_id, "PO-L-1"), (theirs_id, "PO-L-2")] {
        let body = json!({"merchant_id": merchant, "order_number": number, "kind": "purchase_order",
            "currency": "CNY", "order_value": "50000.00", "expected_settlement_on": "2026-10-31"});
        let (status, order) = app.post("/v1/orders", &buyer, &body).await;
        assert_eq!(status, 201, "{order}");
        orders.push(order["id"].as_str().unwrap().to_string());
    }
    let (status, all) = app.get("/v1/orders?status=confirmed", &app.admin()).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(ids(&all), orders);
    assert_eq!(ids(&app.get("/v1/orders", &mine).await.1), orders[..1]);
    assert_eq!(ids(&app.get("/v1/orders", &buyer).await.1), orders);
    let staff_narrowed = format!("/v1/orders?party_id={theirs_id}");
    assert_eq!(
        ids(&app.get(&staff_narrowed, &app.admin()).await.1),
        orders[1..]
    );
    assert!(ids(&app.get("/v1/orders?status=settled", &app.admin()).await.1).is_empty());

    let goods = json!({"warehouse": "Cainiao Hangzhou 3", "receipt_number": "WR-LIST-1",
        "sku": "SKU-PHONE-128", "category": "electronics", "quantity": 1000, "currency": "CNY",
        "unit_value": "50.00"});
    let (status, pledged) = app.post("/v1/collateral", &mine, &goods).await;
    assert_eq!(status, 201, "{pledged}");
    let id = pledged["id"].as_str().unwrap().to_string();
    let draw = json!({"amount": "24000.00", "tenor_days": 60});
    let (status, loan) = post_keyed(
        &app,
        &format!("/v1/collateral/{id}/draws"),
        &mine,
        "d-1",
        &draw,
    )
    .await;
    assert_eq!(status, 201, "{loan}");
    assert!(ids(&app
        .get("/v1/collateral?status=margin_call", &app.admin())
        .await
        .1)
    .is_empty());
    let officer = app.token(Role::RiskOfficer, "officer-1");
    let (status, body) = app
        .post(
            &format!("/v1/collateral/{id}/valuations"),
            &officer,
            &json!({"unit_value": "40.00"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, calls) = app
        .get("/v1/collateral?status=margin_call", &app.admin())
        .await;
    assert_eq!(status, 200, "{calls}");
    assert_eq!(ids(&calls), std::slice::from_ref(&id));
    assert_eq!(ids(&app.get("/v1/collateral", &mine).await.1), [id]);
    let (_, other) = merchant_with_sales(&app, "200000.00").await;
    assert!(ids(&app.get("/v1/collateral", &other).await.1).is_empty());
}

#[tokio::test]
async fn factoring_requests_pools_and_bills_are_listed_for_staff_and_their_parties() {
    let app = TestApp::spawn().await;
    // One debtor may make up the whole pool, so two of its invoices form a fundable pool.
    let scf = setup(&app, json!({"concentration_limit": "1"})).await;
    let one = confirmed_receivable(&app, &scf, "INV-L-1", "10000.00", 60).await;
    let single = factor(&app, &scf, &[one]).await;
    let a = confirmed_receivable(&app, &scf, "INV-L-2", "10000.00", 60).await;
    let b = confirmed_receivable(&app, &scf, "INV-L-3", "10000.00", 60).await;
    let pool = factor(&app, &scf, &[a, b]).await;
    assert_eq!(pool["kind"], "pool", "{pool}");
    let (single, pool) = (single["id"].as_str().unwrap(), pool["id"].as_str().unwrap());

    let (status, mine) = app.get("/v1/factoring-requests", &scf.supplier_token).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(ids(&mine), [single, pool]);
    assert_eq!(
        mine["items"][1]["receivable_ids"].as_array().unwrap().len(),
        2,
        "{mine}"
    );
    assert_eq!(
        ids(&app.get("/v1/pools", &scf.supplier_token).await.1),
        [pool]
    );
    let (_, stranger) = {
        let s = app.create_party("supplier").await;
        (s, app.token(Role::Supplier, &s.to_string()))
    };
    assert!(ids(&app.get("/v1/factoring-requests", &stranger).await.1).is_empty());
    let staff = format!(
        "/v1/factoring-requests?party_id={}&state=funded",
        scf.supplier
    );
    assert_eq!(ids(&app.get(&staff, &app.admin()).await.1), [single, pool]);
    let (status, _) = app.get("/v1/factoring-requests", &scf.core_token).await;
    assert_eq!(status, 403);

    let payee = app.create_party("supplier").await;
    let body = json!({"bill_number": "BILL-L-1", "acceptor_id": scf.core, "payee_id": payee,
        "face_value": "80000.00", "currency": "CNY", "issue_date": in_days(-1),
        "maturity_date": in_days(90), "medium": "electronic"});
    let (status, bill) = app.post("/v1/bills", &scf.supplier_token, &body).await;
    assert_eq!(status, 201, "{bill}");
    let bill = bill["id"].as_str().unwrap();
    for token in [
        &scf.supplier_token,
        &scf.core_token,
        &app.token(Role::Supplier, &payee.to_string()),
    ] {
        let (status, page) = app.get("/v1/bills?state=registered", token).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(ids(&page), [bill]);
    }
    assert!(ids(&app.get("/v1/bills", &stranger).await.1).is_empty());
    assert_eq!(ids(&app.get("/v1/bills", &app.admin()).await.1), [bill]);
}

#[tokio::test]
async fn a_supplier_reads_its_terms_limit_and_recourse_owed_and_nobody_elses() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let path = format!(
        "/v1/factoring-programs/{}/suppliers/{}",
        scf.program, scf.supplier
    );
    let (status, standing) = app.get(&path, &scf.supplier_token).await;
    assert_eq!(status, 200, "{standing}");
    assert_eq!(standing["status"], "approved");
    assert_eq!(standing["terms"]["advance_rate"], "0.8", "{standing}");
    assert_eq!(standing["terms"]["recourse"], true);
    assert_eq!(standing["recourse_owed"], "0.00", "{standing}");
    assert_eq!(standing["exposure"], "0.00", "{standing}");
    assert_eq!(
        standing["available"], standing["supplier_limit"],
        "{standing}"
    );
    assert!(
        standing["terms"].get("debtor_exposure").is_none(),
        "{standing}"
    );
    assert_eq!(app.get(&path, &scf.core_token).await.0, 200);
    assert_eq!(app.get(&path, &app.admin()).await.0, 200);
    let other = app.create_party("supplier").await;
    let other_token = app.token(Role::Supplier, &other.to_string());
    assert_eq!(app.get(&path, &other_token).await.0, 404);
    let theirs = format!("/v1/factoring-programs/{}/suppliers/{other}", scf.program);
    assert_eq!(app.get(&theirs, &other_token).await.0, 404, "not a member");
    let unknown = format!(
        "/v1/factoring-programs/{}/suppliers/{}",
        Uuid::now_v7(),
        scf.supplier
    );
    assert_eq!(app.get(&unknown, &scf.supplier_token).await.0, 404);
}
