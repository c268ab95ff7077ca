//! Benchmark of end of day over many active loans.
//!
//! Creates a throwaway cluster (or uses `DATABASE_URL`), generates `--loans` active loans
//! set-based in SQL (a quarter of them past due), then times one end-of-day run:
//!
//! ```sh
//! cargo run --release -p lendline-tests --bin eod_bench -- --loans 1000000
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

fn main() {
    api::telemetry::init();
    let loans: u64 = arg("--loans", "100000")
        .parse()
        .expect("--loans is a number");
    let date: NaiveDate = arg("--date", "2026-11-11")
        .parse()
        .expect("--date is YYYY-MM-DD");
    let url = match std::env::var("DATABASE_URL") {
        Ok(url) => url,
        Err(_) => lendline_tests::fresh_database_url(),
    };
    let mut conn = persistence::db::connect(&url).expect("connect");
    let started = Instant::now();
    conn.batch_execute(&generate_sql(loans, date))
        .expect("generate loans");
    println!(
        "generated {loans} loans in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let policy = api::usecases::context::Policy::new(
        api::config::LoansConfig::default(),
        api::config::AuditConfig::default(),
        api::usecases::recent::DEFAULT_TTL,
    );
    let stats = api::unattended::run(
        &mut conn,
        "system:eod",
        &policy,
        chrono::Utc::now(),
        |ctx| api::usecases::day::eod::end_of_day(ctx, Some(date)),
    )
    .expect("end of day");
    let elapsed = started.elapsed().as_secs_f64();
    println!("end of day for {date}: {stats:?}");
    println!(
        "{loans} loans in {elapsed:.1} s ({:.0} loans/s)",
        loans as f64 / elapsed
    );
}

/// One merchant, one line, `n` loans started over the last 120 days with 90-day bullets: the
/// oldest quarter is past due, so aging, penalties and freezes all have work. Every loan has
/// been accrued up to the day being closed, as after the previous night's run.
fn generate_sql(n: u64, date: NaiveDate) -> String {
    format!(
        "INSERT INTO registry_entries (fingerprint, kind, subject_id)
              VALUES (repeat('b', 64), 'party_registration', '00000000-0000-7000-8000-000000000001');
         INSERT INTO parties (id, kind, name, registration_number, country, sector, onboarded_on, contact_email, currency,
                              registration_fingerprint)
              VALUES ('00000000-0000-7000-8000-000000000001', 'merchant', 'Bench', 'BENCH-1', 'CN', 'grocery',
                      '2024-01-01', 'bench@example.com', 'CNY', repeat('b', 64));
         INSERT INTO credit_line_applications (id, party_id, currency, requested_limit, purpose, consent_given_at, status, decision, created_at)
              VALUES ('00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000001', 'CNY', 1e12,
                      'bench', now(), 'approved', '{{}}', now());
         INSERT INTO credit_lines (id, party_id, application_id, currency, limit_amount, used_amount, annual_rate,
                                   max_tenor_days, expires_on, status, created_at)
              VALUES ('00000000-0000-7000-8000-000000000003', '00000000-0000-7000-8000-000000000001',
                      '00000000-0000-7000-8000-000000000002', 'CNY', 1e15, 0, 0.12, 180, '2030-01-01', 'active', now());
         INSERT INTO loans (id, line_id, party_id, currency, principal, annual_rate, penalty_rate_daily, method,
                            tenor_days, start_date, maturity_date, status, accrued_through, created_at)
              SELECT gen_random_uuid(), '00000000-0000-7000-8000-000000000003', '00000000-0000-7000-8000-000000000001',
                     'CNY', 10000, 0.12, 0.0005, 'bullet', 90, d, d + 90, 'active', DATE '{date}', now()
                FROM (SELECT DATE '{date}' - (g % 120)::int AS d FROM generate_series(1, {n}) g) s;
         INSERT INTO loan_installments (party_id, loan_id, number, due_date, principal, interest, cum_principal)
              SELECT party_id, id, 1, maturity_date, principal, round(principal * 0.12 * 90 / 365, 2), principal FROM loans;
         ANALYZE loans; ANALYZE loan_installments;"
    )
}
