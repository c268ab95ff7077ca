//! A bound on requests in flight that can follow their latency.
//!
//! A fixed bound is right for one load and wrong for the next. Measured on the 2-core machine
//! (`deploy/peak-bench.sh --quick`): with 32 writes in flight the ceiling is reached, but at 3x
//! that rate the admitted requests and the server's front door fight the database for the CPU,
//! admitted p99 grows to 0.4–1.4 s and even a refusal waits 0.1–1 s for its turn; with 8 in
//! flight, refusals are answered within 20 ms and admitted p99 stays near 0.1 s, but the ceiling
//! drops. So the write budget adapts: every `window` it compares the average latency of the
//! requests that finished in it with a target. Above it, if the budget was full in the window,
//! the bound shrinks in proportion (twice the target: half the bound), by a quarter at least
//! and never below `min`; if the budget was nearly full (three quarters of it in flight), it
//! holds. Otherwise it grows by one, never above `max`.
//!
//! The moves ask whether the bound was what limited the window. A slow window with room to
//! spare was slowed by something the bound does not cause (a WAL flush that stalls, a vacuum):
//! shrinking would only refuse requests at a load the server carries. And a bound that is not
//! what limits climbs back, one step per window, whatever the latency: measured at half
//! capacity after a spike, a bound that grew only on refusals refused a few requests every
//! second for 5–7 s; and a deployment whose requests take longer than the target even unloaded
//! would otherwise be left at `min` by its first spike.
//!
//! The target is at least three times the baseline, the lowest average of the windows in which
//! the bound was not nearly full: a deployment (or a machine) whose requests take longer
//! unloaded than the configured target is not taken for an overloaded one.
//!
//! Windows end when a request finishes, so an idle server ends none: [`Budget::tick`], called
//! every window, ends a window with nothing in flight that is over (two windows old if some
//! requests finished in it without ending it) as one more uncrowded window, and the bound
//! climbs back while the server waits for the next burst (an
//! attacker's run: a minute after a spike the bound was still at its floor of 4, and a burst
//! of 30 draws got 26 refusals). A window in which requests are in flight but none finishes
//! (stuck on a lock) is left alone: the bound may well be what protects the server then.
//!
//! Only requests admitted under the bound in force count towards its next move: those admitted
//! under an earlier, larger bound still drain after a shrink, and counting their latency again
//! would shrink it again for the same excess.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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
    /// The most requests in flight at once since the window began.
    peak: AtomicUsize,
    /// Counts the bound's changes: a permit carries the one it was admitted under.
    generation: AtomicU64,
    /// Held while a window's end decides the bound, so that two ends never race.
    window: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    began: Instant,
    total: Duration,
    finished: u32,
    /// The lowest window average seen, drifting up slowly (see [`Adapt::target`]).
    baseline: Option<Duration>,
}

impl Window {
    fn new() -> Window {
        Window {
            began: Instant::now(),
            total: Duration::ZERO,
            finished: 0,
            baseline: None,
        }
    }
}

/// The target is at least this many times the baseline (an unloaded request's latency).
const BASELINE_MULTIPLE: u32 = 3;

/// How fast the baseline may rise, per window: by 1/1024 (a tenth in 10 s of 100 ms windows),
/// so that a lasting change of the deployment's speed is followed within minutes while a spike's
/// slow windows barely move it.
const BASELINE_DRIFT: u32 = 1024;

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
                peak: AtomicUsize::new(0),
                generation: AtomicU64::new(0),
                window: Mutex::new(Window::new()),
            }),
        })
    }

    /// The bound now.
    pub fn limit(&self) -> usize {
        self.limit.load(Ordering::Relaxed)
    }

    /// Whether a place is free now (another request may take it first).
    pub fn has_room(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) < self.limit()
    }

    /// A place in flight, or `None` when the budget is full.
    pub fn try_acquire(self: &Arc<Self>) -> Option<Permit> {
        let limit = self.limit();
        let taken = self
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            });
        let before = taken.ok()?;
        let generation = self.adapt.as_ref().map_or(0, |adapt| {
            adapt.peak.fetch_max(before + 1, Ordering::Relaxed);
            adapt.generation.load(Ordering::Acquire)
        });
        Some(Permit {
            budget: Arc::clone(self),
            since: Instant::now(),
            generation,
        })
    }

    /// Ends the window as an uncrowded one if it is over and idle: no request finished in it
    /// (none ended it) and none is in flight. Call it every window (see the module doc).
    pub fn tick(&self) {
        if let Some(adapt) = &self.adapt {
            adapt.idle(&self.limit, &self.in_flight);
        }
    }

    fn release(&self, latency: Duration, generation: u64) {
        // Never below zero: every permit was counted in when it was given.
        let Some(adapt) = &self.adapt else {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return;
        };
        // Under the window's lock, so that an idle tick never sees this request gone before
        // its latency is counted.
        let mut window = adapt.window();
        let in_flight = self.in_flight.fetch_sub(1, Ordering::AcqRel) - 1;
        adapt.observe(&mut window, &self.limit, latency, generation, in_flight);
    }
}

impl Adapt {
    /// Adds a finished request to the window; at the window's end moves the bound. `in_flight`
    /// (those still running) starts the next window's peak.
    fn observe(
        &self,
        window: &mut Window,
        limit: &AtomicUsize,
        latency: Duration,
        generation: u64,
        in_flight: usize,
    ) {
        if generation != self.generation.load(Ordering::Acquire) {
            return;
        }
        window.total += latency;
        window.finished += 1;
        if window.began.elapsed() < self.rule.window {
            return;
        }
        let average = window.total / window.finished;
        let peak = self.peak.swap(in_flight, Ordering::Relaxed);
        let current = limit.load(Ordering::Relaxed);
        // Only a window the bound did not crowd tells what a request takes unloaded.
        let baseline = if nearly_full(peak, current) {
            window.baseline
        } else {
            Some(
                window
                    .baseline
                    .map_or(average, |b| average.min(b + b / BASELINE_DRIFT)),
            )
        };
        *window = Window {
            baseline,
            ..Window::new()
        };
        let target = baseline.map_or(self.rule.target, |b| self.target(b));
        self.set_bound(
            limit,
            current,
            self.next_bound(current, peak, average, target),
        );
    }

    /// Moves the bound from `current` to `next`; a move starts a new generation of permits.
    fn set_bound(&self, limit: &AtomicUsize, current: usize, next: usize) {
        if next != current {
            limit.store(next, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
    }

    fn window(&self) -> std::sync::MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// See [`Budget::tick`]. The window's lock orders this with a request's end, and a request
    /// admitted meanwhile only makes the bound it was admitted under one step smaller.
    ///
    /// A window in which requests finished without one ending it (the last of a spike, say)
    /// is over once it is two windows old and nothing is in flight: what it saw is stale (its
    /// latencies and its peak are the spike's), and the quiet since counts as uncrowded.
    fn idle(&self, limit: &AtomicUsize, in_flight: &AtomicUsize) {
        let mut window = self.window();
        let over = match window.finished {
            0 => self.rule.window,
            _ => self.rule.window * 2,
        };
        if in_flight.load(Ordering::Acquire) > 0 || window.began.elapsed() < over {
            return;
        }
        *window = Window {
            baseline: window.baseline,
            ..Window::new()
        };
        self.peak.store(0, Ordering::Relaxed);
        let current = limit.load(Ordering::Relaxed);
        self.set_bound(limit, current, current.saturating_add(1).min(self.rule.max));
    }

    /// The latency aimed at: the configured target, or three times the baseline when that is
    /// more. The baseline is the lowest average of the windows in which the bound was not
    /// nearly full (rising by 1/1024 a window at most): about what a request takes unloaded.
    /// A deployment whose requests take 30 ms unloaded (a Citus cluster across machines) would
    /// otherwise shrink its bound to the floor at any load, as if it were overloaded, and so
    /// would a busy machine whose decisions take the target's 8 ms unloaded.
    fn target(&self, baseline: Duration) -> Duration {
        self.rule.target.max(baseline * BASELINE_MULTIPLE)
    }

    /// The bound after a window in which at most `peak` requests were in flight at once under
    /// `limit`, and those that finished took `average`, against `target`.
    fn next_bound(&self, limit: usize, peak: usize, average: Duration, target: Duration) -> usize {
        let full = peak >= limit;
        if average > target && full {
            let proportional =
                (limit as u128).saturating_mul(target.as_nanos()) / average.as_nanos();
            let proportional = usize::try_from(proportional).unwrap_or(limit);
            proportional.min(limit - limit / 4).max(self.rule.min)
        } else if average > target && nearly_full(peak, limit) {
            limit
        } else {
            limit.saturating_add(1).min(self.rule.max)
        }
    }
}

/// Three quarters of the bound or more were in flight at once.
fn nearly_full(peak: usize, limit: usize) -> bool {
    peak.saturating_mul(4) >= limit.saturating_mul(3)
}

/// A request's place in flight, given back (and its latency observed) when dropped, however
/// the request ends.
#[derive(Debug)]
pub struct Permit {
    budget: Arc<Budget>,
    since: Instant,
    generation: u64,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.budget.release(self.since.elapsed(), self.generation);
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

    /// `n` requests in flight, each taking `latency`, and one of them finishes: the bound after
    /// it, and the requests still in flight.
    fn one_of(budget: &Arc<Budget>, n: usize, latency: Duration) -> (usize, Vec<Permit>) {
        let mut held = hold(budget, n, latency);
        drop(held.pop());
        (budget.limit(), held)
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
        let (limit, held) = one_of(&budget, 8, Duration::from_millis(50));
        assert_eq!(limit, 3, "8 in flight of 8, 2.5 times the target: 8 / 2.5");
        drop(held);
        assert_eq!(
            budget.limit(),
            3,
            "admitted under the old bound: not counted again"
        );
        let (limit, _still_in_flight) = one_of(&budget, 3, Duration::from_millis(50));
        assert_eq!(limit, 2, "full and slow again, never below the floor");
    }

    #[test]
    fn a_full_budget_just_over_its_target_shrinks_by_a_quarter() {
        let budget = Budget::adaptive(rule());
        let (limit, _still_in_flight) = one_of(&budget, 8, Duration::from_millis(21));
        assert_eq!(limit, 6, "8 in flight of 8, a little slow: a quarter less");
    }

    #[test]
    fn a_nearly_full_budget_holds_while_slow_and_grows_within_the_target() {
        let budget = Budget::adaptive(rule());
        budget.limit.store(4, Ordering::Relaxed);
        let (limit, held) = one_of(&budget, 3, Duration::from_millis(50));
        assert_eq!(limit, 4, "3 of 4 in flight, slow: held");
        drop(held);
        budget.limit.store(4, Ordering::Relaxed);
        let (limit, _still_in_flight) = one_of(&budget, 3, Duration::from_millis(15));
        assert_eq!(limit, 5, "3 of 4 in flight, within the target: one more");
    }

    #[test]
    fn a_bound_with_room_to_spare_climbs_back_however_slow_the_answers() {
        let budget = Budget::adaptive(rule());
        budget.limit.store(2, Ordering::Relaxed);
        for _ in 0..10 {
            finish(&budget, Duration::from_millis(50));
        }
        assert_eq!(
            budget.limit(),
            8,
            "one in flight at a time: the bound did not slow them, and climbs to the ceiling"
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
            assert_eq!(budget.limit(), grown, "full, within the target: one more");
        }
        drop(fill(&budget));
        assert_eq!(budget.limit(), 8, "never above the ceiling");
    }

    #[test]
    fn an_idle_window_grows_the_bound_and_one_with_a_request_stuck_in_flight_does_not() {
        let budget = Budget::adaptive(Adaptive {
            window: Duration::from_millis(20),
            ..rule()
        });
        budget.limit.store(2, Ordering::Relaxed);
        budget.tick();
        assert_eq!(budget.limit(), 2, "the window is not over yet");
        std::thread::sleep(Duration::from_millis(25));
        budget.tick();
        assert_eq!(budget.limit(), 3, "an idle window: one more");
        budget.tick();
        assert_eq!(budget.limit(), 3, "a new window began");
        let stuck = budget.try_acquire().unwrap();
        std::thread::sleep(Duration::from_millis(25));
        budget.tick();
        assert_eq!(
            budget.limit(),
            3,
            "a request in flight that never finishes: held"
        );
        drop(stuck);
        assert_eq!(
            budget.limit(),
            4,
            "its end ends the window, with room to spare: one more"
        );
        std::thread::sleep(Duration::from_millis(25));
        budget.tick();
        assert_eq!(budget.limit(), 5, "idle again");
    }

    #[test]
    fn the_last_window_of_a_spike_ends_as_an_idle_one_once_it_is_stale() {
        let budget = Budget::adaptive(Adaptive {
            window: Duration::from_millis(30),
            ..rule()
        });
        budget.limit.store(2, Ordering::Relaxed);
        // Slow requests finish early in the window: none ends it.
        finish(&budget, Duration::from_millis(90));
        finish(&budget, Duration::from_millis(90));
        std::thread::sleep(Duration::from_millis(35));
        budget.tick();
        assert_eq!(
            budget.limit(),
            2,
            "over, but it saw requests: not stale yet"
        );
        std::thread::sleep(Duration::from_millis(30));
        budget.tick();
        assert_eq!(
            budget.limit(),
            3,
            "two windows old with nothing in flight: idle"
        );
    }

    #[test]
    fn a_deployment_slow_even_unloaded_is_held_to_three_times_that_not_to_the_target() {
        let budget = Budget::adaptive(rule());
        finish(&budget, Duration::from_millis(30));
        budget.limit.store(4, Ordering::Relaxed);
        let (limit, _still_in_flight) = one_of(&budget, 4, Duration::from_millis(40));
        assert_eq!(
            limit, 5,
            "30 ms unloaded: full at 40 ms is within 90 ms, one more (not shrunk for 20 ms)"
        );
    }

    #[test]
    fn the_baseline_is_the_fastest_uncrowded_window_and_rises_only_slowly() {
        let budget = Budget::adaptive(rule());
        finish(&budget, Duration::from_millis(30));
        finish(&budget, Duration::from_millis(5));
        finish(&budget, Duration::from_millis(50));
        let (limit, _still_in_flight) = one_of(&budget, 8, Duration::from_millis(50));
        assert_eq!(
            limit, 3,
            "baseline about 5 ms: the target is the configured 20 ms, and 8 at 50 ms shrink"
        );
    }

    #[test]
    fn a_window_is_judged_by_its_average_not_by_its_last_request() {
        let budget = Budget::adaptive(Adaptive {
            window: Duration::from_millis(50),
            ..rule()
        });
        let slow = hold(&budget, 1, Duration::from_millis(60));
        drop(hold(&budget, 7, Duration::from_millis(1)));
        std::thread::sleep(Duration::from_millis(60));
        drop(slow);
        assert_eq!(
            budget.limit(),
            8,
            "full, average (7 x 1 ms + 60 ms) / 8 within the target: not shrunk"
        );
    }
}
