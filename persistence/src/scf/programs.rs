//! Factoring programs (one per core enterprise) and the suppliers admitted to them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::audit::Tail;
use crate::error::RepoError;
use crate::schema::{factoring_programs, program_suppliers};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = factoring_programs)]
pub struct ProgramRow {
    pub id: Uuid,
    /// The owner: a row never changes hands between shards.
    #[diesel(skip_update)]
    pub core_enterprise_id: Uuid,
    pub currency: String,
    pub advance_rate: Decimal,
    pub discount_rate_annual: Decimal,
    pub service_fee_rate: Decimal,
    pub recourse: bool,
    pub max_tenor_days: i32,
    pub grace_days: i32,
    pub debtor_limit: Decimal,
    pub supplier_limit: Decimal,
    pub concentration_limit: Decimal,
    pub confirmation_required: bool,
    pub debtor_exposure: Decimal,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = program_suppliers, treat_none_as_null = true)]
pub struct MemberRow {
    pub program_id: Uuid,
    /// The owner: a row never changes hands between shards.
    #[diesel(skip_update)]
    pub supplier_id: Uuid,
    pub status: String,
    pub supplier_limit: Decimal,
    pub exposure: Decimal,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub fn insert(conn: &mut PgConnection, row: &ProgramRow) -> Result<(), RepoError> {
    diesel::insert_into(factoring_programs::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<ProgramRow, RepoError> {
    Ok(factoring_programs::table
        .find(id)
        .select(ProgramRow::as_select())
        .first(conn)?)
}

/// `core_enterprise`'s program row, locked: its `debtor_exposure` is about to change. Named
/// through its core enterprise (the program's tenant key; a receivable's debtor), so the lock
/// goes to one shard.
pub fn lock(
    conn: &mut PgConnection,
    core_enterprise: Uuid,
    id: Uuid,
) -> Result<ProgramRow, RepoError> {
    Ok(factoring_programs::table
        .find(id)
        .filter(factoring_programs::core_enterprise_id.eq(core_enterprise))
        .select(ProgramRow::as_select())
        .for_update()
        .first(conn)?)
}

pub fn find_by_core_enterprise(
    conn: &mut PgConnection,
    core_enterprise: Uuid,
) -> Result<ProgramRow, RepoError> {
    Ok(factoring_programs::table
        .filter(factoring_programs::core_enterprise_id.eq(core_enterprise))
        .select(ProgramRow::as_select())
        .first(conn)?)
}

pub fn list(
    conn: &mut PgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ProgramRow>, RepoError> {
    let mut query = factoring_programs::table
        .select(ProgramRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(factoring_programs::id.gt(after));
    }
    Ok(query
        .order(factoring_programs::id.asc())
        .limit(limit)
        .load(conn)?)
}

pub fn save(conn: &mut PgConnection, row: &ProgramRow) -> Result<(), RepoError> {
    let stored = factoring_programs::table
        .find(row.id)
        .filter(factoring_programs::core_enterprise_id.eq(row.core_enterprise_id));
    diesel::update(stored).set(row).execute(conn)?;
    Ok(())
}

/// The write of `program`'s debtor exposure, as a write that rides along with a request's
/// audit appends or runs alone ([`Tail`]); it returns no row when the program is not its core
/// enterprise's.
pub fn exposure_change(program: &ProgramRow) -> Tail<'static> {
    exposure_write(
        "UPDATE factoring_programs SET debtor_exposure = $1
          WHERE id = $2 AND core_enterprise_id = $3
         RETURNING 1",
        program.debtor_exposure,
        (program.id, program.core_enterprise_id),
    )
}

/// The write of `member`'s exposure, like [`exposure_change`].
pub fn member_exposure_change(member: &MemberRow) -> Tail<'static> {
    exposure_write(
        "UPDATE program_suppliers SET exposure = $1
          WHERE program_id = $2 AND supplier_id = $3
         RETURNING 1",
        member.exposure,
        (member.program_id, member.supplier_id),
    )
}

/// `sql` writing `exposure` (`$1`) to the row keyed by `key` (`$2`, `$3`).
fn exposure_write(sql: &str, exposure: Decimal, key: (Uuid, Uuid)) -> Tail<'static> {
    Tail {
        sql: sql.into(),
        params: 3,
        bind: Box::new(move |query| {
            query
                .bind::<sql_types::Numeric, _>(exposure)
                .bind::<sql_types::Uuid, _>(key.0)
                .bind::<sql_types::Uuid, _>(key.1)
        }),
    }
}

pub fn insert_member(conn: &mut PgConnection, row: &MemberRow) -> Result<(), RepoError> {
    diesel::insert_into(program_suppliers::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_member(
    conn: &mut PgConnection,
    program: Uuid,
    supplier: Uuid,
) -> Result<MemberRow, RepoError> {
    Ok(program_suppliers::table
        .find((program, supplier))
        .select(MemberRow::as_select())
        .first(conn)?)
}

/// The membership row, locked: the supplier's exposure is about to change.
pub fn lock_member(
    conn: &mut PgConnection,
    program: Uuid,
    supplier: Uuid,
) -> Result<MemberRow, RepoError> {
    Ok(program_suppliers::table
        .find((program, supplier))
        .select(MemberRow::as_select())
        .for_update()
        .first(conn)?)
}

pub fn list_members(conn: &mut PgConnection, program: Uuid) -> Result<Vec<MemberRow>, RepoError> {
    Ok(program_suppliers::table
        .filter(program_suppliers::program_id.eq(program))
        .order(program_suppliers::supplier_id.asc())
        .select(MemberRow::as_select())
        .load(conn)?)
}

pub fn save_member(conn: &mut PgConnection, row: &MemberRow) -> Result<(), RepoError> {
    diesel::update(program_suppliers::table.find((row.program_id, row.supplier_id)))
        .set(row)
        .execute(conn)?;
    Ok(())
}
