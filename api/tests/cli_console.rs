//! The console as an operator reaches it with the real binary: `lendline token --link` prints a
//! sign-in link to the running server's console, and long jobs (`migrate`, `eod`) report their
//! progress as plain lines when stderr is not a terminal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use reqwest::blocking::Client;

const BIN: &str = env!("CARGO_BIN_EXE_lendline");

fn lendline(args: &[&str], data_dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .env_remove("DATABASE_URL")
        .env_remove("LENDLINE_CONFIG")
        .env_remove("LENDLINE_JWT_SECRET")
        .env_remove("LENDLINE_BIND");
    cmd
}

fn run(args: &[&str], data_dir: &Path) -> Output {
    let out = lendline(args, data_dir).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn serve(data_dir: &Path, bind: &str) -> Child {
    let mut child = lendline(&["serve", "--bind", bind], data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        let ready = Client::new()
            .get(format!("http://{bind}/health/ready"))
            .send();
        if ready.is_ok_and(|r| r.status() == 200) {
            return child;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not become ready");
}

#[test]
fn long_jobs_report_progress_and_the_printed_link_opens_the_console_signed_in() {
    let dir = tempfile::tempdir().unwrap();
    let migrate = run(&["migrate"], dir.path());
    let lines = String::from_utf8_lossy(&migrate.stderr);
    assert!(lines.contains("migrate: re-keying identifiers"), "{lines}");
    assert!(lines.contains("migrate: done"), "{lines}");
    let eod = run(&["eod"], dir.path());
    let lines = String::from_utf8_lossy(&eod.stderr);
    assert!(
        lines.contains("end of day: ") && lines.contains("accrual, aging"),
        "{lines}"
    );

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = serve(dir.path(), &bind);
    let mut token = lendline(
        &[
            "token",
            "--role",
            "risk_officer",
            "--party",
            "officer-7",
            "--link",
        ],
        dir.path(),
    );
    let out = token.env("LENDLINE_BIND", &bind).output().unwrap();
    assert!(out.status.success());
    let link = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let prefix = format!("http://{bind}/console/#token=");
    assert!(link.starts_with(&prefix), "{link}");

    // The fragment never reaches the server: the page loads, then uses the token itself.
    let page = Client::new().get(&link).send().unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(page.text().unwrap().contains("queue.js"));
    let bearer = &link[prefix.len()..];
    let portfolio = Client::new()
        .get(format!("http://{bind}/v1/portfolio"))
        .bearer_auth(bearer)
        .send()
        .unwrap();
    assert_eq!(portfolio.status(), 200);

    kill(Pid::from_raw(server.id() as i32), Signal::SIGTERM).unwrap();
    assert!(server.wait().unwrap().success());
}
