//! The embedded PostgreSQL cluster: a private server under a data directory, reachable only
//! through a unix socket in that directory.
//!
//! It exists so that a newcomer can start Lendline with one command and so that every test run
//! gets a throwaway database without any shared server. It uses the machine's own `initdb` and
//! `pg_ctl`; PostgreSQL refuses to run as root, so when we are root the cluster is created and
//! run as the unprivileged `postgres` user (via `runuser`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use nix::unistd::{Uid, User};

/// The port number only names the socket file (`.s.PGSQL.<port>`); no TCP port is opened.
const SOCKET_PORT: u16 = 5432;
const SUPERUSER: &str = "postgres";
const UNPRIVILEGED_OS_USER: &str = "postgres";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found {searched}; \
         install the `postgresql` package (e.g. `apt-get install postgresql`) or set DATABASE_URL \
         to use an existing server"
    )]
    BinariesMissing { searched: String },
    #[error(
        "running as root, but there is no `postgres` system user to run the cluster as; \
         create one (`useradd --system postgres`) or run Lendline as an unprivileged user"
    )]
    NoUnprivilegedUser,
    #[error("the data directory {path} is not usable: {reason}")]
    DataDir { path: PathBuf, reason: String },
    #[error("`{command}` failed: {detail}")]
    Command { command: String, detail: String },
}

/// Options for a cluster; tests turn durability off because the data is thrown away.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Where `initdb`, `pg_ctl` and `postgres` live; searched on PATH and under
    /// `/usr/lib/postgresql/*/bin` when `None`.
    pub bin_dir: Option<PathBuf>,
    pub durable: bool,
    pub max_connections: u32,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            bin_dir: None,
            durable: true,
            max_connections: 200,
        }
    }
}

/// A running private cluster. `stop` must be called to shut it down; it is not done on drop
/// because a server that is still serving requests must not lose its database underneath.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    cluster_dir: PathBuf,
    socket_dir: PathBuf,
    run_as: Option<String>,
}

impl EmbeddedPostgres {
    /// Creates the cluster under `data_dir/postgres` if it does not exist yet, and starts it
    /// (or reuses it when a previous run left it running).
    pub fn start(data_dir: &Path, options: &ClusterOptions) -> Result<Self, EmbeddedError> {
        let bin_dir = find_bin_dir(options.bin_dir.as_deref())?;
        let run_as = unprivileged_user_if_root()?;
        let data_dir = absolute(data_dir)?;
        let pg = EmbeddedPostgres {
            bin_dir,
            cluster_dir: data_dir.join("postgres"),
            socket_dir: data_dir.join("run"),
            run_as: run_as.as_ref().map(|u| u.name.clone()),
        };
        prepare_dirs(
            &data_dir,
            &[&pg.cluster_dir, &pg.socket_dir],
            run_as.as_ref(),
        )?;
        if let Some(user) = &run_as {
            tracing::info!(
                user = %user.name,
                "running as root: the embedded PostgreSQL cluster runs as the `{}` user",
                user.name
            );
        }
        if !pg.cluster_dir.join("PG_VERSION").exists() {
            pg.init()?;
        }
        if !pg.is_running() {
            pg.launch(options)?;
        }
        Ok(pg)
    }

    /// A libpq URL for `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql:///{database}?host={}&port={SOCKET_PORT}&user={SUPERUSER}",
            self.socket_dir.display()
        )
    }

    pub fn cluster_dir(&self) -> &Path {
        &self.cluster_dir
    }

    /// Stops the server, waiting for it to finish (fast mode: open sessions are ended).
    pub fn stop(&self) -> Result<(), EmbeddedError> {
        let out = self.pg_ctl(&["stop", "-m", "fast", "-w", "-t", "60"])?;
        check(out, "pg_ctl stop")
    }

    /// The shell command that stops this cluster immediately; used by test harnesses that must
    /// clean up after their process dies.
    pub fn stop_command(&self) -> Vec<String> {
        let mut cmd = self.base_command("pg_ctl");
        cmd.extend(
            [
                "-D",
                &self.cluster_dir.display().to_string(),
                "stop",
                "-m",
                "immediate",
            ]
            .map(String::from),
        );
        cmd
    }

    /// Whether the postmaster accepts connections on its socket. A connect, not `pg_ctl
    /// status`: a killed postmaster's pid file (and even its unreaped process) survive it, its
    /// listening socket does not.
    pub fn is_accepting(&self) -> bool {
        let socket = self.socket_dir.join(format!(".s.PGSQL.{SOCKET_PORT}"));
        std::os::unix::net::UnixStream::connect(socket).is_ok()
    }

    /// Starts the server again when it no longer accepts connections (it crashed or was
    /// killed); answers whether it had to.
    pub fn restart_if_down(&self, options: &ClusterOptions) -> Result<bool, EmbeddedError> {
        if self.is_accepting() {
            return Ok(false);
        }
        self.launch(options)?;
        Ok(true)
    }

    fn init(&self) -> Result<(), EmbeddedError> {
        tracing::info!(dir = %self.cluster_dir.display(), "creating the embedded PostgreSQL cluster");
        let out = self.run(
            "initdb",
            &[
                "-D",
                &self.cluster_dir.display().to_string(),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
        )?;
        check(out, "initdb")
    }

    fn launch(&self, options: &ClusterOptions) -> Result<(), EmbeddedError> {
        let mut server_opts = format!(
            "-k {} -c listen_addresses='' -p {SOCKET_PORT} -c unix_socket_permissions=0700 \
             -c max_connections={}",
            self.socket_dir.display(),
            options.max_connections
        );
        if options.durable {
            server_opts.push_str(&durable_settings(memory_bytes()));
        } else {
            server_opts.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        let log = self.cluster_dir.join("server.log").display().to_string();
        let out = self.pg_ctl(&["start", "-w", "-t", "60", "-l", &log, "-o", &server_opts])?;
        check(out, "pg_ctl start")
    }

    fn is_running(&self) -> bool {
        matches!(self.pg_ctl(&["status"]), Ok(out) if out.status.success())
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<Output, EmbeddedError> {
        let dir = self.cluster_dir.display().to_string();
        let mut all = vec!["-D", dir.as_str()];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all)
    }

    fn base_command(&self, program: &str) -> Vec<String> {
        let binary = self.bin_dir.join(program).display().to_string();
        match &self.run_as {
            Some(user) => vec![
                "runuser".into(),
                "-u".into(),
                user.clone(),
                "--".into(),
                binary,
            ],
            None => vec![binary],
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<Output, EmbeddedError> {
        let base = self.base_command(program);
        let (exe, prefix) = base.split_first().ok_or_else(|| EmbeddedError::Command {
            command: program.into(),
            detail: "empty command".into(),
        })?;
        Command::new(exe)
            .args(prefix)
            .args(args)
            // The cluster must not inherit a caller's locale or libpq settings.
            .env_remove("PGDATA")
            .env_remove("PGHOST")
            .env("LC_ALL", "C")
            .current_dir(&self.cluster_dir)
            .output()
            .map_err(|e| EmbeddedError::Command {
                command: program.into(),
                detail: e.to_string(),
            })
    }
}

fn check(out: Output, command: &str) -> Result<(), EmbeddedError> {
    if out.status.success() {
        return Ok(());
    }
    let mut detail = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if detail.is_empty() {
        detail = String::from_utf8_lossy(&out.stdout).trim().to_string();
    }
    Err(EmbeddedError::Command {
        command: command.into(),
        detail,
    })
}

/// Looks for a directory holding `initdb`, `pg_ctl` and `postgres`.
pub fn find_bin_dir(explicit: Option<&Path>) -> Result<PathBuf, EmbeddedError> {
    let has_all = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    if let Some(dir) = explicit {
        return if has_all(dir) {
            Ok(dir.to_path_buf())
        } else {
            Err(EmbeddedError::BinariesMissing {
                searched: format!("in {}", dir.display()),
            })
        };
    }
    let path_dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut versioned: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    // Newest major version first.
    versioned.sort_by(|a, b| b.cmp(a));
    path_dirs
        .into_iter()
        .chain(versioned)
        .find(|d| has_all(d))
        .ok_or_else(|| EmbeddedError::BinariesMissing {
            searched: "on PATH or under /usr/lib/postgresql/*/bin".into(),
        })
}

fn unprivileged_user_if_root() -> Result<Option<User>, EmbeddedError> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    match User::from_name(UNPRIVILEGED_OS_USER) {
        Ok(Some(user)) => Ok(Some(user)),
        _ => Err(EmbeddedError::NoUnprivilegedUser),
    }
}

fn absolute(dir: &Path) -> Result<PathBuf, EmbeddedError> {
    std::fs::create_dir_all(dir).map_err(|e| data_dir_error(dir, e))?;
    dir.canonicalize().map_err(|e| data_dir_error(dir, e))
}

fn data_dir_error(dir: &Path, e: impl std::fmt::Display) -> EmbeddedError {
    EmbeddedError::DataDir {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Creates the cluster and socket directories with owner-only access; when running as root they
/// belong to the unprivileged user, who must also be able to reach them through `data_dir`.
fn prepare_dirs(
    data_dir: &Path,
    dirs: &[&Path],
    owner: Option<&User>,
) -> Result<(), EmbeddedError> {
    use std::os::unix::fs::PermissionsExt;
    for dir in dirs {
        std::fs::create_dir_all(dir).map_err(|e| data_dir_error(dir, e))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| data_dir_error(dir, e))?;
        if let Some(user) = owner {
            std::os::unix::fs::chown(dir, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
                .map_err(|e| data_dir_error(dir, e))?;
        }
    }
    if let Some(user) = owner {
        // Traverse-only access for the postgres user; it cannot list the data directory.
        let mode = std::fs::metadata(data_dir)
            .map_err(|e| data_dir_error(data_dir, e))?
            .permissions()
            .mode();
        std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(mode | 0o711))
            .map_err(|e| data_dir_error(data_dir, e))?;
        let probe = Command::new("runuser")
            .args(["-u", &user.name, "--", "test", "-w"])
            .arg(dirs.first().copied().unwrap_or(data_dir))
            .status();
        if !matches!(probe, Ok(s) if s.success()) {
            return Err(EmbeddedError::DataDir {
                path: data_dir.to_path_buf(),
                reason: format!(
                    "the `{}` user cannot reach it (a parent directory is closed to other users); \
                     choose a data directory outside it with --data-dir",
                    user.name
                ),
            });
        }
    }
    Ok(())
}

/// What a durable cluster is started with beyond PostgreSQL's defaults, which are sized for a
/// machine of the 2000s: 128 MB of cache, and a checkpoint every 1 GB of WAL. A peak night
/// writes about 10 KB of WAL per decision, so at 1,000 decisions a second that was a
/// checkpoint every two minutes, after each of which every page's next change logs the whole
/// page again; and the tables it writes outgrow 128 MB within minutes, so backends evict
/// dirty pages (flushing WAL first) to make room.
///
/// The cache is an eighth of the machine's memory, between 128 MB and 1 GB (Linux gives
/// PostgreSQL's shared memory pages only as they are used); checkpoints come every 15 minutes
/// or 4 GB of WAL, whichever is first (a crash replays at most that much, tens of seconds).
fn durable_settings(memory: Option<u64>) -> String {
    const MB: u64 = 1024 * 1024;
    let cache_mb = memory.map_or(128, |bytes| (bytes / 8 / MB).clamp(128, 1024));
    format!(" -c shared_buffers={cache_mb}MB -c max_wal_size=4GB -c checkpoint_timeout=15min")
}

/// The machine's memory (`MemTotal` in `/proc/meminfo`), if it says.
fn memory_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_directory_without_binaries_is_reported_with_the_package_to_install() {
        let empty = std::env::temp_dir();
        let err = find_bin_dir(Some(&empty.join("no-such-postgres"))).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("apt-get install postgresql"), "{text}");
        assert!(text.contains("no-such-postgres"), "{text}");
    }

    #[test]
    fn the_durable_cache_is_an_eighth_of_memory_between_128_mb_and_1_gb() {
        const GB: u64 = 1024 * 1024 * 1024;
        let cache = |memory| {
            let settings = durable_settings(memory);
            let at = settings.find("shared_buffers=").unwrap() + "shared_buffers=".len();
            settings[at..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(cache(Some(24 * GB)), "1024MB");
        assert_eq!(cache(Some(4 * GB)), "512MB");
        assert_eq!(cache(Some(GB / 2)), "128MB");
        assert_eq!(cache(None), "128MB");
        assert!(durable_settings(None).contains("max_wal_size=4GB"));
        assert!(
            memory_bytes().is_some_and(|m| m > 0),
            "Linux says how much memory it has"
        );
    }
}
