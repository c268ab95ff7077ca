//! Issue 14: the server counts what matters at the peak. Every automated decision that commits
//! is counted by route and outcome (a replay is not a second decision), and every request's
//! statements to PostgreSQL are counted by route (BEGIN and COMMIT included), so the cost of a
//! decision path is read off `/metrics`, not guessed.

use crate::lending_support::{merchant_with_sales, post_keyed, set_date};
use serde_json::json;

/// The value of the sample whose line starts with `series` (name and labels).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn decisions_are_counted_by_outcome_and_statements_by_route() {
    let app = lendline_tests::TestApp::spawn().await;
    set_date(&app, "2026-09-01").await;
    let (_, token) = merchant_with_sales(&app, "200000.00").await;
    let path = "/v1/credit-line-applications";
    let ask = json!({"requested_limit": "50000.00", "currency": "CNY", "purpose": "stock_up",
        "consent_to_sales_data": true});
    let (status, first) = post_keyed(&app, path, &token, "m-1", &ask).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["outcome"], "approved", "{first}");
    let (status, replay) = post_keyed(&app, path, &token, "m-1", &ask).await;
    assert_eq!(status, 201, "{replay}");

    let text = app.metrics().await;
    let approved = format!("decisions_total{{outcome=\"approved\",route=\"{path}\"}}");
    assert_eq!(sample(&text, &approved), Some(1.0), "{text}");
    let count = format!("db_statements_per_request_count{{route=\"{path}\"}}");
    assert_eq!(
        sample(&text, &count),
        Some(2.0),
        "one per request, the replay too: {text}"
    );
    let sum = format!("db_statements_per_request_sum{{route=\"{path}\"}}");
    let statements = sample(&text, &sum).expect("a sum of statements");
    // A decision takes more than BEGIN and COMMIT; a replay takes fewer than a decision.
    assert!(
        statements > 6.0,
        "{statements} statements for a decision and its replay"
    );
}
