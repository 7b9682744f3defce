//! The sender applications embed: takes signed entries, spools them if
//! asked, and has one thread deliver them in batches with retries.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, Result};

use super::config::{Origin, SenderConfig, WhenFull};
use super::failure::BatchFailure;
use super::post::Poster;
use super::report::SenderReport;
use super::shared::{Queued, Shared, State};
use super::spool::{self, Writer};
use super::worker::Worker;

/// Delivers entries (signed lines, one entry a line without CR or LF) to
/// an HTTP collector as Konnect's webhook does: POSTed in batches, gzipped,
/// with the `Authorization` header verbatim, retried after a connection
/// error, a 500 or a 429 as the [`RetryPolicy`](crate::webhook::RetryPolicy)
/// says, given up after any other status.
///
/// `send` queues an entry for the sender's one background thread, waiting
/// (or failing, see [`WhenFull`]) while the queue is full; with a spool the
/// entry is on disk before `send` returns. [`Sender::close`] delivers what
/// is left and stops the thread; dropping a sender instead stops it after
/// the request in flight (at most the request timeout), delivering nothing
/// more: what is only in memory is lost, what is spooled waits for the next
/// start. `Debug` never shows the authorization.
///
/// ```no_run
/// use audit_cef::{Sender, SenderConfig};
/// use audit_cef::webhook::Credential;
///
/// let config = SenderConfig::new("https://siem.example/in", Credential::new("Bearer s3cret"))?
///     .spool("/var/spool/audit-cef");
/// let sender = Sender::start(config)?;
/// sender.send(b"2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1 sig=...")?;
/// let report = sender.close()?;
/// assert_eq!(report.accepted, 1);
/// # Ok::<(), audit_cef::Error>(())
/// ```
pub struct Sender {
    shared: Arc<Shared>,
    /// The spool's appender; its lock also keeps the queue in spool order.
    writer: Option<Mutex<Writer>>,
    thread: Option<JoinHandle<()>>,
    capacity: usize,
    when_full: WhenFull,
    endpoint: String,
}

impl Sender {
    /// Opens the spool if there is one (creating its directory), and
    /// starts the delivery thread, which first sends what a previous run
    /// left in the spool, in order, before any new entry.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] when the spool cannot be created or read, or the
    /// thread cannot be started; [`ErrorKind::InvalidSpool`] when its cursor
    /// file is not a position.
    ///
    /// ```no_run
    /// let config = audit_cef::SenderConfig::new("http://127.0.0.1:8080/in", audit_cef::webhook::Credential::new(""))?;
    /// let sender = audit_cef::Sender::start(config)?;
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn start(config: SenderConfig) -> Result<Sender> {
        let (writer, keeper, replay, pending) = match &config.spool {
            Some(dir) => {
                let opened = spool::open(dir, config.spool_segment_bytes)?;
                (Some(Mutex::new(opened.writer)), Some(opened.keeper), Some(opened.replay), opened.pending)
            }
            None => (None, None, None, 0),
        };
        let shared = Arc::new(Shared::new(writer.is_some(), pending));
        let worker = Worker {
            shared: Arc::clone(&shared),
            poster: Poster::new(&config),
            limits: config.batcher,
            policy: config.retry,
            seed: config.seed,
            gzip: config.gzip,
            keeper,
            replay,
        };
        let thread = thread::Builder::new().name("audit-cef-sender".into()).spawn(move || worker.run())?;
        Ok(Sender {
            shared,
            writer,
            thread: Some(thread),
            capacity: config.queue_capacity,
            when_full: config.when_full,
            endpoint: config.endpoint,
        })
    }

    /// Accepts one entry for delivery: see [`Sender::send_all`].
    ///
    /// # Errors
    ///
    /// As [`Sender::send_all`].
    ///
    /// ```no_run
    /// # let sender = audit_cef::Sender::start(audit_cef::SenderConfig::new("http://127.0.0.1:8080", audit_cef::webhook::Credential::new(""))?)?;
    /// sender.send(b"CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1 sig=...")?;
    /// assert_eq!(sender.send(b"two\nlines").unwrap_err().kind(), audit_cef::ErrorKind::LineBreakInEntry);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn send(&self, entry: &[u8]) -> Result<()> {
        self.send_all(&[entry])
    }

    /// Accepts entries for delivery, in order, all or none. With a spool
    /// they are written to it and synced (once for all of them) before this
    /// returns. While the queue is full it waits for room, or fails, as the
    /// [`WhenFull`] setting says.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Empty`] for an empty entry, [`ErrorKind::LineBreakInEntry`]
    /// for one holding CR or LF (at its offset in that entry);
    /// [`ErrorKind::QueueFull`] when full with [`WhenFull::Fail`];
    /// [`ErrorKind::SenderClosed`] when the delivery thread has stopped;
    /// [`ErrorKind::Io`] when the spool cannot be written. In every case
    /// nothing of the call was accepted.
    ///
    /// ```no_run
    /// # let sender = audit_cef::Sender::start(audit_cef::SenderConfig::new("http://127.0.0.1:8080", audit_cef::webhook::Credential::new(""))?)?;
    /// sender.send_all(&[b"first".as_slice(), b"second"])?;
    /// assert_eq!(sender.send_all(&[b"ok".as_slice(), b""]).unwrap_err().kind(), audit_cef::ErrorKind::Empty);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn send_all(&self, entries: &[&[u8]]) -> Result<()> {
        for entry in entries {
            check_entry(entry)?;
        }
        if entries.is_empty() {
            return Ok(());
        }
        let Some(writer) = &self.writer else {
            let mut state = self.room_for(entries.len())?;
            state.queue.extend(entries.iter().map(|entry| Queued { entry: entry.to_vec(), end: None }));
            state.accepted = state.accepted.saturating_add(entries.len() as u64);
            drop(state);
            self.shared.notify();
            return Ok(());
        };
        // Holding the writer while waiting keeps other senders out, so the
        // room found is still there after the (unlocked) write and sync.
        let mut writer = writer.lock().unwrap_or_else(PoisonError::into_inner);
        drop(self.room_for(entries.len())?);
        let ends = writer.append(entries)?;
        let mut state = self.shared.lock();
        state
            .queue
            .extend(entries.iter().zip(ends).map(|(entry, end)| Queued { entry: entry.to_vec(), end: Some(end) }));
        state.accepted = state.accepted.saturating_add(entries.len() as u64);
        drop(state);
        drop(writer);
        self.shared.notify();
        Ok(())
    }

    /// Waits until everything accepted so far, and everything the spool
    /// held at start, is delivered or given up. Sends a partial batch at
    /// once rather than waiting for its age.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::SenderClosed`] when the delivery thread stopped first.
    ///
    /// ```no_run
    /// # let sender = audit_cef::Sender::start(audit_cef::SenderConfig::new("http://127.0.0.1:8080", audit_cef::webhook::Credential::new(""))?)?;
    /// sender.send(b"entry")?;
    /// sender.flush()?;
    /// let report = sender.report();
    /// assert_eq!(report.delivered + report.given_up, 1);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn flush(&self) -> Result<()> {
        self.settle(None).map(|_| ())
    }

    /// Waits until everything accepted so far is settled (`Ok(true)`), or
    /// until `deadline` (`Ok(false)`), asking the thread for partial
    /// batches meanwhile.
    fn settle(&self, deadline: Option<Instant>) -> Result<bool> {
        let mut state = self.shared.lock();
        let target = state.accepted;
        state.flush_waiters = state.flush_waiters.saturating_add(1);
        self.shared.notify();
        let result = loop {
            if state.replay_done && state.live_settled >= target {
                break Ok(true);
            }
            if state.stopped {
                break Err(Error::new(ErrorKind::SenderClosed));
            }
            state = match deadline {
                None => self.shared.wait(state),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break Ok(false);
                    }
                    self.shared.wait_timeout(state, deadline - now)
                }
            };
        };
        state.flush_waiters = state.flush_waiters.saturating_sub(1);
        result
    }

    /// Delivers what is left (as [`Sender::flush`]), stops the thread and
    /// waits for it, and returns the final counts.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::SenderClosed`] when the thread had stopped before
    /// everything was settled.
    ///
    /// ```no_run
    /// # let sender = audit_cef::Sender::start(audit_cef::SenderConfig::new("http://127.0.0.1:8080", audit_cef::webhook::Credential::new(""))?)?;
    /// let report = sender.close()?;
    /// println!("{} delivered, {} given up", report.delivered, report.given_up);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn close(mut self) -> Result<SenderReport> {
        let flushed = self.flush();
        self.shared.lock().closing = true;
        self.shared.notify();
        if let Some(thread) = self.thread.take() {
            // A panic of the thread is already reported by `stopped`.
            let _ = thread.join();
        }
        flushed.map(|()| self.report())
    }

    /// Closes as [`Sender::close`] does, but waits at most `wait` for the
    /// collector: what is still unsettled then is left (in the spool, with
    /// one, for the next start; without one, lost, and not counted as
    /// delivered or given up). For a relay that retries for ever and must
    /// still stop when told.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::SenderClosed`] when the delivery thread had stopped.
    ///
    /// ```no_run
    /// # let sender = audit_cef::Sender::start(audit_cef::SenderConfig::new("http://127.0.0.1:8080", audit_cef::webhook::Credential::new(""))?)?;
    /// let report = sender.close_within(std::time::Duration::from_secs(30))?;
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn close_within(mut self, wait: Duration) -> Result<SenderReport> {
        let settled = self.settle(Some(Instant::now() + wait));
        {
            let mut state = self.shared.lock();
            state.closing = true;
            if !matches!(settled, Ok(true)) {
                state.abandon = true;
            }
        }
        self.shared.notify();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        settled.map(|_| self.report())
    }

    /// The counts so far.
    ///
    /// ```no_run
    /// # let sender = audit_cef::Sender::start(audit_cef::SenderConfig::new("http://127.0.0.1:8080", audit_cef::webhook::Credential::new(""))?)?;
    /// assert_eq!(sender.report().accepted, 0);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn report(&self) -> SenderReport {
        self.shared.lock().report()
    }

    /// The batches given up since the last call, each with why (the
    /// newest 64 at most): for a caller to say what went wrong as it
    /// happens.
    ///
    /// ```no_run
    /// # let sender = audit_cef::Sender::start(audit_cef::SenderConfig::new("http://127.0.0.1:8080", audit_cef::webhook::Credential::new(""))?)?;
    /// for failure in sender.take_failures() {
    ///     eprintln!("{failure}");
    /// }
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn take_failures(&self) -> Vec<BatchFailure> {
        self.shared.lock().failures.drain(..).collect()
    }

    /// The state locked with room for `count` more entries (or an empty
    /// queue, for a call larger than the capacity).
    fn room_for(&self, count: usize) -> Result<MutexGuard<'_, State>> {
        let mut state = self.shared.lock();
        loop {
            if state.stopped || state.closing {
                return Err(Error::new(ErrorKind::SenderClosed));
            }
            if state.queue.is_empty() || state.queue.len().saturating_add(count) <= self.capacity {
                return Ok(state);
            }
            if self.when_full == WhenFull::Fail {
                return Err(Error::new(ErrorKind::QueueFull));
            }
            state = self.shared.wait(state);
        }
    }
}

/// Stops the thread after the request in flight, without delivering what
/// is queued (use [`Sender::close`] for that), and waits for it.
impl Drop for Sender {
    fn drop(&mut self) {
        let Some(thread) = self.thread.take() else { return };
        {
            let mut state = self.shared.lock();
            state.abandon = true;
            state.closing = true;
        }
        self.shared.notify();
        let _ = thread.join();
    }
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("endpoint", &Origin(&self.endpoint))
            .field("spool", &self.writer.is_some())
            .field("report", &self.report())
            .finish_non_exhaustive()
    }
}

/// An entry is one non-empty line.
fn check_entry(entry: &[u8]) -> Result<()> {
    if entry.is_empty() {
        return Err(Error::new(ErrorKind::Empty));
    }
    match memchr::memchr2(b'\r', b'\n', entry) {
        Some(at) => Err(Error::at(ErrorKind::LineBreakInEntry, at)),
        None => Ok(()),
    }
}
