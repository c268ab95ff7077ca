//! Load generator (ignored by default): receivable submissions per second through HTTP with
//! the duplicate check, under concurrent load, against the real server and PostgreSQL.
//!
//! `cargo test -p lendline-tests --test e2e scf_load -- --ignored --nocapture`
//! (`SCF_LOAD_TOTAL` and `SCF_LOAD_CONCURRENCY` override the 2,000 submissions and 32 in
//! flight). One in ten submissions repeats an earlier invoice written differently and must be
//! refused with 409.

use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use tokio::sync::Semaphore;

use crate::scf_support::{in_days, setup};
use lendline_tests::TestApp;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load generator: run explicitly"]
async fn scf_load_receivable_submissions_per_second() {
    let total = env_or("SCF_LOAD_TOTAL", 2_000);
    let concurrency = env_or("SCF_LOAD_CONCURRENCY", 32);
    let app = TestApp::spawn_with(|c| c.pool_size = 16).await;
    let scf = setup(&app, json!({})).await;
    let gate = Arc::new(Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        // Every tenth submission repeats invoice i − 5 with its number written differently.
        let number = if i % 10 == 9 {
            format!("inv {:07}", i - 5)
        } else {
            format!("INV-{i}")
        };
        let body = json!({"debtor_id": scf.core, "invoice_number": number,
            "issue_date": in_days(-5), "due_date": in_days(60), "amount": "1000.00", "currency": "CNY"});
        let (client, url, token, gate) = (
            app.client.clone(),
            app.url("/v1/receivables"),
            scf.supplier_token.clone(),
            gate.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let (mut created, mut duplicates) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            201 => created += 1,
            409 => duplicates += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "receivable submissions: {total} in {seconds:.2}s = {:.0}/s at concurrency {concurrency} \
         ({created} created, {duplicates} refused as duplicates)",
        total as f64 / seconds
    );
    assert_eq!(duplicates, total / 10);
}
