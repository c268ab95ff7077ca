//! Giving memory back to the system once a spike is over.
//!
//! The server's own allocations go to mimalloc (the binary's global allocator): glibc's malloc
//! took a sixth of the server's CPU at a spike (`perf record -p <server>`: `_int_malloc`,
//! `malloc_consolidate`, `_int_free`), and with mimalloc a decision costs the server about 15 %
//! less CPU (quick runs of `tests/src/bin/peak`, 0.75–0.88 ms against 0.93–1.06 ms). It is
//! built without transparent huge pages (`no_thp`): with them its segments were backed by 2 MB
//! pages and the server started at 55 MB instead of 24-27 MB. libpq and other C libraries
//! still allocate with glibc's malloc, whose arenas are capped below.
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

/// The server's own allocations go to mimalloc (the binary's global allocator), libpq's and
/// other C libraries' to the C library's malloc: both are asked. (Where the library runs in a
/// process with another global allocator, the tests', mimalloc holds nothing to collect.)
#[allow(unsafe_code)]
fn give_back_free_memory() {
    // SAFETY: mi_collect only frees memory mimalloc holds unused; `true` forces it at once.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
    trim_c_malloc();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn trim_c_malloc() {
    // SAFETY: malloc_trim has no preconditions: it only releases pages malloc holds free.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other C libraries' allocators give memory back on their own.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_c_malloc() {}
