//! The HTTP side: merchants with credit lines, and decisions (applications and draws, one of
//! each in turn) offered closed-loop to find the ceiling or open-loop at a fixed rate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use api::auth::Role;
use api::config::Config;
use serde_json::{json, Value};

pub struct Setup {
    pub base: String,
    pub client: reqwest::Client,
    pub admin: String,
    pub merchants: Vec<(String, String)>,
    pub setup_applications: usize,
}

/// One answered (or failed: status 0) request.
#[derive(Clone, Debug)]
pub struct Sample {
    /// When it was sent, from the start of its phase.
    pub sent: Duration,
    pub latency: Duration,
    pub status: u16,
    pub draw: bool,
    pub id: Option<String>,
}

pub async fn post(setup: &Setup, path: &str, token: &str, body: &Value) -> (u16, Value) {
    send(setup, reqwest::Method::POST, path, token, body).await
}

async fn send(
    setup: &Setup,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: &Value,
) -> (u16, Value) {
    let req = setup
        .client
        .request(method, format!("{}{path}", setup.base))
        .bearer_auth(token)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(body);
    match req.send().await {
        Ok(res) => (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        ),
        Err(_) => (0, Value::Null),
    }
}

pub async fn get(setup: &Setup, path: &str) -> (u16, Value) {
    match setup
        .client
        .get(format!("{}{path}", setup.base))
        .bearer_auth(&setup.admin)
        .send()
        .await
    {
        Ok(res) => (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        ),
        Err(_) => (0, Value::Null),
    }
}

fn application_body() -> Value {
    json!({"requested_limit": "50000.00", "currency": "CNY", "purpose": "stock_up", "consent_to_sales_data": true})
}

pub async fn setup(config: &Config, base: &str, merchants: usize) -> Setup {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        // Idle connections are dropped before the server's keep-alive (5 s) closes them: a
        // request sent on a connection the server is closing at that moment gets no answer.
        .pool_idle_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let admin =
        api::cli::mint_token(config, Role::Admin, "peak", Duration::from_secs(7200)).unwrap();
    let mut setup = Setup {
        base: base.to_string(),
        client,
        admin,
        merchants: Vec::new(),
        setup_applications: 0,
    };
    // The scheduled end of day (23:30 UTC by default) would otherwise fall inside the
    // measurements of a run started late in the day: its accrual takes the CPU for half a
    // second, and the draws in flight when it closes the day are refused (409). With the
    // business date at tomorrow, the schedule falls a day later.
    let tomorrow = chrono::Utc::now().date_naive().succ_opt().unwrap();
    let admin = setup.admin.clone();
    let (status, body) = send(
        &setup,
        reqwest::Method::PUT,
        "/v1/admin/business-date",
        &admin,
        &json!({ "business_date": tomorrow }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for i in 0..merchants {
        let body = json!({"kind": "merchant", "name": format!("Peak merchant {i}"), "registration_number": format!("PEAK-{}", uuid::Uuid::new_v4().simple()),
            "country": "CN", "sector": "grocery", "onboarded_on": "2024-01-01", "contact_email": "peak@example.com", "currency": "CNY",
            "store_opened_on": "2022-01-01", "returns_rate": "0.02",
            "monthly_sales": [{"month": "2026-08", "amount": "200000.00"}, {"month": "2026-09", "amount": "210000.00"}, {"month": "2026-10", "amount": "205000.00"}]});
        let admin = setup.admin.clone();
        let (status, party) = post(&setup, "/v1/parties", &admin, &body).await;
        assert_eq!(status, 201, "{party}");
        let id = party["id"].as_str().unwrap().to_string();
        let token =
            api::cli::mint_token(config, Role::Merchant, &id, Duration::from_secs(7200)).unwrap();
        let (status, application) = post(
            &setup,
            "/v1/credit-line-applications",
            &token,
            &application_body(),
        )
        .await;
        assert_eq!(status, 201, "{application}");
        setup.setup_applications += 1;
        if let Some(line) = application["credit_line_id"].as_str() {
            setup.merchants.push((token, line.to_string()));
        }
    }
    assert!(!setup.merchants.is_empty(), "no merchant was approved");
    setup
}

/// What a draw takes from a line: small enough that no line runs out in a full run (a line of
/// 25,000.00 took 250 draws of 100.00, and a run at 1,100 decisions/s used them all: the
/// last spike's draws were refused 422, cheaper than a decision).
const DRAW: &str = "10.00";

/// Decision number `n`: even numbers apply for a line, odd ones draw [`DRAW`] from one.
async fn decide(setup: &Setup, n: u64, phase_start: Instant) -> Sample {
    let (token, line) = &setup.merchants[(n as usize * 7919) % setup.merchants.len()];
    let draw = n % 2 == 1;
    let t0 = Instant::now();
    let (status, body) = if draw {
        let body = json!({"amount": DRAW, "tenor_days": 30, "repayment_method": "bullet"});
        post(
            setup,
            &format!("/v1/credit-lines/{line}/draws"),
            token,
            &body,
        )
        .await
    } else {
        post(
            setup,
            "/v1/credit-line-applications",
            token,
            &application_body(),
        )
        .await
    };
    Sample {
        sent: t0 - phase_start,
        latency: t0.elapsed(),
        status,
        draw,
        id: body["id"].as_str().map(String::from),
    }
}

/// The `Retry-After` of the server's default configuration.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// `workers` callers, each sending its next decision as soon as the last is answered (or, when
/// it was refused, after the wait the refusal asked for).
pub async fn closed_loop(setup: &Arc<Setup>, workers: u64, seconds: u64) -> Vec<Sample> {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut handles = Vec::new();
    for w in 0..workers {
        let setup = setup.clone();
        handles.push(tokio::spawn(async move {
            let mut out = Vec::new();
            let mut n = w;
            while Instant::now() < deadline {
                let sample = decide(&setup, n, start).await;
                // A refused caller waits as told (the server's `Retry-After`), as a client does:
                // retrying at once would only spin the machine's CPU against the bound.
                if sample.status == 503 {
                    tokio::time::sleep(RETRY_AFTER).await;
                }
                out.push(sample);
                n += workers;
            }
            out
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    all
}

/// Decisions offered at `rate` per second for `seconds`, whatever the answers (open loop).
/// Returns when the last one has been sent; the handle yields every answer.
pub async fn open_loop(
    setup: &Arc<Setup>,
    rate: f64,
    seconds: f64,
    first: u64,
) -> tokio::task::JoinHandle<Vec<Sample>> {
    let start = Instant::now();
    let total = (rate * seconds).round() as u64;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..total {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let (setup, tx) = (setup.clone(), tx.clone());
        tokio::spawn(async move {
            let _ = tx.send(decide(&setup, first + i, start).await);
        });
    }
    drop(tx);
    tokio::spawn(async move {
        let mut out = Vec::with_capacity(total as usize);
        while let Some(s) = rx.recv().await {
            out.push(s);
        }
        out
    })
}
