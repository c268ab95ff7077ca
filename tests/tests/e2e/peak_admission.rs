//! Peak night: the server sheds what it cannot take (503 with `Retry-After`, at once) and
//! survives its database going away.

use std::sync::Arc;
use std::time::{Duration, Instant};

use api::auth::Role;
use lendline_tests::TestApp;
use persistence::embedded::{ClusterOptions, EmbeddedPostgres};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens a POST whose body never finishes.
async fn stalled_post(app: &TestApp, token: &str) -> TcpStream {
    let address = app.base.trim_start_matches("http://");
    let mut socket = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /v1/parties HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"kind\":"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.flush().await.unwrap();
    socket
}

/// A server whose writes wait as long as a test holds their locks (no statement or lock
/// deadline cuts them short).
async fn patient(tweak: impl FnOnce(&mut api::config::Config)) -> Arc<TestApp> {
    Arc::new(
        TestApp::spawn_with(|c| {
            c.database.statement_timeout_ms = 60_000;
            c.database.lock_timeout_ms = 60_000;
            tweak(c);
        })
        .await,
    )
}

/// The business date set while another session holds the calendar's row: the write waits for
/// the row lock, holding its admission permit (reads never wait for row locks). Answers the
/// lock (drop it to let the write finish) and the write's answer.
async fn blocked_write(
    app: &Arc<TestApp>,
    admin: &str,
) -> (
    lendline_tests::HeldLock,
    tokio::task::JoinHandle<(u16, serde_json::Value)>,
) {
    let date = serde_json::json!({"business_date": "2026-09-01"});
    // The row exists once a date was set.
    let (status, body) = put(app, "/v1/admin/business-date", admin, &date).await;
    assert_eq!(status, 200, "{body}");
    let url = app.database_url.clone();
    let held = tokio::task::spawn_blocking(move || {
        lendline_tests::HeldLock::new(&url, "SELECT 1 FROM platform_calendar FOR UPDATE")
    })
    .await
    .unwrap();
    let (app, admin) = (Arc::clone(app), admin.to_string());
    let write =
        tokio::spawn(async move { put(&app, "/v1/admin/business-date", &admin, &date).await });
    (held, write)
}

/// Waits until the server has admitted the blocked write (the in-flight gauge says so).
async fn wait_admitted(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = app.metrics().await;
        if metrics.contains("requests_in_flight{class=\"writes\"} 1") {
            break;
        }
        assert!(Instant::now() < deadline, "never admitted: {metrics}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn new_merchant(app: &TestApp, admin: &str) -> (u16, serde_json::Value) {
    app.post(
        "/v1/parties",
        admin,
        &lendline_tests::party_body("merchant"),
    )
    .await
}

#[tokio::test]
async fn a_write_beyond_the_in_flight_bound_is_shed_at_once_while_reads_and_probes_go_on() {
    let app = patient(|c| c.admission.max_in_flight_writes = 1).await;
    let admin = app.admin();
    let (held, blocked) = blocked_write(&app, &admin).await;
    wait_admitted(&app).await;
    let started = Instant::now();
    let res = app
        .client
        .post(app.url("/v1/parties"))
        .bearer_auth(&admin)
        .json(&lendline_tests::party_body("merchant"))
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(
        res.headers().get("connection").is_none_or(|c| c != "close"),
        "a refusal keeps the connection for the retry: {:?}",
        res.headers()
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    assert!(waited < Duration::from_secs(1), "shed after {waited:?}");

    let (status, body) = app.get("/v1/parties", &admin).await;
    assert_eq!(status, 200, "reads have their own budget: {body}");
    let (status, _) = app.get("/health/ready", "").await;
    assert_eq!(status, 200, "probes are never shed");

    drop(held);
    let (status, body) = blocked.await.unwrap();
    assert_eq!(status, 200, "{body}");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = new_merchant(&app, &admin).await;
        if status == 201 {
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert!(Instant::now() < deadline, "the permit was never given back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A cluster of the test's own, which it may stop and start.
fn own_cluster(dir: &std::path::Path) -> EmbeddedPostgres {
    let options = ClusterOptions {
        durable: false,
        ..ClusterOptions::default()
    };
    EmbeddedPostgres::start(dir, &options).unwrap()
}

#[tokio::test]
async fn losing_the_database_answers_503_fast_and_service_resumes_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let url = tokio::task::spawn_blocking(move || {
        let pg = own_cluster(&path);
        persistence::db::create_database(&pg.url("postgres"), "lendline", None).unwrap();
        let url = pg.url("lendline");
        let mut conn = persistence::db::connect(&url).unwrap();
        persistence::db::run_migrations(&mut conn).unwrap();
        url
    })
    .await
    .unwrap();
    let app_url = url.clone();
    let app = TestApp::spawn_with(move |c| {
        c.database_url = Some(app_url);
        c.database.acquire_timeout_ms = 500;
    })
    .await;
    let admin = app.token(Role::Admin, "platform");
    let date = json!({"business_date": "2026-11-30"});
    let (status, body) = put(&app, "/v1/admin/business-date", &admin, &date).await;
    assert_eq!(status, 200, "{body}");

    // A request waits inside the database (on a lock another session holds) when the
    // database goes away under it.
    let holder = tokio::task::spawn_blocking(move || {
        use diesel::connection::SimpleConnection;
        let mut conn = persistence::db::connect(&url).unwrap();
        conn.batch_execute("BEGIN; LOCK TABLE platform_calendar IN ACCESS EXCLUSIVE MODE")
            .unwrap();
        conn
    })
    .await
    .unwrap();
    let in_flight = {
        let (client, url, admin) = (
            app.client.clone(),
            app.url("/v1/admin/business-date"),
            admin.clone(),
        );
        tokio::spawn(async move { client.put(url).bearer_auth(admin).json(&date).send().await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let path = dir.path().to_path_buf();
    // Immediate mode: the server dies at once, as in a crash. (A fast shutdown ends the lock
    // holder's session first, and the waiting request could still commit before its own end.)
    tokio::task::spawn_blocking(move || {
        let command = own_cluster(&path).stop_command();
        let status = std::process::Command::new(&command[0])
            .args(&command[1..])
            .status()
            .unwrap();
        assert!(status.success());
    })
    .await
    .unwrap();
    drop(holder);
    let res = in_flight.await.unwrap().unwrap();
    assert_eq!(res.status().as_u16(), 503, "the request in flight");
    assert!(res.headers().contains_key("retry-after"));

    // More requests than the pool has connections: none waits past the acquire timeout.
    for n in 0..12 {
        let probe = if n % 2 == 0 {
            "/v1/parties"
        } else {
            "/health/ready"
        };
        let started = Instant::now();
        let res = app
            .client
            .get(app.url(probe))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        let waited = started.elapsed();
        assert_eq!(res.status().as_u16(), 503, "{probe}");
        assert!(res.headers().contains_key("retry-after"), "{probe}");
        assert!(
            waited < Duration::from_millis(1500),
            "{probe} took {waited:?}"
        );
    }
    let (status, body) = new_merchant(&app, &admin).await;
    assert_eq!(status, 503, "a write while the database is down: {body}");

    let path = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || own_cluster(&path))
        .await
        .unwrap();
    let back = Instant::now();
    loop {
        let (status, body) = app.get("/v1/parties", &admin).await;
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert!(
            back.elapsed() < Duration::from_secs(2),
            "not back within 2 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let path = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || own_cluster(&path).stop().unwrap())
        .await
        .unwrap();
}

async fn put(
    app: &TestApp,
    path: &str,
    token: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    lendline_tests::read(res).await
}

#[tokio::test]
async fn writes_slower_than_the_latency_target_shrink_a_full_write_bound() {
    // Every write takes longer than a millisecond, and bursts twice as wide as the bound keep
    // the budget full (a slow write with room to spare does not move it): the bound comes
    // down to its floor.
    let app = TestApp::spawn_with(|c| {
        c.admission.max_in_flight_writes = 16;
        c.admission.min_in_flight_writes = 1;
        c.admission.write_latency_target_ms = 1;
    })
    .await;
    let admin = app.admin();
    let floor = "admission_limit{class=\"writes\"} 1\n";
    let deadline = Instant::now() + Duration::from_secs(30);
    while !app.metrics().await.contains(floor) {
        let burst = (0..32).map(|_| new_merchant(&app, &admin));
        for (status, body) in futures_util::future::join_all(burst).await {
            assert!(status == 201 || status == 503, "{status} {body}");
        }
        assert!(Instant::now() < deadline, "{}", app.metrics().await);
    }
}

#[tokio::test]
async fn bodies_that_trickle_in_hold_no_place_in_flight_and_are_cut_off_at_their_deadline() {
    // Two write permits, three uploads that stall: were the uploads given permits, the
    // budget would be full.
    let app = patient(|c| {
        c.admission.max_in_flight_writes = 2;
        c.admission.body_timeout_ms = std::num::NonZeroU64::new(1_000).unwrap();
    })
    .await;
    let admin = app.admin();
    let mut stalled = Vec::new();
    for _ in 0..3 {
        stalled.push(stalled_post(&app, &admin).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The permits are free for a request whose body has arrived.
    let (status, body) = new_merchant(&app, &admin).await;
    assert_eq!(status, 201, "{body}");
    // Past the deadline, each stalled upload is answered 408 and its connection freed.
    for mut socket in stalled {
        let mut answer = vec![0u8; 1024];
        let read = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut answer))
            .await
            .expect("the stalled upload was never answered")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer[..read]).to_string();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("request_timeout"), "{answer}");
    }
}

#[tokio::test]
async fn a_request_on_a_connection_the_database_dropped_while_pooled_gets_503_then_service_resumes()
{
    let app = TestApp::spawn().await;
    let admin = app.admin();
    let (status, body) = new_merchant(&app, &admin).await;
    assert_eq!(status, 201, "{body}");
    // The database ends every session of the server's (a failover, an administrator): the
    // pooled connections are dead, which the pool cannot know before it uses one.
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = persistence::db::connect(&url).unwrap();
        diesel::RunQueryDsl::execute(
            diesel::sql_query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND backend_type = 'client backend'",
            ),
            &mut conn,
        )
        .unwrap();
    })
    .await
    .unwrap();
    // A read on a dead connection is answered 503 as well, never 500.
    let party = format!("/v1/parties/{}", body["id"].as_str().unwrap());
    let (status, read) = app.get(&party, &admin).await;
    assert!(
        status == 200 || (status == 503 && read["error"]["code"] == "unavailable"),
        "{status} {read}"
    );
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let (status, body) = new_merchant(&app, &admin).await;
        assert!(
            status == 201 || (status == 503 && body["error"]["code"] == "unavailable"),
            "{status} {body}"
        );
        statuses.push(status);
        if status == 201 {
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&201), "service resumes: {statuses:?}");
}
