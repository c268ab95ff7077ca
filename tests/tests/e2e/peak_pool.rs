//! Peak night: the connections a spike opened do not stay open once it is over.

use std::time::{Duration, Instant};

use lendline_tests::TestApp;

/// The pool's open connections, read from `/metrics`.
async fn open_connections(app: &TestApp) -> u64 {
    let metrics = app.metrics().await;
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("db_pool_connections "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no db_pool_connections in {metrics}"))
}

#[tokio::test]
async fn connections_a_burst_opened_close_once_idle_down_to_the_minimum() {
    let app = TestApp::spawn_with(|c| {
        c.pool_size = 8;
        c.database.min_idle = 1;
        c.database.idle_timeout_seconds = 1;
    })
    .await;
    let admin = app.admin();
    // Reads, each on a connection of its own at once (writes of one caller share a lane of
    // the group commit, and with it one connection).
    let burst = (0..48).map(|_| app.get("/v1/parties?limit=200", &admin));
    for (status, body) in futures_util::future::join_all(burst).await {
        assert!(status == 200 || status == 503, "{status} {body}");
    }
    let opened = open_connections(&app).await;
    assert!(
        opened > 1,
        "the burst ran on {opened} connection(s): nothing to close"
    );

    // r2d2 closes idle connections above the minimum every 30 s.
    let deadline = Instant::now() + Duration::from_secs(75);
    loop {
        let open = open_connections(&app).await;
        if open <= 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open} of {opened} connections still open"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (status, body) = app
        .post(
            "/v1/parties",
            &admin,
            &lendline_tests::party_body("merchant"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}
