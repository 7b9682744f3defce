//! The delivery thread: replays the spool, then takes accepted entries
//! from the queue into batches, posts each with the retry policy, and
//! settles it (delivered, or given up and kept in the spool).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::webhook::{Batcher, Next, RetryPolicy, encode_body};

use super::failure::BatchFailure;

use super::post::Poster;
use super::replay::Replay;
use super::segment::Position;
use super::shared::Shared;
use super::spool::Keeper;

/// A batch taken for delivery.
struct Batch {
    entries: Vec<Vec<u8>>,
    /// Where its last entry ends in the spool.
    end: Option<Position>,
    /// From the spool's replay rather than the queue.
    replayed: bool,
}

/// How a batch ended.
enum Outcome {
    Delivered,
    GivenUp,
    /// The sender was dropped: the batch stays in the spool, if any.
    Abandoned,
}

/// Everything the thread owns.
pub(crate) struct Worker {
    pub(crate) shared: Arc<Shared>,
    pub(crate) poster: Poster,
    pub(crate) limits: Batcher,
    pub(crate) policy: RetryPolicy,
    pub(crate) seed: u64,
    pub(crate) gzip: bool,
    pub(crate) keeper: Option<Keeper>,
    pub(crate) replay: Option<Replay>,
}

/// Marks the thread stopped however it ends, panics included, so that no
/// caller waits for it forever.
struct StopGuard(Arc<Shared>);

impl Drop for StopGuard {
    fn drop(&mut self) {
        self.0.lock().stopped = true;
        self.0.notify();
    }
}

impl Worker {
    /// The thread's body.
    pub(crate) fn run(mut self) {
        let _guard = StopGuard(Arc::clone(&self.shared));
        let clock = Instant::now();
        if let Some(replay) = self.replay.take() {
            self.replay(replay);
        }
        while let Some(batch) = self.next_batch(clock) {
            if matches!(self.deliver(batch), Outcome::Abandoned) {
                break;
            }
        }
    }

    /// Sends what the spool held at start, in full batches as fast as
    /// they are delivered, reading one batch at a time.
    fn replay(&mut self, mut replay: Replay) {
        // Replayed entries are all due at once: no age limit.
        let limits = self.limits.max_age(Duration::MAX);
        let mut carried: Option<(Vec<u8>, Position)> = None;
        let mut finished = true;
        let mut more = true;
        while more || carried.is_some() {
            let mut batcher = limits;
            let mut batch = Batch { entries: Vec::new(), end: None, replayed: true };
            let mut invalid: u64 = 0;
            while batcher.due(Duration::ZERO).is_none() {
                let (entry, end) = match carried.take() {
                    Some(next) => next,
                    None if !more => break,
                    None => {
                        let mut entry = Vec::new();
                        match replay.next_entry(&mut entry) {
                            Ok(Some(end)) => (entry, end),
                            Ok(None) => {
                                more = false;
                                break;
                            }
                            Err(_) => {
                                // Unreadable: the rest (and the cursor) wait for the next start.
                                more = false;
                                finished = false;
                                break;
                            }
                        }
                    }
                };
                if batcher.would_overflow(entry.len()) {
                    carried = Some((entry, end));
                    break;
                }
                batch.end = Some(end);
                // A line no sender writes (a CR in it) is corruption: it
                // cannot be sent, so it is given up, not kept.
                if memchr::memchr(b'\r', &entry).is_some() {
                    invalid = invalid.saturating_add(1);
                    continue;
                }
                batcher.add(entry.len(), Duration::ZERO);
                batch.entries.push(entry);
            }
            if invalid > 0 {
                let mut state = self.shared.lock();
                state.given_up = state.given_up.saturating_add(invalid);
                state.replay_settled = state.replay_settled.saturating_add(invalid);
            }
            if batch.entries.is_empty() {
                if let (Some(end), Some(keeper)) = (batch.end, self.keeper.as_mut()) {
                    let _ = keeper.advance(end);
                }
            } else if matches!(self.deliver(batch), Outcome::Abandoned) {
                return;
            }
        }
        if let Some(keeper) = self.keeper.as_mut() {
            if finished {
                let _ = keeper.replay_done();
            } else {
                keeper.freeze();
            }
        }
        self.shared.lock().replay_done = true;
        self.shared.notify();
    }

    /// Waits for the next batch of accepted entries: full by entries or
    /// bytes, old enough, or wanted now by a flush or a close. `None` when
    /// closing with nothing left, or when abandoned.
    fn next_batch(&self, clock: Instant) -> Option<Batch> {
        let mut batcher = self.limits;
        let mut batch = Batch { entries: Vec::new(), end: None, replayed: false };
        let mut state = self.shared.lock();
        loop {
            if state.abandon {
                return None;
            }
            let now = clock.elapsed();
            let mut full = false;
            let mut took = false;
            while let Some(front) = state.queue.front() {
                if batcher.would_overflow(front.entry.len()) {
                    full = true;
                    break;
                }
                let Some(queued) = state.queue.pop_front() else { break };
                took = true;
                batcher.add(queued.entry.len(), now);
                batch.end = queued.end.or(batch.end);
                batch.entries.push(queued.entry);
                if batcher.due(now).is_some() {
                    full = true;
                    break;
                }
            }
            if took {
                self.shared.notify();
            }
            let wanted_now = state.closing || state.flush_waiters > 0;
            if !batch.entries.is_empty() && (full || wanted_now || batcher.due(now).is_some()) {
                return Some(batch);
            }
            if batch.entries.is_empty() && state.closing {
                return None;
            }
            state = match batcher.deadline() {
                Some(deadline) => self.shared.wait_timeout(state, deadline.saturating_sub(now)),
                None => self.shared.wait(state),
            };
        }
    }

    /// Posts a batch until it is delivered or given up, then settles it.
    fn deliver(&mut self, batch: Batch) -> Outcome {
        let count = batch.entries.len() as u64;
        let batch_number = {
            let mut state = self.shared.lock();
            state.batches = state.batches.saturating_add(1);
            state.batches
        };
        let seed = self.seed.wrapping_add(batch_number.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut body = Vec::new();
        let (outcome, rejected) = if encode_body(batch.entries.iter().map(Vec::as_slice), self.gzip, &mut body).is_err()
        {
            (Outcome::GivenUp, 0)
        } else {
            self.attempts(&body, seed, count)
        };
        let kept = match (&outcome, self.keeper.as_mut()) {
            (Outcome::Abandoned, _) => return Outcome::Abandoned,
            (Outcome::GivenUp, Some(keeper)) => keeper.keep(&batch.entries).is_ok(),
            _ => false,
        };
        if let (Some(end), Some(keeper)) = (batch.end, self.keeper.as_mut()) {
            let _ = keeper.advance(end);
        }
        let mut state = self.shared.lock();
        match outcome {
            Outcome::Delivered => {
                state.delivered = state.delivered.saturating_add(count);
                state.rejected = state.rejected.saturating_add(rejected.min(count));
            }
            _ => state.given_up = state.given_up.saturating_add(count),
        }
        if kept {
            state.kept = state.kept.saturating_add(count);
        }
        if batch.replayed {
            state.replay_settled = state.replay_settled.saturating_add(count);
        } else {
            state.live_settled = state.live_settled.saturating_add(count);
        }
        drop(state);
        self.shared.notify();
        outcome
    }

    /// The first attempt and the retries the policy allows; with a
    /// delivery, the entries the collector said it rejected. A batch given
    /// up is recorded with why, for [`Sender::take_failures`](super::Sender::take_failures).
    fn attempts(&self, body: &[u8], seed: u64, entries: u64) -> (Outcome, u64) {
        let mut retries: u32 = 0;
        loop {
            if self.shared.lock().abandon {
                return (Outcome::Abandoned, 0);
            }
            let posted = self.poster.post(body);
            match self.policy.next(retries, posted.attempt, seed) {
                Next::Delivered => return (Outcome::Delivered, posted.rejected),
                Next::GiveUp => {
                    if let Some(failure) = posted.failure {
                        self.shared.lock().record_failure(BatchFailure { entries, retries, failure });
                    }
                    return (Outcome::GivenUp, 0);
                }
                Next::Retry(wait) => {
                    retries = retries.saturating_add(1);
                    let mut state = self.shared.lock();
                    state.retries = state.retries.saturating_add(1);
                    drop(state);
                    if !self.sleep(wait) {
                        return (Outcome::Abandoned, 0);
                    }
                }
            }
        }
    }

    /// Waits `wait`, or less if the sender is dropped meanwhile (then false).
    fn sleep(&self, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        let mut state = self.shared.lock();
        loop {
            if state.abandon {
                return false;
            }
            let now = Instant::now();
            if now >= until {
                return true;
            }
            state = self.shared.wait_timeout(state, until - now);
        }
    }
}
