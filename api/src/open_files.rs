//! The process's open-file budget: raised to the hard limit at start, and the server's accepted
//! connections capped below it.
//!
//! At 8,000 requests/s a default soft limit of 1,024 descriptors ran out ("Too many open files")
//! and half the requests failed at random places, database connections and log files included.
//! A connection cap below the limit turns that into a refusal to accept more clients, while
//! descriptors stay available for the pool, the mail worker and the embedded cluster's socket.

use nix::sys::resource::{getrlimit, setrlimit, Resource};

/// Descriptors kept back for everything that is not a client connection.
const RESERVED: u64 = 256;

/// Raises the soft limit on open files to the hard limit; answers the limit now in force.
pub fn raise_to_hard_limit() -> u64 {
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
            Ok(()) => hard,
            Err(e) => {
                tracing::warn!(error = %e, soft, hard, "could not raise the open-file limit");
                soft
            }
        },
        Ok((soft, _)) => soft,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the open-file limit");
            1024
        }
    }
}

/// Client connections each of `workers` may accept, leaving [`RESERVED`] descriptors spare.
pub fn connections_per_worker(limit: u64, workers: usize) -> usize {
    let workers = u64::try_from(workers.max(1)).unwrap_or(1);
    let per_worker = limit.saturating_sub(RESERVED).max(workers) / workers;
    usize::try_from(per_worker).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_leave_descriptors_spare_and_never_reach_zero() {
        assert_eq!(connections_per_worker(1024, 2), 384);
        assert_eq!(connections_per_worker(100, 2), 1);
        assert_eq!(connections_per_worker(1_048_576, 0), 1_048_320);
    }

    #[test]
    fn raising_the_limit_never_lowers_it() {
        let (before, _) = getrlimit(Resource::RLIMIT_NOFILE).unwrap_or((0, 0));
        assert!(raise_to_hard_limit() >= before);
    }
}
