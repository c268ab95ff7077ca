//! A bound on requests in flight that can follow their latency.
//!
//! A fixed bound is right for one load and wrong for the next. Measured on the 2-core machine
//! (`deploy/peak-bench.sh --quick`): with 32 writes in flight the ceiling is reached, but at 3x
//! that rate the admitted requests and the server's front door fight the database for the CPU,
//! admitted p99 grows to 0.4–1.4 s and even a refusal waits 0.1–1 s for its turn; with 8 in
//! flight, refusals are answered within 20 ms and admitted p99 stays near 0.1 s, but the ceiling
//! drops. So the write budget adapts (additive increase, multiplicative decrease): every
//! `window` it compares the average latency of the requests that finished in it with a target.
//! Above it, if the budget was full in the window, the bound shrinks in proportion (twice the
//! target: half the bound), by a quarter at least and never below `min`. At or below it, it
//! grows by one (never above `max`) if the budget was full or nearly (three quarters of it in
//! flight), or if requests took at most half the target. A spike brings the bound down in one
//! or two windows; once it is over the bound climbs back, one step per window.
//!
//! Both moves ask whether the bound was what limited the window. A slow window with room to
//! spare was slowed by something the bound does not cause (a WAL flush that stalls, a vacuum):
//! shrinking would only refuse requests at a load the server carries. And a bound left low
//! after a spike refuses the bursts of an ordinary load: measured at half capacity after a
//! spike, a bound that grew only on refusals refused a few requests every second for 5–7 s.

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
    /// The most requests in flight at once since the window began.
    peak: AtomicUsize,
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
                peak: AtomicUsize::new(0),
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
        match (taken, &self.adapt) {
            (Err(_), Some(adapt)) => adapt.refused.store(true, Ordering::Relaxed),
            (Ok(before), Some(adapt)) => {
                adapt.peak.fetch_max(before + 1, Ordering::Relaxed);
            }
            _ => {}
        }
        if taken.is_err() {
            return None;
        }
        Some(Permit {
            budget: Arc::clone(self),
            since: Instant::now(),
        })
    }

    fn release(&self, latency: Duration) {
        let in_flight = self.in_flight.fetch_sub(1, Ordering::AcqRel) - 1;
        if let Some(adapt) = &self.adapt {
            if let Some(next) = adapt.observe(latency, self.limit(), in_flight) {
                self.limit.store(next, Ordering::Relaxed);
            }
        }
    }
}

impl Adapt {
    /// Adds a finished request to the window; at the window's end answers the next bound.
    /// `in_flight` (those still running) starts the next window's peak.
    fn observe(&self, latency: Duration, limit: usize, in_flight: usize) -> Option<usize> {
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        window.total += latency;
        window.finished += 1;
        if window.began.elapsed() < self.rule.window {
            return None;
        }
        let average = window.total / window.finished;
        *window = Window::new();
        let refused = self.refused.swap(false, Ordering::Relaxed);
        let peak = self.peak.swap(in_flight, Ordering::Relaxed);
        let full = refused || peak >= limit;
        let nearly_full = full || 4 * peak >= 3 * limit;
        let target = self.rule.target;
        Some(if average > target && full {
            let proportional = limit as u128 * target.as_nanos() / average.as_nanos();
            let proportional = usize::try_from(proportional).unwrap_or(limit);
            proportional.min(limit * 3 / 4).max(self.rule.min)
        } else if average <= target && (nearly_full || average <= target / 2) {
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

    /// `n` requests in flight, each taking `latency` when its permit is dropped.
    fn hold(budget: &Arc<Budget>, n: usize, latency: Duration) -> Vec<Permit> {
        (0..n)
            .map(|_| {
                let mut permit = budget.try_acquire().unwrap();
                permit.since -= latency;
                permit
            })
            .collect()
    }

    /// One request that took `latency`, from admission to its end.
    fn finish(budget: &Arc<Budget>, latency: Duration) {
        drop(hold(budget, 1, latency));
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
    fn slow_answers_while_the_budget_is_full_shrink_the_bound_in_proportion_down_to_the_floor() {
        let budget = Budget::adaptive(rule());
        assert_eq!(budget.limit(), 8);
        let mut held = hold(&budget, 8, Duration::from_millis(50));
        drop(held.pop());
        assert_eq!(
            budget.limit(),
            3,
            "8 in flight of 8, 2.5 times the target: 8 / 2.5"
        );
        drop(held);
        assert_eq!(
            budget.limit(),
            2,
            "still full and slow at each step, never below the floor"
        );
    }

    #[test]
    fn a_full_budget_just_over_its_target_shrinks_by_a_quarter() {
        let budget = Budget::adaptive(rule());
        let mut held = hold(&budget, 8, Duration::from_millis(21));
        drop(held.pop());
        assert_eq!(
            budget.limit(),
            6,
            "8 in flight of 8, a little slow: a quarter less"
        );
    }

    #[test]
    fn slow_answers_with_room_to_spare_leave_the_bound_alone() {
        let budget = Budget::adaptive(rule());
        for _ in 0..10 {
            finish(&budget, Duration::from_millis(50));
        }
        assert_eq!(
            budget.limit(),
            8,
            "one in flight of 8: the bound did not slow it"
        );
    }

    #[test]
    fn answers_within_the_target_grow_a_nearly_full_budget_to_keep_room_for_a_burst() {
        let budget = Budget::adaptive(rule());
        budget.limit.store(4, Ordering::Relaxed);
        let within = Duration::from_millis(15);
        let mut held = hold(&budget, 3, within);
        drop(held.remove(0));
        assert_eq!(
            budget.limit(),
            5,
            "3 of 4 in flight, none refused: one more"
        );
        drop(held);
        for _ in 0..10 {
            finish(&budget, within);
        }
        assert_eq!(
            budget.limit(),
            5,
            "one or two at a time, within the target: room enough"
        );
    }

    #[test]
    fn answers_within_half_the_target_bring_the_bound_back_up_after_a_spike() {
        let budget = Budget::adaptive(rule());
        budget.limit.store(2, Ordering::Relaxed);
        for _ in 0..10 {
            finish(&budget, Duration::from_millis(5));
        }
        assert_eq!(
            budget.limit(),
            8,
            "one at a time, but quick: back to the ceiling"
        );
    }

    #[test]
    fn answers_within_the_target_grow_a_full_budget_by_one_up_to_the_ceiling() {
        let budget = Budget::adaptive(rule());
        budget.limit.store(2, Ordering::Relaxed);
        let fill = |budget: &Arc<Budget>| {
            let held = hold(budget, budget.limit(), Duration::from_millis(15));
            assert!(budget.try_acquire().is_none(), "full at {}", budget.limit());
            held
        };
        for grown in 3..=8 {
            drop(fill(&budget));
            assert_eq!(
                budget.limit(),
                grown,
                "refused, within the target: one more"
            );
        }
        drop(fill(&budget));
        assert_eq!(budget.limit(), 8, "never above the ceiling");
    }
}
