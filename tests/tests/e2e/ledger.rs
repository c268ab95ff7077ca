//! The double-entry ledger: balance enforced by the database, append-only postings, balances
//! kept equal to the sum of postings.

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use domain::ledger::{Account, JournalEntry};
use domain::money::{Currency, Money};
use lendline_tests::TestApp;
use persistence::ledger::PLATFORM;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 11).unwrap()
}

fn entry(debit: &str, credit: &str, amount: &str) -> JournalEntry {
    let money = Money::parse_positive(amount, Currency::Cny).unwrap();
    JournalEntry::builder(Currency::Cny, day(), "test", "test:1")
        .debit(&Account::parse(debit).unwrap(), money)
        .credit(&Account::parse(credit).unwrap(), money)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_database_refuses_an_unbalanced_entry_at_commit() {
    let app = TestApp::spawn().await;
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    let id = Uuid::now_v7();
    let result = conn.batch_execute(&format!(
        "BEGIN;
         INSERT INTO journal_entries (party_id, id, currency, business_date, kind, reference)
              VALUES ('00000000-0000-0000-0000-000000000000', '{id}', 'CNY', '2026-11-11', 'test', 'test:1');
         INSERT INTO postings (party_id, entry_id, currency, account, amount) VALUES
              ('00000000-0000-0000-0000-000000000000', '{id}', 'CNY', 'cash:platform', 100.00),
              ('00000000-0000-0000-0000-000000000000', '{id}', 'CNY', 'loans_receivable:x', -99.99);
         COMMIT;"
    ));
    let err = result.unwrap_err().to_string();
    // A Citus coordinator reports a worker's refusal at commit without the worker's message.
    assert!(
        err.contains("does not balance") || err.contains("could not commit transaction"),
        "{err}"
    );
    conn.batch_execute("ROLLBACK").ok();
    let (_, tb) = app.get("/v1/ledger/trial-balance", &app.admin()).await;
    assert_eq!(
        tb["accounts"].as_array().unwrap().len(),
        0,
        "nothing was stored"
    );
}

#[tokio::test]
async fn a_posting_in_another_currency_than_its_entry_is_refused() {
    let app = TestApp::spawn().await;
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    let id = Uuid::now_v7();
    let err = conn
        .batch_execute(&format!(
            "BEGIN;
             INSERT INTO journal_entries (party_id, id, currency, business_date, kind, reference)
                  VALUES ('00000000-0000-0000-0000-000000000000', '{id}', 'CNY', '2026-11-11', 'test', 'test:1');
             INSERT INTO postings (party_id, entry_id, currency, account, amount) VALUES
                  ('00000000-0000-0000-0000-000000000000', '{id}', 'USD', 'cash:platform', 1),
                  ('00000000-0000-0000-0000-000000000000', '{id}', 'USD', 'cash:other', -1);
             COMMIT;"
        ))
        .unwrap_err();
    assert!(err.to_string().contains("foreign key"), "{err}");
}

#[tokio::test]
async fn postings_cannot_be_updated_or_deleted() {
    let app = TestApp::spawn().await;
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    conn.transaction(|c| {
        persistence::ledger::post(
            c,
            PLATFORM,
            Uuid::now_v7(),
            &entry("cash:platform", "equity:platform", "10.00"),
            None,
        )
    })
    .unwrap();
    for statement in [
        "UPDATE postings SET amount = amount * 2",
        "DELETE FROM postings",
        "TRUNCATE postings CASCADE",
        "DELETE FROM journal_entries",
    ] {
        let err = conn.batch_execute(statement).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{statement}: {err}");
    }
}

#[tokio::test]
async fn balances_equal_the_sum_of_postings_after_a_thousand_random_entries() {
    let app = TestApp::spawn().await;
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = persistence::db::connect(&url).unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let accounts = [
            "cash:platform",
            "loans_receivable:a",
            "loans_receivable:b",
            "interest_income",
            "reserve:s1",
            "fees:x",
        ];
        let parties = [PLATFORM, Uuid::now_v7(), Uuid::now_v7()];
        for _ in 0..1000 {
            let debit = accounts[rng.gen_range(0..accounts.len())];
            let mut credit = accounts[rng.gen_range(0..accounts.len())];
            if credit == debit {
                credit = "suspense";
            }
            // Entries of several owners: a balance is summed over their rows.
            let party = parties[rng.gen_range(0..parties.len())];
            let cents: i64 = rng.gen_range(1..10_000_000);
            let amount = format!("{}.{:02}", cents / 100, cents % 100);
            conn.transaction(|c| {
                persistence::ledger::post(
                    c,
                    party,
                    Uuid::now_v7(),
                    &entry(debit, credit, &amount),
                    None,
                )
            })
            .unwrap();
        }
        // A platform-wide account is spread over shard rows; an owned one keeps a single row.
        let owned = format!("loans_receivable:{}", Uuid::now_v7());
        for _ in 0..40 {
            conn.transaction(|c| {
                persistence::ledger::post(
                    c,
                    PLATFORM,
                    Uuid::now_v7(),
                    &entry(&owned, "cash:platform", "1.00"),
                    None,
                )
            })
            .unwrap();
        }
        use persistence::schema::account_balances::dsl::{account, account_balances};
        let rows = |conn: &mut PgConnection, name: &str| -> i64 {
            account_balances
                .filter(account.eq(name))
                .count()
                .get_result(conn)
                .unwrap()
        };
        assert!(rows(&mut conn, "cash:platform") > 1);
        assert_eq!(rows(&mut conn, &owned), 1);
        let kept = persistence::ledger::balance(&mut conn, &Account::parse(&owned).unwrap(), "CNY");
        assert_eq!(kept.unwrap().to_string(), "40.0000");
    })
    .await
    .unwrap();
    let (status, check) = app.get("/v1/ledger/check", &app.admin()).await;
    assert_eq!(status, 200);
    assert_eq!(check["consistent"], true, "{check}");
    let (_, tb) = app.get("/v1/ledger/trial-balance", &app.admin()).await;
    assert_eq!(tb["balanced"], true, "{tb}");
    assert_eq!(tb["totals"][0]["currency"], "CNY");
    assert_eq!(tb["totals"][0]["total"], "0.00");

    // The check is not vacuous: a balance changed behind the ledger's back is reported.
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    conn.batch_execute(
        "UPDATE account_balances SET balance = balance + 1 WHERE account = 'cash:platform'",
    )
    .unwrap();
    let (_, check) = app.get("/v1/ledger/check", &app.admin()).await;
    assert_eq!(check["consistent"], false);
    assert_eq!(check["mismatches"][0]["account"], "cash:platform");
}

#[tokio::test]
async fn an_account_shows_its_balance_and_paginated_postings_to_staff_only() {
    let app = TestApp::spawn().await;
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    for amount in ["1.00", "2.00", "3.00"] {
        conn.transaction(|c| {
            persistence::ledger::post(
                c,
                PLATFORM,
                Uuid::now_v7(),
                &entry("cash:platform", "equity:platform", amount),
                None,
            )
        })
        .unwrap();
    }
    let (status, page) = app
        .get("/v1/ledger/accounts/cash:platform?limit=2", &app.admin())
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["balances"][0]["balance"], "6.00");
    assert_eq!(page["postings"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_i64().unwrap();
    let (_, rest) = app
        .get(
            &format!("/v1/ledger/accounts/cash:platform?limit=2&after={cursor}"),
            &app.admin(),
        )
        .await;
    assert_eq!(rest["postings"][0]["amount"], "3.00");
    let merchant = app.create_party("merchant").await;
    let token = app.token(api::auth::Role::Merchant, &merchant.to_string());
    assert_eq!(
        app.get("/v1/ledger/accounts/cash:platform", &token).await.0,
        403
    );
    assert_eq!(app.get("/v1/ledger/trial-balance", &token).await.0, 403);
    assert_eq!(
        app.get("/v1/ledger/accounts/Not%20An%20Account", &app.admin())
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn an_empty_cursor_is_no_account_name_and_is_refused() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .get("/v1/ledger/trial-balance?after=", &app.admin())
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "after", "{body}");
}
