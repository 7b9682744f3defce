//! Tamper-evident streams: signed checkpoints that prove no entry was
//! dropped, added, duplicated or reordered (feature `sign`). Builds on the
//! `cef` and `sign` layers; nothing below imports it.
//!
//! A signature proves an entry genuine; it says nothing of the entries that
//! are not there. A checkpoint is one more signed entry in the stream that
//! lists the entries sent since the previous checkpoint, as AWS
//! CloudTrail's digest files list log files and RFC 5848's signature
//! blocks list syslog messages. Checkpoints are opt-in: entries stay
//! byte for byte what they were, and a consumer that knows nothing of
//! checkpoints sees one more event type.
//!
//! The emitter feeds each signed entry to a [`Checkpointer`], which says
//! when a checkpoint is due and writes it. The consumer feeds every
//! received entry that verified to a [`CompletenessChecker`], whose
//! [`Report`] gives per stream the entries confirmed, missing (with their
//! checkpoint and position), duplicated and reordered, the chain gaps, and
//! for all streams the unexpected entries and the unconfirmed tail.
//!
//! # Wire form (version 1)
//!
//! A checkpoint is a CEF entry signed like any other (` sig=` and 86
//! base64url characters covering every byte before it):
//!
//! ```text
//! CEF:0|<vendor>|<product>|<device version>|audit-cef.checkpoint|Checkpoint|1|cpv=1 stream=<22> seq=<n> first=<n> count=<n> prev=<43> hashes=<...> sig=<86>
//! ```
//!
//! - Header: version `0`; vendor, product and device version those of the
//!   stream's entries; event class id `audit-cef.checkpoint`; name
//!   `Checkpoint`; severity `1`. No prefix.
//! - Extension: exactly these seven keys, in this order, each once. Decimals
//!   are canonical (ASCII digits, no sign, no leading zero, at most
//!   2^64 - 1); base64url is RFC 4648 section 5 without padding, with zero
//!   trailing bits. No value needs escaping.
//!   - `cpv`: `1`, the version of these rules.
//!   - `stream`: the stream id, 16 bytes (22 characters) drawn from a
//!     cryptographic RNG each time the emitter starts, like RFC 5848's
//!     reboot session id. Positions and `seq` restart with it.
//!   - `seq`: the checkpoint's number in the stream, from 0.
//!   - `first`: the position of the first entry covered. Entries of a
//!     stream are numbered from 0 in the order sent; checkpoints are not
//!     numbered. `first` is the previous checkpoint's `first + count`, 0
//!     for `seq=0`.
//!   - `count`: how many entries it covers, 1 to 65,536 (a reader accepts
//!     0 to 65,536): positions `first .. first + count`.
//!   - `prev`: SHA-256 (32 bytes, 43 characters) of the previous checkpoint
//!     entry of the stream, exactly as sent: all its bytes, signature
//!     included, line ending excluded. 32 zero bytes for `seq=0`. The
//!     checkpoints form a hash chain.
//!   - `hashes`: `count` entry hashes back to back (`16 * count` bytes),
//!     in position order. An entry's hash is the first 16 bytes of SHA-256
//!     of the entry exactly as sent: the whole line, signature included
//!     (` sig=...` for CEF, `"sig"` inside JSON and CPS), line ending
//!     excluded. Entries of any format can be covered; the checkpoint
//!     itself is CEF.
//!
//! An emitter writes a checkpoint after the last entry it covers, every N
//! entries and, so that a quiet stream is covered too, T seconds after an
//! entry started waiting; on a clean shutdown it writes one for the
//! entries still waiting.
//!
//! # Why a hash list, not a Merkle root
//!
//! A single root or aggregate hash proves a range intact or not, and
//! nothing more. Listing one short hash per entry lets a consumer say
//! exactly which entry is missing and where, which arrived twice and which
//! out of order, and lets it attribute entries to a stream though they
//! carry no stream id: the list is what CloudTrail digests carry per log
//! file. The cost is size: 16 bytes, 21.3 base64url characters per entry,
//! about 2.2 KB per checkpoint of 100 entries; Merkle proofs of inclusion,
//! the reason to prefer a tree, have no use here since every entry is
//! received. 16 bytes of SHA-256 keep second preimages at 2^128 work;
//! two entries with the same hash (a collision, 2^64 work, and both entries
//! signed by the emitter) could stand in for each other.
//!
//! # What a consumer checks
//!
//! A consumer verifies each entry's signature first and feeds the checker
//! only entries that verified (against the keys it trusts for the stream:
//! the checker does not know which key signed what). Then, per stream:
//!
//! - checkpoints follow each other: `seq` one more than the previous one,
//!   `first` its `first + count`, `prev` its digest. A skipped `seq` is a
//!   gap of that many checkpoints (the positions between the `first`s
//!   around it are counted as gap entries); a `seq` seen already, a `prev`
//!   or `first` that does not follow, is out of sequence. Both are chain gaps.
//! - every hash a checkpoint lists is matched by one received entry;
//!   an unmatched position is missing, an extra copy is duplicated, and
//!   entries matched out of arrival order are reordered (the fewest that
//!   must move, counted within each checkpoint's range).
//! - a received entry no checkpoint lists is unexpected, unless it arrived
//!   after the stream's last checkpoint: then it is the unconfirmed tail,
//!   not yet provable.
//!
//! # What is proven, and what is not
//!
//! From a stream's first checkpoint received to its last one, every entry
//! sent is accounted for. Nothing is proven of the entries after the last
//! checkpoint (an attacker can cut the tail: it is only as long as one
//! checkpoint interval, N entries or T seconds), nor of a stream whose
//! checkpoints are all removed (a consumer that expects checkpoints sees
//! entries and no checkpoint: all unconfirmed). RFC 5848 and CloudTrail
//! share these limits.

pub(crate) mod checker;
pub(crate) mod checkpointer;
pub(crate) mod hash;
pub(crate) mod order;
pub(crate) mod received;
pub(crate) mod record;
pub(crate) mod report;

pub use checker::{CompletenessChecker, FoundSoFar};
pub use checkpointer::Checkpointer;
pub use hash::{CHAIN_DIGEST_LEN, ChainDigest, ENTRY_HASH_LEN, EntryHash};
pub use received::Received;
pub use record::{CHECKPOINT_CLASS_ID, CHECKPOINT_NAME, CHECKPOINT_VERSION, Checkpoint, MAX_COVERED, StreamId};
pub use report::{Missing, Report, StreamReport};
