//! The email outbox: welcome emails queued by onboarding and delivered over a real SMTP
//! conversation, retries while the mail server is down, parking and replay, the file fallback,
//! and two servers sharing one outbox.

use std::future::Future;
use std::time::Duration;

use api::app::Application;
use api::auth::Role;
use api::config::Config;
use lendline_tests::smtp::{Mode, SmtpServer};
use lendline_tests::{party_body, TestApp};
use persistence::outbox::NewEmail;
use serde_json::Value;
use uuid::Uuid;

/// A fast worker: tests wait for outcomes, never for the clock.
fn fast(config: &mut Config, max_attempts: u32) {
    config.smtp.poll_interval_ms = 20;
    config.smtp.backoff_base_ms = 20;
    config.smtp.max_attempts = max_attempts;
}

async fn spawn(smtp: Option<&SmtpServer>, max_attempts: u32) -> TestApp {
    TestApp::spawn_with(|config| {
        fast(config, max_attempts);
        if let Some(smtp) = smtp {
            smtp.configure(config);
        }
    })
    .await
}

/// Onboards a party with its own contact address and answers that address.
async fn onboard(app: &TestApp) -> String {
    let email = format!("finance-{}@example.com", Uuid::new_v4().simple());
    let mut body = party_body("merchant");
    body["contact_email"] = Value::String(email.clone());
    let (status, created) = app.post("/v1/parties", &app.admin(), &body).await;
    assert_eq!(status, 201, "{created}");
    email
}

/// The outbox as an admin sees it, filtered by `query` (e.g. `?status=failed`).
async fn outbox(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, page) = app
        .get(&format!("/v1/admin/outbox{query}"), &app.admin())
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

/// The outbox entries for `recipient` in `query`.
async fn entries_for(app: &TestApp, query: &str, recipient: &str) -> Vec<Value> {
    outbox(app, query)
        .await
        .into_iter()
        .filter(|e| e["recipient"] == recipient)
        .collect()
}

/// Polls `check` until it answers `Some`, for at most ten seconds.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn onboarding_a_party_sends_a_welcome_email_over_smtp() {
    let smtp = SmtpServer::start().await;
    let app = spawn(Some(&smtp), 5).await;
    let recipient = onboard(&app).await;

    let delivered = smtp.wait_for(&recipient, 1).await;
    let message = &delivered[0];
    assert_eq!(message.from, "no-reply@lendline.local");
    assert_eq!(message.header("Subject").unwrap(), "Welcome to Lendline");
    assert!(message
        .header("Content-Type")
        .unwrap()
        .starts_with("multipart/alternative"));
    assert!(message.data.contains("Hello Test merchant,"), "{message:?}");

    let sent = eventually("the email is marked sent", || async {
        let sent = entries_for(&app, "?status=sent", &recipient).await;
        (!sent.is_empty()).then_some(sent)
    })
    .await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["template"], "welcome");
    assert_eq!(sent[0]["attempts"], 1);
    assert!(sent[0]["reference"].as_str().unwrap().starts_with("party:"));
    let id = sent[0]["id"].as_str().unwrap();
    assert!(message.header("Message-ID").unwrap().contains(id));
}

#[tokio::test]
async fn an_email_queued_while_smtp_is_down_is_delivered_once_when_it_is_back() {
    let smtp = SmtpServer::start().await;
    smtp.stop().await;
    let app = spawn(Some(&smtp), 1_000).await;
    let recipient = onboard(&app).await;

    // A claim counts its attempt before the conversation and keeps the last error: a third
    // attempt counted means two failed ones were recorded (the third may still be on the wire).
    eventually("two failed attempts", || async {
        let pending = entries_for(&app, "?status=pending", &recipient).await;
        pending
            .first()
            .filter(|e| e["attempts"].as_i64().unwrap() >= 3)
            .map(|e| assert!(e["last_error"].is_string(), "{e}"))
    })
    .await;
    assert!(smtp.received().is_empty());

    smtp.resume().await;
    smtp.wait_for(&recipient, 1).await;
    // Once a later email went out too, the worker has moved on: the first was not resent.
    let later = onboard(&app).await;
    smtp.wait_for(&later, 1).await;
    assert_eq!(smtp.received_for(&recipient).len(), 1);
    let sent = entries_for(&app, "?status=sent", &recipient).await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0]["attempts"].as_i64().unwrap() >= 3, "{}", sent[0]);
}

#[tokio::test]
async fn an_email_that_keeps_failing_is_parked_and_a_replay_sends_it() {
    let smtp = SmtpServer::start().await;
    smtp.set_mode(Mode::Defer);
    let app = spawn(Some(&smtp), 3).await;
    let recipient = onboard(&app).await;

    let parked = eventually("the email is parked", || async {
        entries_for(&app, "?status=failed", &recipient)
            .await
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(parked["attempts"], 3);
    assert!(
        parked["last_error"].as_str().unwrap().contains("451"),
        "{parked}"
    );
    assert!(smtp.received().is_empty());
    let id = parked["id"].as_str().unwrap();

    smtp.set_mode(Mode::Accept);
    let replay = format!("/v1/admin/outbox/{id}/replay");
    let (status, replayed) = app.post(&replay, &app.admin(), &Value::Null).await;
    assert_eq!(status, 200, "{replayed}");
    assert_eq!(replayed["status"], "pending");
    assert_eq!(replayed["attempts"], 0);

    let delivered = smtp.wait_for(&recipient, 1).await;
    assert!(delivered[0].header("Message-ID").unwrap().contains(id));
    eventually("the replayed email is marked sent", || async {
        (entries_for(&app, "?status=sent", &recipient).await.len() == 1).then_some(())
    })
    .await;
    let (status, body) = app.post(&replay, &app.admin(), &Value::Null).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "not_failed");
}

#[tokio::test]
async fn a_server_that_refuses_service_counts_as_a_failed_attempt() {
    let smtp = SmtpServer::start().await;
    smtp.set_mode(Mode::Unavailable);
    let app = spawn(Some(&smtp), 2).await;
    let recipient = onboard(&app).await;
    let parked = eventually("the email is parked", || async {
        entries_for(&app, "?status=failed", &recipient)
            .await
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(parked["attempts"], 2);
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn the_outbox_is_for_admins_and_checks_its_parameters() {
    let app = spawn(None, 3).await;
    let party = app.create_party("merchant").await;
    let merchant = app.token(Role::Merchant, &party.to_string());
    let officer = app.token(Role::RiskOfficer, "officer-7");
    for token in [&merchant, &officer] {
        assert_eq!(app.get("/v1/admin/outbox", token).await.0, 403);
        let replay = format!("/v1/admin/outbox/{}/replay", Uuid::now_v7());
        assert_eq!(app.post(&replay, token, &Value::Null).await.0, 403);
    }
    let (status, _) = app.get("/v1/admin/outbox?status=lost", &app.admin()).await;
    assert_eq!(status, 400);
    let replay = format!("/v1/admin/outbox/{}/replay", Uuid::now_v7());
    let (status, body) = app.post(&replay, &app.admin(), &Value::Null).await;
    assert_eq!(status, 404, "{body}");

    let (_, doc) = app.get("/openapi.json", &app.admin()).await;
    assert!(doc["paths"]["/v1/admin/outbox"]["get"].is_object());
    assert!(doc["paths"]["/v1/admin/outbox/{id}/replay"]["post"].is_object());
}

#[tokio::test]
async fn the_outbox_pages_like_the_party_list() {
    let app = spawn(None, 3).await;
    for _ in 0..3 {
        onboard(&app).await;
    }
    let (_, first) = app.get("/v1/admin/outbox?limit=2", &app.admin()).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app
        .get(
            &format!("/v1/admin/outbox?limit=2&after={cursor}"),
            &app.admin(),
        )
        .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second.get("next_cursor").is_none());
}

#[tokio::test]
async fn a_refused_onboarding_queues_no_email() {
    let app = spawn(None, 3).await;
    let body = party_body("merchant");
    assert_eq!(app.post("/v1/parties", &app.admin(), &body).await.0, 201);
    assert_eq!(app.post("/v1/parties", &app.admin(), &body).await.0, 409);
    assert_eq!(outbox(&app, "").await.len(), 1);
}

#[tokio::test]
async fn without_smtp_emails_are_appended_to_the_days_mailbox_under_the_data_dir() {
    let app = spawn(None, 3).await;
    let recipient = onboard(&app).await;
    let sent = eventually("the email is marked sent", || async {
        entries_for(&app, "?status=sent", &recipient)
            .await
            .into_iter()
            .next()
    })
    .await;
    let id = sent["id"].as_str().unwrap();
    // Every mailbox of the directory: the test may straddle midnight UTC.
    let dir = app.config.data_dir.join("mail");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(path.extension().unwrap(), "mbox", "{}", path.display());
        let text = std::fs::read_to_string(&path).unwrap();
        found.extend(
            api::mail::mailbox::messages(&text)
                .into_iter()
                .filter(|m| m.contains(&format!("Message-ID: <{id}@"))),
        );
    }
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("Subject: Welcome to Lendline"),
        "{}",
        found[0]
    );
    assert!(
        found[0].contains(&format!("To: {recipient}")),
        "{}",
        found[0]
    );
}

#[tokio::test]
async fn two_servers_share_one_outbox_and_send_each_email_once() {
    let smtp = SmtpServer::start().await;
    let app = spawn(Some(&smtp), 5).await;
    // A second server process on the same database, with its own worker.
    let second = Application::build(app.config.clone()).unwrap();
    tokio::spawn(second.run_until_stopped());

    const EMAILS: usize = 40;
    let url = app.database_url.clone();
    let recipient = format!("many-{}@example.com", Uuid::new_v4().simple());
    let to = recipient.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = persistence::db::connect(&url).unwrap();
        for n in 0..EMAILS {
            let email = NewEmail {
                recipient: to.clone(),
                template: "welcome".into(),
                subject: format!("Message {n}"),
                text_body: format!("Body {n}"),
                html_body: format!("<p>Body {n}</p>"),
                reference: None,
            };
            persistence::outbox::enqueue(&mut conn, &email).unwrap();
        }
    })
    .await
    .unwrap();

    smtp.wait_for(&recipient, EMAILS).await;
    let later = onboard(&app).await;
    smtp.wait_for(&later, 1).await;
    let mut ids: Vec<String> = smtp
        .received_for(&recipient)
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), EMAILS);
    assert_eq!(smtp.received_for(&recipient).len(), EMAILS);
}

#[test]
fn a_message_being_claimed_is_skipped_and_only_the_lease_holder_records_the_outcome() {
    use diesel::Connection;
    use persistence::outbox::{claim_due, enqueue, mark_sent, release};
    let url = lendline_tests::fresh_database_url();
    let (mut a, mut b) = (
        persistence::db::connect(&url).unwrap(),
        persistence::db::connect(&url).unwrap(),
    );
    let email = |n: u32| NewEmail {
        recipient: "someone@example.com".into(),
        template: "welcome".into(),
        subject: format!("Message {n}"),
        text_body: "text".into(),
        html_body: "<p>html</p>".into(),
        reference: None,
    };
    let first = enqueue(&mut a, &email(1)).unwrap();
    let second = enqueue(&mut a, &email(2)).unwrap();
    let now = chrono::Utc::now() + chrono::Duration::seconds(1);
    let lease = chrono::Duration::minutes(5);

    let ids =
        |rows: Vec<persistence::outbox::EmailRow>| rows.iter().map(|r| r.id).collect::<Vec<_>>();

    a.transaction(|a| {
        // While `a` still holds the row lock of its claim, `b` skips the row instead of waiting.
        assert_eq!(ids(claim_due(a, now, lease, 1).unwrap()), [first]);
        assert_eq!(ids(claim_due(&mut b, now, lease, 10).unwrap()), [second]);
        assert!(claim_due(&mut b, now, lease, 10).unwrap().is_empty());
        Ok::<_, persistence::RepoError>(())
    })
    .unwrap();
    // Committed leases keep both messages away from every worker until they run out...
    assert!(claim_due(&mut b, now, lease, 10).unwrap().is_empty());
    // ...and once they run out, they are claimed afresh (oldest first, one lease for the batch)
    // and the old leases are worthless.
    let later = now + lease + chrono::Duration::seconds(1);
    let stale = persistence::outbox::find(&mut a, first)
        .unwrap()
        .lease_id
        .unwrap();
    let retaken = claim_due(&mut b, later, lease, 10).unwrap();
    assert_eq!(ids(retaken.clone()), [first, second]);
    assert_eq!(retaken[0].attempts, 2);
    let held = retaken[0].lease_id.unwrap();
    assert_eq!(retaken[1].lease_id, Some(held));
    assert_eq!(mark_sent(&mut a, &[first], stale, later).unwrap(), 0);
    assert_eq!(mark_sent(&mut b, &[first], held, later).unwrap(), 1);
    // A message given back untried is due at once, and its claim is not counted as an attempt.
    assert_eq!(release(&mut b, &[second], held).unwrap(), 1);
    let again = claim_due(&mut b, later, lease, 10).unwrap();
    assert_eq!(ids(again.clone()), [second]);
    assert_eq!(again[0].attempts, 2);
}

/// At the peak every decision queues a message that a worker then claims: the claim (and a
/// release) must rewrite the row without touching an index, so no index may read the lease.
#[test]
fn a_claim_and_a_release_rewrite_the_message_beside_itself_without_index_entries() {
    use diesel::sql_types::BigInt;
    use diesel::{Connection, QueryableByName, RunQueryDsl};
    use persistence::outbox::{claim_due, enqueue, release};

    #[derive(QueryableByName)]
    struct Updates {
        #[diesel(sql_type = BigInt)]
        all: i64,
        #[diesel(sql_type = BigInt)]
        hot: i64,
    }
    let url = lendline_tests::fresh_database_url();
    let mut conn = persistence::db::connect(&url).unwrap();
    let email = NewEmail {
        recipient: "someone@example.com".into(),
        template: "welcome".into(),
        subject: "Welcome".into(),
        text_body: "text".into(),
        html_body: "<p>html</p>".into(),
        reference: None,
    };
    let id = enqueue(&mut conn, &email).unwrap();
    let now = chrono::Utc::now() + chrono::Duration::seconds(1);
    conn.transaction(|c| {
        // This transaction's own counts: no waiting for the statistics to be reported.
        let updates = |c: &mut diesel::PgConnection| {
            diesel::sql_query(
                "SELECT n_tup_upd AS all, n_tup_hot_upd AS hot FROM pg_stat_xact_user_tables
                  WHERE relname = 'outbox_emails'",
            )
            .get_result::<Updates>(c)
            .unwrap()
        };
        let claimed = claim_due(c, now, chrono::Duration::minutes(5), 10).unwrap();
        assert_eq!(claimed.iter().map(|e| e.id).collect::<Vec<_>>(), [id]);
        let lease = claimed[0].lease_id.unwrap();
        assert_eq!(release(c, &[id], lease).unwrap(), 1);
        let counted = updates(c);
        assert_eq!(
            (counted.all, counted.hot),
            (2, 2),
            "claim and release not both HOT"
        );
        // Released, the message is due again at once.
        assert_eq!(
            claim_due(c, now, chrono::Duration::minutes(5), 10)
                .unwrap()
                .len(),
            1
        );
        Ok::<_, persistence::RepoError>(())
    })
    .unwrap();
}

/// A decision's message rides in the statement of its audit appends: the party's address is
/// looked up there, and a party that does not exist fails the append, so the request rolls
/// back with nothing queued and nothing recorded.
#[tokio::test]
async fn a_message_riding_with_the_audit_appends_is_queued_once_or_fails_them_all() {
    use diesel::Connection;
    use persistence::audit::{AuditLog, Chain};
    use persistence::RepoError;

    let app = spawn(None, 3).await;
    let recipient = onboard(&app).await;
    let party: Uuid = entries_for(&app, "", &recipient).await[0]["reference"]
        .as_str()
        .unwrap()
        .trim_start_matches("party:")
        .parse()
        .unwrap();
    let url = app.database_url.clone();
    let (queued, chain_of_missing) = tokio::task::spawn_blocking(move || {
        let mut conn = persistence::db::connect(&url).unwrap();
        let email = |subject: &str| NewEmail {
            recipient: String::new(),
            template: "welcome".into(),
            subject: subject.into(),
            text_body: "text".into(),
            html_body: "<p>html</p>".into(),
            reference: Some(format!("party:{party}")),
        };
        let at = chrono::Utc::now();
        let queued = conn
            .transaction::<_, RepoError, _>(|c| {
                let mut log = AuditLog::default();
                log.record(
                    &Chain::of(party, "ride", party),
                    "test",
                    "rode",
                    &serde_json::json!({}),
                    at,
                );
                let id = persistence::outbox::enqueue_for_party_with(
                    &mut log,
                    party,
                    email("Rode along"),
                );
                assert_eq!(log.append(c)?.len(), 1);
                Ok(id)
            })
            .unwrap();
        let missing = Uuid::now_v7();
        let chain = Chain::of(party, "ride", missing);
        let failed = conn.transaction::<(), RepoError, _>(|c| {
            let mut log = AuditLog::default();
            log.record(&chain, "test", "rode", &serde_json::json!({}), at);
            persistence::outbox::enqueue_for_party_with(&mut log, missing, email("Nobody"));
            log.append(c).map(drop)
        });
        assert!(matches!(failed, Err(RepoError::NotFound)), "{failed:?}");
        (queued, chain.name)
    })
    .await
    .unwrap();
    let mine = entries_for(&app, "", &recipient).await;
    let rode: Vec<&Value> = mine
        .iter()
        .filter(|e| e["subject"] == "Rode along")
        .collect();
    assert_eq!(rode.len(), 1, "{mine:?}");
    assert_eq!(rode[0]["id"], queued.to_string());
    assert!(outbox(&app, "")
        .await
        .iter()
        .all(|e| e["subject"] != "Nobody"));
    for (entity, events) in [(format!("ride:{party}"), 1), (chain_of_missing, 0)] {
        let (status, trail) = app
            .get(&format!("/v1/audit/events?entity={entity}"), &app.admin())
            .await;
        assert_eq!(status, 200, "{trail}");
        assert_eq!(trail["items"].as_array().unwrap().len(), events, "{trail}");
    }
}
