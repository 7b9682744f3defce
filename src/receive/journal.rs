//! The files a receiver appends to: verified entries to `--out`, rejected
//! ones with their reason to `--rejected`. One thread owns both; every
//! request's records are written together, in the order submitted, and
//! synced before the request is told they are stored. Requests that arrive
//! while a sync runs share the next one (group commit), so concurrent
//! senders do not each pay a disk flush. A request whose records are on
//! their way (its body is being verified) can be [announced](Journal::announce):
//! while one is, the writer holds a group's sync for it a little (at most
//! [`GATHER_AT_MOST`]). A sync costs about what verifying ten entries does;
//! without announcements, a busy single core verified the next body while
//! the last one synced, and every request paid a flush of its own. A lone
//! sender's request is announced by nobody else, and never waits. While it
//! gathers, the writer sleeps instead of waiting on its queue: a waiting
//! thread is woken by every submission, and on a busy core each wake-up
//! took the core from the request being verified (two switches a request).
//! A submission wakes it only when nothing more is announced.
//!
//! Nothing is ever torn: the length of each file is known before a group's
//! lines are written, and when any write or sync fails (a full disk) both
//! files are cut back to it, so the sender's retry does not find half its
//! batch already there, and the next entry is never glued to a fragment.
//! Until the cut succeeds, nothing more is written. A file the journal
//! creates is 0600 and its directory is synced, so the new name survives a
//! crash; a last line left without its LF by a crash mid-write (never
//! acknowledged) is cut when the file is opened.
//!
//! Completeness (`--checkpoints`) is fed here, in the one place every path
//! passes once its records are durable: the verified entries of each group,
//! in order, right after its sync.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use super::dedup::{Covered, DedupIndex, DigestSet, identity_of};
use super::dedup_key::DedupKey;
use super::records::Records;
use crate::checkpoint::CompletenessChecker;

/// Told once a submission is stored, or why it is not.
pub type Done = Box<dyn FnOnce(Result<Stored, NotStored>) + Send>;

/// What became of a stored submission's verified entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stored {
    /// Entries not written because the deduplication index holds them
    /// (stored before, or earlier in the same group).
    pub duplicates: usize,
}

/// How a [`Journal`] runs beyond its files.
#[derive(Default)]
pub struct JournalOptions {
    /// Told how long each group's writes and syncs took.
    pub observe: Option<SyncObserver>,
    /// Verified entries whose signature this index holds are not written
    /// again; the others are added to it once synced.
    pub dedup: Option<DedupIndex>,
}

/// One request's records: written together, answered once synced.
struct Job {
    records: Records,
    done: Done,
}

/// What the writer is asked: to store a request's records, or to open its
/// files again by name (after logrotate renamed them).
enum Work {
    Store(Job),
    Reopen(Reopened),
}

/// Told once the files are open again by name, or why they are not (the
/// old ones are then kept).
pub type Reopened = Box<dyn FnOnce(io::Result<()>) + Send>;

/// Told how long each group's writes and syncs took (a histogram, say).
pub type SyncObserver = Box<dyn Fn(std::time::Duration) + Send>;

/// A handle on the writer thread; clones share it. The thread ends when
/// every handle is dropped, having written what was submitted.
///
/// ```
/// use audit_cef::receive::{Journal, Records};
/// let dir = std::env::temp_dir().join(format!("journal-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let (journal, writer) = Journal::open(Some(&dir.join("out.cef")), &dir.join("rejected.jsonl"), None)?;
/// let mut records = Records::default();
/// records.push_verified(b"an entry");
/// let (tell, told) = std::sync::mpsc::channel();
/// journal.submit(records, Box::new(move |stored| { let _ = tell.send(stored.is_ok()); })).unwrap();
/// assert!(told.recv().unwrap());
/// assert_eq!(std::fs::read(dir.join("out.cef"))?, b"an entry\n");
/// drop(journal);
/// writer.join().unwrap();
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct Journal {
    jobs: SyncSender<Work>,
    tally: Arc<Tally>,
    announced: Arc<AtomicUsize>,
    /// The writer thread, woken once the last announced submission is in.
    writer: thread::Thread,
}

/// A submission on its way to a [`Journal`] (see [`Journal::announce`]);
/// dropping it, submitted or not, withdraws the announcement.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("journal-announce-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let (journal, writer) = audit_cef::receive::Journal::open(None, &dir.join("r.jsonl"), None)?;
/// let announced = journal.announce();
/// // ... verify the request's body into records ...
/// drop(announced); // then submit them
/// # drop(journal); writer.join().unwrap(); std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "the announcement lasts until this is dropped"]
#[derive(Debug)]
pub struct Announced(Arc<AtomicUsize>);

impl Drop for Announced {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Release);
    }
}

/// The longest the writer holds a group's sync for announced submissions,
/// counted from when the group's first job arrived: what a request may
/// wait beyond its own sync.
pub const GATHER_AT_MOST: std::time::Duration = std::time::Duration::from_millis(4);

/// Why records were not stored.
#[derive(Debug)]
pub enum NotStored {
    /// The writer's queue is full (the disk is slower than the senders):
    /// nothing was kept; retry a little later (429).
    Busy,
    /// A write or sync failed, and both files were cut back (500).
    Failed(io::Error),
}

impl std::fmt::Display for NotStored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotStored::Busy => f.write_str("the journal's queue is full"),
            NotStored::Failed(err) => write!(f, "cannot store entries: {err}"),
        }
    }
}

/// Submissions waiting for the writer: beyond this, [`Journal::submit`]
/// says [`NotStored::Busy`] rather than pile them up in memory.
pub const QUEUED_SUBMISSIONS: usize = 64;

impl Journal {
    /// Opens (creating 0600, appending) the files and starts the writer
    /// thread. With `out` `None` (a relay, whose verified entries go on to
    /// a sender), verified entries are not written, only fed to
    /// `completeness`, which gets every group's verified entries in order
    /// once they are durable.
    ///
    /// # Errors
    ///
    /// A file that cannot be opened, read or repaired, or no thread.
    pub fn open(
        out: Option<&Path>,
        rejected: &Path,
        completeness: Option<Arc<Mutex<CompletenessChecker>>>,
    ) -> io::Result<(Journal, thread::JoinHandle<()>)> {
        Journal::open_with(out, rejected, completeness, JournalOptions::default())
    }

    /// [`Journal::open`] with [`JournalOptions`]: a sync observer, and a
    /// deduplication index (used only with an `out` file).
    ///
    /// # Errors
    ///
    /// As [`Journal::open`].
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("journal-options-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// use audit_cef::receive::{DedupIndex, Journal, JournalOptions};
    /// let dedup = DedupIndex::open(&dir.join("index"), audit_cef::chrono::Utc::now())?;
    /// let options = JournalOptions { observe: Some(Box::new(|_took| {})), dedup: Some(dedup) };
    /// let (journal, writer) = Journal::open_with(Some(&dir.join("out.cef")), &dir.join("r.jsonl"), None, options)?;
    /// # drop(journal); writer.join().unwrap(); std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn open_with(
        out: Option<&Path>,
        rejected: &Path,
        completeness: Option<Arc<Mutex<CompletenessChecker>>>,
        options: JournalOptions,
    ) -> io::Result<(Journal, thread::JoinHandle<()>)> {
        let paths = Paths { out: out.map(Path::to_path_buf), rejected: rejected.to_path_buf() };
        let out = out.map(Appended::open).transpose()?;
        let rejected = Appended::open(rejected)?;
        let (jobs, queue) = mpsc::sync_channel(QUEUED_SUBMISSIONS);
        let tally = Arc::new(Tally::default());
        let cut = out.as_ref().map_or(0, |out| out.cut_on_open).saturating_add(rejected.cut_on_open);
        tally.cut_on_open.store(cut, Ordering::Relaxed);
        let counted = Arc::clone(&tally);
        let announced = Arc::new(AtomicUsize::new(0));
        let expected = Arc::clone(&announced);
        let writer = thread::Builder::new().name("journal".into()).spawn(move || {
            let dedup = if out.is_some() { options.dedup } else { None };
            let files = Files { paths, out, rejected, dedup, covered_at: None };
            let observe = options.observe.unwrap_or_else(|| Box::new(|_| {}));
            let context = Context { tally: &counted, completeness: completeness.as_deref(), observe: &observe };
            write_loop(files, &queue, &expected, &context);
        })?;
        Ok((Journal { jobs, tally, announced, writer: writer.thread().clone() }, writer))
    }

    /// Says that a submission is on its way (a request's body is being
    /// verified), until the returned guard is dropped: drop it just before
    /// [`Journal::submit`], or when there will be nothing to submit. While
    /// any is held, the writer holds a group's sync for them, up to
    /// [`GATHER_AT_MOST`], so they share it.
    pub fn announce(&self) -> Announced {
        self.announced.fetch_add(1, Ordering::AcqRel);
        Announced(Arc::clone(&self.announced))
    }

    /// What was stored so far.
    pub fn tally(&self) -> Arc<Tally> {
        Arc::clone(&self.tally)
    }

    /// Queues `records` and returns at once; `done` is told when both files
    /// hold them, synced, or why they hold none of them.
    ///
    /// # Errors
    ///
    /// [`NotStored::Busy`] when the queue is full, [`NotStored::Failed`]
    /// when the writer has stopped; `done` is then not called.
    pub fn submit(&self, records: Records, done: Done) -> Result<(), NotStored> {
        self.jobs.try_send(Work::Store(Job { records, done })).map_err(|err| match err {
            TrySendError::Full(_) => NotStored::Busy,
            TrySendError::Disconnected(_) => stopped(),
        })?;
        self.wake_if_last();
        Ok(())
    }

    /// Ends the writer's gathering once no announced submission is still
    /// to come (an idle writer is woken by the queue itself).
    fn wake_if_last(&self) {
        if self.announced.load(Ordering::Acquire) == 0 {
            self.writer.unpark();
        }
    }

    /// As [`Journal::submit`], waiting while the queue is full (a source
    /// with no acknowledgement to hold back, such as syslog, slows down).
    ///
    /// # Errors
    ///
    /// [`NotStored::Failed`] when the writer has stopped.
    pub fn submit_blocking(&self, records: Records, done: Done) -> Result<(), NotStored> {
        self.jobs.send(Work::Store(Job { records, done })).map_err(|_| stopped())?;
        self.wake_if_last();
        Ok(())
    }

    /// Asks the writer to open both files again by name once what was
    /// submitted before is stored (logrotate's rename, then SIGHUP): the
    /// renamed files keep what they hold, new ones (0600) take what
    /// follows. `done` is told the outcome; on failure the old files stay
    /// in use. Waits while the queue is full.
    ///
    /// # Errors
    ///
    /// [`NotStored::Failed`] when the writer has stopped; `done` is then
    /// not called.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("journal-reopen-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// let (journal, writer) = audit_cef::receive::Journal::open(None, &dir.join("r.jsonl"), None)?;
    /// std::fs::rename(dir.join("r.jsonl"), dir.join("r.jsonl.1"))?;
    /// let (tell, told) = std::sync::mpsc::channel();
    /// journal.reopen(Box::new(move |opened| { let _ = tell.send(opened.is_ok()); })).unwrap();
    /// assert!(told.recv().unwrap() && dir.join("r.jsonl").exists());
    /// # drop(journal); writer.join().unwrap(); std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn reopen(&self, done: Reopened) -> Result<(), NotStored> {
        self.jobs.send(Work::Reopen(done)).map_err(|_| stopped())
    }
}

fn stopped() -> NotStored {
    NotStored::Failed(io::Error::other("the journal writer stopped"))
}

/// The files the writer owns, and the names to open them by again.
struct Files {
    paths: Paths,
    out: Option<Appended<OsFile>>,
    rejected: Appended<OsFile>,
    dedup: Option<DedupIndex>,
    /// When the index last noted how far into `out` it reaches.
    covered_at: Option<std::time::Instant>,
}

struct Paths {
    out: Option<PathBuf>,
    rejected: PathBuf,
}

impl Files {
    /// Opens both files again by name; on any failure keeps the old ones.
    fn reopen(&mut self) -> io::Result<()> {
        let out = self.paths.out.as_deref().map(Appended::open).transpose()?;
        let rejected = Appended::open(&self.paths.rejected)?;
        self.out = out;
        self.rejected = rejected;
        Ok(())
    }
}

/// Takes every job waiting (up to a reopen; while submissions are
/// announced, also those that arrive within [`GATHER_AT_MOST`] of the
/// first), writes them in order, syncs
/// what was written, feeds completeness, then answers them all; then does
/// the reopen, if one was asked. Ends when every [`Journal`] handle is
/// dropped.
fn write_loop(mut files: Files, queue: &Receiver<Work>, announced: &AtomicUsize, context: &Context<'_>) {
    let mut batch = Vec::new();
    while let Ok(first) = queue.recv() {
        let gathering_since = std::time::Instant::now();
        let mut reopen = None;
        match first {
            Work::Store(job) => batch.push(job),
            Work::Reopen(done) => reopen = Some(done),
        }
        while reopen.is_none() {
            let next = match queue.try_recv() {
                Ok(work) => Some(work),
                // More is on its way: wait for it, a little, to share the
                // sync; asleep, not on the queue (see the module's doc). A
                // wake-up early or for nothing only looks again.
                Err(TryRecvError::Empty) if announced.load(Ordering::Acquire) > 0 => {
                    match GATHER_AT_MOST.checked_sub(gathering_since.elapsed()) {
                        Some(left) => {
                            thread::park_timeout(left);
                            continue;
                        }
                        None => None,
                    }
                }
                Err(_) => None,
            };
            match next {
                Some(Work::Store(job)) => batch.push(job),
                Some(Work::Reopen(done)) => reopen = Some(done),
                None => break,
            }
        }
        if !batch.is_empty() {
            write_batch(&mut files, &mut batch, context);
        }
        if let Some(done) = reopen {
            done(files.reopen());
        }
    }
    // Every handle is gone: the index notes where it stands, for the next start.
    let covered = files.out.as_ref().and_then(Appended::covered);
    if let Some(index) = &mut files.dedup {
        let _ = index.flush(covered);
    }
}

/// What the writer reports to, besides each job's answer.
struct Context<'a> {
    tally: &'a Tally,
    completeness: Option<&'a Mutex<CompletenessChecker>>,
    observe: &'a SyncObserver,
}

/// Writes a batch of jobs as one group (duplicates left out with a
/// deduplication index), feeds completeness, indexes what was written and
/// answers each job.
fn write_batch(files: &mut Files, batch: &mut Vec<Job>, context: &Context<'_>) {
    let Context { tally, completeness, observe } = *context;
    let started = std::time::Instant::now();
    let fresh = files.dedup.as_mut().map(|index| Fresh::sort_out(index, batch));
    let outs: Vec<&[u8]> = match &fresh {
        Some(Ok(fresh)) => fresh
            .outs
            .iter()
            .zip(batch.iter())
            .map(|(filtered, job)| filtered.as_deref().unwrap_or(job.records.out()))
            .collect(),
        _ => batch.iter().map(|job| job.records.out()).collect(),
    };
    let result = match &fresh {
        // An index that cannot be read stores nothing: answered 500 (retried).
        Some(Err(err)) => Err(io::Error::new(err.kind(), format!("the deduplication index: {err}"))),
        _ => write_group(
            files.out.as_mut(),
            &mut files.rejected,
            outs.iter().copied().zip(batch.iter().map(|job| job.records.rejected())),
        ),
    };
    observe(started.elapsed());
    tally.failing.store(result.is_err(), Ordering::Relaxed);
    if let (Ok(()), Some(Ok(fresh)), Some(index)) = (&result, &fresh, files.dedup.as_mut()) {
        // After the sync: an entry is in the index only once it is stored.
        // A failure here loses no entry: the index catches up from --out
        // at the next start.
        // How far into --out it reaches is noted once a second (a crash
        // reads a little more of --out at the next start).
        let now = std::time::Instant::now();
        let note = files.covered_at.is_none_or(|at| now.duration_since(at) >= std::time::Duration::from_secs(1));
        let covered = if note {
            files.covered_at = Some(now);
            files.out.as_ref().and_then(Appended::covered)
        } else {
            None
        };
        let indexed = fresh.keys.iter().try_for_each(|key| index.insert_new(key));
        if indexed.and_then(|()| index.flush(covered)).is_err() {
            tally.index_failures.fetch_add(1, Ordering::Relaxed);
        }
    }
    if let (Ok(()), Some(completeness)) = (&result, completeness) {
        // A poisoned lock still holds a usable checker; a duplicate counts
        // once, as its sender sent it.
        let mut checker = completeness.lock().unwrap_or_else(PoisonError::into_inner);
        for out in &outs {
            for entry in out.split(|&byte| byte == b'\n').filter(|line| !line.is_empty()) {
                checker.add(entry);
            }
        }
    }
    for (number, job) in batch.drain(..).enumerate() {
        let answer = match &result {
            Ok(()) => {
                let (verified, refused) = job.records.counts();
                let duplicates = match &fresh {
                    Some(Ok(fresh)) => fresh.duplicates.get(number).copied().unwrap_or(0),
                    _ => 0,
                }
                .saturating_add(job.records.duplicates());
                tally.add(verified, refused, duplicates);
                Ok(Stored { duplicates })
            }
            Err(err) => Err(NotStored::Failed(io::Error::new(err.kind(), err.to_string()))),
        };
        (job.done)(answer);
    }
}

/// A group's verified entries sorted against the deduplication index:
/// each job's lines to write (the duplicates left out), how many each
/// left out, and the keys of what is written (to index once synced).
struct Fresh {
    /// Per job: its lines without the duplicates, when it had any.
    outs: Vec<Option<Vec<u8>>>,
    duplicates: Vec<usize>,
    keys: Vec<DedupKey>,
}

impl Fresh {
    fn sort_out(index: &mut DedupIndex, batch: &[Job]) -> io::Result<Fresh> {
        let now = chrono::Utc::now();
        let mut fresh = Fresh { outs: Vec::with_capacity(batch.len()), duplicates: Vec::new(), keys: Vec::new() };
        let mut group: DigestSet<DedupKey> = DigestSet::default();
        for job in batch {
            let mut seen = Vec::new();
            for (number, entry) in job.records.verified().enumerate() {
                let Some(key) = DedupKey::of(entry, now) else { continue };
                if group.contains(&key) || index.contains(&key)? {
                    seen.push(number);
                } else {
                    group.insert(key);
                    fresh.keys.push(key);
                }
            }
            // The lines are copied only for a job that had duplicates.
            let out = (!seen.is_empty()).then(|| {
                let mut out = Vec::with_capacity(job.records.out().len());
                for (number, entry) in job.records.verified().enumerate() {
                    if seen.binary_search(&number).is_err() {
                        out.extend_from_slice(entry);
                        out.push(b'\n');
                    }
                }
                out
            });
            fresh.outs.push(out);
            fresh.duplicates.push(seen.len());
        }
        Ok(fresh)
    }
}

/// Writes a group of requests' lines (`out`, `rejected` each) and syncs
/// the files written to; on any failure cuts both back to where they were.
fn write_group<'j, F: Sink>(
    mut out: Option<&mut Appended<F>>,
    rejected: &mut Appended<F>,
    group: impl Iterator<Item = (&'j [u8], &'j [u8])> + Clone,
) -> io::Result<()> {
    // A failed cut is retried first: nothing is written on top of a fragment.
    if let Some(out) = out.as_deref_mut() {
        out.restore()?;
    }
    rejected.restore()?;
    let written = (|| {
        // Without --out (a relay), verified entries went on to a sender.
        if let Some(file) = out.as_deref_mut() {
            for (lines, _) in group.clone().filter(|(lines, _)| !lines.is_empty()) {
                file.write(lines)?;
            }
        }
        for (_, lines) in group.clone().filter(|(_, lines)| !lines.is_empty()) {
            rejected.write(lines)?;
        }
        if let Some(out) = out.as_deref_mut() {
            out.sync()?;
        }
        rejected.sync()
    })();
    match written {
        Ok(()) => {
            if let Some(out) = out {
                out.commit();
            }
            rejected.commit();
            Ok(())
        }
        Err(err) => {
            // Best effort now; what fails stays marked and is retried first.
            if let Some(out) = out {
                let _ = out.restore();
            }
            let _ = rejected.restore();
            Err(err)
        }
    }
}

/// What the journal needs of a file: appending, syncing its data, and
/// cutting it back. [`OsFile`] is the real one; tests make writes fail.
trait Sink {
    /// Appends all of `bytes` at the end (or fails, having written part).
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Makes what was appended durable.
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts the file to `len` bytes, durably.
    fn cut(&mut self, len: u64) -> io::Result<()>;
}

/// A file opened for appending.
struct OsFile(File);

impl OsFile {
    /// Opens `path` for appending, creating it 0600 (and syncing its
    /// directory) when it is new; returns the file and its length.
    fn open(path: &Path) -> io::Result<(OsFile, u64)> {
        let context = |err: io::Error| io::Error::new(err.kind(), format!("cannot open {}: {err}", path.display()));
        let mut options = OpenOptions::new();
        options.read(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = match options.open(path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                let file = options.create_new(true).open(path).map_err(context)?;
                sync_parent(path).map_err(context)?;
                file
            }
            Err(err) => return Err(context(err)),
        };
        let len = file.metadata().map_err(context)?.len();
        Ok((OsFile(file), len))
    }
}

impl Sink for OsFile {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }

    fn cut(&mut self, len: u64) -> io::Result<()> {
        self.0.set_len(len)?;
        self.0.sync_all()
    }
}

/// Syncs the directory holding `path`, so a file just created there is
/// found after a crash.
fn sync_parent(path: &Path) -> io::Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    File::open(parent)?.sync_all()
}

/// A file appended to in whole lines, with the length it had after the
/// last group that was synced.
struct Appended<F> {
    file: F,
    /// Bytes in the file that are whole, synced lines.
    synced: u64,
    /// Bytes written since, not yet synced.
    pending: u64,
    /// A write failed and the cut back to `synced` has not succeeded yet.
    torn: bool,
    /// Bytes of a torn last line cut when the file was opened.
    cut_on_open: u64,
}

impl Appended<OsFile> {
    /// Opens `path`; a last line without its LF (a write cut short by a
    /// crash, so never acknowledged) is cut off and reported.
    fn open(path: &Path) -> io::Result<Appended<OsFile>> {
        let (mut file, len) = OsFile::open(path)?;
        let whole = whole_lines_len(&mut file.0, len)
            .map_err(|err| io::Error::new(err.kind(), format!("cannot read {}: {err}", path.display())))?;
        if whole < len {
            file.cut(whole)
                .map_err(|err| io::Error::new(err.kind(), format!("cannot repair {}: {err}", path.display())))?;
        }
        Ok(Appended { file, synced: whole, pending: 0, torn: false, cut_on_open: len - whole })
    }
}

impl<F: Sink> Appended<F> {
    /// A file of `len` bytes of whole lines.
    #[cfg(test)]
    fn new(file: F, len: u64) -> Appended<F> {
        Appended { file, synced: len, pending: 0, torn: false, cut_on_open: 0 }
    }

    fn write(&mut self, lines: &[u8]) -> io::Result<()> {
        // Marked before writing: a failure may leave part of it behind.
        self.torn = true;
        self.file.append(lines)?;
        self.pending = self.pending.saturating_add(lines.len() as u64);
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        if self.torn { self.file.sync() } else { Ok(()) }
    }

    /// The group is on disk: its bytes join the synced ones.
    fn commit(&mut self) {
        self.synced = self.synced.saturating_add(self.pending);
        self.pending = 0;
        self.torn = false;
    }

    /// Cuts the file back to its synced lines if a write may have left
    /// more; until that succeeds, it stays marked.
    fn restore(&mut self) -> io::Result<()> {
        if self.torn {
            self.file.cut(self.synced)?;
            self.pending = 0;
            self.torn = false;
        }
        Ok(())
    }

    /// The file, for tests.
    #[cfg(test)]
    fn inner(&self) -> &F {
        &self.file
    }
}

impl Appended<OsFile> {
    /// The file's identity and synced length: how far an index of it reaches.
    fn covered(&self) -> Option<Covered> {
        let file = identity_of(&self.file.0).ok()?;
        Some(Covered { file, len: self.synced })
    }
}

/// The length of `file`'s whole lines: up to and including its last LF.
fn whole_lines_len(file: &mut File, len: u64) -> io::Result<u64> {
    const CHUNK: u64 = 64 << 10;
    let mut end = len;
    let mut buf = vec![0u8; CHUNK as usize];
    while end > 0 {
        let start = end.saturating_sub(CHUNK);
        let chunk = buf.get_mut(..(end - start) as usize).unwrap_or_default();
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(at) = memchr::memrchr(b'\n', chunk) {
            return Ok(start + at as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

/// What the journal has stored (synced): it counts a request whose client
/// left before its answer too.
#[derive(Debug, Default)]
pub struct Tally {
    /// Submissions stored.
    pub requests: AtomicU64,
    /// Verified entries stored.
    pub verified: AtomicU64,
    /// Rejected entries stored.
    pub rejected: AtomicU64,
    /// Bytes of torn last lines (a crash mid-write, never acknowledged)
    /// cut when the files were opened.
    pub cut_on_open: AtomicU64,
    /// Whether the last group failed to be written or synced (the outputs
    /// are not writable now: a full disk, say).
    pub failing: AtomicBool,
    /// Verified entries left out as duplicates (with a deduplication index).
    pub duplicates: AtomicU64,
    /// Groups stored but not indexed (the index's disk failed; it catches
    /// up from `--out` at the next start).
    pub index_failures: AtomicU64,
}

impl Tally {
    fn add(&self, verified: usize, rejected: usize, duplicates: usize) {
        self.duplicates.fetch_add(duplicates as u64, Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.verified.fetch_add(verified as u64, Ordering::Relaxed);
        self.rejected.fetch_add(rejected as u64, Ordering::Relaxed);
    }

    /// One line for a summary: requests, verified and rejected entries.
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::Tally::default().summary(), "0 requests stored: 0 entries verified, 0 rejected");
    /// ```
    pub fn summary(&self) -> String {
        let mut summary = format!(
            "{} requests stored: {} entries verified, {} rejected",
            self.requests.load(Ordering::Relaxed),
            self.verified.load(Ordering::Relaxed),
            self.rejected.load(Ordering::Relaxed)
        );
        let duplicates = self.duplicates.load(Ordering::Relaxed);
        if duplicates > 0 {
            summary.push_str(&format!(" ({duplicates} verified entries were duplicates, not written again)"));
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file in memory that holds at most `room` bytes (a full disk: the
    /// write that passes it keeps what fit, as write(2) does) and can be
    /// told to fail its syncs and cuts.
    #[derive(Default)]
    struct Disk {
        bytes: Vec<u8>,
        room: usize,
        fail_sync: bool,
        fail_cut: bool,
    }

    impl Sink for Disk {
        fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
            let fits = self.room.saturating_sub(self.bytes.len()).min(bytes.len());
            self.bytes.extend_from_slice(&bytes[..fits]);
            if fits < bytes.len() { Err(io::Error::from(io::ErrorKind::StorageFull)) } else { Ok(()) }
        }
        fn sync(&mut self) -> io::Result<()> {
            if self.fail_sync { Err(io::Error::other("sync failed")) } else { Ok(()) }
        }
        fn cut(&mut self, len: u64) -> io::Result<()> {
            if self.fail_cut {
                return Err(io::Error::other("cut failed"));
            }
            self.bytes.truncate(len as usize);
            Ok(())
        }
    }

    fn disk(room: usize) -> Appended<Disk> {
        Appended::new(Disk { room, ..Disk::default() }, 0)
    }

    fn group<'a>(jobs: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + Clone {
        jobs.iter().map(|(out, rejected)| (out.as_bytes(), rejected.as_bytes()))
    }

    #[test]
    fn a_write_that_fills_the_disk_is_cut_back_in_both_files() {
        let (mut out, mut rejected) = (disk(24), disk(1000));
        write_group(Some(&mut out), &mut rejected, group(&[("one\ntwo\n", "r1\n")])).unwrap();
        // The second group's out fits only partly; its rejected line was never reached.
        let err = write_group(Some(&mut out), &mut rejected, group(&[("three\n", ""), ("four\nfive\nsix\n", "r2\n")]))
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert_eq!(out.inner().bytes, b"one\ntwo\n", "the fragment is cut");
        assert_eq!(rejected.inner().bytes, b"r1\n");
        // Space freed: the retried group lands whole, glued to nothing.
        out.file.room = 1000;
        write_group(Some(&mut out), &mut rejected, group(&[("three\n", ""), ("four\nfive\nsix\n", "r2\n")])).unwrap();
        assert_eq!(out.inner().bytes, b"one\ntwo\nthree\nfour\nfive\nsix\n");
        assert_eq!(rejected.inner().bytes, b"r1\nr2\n");
    }

    #[test]
    fn a_failed_sync_cuts_back_what_was_written() {
        let (mut out, mut rejected) = (disk(1000), disk(1000));
        write_group(Some(&mut out), &mut rejected, group(&[("a\n", "")])).unwrap();
        rejected.file.fail_sync = true;
        assert!(write_group(Some(&mut out), &mut rejected, group(&[("b\n", "rb\n")])).is_err());
        assert_eq!((out.inner().bytes.as_slice(), rejected.inner().bytes.as_slice()), (&b"a\n"[..], &b""[..]));
    }

    #[test]
    fn nothing_is_written_until_a_failed_cut_succeeds() {
        let (mut out, mut rejected) = (disk(6), disk(1000));
        write_group(Some(&mut out), &mut rejected, group(&[("a\n", "")])).unwrap();
        out.file.fail_cut = true;
        assert!(write_group(Some(&mut out), &mut rejected, group(&[("bbbbbb\n", "")])).is_err());
        assert_eq!(out.inner().bytes, b"a\nbbbb", "the cut failed: the fragment is still there");
        // The disk has room again but cuts still fail: nothing is written on the fragment.
        out.file.room = 1000;
        assert!(write_group(Some(&mut out), &mut rejected, group(&[("c\n", "rc\n")])).is_err());
        assert_eq!(out.inner().bytes, b"a\nbbbb");
        assert_eq!(rejected.inner().bytes, b"");
        // Once the cut works, the fragment goes first, then the group lands.
        out.file.fail_cut = false;
        write_group(Some(&mut out), &mut rejected, group(&[("c\n", "rc\n")])).unwrap();
        assert_eq!(out.inner().bytes, b"a\nc\n");
        assert_eq!(rejected.inner().bytes, b"rc\n");
    }

    #[test]
    fn files_are_created_0600_and_a_torn_last_line_is_cut_on_open() {
        let dir = std::env::temp_dir().join(format!("cef-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.cef");
        let _ = std::fs::remove_file(&path);
        let (file, len) = OsFile::open(&path).unwrap();
        assert_eq!(len, 0);
        drop(file);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // A crash mid-write left "thr" after two whole lines.
        std::fs::write(&path, b"one\ntwo\nthr").unwrap();
        let mut appended = Appended::open(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one\ntwo\n");
        appended.write(b"three\n").unwrap();
        appended.sync().unwrap();
        appended.commit();
        assert_eq!(std::fs::read(&path).unwrap(), b"one\ntwo\nthree\n");
        // A file with no line feed at all is a torn first line: cut to empty.
        std::fs::write(&path, vec![b'x'; 100_000]).unwrap();
        drop(Appended::open(&path).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_announced_submission_holds_the_sync_for_the_others() {
        use std::time::{Duration, Instant};
        let dir = std::env::temp_dir().join(format!("cef-journal-announce-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let groups = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&groups);
        let observe: SyncObserver = Box::new(move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
        });
        let options = JournalOptions { observe: Some(observe), dedup: None };
        let (journal, writer) =
            Journal::open_with(Some(&dir.join("out")), &dir.join("rejected"), None, options).unwrap();
        let (tell, told) = mpsc::channel();
        let store = |line: &[u8]| {
            let mut records = Records::default();
            records.push_verified(line);
            let tell = tell.clone();
            let done: Done = Box::new(move |stored| tell.send((stored.is_ok(), Instant::now())).unwrap());
            journal.submit(records, done).unwrap();
        };
        // Another request is on its way: the first is not synced before
        // GATHER_AT_MOST has passed, waiting for it.
        let announced = journal.announce();
        let submitted = Instant::now();
        store(b"first");
        let (stored, at) = told.recv_timeout(Duration::from_secs(30)).unwrap();
        assert!(stored && at.duration_since(submitted) >= GATHER_AT_MOST, "{:?}", at.duration_since(submitted));
        assert_eq!(groups.load(Ordering::SeqCst), 1);
        // The announced one arrives while the next waits: one sync for both
        // (unless this thread stalled past GATHER_AT_MOST in between).
        store(b"second");
        std::thread::sleep(Duration::from_millis(1));
        let second_waited = told.try_recv().is_err();
        drop(announced);
        store(b"third");
        for _ in 0..(if second_waited { 2 } else { 1 }) {
            assert!(told.recv_timeout(Duration::from_secs(30)).unwrap().0);
        }
        if second_waited {
            assert_eq!(groups.load(Ordering::SeqCst), 2, "second and third share a sync");
        }
        // Nothing announced: a lone request goes at once, and is stored.
        store(b"fourth");
        assert!(told.recv_timeout(Duration::from_secs(30)).unwrap().0);
        drop(journal);
        writer.join().unwrap();
        assert_eq!(std::fs::read(dir.join("out")).unwrap(), b"first\nsecond\nthird\nfourth\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
