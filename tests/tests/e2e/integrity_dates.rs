//! Issue 12 §3: tenors, the business date in scoring, reminders across a jump of the business
//! date, and no money moving on a day end of day has closed.

use api::auth::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::lending_support::*;
use crate::scf_support::{confirmed_receivable, factor, in_days, post_key, setup};
use lendline_tests::TestApp;

async fn try_draw(
    app: &TestApp,
    token: &str,
    line: Uuid,
    tenor: u32,
    method: &str,
) -> (u16, Value) {
    let body = json!({"amount": "6000.00", "tenor_days": tenor, "repayment_method": method});
    let path = format!("/v1/credit-lines/{line}/draws");
    post_keyed(app, &path, token, &Uuid::new_v4().to_string(), &body).await
}

#[tokio::test]
async fn equal_installment_draws_run_whole_months_and_mature_exactly_on_their_tenor() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    // 7 days was silently a 31-day loan, 95 days three months: both are refused now.
    for tenor in [7, 95] {
        let (status, err) = try_draw(&app, &token, line, tenor, "equal_installments").await;
        assert_eq!(status, 422, "{tenor}: {err}");
        assert_eq!(err["error"]["field"], "tenor_days", "{err}");
    }
    let (_, view) = app.get(&format!("/v1/credit-lines/{line}"), &token).await;
    assert_eq!(
        view["available"], view["limit"],
        "a refused draw reserves nothing: {view}"
    );
    // 180 days from 2026-09-01 ended on 2027-03-01 (181 days), past the 180-day maximum.
    let (status, loan) = try_draw(&app, &token, line, 180, "equal_installments").await;
    assert_eq!(status, 201, "{loan}");
    assert_eq!(loan["maturity_date"], "2027-02-28", "{loan}");
    let schedule = loan["schedule"].as_array().unwrap();
    assert_eq!(schedule.len(), 6);
    assert_eq!(schedule[4]["due_date"], "2027-02-01");
    assert_eq!(schedule[5]["due_date"], "2027-02-28");
    let (status, bullet) = try_draw(&app, &token, line, 7, "bullet").await;
    assert_eq!(status, 201, "{bullet}");
    assert_eq!(bullet["maturity_date"], "2026-09-08");
}

#[tokio::test]
async fn scoring_counts_the_store_age_on_the_business_date_not_the_wall_clock() {
    let app = TestApp::spawn().await;
    set_date(&app, "2031-01-11").await;
    let mut body = lendline_tests::party_body("merchant");
    body["onboarded_on"] = json!("2031-01-01");
    body["store_opened_on"] = json!("2031-01-01");
    let (status, party) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201, "{party}");
    let officer = app.token(Role::RiskOfficer, "officer-7");
    let (status, decision) = app
        .post(
            "/v1/credit/assessments",
            &officer,
            &json!({"party_id": party["id"], "product": "stock_up_line"}),
        )
        .await;
    assert_eq!(status, 201, "{decision}");
    let age = decision["inputs"]["store_age_days"].to_string();
    assert_eq!(age.trim_matches('"'), "10", "{decision}");
}

/// The emails queued for `loan` with `template`.
async fn notices(app: &TestApp, loan: &str, template: &str) -> usize {
    let (status, page) = app.get("/v1/admin/outbox?limit=100", &app.admin()).await;
    assert_eq!(status, 200, "{page}");
    let reference = format!("loan:{loan}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["template"] == template && e["reference"] == reference.as_str())
        .count()
}

#[tokio::test]
async fn reminders_and_overdue_notices_are_sent_once_when_the_business_date_jumps() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 30, "bullet").await;
    let id = loan["id"].as_str().unwrap().to_string();
    assert_eq!(loan["maturity_date"], "2026-10-01");
    eod(&app, "2026-09-01").await;
    // Days 09-02 … 09-29 are never closed one by one: the reminder day (09-28) falls inside.
    set_date(&app, "2026-09-29").await;
    eod(&app, "2026-09-29").await;
    assert_eq!(notices(&app, &id, "payment_reminder").await, 1);
    assert_eq!(notices(&app, &id, "overdue_notice").await, 0);
    // Past due on 10-01, first closed on 10-05, five days past due.
    set_date(&app, "2026-10-05").await;
    eod(&app, "2026-10-05").await;
    assert_eq!(notices(&app, &id, "overdue_notice").await, 1);
    eod(&app, "2026-10-06").await;
    assert_eq!(
        notices(&app, &id, "payment_reminder").await,
        1,
        "never twice"
    );
    assert_eq!(notices(&app, &id, "overdue_notice").await, 1, "never twice");
}

#[tokio::test]
async fn end_of_day_opens_the_next_day_and_nothing_moves_on_the_closed_one() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 30, "bullet").await;
    let id = loan["id"].as_str().unwrap().to_string();
    set_date(&app, "2026-09-10").await;
    eod(&app, "2026-09-10").await;
    let (_, today) = app.get("/v1/admin/business-date", &app.admin()).await;
    assert_eq!(today["business_date"], "2026-09-11", "{today}");
    let (status, err) = app
        .get(&format!("/v1/loans/{id}/payoff?date=2026-09-10"), &token)
        .await;
    assert_eq!(status, 422, "no quote for a closed day: {err}");
    // A quote and its payment agree: nothing is left outstanding.
    let quote = payoff(&app, &token, &id, "2026-09-11").await;
    let (status, paid) = repay(&app, &token, &id, quote["total"].as_str().unwrap()).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["loan"]["status"], "closed", "{paid}");
    let (_, transactions) = app
        .get(&format!("/v1/loans/{id}/transactions"), &token)
        .await;
    let text = transactions.to_string();
    assert!(
        text.contains("2026-09-11"),
        "booked on the open day: {text}"
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_payment_dated_on_a_closed_day_is_refused_with_409() {
    let app = TestApp::spawn().await;
    let scf = setup(&app, json!({})).await;
    let id = confirmed_receivable(&app, &scf, "INV-CLOSED-1", "10000.00", 30).await;
    factor(&app, &scf, &[id]).await;
    let closed = in_days(0);
    eod(&app, &closed).await;
    let (status, err) = post_key(
        &app,
        &format!("/v1/receivables/{id}/payments"),
        &app.admin(),
        &json!({"amount": "10000.00", "paid_on": closed}),
    )
    .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(err["error"]["code"], "business_day_closed", "{err}");
    let text = err.to_string();
    assert!(
        !text.contains("trigger") && !text.contains("journal"),
        "{text}"
    );
    let (status, paid) = post_key(
        &app,
        &format!("/v1/receivables/{id}/payments"),
        &app.admin(),
        &json!({"amount": "10000.00"}),
    )
    .await;
    assert_eq!(status, 201, "the open day takes it: {paid}");
}
