//! The emitter's side: hashes each signed entry and writes a signed
//! checkpoint when one is due.

use std::borrow::Cow;

use super::hash::{ChainDigest, EntryHash};
use super::record::{Checkpoint, MAX_COVERED, StreamId};
use crate::error::Result;
use crate::sign::Signer;

/// Feeds on every signed entry of a stream, in the order they are sent,
/// and writes the checkpoints that cover them. Pure: no clock, no RNG, no I/O.
///
/// ```
/// use audit_cef::checkpoint::{Checkpointer, CompletenessChecker, StreamId};
/// use audit_cef::Signer;
/// let signer = Signer::from_seed(&[1; 32]);
/// let mut checkpointer = Checkpointer::new(StreamId::from_bytes([7; 16]), "KongInc", "Konnect", "1.0")?.every(2);
/// let mut log: Vec<Vec<u8>> = Vec::new();
/// for i in 0..5 {
///     let mut entry = format!("CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|i={i}").into_bytes();
///     signer.sign_cef(&mut entry, 0)?;
///     checkpointer.add(&entry);
///     log.push(entry);
///     if checkpointer.due(0) {
///         let mut checkpoint = Vec::new();
///         checkpointer.checkpoint_into(&signer, &mut checkpoint)?;
///         log.push(checkpoint);
///     }
/// }
/// assert_eq!(log.len(), 7); // 5 entries, 2 checkpoints; the fifth entry is not covered yet
/// let mut checker = CompletenessChecker::new();
/// for entry in &log {
///     checker.add(entry);
/// }
/// let report = checker.finish();
/// assert_eq!((report.confirmed(), report.unconfirmed_tail), (4, 1));
/// assert!(report.is_complete());
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Checkpointer {
    stream: StreamId,
    vendor: Cow<'static, str>,
    product: Cow<'static, str>,
    device_version: Cow<'static, str>,
    every: usize,
    interval: Option<u64>,
    /// When the first call of `due` saw the current window non-empty.
    window_seen: Option<u64>,
    seq: u64,
    first: u64,
    prev: ChainDigest,
    hashes: Vec<EntryHash>,
}

impl Checkpointer {
    /// A checkpointer for a new stream (a checkpoint every 100 entries
    /// until [`Checkpointer::every`] says otherwise). `stream` must be
    /// fresh random bytes for each start of the emitter; the header
    /// fields are those of the stream's entries.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LineBreakInHeader`](crate::ErrorKind::LineBreakInHeader)
    /// when a header field holds a line break.
    ///
    /// ```
    /// use audit_cef::checkpoint::{Checkpointer, StreamId};
    /// assert!(Checkpointer::new(StreamId::from_bytes([0; 16]), "v", "p\n", "1").is_err());
    /// ```
    pub fn new(
        stream: StreamId,
        vendor: impl Into<Cow<'static, str>>,
        product: impl Into<Cow<'static, str>>,
        device_version: impl Into<Cow<'static, str>>,
    ) -> Result<Checkpointer> {
        let checkpointer = Checkpointer {
            stream,
            vendor: vendor.into(),
            product: product.into(),
            device_version: device_version.into(),
            every: 100,
            interval: None,
            window_seen: None,
            seq: 0,
            first: 0,
            prev: ChainDigest::GENESIS,
            hashes: Vec::with_capacity(100),
        };
        // The header is checked once, here, so that writing cannot fail on it.
        checkpointer.record(0).to_event(
            &*checkpointer.vendor,
            &*checkpointer.product,
            &*checkpointer.device_version,
        )?;
        Ok(checkpointer)
    }

    /// A checkpoint is due every `n` entries (1 to [`MAX_COVERED`]).
    ///
    /// ```
    /// # use audit_cef::checkpoint::{Checkpointer, StreamId};
    /// let mut checkpointer = Checkpointer::new(StreamId::from_bytes([0; 16]), "v", "p", "1")?.every(1);
    /// assert!(!checkpointer.due(0));
    /// checkpointer.add(b"entry");
    /// assert!(checkpointer.due(0));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn every(mut self, n: usize) -> Checkpointer {
        self.every = n.clamp(1, MAX_COVERED);
        self
    }

    /// A checkpoint is also due `secs` seconds after [`Checkpointer::due`]
    /// first saw an entry waiting, so that a quiet stream is covered too.
    ///
    /// ```
    /// # use audit_cef::checkpoint::{Checkpointer, StreamId};
    /// let mut checkpointer = Checkpointer::new(StreamId::from_bytes([0; 16]), "v", "p", "1")?.every_secs(60);
    /// checkpointer.add(b"entry");
    /// assert!(!checkpointer.due(1_000));
    /// assert!(!checkpointer.due(1_059));
    /// assert!(checkpointer.due(1_060));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn every_secs(mut self, secs: u64) -> Checkpointer {
        self.interval = Some(secs);
        self
    }

    /// The stream's id.
    ///
    /// ```
    /// # use audit_cef::checkpoint::{Checkpointer, StreamId};
    /// let checkpointer = Checkpointer::new(StreamId::from_bytes([3; 16]), "v", "p", "1")?;
    /// assert_eq!(checkpointer.stream(), StreamId::from_bytes([3; 16]));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn stream(&self) -> StreamId {
        self.stream
    }

    /// Notes one signed entry, as sent (a trailing line ending is ignored).
    ///
    /// ```
    /// # use audit_cef::checkpoint::{Checkpointer, StreamId};
    /// let mut checkpointer = Checkpointer::new(StreamId::from_bytes([0; 16]), "v", "p", "1")?;
    /// checkpointer.add(b"CEF:0|v|p|1|id|n|1|a=1 sig=...\n");
    /// assert_eq!(checkpointer.waiting(), 1);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn add(&mut self, entry: &[u8]) {
        self.add_hash(EntryHash::of(entry));
    }

    /// Notes one entry by its hash (computed elsewhere, say on the thread
    /// that signed it).
    ///
    /// ```
    /// # use audit_cef::checkpoint::{Checkpointer, EntryHash, StreamId};
    /// let mut checkpointer = Checkpointer::new(StreamId::from_bytes([0; 16]), "v", "p", "1")?;
    /// checkpointer.add_hash(EntryHash::of(b"entry"));
    /// assert_eq!(checkpointer.waiting(), 1);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn add_hash(&mut self, hash: EntryHash) {
        self.hashes.push(hash);
    }

    /// How many entries wait for a checkpoint.
    ///
    /// ```
    /// # use audit_cef::checkpoint::{Checkpointer, StreamId};
    /// assert_eq!(Checkpointer::new(StreamId::from_bytes([0; 16]), "v", "p", "1")?.waiting(), 0);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn waiting(&self) -> usize {
        self.hashes.len()
    }

    /// Whether a checkpoint is due at the caller's `now` (seconds on any
    /// clock that does not go back): `every` entries wait, or at least one
    /// has waited `every_secs` since this was first called with it waiting.
    ///
    /// ```
    /// # use audit_cef::checkpoint::{Checkpointer, StreamId};
    /// let mut checkpointer = Checkpointer::new(StreamId::from_bytes([0; 16]), "v", "p", "1")?.every(2);
    /// checkpointer.add(b"a");
    /// assert!(!checkpointer.due(0));
    /// checkpointer.add(b"b");
    /// assert!(checkpointer.due(0));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn due(&mut self, now: u64) -> bool {
        if self.hashes.is_empty() {
            return false;
        }
        if self.hashes.len() >= self.every {
            return true;
        }
        let seen = *self.window_seen.get_or_insert(now);
        self.interval.is_some_and(|secs| now.saturating_sub(seen) >= secs)
    }

    /// Renders and signs the checkpoint covering the waiting entries (at
    /// most [`MAX_COVERED`]; any more stay waiting) and appends it to `buf`
    /// without a line ending. Returns `false`, writing nothing, when no
    /// entry waits.
    ///
    /// # Errors
    ///
    /// The signer's errors (it cannot fail on a checkpoint this renders);
    /// `buf` and the checkpointer are then left as they were.
    ///
    /// ```
    /// use audit_cef::checkpoint::{Checkpoint, Checkpointer, StreamId};
    /// let signer = audit_cef::Signer::from_seed(&[1; 32]);
    /// let mut checkpointer = Checkpointer::new(StreamId::from_bytes([0; 16]), "v", "p", "1")?;
    /// let mut buf = Vec::new();
    /// assert!(!checkpointer.checkpoint_into(&signer, &mut buf)?);
    /// checkpointer.add(b"entry");
    /// assert!(checkpointer.checkpoint_into(&signer, &mut buf)?);
    /// assert_eq!(Checkpoint::from_entry(&buf)?.hashes.len(), 1);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn checkpoint_into(&mut self, signer: &Signer, buf: &mut Vec<u8>) -> Result<bool> {
        if self.hashes.is_empty() {
            return Ok(false);
        }
        let covered = self.hashes.len().min(MAX_COVERED);
        let record = self.record(covered);
        let start = buf.len();
        let event = record.to_event(&*self.vendor, &*self.product, &*self.device_version)?;
        event.render_into(buf);
        if let Err(err) = signer.sign_cef(buf, start) {
            buf.truncate(start);
            return Err(err);
        }
        self.prev = ChainDigest::of(buf.get(start..).unwrap_or_default());
        self.seq = self.seq.saturating_add(1);
        self.first = record.end();
        self.hashes.drain(..covered);
        self.window_seen = None;
        Ok(true)
    }

    /// The checkpoint of the first `covered` waiting entries.
    fn record(&self, covered: usize) -> Checkpoint {
        Checkpoint {
            stream: self.stream,
            seq: self.seq,
            first: self.first,
            prev: self.prev,
            hashes: self.hashes.get(..covered).unwrap_or_default().to_vec(),
        }
    }
}
