//! Group commit: writes that arrive while their lane is busy are decided one by one, each in a
//! savepoint of its own, and committed together: one transaction and one WAL flush for the
//! batch instead of one per write. Every caller is answered only after that commit.
//!
//! There is no waiting window: a write that finds its lane idle runs at once (a batch of one is
//! exactly a plain transaction, without savepoint); writes that arrive while a batch runs queue
//! and form the next batch, so batches grow with the load and latency does not grow at low
//! load. The caller whose write leads a batch hands the lead to the first queued write's thread
//! when done, so no caller serves others for long.
//!
//! A write that fails rolls back to its savepoint and is answered its own error once the batch
//! commits; its neighbours are untouched. If the commit itself fails, nothing of the batch
//! happened and every caller is answered 503 with `Retry-After`, the refused ones too (a refusal
//! may rest on the writes before it in the batch, which did not happen): each retries alone,
//! with its `Idempotency-Key`.
//!
//! Lanes: a write goes to the lane of its party (the caller's, by hash), so one party's writes
//! queue behind each other instead of waiting on each other's row locks from two batches, and
//! the number of lanes bounds the connections writes hold. With the database distributed by
//! party (Citus), a write goes to the lane of its party's shard (`persistence::shards`): with
//! `group_commit.lanes` at least the shard count, a batch holds the writes of one shard and
//! commits on one worker; with fewer lanes, a lane serves every `lanes`-th shard (see the
//! README).

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use persistence::statements::StatementCounter;
use persistence::{DbPool, RepoError};

use crate::error::ApiError;
use crate::metrics::Metrics;

/// One write waiting for (or in) a batch.
struct Item {
    route: String,
    /// Taken when the write runs.
    work: Option<Work>,
    /// Records the write's own failure, or the batch's when the commit fails.
    fail: Option<Box<dyn FnOnce(ApiError) + Send>>,
    turn: SyncSender<Turn>,
}

type Work = Box<dyn FnOnce(&mut PgConnection) -> Result<(), ApiError> + Send>;

impl Item {
    fn record(&mut self, error: ApiError) {
        if let Some(fail) = self.fail.take() {
            fail(error);
        }
    }
}

/// A write's thread is told its batch is over when the write is dropped: after its answer is
/// recorded, and also if the batch panicked, so no caller is ever left waiting.
impl Drop for Item {
    fn drop(&mut self) {
        // The channel has room: a waiting thread is sent at most one lead and one end.
        let _ = self.turn.send(Turn::Done);
    }
}

/// What a waiting write's thread is told.
enum Turn {
    /// Its batch committed (or failed): its answer is in its slot.
    Done,
    /// It leads the next batch.
    Lead,
}

#[derive(Default)]
struct Lane {
    queue: VecDeque<Item>,
    /// A thread is running a batch of this lane.
    running: bool,
}

pub struct GroupCommit {
    lanes: Vec<Mutex<Lane>>,
    max_batch: usize,
}

impl GroupCommit {
    /// `lanes` lanes (at least one) of batches of at most `max_batch` writes.
    pub fn new(lanes: usize, max_batch: usize) -> GroupCommit {
        GroupCommit {
            lanes: (0..lanes.max(1)).map(|_| Mutex::default()).collect(),
            max_batch: max_batch.max(1),
        }
    }

    /// Runs `work` in the batch of the lane of `party_key`; answers its result once the batch
    /// has committed. Blocks the calling thread: call it from the blocking pool.
    pub fn run<T, F>(
        &self,
        pool: &DbPool,
        metrics: &Metrics,
        party_key: u64,
        route: String,
        work: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let slot: Arc<Mutex<Option<Result<T, ApiError>>>> = Arc::default();
        let (answer, failure) = (Arc::clone(&slot), Arc::clone(&slot));
        let (turn, turns) = sync_channel(2);
        let item = Item {
            route,
            work: Some(Box::new(move |conn| {
                let value = work(conn)?;
                *lock(&answer) = Some(Ok(value));
                Ok(())
            })),
            fail: Some(Box::new(move |error| *lock(&failure) = Some(Err(error)))),
            turn,
        };
        let lane = &self.lanes[lane_of(party_key, self.lanes.len())];
        let leads = {
            let mut lane = lock(lane);
            lane.queue.push_back(item);
            !std::mem::replace(&mut lane.running, true)
        };
        self.wait_or_lead(lane, leads, &turns, pool, metrics);
        let answer = lock(&slot).take();
        answer.unwrap_or_else(|| Err(ApiError::internal("a batched write was never answered")))
    }

    fn wait_or_lead(
        &self,
        lane: &Mutex<Lane>,
        mut leads: bool,
        turns: &Receiver<Turn>,
        pool: &DbPool,
        metrics: &Metrics,
    ) {
        loop {
            if leads {
                let batch: Vec<Item> = {
                    let mut lane = lock(lane);
                    let n = lane.queue.len().min(self.max_batch);
                    lane.queue.drain(..n).collect()
                };
                // A panic outside the writes (they are caught one by one) still ends the batch
                // (dropping its writes tells their threads) and hands the lead on.
                let _ = catch_unwind(AssertUnwindSafe(|| run_batch(pool, metrics, batch)));
                let next = {
                    let mut lane = lock(lane);
                    let next = lane.queue.front().map(|item| item.turn.clone());
                    lane.running = next.is_some();
                    next
                };
                if let Some(next) = next {
                    // Its thread is waiting on its channel, which has room for this message.
                    let _ = next.send(Turn::Lead);
                }
            }
            match turns.recv() {
                Ok(Turn::Lead) => leads = true,
                Ok(Turn::Done) | Err(_) => return,
            }
        }
    }
}

/// The lane of a party: writes of one party always share a lane.
fn lane_of(party_key: u64, lanes: usize) -> usize {
    // The remainder is below `lanes`, a usize.
    usize::try_from(party_key % lanes as u64).unwrap_or(0)
}

/// A poisoned lock only means another write panicked; the queue and slots stay consistent.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How a write of a batch is answered once the batch is over.
enum Answer {
    /// By the batch's fate: its own result if the batch committed, the batch's error if not.
    WithBatch,
    /// It failed alone, rolled back to its savepoint: its own error if the batch commits (the
    /// error may rest on the writes before it in the batch, say a limit they used), the
    /// batch's if not (then nothing it was decided against happened: it is retried afresh).
    Failed(ApiError),
    /// It failed alone in its transaction, whose error is its answer.
    WithTransaction,
}

/// Runs `batch` in one transaction (each write in a savepoint when there are several) and
/// answers every write.
fn run_batch(pool: &DbPool, metrics: &Metrics, batch: Vec<Item>) {
    metrics.observe_batch(batch.len());
    let mut answers = Vec::with_capacity(batch.len());
    let mut committed = match crate::checkout::session(pool, metrics) {
        Ok(mut session) => {
            let statements = StatementCounter::default();
            session.set_instrumentation(statements.clone());
            let mut unstarted = Some(batch);
            let committed = session.transaction(|conn| {
                let batch = unstarted.take().unwrap_or_default();
                run_items(conn, batch, &statements, &mut answers)
            });
            // The transaction could not begin (a connection the database dropped while it sat
            // in the pool): no write ran, and each is answered the batch's error (503).
            if let Some(batch) = unstarted {
                answers.extend(batch.into_iter().map(|item| (item, Answer::WithBatch, 0)));
            }
            if matches!(committed, Err(ApiError::Unavailable { .. })) {
                session.mark_if_dead();
            }
            // BEGIN and COMMIT (or ROLLBACK) are counted with the batch's first write.
            if let Some((_, _, first)) = answers.first_mut() {
                *first += statements.take();
            }
            for (item, _, count) in &answers {
                metrics.observe_statements(&item.route, *count);
            }
            committed
        }
        Err(error) => {
            answers.extend(batch.into_iter().map(|item| (item, Answer::WithBatch, 0)));
            Err(error)
        }
    };
    for (mut item, answer, _) in answers {
        match (answer, &mut committed) {
            // A write that succeeded in a batch that did not commit did not happen either.
            (Answer::WithBatch | Answer::Failed(_), Err(error)) => {
                item.record(batch_failure(error));
            }
            (Answer::Failed(error), Ok(())) => item.record(error),
            (Answer::WithTransaction, committed) => {
                let error = std::mem::replace(committed, Ok(()))
                    .err()
                    .unwrap_or_else(|| ApiError::internal("a failed write committed"));
                item.record(error);
            }
            (Answer::WithBatch, Ok(())) => {}
        }
    }
}

fn run_items(
    conn: &mut PgConnection,
    batch: Vec<Item>,
    statements: &StatementCounter,
    answers: &mut Vec<(Item, Answer, u64)>,
) -> Result<(), ApiError> {
    // One write alone is a plain transaction: its failure rolls the transaction back.
    let alone = batch.len() == 1;
    let mut batch = batch.into_iter();
    while let Some(mut item) = batch.next() {
        let Some(work) = item.work.take() else {
            let error = ApiError::internal("a batched write ran twice");
            answers.push((item, Answer::Failed(error), 0));
            continue;
        };
        if !alone {
            if let Err(lost) = conn.batch_execute("SAVEPOINT item") {
                return abandon(item, batch, statements.take(), lost, answers);
            }
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| work(conn)))
            .unwrap_or_else(|_| Err(ApiError::internal("a write panicked")));
        let count = statements.take();
        match outcome {
            Ok(()) => answers.push((item, Answer::WithBatch, count)),
            Err(error) if alone => {
                answers.push((item, Answer::WithTransaction, count));
                return Err(error);
            }
            Err(error) => {
                // The same name each time: a savepoint shadows its namesakes, and this rolls
                // back to the newest, this write's.
                if let Err(lost) = conn.batch_execute("ROLLBACK TO SAVEPOINT item") {
                    let count = count + statements.take();
                    return abandon(item, batch, count, lost, answers);
                }
                answers.push((item, Answer::Failed(error), count + statements.take()));
            }
        }
    }
    Ok(())
}

/// Ends a batch whose savepoint could not be set or rolled back to (the connection was lost,
/// or the transaction is aborted): the transaction cannot go on, so `item` and every write
/// after it are answered the batch's error (503), like those before it once it rolls back.
fn abandon(
    item: Item,
    rest: impl Iterator<Item = Item>,
    count: u64,
    lost: diesel::result::Error,
    answers: &mut Vec<(Item, Answer, u64)>,
) -> Result<(), ApiError> {
    answers.push((item, Answer::WithBatch, count));
    answers.extend(rest.map(|item| (item, Answer::WithBatch, 0)));
    Err(RepoError::from(lost).into())
}

/// What a write that succeeded is answered when its batch could not commit.
fn batch_failure(error: &ApiError) -> ApiError {
    match error {
        ApiError::Unavailable {
            retry_after_seconds,
        } => ApiError::Unavailable {
            retry_after_seconds: *retry_after_seconds,
        },
        other => ApiError::from(RepoError::Unavailable(format!(
            "the batch this write was in could not commit: {other}"
        ))),
    }
}
