//! The consumer's side: attributes received entries to the checkpoints
//! that list them and reports what is missing, extra or out of order.

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::hash::{ChainDigest, EntryHash};
use super::order::out_of_order;
use super::received::Received;
use super::record::{Checkpoint, StreamId};
use super::report::{Missing, Report, StreamReport};

/// Missing entries listed one by one in a [`Report`]; more are only counted.
const MISSING_LISTED: usize = 1024;

/// Checks that the checkpoints of one or more streams account for every
/// entry received. Feed it every received entry that verified (any format;
/// checkpoints are told apart by their header), in the order received,
/// then call [`CompletenessChecker::finish`]. Pure: no clock, no I/O.
///
/// How it attributes entries, which carry no stream id: an entry waits,
/// as its hash and arrival number, until a checkpoint lists its hash; a
/// checkpoint that arrives first waits for its entries. A checkpoint stays
/// open until the stream's checkpoint after next arrives (or `finish`), so
/// entries may arrive up to one checkpoint interval late (counted as
/// reordered) and copies within that window count as duplicated; after
/// that its unreceived entries are missing, and an entry that comes later
/// still is unexpected. Memory holds the waiting entries and the two open
/// checkpoints per stream, bounded by [`CompletenessChecker::with_limits`]:
/// never the stream's length.
///
/// ```
/// use audit_cef::checkpoint::{Checkpointer, CompletenessChecker, StreamId};
/// let signer = audit_cef::Signer::from_seed(&[1; 32]);
/// let mut checkpointer = Checkpointer::new(StreamId::from_bytes([7; 16]), "v", "p", "1")?.every(3);
/// let mut log = Vec::new();
/// for i in 0..3 {
///     let mut entry = format!("CEF:0|v|p|1|id|n|1|i={i}").into_bytes();
///     signer.sign_cef(&mut entry, 0)?;
///     checkpointer.add(&entry);
///     log.push(entry);
/// }
/// let mut checkpoint = Vec::new();
/// checkpointer.checkpoint_into(&signer, &mut checkpoint)?;
/// log.push(checkpoint);
/// log.swap(0, 1); // reorder
/// log.remove(2); // drop entry 2
///
/// let mut checker = CompletenessChecker::new();
/// for entry in &log {
///     checker.add(entry);
/// }
/// let report = checker.finish();
/// assert_eq!((report.confirmed(), report.missing(), report.reordered()), (2, 1, 1));
/// assert_eq!(report.missing_entries[0].position, 2);
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CompletenessChecker {
    /// Entries received so far (checkpoints not counted): the next arrival number.
    arrivals: u64,
    checkpoints: u64,
    /// Unclaimed entries: arrival numbers by hash, oldest first.
    pending: HashMap<EntryHash, VecDeque<u64>>,
    /// Unclaimed entries by arrival number.
    pending_order: BTreeMap<u64, EntryHash>,
    streams: BTreeMap<StreamId, Stream>,
    max_pending: usize,
    max_streams: usize,
    unexpected: u64,
    unconfirmed_tail: u64,
    missing_entries: Vec<Missing>,
}

#[derive(Debug, Clone)]
struct Stream {
    next_seq: u64,
    next_first: u64,
    last_digest: ChainDigest,
    /// The arrival number when its last checkpoint arrived.
    last_arrival: u64,
    open: VecDeque<Open>,
    report: StreamReport,
}

/// What a [`CompletenessChecker`] has found wrong so far, over every stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FoundSoFar {
    /// Checkpoints missing from a stream's sequence, or out of it.
    pub checkpoint_gaps: u64,
    /// Entries a closed checkpoint lists that never arrived.
    pub missing: u64,
    /// Entries that arrived more often than their checkpoints list them.
    pub duplicated: u64,
}

/// A checkpoint still matching its entries.
#[derive(Debug, Clone)]
struct Open {
    seq: u64,
    first: u64,
    /// Per covered position, the arrival number of its entry once received.
    arrivals: Vec<Option<u64>>,
    /// The positions of each hash, in order.
    positions: HashMap<EntryHash, Vec<usize>>,
}

impl Open {
    /// Claims the first unreceived position listing `hash`: `Some(true)`
    /// when claimed, `Some(false)` when every position with it is already
    /// received (a copy), `None` when it does not list `hash`.
    fn claim(&mut self, hash: &EntryHash, arrival: u64) -> Option<bool> {
        let positions = self.positions.get(hash)?;
        for &position in positions {
            if let Some(slot @ None) = self.arrivals.get_mut(position) {
                *slot = Some(arrival);
                return Some(true);
            }
        }
        Some(false)
    }
}

impl Default for CompletenessChecker {
    fn default() -> CompletenessChecker {
        CompletenessChecker::new()
    }
}

impl CompletenessChecker {
    /// A checker with the default limits: 1,048,576 waiting entries and
    /// 1,024 streams.
    ///
    /// ```
    /// let checker = audit_cef::checkpoint::CompletenessChecker::new();
    /// ```
    pub fn new() -> CompletenessChecker {
        CompletenessChecker {
            arrivals: 0,
            checkpoints: 0,
            pending: HashMap::new(),
            pending_order: BTreeMap::new(),
            streams: BTreeMap::new(),
            max_pending: 1 << 20,
            max_streams: 1024,
            unexpected: 0,
            unconfirmed_tail: 0,
            missing_entries: Vec::new(),
        }
    }

    /// Sets the limits: at most `max_pending` unclaimed entries wait (the
    /// oldest is then given up, counted as unexpected or unconfirmed tail
    /// as at `finish`), and at most `max_streams` streams are followed
    /// (checkpoints of further streams are treated as plain entries).
    ///
    /// ```
    /// let checker = audit_cef::checkpoint::CompletenessChecker::new().with_limits(10_000, 16);
    /// ```
    pub fn with_limits(mut self, max_pending: usize, max_streams: usize) -> CompletenessChecker {
        self.max_pending = max_pending.max(1);
        self.max_streams = max_streams;
        self
    }

    /// Feeds one received entry that verified (a trailing line ending is
    /// ignored). A signed CEF entry whose header says checkpoint and whose
    /// fields read as one is taken as a checkpoint; anything else is an entry.
    ///
    /// ```
    /// let mut checker = audit_cef::checkpoint::CompletenessChecker::new();
    /// checker.add(b"CEF:0|v|p|1|id|n|1|a=1 sig=...");
    /// assert_eq!(checker.finish().unconfirmed_tail, 1);
    /// ```
    pub fn add(&mut self, entry: &[u8]) {
        self.add_received(Received::of(entry));
    }

    /// Feeds one verified entry already read by [`Received::of`] (on
    /// another thread, say): the same as [`add`](Self::add) of its bytes.
    ///
    /// ```
    /// use audit_cef::checkpoint::{CompletenessChecker, Received};
    /// let (mut whole, mut apart) = (CompletenessChecker::new(), CompletenessChecker::new());
    /// whole.add(b"an entry");
    /// apart.add_received(Received::of(b"an entry"));
    /// assert_eq!(whole.finish(), apart.finish());
    /// ```
    pub fn add_received(&mut self, received: Received) {
        match received {
            Received::Checkpoint(checkpoint, digest) => self.add_checkpoint(&checkpoint, digest),
            Received::Entry(hash) => self.add_entry(hash),
        }
    }

    /// Feeds one received entry that is not a checkpoint, by its hash.
    ///
    /// ```
    /// use audit_cef::checkpoint::{CompletenessChecker, EntryHash};
    /// let mut checker = CompletenessChecker::new();
    /// checker.add_entry(EntryHash::of(b"entry"));
    /// assert_eq!(checker.finish().entries, 1);
    /// ```
    pub fn add_entry(&mut self, hash: EntryHash) {
        let arrival = self.arrivals;
        self.arrivals = self.arrivals.saturating_add(1);
        // A checkpoint that arrived before it, or a copy of one it holds.
        let mut copy_of: Option<StreamId> = None;
        for (id, stream) in &mut self.streams {
            for open in &mut stream.open {
                match open.claim(&hash, arrival) {
                    Some(true) => return,
                    Some(false) if copy_of.is_none() => copy_of = Some(*id),
                    _ => {}
                }
            }
        }
        if let Some(stream) = copy_of.and_then(|id| self.streams.get_mut(&id)) {
            stream.report.duplicated = stream.report.duplicated.saturating_add(1);
            return;
        }
        self.pending.entry(hash).or_default().push_back(arrival);
        self.pending_order.insert(arrival, hash);
        while self.pending_order.len() > self.max_pending {
            let Some((oldest, hash)) = self.pending_order.pop_first() else { break };
            self.unpend(&hash, oldest);
            self.give_up(oldest);
        }
    }

    /// Feeds one checkpoint that verified, read with
    /// [`Checkpoint::from_entry`], and the [`ChainDigest`] of its entry.
    /// [`CompletenessChecker::add`] does both. A checkpoint of a new stream
    /// beyond `max_streams` counts as a plain entry (its hash is the
    /// digest's prefix), however it is fed.
    ///
    /// ```
    /// use audit_cef::checkpoint::{ChainDigest, Checkpoint, CompletenessChecker, EntryHash, StreamId};
    /// let mut checker = CompletenessChecker::new();
    /// checker.add_entry(EntryHash::of(b"entry"));
    /// let checkpoint = Checkpoint { stream: StreamId::from_bytes([1; 16]), seq: 0, first: 0, prev: ChainDigest::GENESIS, hashes: vec![EntryHash::of(b"entry")] };
    /// checker.add_checkpoint(&checkpoint, ChainDigest::of(b"the checkpoint's line"));
    /// assert_eq!(checker.finish().confirmed(), 1);
    /// ```
    pub fn add_checkpoint(&mut self, checkpoint: &Checkpoint, digest: ChainDigest) {
        if !self.streams.contains_key(&checkpoint.stream) && self.streams.len() >= self.max_streams {
            self.add_entry(digest.entry_hash());
            return;
        }
        self.checkpoints = self.checkpoints.saturating_add(1);
        let arrival = self.arrivals;
        let stream = self.streams.entry(checkpoint.stream).or_insert_with(|| Stream {
            next_seq: 0,
            next_first: 0,
            last_digest: ChainDigest::GENESIS,
            last_arrival: 0,
            open: VecDeque::new(),
            report: StreamReport::new(checkpoint.stream),
        });
        let report = &mut stream.report;
        report.checkpoints = report.checkpoints.saturating_add(1);
        if checkpoint.seq < stream.next_seq {
            // Seen before (a copy) or older than one seen: out of sequence; its entries were claimed or lost already.
            report.checkpoint_gaps = report.checkpoint_gaps.saturating_add(1);
            return;
        }
        let mut gap_entries = 0;
        if checkpoint.seq > stream.next_seq {
            report.checkpoint_gaps = report.checkpoint_gaps.saturating_add(checkpoint.seq - stream.next_seq);
            gap_entries = checkpoint.first.saturating_sub(stream.next_first);
            report.gap_entries = report.gap_entries.saturating_add(gap_entries);
        } else if checkpoint.prev != stream.last_digest || checkpoint.first != stream.next_first {
            report.checkpoint_gaps = report.checkpoint_gaps.saturating_add(1);
        }
        let window_start = stream.last_arrival;
        stream.next_seq = checkpoint.seq.saturating_add(1);
        stream.next_first = checkpoint.end();
        stream.last_digest = digest;
        stream.last_arrival = arrival;

        // Claim the waiting entries it lists, oldest first.
        let mut open = Open {
            seq: checkpoint.seq,
            first: checkpoint.first,
            arrivals: vec![None; checkpoint.hashes.len()],
            positions: HashMap::with_capacity(checkpoint.hashes.len()),
        };
        for (position, hash) in checkpoint.hashes.iter().enumerate() {
            open.positions.entry(*hash).or_default().push(position);
        }
        let id = checkpoint.stream;
        let mut duplicated = 0u64;
        for (hash, positions) in &open.positions {
            let Some(waiting) = self.pending.get_mut(hash) else { continue };
            for &position in positions {
                let Some(arrival) = waiting.pop_front() else { break };
                if let Some(slot) = open.arrivals.get_mut(position) {
                    *slot = Some(arrival);
                }
                self.pending_order.remove(&arrival);
            }
            // Copies beyond the positions that list it.
            for arrival in waiting.drain(..) {
                self.pending_order.remove(&arrival);
                duplicated = duplicated.saturating_add(1);
            }
            self.pending.remove(hash);
        }
        // Entries that arrived within a gap: nothing proves them.
        let mut unprovable = 0u64;
        if gap_entries > 0 {
            let in_window: Vec<(u64, EntryHash)> = self
                .pending_order
                .range(window_start..arrival)
                .take(usize::try_from(gap_entries).unwrap_or(usize::MAX))
                .map(|(arrival, hash)| (*arrival, *hash))
                .collect();
            for (arrival, hash) in in_window {
                self.pending_order.remove(&arrival);
                self.unpend(&hash, arrival);
                unprovable = unprovable.saturating_add(1);
            }
        }
        let Some(stream) = self.streams.get_mut(&id) else { return };
        stream.report.duplicated = stream.report.duplicated.saturating_add(duplicated);
        stream.report.unprovable = stream.report.unprovable.saturating_add(unprovable);
        stream.open.push_back(open);
        // Open: this checkpoint and the one before it.
        while stream.open.len() > 2 {
            let Some(closed) = stream.open.pop_front() else { break };
            close(&mut stream.report, &mut self.missing_entries, id, closed);
        }
    }

    /// What is known wrong so far, before [`finish`](Self::finish): the
    /// checkpoint gaps and duplicated entries found as checkpoints
    /// arrived, and the entries a closed checkpoint proves missing (a
    /// checkpoint closes once the one after the next arrives). A collector
    /// can say when it finds one instead of only at the end.
    ///
    /// ```
    /// let checker = audit_cef::checkpoint::CompletenessChecker::new();
    /// assert_eq!(checker.found_so_far(), audit_cef::checkpoint::FoundSoFar::default());
    /// ```
    pub fn found_so_far(&self) -> FoundSoFar {
        let mut found = FoundSoFar::default();
        for stream in self.streams.values() {
            found.checkpoint_gaps = found.checkpoint_gaps.saturating_add(stream.report.checkpoint_gaps);
            found.missing = found.missing.saturating_add(stream.report.missing);
            found.duplicated = found.duplicated.saturating_add(stream.report.duplicated);
        }
        found
    }

    /// Closes every checkpoint and classifies the entries no checkpoint claims.
    ///
    /// ```
    /// let report = audit_cef::checkpoint::CompletenessChecker::new().finish();
    /// assert!(report.is_complete());
    /// ```
    pub fn finish(mut self) -> Report {
        for (id, stream) in &mut self.streams {
            while let Some(open) = stream.open.pop_front() {
                close(&mut stream.report, &mut self.missing_entries, *id, open);
            }
        }
        let waiting: Vec<u64> = self.pending_order.keys().copied().collect();
        for arrival in waiting {
            self.give_up(arrival);
        }
        Report {
            entries: self.arrivals,
            checkpoints: self.checkpoints,
            unexpected: self.unexpected,
            unconfirmed_tail: self.unconfirmed_tail,
            streams: self.streams.into_values().map(|stream| stream.report).collect(),
            missing_entries: self.missing_entries,
        }
    }

    /// Removes one arrival of `hash` from the waiting entries.
    fn unpend(&mut self, hash: &EntryHash, arrival: u64) {
        if let Some(waiting) = self.pending.get_mut(hash) {
            waiting.retain(|&a| a != arrival);
            if waiting.is_empty() {
                self.pending.remove(hash);
            }
        }
    }

    /// Counts an entry no checkpoint claimed: the unconfirmed tail when it
    /// arrived after some stream's last checkpoint (or before any), else unexpected.
    fn give_up(&mut self, arrival: u64) {
        let tail = self.streams.is_empty() || self.streams.values().any(|stream| stream.last_arrival <= arrival);
        if tail {
            self.unconfirmed_tail = self.unconfirmed_tail.saturating_add(1);
        } else {
            self.unexpected = self.unexpected.saturating_add(1);
        }
    }
}

/// Counts a checkpoint's confirmed, missing and reordered entries.
fn close(report: &mut StreamReport, listed: &mut Vec<Missing>, stream: StreamId, open: Open) {
    let mut received = Vec::with_capacity(open.arrivals.len());
    for (position, arrival) in open.arrivals.iter().enumerate() {
        match arrival {
            Some(arrival) => received.push(*arrival),
            None => {
                report.missing = report.missing.saturating_add(1);
                if listed.len() < MISSING_LISTED {
                    let offset = u64::try_from(position).unwrap_or(u64::MAX);
                    listed.push(Missing { stream, checkpoint: open.seq, position: open.first.saturating_add(offset) });
                }
            }
        }
    }
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    report.confirmed = report.confirmed.saturating_add(count(received.len()));
    report.reordered = report.reordered.saturating_add(count(out_of_order(&received)));
}
