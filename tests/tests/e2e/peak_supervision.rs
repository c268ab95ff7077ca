//! The embedded default supervises its cluster: a postmaster killed under a running server is
//! started again and service resumes; stopping the server stops the cluster.

use std::time::{Duration, Instant};

use api::app::Application;
use api::auth::Role;
use api::config::Config;
use lendline_tests::{read, TEST_SECRET};

fn postmaster_pid(data_dir: &std::path::Path) -> i32 {
    let text = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid")).unwrap();
    text.lines().next().unwrap().trim().parse().unwrap()
}

#[tokio::test]
async fn a_killed_embedded_cluster_is_restarted_and_service_resumes() {
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        bind: "127.0.0.1:0".into(),
        data_dir: data_dir.path().to_path_buf(),
        ..Config::default()
    };
    config.jwt.secret = Some(TEST_SECRET.into());
    config.loans.eod_at = None;
    let build = config.clone();
    let app = tokio::task::spawn_blocking(move || Application::build(build))
        .await
        .unwrap()
        .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let running = tokio::spawn(app.run_until_stopped());
    let admin =
        api::cli::mint_token(&config, Role::Admin, "platform", Duration::from_secs(600)).unwrap();
    let client = reqwest::Client::new();
    let parties = || {
        client
            .get(format!("{base}/v1/parties"))
            .bearer_auth(&admin)
            .send()
    };
    let (status, body) = read(parties().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");

    let pid = postmaster_pid(data_dir.path());
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let killed = Instant::now();
    // Requests on connections opened before the kill may still be served for a moment; what
    // matters is that a new postmaster comes up and serves.
    loop {
        let (status, body) = read(parties().await.unwrap()).await;
        assert!(status == 200 || status == 503, "{status}: {body}");
        let restarted = std::fs::read_to_string(data_dir.path().join("postgres/postmaster.pid"))
            .ok()
            .and_then(|t| t.lines().next()?.trim().parse::<i32>().ok())
            .is_some_and(|new| new != pid);
        if status == 200 && restarted {
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(20),
            "never came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    handle.stop(true).await;
    running.await.unwrap().unwrap();
    let pid_file = data_dir.path().join("postgres/postmaster.pid");
    assert!(
        !pid_file.exists(),
        "the cluster was stopped with the server"
    );
}
