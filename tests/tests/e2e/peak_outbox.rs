//! The outbox under a mail server that misbehaves: one that accepts connections and then never
//! says a word costs each message one failed attempt after its deadline, and never holds up
//! shutdown past the grace period.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use api::app::Application;
use api::config::Config;
use lendline_tests::{party_body, TestApp};
use serde_json::Value;
use tokio::net::TcpListener;

/// A "mail server" that accepts connections, keeps them open and never answers; answers its
/// port and how many connections it has accepted.
async fn silent_smtp() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn a_silent_mail_server_costs_one_attempt_per_deadline_and_never_blocks_shutdown() {
    let (port, _) = silent_smtp().await;
    let app = TestApp::spawn_with(|c| {
        c.smtp.host = Some("127.0.0.1".into());
        c.smtp.port = port;
        c.smtp.poll_interval_ms = 20;
        c.smtp.backoff_base_ms = 60_000;
        c.smtp.message_deadline_ms = 300;
        c.shutdown_grace_seconds = 1;
    })
    .await;
    for _ in 0..2 {
        let (status, body) = app
            .post("/v1/parties", &app.admin(), &party_body("merchant"))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    // Both welcome emails are tried (the second is not stuck behind the first) and fail by
    // their deadline.
    let started = Instant::now();
    loop {
        let (status, page) = app.get("/v1/admin/outbox", &app.admin()).await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        let timed_out = items
            .iter()
            .filter(|e| e["attempts"] == 1 && error_of(e).contains("no answer within"))
            .count();
        if timed_out == 2 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn shutdown_ends_within_the_grace_period_while_the_mail_server_is_silent() {
    let (port, accepted) = silent_smtp().await;
    // A server of its own on a fresh database: no other worker can take the message.
    let url = tokio::task::spawn_blocking(lendline_tests::fresh_database_url)
        .await
        .unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        bind: "127.0.0.1:0".into(),
        data_dir: data_dir.path().to_path_buf(),
        database_url: Some(url.clone()),
        run_migrations: false,
        ..Config::default()
    };
    config.jwt.secret = Some(lendline_tests::TEST_SECRET.into());
    config.loans.eod_at = None;
    config.smtp.host = Some("127.0.0.1".into());
    config.smtp.port = port;
    config.smtp.poll_interval_ms = 20;
    config.smtp.message_deadline_ms = 60_000;
    config.shutdown_grace_seconds = 1;
    let server = Application::build(config).unwrap();
    let handle = server.handle();
    let running = tokio::spawn(server.run_until_stopped());
    tokio::task::spawn_blocking(move || {
        let mut conn = persistence::db::connect(&url).unwrap();
        let email = persistence::outbox::NewEmail {
            recipient: "late@example.com".into(),
            template: "welcome".into(),
            subject: "Hello".into(),
            text_body: "Hello".into(),
            html_body: "<p>Hello</p>".into(),
            reference: None,
        };
        persistence::outbox::enqueue(&mut conn, &email).unwrap();
    })
    .await
    .unwrap();
    // Stop only once the worker is in its conversation with the silent server.
    let deadline = Instant::now() + Duration::from_secs(10);
    while accepted.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the worker never called the mail server"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stopping = Instant::now();
    handle.stop(true).await;
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("shutdown hung")
        .unwrap()
        .unwrap();
    let took = stopping.elapsed();
    assert!(took < Duration::from_secs(4), "shutdown took {took:?}");
}

fn error_of(entry: &Value) -> String {
    entry["last_error"].as_str().unwrap_or_default().to_string()
}
