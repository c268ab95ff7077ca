//! Values nearly every decision reads but that change a few times a day (the business date,
//! the scoring assignments), kept for a short while so that a decision does not pay a round
//! trip for each.
//!
//! A change made by this process is seen at once: [`Recent::forget`] drops the value and stops
//! keeping it until the change has committed ([`Recent::settle`], called by the request runner
//! after the commit), so a value read before the commit is not kept; should the settle never
//! come (the commit failed), keeping resumes after one `ttl`. A change made by another instance
//! (or by SQL) is seen within `ttl`, when the value is read again.

use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long a value is reused when the configuration does not say.
pub const DEFAULT_TTL: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct Recent<T> {
    state: RwLock<Slot<T>>,
    ttl: Duration,
}

#[derive(Debug)]
struct Slot<T> {
    value: Option<(T, Instant)>,
    /// Changes by this process not yet committed: nothing is kept while there are any (or
    /// until `quiet_until`, should a settle never come).
    pending: u32,
    quiet_until: Option<Instant>,
}

impl<T: Clone> Recent<T> {
    pub fn new(ttl: Duration) -> Recent<T> {
        Recent {
            state: RwLock::new(Slot {
                value: None,
                pending: 0,
                quiet_until: None,
            }),
            ttl,
        }
    }

    /// The kept value if it is younger than `ttl`, else what `load` reads (kept for next time).
    pub fn get_or_load<E>(&self, load: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let now = Instant::now();
        if let Ok(slot) = self.state.read() {
            if let Some((value, read_at)) = &slot.value {
                if now.duration_since(*read_at) < self.ttl {
                    return Ok(value.clone());
                }
            }
        }
        let value = load()?;
        // A poisoned lock only costs the cache, never the request.
        if let Ok(mut slot) = self.state.write() {
            if slot.pending == 0 || slot.quiet_until.is_none_or(|until| now >= until) {
                slot.value = Some((value.clone(), now));
                slot.pending = 0;
                slot.quiet_until = None;
            }
        }
        Ok(value)
    }

    /// This process is changing the value: read it from the database until [`Recent::settle`].
    pub fn forget(&self) {
        if let Ok(mut slot) = self.state.write() {
            slot.value = None;
            slot.pending += 1;
            slot.quiet_until = Some(Instant::now() + self.ttl);
        }
    }

    /// Drops the kept value (it proved stale): the next read goes to the database.
    pub fn expire(&self) {
        if let Ok(mut slot) = self.state.write() {
            slot.value = None;
        }
    }

    /// A change announced by [`Recent::forget`] has committed: the value may be kept again.
    pub fn settle(&self) {
        if let Ok(mut slot) = self.state.write() {
            slot.pending = slot.pending.saturating_sub(1);
        }
    }
}

impl<T: Clone> Default for Recent<T> {
    fn default() -> Recent<T> {
        Recent::new(DEFAULT_TTL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(n: u32) -> impl FnOnce() -> Result<u32, ()> {
        move || Ok(n)
    }

    #[test]
    fn a_value_is_reused_within_its_ttl_and_read_again_after() {
        let recent = Recent::new(Duration::from_millis(50));
        assert_eq!(recent.get_or_load(load(1)), Ok(1));
        assert_eq!(recent.get_or_load(load(2)), Ok(1), "reused");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(recent.get_or_load(load(3)), Ok(3), "read again");
    }

    #[test]
    fn after_forget_nothing_is_kept_until_the_change_settles() {
        let recent = Recent::new(Duration::from_secs(60));
        assert_eq!(recent.get_or_load(load(1)), Ok(1));
        recent.forget();
        assert_eq!(recent.get_or_load(load(2)), Ok(2), "read at once");
        assert_eq!(
            recent.get_or_load(load(3)),
            Ok(3),
            "not kept before the commit"
        );
        recent.settle();
        assert_eq!(recent.get_or_load(load(4)), Ok(4));
        assert_eq!(recent.get_or_load(load(5)), Ok(4), "kept again");
    }

    #[test]
    fn a_change_that_never_settles_stops_keeping_for_one_ttl_only() {
        let recent = Recent::new(Duration::from_millis(50));
        recent.forget();
        assert_eq!(recent.get_or_load(load(1)), Ok(1));
        assert_eq!(recent.get_or_load(load(2)), Ok(2), "not kept");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(recent.get_or_load(load(3)), Ok(3));
        assert_eq!(recent.get_or_load(load(4)), Ok(3), "kept again");
    }

    #[test]
    fn a_failed_load_keeps_nothing() {
        let recent: Recent<u32> = Recent::new(Duration::from_secs(60));
        assert_eq!(recent.get_or_load(|| Err("down")), Err("down"));
        assert_eq!(recent.get_or_load(|| Ok::<_, ()>(7)), Ok(7));
    }
}
