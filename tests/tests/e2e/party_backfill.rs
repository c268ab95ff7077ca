//! The migrations that key tenant rows by party, run over a database that already holds a
//! borrower's loan, payments and ledger: the party columns are backfilled, the balances rebuilt
//! per party, and the books stay sound; money moves afterwards as before.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::json;

use crate::lending_support::*;
use lendline_tests::TestApp;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

#[tokio::test]
async fn stored_loans_and_ledger_are_keyed_by_their_borrower_when_the_migrations_run_over_them() {
    let app = TestApp::spawn_plain().await;
    let (merchant, token, line) = approved_line(&app, "30000.00").await;
    let loan = draw(&app, &token, line, "10000.00", 60, "equal_installments").await;
    let loan = loan["id"].as_str().unwrap().to_string();
    let path = format!("/v1/loans/{loan}/repayments");
    let body = json!({"amount": "100.00", "external_reference": "WIRE-77"});
    assert_eq!(post_keyed(&app, &path, &token, "k-1", &body).await.0, 201);
    let (status, checkpoint) = app
        .post("/v1/audit/checkpoints", &app.admin(), &json!({}))
        .await;
    assert_eq!(status, 201, "{checkpoint}");

    // Back to before the first of them (the trigger rewrite), data kept, then forward again.
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    loop {
        let reverted = persistence::db::revert_last_migration(&mut conn).unwrap();
        if reverted.contains("000401") {
            break;
        }
    }
    persistence::db::run_migrations(&mut conn).unwrap();

    let unowned = "SELECT count(*) AS n FROM loan_installments i JOIN loans l ON l.id = i.loan_id
                    WHERE i.party_id <> l.party_id";
    assert_eq!(count(&mut conn, unowned), 0);
    let entries = format!(
        "SELECT count(*) AS n FROM journal_entries e JOIN loans l ON e.reference = 'loan:' || l.id
          WHERE l.id = '{loan}' AND e.party_id = l.party_id"
    );
    assert!(
        count(&mut conn, &entries) >= 2,
        "disbursement and repayment"
    );
    let registered = "SELECT count(*) AS n FROM loan_transactions t
                        JOIN registry_entries r ON r.subject_id = t.id
                       WHERE t.external_reference = 'WIRE-77' AND r.kind = 'payment_reference'";
    assert_eq!(count(&mut conn, registered), 1);
    // The borrower's chains (the party, its decision, application, line and loan) are kept
    // with the borrower, chain heads, seals and checkpointed heads alike.
    for table in [
        "audit_events",
        "audit_chain_heads",
        "audit_chain_seals",
        "audit_checkpoint_heads",
    ] {
        let kept = format!(
            "SELECT count(DISTINCT chain) AS n FROM {table}
              WHERE chain IN ('party:{merchant}', 'loan:{loan}', 'credit_line:{line}')
                AND party_id = '{merchant}'"
        );
        assert_eq!(count(&mut conn, &kept), 3, "{table}");
        let astray = format!(
            "SELECT count(*) AS n FROM {table}
              WHERE chain LIKE 'decision:%' AND party_id <> '{merchant}'"
        );
        assert_eq!(count(&mut conn, &astray), 0, "{table}");
    }
    // The repayment's idempotency key is kept with the borrower, and still answers its retry.
    let keyed = format!(
        "SELECT count(*) AS n FROM idempotency_keys WHERE key = 'k-1' AND party_id = '{merchant}'"
    );
    assert_eq!(count(&mut conn, &keyed), 1);
    let (status, replayed) = post_keyed(&app, &path, &token, "k-1", &body).await;
    assert_eq!(status, 201, "{replayed}");
    let repayments = format!(
        "SELECT count(*) AS n FROM loan_transactions
          WHERE loan_id = '{loan}' AND external_reference = 'WIRE-77'"
    );
    assert_eq!(count(&mut conn, &repayments), 1, "the retry moved no money");
    assert_books_sound(&app).await;

    let again = json!({"amount": "100.00", "external_reference": "WIRE-78"});
    let (status, answer) = post_keyed(&app, &path, &token, "k-2", &again).await;
    assert_eq!(status, 201, "{answer}");
    let (status, _) = post_keyed(&app, &path, &token, "k-3", &body).await;
    assert_eq!(status, 409, "the stored reference is still taken");
    assert_books_sound(&app).await;
}
