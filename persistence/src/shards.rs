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
        let citus: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')",
        ))
        .get_result(conn)?;
        if !citus {
            return Ok(None);
        }
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
    let (mut a, mut b, mut c) = (start, start, start);
    // One whole 12-byte block, mixed; then the last 4 bytes go into `a`.
    a = a.wrapping_add(word(0));
    b = b.wrapping_add(word(4));
    c = c.wrapping_add(word(8));
    (a, b, c) = mix(a, b, c);
    a = a.wrapping_add(word(12));
    let c = finish(a, b, c);
    i32::from_ne_bytes(c.to_ne_bytes())
}

fn mix(mut a: u32, mut b: u32, mut c: u32) -> (u32, u32, u32) {
    a = a.wrapping_sub(c);
    a ^= c.rotate_left(4);
    c = c.wrapping_add(b);
    b = b.wrapping_sub(a);
    b ^= a.rotate_left(6);
    a = a.wrapping_add(c);
    c = c.wrapping_sub(b);
    c ^= b.rotate_left(8);
    b = b.wrapping_add(a);
    a = a.wrapping_sub(c);
    a ^= c.rotate_left(16);
    c = c.wrapping_add(b);
    b = b.wrapping_sub(a);
    b ^= a.rotate_left(19);
    a = a.wrapping_add(c);
    c = c.wrapping_sub(b);
    c ^= b.rotate_left(4);
    b = b.wrapping_add(a);
    (a, b, c)
}

/// lookup3's `final`: answers `c`.
fn finish(mut a: u32, mut b: u32, mut c: u32) -> u32 {
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(14));
    a ^= c;
    a = a.wrapping_sub(c.rotate_left(11));
    b ^= a;
    b = b.wrapping_sub(a.rotate_left(25));
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(16));
    a ^= c;
    a = a.wrapping_sub(c.rotate_left(4));
    b ^= a;
    b = b.wrapping_sub(a.rotate_left(14));
    c ^= b;
    c.wrapping_sub(b.rotate_left(24))
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
