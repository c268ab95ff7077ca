//! Stock-up lending end to end: apply, draw, repay on time, early and late, age, write off and
//! recover; concurrency and access control.

use api::auth::Role;
use rust_decimal::Decimal;
use serde_json::json;

use crate::lending_support::*;
use lendline_tests::smtp::SmtpServer;
use lendline_tests::TestApp;

fn dec(v: &serde_json::Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_90_day_bullet_loan_repaid_on_maturity_closes_with_exact_interest() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 90, "bullet").await;
    let id = loan["id"].as_str().unwrap();
    assert_eq!(loan["schedule"].as_array().unwrap().len(), 1);
    assert_eq!(loan["maturity_date"], "2026-11-30");
    let scheduled_interest = dec(&loan["schedule"][0]["interest"]);
    // 10000 × 12 % × 90 / 365 = 295.89 at the default model's grade-A rate.
    assert_eq!(loan["annual_rate"], "0.12");
    assert_eq!(scheduled_interest, "295.89".parse::<Decimal>().unwrap());
    let (_, line_view) = app.get(&format!("/v1/credit-lines/{line}"), &token).await;
    assert_eq!(line_view["available"], "20000.00");
    assert_eq!(ledger_principal(&app, id).await, "10000.00");

    set_date(&app, "2026-11-30").await;
    let quote = payoff(&app, &token, id, "2026-11-30").await;
    assert_eq!(dec(&quote["interest"]), scheduled_interest);
    assert_eq!(quote["total"], "10295.89");
    let (status, paid) = repay(&app, &token, id, "10295.89").await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["loan"]["status"], "closed");
    assert_eq!(paid["applied_to_interest"], "295.89");
    assert_eq!(ledger_principal(&app, id).await, "0.00");
    let (_, line_view) = app.get(&format!("/v1/credit-lines/{line}"), &token).await;
    assert_eq!(line_view["available"], "30000.00");
    let (status, err) = repay(&app, &token, id, "1.00").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("loan_closed"))
    );
    assert_eq!(
        app.get(&format!("/v1/loans/{id}/transactions"), &token)
            .await
            .1["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_six_month_annuity_paid_installment_by_installment_stays_current_and_closes() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "12000.00", 180, "equal_installments").await;
    let id = loan["id"].as_str().unwrap().to_string();
    let schedule = loan["schedule"].as_array().unwrap().clone();
    assert_eq!(schedule.len(), 6);
    let principal: Decimal = schedule.iter().map(|i| dec(&i["principal"])).sum();
    assert_eq!(principal, "12000.00".parse::<Decimal>().unwrap());
    for installment in &schedule {
        let due = installment["due_date"].as_str().unwrap();
        set_date(&app, due).await;
        let quote = payoff(&app, &token, &id, due).await;
        let (status, paid) = repay(&app, &token, &id, quote["due_now"].as_str().unwrap()).await;
        assert_eq!(status, 201, "{paid}");
        eod(&app, due).await;
        let (_, view) = app.get(&format!("/v1/loans/{id}"), &token).await;
        assert_eq!(view["days_past_due"], 0, "{view}");
        assert_eq!(
            paid["applied_to_penalty"], "0.00",
            "paid on time: {installment}"
        );
        assert_eq!(
            ledger_principal(&app, &id).await,
            view["principal_outstanding"].as_str().unwrap()
        );
    }
    let (_, view) = app.get(&format!("/v1/loans/{id}"), &token).await;
    assert_eq!(view["status"], "closed", "{view}");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn an_early_payoff_charges_interest_only_to_the_payoff_date() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 90, "bullet").await;
    let id = loan["id"].as_str().unwrap();
    set_date(&app, "2026-10-01").await;
    let quote = payoff(&app, &token, id, "2026-10-01").await;
    // 30 days: 10000 × 0.12 × 30 / 365 = 98.63.
    assert_eq!(quote["interest"], "98.63");
    let (status, too_much) = repay(&app, &token, id, "10098.64").await;
    assert_eq!(
        (status, too_much["error"]["code"].as_str()),
        (422, Some("amount_exceeds_balance"))
    );
    let (status, paid) = repay(&app, &token, id, quote["total"].as_str().unwrap()).await;
    assert_eq!(status, 201);
    assert_eq!(paid["loan"]["status"], "closed");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_late_loan_ages_through_buckets_pays_penalty_and_gets_reminders_by_email() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(|c| {
        smtp.configure(c);
        c.smtp.poll_interval_ms = 20;
    })
    .await;
    let (merchant, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 30, "bullet").await;
    let id = loan["id"].as_str().unwrap().to_string();
    assert_eq!(loan["maturity_date"], "2026-10-01");
    for day in [
        "2026-09-28",
        "2026-09-29",
        "2026-09-30",
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
    ] {
        set_date(&app, day).await;
        eod(&app, day).await;
    }
    let (_, view) = app.get(&format!("/v1/loans/{id}"), &token).await;
    assert_eq!(view["days_past_due"], 3, "{view}");
    assert_eq!(view["bucket"], "1-30");
    assert!(dec(&view["penalty_outstanding"]) > Decimal::ZERO, "{view}");
    // Penalty: 10000 × 0.0005 per day for 2026-10-01, -02 and -03.
    assert_eq!(view["penalty_outstanding"], "15.00");
    let (_, party) = app.get(&format!("/v1/parties/{merchant}"), &token).await;
    let address = party["contact_email"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let subjects: Vec<String> = smtp
            .received_for(&address)
            .iter()
            .filter_map(|m| m.header("Subject"))
            .collect();
        if subjects.iter().any(|s| s.contains("Installment due"))
            && subjects.iter().any(|s| s.contains("overdue"))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "reminders not delivered: {subjects:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    set_date(&app, "2026-10-04").await;
    let quote = payoff(&app, &token, &id, "2026-10-04").await;
    let (status, paid) = repay(&app, &token, &id, quote["total"].as_str().unwrap()).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["applied_to_penalty"], "15.00");
    assert_eq!(paid["loan"]["status"], "closed");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_loan_past_due_is_written_off_by_a_risk_officer_and_recovered_later() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "5000.00", 30, "bullet").await;
    let id = loan["id"].as_str().unwrap().to_string();
    set_date(&app, "2026-12-31").await;
    let run = eod(&app, "2026-12-31").await;
    assert_eq!(run["ran"], true);
    let (_, view) = app.get(&format!("/v1/loans/{id}"), &token).await;
    assert_eq!(view["bucket"], "90+", "{view}");
    // Penalty day by day from the due date (2026-10-01) to 2026-12-31: 92 days × 5000 × 0.0005,
    // even though one end of day covered the whole span.
    assert_eq!(view["penalty_outstanding"], "230.00", "{view}");
    let (_, line_view) = app.get(&format!("/v1/credit-lines/{line}"), &token).await;
    assert_eq!(line_view["status"], "frozen");
    let officer = app.token(Role::RiskOfficer, "officer-7");
    assert_eq!(
        app.post(&format!("/v1/loans/{id}/write-off"), &token, &json!({}))
            .await
            .0,
        403
    );
    let (status, written) = post_keyed(
        &app,
        &format!("/v1/loans/{id}/write-off"),
        &officer,
        "wo-1",
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{written}");
    let (status, replayed) = post_keyed(
        &app,
        &format!("/v1/loans/{id}/write-off"),
        &officer,
        "wo-1",
        &json!({}),
    )
    .await;
    assert_eq!(
        (status, &replayed),
        (200, &written),
        "a retried write-off replays its answer"
    );
    let (_, line_view) = app.get(&format!("/v1/credit-lines/{line}"), &token).await;
    assert_eq!(
        line_view["status"], "closed",
        "a defaulter's line does not reopen"
    );
    let (status, refused) = post_keyed(
        &app,
        &format!("/v1/credit-lines/{line}/draws"),
        &token,
        "after-default",
        &json!({"amount": "100.00", "tenor_days": 30, "repayment_method": "bullet"}),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("line_not_active"))
    );
    assert_eq!(written["status"], "written_off");
    assert_eq!(ledger_principal(&app, &id).await, "0.00");
    let (status, recovered) = repay(&app, &token, &id, "1000.00").await;
    assert_eq!(status, 201, "{recovered}");
    assert_eq!(recovered["loan"]["recovered"], "1000.00");
    let (_, losses) = app
        .get("/v1/ledger/accounts/credit_losses", &app.admin())
        .await;
    assert!(
        dec(&losses["balances"][0]["balance"]) > "5000".parse::<Decimal>().unwrap(),
        "{losses}"
    );
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn fifty_concurrent_draws_never_exceed_the_line() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (app, token) = (app.clone(), token.clone());
        tasks.spawn(async move {
            let body = json!({"amount": "1000.00", "tenor_days": 30, "repayment_method": "bullet"});
            post_keyed(
                &app,
                &format!("/v1/credit-lines/{line}/draws"),
                &token,
                &uuid::Uuid::new_v4().to_string(),
                &body,
            )
            .await
            .0
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = tasks.join_next().await {
        statuses.push(status.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        30,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        20,
        "{statuses:?}"
    );
    let (_, view) = app.get(&format!("/v1/credit-lines/{line}"), &token).await;
    assert_eq!(view["used"], "30000.00");
    assert_eq!(view["available"], "0.00");
    assert_books_sound(&app).await;
}

/// A merchant's draw reserves its amount in the statement that finds the line, before the
/// checks that need the line: a draw those checks refuse (too many decimals for the currency,
/// a tenor beyond the line's) must leave the line exactly as it was.
#[tokio::test]
async fn a_draw_refused_after_its_amount_was_reserved_leaves_the_line_untouched() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let path = format!("/v1/credit-lines/{line}/draws");
    for (body, code, field) in [
        (
            json!({"amount": "100.001", "tenor_days": 30, "repayment_method": "bullet"}),
            "validation_failed",
            "amount",
        ),
        (
            json!({"amount": "100.00", "tenor_days": 9999, "repayment_method": "bullet"}),
            "validation_failed",
            "tenor_days",
        ),
    ] {
        let key = uuid::Uuid::new_v4().to_string();
        let (status, err) = post_keyed(&app, &path, &token, &key, &body).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(err["error"]["code"], code, "{err}");
        assert_eq!(err["error"]["field"], field, "{err}");
        let (status, view) = app.get(&format!("/v1/credit-lines/{line}"), &token).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(view["used"], "0.00", "{body}");
        assert_eq!(view["available"], "30000.00", "{body}");
    }
    let loan = draw(&app, &token, line, "100.00", 30, "bullet").await;
    assert_eq!(loan["principal"], "100.00", "{loan}");
    let (_, view) = app.get(&format!("/v1/credit-lines/{line}"), &token).await;
    assert_eq!(view["used"], "100.00");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn concurrent_repayments_with_and_without_interest_to_accrue_all_go_through() {
    // A repayment first books the interest accrued to date (its receivable is shared by every
    // loan), then the payment (cash first in account order). A loan already accrued today only
    // books the payment. Unless both lock their balance rows in one order, the first kind holds
    // the interest receivable and waits for cash while the second holds cash and waits for the
    // interest receivable: a deadlock, and one of them fails.
    // One balance shard, so that every pair of one borrower's transactions meets on the same
    // rows: with the accrual and the payment posted separately, this test deadlocked every time.
    let app = std::sync::Arc::new(
        TestApp::spawn_with(|c| {
            let url = c.database_url.take().unwrap();
            c.database_url = Some(format!("{url}&options=-c%20lendline.balance_shards%3D1"));
        })
        .await,
    );
    let mut loans = Vec::new();
    for _ in 0..2 {
        let (_, token, line) = approved_line(&app, "100000.00").await;
        for _ in 0..8 {
            let loan = draw(&app, &token, line, "2000.00", 90, "equal_installments").await;
            loans.push((token.clone(), loan["id"].as_str().unwrap().to_string()));
        }
    }
    set_date(&app, "2026-09-20").await;
    for (token, loan) in &loans[8..] {
        let (status, body) = repay(&app, token, loan, "1.00").await;
        assert_eq!(status, 201, "accrued today: {body}");
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (token, loan) in loans {
        let app = app.clone();
        tasks.spawn(async move { repay(&app, &token, &loan, "100.00").await });
    }
    while let Some(answer) = tasks.join_next().await {
        let (status, body) = answer.unwrap();
        assert_eq!(status, 201, "{body}");
    }
    use diesel::prelude::*;
    use persistence::schema::account_balances::dsl::{account, account_balances};
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    let rows: i64 = account_balances
        .filter(account.eq("cash:platform"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    // A balance row per borrower (the ledger is keyed by party), and one shard each: the eight
    // loans of each borrower met on the same rows.
    assert_eq!(rows, 2, "the server ran on one balance shard");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn twenty_concurrent_identical_repayments_with_one_key_move_money_once() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 90, "bullet").await;
    let id = loan["id"].as_str().unwrap().to_string();
    let body = json!({"amount": "2000.00", "external_reference": "BANK-REF-1"});
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (app, token, id, body) = (app.clone(), token.clone(), id.clone(), body.clone());
        tasks.spawn(async move {
            post_keyed(
                &app,
                &format!("/v1/loans/{id}/repayments"),
                &token,
                "repay-once",
                &body,
            )
            .await
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.unwrap());
    }
    assert!(
        answers.iter().all(|(s, b)| *s == 201 && *b == answers[0].1),
        "{answers:?}"
    );
    let (_, txs) = app
        .get(&format!("/v1/loans/{id}/transactions"), &token)
        .await;
    assert_eq!(
        txs["items"].as_array().unwrap().len(),
        2,
        "one disbursement and one repayment"
    );
    // Another key with the same bank reference is a duplicate payment.
    let (status, err) = post_keyed(
        &app,
        &format!("/v1/loans/{id}/repayments"),
        &token,
        "other-key",
        &body,
    )
    .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (409, Some("external_reference"))
    );
    let (status, _) = app
        .post(&format!("/v1/loans/{id}/repayments"), &token, &body)
        .await;
    assert_eq!(status, 400, "a money movement needs an Idempotency-Key");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_referred_application_needs_two_different_officers_above_the_threshold() {
    let app = TestApp::spawn().await;
    let officer_a = app.token(Role::RiskOfficer, "officer-a");
    let officer_b = app.token(Role::RiskOfficer, "officer-b");
    let (token, application, case) = referred_application(&app, "40000.00", &officer_a).await;
    let case_id = case["id"].as_str().unwrap();
    assert_eq!(app.get("/v1/reviews?status=pending", &token).await.0, 403);
    assert_eq!(
        app.post(
            &format!("/v1/reviews/{case_id}/claim"),
            &officer_a,
            &json!({})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        app.post(
            &format!("/v1/reviews/{case_id}/claim"),
            &officer_b,
            &json!({})
        )
        .await
        .0,
        409
    );
    let (_, detail) = app.get(&format!("/v1/reviews/{case_id}"), &officer_a).await;
    assert!(
        detail["engine_decision"]["reasons"].as_array().is_some(),
        "{detail}"
    );
    assert_eq!(
        detail["applicant"]["monthly_sales"][0]["amount"],
        "10000.00"
    );
    let decision = json!({"decision": "approve", "approved_amount": "25000", "approved_rate": "0.18", "note": "seasonal, known seller"});
    let (status, decided) = app
        .post(
            &format!("/v1/reviews/{case_id}/decision"),
            &officer_a,
            &decision,
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["status"], "awaiting_confirmation");
    let (status, own) = app
        .post(
            &format!("/v1/reviews/{case_id}/confirm"),
            &officer_a,
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, own["error"]["code"].as_str()),
        (422, Some("own_decision"))
    );
    let (status, confirmed) = app
        .post(
            &format!("/v1/reviews/{case_id}/confirm"),
            &officer_b,
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["status"], "approved");
    let application_id = application["id"].as_str().unwrap();
    let (_, done) = app
        .get(
            &format!("/v1/credit-line-applications/{application_id}"),
            &token,
        )
        .await;
    assert_eq!(done["status"], "approved", "{done}");
    assert_eq!(done["decision"]["credit_limit"], "25000.00");
    assert!(
        done.to_string().find("seasonal").is_none(),
        "the private note never reaches the merchant"
    );
    let (_, trail) = app
        .get(
            &format!("/v1/audit/events?entity=review:{case_id}"),
            &officer_b,
        )
        .await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn merchants_see_only_their_own_loans_and_cannot_set_protected_fields() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "1000.00", 30, "bullet").await;
    let id = loan["id"].as_str().unwrap();
    let (_, other) = merchant_with_sales(&app, "200000.00").await;
    assert_eq!(app.get(&format!("/v1/loans/{id}"), &other).await.0, 404);
    assert_eq!(
        app.get(&format!("/v1/credit-lines/{line}"), &other).await.0,
        404
    );
    let (status, _) = post_keyed(
        &app,
        &format!("/v1/credit-lines/{line}/draws"),
        &other,
        "k",
        &json!({"amount": "1.00", "tenor_days": 30, "repayment_method": "bullet"}),
    )
    .await;
    assert_eq!(status, 404);
    let (_, mine) = app.get("/v1/loans", &other).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 0);
    for field in ["status", "limit", "rate"] {
        let mut body = json!({"requested_limit": "1000.00", "currency": "CNY", "purpose": "stock_up", "consent_to_sales_data": true});
        body[field] = json!("approved");
        let (status, err) = app
            .post("/v1/credit-line-applications", &token, &body)
            .await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (400, Some("unknown_field")),
            "{field}"
        );
    }
    let (status, err) = post_keyed(
        &app,
        &format!("/v1/credit-lines/{line}/draws"),
        &token,
        "k2",
        &json!({"amount": "1.00", "tenor_days": 30, "repayment_method": "bullet", "rate": "0"}),
    )
    .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (400, Some("rate"))
    );
}

#[tokio::test]
async fn end_of_day_run_twice_for_a_date_changes_nothing_the_second_time() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    draw(&app, &token, line, "10000.00", 90, "bullet").await;
    set_date(&app, "2026-09-10").await;
    let first = eod(&app, "2026-09-10").await;
    assert_eq!(first["ran"], true);
    assert_eq!(first["loans_accrued"], 1);
    let (_, before) = app
        .get("/v1/ledger/accounts/interest_income", &app.admin())
        .await;
    let second = eod(&app, "2026-09-10").await;
    assert_eq!(second["ran"], false);
    let (_, after) = app
        .get("/v1/ledger/accounts/interest_income", &app.admin())
        .await;
    assert_eq!(before, after);
    // Ten days (09-01 … 09-10) of 10000 × 0.12 / 365.
    assert_eq!(after["balances"][0]["balance"], "-32.88");
    assert_books_sound(&app).await;
}

#[tokio::test]
async fn a_payment_goes_to_interest_before_past_due_principal() {
    let app = TestApp::spawn().await;
    let (_, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "12000.00", 90, "equal_installments").await;
    let id = loan["id"].as_str().unwrap().to_string();
    let first_due = loan["schedule"][0]["due_date"]
        .as_str()
        .unwrap()
        .to_string();
    set_date(&app, &first_due).await;
    eod(&app, &first_due).await;
    let (_, view) = app.get(&format!("/v1/loans/{id}"), &token).await;
    assert_eq!(view["days_past_due"], 1);
    let interest_and_penalty =
        dec(&view["interest_outstanding"]) + dec(&view["penalty_outstanding"]);
    let (status, paid) = repay(&app, &token, &id, &interest_and_penalty.to_string()).await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["applied_to_principal"], "0.00", "{paid}");
    assert_eq!(paid["loan"]["interest_outstanding"], "0.00");
    assert_eq!(
        paid["loan"]["days_past_due"], 1,
        "the installment is still unpaid"
    );
}

#[tokio::test]
async fn one_person_cannot_confirm_their_own_decision_under_another_role() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, token) = merchant_with_sales(&app, "10000.00").await;
    let (_, application) = apply(&app, &token, "40000.00").await;
    assert_eq!(application["status"], "referred", "{application}");
    let as_officer = app.token(Role::RiskOfficer, "alice");
    let as_admin = app.token(Role::Admin, "alice");
    let (_, queue) = app.get("/v1/reviews?status=pending", &as_officer).await;
    let case_id = queue["items"][0]["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/v1/reviews/{case_id}/claim"),
        &as_officer,
        &json!({}),
    )
    .await;
    let cheap =
        json!({"decision": "approve", "approved_amount": "25000", "approved_rate": "0.0001"});
    let (status, err) = app
        .post(
            &format!("/v1/reviews/{case_id}/decision"),
            &as_officer,
            &cheap,
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("approved_rate")),
        "{err}"
    );
    let approve = json!({"decision": "approve", "approved_amount": "25000"});
    let (status, _) = app
        .post(
            &format!("/v1/reviews/{case_id}/decision"),
            &as_officer,
            &approve,
        )
        .await;
    assert_eq!(status, 200);
    let (status, err) = app
        .post(
            &format!("/v1/reviews/{case_id}/confirm"),
            &as_admin,
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("own_decision"))
    );
}

#[tokio::test]
async fn end_of_day_never_runs_ahead_of_the_business_date_or_out_of_order() {
    let app = TestApp::spawn().await;
    set_date(&app, "2026-09-10").await;
    let (status, err) = app
        .post(
            "/v1/admin/eod",
            &app.admin(),
            &json!({"date": "2026-09-11"}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("eod_in_future"))
    );
    eod(&app, "2026-09-10").await;
    let (status, err) = app
        .post(
            "/v1/admin/eod",
            &app.admin(),
            &json!({"date": "2026-09-09"}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("eod_out_of_order"))
    );
    let res = app
        .client
        .put(app.url("/v1/admin/business-date"))
        .bearer_auth(app.admin())
        .json(&json!({"business_date": "2026-09-10"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "a closed day cannot be reopened");
}
