//! Which shard of a Citus cluster holds a party, computed without asking the database: Citus
//! places a row by the hash PostgreSQL's own hash function gives its distribution column (for a
//! uuid, `uuid_hash`: Bob Jenkins' lookup3 as `src/common/hashfn.c` has it, over the 16 bytes)
//! and the shard whose hash range holds that value. The group commit uses it to batch only the
//! writes of one shard together, so a batch commits on one worker.

use diesel::prelude::*;
use diesel::sql_types::Integer;
use uuid::Uuid;

use crate::error::RepoError;

/// The hash ranges of the shards of `parties` (every tenant table is co-located with it), in
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardMap {
    /// The lowest hash of each shard, ascending; the first is `i32::MIN`.
    starts: Vec<i32>,
}

#[derive(QueryableByName)]
struct Start {
    #[diesel(sql_type = Integer)]
    start: i32,
}

impl ShardMap {
    /// The shards of `parties` on a Citus coordinator; `None` on plain PostgreSQL or before the
    /// tables are distributed.
    pub fn load(conn: &mut PgConnection) -> Result<Option<ShardMap>, RepoError> {
        if !is_citus(conn)? {
            return Ok(None);
        }
        ShardMap::read(conn)
    }

    /// [`ShardMap::load`] on a database already known to be a Citus coordinator.
    pub fn read(conn: &mut PgConnection) -> Result<Option<ShardMap>, RepoError> {
        let starts: Vec<i32> = diesel::sql_query(
            "SELECT shardminvalue::integer AS start FROM pg_dist_shard
              WHERE logicalrelid = 'parties'::regclass ORDER BY 1",
        )
        .load::<Start>(conn)?
        .into_iter()
        .map(|s| s.start)
        .collect();
        Ok(ShardMap::from_starts(starts))
    }

    /// A map from the shards' lowest hashes; `None` when there is no shard.
    pub fn from_starts(mut starts: Vec<i32>) -> Option<ShardMap> {
        starts.sort_unstable();
        (!starts.is_empty()).then_some(ShardMap { starts })
    }

    /// How many shards there are.
    pub fn count(&self) -> usize {
        self.starts.len()
    }

    /// The position (0-based, in hash order) of the shard that holds `party`'s rows.
    pub fn shard_of(&self, party: Uuid) -> usize {
        let hash = uuid_hash(party);
        // The last shard whose range starts at or below the hash.
        self.starts.partition_point(|start| *start <= hash).max(1) - 1
    }
}

/// PostgreSQL's `uuid_hash`: `hash_bytes` over the uuid's 16 bytes, read as a signed integer.
pub fn uuid_hash(id: Uuid) -> i32 {
    let bytes = id.as_bytes();
    let word = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    // hash_bytes: a = b = c = 0x9e3779b9 + length + 3923095.
    let start = 0x9e37_79b9_u32.wrapping_add(16).wrapping_add(3_923_095);
    let mut v = [start; 3];
    // One whole 12-byte block, mixed; then the last 4 bytes go into `a`; then `final`.
    for (i, word_at) in [0, 4, 8].into_iter().enumerate() {
        v[i] = v[i].wrapping_add(word(word_at));
    }
    let mut v = mix(v);
    v[0] = v[0].wrapping_add(word(12));
    let c = finish(v);
    i32::from_ne_bytes(c.to_ne_bytes())
}

/// lookup3's `mix` of (a, b, c): six rounds of `x -= z; x ^= rot(z, r); z += y`, where x
/// walks a, b, c and y, z are the next two after it.
fn mix(mut v: [u32; 3]) -> [u32; 3] {
    for (i, r) in [4, 6, 8, 16, 19, 4].into_iter().enumerate() {
        let (x, y, z) = (i % 3, (i + 1) % 3, (i + 2) % 3);
        v[x] = v[x].wrapping_sub(v[z]) ^ v[z].rotate_left(r);
        v[z] = v[z].wrapping_add(v[y]);
    }
    v
}

/// lookup3's `final` of (a, b, c): seven rounds of `x ^= y; x -= rot(y, r)`, where x walks
/// c, a, b and y is the one before it; answers c.
fn finish(mut v: [u32; 3]) -> u32 {
    for (i, r) in [14, 11, 25, 16, 4, 14, 24].into_iter().enumerate() {
        let (x, y) = ((i + 2) % 3, (i + 1) % 3);
        v[x] = (v[x] ^ v[y]).wrapping_sub(v[y].rotate_left(r));
    }
    v[2]
}

/// Whether the database is a Citus cluster (the extension is installed).
pub fn is_citus(conn: &mut PgConnection) -> Result<bool, RepoError> {
    Ok(diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')",
    ))
    .get_result(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_falls_in_the_shard_whose_range_holds_it() {
        let map = ShardMap::from_starts(vec![1_073_741_824, i32::MIN, 0, -1_073_741_824]).unwrap();
        assert_eq!(map.count(), 4);
        for _ in 0..200 {
            let party = Uuid::new_v4();
            let hash = uuid_hash(party);
            let expected = match hash {
                i32::MIN..=-1_073_741_825 => 0,
                -1_073_741_824..=-1 => 1,
                0..=1_073_741_823 => 2,
                _ => 3,
            };
            assert_eq!(map.shard_of(party), expected, "{party} hashes to {hash}");
        }
    }

    #[test]
    fn no_shard_is_no_map() {
        assert_eq!(ShardMap::from_starts(Vec::new()), None);
    }
}
