//! Issue 12, §1: identifiers that cannot be disguised. Every registry key (invoice, bill,
//! warehouse receipt, purchase order, payment reference) is compared by its canonical key, the
//! same invoice from a second supplier is the same paper, and the registry fingerprint can be
//! computed outside and looked up in either case.

use api::auth::Role;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::lending_support::{approved_line, draw, merchant_with_sales, post_keyed, set_date};
use crate::scf_support::{in_days, member, program, receivable_body, setup, setup_on};
use lendline_tests::TestApp;

/// Disguises of `INV-2026-0001` a clerk cannot tell from it.
const DISGUISED_INVOICES: [&str; 6] = [
    "INV\u{200B}-2026-0001",
    "IN\u{00AD}V-2026-0001",
    "INV-2026\u{2060}-0001",
    "\u{FEFF}\u{0406}NV-2026-0001",
    "ＩＮＶ－２０２６－０００１",
    "inv 2026 000001",
];

#[tokio::test]
async fn a_disguised_invoice_number_is_refused_as_already_registered() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let first = receivable_body(scf.core, "INV-2026-0001", "1000.00", 30);
    let (status, body) = app
        .post("/v1/receivables", &scf.supplier_token, &first)
        .await;
    assert_eq!(status, 201, "{body}");
    for number in DISGUISED_INVOICES {
        let mut again = first.clone();
        again["invoice_number"] = json!(number);
        let (status, body) = app
            .post("/v1/receivables", &scf.supplier_token, &again)
            .await;
        assert_eq!(status, 409, "{number:?}: {body}");
        assert_eq!(body["error"]["code"], "already_registered", "{number:?}");
    }
    // Leading zeros inside a later group: `hx-2027-451` is `HX-2027-000451`.
    let hx = receivable_body(scf.core, "HX-2027-000451", "2000.00", 30);
    let (status, _) = app.post("/v1/receivables", &scf.supplier_token, &hx).await;
    assert_eq!(status, 201);
    let mut again = hx.clone();
    again["invoice_number"] = json!("hx-2027-451");
    let (status, body) = app
        .post("/v1/receivables", &scf.supplier_token, &again)
        .await;
    assert_eq!(status, 409, "{body}");
    // A really different number is still accepted: digit groups keep their boundary.
    again["invoice_number"] = json!("HX-20274-51");
    let (status, body) = app
        .post("/v1/receivables", &scf.supplier_token, &again)
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn the_same_invoice_from_a_second_supplier_gets_the_same_409_as_from_the_first() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let (_, second_token) = member(&app, scf.program).await;
    let invoice = receivable_body(scf.core, "INV-77", "5000.00", 30);
    let (status, _) = app
        .post("/v1/receivables", &scf.supplier_token, &invoice)
        .await;
    assert_eq!(status, 201);
    let (same_status, same_seller) = app
        .post("/v1/receivables", &scf.supplier_token, &invoice)
        .await;
    let mut disguised = invoice.clone();
    disguised["invoice_number"] = json!("inv\u{200B}-077");
    let (other_status, other_seller) = app.post("/v1/receivables", &second_token, &disguised).await;
    assert_eq!(same_status, 409, "{same_seller}");
    assert_eq!(other_status, 409, "{other_seller}");
    assert_eq!(
        other_seller, same_seller,
        "the answer reveals nothing about who holds it"
    );
}

fn bill(number: &str, acceptor: Uuid, payee: Uuid, face: &str) -> Value {
    json!({"bill_number": number, "acceptor_id": acceptor, "payee_id": payee,
        "face_value": face, "currency": "CNY", "issue_date": in_days(-1),
        "maturity_date": in_days(90), "medium": "electronic"})
}

#[tokio::test]
async fn a_bill_is_one_per_acceptor_and_number_whoever_draws_it() {
    let app = TestApp::spawn().await;
    let (core, _, _) = program(&app, json!({})).await;
    let (other_core, _, _) = program(&app, json!({})).await;
    let payee = app.create_party("supplier").await;
    let drawer = app.create_party("supplier").await;
    let second_drawer = app.create_party("supplier").await;
    let token = |p: Uuid| app.token(Role::Supplier, &p.to_string());
    let (status, body) = app
        .post(
            "/v1/bills",
            &token(drawer),
            &bill("CA-2026-0001", core, payee, "80000.00"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // Another drawer, another face value, a Cyrillic А and a zero-width space: the same bill.
    let (status, body) = app
        .post(
            "/v1/bills",
            &token(second_drawer),
            &bill("C\u{0410}-2026\u{200B}-1", core, payee, "90000.00"),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "already_registered");
    // The same number accepted by another core enterprise is another bill.
    let (status, body) = app
        .post(
            "/v1/bills",
            &token(second_drawer),
            &bill("CA-2026-0001", other_core, payee, "80000.00"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

fn goods(receipt: &str) -> Value {
    json!({"warehouse": "Cainiao Hangzhou 3", "receipt_number": receipt, "sku": "SKU-1",
        "category": "electronics", "quantity": 10, "currency": "CNY", "unit_value": "50.00"})
}

#[tokio::test]
async fn a_disguised_warehouse_receipt_cannot_be_pledged_twice() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, merchant) = merchant_with_sales(&app, "200000.00").await;
    let (_, other) = merchant_with_sales(&app, "200000.00").await;
    let (status, body) = app
        .post("/v1/collateral", &merchant, &goods("WR-2026-0001"))
        .await;
    assert_eq!(status, 201, "{body}");
    for (token, receipt) in [
        (&merchant, "wr\u{200B}-2026-000001"),
        (&other, "W\u{00AD}R-2026-1"),
        (&other, "ＷＲ２０２６－１"),
    ] {
        let (status, body) = app.post("/v1/collateral", token, &goods(receipt)).await;
        assert_eq!(status, 409, "{receipt:?}: {body}");
        assert_eq!(body["error"]["code"], "receipt_already_pledged");
    }
}

#[tokio::test]
async fn purchase_order_numbers_are_compared_by_their_canonical_key() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (merchant_id, _) = merchant_with_sales(&app, "200000.00").await;
    let buyer_id = app.create_party("core_enterprise").await;
    let buyer = app.token(Role::CoreEnterprise, &buyer_id.to_string());
    let order = |number: &str| {
        json!({"merchant_id": merchant_id, "order_number": number, "kind": "purchase_order",
            "currency": "CNY", "order_value": "50000.00", "expected_settlement_on": "2026-10-31"})
    };
    let (status, body) = app.post("/v1/orders", &buyer, &order("PO-2027-0002")).await;
    assert_eq!(status, 201, "{body}");
    for number in ["po 2027 0002", "P\u{041E}-2027-2", "PO\u{200B}-2027-0002"] {
        let (status, body) = app.post("/v1/orders", &buyer, &order(number)).await;
        assert_eq!(status, 409, "{number:?}: {body}");
        assert_eq!(body["error"]["field"], "order_number", "{body}");
    }
}

#[tokio::test]
async fn a_disguised_payment_reference_cannot_book_a_payment_twice() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 30, "bullet").await;
    let path = format!("/v1/loans/{}/repayments", loan["id"].as_str().unwrap());
    let pay = |reference: &str| json!({"amount": "100.00", "external_reference": reference});
    let (status, body) = post_keyed(&app, &path, &token, "k-1", &pay("WIRE-2026-0001")).await;
    assert_eq!(status, 201, "{body}");
    for (key, reference) in [("k-2", "wire 2026 1"), ("k-3", "WIRE\u{2060}-2026-0001")] {
        let (status, body) = post_keyed(&app, &path, &token, key, &pay(reference)).await;
        assert_eq!(status, 409, "{reference:?}: {body}");
        assert_eq!(body["error"]["field"], "external_reference", "{body}");
    }
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn an_outside_bank_computes_the_fingerprint_and_looks_it_up_in_either_case() {
    let app = TestApp::spawn().await;
    let mut core = lendline_tests::party_body("core_enterprise");
    core["registration_number"] = json!("91110000100000000X");
    let (status, core) = app.post("/v1/parties", &app.admin(), &core).await;
    assert_eq!(status, 201, "{core}");
    let scf = setup_on(
        &app,
        core["id"].as_str().unwrap().parse().unwrap(),
        json!({}),
    )
    .await;
    let body = receivable_body(scf.core, "INV-2026-000123", "100000.00", 30);
    let (status, receivable) = app
        .post("/v1/receivables", &scf.supplier_token, &body)
        .await;
    assert_eq!(status, 201, "{receivable}");
    // The README recipe for ASCII numbers: upper-case, `I` → `l` (its TR39 skeleton), leading
    // zeros stripped per digit group, `-` only between two digit groups.
    let text = format!(
        "lendline-registry-v2\nreceivable\n91110000100000000X\nlNV2026-123\n100000\nCNY\n{}",
        body["issue_date"].as_str().unwrap()
    );
    let print = sha256_hex(&text);
    assert_eq!(receivable["fingerprint"], print.as_str());
    // An outside bank: a financier token, which may call the registry check and nothing else.
    let outsider = app.token(Role::Financier, "bank-x");
    for asked in [print.clone(), print.to_uppercase()] {
        let (status, body) = app.get(&format!("/v1/registry/{asked}"), &outsider).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"registered": true, "encumbered": false}));
    }
}

#[tokio::test]
async fn a_disguised_checkout_order_reference_cannot_open_a_second_plan() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, merchant) = merchant_with_sales(&app, "200000.00").await;
    let (shopper, _) = crate::installments::shopper(&app).await;
    let offer = json!({"currency": "CNY", "installments": 3, "payer": "merchant",
        "min_purchase": "100.00", "max_purchase": "50000.00"});
    let (status, offer) = app.post("/v1/installment-offers", &merchant, &offer).await;
    assert_eq!(status, 201, "{offer}");
    let checkout = |reference: &str| {
        json!({"shopper_id": shopper, "offer_id": offer["id"], "purchase_amount": "600.00",
            "order_reference": reference})
    };
    let path = "/v1/installment-plans";
    let (status, body) = post_keyed(&app, path, &merchant, "k-1", &checkout("ORD-2026-0001")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["outcome"], "approved", "{body}");
    let (status, body) = post_keyed(
        &app,
        path,
        &merchant,
        "k-2",
        &checkout("ord\u{200B} 2026 1"),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["field"], "order_reference", "{body}");
}
