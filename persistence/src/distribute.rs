//! Distributing the schema on a Citus coordinator, after the migrations, by the distribution
//! map (`crate::distribution::MAP`): reference tables, then `parties` by `id`, then each tenant
//! table by its owning party, co-located with `parties`, in the map's order (every table after
//! the tables its foreign keys point at). Idempotent: a table Citus already has where the map
//! puts it is skipped, so `lendline migrate` and `serve` may run it every time; a tenant table
//! that a release moved to another column (the idempotency keys, once by caller, now by party)
//! is redistributed. On plain PostgreSQL nothing happens.
//!
//! Foreign keys into reference tables are set aside while the tables are placed and put back
//! after: Citus would otherwise pull every table such a key comes from into its metadata as a
//! coordinator-local table when the reference table is created, and then refuse to distribute
//! them.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

use crate::distribution::{Placement, CROSS_PARTY_REFERENCES, KEYS_WIDENED_WHEN_DISTRIBUTED, MAP};
use crate::error::RepoError;

/// What [`distribute_if_citus`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The database has no `citus` extension: plain PostgreSQL.
    NotCitus,
    /// Citus: these tables were distributed or made reference tables now (none on a rerun).
    Distributed { tables: Vec<&'static str> },
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

fn ask(conn: &mut PgConnection, sql: &str, table: Option<&str>) -> Result<bool, RepoError> {
    let query = diesel::sql_query(sql).into_boxed();
    let query = match table {
        Some(t) => query.bind::<Text, _>(t),
        None => query,
    };
    Ok(query.get_result::<Flag>(conn)?.flag)
}

/// The column Citus distributes a table by; `None` for a reference table.
#[derive(QueryableByName)]
struct Placed {
    #[diesel(sql_type = Nullable<Text>)]
    column: Option<String>,
}

/// How Citus has placed `table`: `None` if it does not know the table.
fn placed(conn: &mut PgConnection, table: &str) -> Result<Option<Placed>, RepoError> {
    Ok(diesel::sql_query(
        "SELECT column_to_column_name(logicalrelid, partkey) AS column
           FROM pg_dist_partition WHERE logicalrelid = to_regclass($1)",
    )
    .bind::<Text, _>(table)
    .get_result(conn)
    .optional()?)
}

/// The statement that brings `table` (`$1`) where the map puts it, if it is not there yet.
fn pending_statement(
    conn: &mut PgConnection,
    table: &str,
    placement: Placement,
) -> Result<Option<String>, RepoError> {
    Ok(match (placed(conn, table)?, placement) {
        (None, _) => statement(table, placement),
        (Some(Placed { column: Some(now) }), Placement::Tenant(column)) if now != column => {
            Some(format!(
                "SELECT alter_distributed_table($1, distribution_column := '{column}', \
                 colocate_with := 'parties')"
            ))
        }
        _ => None,
    })
}

/// The statement that places `table` (`$1` is its name), or `None` for a coordinator table.
pub fn statement(table: &str, placement: Placement) -> Option<String> {
    match placement {
        Placement::Reference => Some("SELECT create_reference_table($1)".into()),
        Placement::Tenant(column) if table == "parties" => Some(format!(
            "SELECT create_distributed_table($1, '{column}', colocate_with => 'none')"
        )),
        Placement::Tenant(column) => Some(format!(
            "SELECT create_distributed_table($1, '{column}', colocate_with => 'parties')"
        )),
        Placement::Coordinator => None,
    }
}

/// A foreign key into a reference table, as it is to be put back.
#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// Every foreign key that points into a table the map makes a reference table.
fn keys_into_reference_tables(conn: &mut PgConnection) -> Result<Vec<ForeignKey>, RepoError> {
    let references: Vec<&str> = MAP
        .iter()
        .filter(|(_, placement)| *placement == Placement::Reference)
        .map(|(table, _)| *table)
        .collect();
    Ok(diesel::sql_query(
        "SELECT c.conrelid::regclass::text AS table_name, c.conname::text AS name,
                pg_get_constraintdef(c.oid) AS definition
           FROM pg_constraint c
          WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY($1)
          ORDER BY 1, 2",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(references)
    .load(conn)?)
}

/// Makes every later session of this database reach the shards of a multi-shard statement
/// over one connection per worker. Citus refuses to write a reference table (the registry,
/// scoring models, checkpoints) in a transaction that has already read or written many shards
/// over several connections per worker, because the reference table's copy on a worker could
/// then be changed over one connection while rows that refer to it sit on others. A request
/// touches one party's shard, so this costs it nothing; end of day and audit verification,
/// which read every shard, run shard after shard on each worker instead of in parallel.
fn sequential_by_default(conn: &mut PgConnection) -> Result<(), RepoError> {
    diesel::sql_query(
        "DO $$ BEGIN
             EXECUTE format('ALTER DATABASE %I SET citus.multi_shard_modify_mode = %L',
                            current_database(), 'sequential');
         END $$",
    )
    .execute(conn)?;
    diesel::sql_query("SET citus.multi_shard_modify_mode = 'sequential'").execute(conn)?;
    Ok(())
}

/// Distributes the schema when the database is a Citus coordinator (see the module doc).
pub fn distribute_if_citus(conn: &mut PgConnection) -> Result<Outcome, RepoError> {
    let citus = "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS flag";
    if !ask(conn, citus, None)? {
        return Ok(Outcome::NotCitus);
    }
    sequential_by_default(conn)?;
    conn.transaction(|c| {
        let mut pending = Vec::new();
        for (table, placement) in MAP {
            if let Some(sql) = pending_statement(c, table, *placement)? {
                pending.push((*table, sql));
            }
        }
        if pending.is_empty() {
            return Ok(Outcome::Distributed { tables: Vec::new() });
        }
        // The append-only guards and the deferred balance check are triggers: they read only
        // their own row's shard (by party), which is what Citus asks this setting to confirm.
        diesel::sql_query("SET LOCAL citus.enable_unsafe_triggers = on").execute(c)?;
        // A foreign key into a reference table may only be added over shards that this
        // transaction reached one connection each: placing tables one shard at a time keeps
        // it so.
        diesel::sql_query("SET LOCAL citus.multi_shard_modify_mode = 'sequential'").execute(c)?;
        // Citus refuses a foreign key across parties; the use cases check these references.
        for (table, constraint) in CROSS_PARTY_REFERENCES {
            diesel::sql_query(format!(
                "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {constraint}"
            ))
            .execute(c)?;
        }
        // With those references gone, these keys may include their owner as Citus asks. Only
        // a key still without the owner is replaced, so a rerun changes nothing.
        for (table, constraint, key) in KEYS_WIDENED_WHEN_DISTRIBUTED {
            let narrow = "SELECT EXISTS (SELECT 1 FROM pg_constraint
                                          WHERE conname = $1 AND array_length(conkey, 1) = 1) AS flag";
            if ask(c, narrow, Some(constraint))? {
                diesel::sql_query(format!(
                    "ALTER TABLE {table} DROP CONSTRAINT {constraint}, ADD PRIMARY KEY ({key})"
                ))
                .execute(c)?;
            }
        }
        let set_aside = keys_into_reference_tables(c)?;
        for key in &set_aside {
            diesel::sql_query(format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                key.table_name, key.name
            ))
            .execute(c)?;
        }
        let mut tables = Vec::new();
        for (table, sql) in &pending {
            diesel::sql_query(sql).bind::<Text, _>(*table).execute(c)?;
            tables.push(*table);
        }
        for key in &set_aside {
            diesel::sql_query(format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {}",
                key.table_name, key.name, key.definition
            ))
            .execute(c)?;
        }
        tracing::info!(count = tables.len(), "tables distributed on Citus");
        Ok(Outcome::Distributed { tables })
    })
}

#[cfg(test)]
mod tests {
    use super::statement;
    use crate::distribution::{Placement, MAP};

    #[test]
    fn parties_start_the_colocation_group_every_other_tenant_table_joins() {
        let parties = statement("parties", Placement::Tenant("id")).unwrap();
        assert!(
            parties.contains("'id', colocate_with => 'none'"),
            "{parties}"
        );
        let loans = statement("loans", Placement::Tenant("party_id")).unwrap();
        assert!(
            loans.contains("'party_id', colocate_with => 'parties'"),
            "{loans}"
        );
    }

    #[test]
    fn reference_tables_come_first_and_parties_before_every_other_tenant_table() {
        let position = |name: &str| MAP.iter().position(|(t, _)| *t == name).unwrap();
        let parties = position("parties");
        for (i, (table, placement)) in MAP.iter().enumerate() {
            match placement {
                Placement::Reference => assert!(i < parties, "{table}"),
                Placement::Tenant(_) if *table != "parties" => assert!(i > parties, "{table}"),
                _ => {}
            }
        }
    }

    #[test]
    fn coordinator_tables_are_left_alone() {
        assert_eq!(statement("outbox_emails", Placement::Coordinator), None);
    }
}
