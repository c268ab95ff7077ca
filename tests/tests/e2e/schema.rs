//! Architecture and schema guards: crate boundaries, migrations that go down and up again,
//! and an index behind every foreign key.

use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName, PartialEq, Debug)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Columns, constraints and indexes, one line each, in a stable order. Relations an extension
/// owns are not ours (on a Citus coordinator, `citus_tables` and `citus_schemas` live in public).
fn describe_schema(conn: &mut PgConnection) -> Vec<String> {
    let sql = "
        SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS line
          FROM information_schema.columns WHERE table_schema = 'public'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
                              AND d.objid = format('public.%I', table_name)::regclass)
        UNION ALL
        SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
          FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL
        SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL
        SELECT event_object_table || ' ' || trigger_name || ' ' || action_timing || ' ' || event_manipulation
          FROM information_schema.triggers WHERE trigger_schema = 'public'
        UNION ALL
        SELECT relname || ' WITH ' || array_to_string(reloptions, ',')
          FROM pg_class WHERE relnamespace = 'public'::regnamespace AND reloptions IS NOT NULL
        UNION ALL
        SELECT attrelid::regclass::text || '.' || attname || ' STATISTICS ' || attstattarget
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0
           AND NOT a.attisdropped AND a.attstattarget >= 0
        ORDER BY 1";
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

#[test]
fn migrations_go_down_and_up_again_to_the_same_schema() {
    let url = lendline_tests::fresh_plain_database_url();
    let mut conn = persistence::db::connect(&url).unwrap();
    let first = describe_schema(&mut conn);
    assert!(
        first.iter().any(|l| l.starts_with("parties.")),
        "template was not migrated"
    );
    // Storage settings are part of the schema: the peak's updates stay on their page, and
    // autovacuum skips the wide columns no query filters on and samples little of the tables
    // a peak fills fastest.
    for setting in [
        "outbox_emails WITH fillfactor=50",
        "idempotency_keys WITH fillfactor=60",
        "audit_events.payload STATISTICS 0",
        "outbox_emails.html_body STATISTICS 0",
        "audit_events.chain STATISTICS 10",
        "idempotency_keys.created_at STATISTICS 10",
    ] {
        assert!(first.iter().any(|l| l == setting), "{setting}: {first:#?}");
    }
    persistence::db::revert_all_migrations(&mut conn).unwrap();
    let empty = describe_schema(&mut conn);
    assert!(
        empty
            .iter()
            .all(|l| l.contains("__diesel_schema_migrations")),
        "down migrations left objects behind: {empty:?}"
    );
    persistence::db::run_migrations(&mut conn).unwrap();
    assert_eq!(describe_schema(&mut conn), first);
}

#[test]
fn receipts_pledged_before_the_registry_knew_them_are_entered_with_their_fingerprint() {
    use diesel::connection::SimpleConnection;
    use persistence::schema::registry_entries::dsl as registry;
    let url = lendline_tests::fresh_plain_database_url();
    let mut conn = persistence::db::connect(&url).unwrap();
    loop {
        let reverted = persistence::db::revert_last_migration(&mut conn).unwrap();
        if reverted.contains("000011") {
            break;
        }
    }
    conn.batch_execute(
        "INSERT INTO parties (id, kind, name, registration_number, country, sector, onboarded_on,
                              contact_email, currency)
         VALUES ('01900000-0000-7000-8000-000000000001', 'merchant', 'M', 'REG-1', 'CN', 'apparel',
                 '2025-01-01', 'm@example.com', 'CNY');
         INSERT INTO collateral (id, merchant_id, warehouse, receipt_number, receipt_key, sku,
                                 category, quantity, currency, unit_value, haircut, status,
                                 valued_on, created_at)
         VALUES ('01900000-0000-7000-8000-000000000002', '01900000-0000-7000-8000-000000000001',
                 'W', 'wr-001/a', 'WR001A', 'SKU', 'electronics', 1, 'CNY', 10, 0.4, 'pledged',
                 '2026-11-01', now()),
                ('01900000-0000-7000-8000-000000000003', '01900000-0000-7000-8000-000000000001',
                 'W', 'wr-002', 'WR002', 'SKU', 'electronics', 1, 'CNY', 10, 0.4, 'released',
                 '2026-11-01', now());",
    )
    .unwrap();
    persistence::db::run_migrations(&mut conn).unwrap();
    let entered: Vec<(String, bool)> = registry::registry_entries
        .filter(registry::kind.eq("warehouse_receipt"))
        .order(registry::registered_at.asc())
        .select((registry::fingerprint, registry::encumbered))
        .load(&mut conn)
        .unwrap();
    // Entered by migration 000011, then re-keyed to the v2 recipe after the migrations.
    use domain::identifier::canonical_key;
    use domain::receivable_fingerprint::receipt_fingerprint;
    let mut expected = vec![
        (receipt_fingerprint(&canonical_key("wr-001/a")), true),
        (receipt_fingerprint(&canonical_key("wr-002")), false),
    ];
    let mut got = entered;
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "pledged goods encumbered, released ones not");
}

#[test]
fn every_foreign_key_is_backed_by_an_index() {
    let url = lendline_tests::fresh_database_url();
    let mut conn = persistence::db::connect(&url).unwrap();
    // A foreign key is covered when some index starts with exactly its columns.
    let unindexed = diesel::sql_query(
        "SELECT c.conrelid::regclass::text || ' ' || c.conname AS line
           FROM pg_constraint c
          WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
            AND NOT EXISTS (
                SELECT 1 FROM pg_index i
                 WHERE i.indrelid = c.conrelid
                   AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] = c.conkey)",
    )
    .load::<Line>(&mut conn)
    .unwrap();
    assert_eq!(unindexed, Vec::<Line>::new());
}

#[test]
fn pure_crates_do_not_depend_on_frameworks_or_io() {
    for krate in ["domain", "credit-scoring"] {
        let out = std::process::Command::new(env!("CARGO"))
            .args([
                "tree", "-p", krate, "-e", "normal", "--prefix", "none", "--format", "{p}",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tree = String::from_utf8(out.stdout).unwrap();
        for forbidden in ["actix", "diesel", "tokio", "lettre", "jsonwebtoken"] {
            assert!(
                !tree.lines().any(|l| l.starts_with(forbidden)),
                "{krate} depends on {forbidden}:\n{tree}"
            );
        }
    }
}
