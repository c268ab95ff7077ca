//! Load generator: many merchants applying for lines and drawing loans concurrently against a
//! running server, at a fixed offered rate (open loop, so a slow server cannot slow the
//! offered load down and hide its latency).
//!
//! ```sh
//! cargo run --release -p api -- serve --data-dir /tmp/ll &            # the server
//! cargo run --release -p lendline-tests --bin load -- --data-dir /tmp/ll --rate 500 --seconds 20
//! ```
//! Tokens are minted with the server's data directory (its JWT secret).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use api::auth::Role;
use api::config::Config;
use serde_json::{json, Value};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

struct Setup {
    base: String,
    client: reqwest::Client,
    merchants: Vec<(String, String)>,
}

async fn post(
    client: &reqwest::Client,
    url: String,
    token: &str,
    body: &Value,
    key: bool,
) -> (u16, Value) {
    let mut req = client.post(url).bearer_auth(token).json(body);
    if key {
        req = req.header("Idempotency-Key", uuid::Uuid::new_v4().to_string());
    }
    match req.send().await {
        Ok(res) => (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        ),
        Err(_) => (0, Value::Null),
    }
}

async fn setup(config: &Config, base: &str, merchants: usize) -> Setup {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let admin =
        api::cli::mint_token(config, Role::Admin, "load", Duration::from_secs(3600)).unwrap();
    let mut out = Vec::new();
    for i in 0..merchants {
        let body = json!({"kind": "merchant", "name": format!("Load merchant {i}"), "registration_number": format!("LOAD-{}", uuid::Uuid::new_v4().simple()),
            "country": "CN", "sector": "grocery", "onboarded_on": "2024-01-01", "contact_email": "load@example.com", "currency": "CNY",
            "store_opened_on": "2022-01-01", "returns_rate": "0.02",
            "monthly_sales": [{"month": "2026-08", "amount": "200000.00"}, {"month": "2026-09", "amount": "210000.00"}, {"month": "2026-10", "amount": "205000.00"}]});
        let (status, party) =
            post(&client, format!("{base}/v1/parties"), &admin, &body, false).await;
        assert_eq!(status, 201, "{party}");
        let id = party["id"].as_str().unwrap().to_string();
        let token =
            api::cli::mint_token(config, Role::Merchant, &id, Duration::from_secs(3600)).unwrap();
        let (status, application) = post(
            &client,
            format!("{base}/v1/credit-line-applications"),
            &token,
            &application_body(),
            true,
        )
        .await;
        assert_eq!(status, 201, "{application}");
        if let Some(line) = application["credit_line_id"].as_str() {
            out.push((token, line.to_string()));
        }
    }
    Setup {
        base: base.to_string(),
        client,
        merchants: out,
    }
}

fn application_body() -> Value {
    json!({"requested_limit": "50000.00", "currency": "CNY", "purpose": "stock_up", "consent_to_sales_data": true})
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let base = arg("--base", "http://127.0.0.1:8080");
    let rate: u64 = arg("--rate", "500").parse().unwrap();
    let seconds: u64 = arg("--seconds", "20").parse().unwrap();
    let merchants: usize = arg("--merchants", "200").parse().unwrap();
    let mut config = Config::load(None, &|k| std::env::var(k).ok()).unwrap();
    config.data_dir = arg("--data-dir", "./.lendline").into();
    let setup = Arc::new(setup(&config, &base, merchants).await);
    assert!(!setup.merchants.is_empty(), "no merchant was approved");
    println!(
        "{} merchants with lines; offering {rate} requests/s for {seconds} s",
        setup.merchants.len()
    );

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut ticker = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    let started = Instant::now();
    for n in 0..rate * seconds {
        ticker.tick().await;
        let (setup, tx) = (setup.clone(), tx.clone());
        tokio::spawn(async move {
            let (token, line) = &setup.merchants[(n as usize * 7919) % setup.merchants.len()];
            let t0 = Instant::now();
            let (status, _) = if n % 2 == 0 {
                post(
                    &setup.client,
                    format!("{}/v1/credit-line-applications", setup.base),
                    token,
                    &application_body(),
                    true,
                )
                .await
            } else {
                let body =
                    json!({"amount": "100.00", "tenor_days": 30, "repayment_method": "bullet"});
                post(
                    &setup.client,
                    format!("{}/v1/credit-lines/{line}/draws", setup.base),
                    token,
                    &body,
                    true,
                )
                .await
            };
            let _ = tx.send((status, t0.elapsed()));
        });
    }
    drop(tx);
    let mut latencies = Vec::new();
    let mut failures = 0;
    while let Some((status, latency)) = rx.recv().await {
        if status == 201 {
            latencies.push(latency);
        } else {
            failures += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "decisions: {} ok, {failures} failed in {elapsed:.1} s = {:.0} decisions/s",
        latencies.len(),
        latencies.len() as f64 / elapsed
    );
    println!(
        "latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
}
