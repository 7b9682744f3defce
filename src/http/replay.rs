//! Reads back what previous runs left in a spool, one entry at a time, so
//! a large spool takes no more memory than a batch: its segments in order
//! from the cursor, every complete line, a torn last line skipped.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::Result;

use super::segment::{Position, segment_path};

/// The entries of some segments, from a starting position.
pub(crate) struct Replay {
    dir: PathBuf,
    segments: VecDeque<u64>,
    start: Position,
    /// The segment being read, its reader and the offset read up to.
    current: Option<(u64, BufReader<File>, u64)>,
}

impl Replay {
    /// The entries of `segments` (in order) in `dir`, from `start`.
    pub(crate) fn new(dir: &Path, segments: Vec<u64>, start: Position) -> Replay {
        Replay { dir: dir.to_owned(), segments: segments.into(), start, current: None }
    }

    /// Reads the next entry into `entry` (cleared first) and returns where
    /// it ends, or `None` at the end. Blank lines are passed over; a line
    /// without its LF (a torn append) ends its segment.
    pub(crate) fn next_entry(&mut self, entry: &mut Vec<u8>) -> Result<Option<Position>> {
        loop {
            let Some((segment, reader, offset)) = self.current.as_mut() else {
                if !self.open_next()? {
                    return Ok(None);
                }
                continue;
            };
            entry.clear();
            let read = reader.read_until(b'\n', entry)?;
            if read == 0 || entry.last() != Some(&b'\n') {
                entry.clear();
                self.current = None;
                continue;
            }
            entry.pop();
            *offset = offset.saturating_add(read as u64);
            if !entry.is_empty() {
                return Ok(Some(Position { segment: *segment, offset: *offset }));
            }
        }
    }

    /// How many entries are left to read, reading through them.
    pub(crate) fn count(mut self) -> Result<u64> {
        let mut entry = Vec::new();
        let mut count: u64 = 0;
        while self.next_entry(&mut entry)?.is_some() {
            count = count.saturating_add(1);
        }
        Ok(count)
    }

    /// Opens the next segment that exists; false when none is left.
    fn open_next(&mut self) -> Result<bool> {
        while let Some(segment) = self.segments.pop_front() {
            let file = match File::open(segment_path(&self.dir, segment)) {
                Ok(file) => file,
                Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                Err(err) => return Err(err.into()),
            };
            let mut reader = BufReader::with_capacity(64 << 10, file);
            let offset = if segment == self.start.segment { self.start.offset } else { 0 };
            reader.seek(SeekFrom::Start(offset))?;
            self.current = Some((segment, reader, offset));
            return Ok(true);
        }
        Ok(false)
    }
}
