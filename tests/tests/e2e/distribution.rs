//! The schema against the distribution map (`persistence::distribution`), on plain PostgreSQL:
//! what Citus would refuse is found here, in CI, without a cluster. And a source check that no
//! upsert sets a volatile function, which Citus refuses in `DO UPDATE SET`.

use std::collections::BTreeSet;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::Text;
use persistence::distribution::{
    placement, Placement, CROSS_PARTY_REFERENCES, KEYS_WIDENED_WHEN_DISTRIBUTED, MAP,
};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct UniqueIndex {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Text)]
    columns: String,
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = Text)]
    target: String,
    #[diesel(sql_type = Text)]
    target_columns: String,
}

/// Whether the migrations distributed this database (a Citus coordinator): the exceptions the
/// map lists for one PostgreSQL are then gone.
fn distributed(conn: &mut PgConnection) -> bool {
    !names(
        conn,
        "SELECT extname::text AS name FROM pg_extension WHERE extname = 'citus'",
    )
    .is_empty()
}

fn names(conn: &mut PgConnection, sql: &str) -> BTreeSet<String> {
    diesel::sql_query(sql)
        .load::<Name>(conn)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect()
}

/// A table's columns `attnums` (an int2vector or smallint[] expression) as `a,b,c`.
fn column_list(table_oid: &str, attnums: &str) -> String {
    format!(
        "coalesce((SELECT string_agg(a.attname, ',' ORDER BY k.ord)
                     FROM unnest({attnums}) WITH ORDINALITY AS k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = {table_oid} AND a.attnum = k.attnum), '')"
    )
}

fn tables(conn: &mut PgConnection) -> BTreeSet<String> {
    names(
        conn,
        "SELECT relname::text AS name FROM pg_class
          WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace",
    )
}

fn columns(conn: &mut PgConnection) -> BTreeSet<String> {
    names(
        conn,
        "SELECT table_name || '.' || column_name AS name FROM information_schema.columns
          WHERE table_schema = 'public'",
    )
}

fn unique_indexes(conn: &mut PgConnection) -> Vec<UniqueIndex> {
    // Only key columns count (indnkeyatts); an expression column has attnum 0 and drops out.
    let sql = format!(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, {} AS columns
           FROM pg_index x
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_class i ON i.oid = x.indexrelid
          WHERE x.indisunique AND t.relnamespace = 'public'::regnamespace
          ORDER BY 1, 2",
        column_list("t.oid", "(x.indkey::int2[])[0:x.indnkeyatts - 1]")
    );
    diesel::sql_query(sql).load(conn).unwrap()
}

fn foreign_keys(conn: &mut PgConnection) -> Vec<ForeignKey> {
    let sql = format!(
        // Through pg_class, which Citus filters: its shards on this node are not the schema.
        "SELECT c.conname::text AS name, c.conrelid::regclass::text AS table_name,
                {} AS columns, c.confrelid::regclass::text AS target, {} AS target_columns
           FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid
          WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          ORDER BY 2, 1",
        column_list("c.conrelid", "c.conkey"),
        column_list("c.confrelid", "c.confkey")
    );
    diesel::sql_query(sql).load(conn).unwrap()
}

/// Whether a foreign key between two tenant tables carries the party from one to the other:
/// the referencing table's column sits where the referenced table's column does.
fn co_located(fk: &ForeignKey, from: &str, to: &str) -> bool {
    let cols: Vec<&str> = fk.columns.split(',').collect();
    let targets: Vec<&str> = fk.target_columns.split(',').collect();
    cols.iter()
        .zip(&targets)
        .any(|(c, t)| *c == from && *t == to)
}

fn foreign_key_allowed(fk: &ForeignKey) -> bool {
    let (Some(from), Some(to)) = (placement(&fk.table_name), placement(&fk.target)) else {
        return false;
    };
    match (from, to) {
        (Placement::Tenant(_), Placement::Reference) => true,
        (Placement::Tenant(a), Placement::Tenant(b)) => co_located(fk, a, b),
        (Placement::Reference, Placement::Reference) => true,
        (Placement::Coordinator, Placement::Coordinator) => true,
        _ => false,
    }
}

/// Everything in the live schema a cluster distributed by `MAP` would refuse.
fn violations(conn: &mut PgConnection) -> BTreeSet<String> {
    let columns = columns(conn);
    let mut found = BTreeSet::new();
    for (table, place) in MAP {
        if let Placement::Tenant(column) = place {
            if !columns.contains(&format!("{table}.{column}")) {
                found.insert(format!("{table}: no column {column}"));
            }
        }
    }
    for index in unique_indexes(conn) {
        let Some(Placement::Tenant(column)) = placement(&index.table_name) else {
            continue;
        };
        let widened = KEYS_WIDENED_WHEN_DISTRIBUTED
            .iter()
            .any(|(t, c, _)| *t == index.table_name && *c == index.index_name);
        if !widened && !index.columns.split(',').any(|c| c == column) {
            found.insert(format!(
                "{}: unique index {} ({}) leaves out {column}",
                index.table_name, index.index_name, index.columns
            ));
        }
    }
    for fk in foreign_keys(conn) {
        let cross_party =
            CROSS_PARTY_REFERENCES.contains(&(fk.table_name.as_str(), fk.name.as_str()));
        if !foreign_key_allowed(&fk) && !cross_party {
            found.insert(format!(
                "{}: foreign key {} ({}) -> {} ({}) is neither co-located nor to a reference table",
                fk.table_name, fk.name, fk.columns, fk.target, fk.target_columns
            ));
        }
    }
    // On a worker the trigger fires on a shard (`postings_102008`), so a function that reads
    // the table's name takes the wrong branch or names the shard.
    let readers = "SELECT proname::text AS name FROM pg_proc
                    WHERE pronamespace = 'public'::regnamespace AND prosrc ~* 'tg_table_name'";
    for function in names(conn, readers) {
        found.insert(format!("function {function} reads TG_TABLE_NAME"));
    }
    found
}

#[test]
fn every_table_is_in_the_distribution_map_and_the_map_names_only_tables() {
    let mut conn = persistence::db::connect(&lendline_tests::fresh_database_url()).unwrap();
    let live = tables(&mut conn);
    let mapped: BTreeSet<String> = MAP.iter().map(|(t, _)| t.to_string()).collect();
    assert_eq!(mapped.len(), MAP.len(), "a table is mapped twice");
    let unmapped: Vec<_> = live.difference(&mapped).collect();
    let gone: Vec<_> = mapped.difference(&live).collect();
    assert!(
        unmapped.is_empty(),
        "tables missing from the map: {unmapped:?}"
    );
    assert!(gone.is_empty(), "mapped tables the schema lacks: {gone:?}");
}

#[test]
fn every_listed_cross_party_reference_is_a_foreign_key_between_tenant_tables_that_cannot_be_co_located(
) {
    let mut conn = persistence::db::connect(&lendline_tests::fresh_database_url()).unwrap();
    let keys = foreign_keys(&mut conn);
    let distributed = distributed(&mut conn);
    for (table, name) in CROSS_PARTY_REFERENCES {
        let fk = keys
            .iter()
            .find(|fk| fk.table_name == *table && fk.name == *name);
        if distributed {
            assert!(fk.is_none(), "{table}.{name} survived distribution");
            continue;
        }
        let fk =
            fk.unwrap_or_else(|| panic!("{table}.{name} is no foreign key: take it off the list"));
        let tenants = matches!(
            (placement(&fk.table_name), placement(&fk.target)),
            (Some(Placement::Tenant(_)), Some(Placement::Tenant(_)))
        );
        assert!(
            tenants && !foreign_key_allowed(fk),
            "{name} needs no exception"
        );
    }
}

#[test]
fn every_key_widened_when_distributing_is_a_primary_key_that_leaves_out_its_owner() {
    let mut conn = persistence::db::connect(&lendline_tests::fresh_database_url()).unwrap();
    let indexes = unique_indexes(&mut conn);
    let distributed = distributed(&mut conn);
    for (table, constraint, key) in KEYS_WIDENED_WHEN_DISTRIBUTED {
        let Some(Placement::Tenant(owner)) = placement(table) else {
            panic!("{table} is no tenant table");
        };
        let index = indexes
            .iter()
            .find(|i| i.table_name == *table && i.index_name == *constraint)
            .unwrap_or_else(|| panic!("{constraint} does not exist: take it off the list"));
        if distributed {
            assert_eq!(
                index.columns,
                key.replace(' ', ""),
                "widened on the cluster"
            );
            continue;
        }
        assert!(
            !index.columns.split(',').any(|c| c == owner),
            "{constraint} includes {owner} already: take it off the list"
        );
        assert_eq!(key.replace(' ', ""), format!("{owner},{}", index.columns));
    }
}

#[test]
fn the_map_places_every_table_after_the_tables_its_foreign_keys_point_at() {
    let mut conn = persistence::db::connect(&lendline_tests::fresh_database_url()).unwrap();
    let position = |t: &str| MAP.iter().position(|(name, _)| *name == t);
    // Citus distributes a table only once the tables it refers to are distributed.
    let early: Vec<String> = foreign_keys(&mut conn)
        .into_iter()
        .filter(|fk| fk.table_name != fk.target)
        .filter(|fk| position(&fk.table_name) < position(&fk.target))
        .map(|fk| format!("{} before {} ({})", fk.table_name, fk.target, fk.name))
        .collect();
    assert!(early.is_empty(), "{early:#?}");
}

/// The suite also runs against a Citus coordinator (`LENDLINE_TEST_DATABASE_URL`): there the
/// migrations have distributed the tables already, and distributing again changes nothing.
#[test]
fn distributing_acts_only_on_citus_and_only_once() {
    use persistence::distribute::{distribute_if_citus, Outcome};
    let mut conn = persistence::db::connect(&lendline_tests::fresh_database_url()).unwrap();
    let citus =
        diesel::sql_query("SELECT extname AS name FROM pg_extension WHERE extname = 'citus'")
            .load::<Name>(&mut conn)
            .unwrap();
    let outcome = distribute_if_citus(&mut conn).unwrap();
    let expected = if citus.is_empty() {
        Outcome::NotCitus
    } else {
        Outcome::Distributed { tables: Vec::new() }
    };
    assert_eq!(outcome, expected);
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    column: Option<String>,
}

fn distribution_column(conn: &mut PgConnection, table: &str) -> Option<String> {
    diesel::sql_query(
        "SELECT column_to_column_name(logicalrelid, partkey) AS column
           FROM pg_dist_partition WHERE logicalrelid = to_regclass($1)",
    )
    .bind::<Text, _>(table)
    .get_result::<Column>(conn)
    .unwrap()
    .column
}

/// A cluster distributed by an earlier release kept the idempotency keys by caller; migrating it
/// redistributes them by party, next to the effects they guard. (On plain PostgreSQL there is
/// nothing to redistribute.)
#[test]
fn on_a_cluster_a_table_a_release_moved_is_redistributed_by_its_owner() {
    use persistence::distribute::{distribute_if_citus, Outcome};
    let mut conn = persistence::db::connect(&lendline_tests::fresh_database_url()).unwrap();
    if !distributed(&mut conn) {
        assert_eq!(distribute_if_citus(&mut conn).unwrap(), Outcome::NotCitus);
        return;
    }
    assert_eq!(
        distribution_column(&mut conn, "idempotency_keys").as_deref(),
        Some("party_id")
    );
    diesel::sql_query(
        "SELECT alter_distributed_table('idempotency_keys', distribution_column := 'caller', \
         colocate_with := 'none')",
    )
    .execute(&mut conn)
    .unwrap();
    let outcome = distribute_if_citus(&mut conn).unwrap();
    assert_eq!(
        outcome,
        Outcome::Distributed {
            tables: vec!["idempotency_keys"]
        }
    );
    assert_eq!(
        distribution_column(&mut conn, "idempotency_keys").as_deref(),
        Some("party_id")
    );
}

#[derive(QueryableByName)]
struct Hashed {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    hash: i32,
}

/// The group commit batches by shard with PostgreSQL's uuid hash computed in Rust: it must be
/// the database's, bit for bit.
#[test]
fn the_shard_map_hashes_a_party_as_postgresql_does() {
    let mut conn = persistence::db::connect(&lendline_tests::fresh_database_url()).unwrap();
    let hashed: Vec<Hashed> = diesel::sql_query(
        "SELECT id, uuid_hash(id) AS hash
           FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, 2000)) ids
         UNION ALL SELECT id, uuid_hash(id) FROM (VALUES
             ('00000000-0000-0000-0000-000000000000'::uuid),
             ('ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)) fixed (id)",
    )
    .load(&mut conn)
    .unwrap();
    assert_eq!(hashed.len(), 2002);
    for row in hashed {
        assert_eq!(
            persistence::shards::uuid_hash(row.id),
            row.hash,
            "{}",
            row.id
        );
    }
}

#[derive(QueryableByName)]
struct ShardOf {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    position: i64,
}

/// On a cluster the map places each party in the shard Citus puts it in. (On plain PostgreSQL
/// there is no map.)
#[test]
fn the_shard_map_places_a_party_where_citus_does() {
    use persistence::shards::ShardMap;
    let mut conn = persistence::db::connect(&lendline_tests::fresh_database_url()).unwrap();
    let map = ShardMap::load(&mut conn).unwrap();
    if !distributed(&mut conn) {
        assert_eq!(map, None);
        return;
    }
    let map = map.expect("a distributed database has shards");
    let placed: Vec<ShardOf> = diesel::sql_query(
        "WITH shards AS (
             SELECT shardid, row_number() OVER (ORDER BY shardminvalue::integer) - 1 AS position
               FROM pg_dist_shard WHERE logicalrelid = 'parties'::regclass),
         ids AS (SELECT gen_random_uuid() AS id FROM generate_series(1, 500))
         SELECT ids.id, shards.position FROM ids
           JOIN shards ON shards.shardid = get_shard_id_for_distribution_column('parties', ids.id)",
    )
    .load(&mut conn)
    .unwrap();
    assert_eq!(placed.len(), 500);
    for row in placed {
        assert_eq!(
            map.shard_of(row.id),
            usize::try_from(row.position).unwrap(),
            "{}",
            row.id
        );
    }
}

#[test]
fn the_schema_keeps_every_distribution_rule() {
    let mut conn = persistence::db::connect(&lendline_tests::fresh_database_url()).unwrap();
    let found = violations(&mut conn);
    assert!(
        found.is_empty(),
        "the schema breaks rules a cluster distributed by party enforces: {found:#?}"
    );
}

/// Functions PostgreSQL may answer differently on each call or node, which Citus refuses in an
/// upsert's `DO UPDATE SET` (and which would differ between shards anyway).
const VOLATILE: &[&str] = &[
    "now()",
    "(now)",
    "dsl::now",
    "clock_timestamp",
    "statement_timestamp",
    "transaction_timestamp",
    "timeofday",
    "current_timestamp",
    "localtimestamp",
    "current_time",
    "random()",
    "gen_random_uuid",
    "uuid_generate",
    "nextval",
    "txid_current",
];

/// The upserts in `source` (from a raw `DO UPDATE` or diesel's `.do_update()` to the end of the
/// statement: a `;` or a blank line), each with the volatile functions its update sets.
fn upserts(source: &str) -> Vec<(String, Vec<&'static str>)> {
    let lower = source.to_lowercase();
    let mut found = Vec::new();
    for marker in ["do update", ".do_update()"] {
        for (start, _) in lower.match_indices(marker) {
            let rest = &lower[start..];
            let end = [rest.find(';'), rest.find("\n\n")]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(rest.len());
            let clause = &rest[..end];
            let bad = VOLATILE
                .iter()
                .copied()
                .filter(|v| clause.contains(v))
                .collect();
            found.push((clause.to_string(), bad));
        }
    }
    found
}

fn rust_files(dir: &Path, into: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

#[test]
fn the_upsert_check_finds_a_volatile_function_in_raw_sql_and_in_diesel() {
    let raw = "INSERT INTO t VALUES ($1) ON CONFLICT (a) DO UPDATE SET at = now()\"\n    )\n}";
    let dsl = ".on_conflict(t::a)\n.do_update()\n.set(t::at.eq(diesel::dsl::now))\n.execute(c)?;";
    let bound = "ON CONFLICT (a) DO UPDATE SET at = EXCLUDED.at\";\nlet x = now();";
    assert_eq!(upserts(raw)[0].1, vec!["now()"]);
    assert_eq!(upserts(dsl)[0].1, vec!["dsl::now"]);
    assert_eq!(upserts(bound)[0].1, Vec::<&str>::new());
}

#[test]
fn no_upsert_in_the_source_sets_a_volatile_function() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&root.join("persistence/src"), &mut files);
    rust_files(&root.join("api/src"), &mut files);
    let mut seen = 0;
    let mut offending = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (clause, bad) in upserts(&source) {
            seen += 1;
            if !bad.is_empty() {
                offending.push(format!("{}: {bad:?} in {clause}", file.display()));
            }
        }
    }
    // The ledger's balances, the audit chain heads, the calendar and the scoring assignments.
    assert!(
        seen >= 4,
        "only {seen} upserts found: is the check still reading the source?"
    );
    assert!(offending.is_empty(), "{offending:#?}");
}
