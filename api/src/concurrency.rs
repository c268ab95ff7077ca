//! A bound on requests in flight that can follow their latency.
//!
//! A fixed bound is right for one load and wrong for the next. Measured on the 2-core machine
//! (`deploy/peak-bench.sh --quick`): with 32 writes in flight the ceiling is reached, but at 3x
//! that rate the admitted requests and the server's front door fight the database for the CPU,
//! admitted p99 grows to 0.4–1.4 s and even a refusal waits 0.1–1 s for its turn; with 8 in
//! flight, refusals are answered within 20 ms and admitted p99 stays near 0.1 s, but the ceiling
//! drops. So the write budget adapts (additive increase, multiplicative decrease): every
//! `window` it compares the average latency of the requests that finished in it with a target;
//! above it the bound shrinks by a quarter (never below `min`), at or below it, if requests were
//! refused in the window, it grows by one (never above `max`). A spike brings the bound down
//! within a few windows; a quiet spell lets it back up one step per window.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A budget of requests in flight, fixed or adaptive.
#[derive(Debug)]
pub struct Budget {
    in_flight: AtomicUsize,
    limit: AtomicUsize,
    adapt: Option<Adapt>,
}

/// How an adaptive budget moves its bound (see the module doc).
#[derive(Debug, Clone, Copy)]
pub struct Adaptive {
    pub min: usize,
    pub max: usize,
    pub target: Duration,
    pub window: Duration,
}

#[derive(Debug)]
struct Adapt {
    rule: Adaptive,
    /// Requests refused since the window began.
    refused: AtomicBool,
    window: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    began: Instant,
    total: Duration,
    finished: u32,
}

impl Window {
    fn new() -> Window {
        Window {
            began: Instant::now(),
            total: Duration::ZERO,
            finished: 0,
        }
    }
}

impl Budget {
    /// At most `limit` at once (at least one: zero would refuse everything).
    pub fn fixed(limit: usize) -> Arc<Budget> {
        Arc::new(Budget {
            in_flight: AtomicUsize::new(0),
            limit: AtomicUsize::new(limit.max(1)),
            adapt: None,
        })
    }

    /// Starts at `rule.max` and follows latency between `rule.min` and `rule.max`; `max` is a
    /// hard cap, so a `min` above it is taken as `max`.
    pub fn adaptive(rule: Adaptive) -> Arc<Budget> {
        let max = rule.max.max(1);
        let rule = Adaptive {
            min: rule.min.clamp(1, max),
            max,
            ..rule
        };
        Arc::new(Budget {
            in_flight: AtomicUsize::new(0),
            limit: AtomicUsize::new(rule.max),
            adapt: Some(Adapt {
                rule,
                refused: AtomicBool::new(false),
                window: Mutex::new(Window::new()),
            }),
        })
    }

    /// The bound now.
    pub fn limit(&self) -> usize {
        self.limit.load(Ordering::Relaxed)
    }

    /// A place in flight, or `None` when the budget is full.
    pub fn try_acquire(self: &Arc<Self>) -> Option<Permit> {
        let limit = self.limit();
        let taken = self
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            });
        if taken.is_err() {
            if let Some(adapt) = &self.adapt {
                adapt.refused.store(true, Ordering::Relaxed);
            }
            return None;
        }
        Some(Permit {
            budget: Arc::clone(self),
            since: Instant::now(),
        })
    }

    fn release(&self, latency: Duration) {
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
        if let Some(adapt) = &self.adapt {
            if let Some(next) = adapt.observe(latency, self.limit()) {
                self.limit.store(next, Ordering::Relaxed);
            }
        }
    }
}

impl Adapt {
    /// Adds a finished request to the window; at the window's end answers the next bound.
    fn observe(&self, latency: Duration, limit: usize) -> Option<usize> {
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        window.total += latency;
        window.finished += 1;
        if window.began.elapsed() < self.rule.window {
            return None;
        }
        let average = window.total / window.finished;
        *window = Window::new();
        let refused = self.refused.swap(false, Ordering::Relaxed);
        Some(if average > self.rule.target {
            (limit * 3 / 4).max(self.rule.min)
        } else if refused {
            (limit + 1).min(self.rule.max)
        } else {
            limit
        })
    }
}

/// A request's place in flight, given back (and its latency observed) when dropped, however
/// the request ends.
#[derive(Debug)]
pub struct Permit {
    budget: Arc<Budget>,
    since: Instant,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.budget.release(self.since.elapsed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> Adaptive {
        Adaptive {
            min: 2,
            max: 8,
            target: Duration::from_millis(20),
            window: Duration::ZERO,
        }
    }

    /// One request that took `latency`, from admission to its end.
    fn finish(budget: &Arc<Budget>, latency: Duration) {
        let mut permit = budget.try_acquire().unwrap();
        permit.since -= latency;
    }

    #[test]
    fn a_fixed_budget_refuses_beyond_its_limit_until_one_finishes() {
        let budget = Budget::fixed(2);
        let (a, _b) = (budget.try_acquire().unwrap(), budget.try_acquire().unwrap());
        assert!(budget.try_acquire().is_none());
        drop(a);
        assert!(budget.try_acquire().is_some());
        assert_eq!(budget.limit(), 2);
    }

    #[test]
    fn slow_answers_shrink_the_bound_by_a_quarter_down_to_the_floor() {
        let budget = Budget::adaptive(rule());
        assert_eq!(budget.limit(), 8);
        finish(&budget, Duration::from_millis(50));
        assert_eq!(budget.limit(), 6);
        for _ in 0..10 {
            finish(&budget, Duration::from_millis(50));
        }
        assert_eq!(budget.limit(), 2, "never below the floor");
    }

    #[test]
    fn fast_answers_grow_the_bound_by_one_only_while_requests_are_refused() {
        let budget = Budget::adaptive(rule());
        budget.limit.store(2, Ordering::Relaxed);
        let fast = Duration::from_millis(5);
        finish(&budget, fast);
        assert_eq!(budget.limit(), 2, "nobody refused: unchanged");
        for grown in 3..=8 {
            let held: Vec<Permit> = (0..budget.limit())
                .map(|_| budget.try_acquire().unwrap())
                .collect();
            assert!(budget.try_acquire().is_none(), "full at {}", budget.limit());
            drop(held);
            assert_eq!(budget.limit(), grown, "refusals and fast answers: one more");
        }
        let held: Vec<Permit> = (0..8).map(|_| budget.try_acquire().unwrap()).collect();
        assert!(budget.try_acquire().is_none());
        drop(held);
        assert_eq!(budget.limit(), 8, "never above the ceiling");
    }
}
