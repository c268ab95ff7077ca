//! Harness for the end-to-end tests: one throwaway PostgreSQL cluster per test process (or the
//! server named by `LENDLINE_TEST_DATABASE_URL`), a migrated template database, and a fresh
//! database plus a real server per test.
//!
//! The cluster lives in a temporary directory; a watchdog process stops it and removes the
//! directory when the test process exits, however it exits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod smtp;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use diesel::PgConnection;

use api::app::Application;
use api::auth::Role;
use api::config::Config;
use persistence::embedded::{ClusterOptions, EmbeddedPostgres};
use serde_json::Value;
use uuid::Uuid;

const TEMPLATE: &str = "lendline_template";
/// The HS256 secret every test server uses, so tests can mint (and forge) tokens.
pub const TEST_SECRET: &str = "test-secret-that-is-long-enough-0123456789";
/// Runs the tests against a server of your own instead of a throwaway cluster: a URL to a
/// maintenance database there (`postgres://user@host:port/postgres`), whose user may create
/// databases. New databases copy `template1`. On a Citus cluster, point it at the coordinator's
/// maintenance database, with `citus` created there and the workers added (`citus_add_node`):
/// each test database is then created on the coordinator and every worker with the extension
/// and joined to the same workers, and the migrations distribute its tables.
pub const EXTERNAL_DATABASE_ENV: &str = "LENDLINE_TEST_DATABASE_URL";

/// Where the test databases are created: `admin_url` names a maintenance database on that
/// server; `template`, when there is one, the migrated database each test's database copies.
struct Cluster {
    admin_url: String,
    template: Option<String>,
    /// On a Citus coordinator: its own address and its workers' (host, port), as its
    /// maintenance database lists them.
    citus: Option<CitusNodes>,
    /// Kept so the throwaway cluster lives as long as the process.
    _embedded: Option<EmbeddedPostgres>,
}

impl Cluster {
    fn url(&self, database: &str) -> String {
        with_database(&self.admin_url, database)
    }
}

fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| match std::env::var(EXTERNAL_DATABASE_ENV) {
        // An external server (another PostgreSQL version, a Citus coordinator) gets no
        // template: on a Citus coordinator the maintenance daemon stays connected to every
        // database with the extension, and PostgreSQL copies no database that has another
        // session. Each test's database is migrated instead (about a second).
        Ok(admin_url) if !admin_url.is_empty() => Cluster {
            citus: citus_nodes(&admin_url),
            admin_url,
            template: None,
            _embedded: None,
        },
        _ => embedded_server(),
    })
}

fn embedded_server() -> Cluster {
    let dir: PathBuf = tempfile::Builder::new()
        .prefix("lendline-test-")
        .tempdir()
        .expect("temp dir")
        .keep();
    let options = ClusterOptions {
        durable: false,
        ..ClusterOptions::default()
    };
    let pg = EmbeddedPostgres::start(&dir, &options).expect("start test cluster");
    spawn_watchdog(&pg, &dir);
    persistence::db::create_database(&pg.url("postgres"), TEMPLATE, None).expect("template db");
    let mut conn = persistence::db::connect(&pg.url(TEMPLATE)).expect("connect template");
    persistence::db::run_migrations(&mut conn).expect("migrate template");
    Cluster {
        admin_url: pg.url("postgres"),
        template: Some(TEMPLATE.to_string()),
        citus: None,
        _embedded: Some(pg),
    }
}

/// `url` with its database replaced by `database`, the query string kept. A URL without one
/// gets `application_name`, because tests add parameters with `&…` (as to the embedded
/// cluster's URL, which always has a query string).
fn with_database(url: &str, database: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[authority_start..]
        .find('/')
        .map_or(url.len(), |i| authority_start + i);
    let query = url[path_start..]
        .find('?')
        .map_or("?application_name=lendline-tests", |i| {
            &url[path_start + i..]
        });
    format!("{}/{database}{query}", &url[..path_start])
}

struct CitusNodes {
    coordinator: Node,
    workers: Vec<Node>,
}

#[derive(diesel::QueryableByName)]
struct Node {
    #[diesel(sql_type = diesel::sql_types::Text)]
    host: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    port: i32,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    coordinator: bool,
}

/// The nodes of the Citus cluster whose maintenance database `admin_url` names, or `None` when
/// that database has no `citus` extension.
fn citus_nodes(admin_url: &str) -> Option<CitusNodes> {
    use diesel::RunQueryDsl;
    let mut conn = persistence::db::connect(admin_url).expect("connect to the external server");
    let nodes: Vec<Node> = diesel::sql_query(
        "SELECT nodename AS host, nodeport AS port, groupid = 0 AS coordinator
           FROM pg_dist_node WHERE noderole = 'primary' ORDER BY groupid",
    )
    .load(&mut conn)
    .ok()?;
    let (coordinators, workers): (Vec<Node>, Vec<Node>) =
        nodes.into_iter().partition(|n| n.coordinator);
    let coordinator = coordinators
        .into_iter()
        .next()
        .expect("the coordinator is in pg_dist_node (citus_set_coordinator_host)");
    Some(CitusNodes {
        coordinator,
        workers,
    })
}

/// `url` with its host and port replaced.
fn with_node(url: &str, node: &Node) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[authority_start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];
    let user = authority.rfind('@').map_or("", |i| &authority[..=i]);
    format!(
        "{}{user}{}:{}{}",
        &url[..authority_start],
        node.host,
        node.port,
        &url[authority_end..]
    )
}

/// `database` on one Citus node, with the extension. It copies `template0`: Citus' maintenance
/// daemon keeps a session in every database with the extension, and PostgreSQL copies no
/// database another session is in.
fn create_citus_database(admin_url: &str, database: &str) -> PgConnection {
    use diesel::connection::SimpleConnection;
    persistence::db::create_database(admin_url, database, Some("template0"))
        .expect("create the test database");
    let mut conn = persistence::db::connect(&with_database(admin_url, database))
        .expect("connect to the test database");
    conn.batch_execute("CREATE EXTENSION IF NOT EXISTS citus")
        .expect("create the citus extension");
    conn
}

/// Creates `database` on the coordinator and every worker and joins it to them, as the
/// coordinator's maintenance database is.
fn create_distributed_database(cluster: &Cluster, nodes: &CitusNodes, database: &str) {
    use diesel::RunQueryDsl;
    let mut conn = create_citus_database(&cluster.admin_url, database);
    diesel::sql_query("SELECT citus_set_coordinator_host($1, $2)")
        .bind::<diesel::sql_types::Text, _>(&nodes.coordinator.host)
        .bind::<diesel::sql_types::Integer, _>(nodes.coordinator.port)
        .execute(&mut conn)
        .expect("name the coordinator");
    for worker in &nodes.workers {
        create_citus_database(&with_node(&cluster.admin_url, worker), database);
        // A busy worker may turn the coordinator's first connection away; it is asked again.
        let mut attempts = 0;
        while let Err(e) = diesel::sql_query("SELECT citus_add_node($1, $2)")
            .bind::<diesel::sql_types::Text, _>(&worker.host)
            .bind::<diesel::sql_types::Integer, _>(worker.port)
            .execute(&mut conn)
        {
            attempts += 1;
            assert!(attempts < 5, "add a worker: {e}");
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}

/// Stops the cluster and deletes its directory once this process is gone.
fn spawn_watchdog(pg: &EmbeddedPostgres, dir: &std::path::Path) {
    let stop = pg
        .stop_command()
        .iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        dir = dir.display()
    );
    // Deliberately never waited for: it must outlive this process.
    #[allow(clippy::zombie_processes)]
    let _watchdog = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cluster watchdog");
}

/// A fresh, migrated database: a copy of the migrated template on the shared test cluster, or
/// a new database migrated in place on an external server (`LENDLINE_TEST_DATABASE_URL`; the
/// databases, `t_<uuid>`, are left there for inspection).
pub fn fresh_database_url() -> String {
    fresh_database().1
}

/// Whether the tests' databases are distributed (the server named by
/// [`EXTERNAL_DATABASE_ENV`] is a Citus coordinator).
pub fn on_citus() -> bool {
    cluster().citus.is_some()
}

/// A fresh, migrated database that is never distributed, for the tests that run migrations
/// down and up over stored data: a distributed schema is not migrated back, so on a Citus
/// cluster this is an ordinary PostgreSQL database on the coordinator, without the extension.
/// Elsewhere it is [`fresh_database_url`].
pub fn fresh_plain_database_url() -> String {
    fresh_plain_database().1
}

fn fresh_plain_database() -> (String, String) {
    let cluster = cluster();
    if cluster.citus.is_none() {
        return fresh_database();
    }
    let name = format!("t_{}", Uuid::new_v4().simple());
    persistence::db::create_database(&cluster.admin_url, &name, Some("template0"))
        .expect("create test database");
    let url = cluster.url(&name);
    let mut conn = persistence::db::connect(&url).expect("connect test database");
    persistence::db::run_migrations(&mut conn).expect("migrate test database");
    (name, url)
}

/// [`fresh_database_url`], with the database's name.
fn fresh_database() -> (String, String) {
    let cluster = cluster();
    let name = format!("t_{}", Uuid::new_v4().simple());
    match &cluster.citus {
        Some(nodes) => create_distributed_database(cluster, nodes, &name),
        None => {
            persistence::db::create_database(&cluster.admin_url, &name, cluster.template.as_deref())
                .expect("create test database")
        }
    }
    let url = cluster.url(&name);
    if cluster.template.is_none() {
        let mut conn = persistence::db::connect(&url).expect("connect test database");
        persistence::db::run_migrations(&mut conn).expect("migrate test database");
    }
    (name, url)
}

/// A test's database on a Citus cluster, dropped on every node when the test is over: each
/// keeps a Citus maintenance daemon awake on every node, and a suite's worth of them would
/// starve a small machine. Elsewhere the databases stay (a throwaway cluster goes as a whole;
/// an external PostgreSQL keeps them for inspection).
struct CitusDatabase(Option<String>);

impl CitusDatabase {
    fn of(name: String) -> CitusDatabase {
        CitusDatabase(cluster().citus.as_ref().map(|_| name))
    }
}

impl Drop for CitusDatabase {
    fn drop(&mut self) {
        let (Some(name), Some(nodes)) = (self.0.take(), cluster().citus.as_ref()) else {
            return;
        };
        let admin = &cluster().admin_url;
        let urls =
            std::iter::once(admin.clone()).chain(nodes.workers.iter().map(|w| with_node(admin, w)));
        for url in urls {
            // FORCE ends the test server's sessions, and the coordinator's on the workers.
            let _ = persistence::db::drop_database(&url, &name);
        }
    }
}

/// A transaction on a connection of its own that ran `sql` (a `LOCK TABLE`, a `SELECT … FOR
/// UPDATE`) and keeps its locks until dropped: the server's writes that need them wait.
pub struct HeldLock {
    release: Option<std::sync::mpsc::Sender<()>>,
    holder: Option<std::thread::JoinHandle<()>>,
}

impl HeldLock {
    pub fn new(database_url: &str, sql: &str) -> HeldLock {
        use diesel::{Connection, RunQueryDsl};
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (held, holding) = std::sync::mpsc::channel::<()>();
        let (url, sql) = (database_url.to_string(), sql.to_string());
        let holder = std::thread::spawn(move || {
            let mut conn = persistence::db::connect(&url).unwrap();
            conn.transaction(|c| {
                diesel::sql_query(sql).execute(c)?;
                held.send(()).unwrap();
                // Until dropped: the sender goes away.
                let _ = released.recv();
                Ok::<_, diesel::result::Error>(())
            })
            .unwrap();
        });
        holding.recv().expect("the lock was never taken");
        HeldLock {
            release: Some(release),
            holder: Some(holder),
        }
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(holder) = self.holder.take() {
            let _ = holder.join();
        }
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running server on a random port with its own database.
pub struct TestApp {
    pub base: String,
    /// The management listener's base URL (`/metrics`).
    pub management: String,
    pub client: reqwest::Client,
    pub config: Config,
    pub database_url: String,
    _data_dir: tempfile::TempDir,
    _database: CitusDatabase,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with a configuration adjusted by `tweak` (SMTP server, limits, …).
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_on(fresh_database, tweak).await
    }

    /// Spawns on a database that is never distributed (see [`fresh_plain_database_url`]).
    pub async fn spawn_plain() -> TestApp {
        Self::spawn_plain_with(|_| {}).await
    }

    /// [`TestApp::spawn_plain`] with a configuration adjusted by `tweak`.
    pub async fn spawn_plain_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_on(fresh_plain_database, tweak).await
    }

    async fn spawn_on(
        database: fn() -> (String, String),
        tweak: impl FnOnce(&mut Config),
    ) -> TestApp {
        api::telemetry::init();
        let (database_name, database_url) = tokio::task::spawn_blocking(database).await.unwrap();
        let data_dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            bind: "127.0.0.1:0".into(),
            management_bind: "127.0.0.1:0".into(),
            data_dir: data_dir.path().to_path_buf(),
            database_url: Some(database_url.clone()),
            run_migrations: false,
            pool_size: 8,
            ..Config::default()
        };
        config.jwt.secret = Some(TEST_SECRET.into());
        // Tests drive the business date themselves; the wall-clock end of day must not interfere.
        config.loans.eod_at = None;
        // Tests that storm one row assert integrity, not shedding: on a loaded 2-core test machine
        // they may wait longer for a connection, and send more at once, than production allows
        // (shedding tests set their own bounds).
        config.database.acquire_timeout_ms = 10_000;
        config.admission.max_in_flight_writes = 1_024;
        // A debug build on a busy machine answers slower than production's latency target.
        config.admission.write_latency_target_ms = 0;
        config.admission.max_in_flight_reads = 1_024;
        tweak(&mut config);
        let app = Application::build(config.clone()).expect("build application");
        let base = format!("http://127.0.0.1:{}", app.port());
        let management = format!("http://127.0.0.1:{}", app.management_port());
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            management,
            // The server closes a connection idle for its keep-alive (5 s); a client that reused
            // one at that moment would see it closed mid-request. Idle connections are dropped
            // well before.
            client: reqwest::Client::builder()
                .pool_idle_timeout(std::time::Duration::from_secs(2))
                .build()
                .expect("http client"),
            config,
            database_url,
            _data_dir: data_dir,
            _database: CitusDatabase::of(database_name),
        }
    }

    pub fn token(&self, role: Role, party: &str) -> String {
        api::cli::mint_token(
            &self.config,
            role,
            party,
            std::time::Duration::from_secs(600),
        )
        .unwrap()
    }

    pub fn admin(&self) -> String {
        self.token(Role::Admin, "platform")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The Prometheus text of the management listener's `/metrics` (asserted to be 200).
    pub async fn metrics(&self) -> String {
        let res = self
            .client
            .get(format!("{}/metrics", self.management))
            .send()
            .await
            .expect("metrics answered");
        assert_eq!(res.status(), 200);
        res.text().await.expect("metrics text")
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        read(res).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let res = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        read(res).await
    }

    /// The OpenAPI document, fetched without a token as any client would.
    pub async fn openapi(&self) -> Value {
        let res = self
            .client
            .get(self.url("/openapi.json"))
            .send()
            .await
            .unwrap();
        let (status, doc) = read(res).await;
        assert_eq!(status, 200, "{doc}");
        doc
    }

    /// Onboards a party of `kind` and answers its id.
    pub async fn create_party(&self, kind: &str) -> Uuid {
        let (status, body) = self
            .post("/v1/parties", &self.admin(), &party_body(kind))
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().parse().unwrap()
    }
}

/// A valid onboarding request with a unique registration number.
pub fn party_body(kind: &str) -> Value {
    serde_json::json!({
        "kind": kind,
        "name": format!("Test {kind}"),
        "registration_number": format!("REG-{}", Uuid::new_v4().simple()),
        "country": "CN",
        "sector": "apparel",
        "onboarded_on": "2025-03-01",
        "contact_email": "finance@example.com",
        "currency": "CNY",
        "store_opened_on": "2023-05-01",
        "returns_rate": "0.03",
        "monthly_sales": [
            {"month": "2026-08", "amount": "150000.00"},
            {"month": "2026-09", "amount": "162000.00"},
            {"month": "2026-10", "amount": "171500.50"}
        ]
    })
}

pub async fn read(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn a_database_url_is_pointed_at_another_database_keeping_its_parameters() {
        assert_eq!(
            with_database("postgresql:///postgres?host=/tmp/x&port=5432", "t_1"),
            "postgresql:///t_1?host=/tmp/x&port=5432"
        );
        assert_eq!(
            with_database("postgres://app:pw@127.0.0.1:9700/postgres", "t_1"),
            "postgres://app:pw@127.0.0.1:9700/t_1?application_name=lendline-tests"
        );
        assert_eq!(
            with_database("postgres://app@db.internal", "t_1"),
            "postgres://app@db.internal/t_1?application_name=lendline-tests"
        );
    }
}
