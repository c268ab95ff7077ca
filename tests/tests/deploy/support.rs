//! What the manifest checks share: reading files under `deploy/`, the names the server reads
//! from its environment and command line (asked of the server's own code, not listed here),
//! and loading a configuration file exactly as the server does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;

use api::config::Config;
use clap::CommandFactory;
use serde_json::Value;

/// The JWT secret given to loaders where a manifest takes it from outside (≥ 32 bytes).
pub const SOME_JWT_SECRET: &str = "a-test-secret-that-is-long-enough-0123456789";

pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

pub fn read(relative: &str) -> String {
    let path = repo_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every YAML document in a file, as JSON values (manifests use no tags or merge keys).
pub fn yaml_documents(relative: &str) -> Vec<Value> {
    yaml_documents_of(relative, &read(relative))
}

/// Every YAML document in `text` (read from `relative`).
pub fn yaml_documents_of(relative: &str, text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|document| {
            serde::Deserialize::deserialize(document)
                .unwrap_or_else(|e| panic!("{relative} is not valid YAML: {e}"))
        })
        .filter(|v: &Value| !v.is_null())
        .collect()
}

/// The environment variables the server consults: those `Config::load` asks for (recorded
/// while it loads) and those the command line reads (`#[arg(env = …)]`).
pub fn server_env_names() -> BTreeSet<String> {
    let asked = Mutex::new(BTreeSet::new());
    Config::load(None, &|name| {
        asked.lock().unwrap().insert(name.to_string());
        None
    })
    .unwrap();
    let mut names = asked.into_inner().unwrap();
    let mut commands = vec![api::cli::Cli::command()];
    while let Some(command) = commands.pop() {
        for arg in command.get_arguments() {
            if let Some(env) = arg.get_env() {
                names.insert(env.to_string_lossy().into_owned());
            }
        }
        commands.extend(command.get_subcommands().cloned());
    }
    assert!(names.contains("DATABASE_URL"), "{names:?}");
    names
}

/// The `lendline` subcommands (`serve`, `migrate`, …).
pub fn server_subcommands() -> BTreeSet<String> {
    api::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

/// Loads `toml` as the server would with `env` as its whole environment, after checking that
/// every variable in `env` is one the server reads (a misspelt name would be silently ignored).
pub fn load_config(what: &str, toml: &str, env: &BTreeMap<String, String>) -> Config {
    let known = server_env_names();
    for name in env.keys() {
        assert!(
            known.contains(name),
            "{what} sets {name}, which the server does not read"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lendline.toml");
    std::fs::write(&file, toml).unwrap();
    Config::load(Some(&file), &|name| env.get(name).cloned())
        .unwrap_or_else(|e| panic!("{what}: the server refuses its configuration: {e}"))
}

/// The port of a `host:port` listen address.
pub fn port_of(bind: &str) -> u16 {
    bind.parse::<std::net::SocketAddr>()
        .unwrap_or_else(|e| panic!("{bind} is not an address: {e}"))
        .port()
}

/// A listen address that other containers or pods can reach (not loopback).
pub fn assert_reachable(what: &str, bind: &str) {
    let address: std::net::SocketAddr = bind.parse().unwrap();
    assert!(
        !address.ip().is_loopback(),
        "{what} listens on {bind}: unreachable from outside the container"
    );
}

/// The string at a JSON pointer, or a failure naming what is missing.
pub fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value}"))
}

/// The array at a JSON pointer (empty when absent).
pub fn list<'a>(value: &'a Value, pointer: &str) -> &'a [Value] {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The `path` and `port` of an HTTP URL such as `http://127.0.0.1:8080/health/live`.
pub fn url_port_and_path(url: &str) -> (u16, String) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let port = authority
        .rsplit_once(':')
        .map(|(_, p)| p.parse().unwrap())
        .unwrap_or(80);
    (port, format!("/{path}"))
}

/// The parts of a database URL the manifests must agree on.
pub struct DatabaseUrl {
    pub user: String,
    pub host: String,
    pub port: u16,
    pub database: String,
}

pub fn parse_database_url(url: &str) -> DatabaseUrl {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .unwrap_or_else(|| panic!("{url} is not a postgres:// URL"));
    let (credentials, rest) = rest.rsplit_once('@').expect("credentials in DATABASE_URL");
    let (host_port, database) = rest.split_once('/').expect("a database in DATABASE_URL");
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "5432"));
    DatabaseUrl {
        user: credentials.split(':').next().unwrap().to_string(),
        host: host.to_string(),
        port: port.parse().unwrap(),
        database: database.split('?').next().unwrap().to_string(),
    }
}

/// Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}`, with the values an operator
/// would export; a variable the test does not know fails, so new ones are looked at.
pub fn interpolate(text: &str, values: &BTreeMap<&str, &str>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("unclosed ${") + start;
        let expression = &rest[start + 2..end];
        let name = expression.split(':').next().unwrap();
        let value = values
            .get(name)
            .unwrap_or_else(|| panic!("the manifests use ${{{name}}}, unknown to this test"));
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}
