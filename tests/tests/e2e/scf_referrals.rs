//! Referred supply-chain finance: a factoring request or a bill discount the engine refers waits
//! in the risk officers' queue with its subject frozen, and the officers' decision funds it (as
//! of the day of approval, checked again) or declines it.

use api::auth::Role;
use diesel::RunQueryDsl;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lending_support::set_date;
use crate::scf_support::{
    assert_books_sound, balance, confirmed_receivable, factor, factor_refused, in_days, pay,
    post_key, program, setup, setup_on, Scf,
};
use lendline_tests::{party_body, TestApp};

/// The review case whose subject is `subject`.
async fn case_of(app: &TestApp, subject: &str) -> Value {
    let officer = app.token(Role::RiskOfficer, "officer-q");
    let (status, queue) = app.get("/v1/reviews?status=pending", &officer).await;
    assert_eq!(status, 200, "{queue}");
    queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject_id"] == subject)
        .unwrap_or_else(|| panic!("no case for {subject} in {queue}"))
        .clone()
}

/// Officer A claims and decides; above the four-eyes amount officer B confirms.
async fn decide(app: &TestApp, case: &Value, decision: &Value) -> (u16, Value) {
    let id = case["id"].as_str().unwrap();
    let a = app.token(Role::RiskOfficer, "officer-a");
    let (status, claimed) = app
        .post(&format!("/v1/reviews/{id}/claim"), &a, &json!({}))
        .await;
    assert!(
        status == 200 || claimed["error"]["code"] == "review_not_pending",
        "{claimed}"
    );
    let (status, decided) = app
        .post(&format!("/v1/reviews/{id}/decision"), &a, decision)
        .await;
    if status != 200 || decided["status"] != "awaiting_confirmation" {
        return (status, decided);
    }
    let b = app.token(Role::RiskOfficer, "officer-b");
    app.post(&format!("/v1/reviews/{id}/confirm"), &b, &json!({}))
        .await
}

/// Decides `case` and checks where it ended.
async fn decide_to(app: &TestApp, case: &Value, decision: Value, status: &str) {
    let (code, body) = decide(app, case, &decision).await;
    assert_eq!(
        (code, body["status"].as_str()),
        (200, Some(status)),
        "{body}"
    );
}

/// The one pending bill discount case.
async fn bill_case(app: &TestApp) -> Value {
    let (_, queue) = app
        .get(
            "/v1/reviews?status=pending&product=bill_discount",
            &app.admin(),
        )
        .await;
    assert_eq!(
        queue["items"][0]["subject_kind"], "bill_discount",
        "{queue}"
    );
    queue["items"][0].clone()
}

async fn referred_invoice(
    app: &TestApp,
    scf: &Scf,
    number: &str,
    due_in_days: i64,
) -> (Uuid, Value) {
    let id = confirmed_receivable(app, scf, number, "700000.00", due_in_days).await;
    let request = factor(app, scf, &[id]).await;
    assert_eq!(request["state"], "referred", "{request}");
    (id, request)
}

async fn events(app: &TestApp, entity: &str) -> String {
    let (status, body) = app
        .get(&format!("/v1/audit/events?entity={entity}"), &app.admin())
        .await;
    assert_eq!(status, 200, "{body}");
    body.to_string()
}

/// A program whose debtor has small sales, so the engine refers requests the supplier's
/// limit still allows.
async fn small_debtor(app: &TestApp, program: Value) -> Scf {
    let mut body = party_body("core_enterprise");
    for month in body["monthly_sales"].as_array_mut().unwrap() {
        month["amount"] = json!("20000.00");
    }
    let (status, party) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201, "{party}");
    let core: Uuid = party["id"].as_str().unwrap().parse().unwrap();
    setup_on(app, core, program).await
}

#[tokio::test]
async fn a_referred_invoice_waits_alone_and_is_funded_when_two_officers_approve() {
    let app = TestApp::spawn().await;
    let scf = small_debtor(&app, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-REF-1", "125000.00", 60).await;
    let request = factor(&app, &scf, &[id]).await;
    assert_eq!(request["state"], "referred", "{request}");
    let request_id = request["id"].as_str().unwrap();
    assert_eq!(request["receivable_ids"], json!([id]), "{request}");
    factor_refused(
        &app,
        &scf,
        &[id],
        "receivable_not_eligible",
        "a receivable waits in one review at a time",
    )
    .await;
    let case = case_of(&app, request_id).await;
    let (status, priced) = decide(
        &app,
        &case,
        &json!({"decision": "approve", "approved_amount": "100000"}),
    )
    .await;
    assert_eq!(
        (status, priced["error"]["field"].as_str()),
        (422, Some("approved_amount")),
        "the program prices factoring: {priced}"
    );
    decide_to(&app, &case, json!({"decision": "approve"}), "approved").await;
    let (_, funded) = app
        .get(
            &format!("/v1/factoring-requests/{request_id}"),
            &scf.supplier_token,
        )
        .await;
    assert_eq!(funded["state"], "funded", "{funded}");
    assert_eq!(
        funded["decision"]["decision_ids"].as_array().map(Vec::len),
        Some(2),
        "the supplier's and the debtor's decisions, by id: {funded}"
    );
    assert!(
        !funded["decision"].to_string().contains("score"),
        "the debtor's scoring is not the supplier's to read: {funded}"
    );
    assert_eq!(
        funded["decision"]["review"]["outcome"], "approve",
        "{funded}"
    );
    assert_eq!(funded["advance_total"], "100000.00", "{funded}");
    let (_, r) = app
        .get(&format!("/v1/receivables/{id}"), &scf.supplier_token)
        .await;
    assert_eq!(r["state"], "financed", "{r}");
    assert_eq!(
        balance(&app, &format!("factored_receivables:{request_id}")).await,
        "125000"
    );
    assert!(events(&app, &format!("factoring:{request_id}"))
        .await
        .contains("factoring.funded_on_review"));
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_referral_that_never_recorded_its_receivables_can_only_be_declined() {
    let app = TestApp::spawn().await;
    let scf = small_debtor(&app, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-REF-4", "125000.00", 60).await;
    let request = factor(&app, &scf, &[id]).await;
    let request_id = request["id"].as_str().unwrap();
    // As a request referred before requests kept their receivables would be.
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    diesel::sql_query("DELETE FROM factoring_request_receivables WHERE request_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(request_id.parse::<Uuid>().unwrap())
        .execute(&mut conn)
        .unwrap();
    let case = case_of(&app, request_id).await;
    let (status, refused) = decide(&app, &case, &json!({"decision": "approve"})).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("nothing_to_fund")),
        "{refused}"
    );
    decide_to(
        &app,
        &case,
        json!({"decision": "decline", "reason_code": "legacy"}),
        "declined",
    )
    .await;
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_referred_pool_is_opened_on_approval_with_its_base_and_exposure_at_that_days_terms() {
    let app = TestApp::spawn().await;
    let scf = small_debtor(&app, json!({"concentration_limit": "1.00"})).await;
    let ids = vec![
        confirmed_receivable(&app, &scf, "POOL-R-1", "60000.00", 60).await,
        confirmed_receivable(&app, &scf, "POOL-R-2", "60000.00", 60).await,
    ];
    let pool = factor(&app, &scf, &ids).await;
    assert_eq!(
        (&pool["kind"], &pool["state"]),
        (&json!("pool"), &json!("referred")),
        "{pool}"
    );
    let pool_id = pool["id"].as_str().unwrap();
    let case = case_of(&app, pool_id).await;
    decide_to(&app, &case, json!({"decision": "approve"}), "approved").await;
    let (_, opened) = app
        .get(&format!("/v1/pools/{pool_id}"), &scf.supplier_token)
        .await;
    assert_eq!(opened["state"], "funded", "{opened}");
    assert_eq!(
        opened["borrowing_base"], "96000.00",
        "120,000 at 80 %: {opened}"
    );
    let exposure = |p: Value| p["debtor_exposure"].as_str().unwrap().to_string();
    let program = format!("/v1/factoring-programs/{}", scf.program);
    assert_eq!(
        exposure(app.get(&program, &app.admin()).await.1),
        "96000.00"
    );
    // One paid: its 48,000 comes back, exactly what it took.
    pay(&app, ids[0], "60000.00").await;
    assert_eq!(
        exposure(app.get(&program, &app.admin()).await.1),
        "48000.00"
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_declined_referral_frees_its_receivable_and_funds_nothing() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let (id, request) = referred_invoice(&app, &scf, "INV-REF-2", 60).await;
    let request_id = request["id"].as_str().unwrap();
    let case = case_of(&app, request_id).await;
    decide_to(
        &app,
        &case,
        json!({"decision": "decline", "reason_code": "debtor_concentration"}),
        "declined",
    )
    .await;
    let (_, closed) = app
        .get(
            &format!("/v1/factoring-requests/{request_id}"),
            &scf.supplier_token,
        )
        .await;
    assert_eq!(closed["state"], "declined", "{closed}");
    assert_eq!(
        closed["decision"]["review"]["reason_code"],
        "debtor_concentration"
    );
    assert_eq!(
        balance(&app, &format!("factored_receivables:{request_id}")).await,
        "0"
    );
    let retry = factor(&app, &scf, &[id]).await;
    assert_eq!(
        retry["state"], "referred",
        "free for a new request: {retry}"
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn an_approval_is_refused_once_the_receivable_fell_due_and_the_case_stays_open() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let (id, request) = referred_invoice(&app, &scf, "INV-REF-3", 5).await;
    let request_id = request["id"].as_str().unwrap();
    let case = case_of(&app, request_id).await;
    set_date(&app, &in_days(6)).await;
    let (status, refused) = decide(&app, &case, &json!({"decision": "approve"})).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("receivable_not_eligible")),
        "{refused}"
    );
    let (_, still) = app
        .get(
            &format!("/v1/reviews/{}", case["id"].as_str().unwrap()),
            &app.admin(),
        )
        .await;
    assert_eq!(
        still["status"], "awaiting_confirmation",
        "the refused confirmation changed nothing: {still}"
    );
    let (_, r) = app
        .get(&format!("/v1/receivables/{id}"), &scf.supplier_token)
        .await;
    assert_eq!(r["state"], "confirmed", "{r}");
    // The second officer vetoes the approval that can no longer be carried out.
    let (status, declined) = app
        .post(
            &format!("/v1/reviews/{}/decision", case["id"].as_str().unwrap()),
            &app.token(Role::RiskOfficer, "officer-b"),
            &json!({"decision": "decline", "reason_code": "past_due"}),
        )
        .await;
    assert_eq!(
        (status, declined["status"].as_str()),
        (200, Some("declined")),
        "{declined}"
    );
    assert_books_sound(&app).await;
}

/// A large accepted bill held by its payee, who asks to discount it: the engine refers.
async fn referred_bill(app: &TestApp) -> (String, String, Uuid) {
    let (core, core_token, _) = program(app, json!({})).await;
    let drawer = app.create_party("supplier").await;
    let payee = app.create_party("supplier").await;
    let payee_token = app.token(Role::Supplier, &payee.to_string());
    let body = json!({"bill_number": format!("CA-REF-{}", Uuid::new_v4().simple()),
        "acceptor_id": core, "payee_id": payee, "face_value": "900000.00", "currency": "CNY",
        "issue_date": in_days(-1), "maturity_date": in_days(90), "medium": "electronic"});
    let (status, bill) = app
        .post(
            "/v1/bills",
            &app.token(Role::Supplier, &drawer.to_string()),
            &body,
        )
        .await;
    assert_eq!(status, 201, "{bill}");
    let id = bill["id"].as_str().unwrap().to_string();
    let (status, b) = app
        .post(&format!("/v1/bills/{id}/accept"), &core_token, &json!({}))
        .await;
    assert_eq!(status, 200, "{b}");
    let (status, d) = post_key(
        app,
        &format!("/v1/bills/{id}/discount"),
        &payee_token,
        &json!({}),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["decision"]["outcome"], "refer", "{d}");
    assert_eq!(d["state"], "accepted", "{d}");
    (id, payee_token, drawer)
}

#[tokio::test]
async fn a_referred_bill_is_frozen_with_its_holder_until_approved_then_bought() {
    let app = TestApp::spawn().await;
    let (id, holder, drawer) = referred_bill(&app).await;
    let (status, e) = app
        .post(
            &format!("/v1/bills/{id}/endorsements"),
            &holder,
            &json!({"to_party_id": drawer}),
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("discount_under_review")),
        "{e}"
    );
    let (status, d) = post_key(
        &app,
        &format!("/v1/bills/{id}/discount"),
        &holder,
        &json!({}),
    )
    .await;
    assert_eq!(
        (status, d["error"]["code"].as_str()),
        (409, Some("discount_under_review")),
        "{d}"
    );
    let case = bill_case(&app).await;
    decide_to(&app, &case, json!({"decision": "approve"}), "approved").await;
    let (_, bill) = app.get(&format!("/v1/bills/{id}"), &holder).await;
    assert_eq!(bill["state"], "discounted", "{bill}");
    assert!(bill["holder_id"].is_null(), "{bill}");
    assert_eq!(bill["decision"]["review"]["outcome"], "approve", "{bill}");
    assert_eq!(
        balance(&app, &format!("bills_discounted:{id}")).await,
        "900000"
    );
    assert!(events(&app, &format!("bill:{id}"))
        .await
        .contains("bill.discount_approved_on_review"));
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_declined_bill_discount_returns_the_bill_to_its_holder() {
    let app = TestApp::spawn().await;
    let (id, holder, drawer) = referred_bill(&app).await;
    let case = bill_case(&app).await;
    decide_to(
        &app,
        &case,
        json!({"decision": "decline", "reason_code": "acceptor_risk"}),
        "declined",
    )
    .await;
    let (status, e) = app
        .post(
            &format!("/v1/bills/{id}/endorsements"),
            &holder,
            &json!({"to_party_id": drawer}),
        )
        .await;
    assert_eq!(status, 201, "the holder may pass it on again: {e}");
    assert_eq!(e["decision"]["review"]["outcome"], "decline", "{e}");
    assert!(
        e["decision"]["review"]["reason_code"].is_null() && e["decision"]["decisions"].is_null(),
        "everyone on the bill reads it: no reasons, no scoring of the acceptor: {e}"
    );
    assert_eq!(balance(&app, &format!("bills_discounted:{id}")).await, "0");
    assert_books_sound(&app).await;
}
