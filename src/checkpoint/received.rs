//! A verified entry read and hashed for the completeness checker, apart
//! from it: a caller that verifies on several threads reads there, and
//! feeds the checker in order on one.

use super::hash::{ChainDigest, EntryHash};
use super::record::Checkpoint;

/// What [`CompletenessChecker::add`](super::CompletenessChecker::add) makes
/// of one verified entry: a checkpoint with the digest of its entry, or
/// any other entry's hash.
///
/// ```
/// use audit_cef::checkpoint::{CompletenessChecker, Received};
/// let received = Received::of(b"CEF:0|v|p|1|id|n|1|a=1 sig=...");
/// assert!(matches!(received, Received::Entry(_)));
/// let mut checker = CompletenessChecker::new();
/// checker.add_received(received);
/// assert_eq!(checker.finish().unconfirmed_tail, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// An entry that is not a checkpoint, by its hash.
    Entry(EntryHash),
    /// A checkpoint, and the digest of its entry for the chain.
    Checkpoint(Checkpoint, ChainDigest),
}

impl Received {
    /// A signed CEF entry whose header says checkpoint and whose fields
    /// read as one is a checkpoint; anything else is an entry (a trailing
    /// line ending is ignored).
    ///
    /// ```
    /// use audit_cef::checkpoint::{EntryHash, Received};
    /// assert_eq!(Received::of(b"anything\n"), Received::Entry(EntryHash::of(b"anything")));
    /// ```
    pub fn of(entry: &[u8]) -> Received {
        if Checkpoint::is_checkpoint(entry)
            && let Ok(checkpoint) = Checkpoint::from_entry(entry)
        {
            return Received::Checkpoint(checkpoint, ChainDigest::of(entry));
        }
        Received::Entry(EntryHash::of(entry))
    }
}
