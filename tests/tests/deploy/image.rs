//! `deploy/Dockerfile` and the configuration file it ships: built in stages, run unprivileged,
//! exposing and health-checking the ports that configuration makes the server listen on.

use std::collections::{BTreeMap, BTreeSet};

use api::config::Config;

use crate::support::{self, port_of};

pub const DOCKERFILE: &str = "deploy/Dockerfile";
pub const CONTAINER_TOML: &str = "deploy/lendline.container.toml";

/// The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined.
pub fn instructions() -> Vec<(String, String)> {
    let text = support::read(DOCKERFILE);
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(trimmed);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    joined
        .into_iter()
        .map(|line| {
            let (keyword, args) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
            (keyword.to_ascii_uppercase(), args.trim().to_string())
        })
        .collect()
}

fn all(keyword: &str) -> Vec<String> {
    instructions()
        .into_iter()
        .filter(|(k, _)| k == keyword)
        .map(|(_, args)| args)
        .collect()
}

/// Where the image keeps its configuration file (its `LENDLINE_CONFIG`).
pub fn config_path() -> String {
    let env = all("ENV");
    let value = env
        .iter()
        .find_map(|args| args.strip_prefix("LENDLINE_CONFIG="))
        .expect("the image sets LENDLINE_CONFIG");
    value.to_string()
}

/// The numeric user the image runs as.
pub fn user_id() -> u32 {
    let users = all("USER");
    let last = users.last().expect("the image names its USER");
    let uid = last.split(':').next().unwrap();
    uid.parse()
        .unwrap_or_else(|_| panic!("USER {last} is not numeric: runAsNonRoot cannot verify it"))
}

/// The configuration the image starts with: its own file and an environment that only sets
/// the secrets (DATABASE_URL, LENDLINE_JWT_SECRET) as compose and Kubernetes do.
pub fn image_config() -> Config {
    let env = BTreeMap::from([
        (
            "DATABASE_URL".to_string(),
            "postgres://u:p@db/x".to_string(),
        ),
        (
            "LENDLINE_JWT_SECRET".to_string(),
            support::SOME_JWT_SECRET.to_string(),
        ),
    ]);
    support::load_config(CONTAINER_TOML, &support::read(CONTAINER_TOML), &env)
}

/// The path the HEALTHCHECK asks for, and on which port.
pub fn health_check() -> (u16, String) {
    let checks = all("HEALTHCHECK");
    let check = checks.last().expect("the image has a HEALTHCHECK");
    let url = check
        .split(['"', ' '])
        .find(|word| word.starts_with("http://"))
        .expect("the HEALTHCHECK asks an http:// URL");
    support::url_port_and_path(url)
}

#[test]
fn the_image_is_built_in_stages_and_runs_as_an_unprivileged_user() {
    let stages = all("FROM");
    assert!(stages.len() >= 2, "one stage: {stages:?}");
    assert!(
        stages[1..].iter().all(|s| !s.starts_with("rust")),
        "the runtime stage must not carry the toolchain: {stages:?}"
    );
    assert_ne!(user_id(), 0, "the image runs as root");
    let copies = all("COPY");
    assert!(
        copies.iter().any(|c| c.starts_with("--from=")),
        "the binary is copied from the build stage: {copies:?}"
    );
    let ignored = support::read(".dockerignore");
    assert!(
        ignored.lines().any(|l| l.trim() == "target"),
        "the build context would carry the target directory"
    );
    let entrypoint = all("ENTRYPOINT").join(" ");
    assert!(entrypoint.contains("lendline"), "{entrypoint}");
    let command = all("CMD").join(" ");
    let subcommands = support::server_subcommands();
    assert!(
        subcommands
            .iter()
            .any(|s| command.contains(&format!("\"{s}\""))),
        "CMD {command} names none of {subcommands:?}"
    );
}

#[test]
fn the_image_configuration_is_the_file_it_copies_and_the_server_loads_it() {
    let target = config_path();
    let copies = all("COPY");
    assert!(
        copies
            .iter()
            .any(|c| c == &format!("{CONTAINER_TOML} {target}")),
        "the image must copy {CONTAINER_TOML} to {target}: {copies:?}"
    );
    let config = image_config();
    support::assert_reachable("bind", &config.bind);
    support::assert_reachable("management_bind", &config.management_bind);
    assert!(
        !config.run_migrations,
        "replicas must not migrate concurrently: `lendline migrate` runs first"
    );
    let file: toml::Value = toml::from_str(&support::read(CONTAINER_TOML)).unwrap();
    assert!(
        file.get("database_url").is_none(),
        "database_url belongs in a secret"
    );
    assert!(
        file["jwt"].get("secret").is_none(),
        "jwt.secret belongs in a secret"
    );
}

#[test]
fn the_image_exposes_and_health_checks_the_configured_ports() {
    let config = image_config();
    let exposed: BTreeSet<u16> = all("EXPOSE")
        .iter()
        .flat_map(|args| args.split_whitespace().map(|p| p.parse::<u16>().unwrap()))
        .collect();
    let configured = BTreeSet::from([port_of(&config.bind), port_of(&config.management_bind)]);
    assert_eq!(
        exposed, configured,
        "EXPOSE against bind and management_bind"
    );
    let (port, path) = health_check();
    assert_eq!(port, port_of(&config.bind), "HEALTHCHECK asks the API port");
    assert_eq!(path, "/health/live", "HEALTHCHECK asks the liveness probe");
}
