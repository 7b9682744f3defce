//! When a batch of entries is due for delivery: full by count, full by
//! bytes, or old enough. Pure bookkeeping: the caller keeps the entries,
//! tells the batcher what it added and what time it is (any monotonic
//! clock, as a `Duration` since the caller's own start), and sends when told.

use std::time::Duration;

/// Why a batch is due.
///
/// ```
/// use std::time::Duration;
/// use audit_cef::webhook::{Batcher, Due};
/// let mut batcher = Batcher::new().max_entries(2);
/// batcher.add(10, Duration::ZERO);
/// batcher.add(10, Duration::ZERO);
/// assert_eq!(batcher.due(Duration::ZERO), Some(Due::Entries));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// It holds the most entries a batch may hold.
    Entries,
    /// Its body has reached the most bytes a batch may hold.
    Bytes,
    /// Its oldest entry has waited the longest an entry may wait.
    Age,
}

/// Counts a batch as entries are added and says when it is due. Defaults:
/// 100 entries, 1 MiB of entries (newlines included), 5 seconds.
///
/// ```
/// use std::time::Duration;
/// use audit_cef::webhook::{Batcher, Due};
/// let mut batcher = Batcher::new().max_age(Duration::from_secs(5));
/// batcher.add(300, Duration::from_secs(100));
/// assert_eq!(batcher.due(Duration::from_secs(101)), None);
/// assert_eq!(batcher.deadline(), Some(Duration::from_secs(105)));
/// assert_eq!(batcher.due(Duration::from_secs(105)), Some(Due::Age));
/// assert_eq!(batcher.take(), (1, 301));
/// assert!(batcher.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batcher {
    max_entries: usize,
    max_bytes: usize,
    max_age: Duration,
    entries: usize,
    bytes: usize,
    opened: Option<Duration>,
}

impl Default for Batcher {
    fn default() -> Batcher {
        Batcher::new()
    }
}

impl Batcher {
    /// An empty batcher with the defaults.
    ///
    /// ```
    /// assert!(audit_cef::webhook::Batcher::new().is_empty());
    /// ```
    pub const fn new() -> Batcher {
        Batcher {
            max_entries: 100,
            max_bytes: 1 << 20,
            max_age: Duration::from_secs(5),
            entries: 0,
            bytes: 0,
            opened: None,
        }
    }

    /// The most entries in a batch (at least 1).
    ///
    /// ```
    /// let batcher = audit_cef::webhook::Batcher::new().max_entries(500);
    /// ```
    pub const fn max_entries(mut self, entries: usize) -> Batcher {
        self.max_entries = if entries == 0 { 1 } else { entries };
        self
    }

    /// The most bytes in a batch's body before compression, each entry
    /// counted with its newline.
    ///
    /// ```
    /// let batcher = audit_cef::webhook::Batcher::new().max_bytes(64 * 1024);
    /// ```
    pub const fn max_bytes(mut self, bytes: usize) -> Batcher {
        self.max_bytes = bytes;
        self
    }

    /// The longest an entry waits before its batch is due.
    ///
    /// ```
    /// let batcher = audit_cef::webhook::Batcher::new().max_age(std::time::Duration::from_millis(250));
    /// ```
    pub const fn max_age(mut self, age: Duration) -> Batcher {
        self.max_age = age;
        self
    }

    /// Whether adding an entry of `len` bytes would take a non-empty batch
    /// past its byte limit: send the batch first. (An entry larger than the
    /// limit goes alone in a batch of its own.)
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut batcher = audit_cef::webhook::Batcher::new().max_bytes(100);
    /// assert!(!batcher.would_overflow(500), "an empty batch takes any entry");
    /// batcher.add(60, Duration::ZERO);
    /// assert!(batcher.would_overflow(60));
    /// ```
    pub fn would_overflow(&self, len: usize) -> bool {
        self.entries > 0 && self.bytes.saturating_add(len.saturating_add(1)) > self.max_bytes
    }

    /// Counts an entry of `len` bytes (without its newline) added at `now`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut batcher = audit_cef::webhook::Batcher::new();
    /// batcher.add(41, Duration::from_secs(3));
    /// assert_eq!((batcher.len(), batcher.bytes()), (1, 42));
    /// ```
    pub fn add(&mut self, len: usize, now: Duration) {
        if self.opened.is_none() {
            self.opened = Some(now);
        }
        self.entries = self.entries.saturating_add(1);
        self.bytes = self.bytes.saturating_add(len.saturating_add(1));
    }

    /// Whether the batch is due at `now`, and why; `None` for an empty batch
    /// or one that may wait.
    ///
    /// ```
    /// use std::time::Duration;
    /// let batcher = audit_cef::webhook::Batcher::new();
    /// assert_eq!(batcher.due(Duration::from_secs(1_000)), None, "nothing to send");
    /// ```
    pub fn due(&self, now: Duration) -> Option<Due> {
        let opened = self.opened?;
        if self.entries >= self.max_entries {
            Some(Due::Entries)
        } else if self.bytes >= self.max_bytes {
            Some(Due::Bytes)
        } else if now.saturating_sub(opened) >= self.max_age {
            Some(Due::Age)
        } else {
            None
        }
    }

    /// When the batch becomes due by age: the time to wake up at when no
    /// entry arrives. `None` for an empty batch.
    ///
    /// ```
    /// assert_eq!(audit_cef::webhook::Batcher::new().deadline(), None);
    /// ```
    pub fn deadline(&self) -> Option<Duration> {
        self.opened.map(|opened| opened.saturating_add(self.max_age))
    }

    /// Entries counted so far.
    ///
    /// ```
    /// assert_eq!(audit_cef::webhook::Batcher::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Whether no entry is counted.
    ///
    /// ```
    /// assert!(audit_cef::webhook::Batcher::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Bytes of the body so far, newlines included.
    ///
    /// ```
    /// assert_eq!(audit_cef::webhook::Batcher::new().bytes(), 0);
    /// ```
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Starts a new batch, returning the entries and bytes the sent one held.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut batcher = audit_cef::webhook::Batcher::new();
    /// batcher.add(9, Duration::ZERO);
    /// assert_eq!(batcher.take(), (1, 10));
    /// assert_eq!(batcher.take(), (0, 0));
    /// ```
    pub fn take(&mut self) -> (usize, usize) {
        let sent = (self.entries, self.bytes);
        self.entries = 0;
        self.bytes = 0;
        self.opened = None;
        sent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_by_entries_bytes_or_age_whichever_comes_first() {
        let mut batcher = Batcher::new().max_entries(3).max_bytes(1000).max_age(Duration::from_secs(5));
        let t = Duration::from_secs(10);
        for i in 0..3 {
            assert_eq!(batcher.due(t), None, "after {i}");
            batcher.add(10, t);
        }
        assert_eq!(batcher.due(t), Some(Due::Entries));
        batcher.take();
        batcher.add(999, t);
        assert_eq!(batcher.due(t), Some(Due::Bytes));
        batcher.take();
        batcher.add(1, t);
        batcher.add(1, t + Duration::from_secs(4));
        // The age counts from the oldest entry of the batch.
        assert_eq!(batcher.due(t + Duration::from_millis(4_999)), None);
        assert_eq!(batcher.due(t + Duration::from_secs(5)), Some(Due::Age));
        assert_eq!(batcher.deadline(), Some(t + Duration::from_secs(5)));
    }

    #[test]
    fn a_batch_never_exceeds_its_byte_limit_unless_one_entry_does() {
        let mut batcher = Batcher::new().max_bytes(100).max_entries(usize::MAX);
        let mut batches = Vec::new();
        for len in [30, 30, 30, 30, 250, 10, 99, 0] {
            if batcher.would_overflow(len) {
                batches.push(batcher.take());
            }
            batcher.add(len, Duration::ZERO);
        }
        batches.push(batcher.take());
        assert_eq!(batches, [(3, 93), (1, 31), (1, 251), (1, 11), (1, 100), (1, 1)]);
        assert!(batches.iter().all(|&(entries, bytes)| bytes <= 100 || entries == 1));
    }

    #[test]
    fn a_clock_that_goes_back_never_makes_a_batch_due_early() {
        let mut batcher = Batcher::new().max_age(Duration::from_secs(1));
        batcher.add(1, Duration::from_secs(50));
        assert_eq!(batcher.due(Duration::from_secs(10)), None);
    }
}
