//! Keeps the embedded PostgreSQL cluster up: a cluster that crashed or was killed is started
//! again within about a second, so the server (which answers 503 meanwhile) heals itself.
//!
//! Only the embedded default is supervised: an external database belongs to its operators.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use persistence::embedded::{ClusterOptions, EmbeddedPostgres};

const CHECK_EVERY: Duration = Duration::from_millis(500);

pub struct Supervisor {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Supervisor {
    pub fn spawn(cluster: Arc<EmbeddedPostgres>, options: ClusterOptions) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("pg-supervisor".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(CHECK_EVERY);
                    if stopped.load(Ordering::Relaxed) {
                        break;
                    }
                    match cluster.restart_if_down(&options) {
                        Ok(true) => tracing::warn!("embedded PostgreSQL was down: restarted"),
                        Ok(false) => {}
                        Err(e) => tracing::error!(error = %e, "embedded PostgreSQL is down and did not restart"),
                    }
                }
            })?;
        Ok(Supervisor { stop, thread })
    }

    /// Stops watching (before the cluster is stopped on purpose) and waits for the thread.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        if self.thread.join().is_err() {
            tracing::warn!("the PostgreSQL supervisor thread panicked");
        }
    }
}
