//! The audit trail: tampering (edit, delete, reorder) detected; a consistent rewrite of a whole
//! chain detected against an earlier checkpoint and against a published checkpoint hash.

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use lendline_tests::TestApp;
use persistence::audit::{self, Chain, EventRow};
use persistence::ledger::PLATFORM;
use persistence::schema::{audit_chain_heads, audit_events};
use serde_json::json;

/// Writes `count` events on `chain` straight through the repository.
fn append_events(url: &str, chain: &str, count: usize) {
    let mut conn = persistence::db::connect(url).unwrap();
    for i in 0..count {
        conn.transaction(|c| {
            audit::append(
                c,
                &Chain {
                    party: PLATFORM,
                    name: chain.to_string(),
                },
                "admin:platform",
                "test.step",
                &json!({"step": i}),
                Utc::now(),
            )
        })
        .unwrap();
    }
}

/// A connection for someone with database access who switches the append-only guards off. (On a
/// cluster the guards fire on the workers' shards, where a session setting of the coordinator's
/// would not reach; turning them off for the table reaches every shard.)
fn tamperer(url: &str) -> PgConnection {
    let mut conn = persistence::db::connect(url).unwrap();
    // Citus changes a distributed table's triggers only when told it may, and propagates one
    // statement at a time.
    for statement in [
        "SET citus.enable_unsafe_triggers = on",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER",
        "ALTER TABLE audit_checkpoint_heads DISABLE TRIGGER USER",
    ] {
        conn.batch_execute(statement).unwrap();
    }
    conn
}

async fn verify(app: &TestApp, query: &str) -> serde_json::Value {
    let (status, report) = app
        .get(&format!("/v1/audit/verify{query}"), &app.admin())
        .await;
    assert_eq!(status, 200, "{report}");
    report
}

async fn setup() -> TestApp {
    let app = TestApp::spawn().await;
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || {
        append_events(&url, "loan:a", 3);
        append_events(&url, "loan:b", 3);
    })
    .await
    .unwrap();
    let report = verify(&app, "").await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["events_checked"], 6);
    app
}

#[tokio::test]
async fn onboarding_a_party_is_recorded_on_its_chain() {
    let app = TestApp::spawn().await;
    let id = app.create_party("merchant").await;
    let (status, trail) = app
        .get(&format!("/v1/audit/events?entity=party:{id}"), &app.admin())
        .await;
    assert_eq!(status, 200);
    assert_eq!(trail["items"][0]["action"], "party.onboarded");
    assert_eq!(trail["items"][0]["actor"], "admin:platform");
    assert_eq!(trail["items"][0]["payload"]["id"], id.to_string());
    let merchant = app.token(api::auth::Role::Merchant, &id.to_string());
    assert_eq!(
        app.get(&format!("/v1/audit/events?entity=party:{id}"), &merchant)
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn concurrent_writers_on_one_new_chain_extend_it_one_after_another() {
    let app = TestApp::spawn().await;
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || {
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| append_events(&url, "loan:busy", 25));
            }
        });
    })
    .await
    .unwrap();
    let report = verify(&app, "").await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["events_checked"], 200, "{report}");
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    let seqs: Vec<i64> = audit_events::table
        .filter(audit_events::chain.eq("loan:busy"))
        .order(audit_events::seq.asc())
        .select(audit_events::seq)
        .load(&mut conn)
        .unwrap();
    assert_eq!(seqs, (1..=200).collect::<Vec<i64>>());
}

#[tokio::test]
async fn the_database_refuses_to_change_audit_rows() {
    let app = setup().await;
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    let err = conn
        .batch_execute("UPDATE audit_events SET actor = 'someone-else'")
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[tokio::test]
async fn an_edited_row_is_detected() {
    let app = setup().await;
    tamperer(&app.database_url)
        .batch_execute(
            "UPDATE audit_events SET payload = '{\"step\":99}' WHERE chain = 'loan:b' AND seq = 2",
        )
        .unwrap();
    let report = verify(&app, "").await;
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_break"]["chain"], "loan:b");
    assert_eq!(report["first_break"]["seq"], 2);
}

#[tokio::test]
async fn a_deleted_row_in_the_middle_or_at_the_end_is_detected() {
    let app = setup().await;
    let mut conn = tamperer(&app.database_url);
    conn.batch_execute("DELETE FROM audit_events WHERE chain = 'loan:a' AND seq = 2")
        .unwrap();
    let report = verify(&app, "").await;
    assert_eq!(report["first_break"]["chain"], "loan:a");
    assert_eq!(report["first_break"]["seq"], 3);

    let app = setup().await;
    let mut conn = tamperer(&app.database_url);
    conn.batch_execute("DELETE FROM audit_events WHERE chain = 'loan:b' AND seq = 3")
        .unwrap();
    let report = verify(&app, "").await;
    assert_eq!(report["first_break"]["kind"], "head");
    assert_eq!(report["first_break"]["chain"], "loan:b");
}

#[tokio::test]
async fn reordered_rows_are_detected() {
    let app = setup().await;
    tamperer(&app.database_url)
        .batch_execute(
            "UPDATE audit_events SET seq = 1000 WHERE chain = 'loan:a' AND seq = 1;
             UPDATE audit_events SET seq = 1 WHERE chain = 'loan:a' AND seq = 2;
             UPDATE audit_events SET seq = 2 WHERE chain = 'loan:a' AND seq = 1000;",
        )
        .unwrap();
    let report = verify(&app, "").await;
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_break"]["chain"], "loan:a");
    assert_eq!(report["first_break"]["seq"], 1);
}

/// Rewrites a whole chain with new payloads and recomputed hashes, and its head: every link
/// is internally consistent again.
fn rewrite_chain(url: &str, chain: &str) {
    let mut conn = tamperer(url);
    let events: Vec<EventRow> = audit_events::table
        .filter(audit_events::chain.eq(chain))
        .order(audit_events::seq.asc())
        .select(EventRow::as_select())
        .load(&mut conn)
        .unwrap();
    let mut prev = audit::GENESIS_HASH.to_string();
    for mut event in events {
        event.payload = json!({"step": "forged"}).to_string();
        event.prev_hash = prev.clone();
        event.hash = event.expected_hash();
        diesel::update(audit_events::table.find((event.party_id, event.id)))
            .set((
                audit_events::payload.eq(&event.payload),
                audit_events::prev_hash.eq(&event.prev_hash),
                audit_events::hash.eq(&event.hash),
            ))
            .execute(&mut conn)
            .unwrap();
        prev = event.hash;
    }
    diesel::update(audit_chain_heads::table.filter(audit_chain_heads::chain.eq(chain)))
        .set(audit_chain_heads::hash.eq(&prev))
        .execute(&mut conn)
        .unwrap();
}

#[tokio::test]
async fn a_consistent_rewrite_of_a_whole_chain_is_caught_by_an_earlier_checkpoint() {
    let app = setup().await;
    let (status, checkpoint) = app
        .post("/v1/audit/checkpoints", &app.admin(), &json!({}))
        .await;
    assert_eq!(status, 201, "{checkpoint}");
    assert_eq!(checkpoint["chains_covered"], 2);
    let (_, latest) = app.get("/v1/audit/checkpoints/latest", &app.admin()).await;
    assert_eq!(latest["hash"], checkpoint["hash"]);

    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || rewrite_chain(&url, "loan:a"))
        .await
        .unwrap();
    let report = verify(&app, "").await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_break"]["kind"], "checkpoint");
    assert_eq!(report["first_break"]["chain"], "loan:a");
    assert_eq!(report["first_break"]["checkpoint_id"], 1);
}

#[tokio::test]
async fn rewriting_the_checkpoints_too_is_caught_by_the_published_hash() {
    let app = setup().await;
    let (_, published) = app
        .post("/v1/audit/checkpoints", &app.admin(), &json!({}))
        .await;
    let published_hash = published["hash"].as_str().unwrap().to_string();
    assert_eq!(
        verify(&app, &format!("?anchor={published_hash}")).await["ok"],
        true
    );
    // The hash as published, whatever the case of its digits; anything else is no hash.
    let shouted = published_hash.to_ascii_uppercase();
    assert_eq!(
        verify(&app, &format!("?anchor={shouted}")).await["ok"],
        true
    );
    for bad in ["zz", &published_hash[1..]] {
        let (status, body) = app
            .get(&format!("/v1/audit/verify?anchor={bad}"), &app.admin())
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["code"], "invalid_query", "{body}");
        assert_eq!(body["error"]["field"], "anchor", "{body}");
    }

    // The attacker rewrites the chain, deletes the checkpoint and seals a fresh one.
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || {
        rewrite_chain(&url, "loan:a");
        tamperer(&url)
            .batch_execute(
                "DELETE FROM audit_checkpoint_heads; DELETE FROM audit_checkpoints;
                 DELETE FROM audit_chain_seals;",
            )
            .unwrap();
    })
    .await
    .unwrap();
    let (status, _) = app
        .post("/v1/audit/checkpoints", &app.admin(), &json!({}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        verify(&app, "").await["ok"],
        true,
        "internally consistent again"
    );
    let report = verify(&app, &format!("?anchor={published_hash}")).await;
    assert_eq!(report["ok"], false);
    assert_eq!(report["anchor_found"], false);
}

#[tokio::test]
async fn a_checkpoint_with_nothing_new_returns_the_latest() {
    let app = setup().await;
    assert_eq!(
        app.get("/v1/audit/checkpoints/latest", &app.admin())
            .await
            .0,
        404
    );
    let (first, _) = app
        .post("/v1/audit/checkpoints", &app.admin(), &json!({}))
        .await;
    let (second, body) = app
        .post("/v1/audit/checkpoints", &app.admin(), &json!({}))
        .await;
    assert_eq!((first, second), (201, 200));
    assert_eq!(body["id"], 1);
}

/// Appends one event on each of `chains` in a single transaction, so that a sealing round sees
/// all of them or none.
fn append_together(url: &str, chains: &[Chain]) {
    let mut conn = persistence::db::connect(url).unwrap();
    conn.transaction(|c| {
        let mut log = audit::AuditLog::default();
        for chain in chains {
            log.record(chain, "admin:platform", "test.step", &json!({}), Utc::now());
        }
        log.append(c)
    })
    .unwrap();
}

/// The platform's chains `loan:<id>` for each of `ids`.
fn loans(ids: &[&str]) -> Vec<Chain> {
    ids.iter().map(|id| Chain::platform("loan", id)).collect()
}

/// `(id, chains_covered)` of every checkpoint, oldest first.
fn checkpoints(url: &str) -> Vec<(i64, i64)> {
    use persistence::schema::audit_checkpoints::dsl::*;
    let mut conn = persistence::db::connect(url).unwrap();
    audit_checkpoints
        .order(id.asc())
        .select((id, chains_covered))
        .load(&mut conn)
        .unwrap()
}

#[tokio::test]
async fn a_checkpoint_on_request_covers_at_most_the_configured_heads_and_the_next_call_the_rest() {
    let app =
        TestApp::spawn_with(|c| c.audit.checkpoint_max_chains = std::num::NonZeroU32::MIN).await;
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || append_together(&url, &loans(&["a", "b"])))
        .await
        .unwrap();
    let mut answers = Vec::new();
    for _ in 0..3 {
        let (status, body) = app
            .post("/v1/audit/checkpoints", &app.admin(), &json!({}))
            .await;
        answers.push((status, body["id"].clone(), body["chains_covered"].clone()));
    }
    assert_eq!(
        answers,
        [
            (201, json!(1), json!(1)),
            (201, json!(2), json!(1)),
            (200, json!(2), json!(1))
        ],
        "one head each, then nothing moved: the latest"
    );
    let report = verify(&app, "").await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["checkpoints_checked"], 2, "{report}");
}

#[tokio::test]
async fn a_checkpoint_hashes_its_heads_in_chain_order_whatever_their_owners() {
    let app = TestApp::spawn().await;
    let url = app.database_url.clone();
    // In key order (owner, then chain) `loan:z` comes first; in chain order, last.
    let (first, last) = (PLATFORM, uuid::Uuid::max());
    tokio::task::spawn_blocking(move || {
        append_together(
            &url,
            &[Chain::of(first, "loan", "z"), Chain::of(last, "loan", "a")],
        )
    })
    .await
    .unwrap();
    let (status, checkpoint) = app
        .post("/v1/audit/checkpoints", &app.admin(), &json!({}))
        .await;
    assert_eq!(status, 201, "{checkpoint}");
    assert_eq!(checkpoint["chains_covered"], 2);
    let report = verify(&app, "").await;
    assert_eq!(
        report["ok"], true,
        "the verifier reads them by chain: {report}"
    );
}

#[tokio::test]
async fn a_sealing_round_covers_every_moved_head_in_bounded_checkpoints_and_mails_only_its_last() {
    let app = TestApp::spawn_with(|c| {
        c.audit.checkpoint_interval_seconds = 1;
        c.audit.checkpoint_max_chains = std::num::NonZeroU32::new(2).unwrap();
        c.audit.auditor_emails = vec!["auditor@example.com".into()];
    })
    .await;
    let url = app.database_url.clone();
    // Waits until the round that sees `chains` has sealed `sealed` chains in all and mailed
    // `mails` checkpoints in all: it is over.
    let round = |chains: &'static [&'static str], sealed: i64, mails: i64| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            append_together(&url, &loans(chains));
            let mut conn = persistence::db::connect(&url).unwrap();
            for _ in 0..100 {
                let seals: i64 = persistence::schema::audit_chain_seals::table
                    .count()
                    .get_result(&mut conn)
                    .unwrap();
                let mailed: i64 = persistence::schema::outbox_emails::table
                    .filter(persistence::schema::outbox_emails::template.eq("audit_checkpoint"))
                    .count()
                    .get_result(&mut conn)
                    .unwrap();
                if (seals, mailed) == (sealed, mails) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            panic!("no round sealed {sealed} chains and mailed {mails} checkpoints");
        })
    };
    // Four heads, two a checkpoint: the second is full and nothing moved after it.
    round(&["a", "b", "c", "d"], 4, 1).await.unwrap();
    // One more: a checkpoint with room to spare ends that round.
    round(&["e"], 5, 2).await.unwrap();
    // Let a round with nothing moved pass: it seals nothing and mails nobody.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;

    let url = app.database_url.clone();
    let (sealed, mailed) = tokio::task::spawn_blocking(move || {
        use persistence::schema::outbox_emails::dsl::*;
        let mut conn = persistence::db::connect(&url).unwrap();
        let mailed: Vec<(String, Option<String>)> = outbox_emails
            .filter(template.eq("audit_checkpoint"))
            .order(reference.asc())
            .select((recipient, reference))
            .load(&mut conn)
            .unwrap();
        (checkpoints(&url), mailed)
    })
    .await
    .unwrap();
    assert_eq!(sealed, [(1, 2), (2, 2), (3, 1)]);
    let to = |id: i64| {
        (
            "auditor@example.com".to_string(),
            Some(format!("audit_checkpoint:{id}")),
        )
    };
    assert_eq!(mailed, [to(2), to(3)], "each round's last checkpoint only");
    let report = verify(&app, "").await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["checkpoints_checked"], 3, "{report}");
}
