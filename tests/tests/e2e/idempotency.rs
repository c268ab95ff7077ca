//! Idempotency keys: one effect for many identical requests, refused reuse, in-flight retries.

use diesel::prelude::*;
use lendline_tests::{party_body, read, TestApp};

async fn post_with_key(
    app: &TestApp,
    key: &str,
    body: &serde_json::Value,
) -> (u16, String, Option<String>) {
    let res = app
        .client
        .post(app.url("/v1/parties"))
        .bearer_auth(app.admin())
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, res.text().await.unwrap(), retry)
}

#[tokio::test]
async fn twenty_concurrent_identical_posts_with_one_key_have_one_effect_and_one_answer() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let body = party_body("merchant");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (app, body) = (app.clone(), body.clone());
        tasks.spawn(async move { post_with_key(&app, "onboard-42", &body).await });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.unwrap());
    }
    assert!(
        answers.iter().all(|(status, _, _)| *status == 201),
        "{answers:?}"
    );
    assert!(
        answers.iter().all(|(_, text, _)| *text == answers[0].1),
        "answers differ"
    );
    let (_, list) = app.get("/v1/parties", &app.admin()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_key_with_a_different_body_is_refused() {
    let app = TestApp::spawn().await;
    let (status, _, _) = post_with_key(&app, "k1", &party_body("merchant")).await;
    assert_eq!(status, 201);
    let (status, text, _) = post_with_key(&app, "k1", &party_body("supplier")).await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("idempotency_key_reused"));
    // The same body with the key reordered in JSON is the same request.
    let body = party_body("merchant");
    let (first, a, _) = post_with_key(&app, "k2", &body).await;
    let reordered: serde_json::Value = serde_json::from_str(&body.to_string()).unwrap();
    let (second, b, _) = post_with_key(&app, "k2", &reordered).await;
    assert_eq!((first, second), (201, 201));
    assert_eq!(a, b);
}

#[tokio::test]
async fn keys_are_scoped_to_the_caller() {
    let app = TestApp::spawn().await;
    let body = party_body("merchant");
    let (status, _, _) = post_with_key(&app, "shared", &body).await;
    assert_eq!(status, 201);
    let other_admin = app.token(api::auth::Role::Admin, "admin-2");
    let res = app
        .client
        .post(app.url("/v1/parties"))
        .bearer_auth(other_admin)
        .header("Idempotency-Key", "shared")
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, err) = read(res).await;
    assert_eq!(
        status, 409,
        "a different caller's key does not replay: {err}"
    );
    assert_eq!(err["error"]["code"], "duplicate");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_while_the_first_is_still_running_gets_409_with_retry_after() {
    let app = TestApp::spawn_with(|c| c.idempotency.wait_ms = 200).await;
    // Claim the key the way a long-running first request does, then give it up.
    let mut holder = persistence::db::connect(&app.database_url).unwrap();
    let held = holder.transaction::<(), diesel::result::Error, _>(|c| {
        let first = persistence::idempotency::KeyedRequest {
            party: persistence::ledger::PLATFORM,
            caller: "admin:platform".into(),
            key: "slow".into(),
            method: "POST".into(),
            path: "/v1/parties".into(),
            request_hash: "0".repeat(64),
        };
        let claimed = persistence::idempotency::claim(c, &first).unwrap();
        assert!(
            matches!(claimed, persistence::idempotency::Claim::Fresh),
            "{claimed:?}"
        );
        let res = tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(post_with_key(
                &app,
                "slow",
                &party_body("merchant"),
            ))
        });
        assert_eq!(res.0, 409, "{}", res.1);
        assert_eq!(res.2.as_deref(), Some("1"));
        assert!(res.1.contains("request_in_progress"));
        Err(diesel::result::Error::RollbackTransaction)
    });
    assert!(held.is_err(), "the first request gave up its key");
    let (status, _, _) = post_with_key(&app, "slow", &party_body("merchant")).await;
    assert_eq!(status, 201, "once the first is gone the key is free");
}

#[tokio::test]
async fn a_malformed_key_is_refused() {
    let app = TestApp::spawn().await;
    let long = "k".repeat(201);
    let (status, text, _) = post_with_key(&app, &long, &party_body("merchant")).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("invalid_idempotency_key"));
}

#[tokio::test]
async fn expired_keys_are_purged_oldest_first_in_steps() {
    let app = TestApp::spawn().await;
    let mut first = String::new();
    for key in ["oldest", "older", "old"] {
        let (status, text, _) = post_with_key(&app, key, &party_body("merchant")).await;
        assert_eq!(status, 201, "{text}");
        first = text;
    }
    let mut conn = persistence::db::connect(&app.database_url).unwrap();
    let day_ago = chrono::Utc::now() - chrono::Duration::hours(24);
    let step = persistence::idempotency::purge_step(&mut conn, day_ago, 2).unwrap();
    assert_eq!(step, (0, false), "fresh keys are kept");
    let later = chrono::Utc::now() + chrono::Duration::seconds(1);
    let step = persistence::idempotency::purge_step(&mut conn, later, 2).unwrap();
    assert_eq!(step, (2, true), "two in a step, and more may be left");
    let step = persistence::idempotency::purge_step(&mut conn, later, 2).unwrap();
    assert_eq!(step, (1, false), "the last one, and nothing left");
    // Its key gone, the newest request's key makes a new party, not a replay.
    let (status, again, _) = post_with_key(&app, "old", &party_body("merchant")).await;
    assert_eq!(status, 201, "{again}");
    let id = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap()["id"].clone();
    assert_ne!(id(&again), id(&first));
}
