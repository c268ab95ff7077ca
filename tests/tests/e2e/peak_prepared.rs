//! Issue 14: the decision path's hand-written statements are prepared once per connection
//! (`persistence::prepared`), so PostgreSQL plans them from its plan cache instead of parsing
//! and planning each call; and statements whose SQL differs are never mixed up.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use persistence::prepared::Prepare;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Echo {
    #[diesel(sql_type = Text)]
    text: String,
}

/// Statements this session holds prepared whose text mentions `marker`.
fn prepared_with(conn: &mut PgConnection, marker: &str) -> i64 {
    diesel::sql_query(
        "SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%'",
    )
    .bind::<Text, _>(marker)
    .get_result::<Count>(conn)
    .unwrap()
    .n
}

#[test]
fn a_prepared_statement_is_prepared_once_and_keyed_by_its_text() {
    let mut conn = PgConnection::establish(&lendline_tests::fresh_database_url()).unwrap();
    let echo = |conn: &mut PgConnection, sql: &str, n: i32| {
        diesel::sql_query(sql)
            .bind::<Integer, _>(n)
            .prepared()
            .get_result::<Echo>(conn)
            .unwrap()
            .text
    };
    for n in 0..3 {
        assert_eq!(
            echo(&mut conn, "SELECT 'one ' || $1 AS text", n),
            format!("one {n}")
        );
    }
    assert_eq!(
        prepared_with(&mut conn, "'one '"),
        1,
        "prepared once, reused"
    );
    // Same Rust type, other SQL: a statement of its own, never the first one's.
    assert_eq!(echo(&mut conn, "SELECT 'two ' || $1 AS text", 7), "two 7");
    assert_eq!(prepared_with(&mut conn, "'two '"), 1);
    assert_eq!(echo(&mut conn, "SELECT 'one ' || $1 AS text", 9), "one 9");

    // Without `prepared()` diesel sends a hand-written statement unprepared every time.
    diesel::sql_query("SELECT 'three ' || $1 AS text")
        .bind::<Integer, _>(3)
        .get_result::<Echo>(&mut conn)
        .unwrap();
    assert_eq!(prepared_with(&mut conn, "'three '"), 0);
}

/// A statement that answers no rows is prepared too. Diesel's own `execute` runs a statement
/// through a reference, which dropped `prepared()`'s caching rule: the decision path's loan,
/// ledger and decision inserts were sent unnamed and planned on every call until
/// `Prepared::execute` took their place.
#[test]
fn a_prepared_statement_without_rows_is_prepared_once_and_runs_every_time() {
    let mut conn = PgConnection::establish(&lendline_tests::fresh_database_url()).unwrap();
    diesel::sql_query("CREATE TEMP TABLE prepared_writes (n integer NOT NULL)")
        .execute(&mut conn)
        .unwrap();
    for n in 0..3 {
        diesel::sql_query("INSERT INTO prepared_writes (n) VALUES ($1)")
            .bind::<Integer, _>(n)
            .prepared()
            .execute(&mut conn)
            .unwrap();
    }
    assert_eq!(
        prepared_with(&mut conn, "INSERT INTO prepared_writes"),
        1,
        "prepared once, reused"
    );
    let rows = diesel::sql_query("SELECT count(*) AS n FROM prepared_writes")
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n;
    assert_eq!(rows, 3, "every call wrote its row");

    // A failing statement still fails: the loading path reports errors as diesel's did.
    let refused = diesel::sql_query("INSERT INTO prepared_writes (n) VALUES ($1)")
        .bind::<diesel::sql_types::Nullable<Integer>, _>(None::<i32>)
        .prepared()
        .execute(&mut conn);
    assert!(
        matches!(
            refused,
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::NotNullViolation,
                _
            ))
        ),
        "a NOT NULL violation is reported as diesel reports it: {refused:?}"
    );
}
