//! What a checkpoint commits to: a short hash per entry, and the digest of
//! a whole checkpoint entry for the chain.

use sha2::{Digest, Sha256};

use crate::sign::line_ending::trim_line_ending;

/// Bytes of an [`EntryHash`]: the first 16 bytes of SHA-256.
pub const ENTRY_HASH_LEN: usize = 16;

/// Bytes of a [`ChainDigest`]: a whole SHA-256.
pub const CHAIN_DIGEST_LEN: usize = 32;

/// The short hash of one entry that a checkpoint lists: the first 16 bytes
/// of SHA-256 of the entry exactly as signed and sent (the whole line with
/// its signature, without its line ending).
///
/// ```
/// use audit_cef::checkpoint::EntryHash;
/// let hash = EntryHash::of(b"CEF:0|v|p|1|id|n|5|a=1 sig=x\n");
/// assert_eq!(hash, EntryHash::of(b"CEF:0|v|p|1|id|n|5|a=1 sig=x"));
/// assert_eq!(hash.as_bytes().len(), 16);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryHash([u8; ENTRY_HASH_LEN]);

impl EntryHash {
    /// The hash of `entry` (one trailing LF or CRLF is not hashed).
    ///
    /// ```
    /// use audit_cef::checkpoint::EntryHash;
    /// assert_ne!(EntryHash::of(b"a"), EntryHash::of(b"b"));
    /// ```
    pub fn of(entry: &[u8]) -> EntryHash {
        ChainDigest::of(entry).entry_hash()
    }

    /// From its 16 bytes.
    ///
    /// ```
    /// use audit_cef::checkpoint::EntryHash;
    /// assert_eq!(EntryHash::from_bytes([1; 16]).as_bytes(), &[1; 16]);
    /// ```
    pub const fn from_bytes(bytes: [u8; ENTRY_HASH_LEN]) -> EntryHash {
        EntryHash(bytes)
    }

    /// Its 16 bytes.
    ///
    /// ```
    /// use audit_cef::checkpoint::EntryHash;
    /// assert_eq!(EntryHash::from_bytes([7; 16]).as_bytes()[0], 7);
    /// ```
    pub const fn as_bytes(&self) -> &[u8; ENTRY_HASH_LEN] {
        &self.0
    }
}

/// SHA-256 of a whole checkpoint entry (signature included, line ending
/// not): what the next checkpoint carries as `prev`.
///
/// ```
/// use audit_cef::checkpoint::ChainDigest;
/// assert_eq!(ChainDigest::GENESIS.as_bytes(), &[0; 32]);
/// assert_ne!(ChainDigest::of(b"x"), ChainDigest::GENESIS);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainDigest([u8; CHAIN_DIGEST_LEN]);

impl ChainDigest {
    /// What the first checkpoint of a stream (`seq=0`) carries as `prev`:
    /// 32 zero bytes.
    pub const GENESIS: ChainDigest = ChainDigest([0; CHAIN_DIGEST_LEN]);

    /// The digest of a checkpoint entry (one trailing LF or CRLF is not hashed).
    ///
    /// ```
    /// use audit_cef::checkpoint::ChainDigest;
    /// assert_eq!(ChainDigest::of(b"x\r\n"), ChainDigest::of(b"x"));
    /// ```
    pub fn of(entry: &[u8]) -> ChainDigest {
        ChainDigest(Sha256::digest(trim_line_ending(entry)).into())
    }

    /// From its 32 bytes.
    ///
    /// ```
    /// use audit_cef::checkpoint::ChainDigest;
    /// assert_eq!(ChainDigest::from_bytes([0; 32]), ChainDigest::GENESIS);
    /// ```
    pub const fn from_bytes(bytes: [u8; CHAIN_DIGEST_LEN]) -> ChainDigest {
        ChainDigest(bytes)
    }

    /// Its 32 bytes.
    ///
    /// ```
    /// use audit_cef::checkpoint::ChainDigest;
    /// assert_eq!(ChainDigest::GENESIS.as_bytes().len(), 32);
    /// ```
    pub const fn as_bytes(&self) -> &[u8; CHAIN_DIGEST_LEN] {
        &self.0
    }

    /// The entry hash of the same entry: the digest's first 16 bytes.
    pub(crate) fn entry_hash(&self) -> EntryHash {
        let mut short = [0u8; ENTRY_HASH_LEN];
        for (out, byte) in short.iter_mut().zip(self.0.iter()) {
            *out = *byte;
        }
        EntryHash(short)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_hash_is_the_sha256_prefix() {
        // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 ...
        assert_eq!(
            EntryHash::of(b"abc").as_bytes(),
            &[0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23]
        );
        assert_eq!(ChainDigest::of(b"abc").as_bytes()[..4], [0xba, 0x78, 0x16, 0xbf]);
    }
}
