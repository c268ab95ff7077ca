//! The peak-night benchmark, one command on one machine (see the README's Benchmarks):
//!
//! 1. PostgreSQL's ceiling: pgbench runs `decision.pgbench` (seven statements shaped like a
//!    draw, one durable commit each) on a throwaway cluster started like the server's durable
//!    default;
//! 2. Lendline's ceiling: the release server on a throwaway data directory, decisions
//!    (applications and draws in turn) from `--workers` closed-loop callers; the ratio of the two;
//! 3. latency at half that capacity (open loop);
//! 4. overload at 3x and 5x capacity (open loop) followed at once by half-capacity probes
//!    that tell when service is normal again;
//! 5. CPU per decision in the server, in PostgreSQL and in this tool (the load generator), next
//!    to pgbench's transaction in PostgreSQL and in pgbench; RSS before, after and later;
//! 6. integrity: every acknowledged decision stored exactly once, trial balance zero, audit
//!    chain verified.
//!
//! ```sh
//! deploy/peak-bench.sh --quick      # about 2 minutes; without --quick about 7
//! deploy/peak-bench.sh --quick --database-url postgres://postgres@127.0.0.1:9700/bench
//! ```
//!
//! `--database-url` benchmarks the server against that database (an empty one it may migrate,
//! e.g. on a Citus coordinator on this machine) instead of its embedded cluster; PostgreSQL's
//! CPU then counts every postmaster on the machine. The pgbench ceiling stays a throwaway
//! single-node cluster, the yardstick for both.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod background;
mod check;
mod load;
mod system;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use load::Sample;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn num(name: &str, default: u64) -> u64 {
    arg(name).map_or(default, |v| v.parse().expect(name))
}

struct Options {
    overload_s: u64,
    ceiling_s: u64,
    pgbench_s: u64,
    half_s: u64,
    probe_s: u64,
    settle_s: u64,
    pgbench_clients: u64,
    workers: u64,
    merchants: u64,
}

impl Options {
    fn parse() -> Options {
        let quick = std::env::args().any(|a| a == "--quick");
        let (long, short) = if quick { (10, 10) } else { (60, 30) };
        Options {
            overload_s: num("--seconds", long),
            ceiling_s: num("--ceiling-seconds", short),
            pgbench_s: num("--pgbench-seconds", short),
            half_s: num("--half-seconds", short),
            probe_s: num("--probe-seconds", if quick { 10 } else { 20 }),
            settle_s: num("--settle-seconds", long),
            pgbench_clients: num("--pgbench-clients", 16),
            workers: num("--workers", 24),
            merchants: num("--merchants", 300),
        }
    }
}

pub fn percentile_ms(samples: &[&Sample], p: f64) -> f64 {
    let mut v: Vec<Duration> = samples.iter().map(|s| s.latency).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

fn accepted(samples: &[Sample]) -> Vec<&Sample> {
    samples
        .iter()
        .filter(|s| (200..300).contains(&s.status))
        .collect()
}

/// Statuses that are not an answer the client can act on during overload.
fn errors(samples: &[Sample]) -> Vec<u16> {
    let mut out: Vec<u16> = samples
        .iter()
        .map(|s| s.status)
        .filter(|s| !((200..300).contains(s) || [422, 429, 503].contains(s)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What issue 14's targets look at in one overload run.
struct Overload {
    within_20ms_pct: f64,
    p99_ratio: f64,
    normal_s: Option<f64>,
    errors: usize,
}

fn overload_report(
    k: u64,
    spike: &[Sample],
    probes: &[Sample],
    seconds: u64,
    half_p99: f64,
) -> Overload {
    let ok = accepted(spike);
    let shed: Vec<&Sample> = spike.iter().filter(|s| s.status == 503).collect();
    let within_20ms = shed
        .iter()
        .filter(|s| s.latency <= Duration::from_millis(20))
        .count();
    let error_count = spike
        .iter()
        .chain(probes)
        .filter(|s| !((200..300).contains(&s.status) || [422, 429, 503].contains(&s.status)))
        .count();
    // Accepted per second over the time they took to be answered, which may outlast the spike.
    let span = ok
        .iter()
        .map(|s| s.sent + s.latency)
        .max()
        .map_or(seconds as f64, |d| d.as_secs_f64().max(seconds as f64));
    let (normal_s, abnormal) = time_to_normal(probes, half_p99);
    let result = Overload {
        within_20ms_pct: 100.0 * within_20ms as f64 / shed.len().max(1) as f64,
        p99_ratio: percentile_ms(&ok, 0.99) / half_p99.max(0.001),
        normal_s,
        errors: error_count,
    };
    let normal = result.normal_s.map_or_else(
        || format!("not within the {} s probed", seconds_probed(probes)),
        |s| format!("{s:.1} s"),
    );
    println!(
        "  {k}x: offered {} in {seconds} s; accepted {:.0}/s (last answered at {span:.1} s), accepted p99 {:.1} ms ({:.1}x half-capacity p99); \
         shed {:.1} % (503 p95 {:.1} ms, {:.1} % within 20 ms); 422 {}; 429 {}; errors {error_count} {:?}; \
         normal {} after the spike",
        spike.len(),
        ok.len() as f64 / span,
        percentile_ms(&ok, 0.99),
        result.p99_ratio,
        100.0 * shed.len() as f64 / spike.len().max(1) as f64,
        percentile_ms(&shed, 0.95),
        result.within_20ms_pct,
        spike.iter().filter(|s| s.status == 422).count(),
        spike.iter().filter(|s| s.status == 429).count(),
        errors(&[spike, probes].concat()),
        normal,
    );
    if !abnormal.is_empty() {
        println!("     abnormal windows after it: {}", abnormal.join("; "));
    }
    result
}

/// Samples the outbox's backlog once a second for `seconds`: mail the spike left behind is
/// work the server does while the probes measure whether it is back to normal.
fn outbox_backlog(
    database: &system::Database,
    bin_dir: &std::path::Path,
    data_dir: &std::path::Path,
    seconds: u64,
) -> tokio::task::JoinHandle<Vec<Option<u64>>> {
    let (database, bin_dir, data_dir) = (database.clone(), bin_dir.to_owned(), data_dir.to_owned());
    tokio::task::spawn_blocking(move || {
        let start = std::time::Instant::now();
        (0..seconds)
            .map(|i| {
                std::thread::sleep(Duration::from_secs(i).saturating_sub(start.elapsed()));
                database.outbox_pending(&bin_dir, &data_dir)
            })
            .collect()
    })
}

fn seconds_probed(probes: &[Sample]) -> u64 {
    probes.iter().map(|s| s.sent.as_secs()).max().unwrap_or(0) + 1
}

/// Probes at half capacity sent from the moment the spike's last request left, in 500 ms
/// windows; a window is normal when every probe in it was accepted (2xx or 422) and its p99
/// is within 3x the half-capacity p99. Answers when the last abnormal window ended (None: the
/// last window probed was still abnormal), and what made each abnormal window so: refusals
/// (the write bound still low) or slow answers (the server still busy after the spike) call
/// for different remedies.
fn time_to_normal(probes: &[Sample], half_p99: f64) -> (Option<f64>, Vec<String>) {
    let window = Duration::from_millis(500);
    let windows = probes
        .iter()
        .map(|s| s.sent.as_millis() / window.as_millis())
        .max()
        .unwrap_or(0)
        + 1;
    let mut last_abnormal = None;
    let mut why = Vec::new();
    for w in 0..windows {
        let inside: Vec<&Sample> = probes
            .iter()
            .filter(|s| s.sent.as_millis() / window.as_millis() == w)
            .collect();
        let refused = inside
            .iter()
            .filter(|s| !((200..300).contains(&s.status) || s.status == 422))
            .count();
        let p99 = percentile_ms(&inside, 0.99);
        if refused > 0 || p99 > 3.0 * half_p99 {
            last_abnormal = Some(w);
            why.push(format!(
                "{:.1}s: {refused} refused, p99 {p99:.0} ms",
                w as f64 / 2.0
            ));
        }
    }
    let normal = match last_abnormal {
        None => Some(0.0),
        Some(w) if w + 1 == windows => None,
        Some(w) => Some((w + 1) as f64 / 2.0),
    };
    (normal, why)
}

#[tokio::main]
async fn main() {
    let opts = Options::parse();
    let server_bin = arg("--server-bin").map_or_else(
        || std::env::current_exe().unwrap().with_file_name("lendline"),
        PathBuf::from,
    );
    let work = tempfile::Builder::new()
        .prefix("lendline-peak-")
        .tempdir_in("/tmp")
        .unwrap();
    // Kept when the benchmark fails, for the server's log; removed at the end of a full run.
    let work = Work(work.keep());
    println!("work directory {}", work.path().display());

    let bin_dir = system::pg_bin_dir(arg("--pg-bin-dir"));
    let pg = system::pgbench_ceiling(
        &bin_dir,
        work.path(),
        opts.pgbench_clients as u32,
        opts.pgbench_s,
    );
    let pg_tps = pg.tps;
    println!(
        "PostgreSQL ceiling: {pg_tps:.0} decision-shaped transactions/s ({} clients, {} s, durable, one commit each; {:.1} KB of WAL each)",
        opts.pgbench_clients, opts.pgbench_s, pg.wal_per_transaction / 1024.0
    );
    println!(
        "  CPU per transaction: PostgreSQL {:.2} ms, pgbench {:.2} ms",
        pg.postgres_ms, pg.client_ms
    );

    let database = match arg("--database-url") {
        Some(url) => system::Database::External(url),
        None => system::Database::Embedded,
    };
    let server = system::Server::start(&server_bin, &bin_dir, work.path(), &database).await;
    let (pid, postmasters) = (server.pid(), database.postmasters(&server.data_dir));
    let mut config = api::config::Config::load(None, &|k| std::env::var(k).ok()).unwrap();
    config.data_dir = server.data_dir.clone();
    let setup = Arc::new(load::setup(&config, &server.base, opts.merchants as usize).await);
    background::log_maintenance(&database, &bin_dir, &server.data_dir);
    let rss_before = system::rss(pid);
    let machine_start = system::machine();
    let warm_up = load::closed_loop(&setup, opts.workers, 3).await;
    let rss_warm = system::rss(pid);

    let wal0 = database.wal_bytes(&bin_dir, &server.data_dir);
    let (cpu0, batches0) = (system::cpu(pid, &postmasters), server.batches().await);
    let machine0 = system::machine();
    let ceiling = load::closed_loop(&setup, opts.workers, opts.ceiling_s).await;
    let machine1 = system::machine();
    let (cpu1, batches1) = (system::cpu(pid, &postmasters), server.batches().await);
    let wal1 = database.wal_bytes(&bin_dir, &server.data_dir);
    let ceiling_ok = accepted(&ceiling);
    let capacity = ceiling_ok.len() as f64 / opts.ceiling_s as f64;
    let per = ceiling_ok.len().max(1) as f64;
    println!(
        "Lendline ceiling: {capacity:.0} accepted decisions/s ({} callers, {} s; {} other answers {:?}); ratio to PostgreSQL {:.2}",
        opts.workers,
        opts.ceiling_s,
        ceiling.len() - ceiling_ok.len(),
        errors(&ceiling),
        capacity / pg_tps
    );
    println!(
        "CPU per decision at the ceiling: server {:.2} ms, PostgreSQL {:.2} ms, load generator {:.2} ms; {} writes per group-commit batch",
        (cpu1.server_ms - cpu0.server_ms) / per,
        (cpu1.postgres_ms - cpu0.postgres_ms) / per,
        (cpu1.load_ms - cpu0.load_ms) / per,
        batches0.mean_until(batches1)
    );
    if let (Some(wal0), Some(wal1)) = (wal0, wal1) {
        // Everything the database logged meanwhile, the outbox's deliveries included.
        println!(
            "  WAL per decision at the ceiling: {:.1} KB ({:.1}x pgbench's transaction)",
            (wal1 - wal0) / per / 1024.0,
            (wal1 - wal0) / per / pg.wal_per_transaction.max(1.0)
        );
    }
    println!("  the machine at the ceiling: {}", machine0.until(machine1));

    let half_began = std::time::SystemTime::now();
    let half = load::open_loop(&setup, capacity / 2.0, opts.half_s as f64, 1 << 32)
        .await
        .await
        .unwrap();
    let half_ok = accepted(&half);
    let half_p99 = percentile_ms(&half_ok, 0.99);
    println!(
        "Half capacity ({:.0}/s for {} s): p50 {:.1} ms, p99 {half_p99:.1} ms; {} of {} not accepted",
        capacity / 2.0,
        opts.half_s,
        percentile_ms(&half_ok, 0.5),
        half.len() - half_ok.len(),
        half.len()
    );
    // The same 500 ms windows that decide "normal" after a spike, over the half-capacity phase
    // itself: how often a window fails the test with no spike before it (a WAL flush or a
    // vacuum that stalls, a refusal at a burst), which is the floor under "time to normal".
    let (_, baseline) = time_to_normal(&half, half_p99);
    println!(
        "  windows that would count as abnormal in this phase itself: {} of {}{}",
        baseline.len(),
        2 * opts.half_s,
        if baseline.is_empty() {
            String::new()
        } else {
            format!(" ({})", baseline.join("; "))
        }
    );
    background::report(
        "  ",
        "the phase's start",
        &server.data_dir,
        half_began,
        half_began,
    );

    println!(
        "Overload ({} s each, then half-capacity probes for {} s):",
        opts.overload_s, opts.probe_s
    );
    let mut all = [warm_up, ceiling, half].concat();
    let mut overloads = Vec::new();
    for (i, k) in [3u64, 5].into_iter().enumerate() {
        let base = (2 + i as u64) << 32;
        let machine_before = system::machine();
        let spike_began = std::time::SystemTime::now();
        let spike =
            load::open_loop(&setup, capacity * k as f64, opts.overload_s as f64, base).await;
        let backlog = outbox_backlog(&database, &bin_dir, &server.data_dir, opts.probe_s);
        let probes = load::open_loop(
            &setup,
            capacity / 2.0,
            opts.probe_s as f64,
            base + (1 << 31),
        )
        .await;
        let (spike, probes) = (spike.await.unwrap(), probes.await.unwrap());
        let backlog = backlog.await.unwrap();
        overloads.push(overload_report(
            k,
            &spike,
            &probes,
            opts.overload_s,
            half_p99,
        ));
        println!(
            "     emails waiting in the outbox each second after the spike: {}",
            backlog
                .iter()
                .map(|n| n.map_or("?".into(), |n| n.to_string()))
                .collect::<Vec<_>>()
                .join(" ")
        );
        println!(
            "     the machine over the spike and the probes: {}",
            machine_before.until(system::machine())
        );
        let spike_ended = spike_began + Duration::from_secs(opts.overload_s);
        background::report(
            "     ",
            "the spike's end",
            &server.data_dir,
            spike_began,
            spike_ended,
        );
        all.extend(spike);
        all.extend(probes);
    }

    println!(
        "The machine over every load phase: {}",
        machine_start.until(system::machine())
    );
    let waited = tokio::time::Instant::now();
    let rss_after = system::rss(pid);
    check::integrity(
        &setup,
        &database,
        &bin_dir,
        &server.data_dir,
        work.path(),
        &all,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(opts.settle_s).saturating_sub(waited.elapsed())).await;
    let rss_later = system::rss(pid);
    println!(
        "Server RSS: {} before load, {} after the 3 s warm-up, {} after the load, {} {} s later",
        system::show(rss_before),
        system::show(rss_warm),
        system::show(rss_after),
        system::show(rss_later),
        opts.settle_s
    );
    let three = &overloads[0];
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    println!("Issue 14's targets:");
    println!(
        "  ratio >= 1.0: {} ({:.2}); at 3x: >= 95 % of refusals within 20 ms: {} ({:.1} %); \
         accepted p99 <= 3x half-capacity p99: {} ({:.1}x); normal within 5 s: {}; \
         no error during overload: {} ({} at 3x, {} at 5x); RSS within 20 % a while later: {}",
        verdict(capacity / pg_tps >= 1.0),
        capacity / pg_tps,
        verdict(three.within_20ms_pct >= 95.0),
        three.within_20ms_pct,
        verdict(three.p99_ratio <= 3.0),
        three.p99_ratio,
        verdict(three.normal_s.is_some_and(|s| s <= 5.0)),
        verdict(overloads.iter().all(|o| o.errors == 0)),
        three.errors,
        overloads[1].errors,
        verdict(
            matches!((rss_before, rss_later), (Some(b), Some(l)) if l.total_mb <= b.total_mb * 1.2)
        ),
    );
    server.stop();
    let _ = std::fs::remove_dir_all(work.path());
}

struct Work(PathBuf);

impl Work {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}
