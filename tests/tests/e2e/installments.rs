//! Installment plans at checkout end to end: fee plans and merchant-subsidised plans paid on
//! time, settled early, refunded in part, missed and aged; access between shoppers and
//! between merchants.

use api::auth::Role;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lending_support::*;
use lendline_tests::{party_body, TestApp};

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A shopper with a declared monthly income, and its token.
pub async fn shopper(app: &TestApp) -> (Uuid, String) {
    let mut body = party_body("shopper");
    body["sector"] = json!("grocery");
    for month in body["monthly_sales"].as_array_mut().unwrap() {
        month["amount"] = json!("200000.00");
    }
    let (status, party) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201, "{party}");
    let id: Uuid = party["id"].as_str().unwrap().parse().unwrap();
    (id, app.token(Role::Shopper, &id.to_string()))
}

pub async fn offer(app: &TestApp, merchant: &str, periods: i32, fee: Option<&str>) -> String {
    let mut body = json!({"currency": "CNY", "installments": periods,
        "min_purchase": "100.00", "max_purchase": "50000.00"});
    match fee {
        Some(rate) => {
            body["payer"] = json!("shopper");
            body["fee_rate_per_period"] = json!(rate);
        }
        None => body["payer"] = json!("merchant"),
    }
    let (status, offer) = app.post("/v1/installment-offers", merchant, &body).await;
    assert_eq!(status, 201, "{offer}");
    offer["id"].as_str().unwrap().to_string()
}

async fn checkout(
    app: &TestApp,
    merchant: &str,
    shopper: Uuid,
    offer: &str,
    amount: &str,
) -> Value {
    let body = json!({"shopper_id": shopper, "offer_id": offer, "purchase_amount": amount,
        "order_reference": format!("ORD-{}", Uuid::new_v4().simple())});
    let (status, res) = post_keyed(
        app,
        "/v1/installment-plans",
        merchant,
        &Uuid::new_v4().to_string(),
        &body,
    )
    .await;
    assert_eq!(status, 201, "{res}");
    assert_eq!(res["outcome"], "approved", "{res}");
    res["plan"].clone()
}

async fn refund(app: &TestApp, merchant: &str, plan: &str, amount: &str) -> (u16, Value) {
    let body =
        json!({"amount": amount, "external_reference": format!("RF-{}", Uuid::new_v4().simple())});
    let path = format!("/v1/installment-plans/{plan}/refunds");
    post_keyed(app, &path, merchant, &Uuid::new_v4().to_string(), &body).await
}

async fn balance(app: &TestApp, account: &str) -> Decimal {
    let (_, view) = app
        .get(&format!("/v1/ledger/accounts/{account}"), &app.admin())
        .await;
    view["balances"][0]["balance"]
        .as_str()
        .map_or(Decimal::ZERO, |b| b.parse().unwrap())
}

#[tokio::test]
async fn a_three_period_fee_plan_paid_on_time_charges_each_fee_once_and_closes() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, merchant) = merchant_with_sales(&app, "200000.00").await;
    let (shopper_id, shopper) = shopper(&app).await;
    let offer = offer(&app, &merchant, 3, Some("0.01")).await;
    let plan = checkout(&app, &merchant, shopper_id, &offer, "1000.00").await;
    let id = plan["id"].as_str().unwrap().to_string();
    assert_eq!(plan["merchant_settlement"], "1000.00");
    assert!(
        plan.get("loan").is_none(),
        "merchant sees no balances: {plan}"
    );
    let schedule = plan["schedule"].as_array().unwrap().clone();
    let principal: Vec<Decimal> = schedule.iter().map(|i| dec(&i["principal"])).collect();
    assert_eq!(principal, vec![d("333.33"), d("333.33"), d("333.34")]);
    assert!(schedule.iter().all(|i| i["fee"] == "10.00"), "{plan}");
    for installment in &schedule {
        let due = installment["due_date"].as_str().unwrap();
        set_date(&app, due).await;
        let quote = payoff(&app, &shopper, &id, due).await;
        assert_eq!(quote["due_now"], installment["total"], "{quote}");
        let (status, paid) = repay(&app, &shopper, &id, quote["due_now"].as_str().unwrap()).await;
        assert_eq!(status, 201, "{paid}");
        assert_eq!(paid["applied_to_fees"], "10.00");
        eod(&app, due).await;
    }
    let (_, view) = app.get(&format!("/v1/loans/{id}"), &shopper).await;
    assert_eq!(view["status"], "closed", "{view}");
    assert_eq!(view["product"], "installment");
    assert_eq!(balance(&app, "fee_income").await, d("-30"));
    assert_eq!(ledger_principal(&app, &id).await, "0.00");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_twelve_period_subsidised_plan_settles_the_merchant_net_and_can_be_settled_early() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, merchant) = merchant_with_sales(&app, "200000.00").await;
    let (shopper_id, shopper) = shopper(&app).await;
    let offer = offer(&app, &merchant, 12, None).await;
    let plan = checkout(&app, &merchant, shopper_id, &offer, "12000.00").await;
    let id = plan["id"].as_str().unwrap().to_string();
    let subsidy = dec(&plan["merchant_subsidy"]);
    assert!(subsidy > Decimal::ZERO, "{plan}");
    assert_eq!(dec(&plan["merchant_settlement"]) + subsidy, d("12000"));
    let schedule = plan["schedule"].as_array().unwrap();
    assert_eq!(schedule.len(), 12);
    assert!(schedule
        .iter()
        .all(|i| i["fee"] == "0.00" && i["interest"] == "0.00"));
    assert_eq!(balance(&app, "merchant_subsidy_income").await, -subsidy);
    // Two installments on time, then everything on a day between installments.
    for installment in &schedule[..2] {
        let due = installment["due_date"].as_str().unwrap();
        set_date(&app, due).await;
        let (status, paid) =
            repay(&app, &shopper, &id, installment["total"].as_str().unwrap()).await;
        assert_eq!(status, 201, "{paid}");
        eod(&app, due).await;
    }
    set_date(&app, "2026-11-15").await;
    let quote = payoff(&app, &shopper, &id, "2026-11-15").await;
    assert_eq!(quote["fees"], "0.00");
    assert_eq!(quote["interest"], "0.00");
    assert_eq!(quote["total"], "10000.00", "{quote}");
    let (status, paid) = repay(&app, &shopper, &id, "10000.00").await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["loan"]["status"], "closed");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_partial_refund_cuts_the_last_installments_and_claws_back_the_settlement() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, merchant) = merchant_with_sales(&app, "200000.00").await;
    let (shopper_id, shopper) = shopper(&app).await;
    let offer = offer(&app, &merchant, 3, Some("0.01")).await;
    let plan = checkout(&app, &merchant, shopper_id, &offer, "1200.00").await;
    let id = plan["id"].as_str().unwrap().to_string();
    set_date(&app, "2026-10-01").await;
    let (status, _) = repay(&app, &shopper, &id, "412.00").await;
    assert_eq!(status, 201);
    let (status, refunded) = refund(&app, &merchant, &id, "500.00").await;
    assert_eq!(status, 201, "{refunded}");
    assert_eq!(refunded["principal_cut"], "500.00");
    assert_eq!(refunded["claw_back"], "500.00");
    let schedule = refunded["plan"]["schedule"].as_array().unwrap();
    let parts: Vec<(Decimal, Decimal)> = schedule
        .iter()
        .map(|i| (dec(&i["principal"]), dec(&i["fee"])))
        .collect();
    assert_eq!(
        parts,
        vec![(d("400"), d("12")), (d("300"), d("7")), (d("0"), d("0"))]
    );
    let (status, err) = refund(&app, &merchant, &id, "700.01").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("refund_exceeds_settled"))
    );
    let quote = payoff(&app, &shopper, &id, "2026-10-01").await;
    assert_eq!(quote["total"], "300.00", "{quote}");
    // Refunding the rest pays the shopper back what it paid beyond the new price.
    let (status, rest) = refund(&app, &merchant, &id, "700.00").await;
    assert_eq!(status, 201, "{rest}");
    assert_eq!(rest["to_shopper"], "400.00");
    assert_eq!(rest["plan"]["status"], "closed");
    assert_eq!(rest["plan"]["clawed_back"], "1200.00");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_missed_installment_is_aged_by_end_of_day_and_reminded() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, merchant) = merchant_with_sales(&app, "200000.00").await;
    let (shopper_id, shopper) = shopper(&app).await;
    let offer = offer(&app, &merchant, 6, Some("0.005")).await;
    let plan = checkout(&app, &merchant, shopper_id, &offer, "6000.00").await;
    let id = plan["id"].as_str().unwrap().to_string();
    for day in [
        "2026-09-30",
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
        "2026-10-04",
    ] {
        set_date(&app, day).await;
        eod(&app, day).await;
    }
    let (_, view) = app.get(&format!("/v1/loans/{id}"), &shopper).await;
    assert_eq!(view["days_past_due"], 4, "{view}");
    assert_eq!(view["bucket"], "1-30");
    assert_eq!(view["fees_outstanding"], "30.00");
    assert!(dec(&view["penalty_outstanding"]) > Decimal::ZERO, "{view}");
    // End of day for 10-04 closed it and opened 10-05: the shopper pays on the open day.
    let quote = payoff(&app, &shopper, &id, "2026-10-05").await;
    let (status, paid) = repay(&app, &shopper, &id, quote["due_now"].as_str().unwrap()).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["loan"]["days_past_due"], 0, "{paid}");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn shoppers_and_merchants_see_only_their_own_plans() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, merchant_a) = merchant_with_sales(&app, "200000.00").await;
    let (_, merchant_b) = merchant_with_sales(&app, "200000.00").await;
    let (shopper_a_id, shopper_a) = shopper(&app).await;
    let (shopper_b_id, shopper_b) = shopper(&app).await;
    let offer_a = offer(&app, &merchant_a, 3, Some("0.01")).await;
    let offer_b = offer(&app, &merchant_b, 3, Some("0.01")).await;
    let plan_a = checkout(&app, &merchant_a, shopper_a_id, &offer_a, "900.00").await;
    let other = checkout(&app, &merchant_b, shopper_a_id, &offer_b, "600.00").await;
    checkout(&app, &merchant_b, shopper_b_id, &offer_b, "300.00").await;
    let id = plan_a["id"].as_str().unwrap();
    for (token, path) in [
        (&shopper_b, format!("/v1/installment-plans/{id}")),
        (&shopper_b, format!("/v1/loans/{id}")),
        (&merchant_b, format!("/v1/installment-plans/{id}")),
        (&merchant_a, format!("/v1/loans/{id}")),
        (&merchant_a, format!("/v1/loans/{id}/payoff")),
    ] {
        let (status, body) = app.get(&path, token).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, _) = refund(&app, &merchant_b, id, "10.00").await;
    assert_eq!(status, 404);
    let (status, _) = repay(&app, &shopper_b, id, "10.00").await;
    assert_eq!(status, 404);
    // The shopper sees its plans at both merchants; each merchant only its own store's.
    let (_, mine) = app.get("/v1/installment-plans", &shopper_a).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    let (_, store) = app.get("/v1/installment-plans", &merchant_a).await;
    let items = store["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert!(items[0].get("loan").is_none());
    assert_ne!(items[0]["id"], other["id"]);
    let (_, store_b) = app.get("/v1/installment-plans", &merchant_b).await;
    assert_eq!(store_b["items"].as_array().unwrap().len(), 2);
    // A merchant cannot sell on another merchant's offer.
    let body = json!({"shopper_id": shopper_a_id, "offer_id": offer_a, "purchase_amount": "100.00",
        "order_reference": "X-1"});
    let (status, _) = post_keyed(&app, "/v1/installment-plans", &merchant_b, "k-1", &body).await;
    assert_eq!(status, 404);
    assert_books_sound(&app).await;
}
