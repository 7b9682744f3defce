//! The checkpoint entry itself: its fields, rendered as a CEF event and
//! read back from a verified entry.

use std::borrow::Cow;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::hash::{CHAIN_DIGEST_LEN, ChainDigest, ENTRY_HASH_LEN, EntryHash};
use crate::cef::{Event, Parser, Severity};
use crate::error::{Error, ErrorKind, Result};
use crate::sign::signature::split_cef;

/// The event class id of every checkpoint entry.
pub const CHECKPOINT_CLASS_ID: &str = "audit-cef.checkpoint";
/// The name of every checkpoint entry.
pub const CHECKPOINT_NAME: &str = "Checkpoint";
/// The value of `cpv`, the version of these rules.
pub const CHECKPOINT_VERSION: &str = "1";
/// The most entries one checkpoint may cover (its `hashes` is then 1 MiB
/// of base64url); readers refuse more.
pub const MAX_COVERED: usize = 65_536;

/// The extension keys, in the one order they are written and read.
const KEYS: [&str; 7] = ["cpv", "stream", "seq", "first", "count", "prev", "hashes"];

/// A stream's id: 16 random bytes drawn by the emitter each time it
/// starts (RFC 5848's reboot session id), written as 22 base64url characters.
///
/// ```
/// use audit_cef::checkpoint::StreamId;
/// let id = StreamId::from_bytes([0xff; 16]);
/// assert_eq!(id.to_string(), "_____________________w");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamId([u8; 16]);

impl StreamId {
    /// From 16 bytes, which the caller draws from a cryptographic RNG
    /// (the library has none).
    ///
    /// ```
    /// let id = audit_cef::checkpoint::StreamId::from_bytes([1; 16]);
    /// assert_eq!(id.as_bytes(), &[1; 16]);
    /// ```
    pub const fn from_bytes(bytes: [u8; 16]) -> StreamId {
        StreamId(bytes)
    }

    /// Its 16 bytes.
    ///
    /// ```
    /// assert_eq!(audit_cef::checkpoint::StreamId::from_bytes([2; 16]).as_bytes()[15], 2);
    /// ```
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

/// One checkpoint: which stream, its place in the chain, and the entries
/// it covers. See the [module docs](crate::checkpoint) for the wire form.
///
/// ```
/// use audit_cef::checkpoint::{ChainDigest, Checkpoint, EntryHash, StreamId};
/// use audit_cef::{KeySet, Signer, Verifier};
/// let checkpoint = Checkpoint {
///     stream: StreamId::from_bytes([9; 16]),
///     seq: 0,
///     first: 0,
///     prev: ChainDigest::GENESIS,
///     hashes: vec![EntryHash::of(b"one"), EntryHash::of(b"two")],
/// };
/// let signer = Signer::from_seed(&[1; 32]);
/// let mut line = Vec::new();
/// checkpoint.to_event("KongInc", "Konnect", "1.0")?.render_into(&mut line);
/// signer.sign_cef(&mut line, 0)?;
/// Verifier::new(KeySet::from_keys([signer.public_key()])).verify_cef(&line)?;
/// assert_eq!(Checkpoint::from_entry(&line)?, checkpoint);
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The stream it belongs to.
    pub stream: StreamId,
    /// Its number in the stream, from 0.
    pub seq: u64,
    /// The position of the first entry it covers (entries of a stream are
    /// numbered from 0, checkpoints not counted).
    pub first: u64,
    /// The digest of the stream's previous checkpoint entry, or
    /// [`ChainDigest::GENESIS`] for `seq` 0.
    pub prev: ChainDigest,
    /// The short hash of each covered entry, in stream order: it covers
    /// positions `first .. first + hashes.len()`.
    pub hashes: Vec<EntryHash>,
}

impl Checkpoint {
    /// The position after the last entry it covers (saturating).
    ///
    /// ```
    /// # use audit_cef::checkpoint::{ChainDigest, Checkpoint, StreamId};
    /// let checkpoint = Checkpoint { stream: StreamId::from_bytes([0; 16]), seq: 0, first: 5, prev: ChainDigest::GENESIS, hashes: Vec::new() };
    /// assert_eq!(checkpoint.end(), 5);
    /// ```
    pub fn end(&self) -> u64 {
        self.first.saturating_add(u64::try_from(self.hashes.len()).unwrap_or(u64::MAX))
    }

    /// The CEF event of this checkpoint under the stream's vendor, product
    /// and device version, ready to render and sign.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LineBreakInHeader`] when a header field holds a line break.
    ///
    /// ```
    /// # use audit_cef::checkpoint::{ChainDigest, Checkpoint, StreamId};
    /// let checkpoint = Checkpoint { stream: StreamId::from_bytes([0; 16]), seq: 3, first: 300, prev: ChainDigest::GENESIS, hashes: Vec::new() };
    /// let text = checkpoint.to_event("KongInc", "Konnect", "1.0")?.to_string();
    /// assert!(text.starts_with("CEF:0|KongInc|Konnect|1.0|audit-cef.checkpoint|Checkpoint|1|cpv=1 stream=AAAAAAAAAAAAAAAAAAAAAA seq=3 first=300 count=0 prev="));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn to_event<'a>(
        &self,
        vendor: impl Into<Cow<'a, str>>,
        product: impl Into<Cow<'a, str>>,
        device_version: impl Into<Cow<'a, str>>,
    ) -> Result<Event<'a>> {
        let mut event = Event::new(
            vendor,
            product,
            device_version,
            CHECKPOINT_CLASS_ID,
            CHECKPOINT_NAME,
            Severity::from_level(1)?,
        )?;
        let mut hashes = Vec::with_capacity(self.hashes.len().saturating_mul(ENTRY_HASH_LEN));
        for hash in &self.hashes {
            hashes.extend_from_slice(hash.as_bytes());
        }
        let values = [
            CHECKPOINT_VERSION.to_string(),
            self.stream.to_string(),
            self.seq.to_string(),
            self.first.to_string(),
            self.hashes.len().to_string(),
            URL_SAFE_NO_PAD.encode(self.prev.as_bytes()),
            URL_SAFE_NO_PAD.encode(&hashes),
        ];
        for (key, value) in KEYS.into_iter().zip(values) {
            event.push(key, value)?;
        }
        Ok(event)
    }

    /// Whether a signed CEF entry is a checkpoint by its header (its event
    /// class id and name), without reading its fields.
    ///
    /// ```
    /// use audit_cef::checkpoint::Checkpoint;
    /// assert!(Checkpoint::is_checkpoint(b"CEF:0|v|p|1|audit-cef.checkpoint|Checkpoint|1|cpv=1 sig=x"));
    /// assert!(!Checkpoint::is_checkpoint(b"CEF:0|v|p|1|konnect|Authz.usage|1|a=1 sig=x"));
    /// ```
    pub fn is_checkpoint(entry: &[u8]) -> bool {
        memchr::memmem::find(entry, b"|audit-cef.checkpoint|Checkpoint|").is_some()
            && Parser::new()
                .parse(entry)
                .is_ok_and(|line| line.event_class_id() == CHECKPOINT_CLASS_ID && line.name() == CHECKPOINT_NAME)
    }

    /// Reads a checkpoint from a signed CEF entry (verify it first: this
    /// checks the form, not the signature).
    ///
    /// # Errors
    ///
    /// The splitter's and parser's errors for an entry that is not signed
    /// CEF, and [`ErrorKind::InvalidCheckpoint`] for one whose class id,
    /// name or extension are not exactly a checkpoint's: the seven keys in
    /// order, each once, canonical decimals and base64url, `count` hashes.
    ///
    /// ```
    /// use audit_cef::ErrorKind;
    /// use audit_cef::checkpoint::Checkpoint;
    /// let err = Checkpoint::from_entry(b"CEF:0|v|p|1|id|n|1|a=1 sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidCheckpoint);
    /// ```
    pub fn from_entry(entry: &[u8]) -> Result<Checkpoint> {
        let split = split_cef(entry)?;
        let line = Parser::new().parse(split.signed)?;
        let invalid = |at: usize| Error::at(ErrorKind::InvalidCheckpoint, at);
        fn field<'v>(value: Option<(Cow<'v, str>, usize)>) -> Result<(Cow<'v, str>, usize)> {
            value.ok_or_else(|| Error::new(ErrorKind::InvalidCheckpoint))
        }
        if line.event_class_id() != CHECKPOINT_CLASS_ID || line.name() != CHECKPOINT_NAME {
            return Err(invalid(0));
        }
        let mut values: [Option<(Cow<'_, str>, usize)>; 7] = Default::default();
        let mut pairs = line.pairs();
        for (slot, key) in values.iter_mut().zip(KEYS) {
            let pair = pairs.next().ok_or_else(|| invalid(split.signed.len()))?;
            if pair.key() != key {
                return Err(invalid(pair.offset()));
            }
            *slot = Some((pair.value(), pair.value_offset()));
        }
        if let Some(extra) = pairs.next() {
            return Err(invalid(extra.offset()));
        }
        let [cpv, stream, seq, first, count, prev, hashes] = values;
        let (cpv, at) = field(cpv)?;
        if cpv != CHECKPOINT_VERSION {
            return Err(invalid(at));
        }
        let (stream, at) = field(stream)?;
        let stream = StreamId(decode_exact::<16>(&stream).ok_or_else(|| invalid(at))?);
        let (seq, at) = field(seq)?;
        let seq = decimal(&seq).ok_or_else(|| invalid(at))?;
        let (first, at) = field(first)?;
        let first = decimal(&first).ok_or_else(|| invalid(at))?;
        let (count, count_at) = field(count)?;
        let count = decimal(&count)
            .and_then(|count| usize::try_from(count).ok())
            .filter(|count| *count <= MAX_COVERED)
            .ok_or_else(|| invalid(count_at))?;
        let (prev, at) = field(prev)?;
        let prev = ChainDigest::from_bytes(decode_exact::<CHAIN_DIGEST_LEN>(&prev).ok_or_else(|| invalid(at))?);
        if seq == 0 && prev != ChainDigest::GENESIS {
            return Err(invalid(at));
        }
        let (hashes, at) = field(hashes)?;
        // Checked before decoding, so a huge value costs nothing.
        if Some(hashes.len()) != base64::encoded_len(count.saturating_mul(ENTRY_HASH_LEN), false) {
            return Err(invalid(at));
        }
        let bytes = URL_SAFE_NO_PAD.decode(hashes.as_bytes()).map_err(|_| invalid(at))?;
        if bytes.len() != count.saturating_mul(ENTRY_HASH_LEN) {
            return Err(invalid(count_at));
        }
        let hashes = bytes
            .chunks_exact(ENTRY_HASH_LEN)
            .map(|chunk| {
                let mut hash = [0u8; ENTRY_HASH_LEN];
                hash.copy_from_slice(chunk);
                EntryHash::from_bytes(hash)
            })
            .collect();
        Ok(Checkpoint { stream, seq, first, prev, hashes })
    }
}

/// Exactly `N` bytes from canonical unpadded base64url.
fn decode_exact<const N: usize>(text: &str) -> Option<[u8; N]> {
    if Some(text.len()) != base64::encoded_len(N, false) {
        return None;
    }
    let mut out = [0u8; N];
    match URL_SAFE_NO_PAD.decode_slice(text.as_bytes(), &mut out) {
        Ok(written) if written == N => Some(out),
        _ => None,
    }
}

/// A canonical decimal: digits only, no leading zero, fits a `u64`.
fn decimal(text: &str) -> Option<u64> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_numbers_and_lengths() {
        assert_eq!(decimal("0"), Some(0));
        assert_eq!(decimal("18446744073709551615"), Some(u64::MAX));
        for bad in ["", "01", "+1", "1 ", "18446744073709551616", "-0"] {
            assert_eq!(decimal(bad), None, "{bad:?}");
        }
        assert_eq!(base64::encoded_len(16, false), Some(22));
        assert_eq!(base64::encoded_len(32, false), Some(43));
        assert_eq!(base64::encoded_len(1600, false), Some(URL_SAFE_NO_PAD.encode([0u8; 1600]).len()));
        assert_eq!(decode_exact::<16>("_____________________w"), Some([0xff; 16]));
        assert_eq!(decode_exact::<16>("_____________________x"), None, "non-zero trailing bits");
    }
}
