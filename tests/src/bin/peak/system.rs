//! What the benchmark reads from the machine: CPU and RSS from /proc, the server process, and
//! PostgreSQL's own ceiling measured with pgbench on a throwaway durable cluster.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use persistence::embedded::{ClusterOptions, EmbeddedPostgres};

const SCHEMA: &str = include_str!("schema.sql");
const SCRIPT: &str = include_str!("decision.pgbench");

fn stat_fields(pid: u32) -> Option<Vec<u64>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; fields are counted after its closing parenthesis.
    let rest = &text[text.rfind(')')? + 2..];
    Some(rest.split(' ').map(|f| f.parse().unwrap_or(0)).collect())
}

/// Asked once: `getconf` is a child process, whose CPU would count as pgbench's.
fn ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// What a process has used (`Own`: utime + stime), with its reaped children (`WithChildren`:
/// and cutime + cstime) or only they (`Children`), in milliseconds.
#[derive(Clone, Copy)]
enum Share {
    Own,
    WithChildren,
    Children,
}

fn cpu_ms(pid: u32, share: Share) -> f64 {
    // After the name: state is field 0, utime 11, stime 12, cutime 13, cstime 14.
    let Some(f) = stat_fields(pid) else {
        return 0.0;
    };
    let ticks = match share {
        Share::Own => f[11] + f[12],
        Share::WithChildren => f[11] + f[12] + f[13] + f[14],
        Share::Children => f[13] + f[14],
    };
    ticks as f64 * 1000.0 / ticks_per_second()
}

fn children_of(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() {
            if stat_fields(pid).is_some_and(|f| f[1] as u32 == parent) {
                out.push(pid);
            }
        }
    }
    out
}

/// CPU used so far by the server, by PostgreSQL and by this tool (the load generator).
#[derive(Clone, Copy, Debug)]
pub struct Cpu {
    pub server_ms: f64,
    pub postgres_ms: f64,
    pub load_ms: f64,
}

pub fn cpu(server: u32, postmasters: &[u32]) -> Cpu {
    Cpu {
        server_ms: cpu_ms(server, Share::Own),
        postgres_ms: postmasters.iter().map(|&p| cluster_cpu_ms(p)).sum(),
        load_ms: cpu_ms(std::process::id(), Share::Own),
    }
}

/// CPU used so far by a PostgreSQL cluster: its postmaster, the postmaster's live children,
/// and (through its cutime/cstime) the children it has already reaped.
fn cluster_cpu_ms(postmaster: u32) -> f64 {
    cpu_ms(postmaster, Share::WithChildren)
        + children_of(postmaster)
            .into_iter()
            .map(|pid| cpu_ms(pid, Share::Own))
            .sum::<f64>()
}

/// CPU used so far by this tool's children that have ended (pgbench).
fn reaped_children_ms() -> f64 {
    cpu_ms(std::process::id(), Share::Children)
}

/// The whole machine's CPU time so far (`/proc/stat`, in clock ticks): how much of it the
/// hypervisor gave to other guests (steal) and how much sat waiting for the disk (iowait). On a
/// shared machine these say how far a run's figures were the machine's rather than the code's.
#[derive(Clone, Copy, Debug)]
pub struct Machine {
    total: f64,
    steal: f64,
    iowait: f64,
}

pub fn machine() -> Machine {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    let ticks: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let at = |i: usize| ticks.get(i).copied().unwrap_or(0.0);
    Machine {
        // Guest time is already counted in user time.
        total: (0..8).map(at).sum(),
        steal: at(7),
        iowait: at(4),
    }
}

impl Machine {
    /// Steal and iowait between `self` and the later reading `then`, as shares of all CPU time.
    pub fn until(self, then: Machine) -> String {
        let total = (then.total - self.total).max(1.0);
        format!(
            "steal {:.1} %, iowait {:.1} % of the machine's CPU time",
            100.0 * (then.steal - self.steal) / total,
            100.0 * (then.iowait - self.iowait) / total
        )
    }
}

/// A process's resident memory: all of it, and the part that is its own (heap and stacks, as
/// opposed to pages of its program file, which the kernel may drop and read again).
#[derive(Clone, Copy)]
pub struct Rss {
    pub total_mb: f64,
    pub anon_mb: f64,
}

impl std::fmt::Display for Rss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} MB ({:.0} MB anonymous)",
            self.total_mb, self.anon_mb
        )
    }
}

/// `None` once the process has exited (a zombie has no `VmRSS`): a server that died must not
/// read as one that gave its memory back.
pub fn rss(pid: u32) -> Option<Rss> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let mb = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
    };
    Some(Rss {
        total_mb: mb("VmRSS:")?,
        anon_mb: mb("RssAnon:")?,
    })
}

/// An RSS reading as printed: the figures, or that the server was no longer running.
pub fn show(rss: Option<Rss>) -> String {
    rss.map_or_else(
        || "none (the server had exited)".to_string(),
        |r| r.to_string(),
    )
}

/// Where the benchmarked server keeps its data: the embedded cluster it starts itself, or a
/// server named by `--database-url` (a Citus coordinator, say) running on this machine.
#[derive(Clone)]
pub enum Database {
    Embedded,
    External(String),
}

impl Database {
    /// The postmasters whose CPU counts as PostgreSQL's: the embedded one, or every local one
    /// (a coordinator and its workers on this machine all work for the server).
    pub fn postmasters(&self, data_dir: &Path) -> Vec<u32> {
        match self {
            Database::Embedded => vec![postmaster_pid(data_dir)],
            Database::External(_) => local_postmasters(),
        }
    }

    /// Emails waiting in the outbox (None if the count could not be read).
    pub fn outbox_pending(&self, bin_dir: &Path, data_dir: &Path) -> Option<u64> {
        self.number(
            bin_dir,
            data_dir,
            "SELECT count(*) FROM outbox_emails WHERE status = 'pending'",
        )
    }

    /// WAL the server's database has written so far, in bytes (on Citus, the coordinator's);
    /// None if it could not be read.
    pub fn wal_bytes(&self, bin_dir: &Path, data_dir: &Path) -> Option<f64> {
        self.number(bin_dir, data_dir, WAL_BYTES)
    }

    /// The one value `sql` answers, None if it could not be read.
    fn number<T: std::str::FromStr>(
        &self,
        bin_dir: &Path,
        data_dir: &Path,
        sql: &str,
    ) -> Option<T> {
        let out = self
            .psql(bin_dir, data_dir)
            .args(["-qAt", "-c", sql])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    }

    /// psql connected to the server's database.
    pub fn psql(&self, bin_dir: &Path, data_dir: &Path) -> Command {
        match self {
            Database::Embedded => pg_client(bin_dir, "psql", data_dir, &["-d", "lendline"]),
            Database::External(url) => {
                let mut cmd = Command::new(bin_dir.join("psql"));
                cmd.arg(url);
                cmd
            }
        }
    }
}

fn command_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Every `postgres` process whose parent is not one: the postmasters on this machine.
fn local_postmasters() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
        .filter(|&pid| command_name(pid) == "postgres")
        .filter(|&pid| stat_fields(pid).is_some_and(|f| command_name(f[1] as u32) != "postgres"))
        .collect()
}

pub fn postmaster_pid(data_dir: &Path) -> u32 {
    let text = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid"))
        .expect("the embedded cluster's postmaster.pid");
    text.lines().next().unwrap().trim().parse().unwrap()
}

fn socket_dir(data_dir: &Path) -> String {
    data_dir.join("run").display().to_string()
}

/// Runs a PostgreSQL client program against the embedded cluster under `data_dir` (trust
/// authentication on its unix socket: root may connect as the `postgres` role).
pub fn pg_client(bin_dir: &Path, program: &str, data_dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin_dir.join(program));
    cmd.args(["-h", &socket_dir(data_dir), "-p", "5432", "-U", "postgres"])
        .args(args)
        .env_remove("PGDATA")
        .env_remove("PGHOST");
    cmd
}

pub fn psql(bin_dir: &Path, data_dir: &Path, database: &str, sql: &str) -> String {
    let out = pg_client(
        bin_dir,
        "psql",
        data_dir,
        &["-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
    )
    .output()
    .expect("psql");
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// What pgbench measured: committed transactions per second, and the WAL each wrote.
pub struct Ceiling {
    pub tps: f64,
    pub wal_per_transaction: f64,
    /// CPU per transaction in PostgreSQL and in pgbench, in milliseconds.
    pub postgres_ms: f64,
    pub client_ms: f64,
}

/// WAL written so far by the cluster (`pg_stat_wal`), in bytes.
const WAL_BYTES: &str = "SELECT wal_bytes FROM pg_stat_wal";

/// PostgreSQL's ceiling: committed decision-shaped transactions per second with `clients`
/// connections, on a fresh cluster started exactly as the server's durable default.
pub fn pgbench_ceiling(bin_dir: &Path, work: &Path, clients: u32, seconds: u64) -> Ceiling {
    let dir = work.join("pgbench");
    let options = ClusterOptions {
        bin_dir: Some(bin_dir.to_path_buf()),
        ..ClusterOptions::default()
    };
    let cluster = Stopped(EmbeddedPostgres::start(&dir, &options).expect("cluster"));
    psql(bin_dir, &dir, "postgres", "CREATE DATABASE bench");
    psql(bin_dir, &dir, "bench", SCHEMA);
    psql(bin_dir, &dir, "bench", "VACUUM ANALYZE");
    let wal_before: f64 = psql(bin_dir, &dir, "bench", WAL_BYTES).parse().unwrap();
    let script = work.join("decision.pgbench");
    std::fs::write(&script, SCRIPT).unwrap();
    let (c, t) = (clients.to_string(), seconds.to_string());
    let script_arg = script.display().to_string();
    let postmaster = postmaster_pid(&dir);
    let cpu_before = (cluster_cpu_ms(postmaster), reaped_children_ms());
    let out = pg_client(
        bin_dir,
        "pgbench",
        &dir,
        &[
            "-n",
            "-M",
            "prepared",
            "-c",
            &c,
            "-j",
            "2",
            "-T",
            &t,
            "-f",
            &script_arg,
            "bench",
        ],
    )
    .output()
    .expect("pgbench");
    let cpu_after = (cluster_cpu_ms(postmaster), reaped_children_ms());
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "pgbench failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wal_after: f64 = psql(bin_dir, &dir, "bench", WAL_BYTES).parse().unwrap();
    drop(cluster);
    let figure = |prefix: &str| -> f64 {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("a '{prefix}' line in pgbench's output"))
    };
    let transactions = figure("number of transactions actually processed: ").max(1.0);
    Ceiling {
        tps: figure("tps = "),
        wal_per_transaction: (wal_after - wal_before) / transactions,
        postgres_ms: (cpu_after.0 - cpu_before.0) / transactions,
        client_ms: (cpu_after.1 - cpu_before.1) / transactions,
    }
}

/// Stops the pgbench cluster however its function ends.
struct Stopped(EmbeddedPostgres);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.stop();
    }
}

/// Where the PostgreSQL programs (pgbench and psql included) live: `--pg-bin-dir`, or the
/// newest `/usr/lib/postgresql/*/bin` holding pgbench.
pub fn pg_bin_dir(explicit: Option<String>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.into();
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|d| d.join("pgbench").exists() && d.join("psql").exists())
        .collect();
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_string_lossy().parse::<u32>().ok())
    });
    dirs.pop()
        .expect("no /usr/lib/postgresql/*/bin with pgbench and psql; pass --pg-bin-dir")
}

/// Group-commit batches counted by the server's metrics.
#[derive(Debug, Clone, Copy)]
pub struct Batches {
    pub batches: f64,
    pub writes: f64,
}

impl Batches {
    /// Writes per batch between `self` and the later reading `then`; "none" when no batch was
    /// committed (group commit off).
    pub fn mean_until(self, then: Batches) -> String {
        let batches = then.batches - self.batches;
        if batches < 1.0 {
            return "none".into();
        }
        format!("{:.1}", (then.writes - self.writes) / batches)
    }
}

/// The release server, started on a throwaway data directory with its embedded cluster.
pub struct Server {
    pub child: Child,
    pub data_dir: PathBuf,
    pub base: String,
    /// The management listener, for `/metrics`.
    pub management: String,
}

use lendline_tests::free_port;

impl Server {
    pub async fn start(binary: &Path, bin_dir: &Path, work: &Path, database: &Database) -> Server {
        let data_dir = work.join("server");
        std::fs::create_dir_all(&data_dir).unwrap();
        let (port, management) = (free_port(), free_port());
        let log = std::fs::File::create(work.join("server.log")).unwrap();
        let mut command = Command::new(binary);
        if let Database::External(url) = database {
            command.env("DATABASE_URL", url);
        }
        let child = command
            .args(["serve", "--data-dir"])
            .arg(&data_dir)
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(["--management-bind", &format!("127.0.0.1:{management}")])
            .env("RUST_LOG", "warn")
            .env("LENDLINE_PG_BIN_DIR", bin_dir)
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let ready = client.get(format!("{base}/health/ready")).send().await;
            if matches!(ready, Ok(r) if r.status().is_success()) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the server did not become ready; see {}",
                work.join("server.log").display()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Server {
            child,
            data_dir,
            base,
            management: format!("http://127.0.0.1:{management}"),
        }
    }

    /// How many group-commit batches the server has committed and how many writes they held.
    pub async fn batches(&self) -> Batches {
        let text = reqwest::get(format!("{}/metrics", self.management))
            .await
            .and_then(reqwest::Response::error_for_status);
        let text = match text {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        let read = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name)?.trim().parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        Batches {
            batches: read("group_commit_batch_size_count "),
            writes: read("group_commit_batch_size_sum "),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then wait: the server stops its embedded cluster on the way out.
    pub fn stop(mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = self.child.wait();
    }
}
