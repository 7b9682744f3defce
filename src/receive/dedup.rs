//! The index of the entries already stored, so that a retried batch or a
//! replayed time range is not written twice: each entry's [`DedupKey`]
//! (a 16-byte digest of its signature, and its event's day), kept per day
//! for [`RETAINED_DAYS`] days.
//!
//! Memory is bounded whatever the index holds on disk: each day is a few
//! immutable sorted runs of digests on disk (merged eight of a level into
//! one of the next), a sparse index of each (one digest in
//! [`SPARSE_EVERY`]), one blocked Bloom filter over the whole day (10 bits
//! an entry, 20 for the day still growing; about 1% false hits), and a
//! tail of at most [`TAIL_ENTRIES`] recent digests (a hash set, mirrored
//! in an append-only log). About 1.5 to 2.5 bytes an entry: 10 million
//! entries take some 20 MiB. A lookup checks one day (the entry's own):
//! its filter answers most new entries with one cache line, and a hit is
//! confirmed in the tail or by reading one block of a run, so the answer
//! is exact.
//!
//! The index is not the record: `--out` is. The index is written after the
//! entries are synced there, without syncs of its own, and notes how far
//! into `--out` it reaches; [`DedupIndex::catch_up`] reads the rest of
//! `--out` at start (all of it, if the index is gone).

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::dedup_key::{DIGEST_LEN, DedupKey, Digest, days_of};

/// Days kept, counting back from today: Konnect replays at most 7 days.
pub const RETAINED_DAYS: i64 = 9;

/// Digests a day keeps in memory before they are sealed into a sorted run.
pub const TAIL_ENTRIES: usize = 65_536;

/// One digest in this many of a run is kept in memory.
pub const SPARSE_EVERY: usize = 128;

/// Runs of one level merged into one of the next.
const MERGED_TOGETHER: usize = 8;

/// The lowest level holding [`MERGED_TOGETHER`] runs, if any.
fn full_level(runs: &[Run]) -> Option<u32> {
    let mut levels: Vec<u32> = runs.iter().map(Run::level).collect();
    levels.sort_unstable();
    levels
        .windows(MERGED_TOGETHER)
        .find(|window| window.first() == window.last())
        .and_then(|window| window.first().copied())
}

/// The index of stored entries, in a directory of its own.
///
/// ```
/// use audit_cef::receive::{DedupIndex, DedupKey};
/// let dir = std::env::temp_dir().join(format!("dedup-doc-{}", std::process::id()));
/// let now = audit_cef::chrono::Utc::now();
/// let mut index = DedupIndex::open(&dir, now)?;
/// let key = DedupKey { digest: [7; 16], day: now.timestamp() / 86_400 };
/// assert!(!index.contains(&key)?);
/// assert!(index.insert(&key)?);
/// assert!(index.contains(&key)? && !index.insert(&key)?);
/// index.flush(None)?;
/// drop(index);
/// assert!(DedupIndex::open(&dir, now)?.contains(&key)?, "it survives a restart");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct DedupIndex {
    dir: PathBuf,
    days: BTreeMap<i64, Day>,
    /// The newest day seen: days older than it by [`RETAINED_DAYS`] go.
    today: i64,
    next_run: u64,
    /// How far into `--out` the index reaches: its identity and length.
    covered: Option<Covered>,
}

/// Where the index stands in `--out`: the file (device and inode, so a
/// renamed one is told apart) and how many bytes of it are indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covered {
    /// The file's identity (device, inode).
    pub file: (u64, u64),
    /// Bytes of it indexed.
    pub len: u64,
}

#[derive(Debug)]
struct Day {
    tail: DigestSet<Digest>,
    log: Option<BufWriter<File>>,
    runs: Vec<Run>,
    /// One filter over the whole day (runs and tail): a lookup of a new
    /// entry touches one cache line, however many runs the day has.
    bloom: Bloom,
    /// Digests the filter is sized for; past it, it is built again, twice
    /// as large (each digest is so added a few times at most).
    capacity: usize,
    /// Digests in the day.
    count: usize,
}

#[derive(Debug)]
struct Run {
    path: PathBuf,
    file: File,
    count: usize,
    sparse: Vec<Digest>,
}

impl DedupIndex {
    /// Opens (creating, 0700) the index in `dir`: each day's runs are read
    /// once for their filters, each day's log into its tail; days older
    /// than [`RETAINED_DAYS`] before `now` are removed.
    ///
    /// # Errors
    ///
    /// A directory or file that cannot be created or read.
    pub fn open(dir: &Path, now: DateTime<Utc>) -> io::Result<DedupIndex> {
        create_private_dir(dir)?;
        let mut index = DedupIndex {
            dir: dir.to_path_buf(),
            days: BTreeMap::new(),
            today: days_of(now),
            next_run: 0,
            covered: None,
        };
        let mut names: Vec<String> =
            fs::read_dir(dir)?.filter_map(|entry| entry.ok()?.file_name().into_string().ok()).collect();
        names.sort();
        // Each day's files first, so that its filter is sized before it is filled.
        let mut files: BTreeMap<i64, (Vec<PathBuf>, Option<PathBuf>)> = BTreeMap::new();
        for name in names {
            let path = dir.join(&name);
            if let Some((day, run)) = name.strip_suffix(".run").and_then(|stem| stem.split_once('-')) {
                let (Ok(day), Ok(run)) = (day.parse::<i64>(), run.parse::<u64>()) else { continue };
                index.next_run = index.next_run.max(run.saturating_add(1));
                files.entry(day).or_default().0.push(path);
            } else if let Some(day) = name.strip_suffix(".log").and_then(|day| day.parse::<i64>().ok()) {
                files.entry(day).or_default().1 = Some(path);
            } else if name == "covered" {
                index.covered = read_covered(&path);
            }
        }
        for (day_number, (runs, log)) in files {
            let mut count = 0usize;
            for path in runs.iter().chain(&log) {
                count =
                    count.saturating_add(usize::try_from(fs::metadata(path)?.len() / DIGEST_LEN as u64).unwrap_or(0));
            }
            // Past days hardly grow; today's (and tomorrow's) get room.
            let capacity =
                if day_number >= index.today { count.saturating_mul(2) } else { count.saturating_add(count / 8) };
            let day = index.new_day(day_number, capacity);
            for path in runs {
                let run = Run::open(path, &mut day.bloom)?;
                day.count = day.count.saturating_add(run.count);
                day.runs.push(run);
            }
            if let Some(path) = log {
                for digest in read_digests(&path)? {
                    day.bloom.add(&digest);
                    day.tail.insert(digest);
                }
                day.count = day.count.saturating_add(day.tail.len());
            }
        }
        index.expire()?;
        Ok(index)
    }

    /// Whether `key` was inserted (and is still within the days kept).
    ///
    /// # Errors
    ///
    /// A run that cannot be read.
    pub fn contains(&mut self, key: &DedupKey) -> io::Result<bool> {
        if self.in_window(key.day) {
            return match self.days.get_mut(&key.day) {
                Some(day) => day.holds(&key.digest),
                None => Ok(false),
            };
        }
        // An entry dated outside the days kept (a backfill) was indexed
        // under the day it came: any day may hold it.
        for day in self.days.values_mut() {
            if day.holds(&key.digest)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether `day` is one of the days kept (or tomorrow: clocks differ).
    fn in_window(&self, day: i64) -> bool {
        day > self.today.saturating_sub(RETAINED_DAYS) && day <= self.today.saturating_add(1)
    }

    /// Adds `key`; `false` when it was there already. A key whose day is
    /// outside the days kept is not indexed (and `true` is returned: it is
    /// new as far as the index can tell).
    ///
    /// # Errors
    ///
    /// A log or run that cannot be written.
    pub fn insert(&mut self, key: &DedupKey) -> io::Result<bool> {
        if self.contains(key)? {
            return Ok(false);
        }
        self.insert_new(key)?;
        Ok(true)
    }

    /// Adds `key`, which the caller has just found not to be there (the
    /// journal looks each entry up before it writes, and adds after the
    /// sync): one lookup instead of two.
    ///
    /// # Errors
    ///
    /// A log or run that cannot be written.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("dedup-new-{}", std::process::id()));
    /// let now = audit_cef::chrono::Utc::now();
    /// let mut index = audit_cef::receive::DedupIndex::open(&dir, now)?;
    /// let key = audit_cef::receive::DedupKey { digest: [9; 16], day: now.timestamp() / 86_400 };
    /// if !index.contains(&key)? {
    ///     index.insert_new(&key)?;
    /// }
    /// assert!(index.contains(&key)?);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn insert_new(&mut self, key: &DedupKey) -> io::Result<()> {
        // Dated outside the days kept: kept under today, for as long.
        let day_number = if self.in_window(key.day) { key.day } else { self.today };
        if day_number > self.today {
            self.today = day_number;
            self.expire()?;
        }
        let dir = self.dir.clone();
        let day = self.day_mut(day_number);
        if day.log.is_none() {
            let path = dir.join(format!("{day_number}.log"));
            day.log = Some(BufWriter::new(open_private(&path, true)?));
        }
        if let Some(log) = &mut day.log {
            log.write_all(&key.digest)?;
        }
        day.tail.insert(key.digest);
        day.count = day.count.saturating_add(1);
        if day.count > day.capacity {
            day.grow()?;
        } else {
            day.bloom.add(&key.digest);
        }
        if day.tail.len() >= TAIL_ENTRIES {
            self.seal(day_number)?;
        }
        Ok(())
    }

    /// Writes what is buffered (no sync: `--out` is the record) and, when
    /// given, how far into `--out` the index now reaches.
    ///
    /// # Errors
    ///
    /// A file that cannot be written.
    pub fn flush(&mut self, covered: Option<Covered>) -> io::Result<()> {
        for day in self.days.values_mut() {
            if let Some(log) = &mut day.log {
                log.flush()?;
            }
        }
        if let Some(covered) = covered {
            let path = self.dir.join("covered");
            let temporary = self.dir.join("covered.tmp");
            let (device, inode) = covered.file;
            open_private(&temporary, false)?.write_all(format!("{device} {inode} {}\n", covered.len).as_bytes())?;
            fs::rename(&temporary, &path)?;
            self.covered = Some(covered);
        }
        Ok(())
    }

    /// How far into `--out` the index reached when last flushed.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("dedup-covered-{}", std::process::id()));
    /// let index = audit_cef::receive::DedupIndex::open(&dir, audit_cef::chrono::Utc::now())?;
    /// assert!(index.covered().is_none());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn covered(&self) -> Option<Covered> {
        self.covered
    }

    /// Indexes what `--out` holds beyond [`DedupIndex::covered`] (all of
    /// it when the index is new, or `--out` is another file since: a
    /// logrotate), `now` standing for the day of entries that tell none;
    /// returns how many entries were read.
    ///
    /// # Errors
    ///
    /// `--out` or the index cannot be read or written.
    pub fn catch_up(&mut self, out: &Path, now: DateTime<Utc>) -> io::Result<u64> {
        let file = match File::open(out) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(err) => return Err(err),
        };
        let identity = file_identity(&file)?;
        let len = file.metadata()?.len();
        let start = match self.covered {
            Some(covered) if covered.file == identity && covered.len <= len => covered.len,
            _ => 0,
        };
        let mut reader = BufReader::with_capacity(1 << 16, file);
        reader.seek(SeekFrom::Start(start))?;
        let mut line = Vec::new();
        let mut read = 0u64;
        let mut at = start;
        loop {
            line.clear();
            let taken = reader.read_until(b'\n', &mut line)?;
            if taken == 0 || line.last() != Some(&b'\n') {
                break;
            }
            at = at.saturating_add(taken as u64);
            if let Some(key) = DedupKey::of(&line, now) {
                self.insert(&key)?;
                read = read.saturating_add(1);
            }
        }
        self.flush(Some(Covered { file: identity, len: at }))?;
        Ok(read)
    }

    fn day_mut(&mut self, day: i64) -> &mut Day {
        self.days.entry(day).or_insert_with(|| Day::new(0))
    }

    /// A new, empty day with a filter for `capacity` digests.
    fn new_day(&mut self, day: i64, capacity: usize) -> &mut Day {
        self.days.entry(day).or_insert_with(|| Day::new(capacity))
    }

    /// Writes a day's tail as a sorted run, then empties its log; then, as
    /// long as a level holds [`MERGED_TOGETHER`] runs, merges them into one
    /// run of the next level (a run of level L holds about
    /// `TAIL_ENTRIES * 8^L` digests). Each digest is so rewritten once a
    /// level, a few times in all, however large the day; merges stream
    /// (memory holds read buffers, not the day).
    fn seal(&mut self, day_number: i64) -> io::Result<()> {
        let dir = self.dir.clone();
        let mut next_run = self.next_run;
        let Some(day) = self.days.get_mut(&day_number) else { return Ok(()) };
        let mut tail: Vec<Digest> = day.tail.iter().copied().collect();
        tail.sort_unstable();
        let path = dir.join(format!("{day_number}-{next_run:012}.run"));
        next_run = next_run.saturating_add(1);
        let count = tail.len();
        day.runs.push(Run::write(path, count, tail.into_iter().map(Ok))?);
        day.tail.clear();
        if let Some(log) = day.log.take() {
            drop(log);
            fs::remove_file(dir.join(format!("{day_number}.log")))?;
        }
        while let Some(level) = full_level(&day.runs) {
            let (merging, kept): (Vec<Run>, Vec<Run>) = day.runs.drain(..).partition(|run| run.level() == level);
            day.runs = kept;
            let most = merging.iter().map(|run| run.count).sum();
            let sources = merging
                .iter()
                .map(|run| DigestReader::open(&run.path).map(|reader| Box::new(reader) as Box<dyn Iterator<Item = _>>))
                .collect::<io::Result<Vec<_>>>()?;
            let path = dir.join(format!("{day_number}-{next_run:012}.run"));
            next_run = next_run.saturating_add(1);
            day.runs.push(Run::write(path, most, Merged::new(sources)?)?);
            for old in merging {
                fs::remove_file(&old.path)?;
            }
        }
        self.next_run = next_run;
        Ok(())
    }

    /// Removes the days no longer kept, and their files.
    fn expire(&mut self) -> io::Result<()> {
        let oldest = self.today.saturating_sub(RETAINED_DAYS);
        let gone: Vec<i64> = self.days.range(..=oldest).map(|(day, _)| *day).collect();
        for day_number in gone {
            if let Some(day) = self.days.remove(&day_number) {
                for run in day.runs {
                    fs::remove_file(&run.path)?;
                }
                let log = self.dir.join(format!("{day_number}.log"));
                if log.exists() {
                    fs::remove_file(log)?;
                }
            }
        }
        Ok(())
    }
}

impl Day {
    fn new(capacity: usize) -> Day {
        let capacity = capacity.max(MIN_CAPACITY);
        Day { tail: DigestSet::default(), log: None, runs: Vec::new(), bloom: Bloom::new(capacity), capacity, count: 0 }
    }

    fn holds(&mut self, digest: &Digest) -> io::Result<bool> {
        if !self.bloom.may_hold(digest) {
            return Ok(false);
        }
        if self.tail.contains(digest) {
            return Ok(true);
        }
        for run in &mut self.runs {
            if run.holds(digest)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Builds the filter again for twice the digests the day holds, from
    /// its runs (streamed) and tail.
    fn grow(&mut self) -> io::Result<()> {
        self.capacity = self.count.saturating_mul(2).max(MIN_CAPACITY);
        let mut bloom = Bloom::new(self.capacity);
        for run in &self.runs {
            for digest in DigestReader::open(&run.path)? {
                bloom.add(&digest?);
            }
        }
        for digest in &self.tail {
            bloom.add(digest);
        }
        self.bloom = bloom;
        Ok(())
    }
}

/// The smallest filter a day starts with, in digests (80 KiB).
const MIN_CAPACITY: usize = 65_536;

impl Run {
    /// Reads a run once, streaming, for its sparse index, adding its
    /// digests to the day's `bloom`.
    fn open(path: PathBuf, bloom: &mut Bloom) -> io::Result<Run> {
        let count = usize::try_from(fs::metadata(&path)?.len() / DIGEST_LEN as u64).unwrap_or(usize::MAX);
        let mut sparse = Vec::with_capacity(count.div_ceil(SPARSE_EVERY));
        for (number, digest) in DigestReader::open(&path)?.enumerate() {
            let digest = digest?;
            bloom.add(&digest);
            if number % SPARSE_EVERY == 0 {
                sparse.push(digest);
            }
        }
        let file = File::open(&path)?;
        Ok(Run { path, file, count, sparse })
    }

    /// The run's level: 0 up to [`TAIL_ENTRIES`] digests, then one more
    /// each time it holds eight times as many.
    fn level(&self) -> u32 {
        let mut level = 0;
        let mut size = TAIL_ENTRIES;
        while self.count > size {
            size = size.saturating_mul(MERGED_TOGETHER);
            level += 1;
        }
        level
    }

    /// Writes a run of at most `most` sorted digests, building its sparse
    /// index on the way: a temporary file renamed whole. Not
    /// synced: a run a crash left short only misses digests (`--out`,
    /// the record, is caught up from), it never holds one it should not.
    fn write(path: PathBuf, most: usize, digests: impl Iterator<Item = io::Result<Digest>>) -> io::Result<Run> {
        let temporary = path.with_extension("tmp");
        let mut file = BufWriter::with_capacity(1 << 16, open_private(&temporary, false)?);
        let mut sparse = Vec::with_capacity(most.div_ceil(SPARSE_EVERY));
        let mut count = 0;
        for digest in digests {
            let digest = digest?;
            file.write_all(&digest)?;
            if count % SPARSE_EVERY == 0 {
                sparse.push(digest);
            }
            count += 1;
        }
        drop(file.into_inner().map_err(io::IntoInnerError::into_error)?);
        fs::rename(&temporary, &path)?;
        let file = File::open(&path)?;
        Ok(Run { path, file, count, sparse })
    }

    /// Whether the run holds `digest`: its block, found by the sparse
    /// index, read and searched.
    fn holds(&mut self, digest: &Digest) -> io::Result<bool> {
        let block = match self.sparse.binary_search(digest) {
            Ok(_) => return Ok(true),
            Err(0) => return Ok(false),
            Err(after) => after - 1,
        };
        let first = block.saturating_mul(SPARSE_EVERY);
        let count = SPARSE_EVERY.min(self.count.saturating_sub(first));
        let mut bytes = vec![0u8; count.saturating_mul(DIGEST_LEN)];
        self.file.seek(SeekFrom::Start((first as u64).saturating_mul(DIGEST_LEN as u64)))?;
        self.file.read_exact(&mut bytes)?;
        Ok(bytes.chunks_exact(DIGEST_LEN).any(|chunk| chunk == digest.as_slice()))
    }
}

/// The digests of a file, read through a buffer.
struct DigestReader {
    reader: BufReader<File>,
}

impl DigestReader {
    fn open(path: &Path) -> io::Result<DigestReader> {
        Ok(DigestReader { reader: BufReader::with_capacity(1 << 16, File::open(path)?) })
    }
}

impl Iterator for DigestReader {
    type Item = io::Result<Digest>;

    fn next(&mut self) -> Option<io::Result<Digest>> {
        let mut digest = [0u8; DIGEST_LEN];
        match self.reader.read_exact(&mut digest) {
            Ok(()) => Some(Ok(digest)),
            Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => None,
            Err(err) => Some(Err(err)),
        }
    }
}

/// Sorted sources merged into one sorted stream, each digest once.
struct Merged {
    sources: Vec<Box<dyn Iterator<Item = io::Result<Digest>>>>,
    heads: Vec<Option<Digest>>,
    last: Option<Digest>,
}

impl Merged {
    fn new(mut sources: Vec<Box<dyn Iterator<Item = io::Result<Digest>>>>) -> io::Result<Merged> {
        let heads = sources.iter_mut().map(|source| source.next().transpose()).collect::<io::Result<_>>()?;
        Ok(Merged { sources, heads, last: None })
    }
}

impl Iterator for Merged {
    type Item = io::Result<Digest>;

    fn next(&mut self) -> Option<io::Result<Digest>> {
        loop {
            let (at, smallest) = self
                .heads
                .iter()
                .enumerate()
                .filter_map(|(at, head)| head.map(|head| (at, head)))
                .min_by_key(|(_, head)| *head)?;
            let next = match self.sources.get_mut(at) {
                Some(source) => source.next().transpose(),
                None => Ok(None),
            };
            match next {
                Ok(next) => {
                    if let Some(head) = self.heads.get_mut(at) {
                        *head = next;
                    }
                }
                Err(err) => return Some(Err(err)),
            }
            if self.last != Some(smallest) {
                self.last = Some(smallest);
                return Some(Ok(smallest));
            }
        }
    }
}

/// A blocked Bloom filter over digests (already uniform: their bytes are
/// the hashes): each digest sets 7 bits within one 512-bit block, so an
/// insert or a lookup touches one cache line; 10 bits an entry, about 1%
/// false hits.
#[derive(Debug)]
struct Bloom {
    blocks: Vec<[u64; 8]>,
}

impl Bloom {
    fn new(entries: usize) -> Bloom {
        let bits = entries.saturating_mul(10).max(512);
        Bloom { blocks: vec![[0; 8]; bits.div_ceil(512)] }
    }

    /// The block (the first half mapped onto the blocks by a multiply, not
    /// a division) and the 7 bit positions in it (9 bits each of the
    /// second half).
    fn probes(&self, digest: &Digest) -> (usize, [u16; 7]) {
        let mut low = [0u8; 8];
        let mut high = [0u8; 8];
        low.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
        high.copy_from_slice(digest.get(8..16).unwrap_or(&[0; 8]));
        let (first, second) = (u64::from_le_bytes(low), u64::from_le_bytes(high));
        let block = ((u128::from(first) * self.blocks.len() as u128) >> 64) as usize;
        let mut bits = [0u16; 7];
        for (probe, bit) in bits.iter_mut().enumerate() {
            *bit = ((second >> (9 * probe)) & 511) as u16;
        }
        (block, bits)
    }

    fn add(&mut self, digest: &Digest) {
        let (block, bits) = self.probes(digest);
        if let Some(block) = self.blocks.get_mut(block) {
            for bit in bits {
                if let Some(word) = block.get_mut(usize::from(bit / 64)) {
                    *word |= 1u64 << (bit % 64);
                }
            }
        }
    }

    fn may_hold(&self, digest: &Digest) -> bool {
        let (block, bits) = self.probes(digest);
        self.blocks.get(block).is_some_and(|block| {
            bits.iter().all(|bit| block.get(usize::from(bit / 64)).is_some_and(|word| word & (1u64 << (bit % 64)) != 0))
        })
    }
}

/// Hashes a digest by its first 8 bytes: they are uniform already, and
/// SipHash over them would cost more than the lookup it serves.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct DigestHasher(u64);

impl std::hash::Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            for (to, from) in word.iter_mut().zip(chunk) {
                *to = *from;
            }
            self.0 = self.0.rotate_left(23) ^ u64::from_le_bytes(word);
        }
    }

    fn write_usize(&mut self, _length: usize) {
        // A slice's length prefix: every digest has the same.
    }

    fn write_i64(&mut self, value: i64) {
        self.0 ^= value as u64;
    }
}

/// A set of digests hashed by [`DigestHasher`].
pub(crate) type DigestSet<T> = HashSet<T, std::hash::BuildHasherDefault<DigestHasher>>;

/// Every whole digest of a file (a log's torn last one is left out).
fn read_digests(path: &Path) -> io::Result<Vec<Digest>> {
    let bytes = fs::read(path)?;
    Ok(bytes
        .chunks_exact(DIGEST_LEN)
        .map(|chunk| {
            let mut digest = [0u8; DIGEST_LEN];
            digest.copy_from_slice(chunk);
            digest
        })
        .collect())
}

fn read_covered(path: &Path) -> Option<Covered> {
    let text = fs::read_to_string(path).ok()?;
    let mut numbers = text.split_whitespace().map(|number| number.parse::<u64>().ok());
    let (device, inode, len) = (numbers.next()??, numbers.next()??, numbers.next()??);
    Some(Covered { file: (device, inode), len })
}

/// The (device, inode) of an open file.
fn file_identity(file: &File) -> io::Result<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let metadata = file.metadata()?;
        Ok((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok((0, 0))
    }
}

/// The identity of `--out` as the journal has it open.
pub(crate) fn identity_of(file: &File) -> io::Result<(u64, u64)> {
    file_identity(file)
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn open_private(path: &Path, append: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    if append {
        options.append(true).create(true);
    } else {
        options.write(true).create(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dedup-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn key(n: u64, day: i64) -> DedupKey {
        let mut digest = [0u8; DIGEST_LEN];
        let hash = <sha2::Sha512 as sha2::Digest>::digest(n.to_le_bytes());
        for (out, byte) in digest.iter_mut().zip(hash) {
            *out = byte;
        }
        DedupKey { digest, day }
    }

    #[test]
    fn sealed_and_merged_runs_still_answer_exactly() {
        let dir = scratch("runs");
        let now = DateTime::from_timestamp(100 * 86_400, 0).unwrap();
        let mut index = DedupIndex::open(&dir, now).unwrap();
        let count = TAIL_ENTRIES as u64 * (MERGED_TOGETHER as u64 + 2) + 17;
        for n in 0..count {
            assert!(index.insert(&key(n, 100)).unwrap());
        }
        let levels: Vec<u32> = index.days[&100].runs.iter().map(Run::level).collect();
        assert!(levels.contains(&1) && index.days[&100].runs.len() < MERGED_TOGETHER + 2, "merged: {levels:?}");
        index.flush(None).unwrap();
        drop(index);
        let mut index = DedupIndex::open(&dir, now).unwrap();
        for n in (0..count).step_by(97) {
            assert!(index.contains(&key(n, 100)).unwrap(), "{n}");
        }
        let false_hits = (count..count + 20_000).filter(|&n| index.contains(&key(n, 100)).unwrap()).count();
        assert_eq!(false_hits, 0, "a filter's false hit is checked on disk");
        assert!(!index.contains(&key(0, 99)).unwrap(), "another day");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn old_days_go_and_entries_dated_outside_the_window_are_kept_under_today() {
        let dir = scratch("expire");
        let now = DateTime::from_timestamp(100 * 86_400, 0).unwrap();
        let mut index = DedupIndex::open(&dir, now).unwrap();
        index.insert(&key(1, 92)).unwrap();
        index.insert(&key(2, 100)).unwrap();
        // Dated outside the days kept: indexed under today, found from any date.
        assert!(index.insert(&key(3, 90)).unwrap() && index.contains(&key(3, 90)).unwrap());
        assert!(index.insert(&key(4, 150)).unwrap() && index.contains(&key(4, 150)).unwrap());
        assert!(index.days.contains_key(&100) && !index.days.contains_key(&90) && !index.days.contains_key(&150));
        assert!(index.contains(&key(1, 92)).unwrap(), "day 92 is kept while today is day 100");
        index.insert(&key(5, 101)).unwrap();
        assert!(!index.contains(&key(1, 92)).unwrap(), "from day 101, the 9 days kept start at day 93");
        index.insert(&key(6, 101)).unwrap();
        index.flush(None).unwrap();
        let later = DateTime::from_timestamp(102 * 86_400, 0).unwrap();
        let mut index = DedupIndex::open(&dir, later).unwrap();
        assert!(index.contains(&key(2, 100)).unwrap() && index.contains(&key(6, 101)).unwrap());
        assert!(!dir.join("92.log").exists(), "its file is gone too");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn catch_up_reads_what_the_index_lacks_and_a_torn_log_loses_one_digest() {
        let dir = scratch("catch-up");
        let out = std::env::temp_dir().join(format!("dedup-out-{}", std::process::id()));
        let sig = |c: char| c.to_string().repeat(86);
        let line = |c: char| format!("2025-06-18T21:02:36Z h CEF:0|v|p|1|i|n|5|a=1 sig={}\n", sig(c));
        fs::write(&out, format!("{}{}", line('A'), line('B'))).unwrap();
        let now = DateTime::from_timestamp(20_258 * 86_400, 0).unwrap();
        let mut index = DedupIndex::open(&dir, now).unwrap();
        assert_eq!(index.catch_up(&out, now).unwrap(), 2);
        let mut appended = OpenOptions::new().append(true).open(&out).unwrap();
        appended.write_all(line('C').as_bytes()).unwrap();
        appended.write_all(b"2025-06-18T21:02:36Z torn").unwrap();
        assert_eq!(index.catch_up(&out, now).unwrap(), 1, "only what follows, not a torn last line");
        let c = DedupKey::of(line('C').as_bytes(), now).unwrap();
        assert!(index.contains(&c).unwrap());
        drop(index);
        let mut log = OpenOptions::new().append(true).open(dir.join("20257.log")).unwrap();
        log.write_all(&[1, 2, 3]).unwrap();
        let mut index = DedupIndex::open(&dir, now).unwrap();
        assert!(index.contains(&c).unwrap(), "a torn digest at the end is left out, the rest read");
        fs::remove_dir_all(&dir).unwrap();
        fs::remove_file(&out).unwrap();
    }
}
