//! What kind each party is, remembered for the per-request check that a token's role matches
//! its party. A party's kind is fixed at onboarding and parties are never deleted, so an entry
//! never goes stale; only parties that exist are remembered, so a token naming an unknown
//! party cannot fill the cache.

use std::collections::HashMap;
use std::sync::RwLock;

use uuid::Uuid;

/// Enough for every active party of a large platform; past it the cache starts over rather
/// than grow without bound (the cost is one indexed read per party again).
const CAPACITY: usize = 200_000;

#[derive(Default)]
pub struct PartyKinds {
    known: RwLock<HashMap<Uuid, String>>,
}

impl PartyKinds {
    pub fn get(&self, party: Uuid) -> Option<String> {
        // A poisoned lock only means another thread panicked mid-insert of a plain map entry:
        // the data is still a valid map, and the worst case is a cache miss.
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        known.get(&party).cloned()
    }

    pub fn remember(&self, party: Uuid, kind: String) {
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        if known.len() >= CAPACITY {
            known.clear();
        }
        known.insert(party, kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_kind_is_answered_and_an_unknown_party_is_not() {
        let kinds = PartyKinds::default();
        let (known, unknown) = (Uuid::new_v4(), Uuid::new_v4());
        kinds.remember(known, "merchant".into());
        assert_eq!(kinds.get(known).as_deref(), Some("merchant"));
        assert_eq!(kinds.get(unknown), None);
    }
}
