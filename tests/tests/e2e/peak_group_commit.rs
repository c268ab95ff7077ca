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

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_draws_commit_in_batches_and_a_refused_draw_fails_alone() {
    // One lane: every write queues behind the batch that is running, so batches must form.
    let app = Arc::new(
        TestApp::spawn_with(|c| {
            c.group_commit.lanes = 1;
            c.group_commit.max_batch = 8;
        })
        .await,
    );
    set_date(&app, "2026-09-01").await;
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
