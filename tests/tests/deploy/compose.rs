//! The compose files: the server's environment, mounted configuration, published ports and
//! database agree with what the server reads, and the Citus one wires a coordinator to two
//! workers.

use std::collections::{BTreeMap, BTreeSet};

use api::config::Config;
use serde_json::Value;

use crate::image;
use crate::support::{self, list, port_of, text};

const PLAIN: &str = "deploy/compose.yaml";
const CITUS: &str = "deploy/compose.citus.yaml";

/// The compose file with the variables an operator exports substituted.
fn compose(relative: &str) -> Value {
    let values = BTreeMap::from([
        ("POSTGRES_PASSWORD", "a-password"),
        ("LENDLINE_JWT_SECRET", support::SOME_JWT_SECRET),
    ]);
    let text = support::interpolate(&support::read(relative), &values);
    let mut documents = support::yaml_documents_of(relative, &text);
    assert_eq!(documents.len(), 1, "{relative}: one document");
    documents.remove(0)
}

fn service<'a>(file: &'a Value, name: &str) -> &'a Value {
    file.pointer(&format!("/services/{name}"))
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn environment(service: &Value) -> BTreeMap<String, String> {
    service["environment"]
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The configuration file a service mounts at the image's config path, read from the repo.
fn mounted_config(relative: &str, service: &Value) -> String {
    let target = image::config_path();
    let mount = list(service, "/volumes")
        .iter()
        .filter_map(Value::as_str)
        .find(|v| v.split(':').nth(1) == Some(target.as_str()))
        .unwrap_or_else(|| panic!("{relative}: nothing mounted at {target}"));
    let source = mount.split(':').next().unwrap();
    let from_repo = format!("deploy/{}", source.trim_start_matches("./"));
    assert_eq!(
        from_repo,
        image::CONTAINER_TOML,
        "{relative} mounts another file"
    );
    support::read(&from_repo)
}

fn depends_on<'a>(service: &'a Value, other: &str) -> &'a str {
    text(service, &format!("/depends_on/{other}/condition"))
}

/// Checks every compose file must pass and answers the server's effective configuration.
fn check_server(relative: &str) -> (Value, Config) {
    let file = compose(relative);
    let server = service(&file, "lendline");
    let env = environment(server);
    let config = support::load_config(relative, &mounted_config(relative, server), &env);
    api::auth::keys::JwtKeys::from_config(&config)
        .unwrap_or_else(|e| panic!("{relative}: the server refuses its JWT key: {e}"));

    let published: BTreeSet<u16> = list(server, "/ports")
        .iter()
        .map(|p| {
            p.as_str()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    let listening = BTreeSet::from([port_of(&config.bind), port_of(&config.management_bind)]);
    assert_eq!(
        published, listening,
        "{relative}: published container ports"
    );
    for port in list(server, "/ports") {
        assert!(
            port.as_str().unwrap().starts_with("127.0.0.1:"),
            "{relative}: {port} is published beyond loopback"
        );
    }

    let data_mounted = list(server, "/volumes")
        .iter()
        .any(|v| v.as_str().unwrap().split(':').nth(1) == Some(config.data_dir.to_str().unwrap()));
    assert!(
        data_mounted,
        "{relative}: data_dir is not a volume (the root is read-only)"
    );
    let grace = text(server, "/stop_grace_period");
    let grace_seconds: u64 = grace.trim_end_matches('s').parse().unwrap();
    assert!(
        grace_seconds > config.shutdown_grace_seconds,
        "{relative}: stop_grace_period {grace} cuts shutdown_grace_seconds short"
    );

    let migrate = service(&file, "migrate");
    assert_eq!(list(migrate, "/command"), [Value::from("migrate")]);
    assert!(support::server_subcommands().contains("migrate"));
    assert_eq!(migrate["image"], server["image"], "{relative}: one image");
    assert_eq!(
        environment(migrate).get("DATABASE_URL"),
        env.get("DATABASE_URL"),
        "{relative}: migrate and serve use one database"
    );
    mounted_config(relative, migrate);
    assert_eq!(
        depends_on(server, "migrate"),
        "service_completed_successfully"
    );
    (file, config)
}

/// The service `DATABASE_URL` names, after checking its user and database are the ones that
/// service creates.
fn database_service<'a>(relative: &str, file: &'a Value, config: &Config) -> (&'a Value, String) {
    let url = support::parse_database_url(config.database_url.as_deref().unwrap());
    let db = service(file, &url.host);
    let db_env = environment(db);
    assert_eq!(url.port, 5432, "{relative}");
    assert_eq!(
        db_env["POSTGRES_DB"], url.database,
        "{relative}: database name"
    );
    assert_eq!(
        db_env["POSTGRES_USER"], url.user,
        "{relative}: database user"
    );
    (db, url.host)
}

#[test]
fn the_postgres_compose_file_agrees_with_the_server_configuration() {
    let (file, config) = check_server(PLAIN);
    let (db, host) = database_service(PLAIN, &file, &config);
    assert!(text(db, "/image").starts_with("postgres:"), "{db}");
    let migrate = service(&file, "migrate");
    assert_eq!(depends_on(migrate, &host), "service_healthy");
}

#[test]
fn the_citus_compose_file_runs_the_server_against_a_coordinator_with_two_workers() {
    let (file, config) = check_server(CITUS);
    let (coordinator, host) = database_service(CITUS, &file, &config);
    assert_eq!(host, "coordinator");
    let image = text(coordinator, "/image");
    assert!(image.starts_with("citusdata/citus:12.1"), "{image}");
    let services = file["services"].as_object().unwrap();
    let workers: Vec<&String> = services
        .keys()
        .filter(|name| name.starts_with("worker"))
        .collect();
    assert_eq!(workers.len(), 2, "{workers:?}");

    let database = environment(coordinator)["POSTGRES_DB"].clone();
    let setup = service(&file, "citus-setup");
    let statements: Vec<&str> = list(setup, "/command")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(statements.contains(&"SELECT citus_set_coordinator_host('coordinator', 5432)"));
    for worker in workers {
        let node = service(&file, worker);
        assert_eq!(text(node, "/image"), image, "{worker}: one Citus image");
        // Citus reaches every node in the database of the same name.
        assert_eq!(environment(node)["POSTGRES_DB"], database, "{worker}");
        let add = format!("SELECT citus_add_node('{worker}', 5432)");
        assert!(
            statements.contains(&add.as_str()),
            "{worker} is never added"
        );
        assert_eq!(depends_on(setup, worker), "service_healthy");
    }
    assert_eq!(environment(setup)["PGHOST"], "coordinator");
    assert_eq!(environment(setup)["PGDATABASE"], database);
    assert_eq!(
        depends_on(service(&file, "migrate"), "citus-setup"),
        "service_completed_successfully"
    );
}
