//! PostgreSQL's own work around a spike, read from the embedded cluster's log: checkpoints and
//! autovacuum runs, placed in time against the spike's end. A slow window among the probes
//! that coincides with one of them is the database's housekeeping, not the server's backlog.

use std::path::Path;
use std::time::SystemTime;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::system::Database;

/// Makes the embedded cluster log every autovacuum run and checkpoint, with UTC timestamps
/// (what [`during`] reads). Nothing for an external database, whose log is not ours to read.
pub fn log_maintenance(database: &Database, bin_dir: &Path, data_dir: &Path) {
    if !matches!(database, Database::Embedded) {
        return;
    }
    // ALTER SYSTEM cannot run in a transaction block: one `-c` each.
    let out = database
        .psql(bin_dir, data_dir)
        .args([
            "-qAt",
            "-c",
            "ALTER SYSTEM SET log_autovacuum_min_duration = 0",
            "-c",
            "ALTER SYSTEM SET log_checkpoints = on",
            "-c",
            "ALTER SYSTEM SET log_timezone = 'UTC'",
            "-c",
            "SELECT pg_reload_conf()",
        ])
        .output();
    if !matches!(&out, Ok(o) if o.status.success()) {
        println!(
            "  (PostgreSQL's background work will not be shown: its logging could not be set)"
        );
    }
}

/// One logged event: when it began and ended, and what it was.
struct Event {
    began: DateTime<Utc>,
    ended: DateTime<Utc>,
    what: String,
    /// Whether it could have slowed requests: every checkpoint, and the autovacuum runs that
    /// took some CPU or time (not the passes over small or untouched tables).
    weighs: bool,
}

/// Below both of these, an autovacuum run is not shown.
const NOTABLE_CPU_S: f64 = 0.02;
const NOTABLE_ELAPSED_S: f64 = 0.1;

/// Prints, after `indent`, the checkpoints and autovacuum runs since `from`, in seconds from
/// `zero` (`zero_is` names it); nothing if there were none.
pub fn report(indent: &str, zero_is: &str, data_dir: &Path, from: SystemTime, zero: SystemTime) {
    let events = during(data_dir, from, SystemTime::now(), zero);
    if !events.is_empty() {
        println!(
            "{indent}PostgreSQL's housekeeping, in seconds from {zero_is}: {}",
            events.join("; ")
        );
    }
}

/// The checkpoints and autovacuum runs that overlapped `from..to`, as offsets in seconds from
/// `zero` (negative: before it), in the order they began.
fn during(data_dir: &Path, from: SystemTime, to: SystemTime, zero: SystemTime) -> Vec<String> {
    let log = std::fs::read_to_string(data_dir.join("postgres/server.log")).unwrap_or_default();
    during_log(&log, from, to, zero)
}

fn during_log(log: &str, from: SystemTime, to: SystemTime, zero: SystemTime) -> Vec<String> {
    let (from, to, zero): (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>) =
        (from.into(), to.into(), zero.into());
    let mut events: Vec<Event> = entries(log)
        .filter_map(|(at, text)| event(at, &text))
        .filter(|e| e.ended >= from && e.began <= to && e.weighs)
        .collect();
    events.sort_by_key(|e| e.began);
    let offset = |t: DateTime<Utc>| (t - zero).num_milliseconds() as f64 / 1000.0;
    events
        .iter()
        .map(|e| {
            format!(
                "{:+.1}..{:+.1} s {}",
                offset(e.began),
                offset(e.ended),
                e.what
            )
        })
        .collect()
}

/// The log's entries: a line that starts with a timestamp, and the lines that continue it.
fn entries(log: &str) -> impl Iterator<Item = (DateTime<Utc>, String)> + '_ {
    let mut entries = Vec::new();
    for line in log.lines() {
        match timestamp(line) {
            Some(at) => entries.push((at, line.to_string())),
            None => {
                if let Some((_, text)) = entries.last_mut() {
                    text.push('\n');
                    text.push_str(line);
                }
            }
        }
    }
    entries.into_iter()
}

fn timestamp(line: &str) -> Option<DateTime<Utc>> {
    let stamp = line.get(..23)?;
    NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S%.3f")
        .ok()
        .map(|t| t.and_utc())
}

/// A checkpoint (logged when it completes, with its duration) or an autovacuum run (logged when
/// it ends, with its elapsed and CPU time).
fn event(at: DateTime<Utc>, text: &str) -> Option<Event> {
    let seconds = |after: &str| -> Option<f64> {
        let rest = &text[text.find(after)? + after.len()..];
        rest.trim_start()
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()?
            .parse()
            .ok()
    };
    let began = |elapsed: f64| at - chrono::Duration::milliseconds((elapsed * 1000.0) as i64);
    if text.contains("checkpoint complete") {
        let total = seconds("total=")?;
        return Some(Event {
            began: began(total),
            ended: at,
            what: format!(
                "checkpoint (write {:.1} s, sync {:.1} s)",
                seconds("write=").unwrap_or(0.0),
                seconds("sync=").unwrap_or(0.0)
            ),
            weighs: true,
        });
    }
    let kind = ["automatic vacuum", "automatic analyze"]
        .into_iter()
        .find(|k| text.contains(k))?;
    let table = text
        .split('"')
        .nth(1)
        .map_or("?", |t| t.rsplit('.').next().unwrap_or(t));
    let elapsed = seconds("elapsed:")?;
    let cpu = seconds("user:").unwrap_or(0.0) + seconds("system:").unwrap_or(0.0);
    Some(Event {
        began: began(elapsed),
        ended: at,
        what: format!(
            "{} of {table} (CPU {cpu:.2} s)",
            kind.trim_start_matches("automatic ")
        ),
        weighs: cpu >= NOTABLE_CPU_S || elapsed >= NOTABLE_ELAPSED_S,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
2026-12-03 10:15:46.617 UTC [31500] LOG:  automatic vacuum of table \"lendline.public.audit_events\": index scans: 0
\tpages: 0 removed, 3900 remain
\tsystem usage: CPU: user: 0.10 s, system: 0.02 s, elapsed: 0.35 s
2026-12-03 10:15:47.000 UTC [31370] LOG:  checkpoint starting: wal
2026-12-03 10:15:49.500 UTC [31370] LOG:  checkpoint complete: wrote 900 buffers (5.5%); 0 WAL file(s) added, 0 removed, 3 recycled; write=2.200 s, sync=0.300 s, total=2.500 s; sync files=40
2026-12-03 10:15:48.000 UTC [31500] LOG:  automatic analyze of table \"lendline.pg_catalog.pg_type\"
\tsystem usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s
2026-12-03 10:15:50.000 UTC [31500] LOG:  automatic analyze of table \"lendline.public.loans\"
\tsystem usage: CPU: user: 0.05 s, system: 0.00 s, elapsed: 0.06 s
";

    #[test]
    fn vacuums_and_checkpoints_are_placed_from_where_they_began_and_idle_passes_left_out() {
        let at = |s: &str| -> SystemTime { timestamp(s).unwrap().into() };
        let zero = at("2026-12-03 10:15:46.000");
        let shown = during_log(
            LOG,
            at("2026-12-03 10:15:46.000"),
            at("2026-12-03 10:15:49.000"),
            zero,
        );
        assert_eq!(
            shown,
            [
                "+0.3..+0.6 s vacuum of audit_events (CPU 0.12 s)",
                "+1.0..+3.5 s checkpoint (write 2.2 s, sync 0.3 s)",
            ]
        );
    }
}
