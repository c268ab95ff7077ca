//! Shared set-up for the supply-chain finance scenarios: a core enterprise with a program, an
//! approved supplier, receivables, and the books checks every scenario ends with.

use api::auth::Role;
use std::sync::OnceLock;

use chrono::{Duration, NaiveDate, Utc};
use lendline_tests::TestApp;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

/// The trial balance is zero, kept balances equal their postings and the audit chains verify.
pub use crate::lending_support::assert_books_sound;
use crate::lending_support::set_date;

pub struct Scf {
    pub core: Uuid,
    pub core_token: String,
    pub supplier: Uuid,
    pub supplier_token: String,
    pub program: Uuid,
}

/// The business date every scenario runs on: the wall clock's date read once per test
/// process, then set on the server explicitly by [`program_of`] (every scenario starts with a
/// program), so that the dates the tests write and the server's calendar never disagree, even
/// across midnight.
pub fn today() -> NaiveDate {
    static TODAY: OnceLock<NaiveDate> = OnceLock::new();
    *TODAY.get_or_init(|| Utc::now().date_naive())
}

pub fn in_days(days: i64) -> String {
    (today() + Duration::days(days)).to_string()
}

pub async fn post_key(app: &TestApp, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", Uuid::new_v4().to_string())
        .json(body)
        .send()
        .await
        .unwrap();
    lendline_tests::read(res).await
}

/// A program on a fresh core enterprise, with `program` fields overriding the defaults.
pub async fn program(app: &TestApp, overrides: Value) -> (Uuid, String, Uuid) {
    let core = app.create_party("core_enterprise").await;
    let (token, id) = program_of(app, core, overrides).await;
    (core, token, id)
}

/// A program on the core enterprise `core`; answers its token and the program id.
pub async fn program_of(app: &TestApp, core: Uuid, overrides: Value) -> (String, Uuid) {
    set_date(app, &today().to_string()).await;
    let mut body = json!({
        "core_enterprise_id": core, "currency": "CNY", "advance_rate": "0.80",
        "discount_rate_annual": "0.06", "service_fee_rate": "0.005", "recourse": true,
        "max_tenor_days": 180, "grace_days": 10, "debtor_limit": "5000000.00",
        "supplier_limit": "1000000.00", "concentration_limit": "0.25",
        "confirmation_required": true
    });
    for (k, v) in overrides.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, created) = app
        .post("/v1/factoring-programs", &app.admin(), &body)
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().parse().unwrap();
    (app.token(Role::CoreEnterprise, &core.to_string()), id)
}

/// A supplier admitted to `program` with a limit from the scoring engine.
pub async fn member(app: &TestApp, program: Uuid) -> (Uuid, String) {
    let supplier = app.create_party("supplier").await;
    let token = app.token(Role::Supplier, &supplier.to_string());
    join(app, program, supplier, &token).await;
    (supplier, token)
}

/// `supplier` joins `program` and a risk officer admits it.
pub async fn join(app: &TestApp, program: Uuid, supplier: Uuid, token: &str) {
    let (status, body) = app
        .post(
            &format!("/v1/factoring-programs/{program}/suppliers"),
            token,
            &json!({}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .post(
            &format!("/v1/factoring-programs/{program}/suppliers/{supplier}/approve"),
            &app.token(Role::RiskOfficer, "officer-7"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "approved", "{body}");
}

pub async fn setup(app: &TestApp, overrides: Value) -> Scf {
    let core = app.create_party("core_enterprise").await;
    setup_on(app, core, overrides).await
}

/// A program on the core enterprise `core` with one approved supplier.
pub async fn setup_on(app: &TestApp, core: Uuid, overrides: Value) -> Scf {
    let (core_token, program) = program_of(app, core, overrides).await;
    let (supplier, supplier_token) = member(app, program).await;
    Scf {
        core,
        core_token,
        supplier,
        supplier_token,
        program,
    }
}

pub fn receivable_body(debtor: Uuid, number: &str, amount: &str, due_in_days: i64) -> Value {
    json!({"debtor_id": debtor, "invoice_number": number, "issue_date": in_days(-5),
        "due_date": in_days(due_in_days), "amount": amount, "currency": "CNY"})
}

/// Submits and (by the debtor) confirms a receivable.
pub async fn confirmed_receivable(
    app: &TestApp,
    scf: &Scf,
    number: &str,
    amount: &str,
    due_in_days: i64,
) -> Uuid {
    let (status, body) = app
        .post(
            "/v1/receivables",
            &scf.supplier_token,
            &receivable_body(scf.core, number, amount, due_in_days),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id: Uuid = body["id"].as_str().unwrap().parse().unwrap();
    let (status, body) = app
        .post(
            &format!("/v1/receivables/{id}/confirm"),
            &scf.core_token,
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    id
}

pub async fn factor(app: &TestApp, scf: &Scf, ids: &[Uuid]) -> Value {
    let (status, body) = request_factoring(app, &scf.supplier_token, ids).await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Asks, as `token`, to factor the receivables `ids` (one invoice, or a pool): the answer.
pub async fn request_factoring(app: &TestApp, token: &str, ids: &[Uuid]) -> (u16, Value) {
    post_key(
        app,
        "/v1/factoring-requests",
        token,
        &json!({"receivable_ids": ids}),
    )
    .await
}

/// Asks, as the program's supplier, to factor `ids`, which must be refused 422 with `code`
/// (`why` says why, for the failure message).
pub async fn factor_refused(app: &TestApp, scf: &Scf, ids: &[Uuid], code: &str, why: &str) {
    let (status, body) = request_factoring(app, &scf.supplier_token, ids).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some(code)),
        "{why}: {body}"
    );
}

/// An account's balance (debits positive), or "0" when it has none.
pub async fn balance(app: &TestApp, account: &str) -> String {
    let (status, body) = app
        .get(&format!("/v1/ledger/accounts/{account}"), &app.admin())
        .await;
    assert_eq!(status, 200, "{body}");
    // Compared as numbers written plainly ("11300"): the API shows cents ("11300.00").
    body["balances"][0]["balance"]
        .as_str()
        .map_or(Decimal::ZERO, |b| b.parse().unwrap())
        .normalize()
        .to_string()
}

/// The debtor's payment of a financed receivable, recorded by staff; answers the settlement.
pub async fn pay(app: &TestApp, id: Uuid, amount: &str) -> Value {
    let (status, s) = post_key(
        app,
        &format!("/v1/receivables/{id}/payments"),
        &app.admin(),
        &json!({"amount": amount}),
    )
    .await;
    assert_eq!(status, 201, "{s}");
    s
}
