//! A pool of 20 invoices over several debtors with a concentration limit: the borrowing base,
//! draws up to it, and the overdrawn flag as receivables settle. Then small pools in the
//! ledger: collections beyond what is drawn, short payments, and defaults.

use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lending_support::set_date;
use crate::scf_support::{
    assert_books_sound, balance, confirmed_receivable, factor, factor_refused, in_days, join,
    member, pay, post_key, program, request_factoring, setup, Scf,
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
    let (status, pool) = request_factoring(&app, &supplier_token, &ids).await;
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

/// A funded pool of two 10,000 invoices on one debtor, due in 30 days (base 16,000 with no
/// concentration excess), with `draw` drawn (plus its 0.5% fee): the supplier, the receivables
/// and the pool's id.
async fn drawn_pool(app: &TestApp, recourse: bool, draw: &str) -> (Scf, Vec<Uuid>, String) {
    let scf = setup(
        app,
        json!({"recourse": recourse, "concentration_limit": "1.00"}),
    )
    .await;
    let ids = vec![
        confirmed_receivable(app, &scf, "P-1", "10000.00", 30).await,
        confirmed_receivable(app, &scf, "P-2", "10000.00", 30).await,
    ];
    let pool = factor(app, &scf, &ids).await;
    assert_eq!(
        (&pool["kind"], &pool["state"]),
        (&json!("pool"), &json!("funded")),
        "{pool}"
    );
    assert_eq!(pool["borrowing_base"], "16000.00", "{pool}");
    let pool_id = pool["id"].as_str().unwrap().to_string();
    let (status, body) = post_key(
        app,
        &format!("/v1/pools/{pool_id}/draws"),
        &scf.supplier_token,
        &json!({"amount": draw}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (scf, ids, pool_id)
}

async fn default_after_grace(app: &TestApp, id: Uuid) -> Value {
    set_date(app, &in_days(41)).await;
    let (status, s) = post_key(
        app,
        &format!("/v1/receivables/{id}/default"),
        &app.admin(),
        &json!({"business_date": in_days(41)}),
    )
    .await;
    assert_eq!(status, 201, "{s}");
    assert_eq!(s["state"], "defaulted", "{s}");
    s
}

async fn drawn_outstanding(app: &TestApp, scf: &Scf, pool_id: &str) -> Value {
    let (status, pool) = app
        .get(&format!("/v1/pools/{pool_id}"), &scf.supplier_token)
        .await;
    assert_eq!(status, 200, "{pool}");
    pool["drawn_outstanding"].clone()
}

#[tokio::test]
async fn pool_collections_repay_what_is_drawn_and_post_the_rest_remitted_to_the_supplier() {
    let app = TestApp::spawn().await;
    let (scf, ids, pool_id) = drawn_pool(&app, true, "12000.00").await;
    assert_eq!(drawn_outstanding(&app, &scf, &pool_id).await, "12060.00");

    // A short payment just collects less: the supplier still owes what is drawn, nothing is lost.
    let s = pay(&app, ids[0], "7000.00").await;
    assert_eq!(s["repaid_to_factor"], "7000.00", "{s}");
    assert_eq!(s["reserve_released"], "0.00", "{s}");
    assert_eq!(s["shortfall"], "0.00", "{s}");
    assert_eq!(s["shortfall_treatment"], "pool", "{s}");
    assert_eq!(drawn_outstanding(&app, &scf, &pool_id).await, "5060.00");

    // 10,000 against 5,060 drawn: 4,940 goes on to the supplier, through the books.
    let s = pay(&app, ids[1], "10000.00").await;
    assert_eq!(s["repaid_to_factor"], "5060.00", "{s}");
    assert_eq!(s["reserve_released"], "4940.00", "{s}");
    assert_eq!(s["shortfall_treatment"], "pool", "{s}");
    assert_eq!(drawn_outstanding(&app, &scf, &pool_id).await, "0.00");

    let (status, cash) = app
        .get("/v1/ledger/accounts/cash:platform", &app.admin())
        .await;
    assert_eq!(status, 200, "{cash}");
    let lines: Vec<&str> = cash["postings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["amount"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["-12000.00", "7000.00", "10000.00", "-4940.00"],
        "{cash}"
    );
    // Out 12,000 and 4,940, in 17,000: the 60 fee.
    assert_eq!(balance(&app, "cash:platform").await, "60");
    assert_eq!(
        balance(&app, &format!("pool_advances:{pool_id}")).await,
        "0"
    );
    assert_eq!(balance(&app, "credit_losses").await, "0");
    assert_eq!(
        balance(&app, &format!("recourse_receivable:{}", scf.supplier)).await,
        "0"
    );
    let (status, check) = app.get("/v1/ledger/check", &app.admin()).await;
    assert_eq!(
        (status, &check["consistent"]),
        (200, &json!(true)),
        "{check}"
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_defaulted_pool_receivable_under_recourse_is_a_claim_on_the_supplier_for_its_share() {
    let app = TestApp::spawn().await;
    let (scf, ids, pool_id) = drawn_pool(&app, true, "12000.00").await;
    // Its share: 10,000 × 0.80 = 8,000 of the 12,060 drawn.
    let s = default_after_grace(&app, ids[0]).await;
    assert_eq!(s["debtor_payment"], "0.00", "{s}");
    assert_eq!(s["shortfall"], "8000.00", "{s}");
    assert_eq!(s["shortfall_treatment"], "recourse_claim", "{s}");
    assert_eq!(drawn_outstanding(&app, &scf, &pool_id).await, "4060.00");
    assert_eq!(
        balance(&app, &format!("recourse_receivable:{}", scf.supplier)).await,
        "8000"
    );
    assert_eq!(
        balance(&app, &format!("pool_advances:{pool_id}")).await,
        "4060"
    );
    assert_eq!(balance(&app, "credit_losses").await, "0");
    // The other receivable's 10,000 repays the 4,060 drawn, then 5,940 of the supplier's
    // 8,000 claim: a supplier who owes the factor is not paid cash.
    let s = pay(&app, ids[1], "10000.00").await;
    assert_eq!(s["repaid_to_factor"], "4060.00", "{s}");
    assert_eq!(s["claims_set_off"], "5940.00", "{s}");
    assert_eq!(s["reserve_released"], "0.00", "{s}");
    assert_eq!(
        balance(&app, &format!("recourse_receivable:{}", scf.supplier)).await,
        "2060"
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_pool_default_with_a_recovery_collects_it_and_loses_only_the_rest_of_its_share() {
    let app = TestApp::spawn().await;
    let (scf, ids, pool_id) = drawn_pool(&app, false, "12000.00").await;
    set_date(&app, &in_days(41)).await;
    let (status, s) = post_key(
        &app,
        &format!("/v1/receivables/{}/default", ids[0]),
        &app.admin(),
        &json!({"business_date": in_days(41), "recovered": "3000.00"}),
    )
    .await;
    assert_eq!(status, 201, "{s}");
    // Its 8,000 share: 3,000 recovered repays the pool, the other 5,000 is the factor's loss.
    assert_eq!(s["repaid_to_factor"], "3000.00", "{s}");
    assert_eq!(s["shortfall"], "5000.00", "{s}");
    assert_eq!(s["shortfall_treatment"], "credit_loss", "{s}");
    assert_eq!(s["dilution"], "0.00", "{s}");
    assert_eq!(drawn_outstanding(&app, &scf, &pool_id).await, "4060.00");
    assert_eq!(balance(&app, "credit_losses").await, "5000");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_defaulted_pool_receivable_without_recourse_is_a_credit_loss_up_to_what_is_drawn() {
    let app = TestApp::spawn().await;
    let (scf, ids, pool_id) = drawn_pool(&app, false, "5000.00").await;
    // Its 8,000 share is capped at the 5,025 drawn.
    let s = default_after_grace(&app, ids[0]).await;
    assert_eq!(s["shortfall"], "5025.00", "{s}");
    assert_eq!(s["shortfall_treatment"], "credit_loss", "{s}");
    assert_eq!(drawn_outstanding(&app, &scf, &pool_id).await, "0.00");
    assert_eq!(balance(&app, "credit_losses").await, "5025");
    assert_eq!(
        balance(&app, &format!("pool_advances:{pool_id}")).await,
        "0"
    );
    assert_eq!(
        balance(&app, &format!("recourse_receivable:{}", scf.supplier)).await,
        "0"
    );

    // Nothing is drawn any more: the next default has no share to recognise.
    let s = default_after_grace(&app, ids[1]).await;
    assert_eq!(s["shortfall"], "0.00", "{s}");
    assert_eq!(s["shortfall_treatment"], "pool", "{s}");
    assert_eq!(balance(&app, "credit_losses").await, "5025");
    assert_books_sound(&app).await;
}

/// A program's exposure on its debtor.
async fn debtor_exposure(app: &TestApp, program: Uuid) -> Decimal {
    let (status, p) = app
        .get(&format!("/v1/factoring-programs/{program}"), &app.admin())
        .await;
    assert_eq!(status, 200, "{p}");
    p["debtor_exposure"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_pool_over_two_debtors_lends_on_each_at_its_own_programs_terms() {
    let app = TestApp::spawn().await;
    let terms = |rate: &str| json!({"advance_rate": rate, "concentration_limit": "0.60"});
    let a = setup(&app, terms("0.90")).await;
    let (core, core_token, b_program) = program(&app, terms("0.70")).await;
    join(&app, b_program, a.supplier, &a.supplier_token).await;
    let b = Scf {
        core,
        core_token,
        supplier: a.supplier,
        supplier_token: a.supplier_token.clone(),
        program: b_program,
    };
    let ids = vec![
        confirmed_receivable(&app, &a, "A-1", "10000.00", 30).await,
        confirmed_receivable(&app, &a, "A-2", "10000.00", 30).await,
        confirmed_receivable(&app, &b, "B-1", "10000.00", 30).await,
        confirmed_receivable(&app, &b, "B-2", "10000.00", 30).await,
    ];
    let pool = factor(&app, &a, &ids).await;
    assert_eq!(pool["state"], "funded", "{pool}");
    // 20,000 at 90 % and 20,000 at 70 %, both within the 60 % limit: 32,000 (one rate for
    // all, the lower, would lend 28,000).
    assert_eq!(pool["borrowing_base"], "32000.00", "{pool}");
    assert_eq!(
        debtor_exposure(&app, a.program).await,
        Decimal::from(18_000)
    );
    assert_eq!(
        debtor_exposure(&app, b.program).await,
        Decimal::from(14_000)
    );

    // A-1 paid: 30,000 left, limit 18,000 each; B's 20,000 is 2,000 over.
    // 10,000 × 0.90 + 18,000 × 0.70 = 21,600; A's exposure falls by exactly what A-1 reserved.
    pay(&app, ids[0], "10000.00").await;
    let pool_id = pool["id"].as_str().unwrap();
    let (_, revalued) = app
        .get(&format!("/v1/pools/{pool_id}"), &a.supplier_token)
        .await;
    assert_eq!(revalued["borrowing_base"], "21600.00", "{revalued}");
    assert_eq!(debtor_exposure(&app, a.program).await, Decimal::from(9_000));
    assert_books_sound(&app).await;
}

/// The largest pool a request may finance (`MAX_POOL_SIZE`, 500 receivables) is decided and
/// stored whole: its links in one statement, more rows than a statement may have and stay
/// prepared (`persistence::prepared::PREPARE_UP_TO`), and its thousand audit events with the
/// receivables' new states and encumbrances riding along in statements of 32 parts (one
/// statement of them all was still being planned at the 5 s statement timeout). Every
/// receivable is then financed, none can be financed twice, and the books hold.
#[tokio::test]
async fn a_pool_of_the_largest_size_is_financed_whole_and_only_once() {
    use futures_util::stream::{self, StreamExt};

    const SIZE: usize = 500;
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let mut ids: Vec<Uuid> = stream::iter(0..SIZE)
        .map(|n| {
            let (app, scf) = (&app, &scf);
            async move { confirmed_receivable(app, scf, &format!("BIG-{n}"), "100.00", 60).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    ids.sort();
    assert_eq!(ids.len(), SIZE);

    let pool = factor(&app, &scf, &ids).await;
    let summary = format!("{} {}", pool["state"], pool["decision"]);
    assert_eq!(pool["state"], "funded", "{summary}");
    assert_eq!(pool["receivable_ids"].as_array().map(Vec::len), Some(SIZE));
    assert_eq!(pool["face_total"], "50000.00", "{summary}");
    for id in [ids[0], ids[SIZE / 2], ids[SIZE - 1]] {
        let (status, r) = app
            .get(&format!("/v1/receivables/{id}"), &scf.supplier_token)
            .await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["state"], "financed", "{r}");
    }
    // The whole pool again, and a pool of two of its receivables: both refused.
    for again in [ids.clone(), vec![ids[1], ids[SIZE - 2]]] {
        factor_refused(
            &app,
            &scf,
            &again,
            "receivable_not_eligible",
            "financed once",
        )
        .await;
    }
    assert_books_sound(&app).await;
}
