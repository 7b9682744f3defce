//! The memory every request in flight may hold at once, shared by all of
//! them: a request reserves its share before its body is read, and gives it
//! back when it is dropped. When the budget is spent, a request is answered
//! 429 at once rather than held.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A shared budget of bytes.
///
/// ```
/// use audit_cef::receive::MemoryBudget;
/// let budget = MemoryBudget::new(100);
/// let held = budget.try_reserve(60).unwrap();
/// assert!(budget.try_reserve(60).is_none());
/// drop(held);
/// assert_eq!(budget.in_use(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct MemoryBudget {
    limit: usize,
    used: Arc<AtomicUsize>,
}

/// Bytes taken from a [`MemoryBudget`], given back when dropped.
#[derive(Debug)]
pub struct MemoryReservation {
    bytes: usize,
    limit: usize,
    used: Arc<AtomicUsize>,
}

impl MemoryBudget {
    /// A budget of `limit` bytes.
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::MemoryBudget::new(8).limit(), 8);
    /// ```
    pub fn new(limit: usize) -> MemoryBudget {
        MemoryBudget { limit, used: Arc::new(AtomicUsize::new(0)) }
    }

    /// The budget in bytes.
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::MemoryBudget::new(8).limit(), 8);
    /// ```
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes reserved now.
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::MemoryBudget::new(8).in_use(), 0);
    /// ```
    pub fn in_use(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    /// Takes `bytes` from the budget, or `None` when that would pass it.
    ///
    /// ```
    /// let budget = audit_cef::receive::MemoryBudget::new(8);
    /// assert!(budget.try_reserve(9).is_none());
    /// assert_eq!(budget.try_reserve(8).map(|held| held.bytes()), Some(8));
    /// ```
    pub fn try_reserve(&self, bytes: usize) -> Option<MemoryReservation> {
        let mut used = self.used.load(Ordering::Acquire);
        loop {
            let after = used.checked_add(bytes).filter(|after| *after <= self.limit)?;
            match self.used.compare_exchange_weak(used, after, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Some(MemoryReservation { bytes, limit: self.limit, used: Arc::clone(&self.used) }),
                Err(now) => used = now,
            }
        }
    }
}

impl MemoryReservation {
    /// Takes up to `extra` more bytes, as many as the budget has; how many.
    ///
    /// ```
    /// let budget = audit_cef::receive::MemoryBudget::new(10);
    /// let mut held = budget.try_reserve(4).unwrap();
    /// assert_eq!(held.grow_up_to(100), 6);
    /// assert_eq!(held.bytes(), 10);
    /// ```
    pub fn grow_up_to(&mut self, extra: usize) -> usize {
        let mut used = self.used.load(Ordering::Acquire);
        loop {
            let room = self.limit.saturating_sub(used).min(extra);
            match self.used.compare_exchange_weak(used, used + room, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => {
                    self.bytes += room;
                    return room;
                }
                Err(now) => used = now,
            }
        }
    }

    /// Holds exactly `bytes`: gives back what is over, or takes what is
    /// missing when the budget has it (else holds what it had; false).
    ///
    /// ```
    /// let budget = audit_cef::receive::MemoryBudget::new(10);
    /// let mut held = budget.try_reserve(8).unwrap();
    /// assert!(held.resize(3) && budget.in_use() == 3);
    /// assert!(!held.resize(11) && held.bytes() == 3);
    /// ```
    pub fn resize(&mut self, bytes: usize) -> bool {
        if bytes <= self.bytes {
            self.used.fetch_sub(self.bytes - bytes, Ordering::AcqRel);
            self.bytes = bytes;
            return true;
        }
        let missing = bytes - self.bytes;
        if self.grow_up_to(missing) == missing {
            return true;
        }
        // Not all of it: give back what was just taken.
        let extra = self.bytes - (bytes - missing);
        self.used.fetch_sub(extra, Ordering::AcqRel);
        self.bytes -= extra;
        false
    }

    /// The bytes held.
    ///
    /// ```
    /// let budget = audit_cef::receive::MemoryBudget::new(8);
    /// assert_eq!(budget.try_reserve(3).unwrap().bytes(), 3);
    /// ```
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for MemoryReservation {
    fn drop(&mut self) {
        self.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}
