//! Issue 12 §2, pool factoring: each debtor is scored on what the pool lends against it (its
//! share of the borrowing base), not on the whole pool.
//!
//! The debtors sell 40,000 a month, so the shipped model refers any amount above three months
//! of their sales (120,000) asked against one of them. The supplier sells 200,000 a month and is
//! scored on the whole pool.

use api::auth::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::scf_support::{assert_books_sound, confirmed_receivable, factor, join, program_of, Scf};
use lendline_tests::{party_body, TestApp};

async fn party_with_sales(app: &TestApp, kind: &str, monthly: &str) -> Uuid {
    let mut body = party_body(kind);
    for month in body["monthly_sales"].as_array_mut().unwrap() {
        month["amount"] = json!(monthly);
    }
    let (status, party) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201, "{party}");
    party["id"].as_str().unwrap().parse().unwrap()
}

/// One supplier admitted to the programs of two debtors (no concentration limit, 80 % advance).
async fn two_debtors(app: &TestApp) -> (Scf, Scf) {
    let supplier = party_with_sales(app, "supplier", "200000.00").await;
    let supplier_token = app.token(Role::Supplier, &supplier.to_string());
    let mut sides = Vec::new();
    for _ in 0..2 {
        let core = party_with_sales(app, "core_enterprise", "40000.00").await;
        let (core_token, program) =
            program_of(app, core, json!({"concentration_limit": "1.00"})).await;
        join(app, program, supplier, &supplier_token).await;
        sides.push(Scf {
            core,
            core_token,
            supplier,
            supplier_token: supplier_token.clone(),
            program,
        });
    }
    let b = sides.pop().unwrap();
    (sides.pop().unwrap(), b)
}

/// The staff view of each per-party decision of a pool, by party.
async fn decisions(app: &TestApp, pool: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for id in pool["decision"]["decision_ids"].as_array().unwrap() {
        let (status, d) = app
            .get(
                &format!("/v1/decisions/{}", id.as_str().unwrap()),
                &app.admin(),
            )
            .await;
        assert_eq!(status, 200, "{d}");
        out.push(d);
    }
    out
}

fn of_party(all: &[Value], party: Uuid) -> &Value {
    all.iter()
        .find(|d| d["party_id"] == json!(party))
        .unwrap_or_else(|| panic!("no decision for {party}: {all:?}"))
}

#[tokio::test]
async fn a_pool_whose_debtor_shares_fit_their_limits_is_approved_though_the_whole_would_not() {
    let app = TestApp::spawn().await;
    let (a, b) = two_debtors(&app).await;
    let ids = vec![
        confirmed_receivable(&app, &a, "PA-1", "50000.00", 60).await,
        confirmed_receivable(&app, &a, "PA-2", "50000.00", 60).await,
        confirmed_receivable(&app, &b, "PB-1", "100000.00", 60).await,
    ];
    let pool = factor(&app, &a, &ids).await;
    // 200,000 × 0.80 = 160,000 in all, 80,000 against each debtor: within each debtor's
    // three months of sales, which the whole pool is not.
    assert_eq!(pool["borrowing_base"], "160000.00", "{pool}");
    assert_eq!(pool["state"], "funded", "{pool}");
    assert_eq!(pool["decision"]["outcome"], "approve", "{pool}");
    let all = decisions(&app, &pool).await;
    for debtor in [a.core, b.core] {
        let d = of_party(&all, debtor);
        assert_eq!(d["outcome"], "approve", "{d}");
        assert_eq!(d["inputs"]["requested_amount"], "80000.00", "{d}");
    }
    let supplier = of_party(&all, a.supplier);
    assert_eq!(
        supplier["inputs"]["requested_amount"], "160000.00",
        "{supplier}"
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_pool_lending_more_against_one_debtor_than_its_limit_is_still_referred() {
    let app = TestApp::spawn().await;
    let (a, b) = two_debtors(&app).await;
    let ids = vec![
        confirmed_receivable(&app, &a, "QA-1", "87500.00", 60).await,
        confirmed_receivable(&app, &a, "QA-2", "87500.00", 60).await,
        confirmed_receivable(&app, &b, "QB-1", "25000.00", 60).await,
    ];
    let pool = factor(&app, &a, &ids).await;
    // 140,000 against debtor A (over 120,000), 20,000 against B: 160,000 in all.
    assert_eq!(pool["borrowing_base"], "160000.00", "{pool}");
    assert_eq!(pool["state"], "referred", "{pool}");
    let all = decisions(&app, &pool).await;
    let over = of_party(&all, a.core);
    assert_eq!(over["outcome"], "refer", "{over}");
    assert_eq!(over["inputs"]["requested_amount"], "140000.00", "{over}");
    let within = of_party(&all, b.core);
    assert_eq!(within["outcome"], "approve", "{within}");
    assert_eq!(within["inputs"]["requested_amount"], "20000.00", "{within}");
    assert_books_sound(&app).await;
}
