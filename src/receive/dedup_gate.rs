//! Deduplication where entries are forwarded rather than written (a
//! relay): the index is shared by concurrent requests, so an entry is
//! reserved while its request forwards it (a second copy arriving
//! meanwhile is a duplicate), and indexed only once the forwarding was
//! taken (the sender's spool synced); a forwarding that failed releases
//! its entries, to be sent again.

use std::io;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};

use super::dedup::{DedupIndex, DigestSet};
use super::dedup_key::DedupKey;

/// A [`DedupIndex`] shared by the requests of a relay.
///
/// ```
/// use audit_cef::receive::{DedupGate, DedupIndex};
/// let dir = std::env::temp_dir().join(format!("dedup-gate-doc-{}", std::process::id()));
/// let now = audit_cef::chrono::Utc::now();
/// let gate = DedupGate::new(DedupIndex::open(&dir, now)?);
/// let entry = format!("CEF:0|v|p|1|i|n|5|a=1 sig={}", "Q".repeat(86));
/// let first = gate.reserve(&[entry.as_bytes()], now)?;
/// let second = gate.reserve(&[entry.as_bytes()], now)?;
/// assert_eq!((first.duplicates(), second.duplicates()), (&[][..], &[0][..]), "reserved by the first");
/// gate.settle(first, true)?;
/// gate.settle(second, true)?;
/// assert_eq!(gate.reserve(&[entry.as_bytes()], now)?.duplicates(), &[0]);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct DedupGate {
    inner: Mutex<Gate>,
}

#[derive(Debug)]
struct Gate {
    index: DedupIndex,
    in_flight: DigestSet<DedupKey>,
}

/// The entries of one request reserved by [`DedupGate::reserve`]: which
/// are duplicates, and the keys of the others, to settle.
#[derive(Debug)]
#[must_use = "settle it, or its entries stay reserved"]
pub struct Reserved {
    duplicates: Vec<usize>,
    keys: Vec<DedupKey>,
}

impl Reserved {
    /// The positions (in the entries given) of the duplicates, ascending.
    pub fn duplicates(&self) -> &[usize] {
        &self.duplicates
    }
}

impl DedupGate {
    /// Shares `index`.
    pub fn new(index: DedupIndex) -> DedupGate {
        DedupGate { inner: Mutex::new(Gate { index, in_flight: DigestSet::default() }) }
    }

    /// Sorts `entries` into duplicates (stored before, being forwarded by
    /// another request, or earlier in `entries`) and new ones, which are
    /// reserved until [`DedupGate::settle`].
    ///
    /// # Errors
    ///
    /// The index cannot be read (nothing is reserved).
    pub fn reserve(&self, entries: &[&[u8]], now: DateTime<Utc>) -> io::Result<Reserved> {
        let mut gate = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let mut reserved = Reserved { duplicates: Vec::new(), keys: Vec::new() };
        for (position, entry) in entries.iter().enumerate() {
            let Some(key) = DedupKey::of(entry, now) else { continue };
            let seen = if gate.in_flight.contains(&key) { Ok(true) } else { gate.index.contains(&key) };
            match seen {
                Ok(true) => reserved.duplicates.push(position),
                Ok(false) => {
                    gate.in_flight.insert(key);
                    reserved.keys.push(key);
                }
                Err(err) => {
                    for key in &reserved.keys {
                        gate.in_flight.remove(key);
                    }
                    return Err(err);
                }
            }
        }
        Ok(reserved)
    }

    /// Ends a reservation: with `taken`, its entries go into the index;
    /// without, they are released (a later copy is forwarded).
    ///
    /// # Errors
    ///
    /// The index cannot be written: the entries are released (a later
    /// copy may be forwarded again: never one lost).
    pub fn settle(&self, reserved: Reserved, taken: bool) -> io::Result<()> {
        let mut gate = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let mut result = Ok(());
        for key in &reserved.keys {
            gate.in_flight.remove(key);
            if taken && result.is_ok() {
                result = gate.index.insert_new(key);
            }
        }
        if taken && result.is_ok() {
            result = gate.index.flush(None);
        }
        result
    }
}
