//! The files `cef receive` and `cef relay` append to: verified entries to
//! `--out`, rejected ones with their reason to `--rejected`. One thread owns
//! both; every request's lines are written together, in arrival order, and
//! fsynced before the request is answered. Requests that arrive while a
//! sync runs share the next one (group commit), so concurrent senders do
//! not each pay a disk flush.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use tokio::sync::{mpsc, oneshot};

/// Lines of one request: written together, acknowledged once synced.
struct Job {
    out: Vec<u8>,
    rejected: Vec<u8>,
    /// Entries in `out` and in `rejected`.
    counts: (usize, usize),
    /// Who waits for the sync; `None`: nobody (the writer reports a failure).
    done: Option<oneshot::Sender<io::Result<()>>>,
}

/// A handle on the writer thread.
#[derive(Clone)]
pub struct Journal {
    jobs: mpsc::Sender<Job>,
    tally: Arc<Tally>,
}

/// Requests waiting for the writer: beyond this, requests wait their turn
/// (backpressure) rather than pile up in memory.
const QUEUED_JOBS: usize = 64;

impl Journal {
    /// Opens (creating, appending) the files and starts the writer thread.
    /// `out` is `None` for the relay, whose verified entries go to the sender.
    pub fn open(out: Option<&Path>, rejected: &Path) -> io::Result<(Journal, thread::JoinHandle<()>)> {
        let open = |path: &Path| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|err| io::Error::new(err.kind(), format!("cannot open {}: {err}", path.display())))
        };
        let out = out.map(open).transpose()?;
        let rejected = open(rejected)?;
        let (jobs, queue) = mpsc::channel(QUEUED_JOBS);
        let tally = Arc::new(Tally::default());
        let counted = Arc::clone(&tally);
        let writer =
            thread::Builder::new().name("journal".into()).spawn(move || write_loop(out, rejected, queue, &counted))?;
        Ok((Journal { jobs, tally }, writer))
    }

    /// The counts of what was stored.
    pub fn tally(&self) -> Arc<Tally> {
        Arc::clone(&self.tally)
    }

    /// Appends `out` and `rejected` (whole lines, `counts` entries in each)
    /// and returns once both are on disk. An error means nothing may be
    /// acknowledged.
    pub async fn append(&self, out: Vec<u8>, rejected: Vec<u8>, counts: (usize, usize)) -> io::Result<()> {
        let (done, synced) = oneshot::channel();
        self.jobs
            .send(Job { out, rejected, counts, done: Some(done) })
            .await
            .map_err(|_| io::Error::other("the journal writer stopped"))?;
        synced.await.map_err(|_| io::Error::other("the journal writer stopped"))?
    }
}

impl Journal {
    /// Queues lines from a thread outside the runtime without waiting for
    /// their sync (syslog has no acknowledgement to hold back): the writer
    /// keeps the order and reports a failure itself. Waits only while the
    /// writer's queue is full.
    pub fn queue_blocking(&self, out: Vec<u8>, rejected: Vec<u8>, counts: (usize, usize)) -> io::Result<()> {
        self.jobs
            .blocking_send(Job { out, rejected, counts, done: None })
            .map_err(|_| io::Error::other("the journal writer stopped"))
    }
}

/// Takes every job waiting, writes them in order, syncs what was written,
/// then answers them all. Ends when every [`Journal`] handle is dropped.
fn write_loop(mut out: Option<File>, mut rejected: File, mut queue: mpsc::Receiver<Job>, tally: &Tally) {
    let mut batch = Vec::new();
    while let Some(first) = queue.blocking_recv() {
        batch.push(first);
        while let Ok(more) = queue.try_recv() {
            batch.push(more);
        }
        let result = write_batch(out.as_mut(), &mut rejected, &batch);
        if let Err(err) = &result {
            if batch.iter().any(|job| job.done.is_none()) {
                crate::io_util::report(format_args!("cannot store entries: {err}"));
            }
        }
        for job in batch.drain(..) {
            let answer = match &result {
                Ok(()) => {
                    tally.add(job.counts.0, job.counts.1);
                    Ok(())
                }
                Err(err) => Err(io::Error::new(err.kind(), err.to_string())),
            };
            // A request that went away no longer needs its answer.
            if let Some(done) = job.done {
                let _ = done.send(answer);
            }
        }
    }
}

fn write_batch(out: Option<&mut File>, rejected: &mut File, batch: &[Job]) -> io::Result<()> {
    let mut wrote_out = false;
    let mut wrote_rejected = false;
    for job in batch {
        if !job.out.is_empty() {
            let file = out.as_deref().ok_or_else(|| io::Error::other("verified entries with no --out file"))?;
            let mut file: &File = file;
            file.write_all(&job.out)?;
            wrote_out = true;
        }
        if !job.rejected.is_empty() {
            rejected.write_all(&job.rejected)?;
            wrote_rejected = true;
        }
    }
    if wrote_out {
        if let Some(file) = out {
            file.sync_data()?;
        }
    }
    if wrote_rejected {
        rejected.sync_data()?;
    }
    Ok(())
}

/// What the journal has stored (synced), for the summary: it counts a
/// request whose client left before its answer too.
#[derive(Default)]
pub struct Tally {
    pub requests: AtomicU64,
    pub verified: AtomicU64,
    pub rejected: AtomicU64,
}

impl Tally {
    pub fn add(&self, verified: usize, rejected: usize) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.verified.fetch_add(verified as u64, Ordering::Relaxed);
        self.rejected.fetch_add(rejected as u64, Ordering::Relaxed);
    }

    pub fn summary(&self) -> String {
        format!(
            "{} requests stored: {} entries verified, {} rejected",
            self.requests.load(Ordering::Relaxed),
            self.verified.load(Ordering::Relaxed),
            self.rejected.load(Ordering::Relaxed)
        )
    }
}
