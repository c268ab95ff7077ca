//! Single-invoice factoring end to end: funded, then settled in full, short-paid, or defaulted
//! under recourse and non-recourse, with the books sound after each.

use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

use crate::lending_support::set_date;
use crate::scf_support::{
    assert_books_sound, balance, confirmed_receivable, factor, factor_refused, in_days, pay,
    post_key, setup,
};
use lendline_tests::TestApp;

#[tokio::test]
async fn a_single_invoice_is_funded_and_settled_in_full() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-1001", "100000.00", 60).await;
    let request = factor(&app, &scf, &[id]).await;
    assert_eq!(request["state"], "funded", "{request}");
    assert_eq!(request["advance_total"], "80000.00");
    let rid = request["id"].as_str().unwrap();
    assert_eq!(
        balance(&app, &format!("factored_receivables:{rid}")).await,
        "100000"
    );
    let (_, r) = app
        .get(&format!("/v1/receivables/{id}"), &scf.supplier_token)
        .await;
    assert_eq!(r["state"], "financed");
    let (_, reg) = app
        .get(
            &format!("/v1/registry/{}", r["fingerprint"].as_str().unwrap()),
            &app.admin(),
        )
        .await;
    assert_eq!(reg, json!({"registered": true, "encumbered": true}));
    let (_, outbox) = app.get("/v1/admin/outbox", &app.admin()).await;
    assert!(
        outbox.to_string().contains("Notice of assignment"),
        "{outbox}"
    );

    let s = pay(&app, id, "100000.00").await;
    assert_eq!(s["state"], "settled");
    assert_eq!(s["shortfall"], "0.00");
    assert_eq!(
        balance(&app, &format!("factored_receivables:{rid}")).await,
        "0"
    );
    assert_eq!(
        balance(&app, &format!("reserve:{}", scf.supplier)).await,
        "0"
    );
    let (_, reg) = app
        .get(
            &format!("/v1/registry/{}", r["fingerprint"].as_str().unwrap()),
            &app.admin(),
        )
        .await;
    assert_eq!(reg["encumbered"], false);
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_short_payment_is_charged_to_the_reserve_then_to_the_supplier_under_recourse() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-2001", "100000.00", 60).await;
    factor(&app, &scf, &[id]).await;
    // 70,000 paid: less than the 80,000 advance plus fees, so the supplier owes the rest.
    let s = pay(&app, id, "70000.00").await;
    assert_eq!(s["reserve_released"], "0.00");
    assert_eq!(s["shortfall_treatment"], "recourse_claim");
    let claim = format!("recourse_receivable:{}", scf.supplier);
    let owed: Decimal = balance(&app, &claim).await.parse().unwrap();
    assert!(owed > Decimal::from(10_000), "{owed}");
    // The supplier's next invoice is paid in full: what its reserve would release pays the
    // claim first, and no cash goes to a supplier who owes the factor.
    let next = confirmed_receivable(&app, &scf, "INV-2002", "20000.00", 60).await;
    factor(&app, &scf, &[next]).await;
    let s = pay(&app, next, "20000.00").await;
    assert_eq!(s["reserve_released"], "0.00", "{s}");
    let set_off: Decimal = s["claims_set_off"].as_str().unwrap().parse().unwrap();
    assert!(
        set_off > Decimal::from(3_000),
        "about 4,000 of reserve less fees: {s}"
    );
    let left: Decimal = balance(&app, &claim).await.parse().unwrap();
    assert_eq!(left, owed - set_off);
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_short_payment_beyond_the_reserve_without_recourse_is_still_a_claim_on_the_supplier() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({"recourse": false})).await;
    let id = confirmed_receivable(&app, &scf, "INV-2003", "100000.00", 60).await;
    factor(&app, &scf, &[id]).await;
    // Dilution is not the factor's credit risk: 70,000 paid against 81,300 owed (80,000
    // advance, 800 discount, 500 service) leaves 11,300 on the supplier.
    let s = pay(&app, id, "70000.00").await;
    assert_eq!(s["shortfall"], "11300.00", "{s}");
    assert_eq!(s["shortfall_treatment"], "recourse_claim", "{s}");
    assert_eq!(
        balance(&app, &format!("recourse_receivable:{}", scf.supplier)).await,
        "11300"
    );
    assert_eq!(balance(&app, "credit_losses").await, "0");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_small_short_payment_is_absorbed_by_the_reserve() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-2002", "100000.00", 60).await;
    factor(&app, &scf, &[id]).await;
    let s = pay(&app, id, "95000.00").await;
    assert_eq!(s["dilution"], "5000.00");
    assert_eq!(s["shortfall"], "0.00");
    let released: Decimal = s["reserve_released"].as_str().unwrap().parse().unwrap();
    assert!(released > Decimal::ZERO, "{s}");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_default_under_recourse_becomes_a_claim_on_the_supplier() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({"recourse": true})).await;
    let id = confirmed_receivable(&app, &scf, "INV-3001", "50000.00", 30).await;
    factor(&app, &scf, &[id]).await;
    // A default is booked on or before the platform's business date, never ahead of it.
    set_date(&app, &in_days(41)).await;
    let early = json!({"business_date": in_days(35)});
    let (status, body) = post_key(
        &app,
        &format!("/v1/receivables/{id}/default"),
        &app.admin(),
        &early,
    )
    .await;
    assert_eq!(status, 422, "in grace: {body}");
    let (status, s) = post_key(
        &app,
        &format!("/v1/receivables/{id}/default"),
        &app.admin(),
        &json!({"business_date": in_days(41)}),
    )
    .await;
    assert_eq!(status, 201, "{s}");
    assert_eq!(s["state"], "defaulted");
    assert_eq!(s["shortfall_treatment"], "recourse_claim");
    assert_ne!(
        balance(&app, &format!("recourse_receivable:{}", scf.supplier)).await,
        "0"
    );
    assert_eq!(balance(&app, "credit_losses").await, "0");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_default_with_a_partial_recovery_without_recourse_loses_only_what_was_not_recovered() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({"recourse": false})).await;
    let id = confirmed_receivable(&app, &scf, "INV-4002", "50000.00", 30).await;
    let request = factor(&app, &scf, &[id]).await;
    let owed: Decimal = ["advance_total", "fees_total"]
        .iter()
        .map(|f| request[*f].as_str().unwrap().parse::<Decimal>().unwrap())
        .sum();
    set_date(&app, &in_days(41)).await;
    let default = |recovered: &str| json!({"business_date": in_days(41), "recovered": recovered});
    let path = format!("/v1/receivables/{id}/default");
    let (status, body) = post_key(&app, &path, &app.admin(), &default("50000.01")).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("recovered"))
    );
    // The insolvent debtor paid 30,000 in the end: the factor loses the rest of what it is owed
    // (advance 40,000 and its fees), not the supplier, and not as dilution.
    let (status, s) = post_key(&app, &path, &app.admin(), &default("30000.00")).await;
    assert_eq!(status, 201, "{s}");
    assert_eq!(s["state"], "defaulted");
    assert_eq!(s["debtor_payment"], "30000.00");
    assert_eq!(s["repaid_to_factor"], "30000.00");
    assert_eq!(s["shortfall_treatment"], "credit_loss");
    assert_eq!(s["dilution"], "0.00", "a default is not dilution: {s}");
    let shortfall: Decimal = s["shortfall"].as_str().unwrap().parse().unwrap();
    assert_eq!(shortfall, owed - Decimal::from(30_000), "{s}");
    let lost: Decimal = balance(&app, "credit_losses").await.parse().unwrap();
    assert_eq!(lost, shortfall);
    assert_eq!(
        balance(&app, &format!("recourse_receivable:{}", scf.supplier)).await,
        "0"
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_default_without_recourse_is_a_credit_loss() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({"recourse": false})).await;
    let id = confirmed_receivable(&app, &scf, "INV-4001", "50000.00", 30).await;
    factor(&app, &scf, &[id]).await;
    set_date(&app, &in_days(41)).await;
    let (status, s) = post_key(
        &app,
        &format!("/v1/receivables/{id}/default"),
        &app.admin(),
        &json!({"business_date": in_days(41)}),
    )
    .await;
    assert_eq!(status, 201, "{s}");
    assert_eq!(s["shortfall_treatment"], "credit_loss");
    assert_ne!(balance(&app, "credit_losses").await, "0");
    assert_eq!(
        balance(&app, &format!("recourse_receivable:{}", scf.supplier)).await,
        "0"
    );
    let (_, program) = app
        .get(
            &format!("/v1/factoring-programs/{}", scf.program),
            &app.admin(),
        )
        .await;
    assert_eq!(
        program["debtor_exposure"], "0.00",
        "exposure released: {program}"
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn an_unconfirmed_or_disputed_receivable_is_not_financed_when_the_program_requires_confirmation(
) {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let (_, r) = app
        .post(
            "/v1/receivables",
            &scf.supplier_token,
            &crate::scf_support::receivable_body(scf.core, "INV-5001", "1000.00", 30),
        )
        .await;
    let id: Uuid = r["id"].as_str().unwrap().parse().unwrap();
    factor_refused(
        &app,
        &scf,
        &[id],
        "receivable_not_eligible",
        "not confirmed",
    )
    .await;
    app.post(
        &format!("/v1/receivables/{id}/dispute"),
        &scf.core_token,
        &json!({}),
    )
    .await;
    factor_refused(&app, &scf, &[id], "receivable_not_eligible", "disputed").await;
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_tenor_beyond_the_program_maximum_or_a_debtor_limit_overshoot_is_refused() {
    let app = TestApp::spawn().await;
    let scf = setup(
        &app,
        json!({"max_tenor_days": 90, "debtor_limit": "100000.00"}),
    )
    .await;
    let long = confirmed_receivable(&app, &scf, "INV-6001", "1000.00", 120).await;
    factor_refused(
        &app,
        &scf,
        &[long],
        "receivable_not_eligible",
        "a tenor of 120 days against the program's 90",
    )
    .await;
    let a = confirmed_receivable(&app, &scf, "INV-6002", "100000.00", 60).await;
    let b = confirmed_receivable(&app, &scf, "INV-6003", "100000.00", 60).await;
    factor(&app, &scf, &[a]).await;
    factor_refused(&app, &scf, &[b], "limit_exceeded", "over the debtor limit").await;
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_request_above_the_engine_limit_is_referred_to_the_review_queue_unfunded() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-BIG", "700000.00", 60).await;
    let request = factor(&app, &scf, &[id]).await;
    assert_eq!(request["state"], "referred", "{request}");
    let (_, r) = app
        .get(&format!("/v1/receivables/{id}"), &scf.supplier_token)
        .await;
    assert_eq!(
        r["state"], "confirmed",
        "nothing is financed while referred"
    );
    let officer = app.token(api::auth::Role::RiskOfficer, "officer-9");
    let (status, reviews) = app.get("/v1/reviews", &officer).await;
    assert_eq!(status, 200, "{reviews}");
    assert!(
        reviews
            .to_string()
            .contains(request["id"].as_str().unwrap()),
        "{reviews}"
    );
    assert_books_sound(&app).await;
}
