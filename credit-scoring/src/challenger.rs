//! Champion/challenger routing as a pure function: whether a challenger model also scores an
//! application is decided by a stable hash of its key, so retries and replays route the same
//! way without storing the assignment.

/// Basis points in one whole (100%).
pub const FULL_SHARE_BPS: u16 = 10_000;

/// True when the application with `decision_key` falls in the challenger's share
/// (`share_bps` basis points, clamped to 0..=10 000).
pub fn routes_to_challenger(decision_key: &str, share_bps: u16) -> bool {
    let bucket = stable_hash(decision_key.as_bytes()) % u64::from(FULL_SHARE_BPS);
    bucket < u64::from(share_bps.min(FULL_SHARE_BPS))
}

/// FNV-1a followed by the SplitMix64 finaliser: FNV alone clusters similar keys (sequential
/// ids), the finaliser spreads them uniformly. Both are fixed algorithms, so the routing never
/// changes between builds or platforms (unlike `std`'s randomly seeded `DefaultHasher`).
fn stable_hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^= hash >> 30;
    hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash ^= hash >> 27;
    hash = hash.wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_is_stable_for_the_same_key() {
        let first = routes_to_challenger("app-42", 2_500);
        assert!((0..10).all(|_| routes_to_challenger("app-42", 2_500) == first));
    }

    #[test]
    fn zero_share_never_and_full_share_always_routes() {
        assert!(!routes_to_challenger("app-1", 0));
        assert!(routes_to_challenger("app-1", FULL_SHARE_BPS));
        assert!(routes_to_challenger("app-1", u16::MAX));
    }

    #[test]
    fn the_routed_share_is_close_to_the_requested_share() {
        let routed = (0..20_000)
            .filter(|i| routes_to_challenger(&format!("application-{i}"), 1_000))
            .count();
        assert!((1_700..2_300).contains(&routed), "routed {routed}");
    }

    #[test]
    fn the_hash_is_pinned_so_routing_never_changes_between_releases() {
        assert_eq!(stable_hash(b"app-42"), 0xf2df763edb71f0bc);
        assert_eq!(stable_hash(b"app-42") % 10_000, 4220);
    }
}
