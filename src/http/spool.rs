//! The spool: a directory where accepted entries wait, durably, until the
//! collector acknowledges them.
//!
//! - `<20 digits>.log`: segments, append-only, one entry and LF a line.
//!   Each run appends to segments numbered after every existing one, so a
//!   torn line (the process killed mid-append) can only end a segment.
//! - `cursor`: `<segment> <offset>` of the first entry not yet settled,
//!   replaced atomically (written to `cursor.tmp`, synced, renamed, the
//!   directory synced). Segments before it are deleted.
//! - `undelivered`: entries given up on, synced before the cursor moves past
//!   them; the next start renames it into a segment, to be sent again.
//!
//! The caller (`send`) appends through [`Writer`]; the delivery thread
//! moves the cursor and keeps what it gives up on through [`Keeper`].

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

use super::replay::Replay;
use super::segment::{Position, segment_path};

const CURSOR: &str = "cursor";
const CURSOR_TMP: &str = "cursor.tmp";
const LOCK: &str = "lock";
const UNDELIVERED: &str = "undelivered";

/// A spool opened for a new run.
pub(crate) struct Opened {
    pub(crate) writer: Writer,
    pub(crate) keeper: Keeper,
    /// What the previous runs left, from the cursor on.
    pub(crate) replay: Replay,
    /// How many entries `replay` holds.
    pub(crate) pending: u64,
}

/// Opens (creating it if need be) the spool in `dir`: reads the cursor,
/// deletes segments already delivered, turns the last run's `undelivered`
/// into a segment to replay, and counts what is to be replayed.
pub(crate) fn open(dir: &Path, segment_bytes: u64) -> Result<Opened> {
    fs::create_dir_all(dir)?;
    let lock = lock(dir)?;
    let stored = read_cursor(dir)?;
    let mut segments = list_segments(dir)?;
    let cursor = stored.unwrap_or(Position { segment: segments.first().copied().unwrap_or(1), offset: 0 });
    for &old in segments.iter().filter(|&&segment| segment < cursor.segment) {
        remove_if_present(&segment_path(dir, old))?;
    }
    segments.retain(|&segment| segment >= cursor.segment);
    // After every segment; a cursor into a segment that is gone is past it.
    let mut next = match segments.last() {
        Some(&last) => last.saturating_add(1),
        None if cursor.offset == 0 => cursor.segment,
        None => cursor.segment.saturating_add(1),
    };
    let undelivered = dir.join(UNDELIVERED);
    if undelivered.exists() {
        fs::rename(&undelivered, segment_path(dir, next))?;
        segments.push(next);
        next = next.saturating_add(1);
    }
    sync_dir(dir)?;
    let pending = Replay::new(dir, segments.clone(), cursor).count()?;
    let replay = Replay::new(dir, segments, cursor);
    Ok(Opened {
        writer: Writer { dir: dir.to_owned(), next, file: None, len: 0, segment_bytes, _lock: lock },
        keeper: Keeper { dir: dir.to_owned(), cursor, live_start: next, undelivered: None, stuck: false },
        replay,
        pending,
    })
}

/// Takes the spool's lock (the file `lock` in it), so that a second
/// process on the same spool is refused instead of corrupting it; the
/// operating system lets it go when the process ends, however it ends.
fn lock(dir: &Path) -> Result<File> {
    let file = private(OpenOptions::new().write(true).create(true)).open(dir.join(LOCK))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(Error::from(std::io::Error::new(
            std::io::ErrorKind::WouldBlock,
            format!("the spool {} is in use by another process", dir.display()),
        ))),
        Err(fs::TryLockError::Error(err)) => Err(Error::from(err)),
    }
}

/// Options that create a file readable by its owner only (audit data).
fn private(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options
}

/// Appends accepted entries to the spool (used by `send`, under a lock
/// that keeps the spool's order the queue's order).
pub(crate) struct Writer {
    dir: PathBuf,
    /// The number of the next segment to start.
    next: u64,
    /// The segment being appended to, and its number.
    file: Option<(u64, File)>,
    len: u64,
    segment_bytes: u64,
    /// The spool's lock, held while this sender lives.
    _lock: File,
}

impl Writer {
    /// Appends `entries`, each with LF, and syncs them to disk before
    /// returning where each ends. A failed write is cut off again (best
    /// effort) and the next append starts a new segment, so a torn line
    /// can only end a segment.
    pub(crate) fn append(&mut self, entries: &[&[u8]]) -> Result<Vec<Position>> {
        if self.file.is_none() || self.len >= self.segment_bytes {
            self.start_segment()?;
        }
        let Some((segment, file)) = self.file.as_mut() else { return Err(Error::new(ErrorKind::InvalidSpool)) };
        let segment = *segment;
        let total = entries.iter().map(|entry| entry.len().saturating_add(1)).sum();
        let mut lines = Vec::with_capacity(total);
        let mut ends = Vec::with_capacity(entries.len());
        let mut offset = self.len;
        for entry in entries {
            lines.extend_from_slice(entry);
            lines.push(b'\n');
            offset = offset.saturating_add(entry.len() as u64).saturating_add(1);
            ends.push(Position { segment, offset });
        }
        match file.write_all(&lines).and_then(|()| file.sync_data()) {
            Ok(()) => {
                self.len = offset;
                Ok(ends)
            }
            Err(err) => {
                // Whether or not the cut works, nothing more goes after it.
                let _ = file.set_len(self.len);
                self.file = None;
                Err(err.into())
            }
        }
    }

    /// Creates the next segment and makes its name durable.
    fn start_segment(&mut self) -> Result<()> {
        let segment = self.next;
        let file = private(OpenOptions::new().append(true).create_new(true)).open(segment_path(&self.dir, segment))?;
        sync_dir(&self.dir)?;
        self.next = segment.saturating_add(1);
        self.file = Some((segment, file));
        self.len = 0;
        Ok(())
    }
}

/// Records what the delivery thread settled: moves the cursor past
/// delivered entries, keeps given-up ones in `undelivered` first.
pub(crate) struct Keeper {
    dir: PathBuf,
    cursor: Position,
    /// The first segment this run appends to.
    live_start: u64,
    undelivered: Option<File>,
    /// Given-up entries could not be kept: the cursor stays where it is, so
    /// the next start sends everything from there again (at least once).
    stuck: bool,
}

impl Keeper {
    /// Entries before `end` are settled: stores the cursor atomically, then
    /// deletes the segments wholly before it. A failure leaves the old
    /// cursor, so the entries are sent again after a restart.
    pub(crate) fn advance(&mut self, end: Position) -> Result<()> {
        if self.stuck || end <= self.cursor {
            return Ok(());
        }
        let tmp = self.dir.join(CURSOR_TMP);
        let mut file = private(OpenOptions::new().write(true).create(true).truncate(true)).open(&tmp)?;
        file.write_all(format!("{} {}\n", end.segment, end.offset).as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, self.dir.join(CURSOR))?;
        sync_dir(&self.dir)?;
        let from = self.cursor.segment;
        self.cursor = end;
        for segment in from..end.segment {
            remove_if_present(&segment_path(&self.dir, segment))?;
        }
        Ok(())
    }

    /// The replay is over: every segment of the previous runs is settled.
    /// A replay that could not read all it had to: the cursor stays where
    /// it is for the rest of the run, so no segment it did not replay is
    /// passed or deleted (they are sent again at the next start: some
    /// twice, none lost).
    pub(crate) fn freeze(&mut self) {
        self.stuck = true;
    }

    pub(crate) fn replay_done(&mut self) -> Result<()> {
        self.advance(Position { segment: self.live_start, offset: 0 })
    }

    /// Appends given-up entries to `undelivered` and syncs them, before the
    /// cursor may move past them. On failure the cursor is frozen for the
    /// rest of the run, so they stay in the spool.
    pub(crate) fn keep(&mut self, entries: &[Vec<u8>]) -> Result<()> {
        let result = self.append_undelivered(entries);
        if result.is_err() {
            self.stuck = true;
        }
        result
    }

    fn append_undelivered(&mut self, entries: &[Vec<u8>]) -> Result<()> {
        if self.undelivered.is_none() {
            let file = private(OpenOptions::new().append(true).create(true)).open(self.dir.join(UNDELIVERED))?;
            sync_dir(&self.dir)?;
            self.undelivered = Some(file);
        }
        let Some(file) = self.undelivered.as_mut() else { return Err(Error::new(ErrorKind::InvalidSpool)) };
        let mut lines = Vec::with_capacity(entries.iter().map(|entry| entry.len().saturating_add(1)).sum());
        for entry in entries {
            lines.extend_from_slice(entry);
            lines.push(b'\n');
        }
        let result = file.write_all(&lines).and_then(|()| file.sync_data());
        if result.is_err() {
            // A torn line must end the file: append nothing more to it.
            self.undelivered = None;
        }
        Ok(result?)
    }
}

/// The segment numbers in `dir`, in order; other files are left alone.
fn list_segments(dir: &Path) -> Result<Vec<u64>> {
    let mut segments = Vec::new();
    for item in fs::read_dir(dir)? {
        let name = item?.file_name();
        let Some(digits) = name.to_str().and_then(|name| name.strip_suffix(".log")) else { continue };
        if digits.len() == 20
            && digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(segment) = digits.parse()
        {
            segments.push(segment);
        }
    }
    segments.sort_unstable();
    Ok(segments)
}

/// The stored cursor, `None` when there is none yet.
fn read_cursor(dir: &Path) -> Result<Option<Position>> {
    let mut text = String::new();
    match File::open(dir.join(CURSOR)) {
        Ok(file) => file.take(64).read_to_string(&mut text).map_err(|_| Error::new(ErrorKind::InvalidSpool))?,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    let mut fields = text.split_ascii_whitespace().map(str::parse::<u64>);
    match (fields.next(), fields.next(), fields.next()) {
        (Some(Ok(segment)), Some(Ok(offset)), None) => Ok(Some(Position { segment, offset })),
        _ => Err(Error::new(ErrorKind::InvalidSpool)),
    }
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err.into()),
        _ => Ok(()),
    }
}

/// Makes renames, creations and deletions in `dir` durable (on Unix; other
/// systems cannot open a directory to sync it).
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("audit-cef-spool-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn replay_all(opened: &mut Opened) -> Vec<(Vec<u8>, Position)> {
        let mut found = Vec::new();
        let mut entry = Vec::new();
        while let Some(end) = opened.replay.next_entry(&mut entry).unwrap() {
            found.push((entry.clone(), end));
        }
        found
    }

    #[test]
    fn entries_survive_a_restart_until_the_cursor_passes_them() {
        let dir = temp_dir("restart");
        let mut opened = open(&dir, 1 << 20).unwrap();
        assert_eq!(opened.pending, 0);
        let ends = opened.writer.append(&[b"one", b"two", b"three"]).unwrap();
        assert_eq!(ends[1], Position { segment: 1, offset: 8 });
        opened.keeper.advance(ends[0]).unwrap();
        drop(opened);

        let mut opened = open(&dir, 1 << 20).unwrap();
        assert_eq!(opened.pending, 2);
        let found = replay_all(&mut opened);
        assert_eq!(found.iter().map(|(e, _)| e.as_slice()).collect::<Vec<_>>(), [b"two".as_slice(), b"three"]);
        opened.keeper.replay_done().unwrap();
        assert!(!segment_path(&dir, 1).exists(), "a settled segment is deleted");
        drop(opened);
        assert_eq!(open(&dir, 1 << 20).unwrap().pending, 0);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_torn_line_is_skipped_and_new_runs_start_new_segments() {
        let dir = temp_dir("torn");
        let mut opened = open(&dir, 1 << 20).unwrap();
        opened.writer.append(&[b"whole"]).unwrap();
        drop(opened);
        OpenOptions::new().append(true).open(segment_path(&dir, 1)).unwrap().write_all(b"tor").unwrap();
        let mut opened = open(&dir, 1 << 20).unwrap();
        assert_eq!(opened.pending, 1);
        let ends = opened.writer.append(&[b"next"]).unwrap();
        assert_eq!(ends[0].segment, 2, "never appended after a torn line");
        let found = replay_all(&mut opened);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, b"whole");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn given_up_entries_come_back_after_the_pending_ones() {
        let dir = temp_dir("undelivered");
        let mut opened = open(&dir, 4).unwrap();
        let ends = opened.writer.append(&[b"lost"]).unwrap();
        opened.writer.append(&[b"pending"]).unwrap();
        opened.keeper.keep(&[b"lost".to_vec()]).unwrap();
        opened.keeper.advance(ends[0]).unwrap();
        drop(opened);
        let mut opened = open(&dir, 4).unwrap();
        assert_eq!(opened.pending, 2);
        let found: Vec<Vec<u8>> = replay_all(&mut opened).into_iter().map(|(e, _)| e).collect();
        assert_eq!(found, [b"pending".to_vec(), b"lost".to_vec()]);
        assert!(!dir.join(UNDELIVERED).exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_broken_cursor_is_a_typed_error() {
        let dir = temp_dir("cursor");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(CURSOR), "12 x\n").unwrap();
        assert_eq!(open(&dir, 1).err().map(|e| e.kind()), Some(ErrorKind::InvalidSpool));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_frozen_keeper_moves_no_cursor_and_deletes_no_segment() {
        let dir = std::env::temp_dir().join(format!("spool-freeze-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let mut opened = open(&dir, 1 << 20).unwrap();
        opened.writer.append(&[b"one".as_slice()]).unwrap();
        let segment = segment_path(&dir, 1);
        assert!(segment.exists());
        opened.keeper.freeze();
        opened.keeper.advance(Position { segment: 2, offset: 0 }).unwrap();
        assert!(segment.exists(), "a frozen keeper deleted a segment");
        assert!(read_cursor(&dir).unwrap().is_none(), "a frozen keeper moved the cursor");
        drop(opened);
        fs::remove_dir_all(&dir).unwrap();
    }
}
