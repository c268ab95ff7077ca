//! Giving memory back to the system once a spike is over.
//!
//! At the peak every blocking thread allocates from a malloc arena of its own; when the spike
//! ends the memory is free but glibc keeps it mapped, so the server would stay at its peak size
//! for the rest of the night. Whenever the server has been idle for a while (nothing in flight
//! at two checks in a row) it asks malloc to return free pages to the system; under load it
//! never does (trimming takes every arena's lock).
//!
//! Trimming gives back only whole free pages, and each of up to eight arenas per core keeps the
//! scattered survivors of its threads' allocations (measured after a spike: fourteen arenas
//! of 0.4-0.7 MB each and two of 4-5 MB, 18 MB in all against 5 MB before the first request).
//! So the server caps the arenas (`limit_arenas`) before its first thread starts: the blocking
//! threads of a spike then share them instead of each dirtying one of its own.

use std::time::Duration;

use crate::metrics::Metrics;

/// How often the server looks for an idle moment.
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// Caps malloc's arenas; call it before any thread starts (an arena is created on a thread's
/// first allocation and never removed).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn limit_arenas() {
    /// One per core of the 2-core machines the server is sized for. Threads contend for an
    /// arena's lock only while they allocate, which the decision path does little of next to
    /// its database round trips.
    const ARENAS: i32 = 2;
    // SAFETY: mallopt only changes a malloc setting; M_ARENA_MAX takes any positive count.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
    }
}

/// Other allocators manage their own arenas.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit_arenas() {}

/// Starts the idle trimmer on the current runtime; it stops when the runtime does.
pub fn spawn_trimmer(metrics: Metrics) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(CHECK_EVERY);
        let mut idle_before = false;
        loop {
            ticker.tick().await;
            let idle = ["reads", "writes"]
                .iter()
                .all(|class| metrics.in_flight(class).get() == 0);
            if idle && idle_before {
                give_back_free_memory();
            }
            idle_before = idle;
        }
    });
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn give_back_free_memory() {
    // SAFETY: malloc_trim has no preconditions: it only releases pages malloc holds free.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators give memory back on their own.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_back_free_memory() {}
