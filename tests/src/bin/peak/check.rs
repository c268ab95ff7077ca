//! After the overload: every acknowledged decision stored exactly once, the trial balance
//! zero and the audit chain verified.

use std::path::Path;

use crate::load::{self, Sample, Setup};

pub async fn integrity(
    setup: &Setup,
    database: &crate::system::Database,
    bin_dir: &Path,
    data_dir: &Path,
    work: &Path,
    all: &[Sample],
) {
    let acked = |draw: bool| -> Vec<&str> {
        all.iter()
            .filter(|s| s.draw == draw && (200..300).contains(&s.status))
            .filter_map(|s| s.id.as_deref())
            .collect()
    };
    let (apps, loans) = (acked(false), acked(true));
    let apps_file = work.join("acked-applications.txt");
    let loans_file = work.join("acked-loans.txt");
    std::fs::write(&apps_file, apps.join("\n") + "\n").unwrap();
    std::fs::write(&loans_file, loans.join("\n") + "\n").unwrap();
    // Acknowledged ids missing or stored twice. The stored rows are found with `IN` over the
    // acknowledged ones rather than joined to them: a Citus coordinator joins no distributed
    // table to a local (temporary) one directly.
    let sql = format!(
        "CREATE TEMP TABLE acked_apps (id UUID);\n\
         \\copy acked_apps FROM '{}'\n\
         CREATE TEMP TABLE acked_loans (id UUID);\n\
         \\copy acked_loans FROM '{}'\n\
         WITH apps AS (SELECT id FROM credit_line_applications WHERE id IN (SELECT id FROM acked_apps)),\n\
              drawn AS (SELECT id FROM loans WHERE id IN (SELECT id FROM acked_loans))\n\
         SELECT (SELECT count(*) FROM acked_apps) - (SELECT count(DISTINCT id) FROM apps)\n\
                    + (SELECT count(*) - count(DISTINCT id) FROM apps),\n\
                (SELECT count(*) FROM acked_loans) - (SELECT count(DISTINCT id) FROM drawn)\n\
                    + (SELECT count(*) - count(DISTINCT id) FROM drawn),\n\
                (SELECT count(*) FROM credit_line_applications), (SELECT count(*) FROM loans);\n",
        apps_file.display(),
        loans_file.display()
    );
    let script = work.join("integrity.sql");
    std::fs::write(&script, sql).unwrap();
    let script_arg = script.display().to_string();
    let out = database
        .psql(bin_dir, data_dir)
        .args(["-v", "ON_ERROR_STOP=1", "-qAt", "-f", &script_arg])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let row: Vec<u64> = text
        .trim()
        .lines()
        .last()
        .unwrap_or_default()
        .split('|')
        .map(|v| v.parse().unwrap_or(u64::MAX))
        .collect();
    assert!(
        out.status.success() && row.len() == 4,
        "integrity query failed: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app_rows_expected = (apps.len() + setup.setup_applications) as u64;
    println!(
        "Integrity: {} applications and {} draws acknowledged; not stored exactly once: {} and {}; \
         rows {} (expected {app_rows_expected}) and {} (expected {})",
        apps.len(),
        loans.len(),
        row[0],
        row[1],
        row[2],
        row[3],
        loans.len()
    );
    let (status, balance) = load::get(setup, "/v1/ledger/trial-balance").await;
    println!(
        "  trial balance: {status}, balanced {}, totals {}",
        balance["balanced"], balance["totals"]
    );
    let (status, audit) = load::get(setup, "/v1/audit/verify").await;
    println!(
        "  audit chain: {status}, ok {}, {} events in {} chains checked",
        audit["ok"], audit["events_checked"], audit["chains_checked"]
    );
}
