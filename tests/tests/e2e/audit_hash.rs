//! The database's audit hash (`lendline_sha256_hex`): the SHA-256 of a text's UTF-8 bytes,
//! whatever the text holds, and inlined into the statements that call it (a SQL function that
//! is not inlined has its body parsed and planned again in every statement execution).

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use persistence::audit::{self, Chain};
use persistence::ledger::PLATFORM;
use serde_json::json;
use sha2::{Digest, Sha256};

#[derive(QueryableByName)]
struct Digested {
    #[diesel(sql_type = Text)]
    digest: String,
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

#[test]
fn the_audit_hash_is_the_sha256_of_the_texts_utf8_bytes() {
    let mut conn = PgConnection::establish(&lendline_tests::fresh_database_url()).unwrap();
    // Backslashes are where a text-to-bytea cast could go wrong: an escape, an octal byte, a
    // leading `\x` (bytea's hex form), a trailing one.
    for text in [
        "",
        "plain",
        r"a\b",
        r"\x41",
        r"\\\",
        r"x\000y",
        "é中😀",
        r#"{"memo":"say \"hi\"\n","path":"C:\\loans"}"#,
    ] {
        let digest = diesel::sql_query("SELECT lendline_sha256_hex($1)::text AS digest")
            .bind::<Text, _>(text)
            .get_result::<Digested>(&mut conn)
            .unwrap()
            .digest;
        let expected: String = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest, expected, "digest of {text:?}");
    }
}

#[test]
fn the_audit_hash_is_inlined_into_a_cached_plan() {
    let mut conn = PgConnection::establish(&lendline_tests::fresh_database_url()).unwrap();
    conn.batch_execute(
        "SET plan_cache_mode = force_generic_plan;
         PREPARE hashed(text) AS SELECT lendline_sha256_hex($1) AS digest;",
    )
    .unwrap();
    let plan: Vec<String> = diesel::sql_query("EXPLAIN (VERBOSE) EXECUTE hashed('x')")
        .load::<PlanLine>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("sha256("), "the body is in the plan: {plan}");
    assert!(
        !plan.contains("lendline_sha256_hex"),
        "the function is called, not inlined: {plan}"
    );
}

#[test]
fn events_whose_payload_holds_backslashes_and_unicode_chain_and_verify() {
    let url = lendline_tests::fresh_database_url();
    let mut conn = persistence::db::connect(&url).unwrap();
    let chain = Chain {
        party: PLATFORM,
        name: "hash-test".to_string(),
    };
    for memo in [r"C:\loans\x41", "say \"hi\"\n", "é中😀", r"\\"] {
        conn.transaction(|c| {
            audit::append(
                c,
                &chain,
                "admin:platform",
                "test.memo",
                &json!({ "memo": memo }),
                Utc::now(),
            )
        })
        .unwrap();
    }
    let report = persistence::audit_verify::verify(&mut conn, None).unwrap();
    assert!(report.ok(), "chain verifies: {report:?}");
    assert_eq!(report.events_checked, 4);
}
