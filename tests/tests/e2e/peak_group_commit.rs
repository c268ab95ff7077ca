//! Issue 14: group commit. Concurrent draws on one lane are committed in batches, every caller
//! answered only after its batch committed; a draw refused inside a batch is refused alone, its
//! neighbours' money moves, and the books balance.

use std::sync::Arc;

use lendline_tests::TestApp;
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

use crate::lending_support::{
    apply, assert_books_sound, merchant_with_sales, post_keyed, set_date,
};

/// The value of the sample whose line starts with `series`.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {series} in {text}"))
}

/// One lane: every write queues behind the batch that is running, so batches must form.
fn one_lane(c: &mut api::config::Config) {
    c.group_commit.lanes = 1;
    c.group_commit.max_batch = 8;
}

/// `app` on business date 2026-09-01.
async fn on_date(app: TestApp) -> Arc<TestApp> {
    set_date(&app, "2026-09-01").await;
    Arc::new(app)
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_draws_commit_in_batches_and_a_refused_draw_fails_alone() {
    let app = on_date(TestApp::spawn_with(one_lane).await).await;
    let mut lines = Vec::new();
    for _ in 0..4 {
        let (_, token) = merchant_with_sales(&app, "200000.00").await;
        let (status, application) = apply(&app, &token, "20000.00").await;
        assert_eq!(status, 201, "{application}");
        let line: Uuid = application["credit_line_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        lines.push((line, token));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..6 {
        for (i, (line, token)) in lines.iter().enumerate() {
            // Line 0's third draw asks for more than the line has left: refused alone.
            let amount = if i == 0 && round == 2 {
                "90000.00"
            } else {
                "1000.00"
            };
            let (app, line, token) = (app.clone(), *line, token.clone());
            tasks.spawn(async move {
                let body =
                    json!({"amount": amount, "tenor_days": 30, "repayment_method": "bullet"});
                let path = format!("/v1/credit-lines/{line}/draws");
                let key = Uuid::new_v4().to_string();
                (
                    line,
                    amount,
                    post_keyed(&app, &path, &token, &key, &body).await,
                )
            });
        }
    }
    let mut drawn = std::collections::HashMap::<Uuid, Decimal>::new();
    let mut loans = std::collections::HashSet::new();
    while let Some(answer) = tasks.join_next().await {
        let (line, amount, (status, body)) = answer.unwrap();
        if amount == "90000.00" {
            assert_eq!(status, 422, "{body}");
            assert_eq!(body["error"]["code"], "exceeds_available_limit", "{body}");
            // Amounts in the message in the currency's minor units, like everywhere else.
            let message = body["error"]["message"].as_str().unwrap();
            let available = message
                .strip_prefix("requested 90000.00 but only ")
                .and_then(|m| m.strip_suffix(" is available"))
                .unwrap_or_else(|| panic!("{message}"));
            assert_eq!(
                available.split_once('.').map(|(_, d)| d.len()),
                Some(2),
                "{message}"
            );
            continue;
        }
        assert_eq!(status, 201, "{body}");
        assert!(
            loans.insert(body["id"].as_str().unwrap().to_string()),
            "{body}"
        );
        *drawn.entry(line).or_default() += amount.parse::<Decimal>().unwrap();
    }
    assert_eq!(loans.len(), 23, "every accepted draw is its own loan");
    for (line, token) in &lines {
        let (status, view) = app.get(&format!("/v1/credit-lines/{line}"), token).await;
        assert_eq!(status, 200, "{view}");
        let used: Decimal = view["used"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            used, drawn[line],
            "the line holds exactly its committed draws: {view}"
        );
    }
    let metrics = app.metrics().await;
    let batches = sample(&metrics, "group_commit_batch_size_count");
    let writes = sample(&metrics, "group_commit_batch_size_sum");
    assert!(
        writes > batches,
        "some writes shared a commit: {writes} in {batches}"
    );
    assert_books_sound(&app).await;
}

/// The sessions (other than those in `except`) of statements waiting for a lock in `url`'s
/// database, once there is one.
fn lock_waiters(url: &str, except: &[i32]) -> Vec<i32> {
    use diesel::RunQueryDsl;
    let mut conn = persistence::db::connect(url).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let waiting: Vec<i32> = diesel::sql_query(
            "SELECT pid FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND backend_type = 'client backend'",
        )
        .load::<Pid>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|p| p.pid)
        .filter(|pid| !except.contains(pid))
        .collect();
        if !waiting.is_empty() {
            return waiting;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no statement waited for the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[derive(diesel::QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

/// Ends the sessions `pids` (a failover, an administrator).
fn terminate(url: &str, pids: &[i32]) {
    use diesel::RunQueryDsl;
    let mut conn = persistence::db::connect(url).unwrap();
    for pid in pids {
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut conn)
            .unwrap();
    }
}

/// A batch whose connection is lost while one of its writes runs: that write and every write
/// queued after it in the batch are answered 503 with `Retry-After` (not 500, "never
/// answered"); nothing of the batch happened, and each retry with its key moves money once.
#[tokio::test(flavor = "multi_thread")]
async fn writes_of_a_batch_whose_connection_is_lost_midway_get_503_and_retry_once() {
    // A plain database even on a Citus cluster: there the draw would wait for the lock on a
    // worker, and this test ends the session of the statement that waits.
    let app = on_date(TestApp::spawn_plain_with(one_lane).await).await;
    let (_, token) = merchant_with_sales(&app, "200000.00").await;
    let mut lines = Vec::new();
    for _ in 0..2 {
        let (status, application) = apply(&app, &token, "5000.00").await;
        assert_eq!(status, 201, "{application}");
        lines.push(application["credit_line_id"].as_str().unwrap().to_string());
    }
    // Another session holds the second line's row: a draw on it waits for the lock.
    let held = lendline_tests::HeldLock::new(
        &app.database_url,
        &format!(
            "SELECT 1 FROM credit_lines WHERE id = '{}' FOR UPDATE",
            lines[1]
        ),
    );
    let draw = |n: usize| {
        let (app, token) = (app.clone(), token.clone());
        // Draws 0 and 5 are on the locked line; draw 4 fits the other line's 5,000 only
        // without draws 1 to 3.
        let line = lines[usize::from(n == 0 || n == 5)].clone();
        let amount = if n == 4 { "4980.00" } else { "10.00" };
        async move {
            let body = json!({"amount": amount, "tenor_days": 30, "repayment_method": "bullet"});
            let res = app
                .client
                .post(app.url(&format!("/v1/credit-lines/{line}/draws")))
                .bearer_auth(&token)
                .header("Idempotency-Key", format!("lost-batch-{n}"))
                .json(&body)
                .send()
                .await
                .unwrap();
            let retry_after = res.headers().contains_key("retry-after");
            let (status, body) = lendline_tests::read(res).await;
            (status, retry_after, body)
        }
    };
    let url = app.database_url.clone();
    let waiters = move |except: Vec<i32>| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || lock_waiters(&url, &except))
    };
    // The first draw runs alone and waits for the lock; the next five queue behind it, in
    // order, and form the next batch: three draws, one refused for what they use, and one on
    // the locked line.
    let mut draws = vec![tokio::spawn(draw(0))];
    let first = waiters(Vec::new()).await.unwrap();
    for n in 1..=5 {
        draws.push(tokio::spawn(draw(n)));
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    // All six admitted, the five then queue in the lane behind the first (no database work
    // happens before a write's turn).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !app
        .metrics()
        .await
        .contains("requests_in_flight{class=\"writes\"} 6")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the draws were never admitted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // The first draw's session ends; the batch starts, and its draw on the locked line waits
    // in turn until its session ends too.
    let url = app.database_url.clone();
    let ended = first.clone();
    tokio::task::spawn_blocking(move || terminate(&url, &ended))
        .await
        .unwrap();
    let second = waiters(first.clone()).await.unwrap();
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || terminate(&url, &second))
        .await
        .unwrap();
    let mut answers = Vec::new();
    for draw in draws {
        answers.push(draw.await.unwrap());
    }
    drop(held);
    for (n, (status, retry_after, body)) in answers.iter().enumerate() {
        assert_eq!(*status, 503, "draw {n}: {body}");
        assert!(retry_after, "draw {n} without Retry-After");
        assert_eq!(body["error"]["code"], "unavailable", "draw {n}: {body}");
    }
    // Nothing of the lost batch happened, the refusal included (it rested on draws that did
    // not happen): each retry draws once, a second retry replays; draw 4 first, so now the
    // last of the three small ones is refused.
    for n in [0, 5, 4, 1, 2, 3] {
        for _ in 0..2 {
            let (status, _, body) = draw(n).await;
            let expected = if n == 3 { 422 } else { 201 };
            assert_eq!(status, expected, "retry of draw {n}: {body}");
        }
    }
    for (line, used) in [(&lines[1], "20.00"), (&lines[0], "5000.00")] {
        let (status, body) = app.get(&format!("/v1/credit-lines/{line}"), &token).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["used"], used, "{body}");
    }
    assert_books_sound(&app).await;
}
