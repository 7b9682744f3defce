//! What the callers of a sender and its delivery thread share: the queue
//! of accepted entries, the counts, and the flags that stop the thread,
//! behind one mutex with one condition variable for every change.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::failure::BatchFailure;
use super::report::SenderReport;
use super::segment::Position;

/// An accepted entry waiting for the delivery thread, and where it ends in
/// the spool (none without a spool).
pub(crate) struct Queued {
    pub(crate) entry: Vec<u8>,
    pub(crate) end: Option<Position>,
}

/// The state behind the mutex.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) queue: VecDeque<Queued>,
    /// Callers waiting in `flush`: send a partial batch now.
    pub(crate) flush_waiters: usize,
    /// `close`: deliver what is queued, then stop.
    pub(crate) closing: bool,
    /// `Drop`: stop after the request in flight, deliver nothing more.
    pub(crate) abandon: bool,
    /// The delivery thread has returned (or panicked).
    pub(crate) stopped: bool,
    /// The spool's replay is over (at once without a spool).
    pub(crate) replay_done: bool,
    pub(crate) with_spool: bool,
    pub(crate) accepted: u64,
    pub(crate) replayed: u64,
    pub(crate) delivered: u64,
    pub(crate) given_up: u64,
    /// Accepted entries delivered or given up.
    pub(crate) live_settled: u64,
    /// Replayed entries delivered or given up.
    pub(crate) replay_settled: u64,
    /// Entries given up and kept in the spool for the next start.
    pub(crate) kept: u64,
    pub(crate) batches: u64,
    pub(crate) retries: u64,
    /// Delivered entries the collector's answers said it rejected.
    pub(crate) rejected: u64,
    /// Batches given up, with why, not yet taken (the newest kept).
    pub(crate) failures: VecDeque<BatchFailure>,
}

/// Failures kept for [`Sender::take_failures`](super::Sender::take_failures)
/// at most: a sender nobody asks keeps no more memory than this.
const KEPT_FAILURES: usize = 64;

impl State {
    /// Keeps a batch failure, forgetting the oldest beyond the bound.
    pub(crate) fn record_failure(&mut self, failure: BatchFailure) {
        if self.failures.len() >= KEPT_FAILURES {
            self.failures.pop_front();
        }
        self.failures.push_back(failure);
    }
}

impl State {
    /// The counts as a report.
    pub(crate) fn report(&self) -> SenderReport {
        let spooled = if self.with_spool {
            self.replayed
                .saturating_sub(self.replay_settled)
                .saturating_add(self.accepted.saturating_sub(self.live_settled))
                .saturating_add(self.kept)
        } else {
            0
        };
        SenderReport {
            accepted: self.accepted,
            replayed: self.replayed,
            delivered: self.delivered,
            given_up: self.given_up,
            spooled,
            batches: self.batches,
            retries: self.retries,
            rejected: self.rejected,
        }
    }
}

/// The state and its condition variable.
#[derive(Default)]
pub(crate) struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    /// Shared state for a sender, with `replayed` entries found in its spool.
    pub(crate) fn new(with_spool: bool, replayed: u64) -> Shared {
        let state = State { with_spool, replayed, replay_done: replayed == 0, ..State::default() };
        Shared { state: Mutex::new(state), changed: Condvar::new() }
    }

    /// Locks the state. A panic while it was locked left counts at worst
    /// stale, never unsafe to read, so a poisoned lock is taken as is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a change.
    pub(crate) fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(guard).unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a change, or for `timeout`.
    pub(crate) fn wait_timeout<'a>(&self, guard: MutexGuard<'a, State>, timeout: Duration) -> MutexGuard<'a, State> {
        match self.changed.wait_timeout(guard, timeout) {
            Ok((guard, _)) => guard,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }

    /// Wakes every waiter: callers waiting for room or a flush, the thread
    /// waiting for entries.
    pub(crate) fn notify(&self) {
        self.changed.notify_all();
    }
}
