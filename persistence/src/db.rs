//! Migrations and database creation.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::RepoError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Applies every pending migration, then re-keys identifiers that SQL could not
/// (`crate::rekey`), then, on a Citus coordinator, distributes the tables
/// (`crate::distribute`), and answers how many migrations ran.
pub fn run_migrations(conn: &mut PgConnection) -> Result<usize, RepoError> {
    run_migrations_reporting(conn, |_| {})
}

/// How many migrations are not applied yet.
pub fn pending_migrations(conn: &mut PgConnection) -> Result<usize, RepoError> {
    conn.pending_migrations(MIGRATIONS)
        .map(|pending| pending.len())
        .map_err(|e| RepoError::Database(e.to_string()))
}

/// The session lock every migrating process holds, so that replicas starting together (a
/// Deployment's pods) migrate and distribute one after another: the second finds nothing left
/// to do instead of racing the first through the same DDL.
const MIGRATION_LOCK: i64 = 8_035_553;

/// [`run_migrations`] one migration at a time, naming each to `on_step` before it runs (and
/// the identifier re-keying last), for a command line that shows progress.
pub fn run_migrations_reporting(
    conn: &mut PgConnection,
    on_step: impl FnMut(&str),
) -> Result<usize, RepoError> {
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
        .execute(conn)?;
    let migrated = migrate_holding_the_lock(conn, on_step);
    let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
        .execute(conn);
    let applied = migrated?;
    unlocked?;
    Ok(applied)
}

fn migrate_holding_the_lock(
    conn: &mut PgConnection,
    mut on_step: impl FnMut(&str),
) -> Result<usize, RepoError> {
    let pending = conn
        .pending_migrations(MIGRATIONS)
        .map_err(|e| RepoError::Database(e.to_string()))?;
    for migration in &pending {
        on_step(&migration.name().to_string());
        conn.run_migration(migration)
            .map_err(|e| RepoError::Database(e.to_string()))?;
    }
    on_step("re-keying identifiers");
    crate::rekey::rekey_identifiers(conn)?;
    crate::distribute::distribute_if_citus(conn)?;
    Ok(pending.len())
}

/// Reverts every applied migration (used by the migration round-trip test).
pub fn revert_all_migrations(conn: &mut PgConnection) -> Result<(), RepoError> {
    conn.revert_all_migrations(MIGRATIONS)
        .map(|_| ())
        .map_err(|e| RepoError::Database(e.to_string()))
}

/// Reverts the latest applied migration and answers its version (tests of data migrations).
pub fn revert_last_migration(conn: &mut PgConnection) -> Result<String, RepoError> {
    conn.revert_last_migration(MIGRATIONS)
        .map(|version| version.to_string())
        .map_err(|e| RepoError::Database(e.to_string()))
}

pub fn connect(url: &str) -> Result<PgConnection, RepoError> {
    PgConnection::establish(url).map_err(|e| RepoError::Database(e.to_string()))
}

/// Creates `name` (optionally as a copy of `template`) unless it exists; `admin_url` points at
/// a maintenance database on the same server.
pub fn create_database(
    admin_url: &str,
    name: &str,
    template: Option<&str>,
) -> Result<(), RepoError> {
    let mut conn = connect(admin_url)?;
    let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{}')",
        quote_literal_body(name)
    )))
    .get_result(&mut conn)?;
    if exists {
        return Ok(());
    }
    let template = template
        .map(|t| format!(" TEMPLATE {}", quote_ident(t)))
        .unwrap_or_default();
    conn.batch_execute(&format!("CREATE DATABASE {}{template}", quote_ident(name)))?;
    Ok(())
}

pub fn drop_database(admin_url: &str, name: &str) -> Result<(), RepoError> {
    let mut conn = connect(admin_url)?;
    conn.batch_execute(&format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        quote_ident(name)
    ))?;
    Ok(())
}

/// Answers whether the database answers a trivial query (readiness probe).
pub fn ping(conn: &mut PgConnection) -> Result<(), RepoError> {
    conn.batch_execute("SELECT 1").map_err(RepoError::from)
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal_body(value: &str) -> String {
    value.replace('\'', "''")
}
