//! The `lendline` binary as operators use it: the embedded default, tokens, shutdown on
//! SIGTERM, data that survives a restart, and a clear error without PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use reqwest::blocking::Client;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_lendline");

fn lendline(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("LENDLINE_CONFIG")
        .env_remove("LENDLINE_JWT_SECRET")
        .env_remove("LENDLINE_PG_BIN_DIR");
    cmd
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(data_dir: &Path) -> Server {
        let bind = format!("127.0.0.1:{}", free_port());
        let child = lendline(&[
            "serve",
            "--bind",
            &bind,
            "--data-dir",
            data_dir.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        let server = Server {
            child,
            base: format!("http://{bind}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = Client::new();
        while Instant::now() < deadline {
            if let Ok(res) = client.get(format!("{}/health/ready", server.base)).send() {
                if res.status() == 200 {
                    return server;
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("server did not become ready");
    }

    /// SIGTERM, then wait: the server must stop by itself and take its cluster down.
    fn terminate(mut self) {
        kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "server exited with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("server did not stop on SIGTERM");
    }
}

fn token(data_dir: &Path, role: &str, party: &str) -> String {
    let out = lendline(&[
        "token",
        "--role",
        role,
        "--party",
        party,
        "--data-dir",
        data_dir.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn cluster_is_running(data_dir: &Path) -> bool {
    data_dir.join("postgres/postmaster.pid").exists()
}

#[test]
fn data_survives_a_restart_of_the_embedded_default_and_sigterm_stops_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    assert!(cluster_is_running(dir.path()));
    let admin = token(dir.path(), "admin", "platform");
    let party = json!({"kind": "core_enterprise", "name": "Big Buyer", "registration_number": "BB-1",
        "country": "CN", "sector": "retail", "onboarded_on": "2024-01-01",
        "contact_email": "ap@buyer.example", "currency": "CNY"});
    let created: Value = Client::new()
        .post(format!("{}/v1/parties", server.base))
        .bearer_auth(&admin)
        .json(&party)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    server.terminate();
    assert!(
        !cluster_is_running(dir.path()),
        "the embedded cluster is still running"
    );

    let server = Server::start(dir.path());
    let res = Client::new()
        .get(format!("{}/v1/parties/{id}", server.base))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "a token minted before the restart still works"
    );
    assert_eq!(res.json::<Value>().unwrap()["name"], "Big Buyer");
    server.terminate();
}

#[test]
fn serve_without_postgresql_binaries_names_the_package_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out: Output = lendline(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ])
    .env("LENDLINE_PG_BIN_DIR", empty.path())
    .output()
    .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("apt-get install postgresql"), "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

#[test]
fn token_refuses_a_business_role_without_a_party_id() {
    let dir = tempfile::tempdir().unwrap();
    let out = lendline(&[
        "token",
        "--role",
        "merchant",
        "--party",
        "platform",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("party id"));
}

#[test]
fn help_documents_every_subcommand() {
    let out = lendline(&["--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "token", "migrate", "scoring"] {
        assert!(help.contains(sub), "{help}");
    }
}

#[test]
fn scoring_train_writes_a_loadable_model_and_evaluate_reports_its_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("merchants.csv");
    let merchants = credit_scoring::synthetic::generate_merchants(3_000, 11);
    credit_scoring::synthetic::write_merchants_csv(
        &merchants,
        std::fs::File::create(&data).unwrap(),
    )
    .unwrap();
    let model = dir.path().join("model.json");
    let data_arg = data.to_str().unwrap();
    let model_arg = model.to_str().unwrap();
    let out = lendline(&[
        "scoring",
        "train",
        "--data",
        data_arg,
        "--target",
        "default",
        "--bad",
        "1",
        "--exclude",
        "merchant_id,online_share",
        "--out",
        model_arg,
        "--id",
        "cli-test",
        "--version",
        "3",
    ])
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("training AUC"), "{stdout}");
    assert!(
        !stdout.contains("online_share"),
        "an excluded column was considered: {stdout}"
    );

    let document: credit_scoring::ModelDocument =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!((document.id.as_str(), document.version), ("cli-test", 3));
    credit_scoring::CompiledModel::compile(&document).unwrap();

    let out = lendline(&[
        "scoring", "evaluate", "--model", model_arg, "--data", data_arg, "--target", "default",
        "--bad", "1",
    ])
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metric = |name: &str| -> f64 {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {stdout}"));
        line[name.len() + 1..].trim().parse().unwrap()
    };
    assert!(metric("AUC") > 0.65, "{stdout}");
    assert!((metric("Gini") - (2.0 * metric("AUC") - 1.0)).abs() < 1e-3);
    assert!(metric("KS") > 0.0);
    assert!(
        metric("PSI") < 0.05,
        "the training data cannot drift from itself: {stdout}"
    );
}

#[test]
fn scoring_evaluate_refuses_a_broken_model_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    let mut document = credit_scoring::default_model().unwrap();
    document.features.clear();
    std::fs::write(&model, serde_json::to_string(&document).unwrap()).unwrap();
    let data = dir.path().join("data.csv");
    std::fs::write(&data, "default\n1\n0\n").unwrap();
    let out = lendline(&[
        "scoring",
        "evaluate",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--target",
        "default",
        "--bad",
        "1",
    ])
    .output()
    .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least one feature"));
}
