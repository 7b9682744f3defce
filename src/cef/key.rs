//! Extension keys, checked once against the E4 grammar.

use std::borrow::Cow;
use std::fmt;

use crate::error::{Error, ErrorKind, Result};

/// Byte classes of the E4 grammar: bit 0 = may start a key, bit 1 = may continue one.
// Built at compile time: an out-of-range index fails the build, not a run.
#[allow(clippy::indexing_slicing)]
static KEY_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        if b.is_ascii_alphanumeric() || b == b'_' {
            table[byte] = START | CONTINUE;
        } else if matches!(b, b'.' | b',' | b'-' | b'[' | b']') {
            table[byte] = CONTINUE;
        }
        byte += 1;
    }
    table
};
const START: u8 = 1;
const CONTINUE: u8 = 2;

#[inline(always)]
fn class(byte: u8) -> u8 {
    KEY_CLASS.get(usize::from(byte)).copied().unwrap_or(0)
}

/// Length of the key token at the start of `bytes` (0 if none): a start
/// byte, then continuation bytes.
#[inline]
pub(crate) fn key_token_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(&first) if class(first) & START != 0 => {
            1 + bytes.get(1..).unwrap_or_default().iter().take_while(|&&b| class(b) & CONTINUE != 0).count()
        }
        _ => 0,
    }
}

/// If a key followed by `=` starts `bytes` (P4), the key's length.
#[inline]
pub(crate) fn key_before_equals(bytes: &[u8]) -> Option<usize> {
    let len = key_token_len(bytes);
    (len > 0 && bytes.get(len) == Some(&b'=')).then_some(len)
}

/// An extension key: first character `[A-Za-z0-9_]`, then `[A-Za-z0-9_.,\-\[\]]` (E4).
///
/// Checked once when built, so an [`Event`](crate::Event) holding it always
/// renders. Keys are never rewritten: `org_id` stays `org_id`.
///
/// ```
/// use audit_cef::Key;
/// assert_eq!(Key::new("ad.Error_,Code")?.as_str(), "ad.Error_,Code");
/// assert!(Key::new("bad key").is_err());
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key<'a>(Cow<'a, str>);

impl<'a> Key<'a> {
    /// Checks `key` against E4.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidKey`] with the offset of the first byte outside
    /// the grammar (0 for an empty key).
    ///
    /// ```
    /// let err = audit_cef::Key::new("org id").unwrap_err();
    /// assert_eq!(err.offset(), Some(3));
    /// ```
    pub fn new(key: impl Into<Cow<'a, str>>) -> Result<Key<'a>> {
        let key = key.into();
        let len = key_token_len(key.as_bytes());
        if len == 0 || len != key.len() {
            return Err(Error::at(ErrorKind::InvalidKey, len));
        }
        Ok(Key(key))
    }

    /// A key the parser has already matched against the grammar.
    pub(crate) fn trusted(key: &'a str) -> Key<'a> {
        Key(Cow::Borrowed(key))
    }

    /// The key text.
    ///
    /// ```
    /// assert_eq!(audit_cef::Key::new("src")?.as_str(), "src");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key with its text owned.
    ///
    /// ```
    /// let key: audit_cef::Key<'static> = audit_cef::Key::new("src")?.into_owned();
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn into_owned(self) -> Key<'static> {
        Key(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Key<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'a> TryFrom<&'a str> for Key<'a> {
    type Error = Error;
    fn try_from(key: &'a str) -> Result<Key<'a>> {
        Key::new(key)
    }
}

impl TryFrom<String> for Key<'static> {
    type Error = Error;
    fn try_from(key: String) -> Result<Key<'static>> {
        Key::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e4_grammar() {
        for good in ["a", "_", "0", "cs1Label", "ad.field[0]", "ad.Error_,Code", "a-b", "org_id"] {
            assert!(Key::new(good).is_ok(), "{good}");
        }
        for (bad, at) in [
            ("", 0),
            (".a", 0),
            ("-a", 0),
            ("[a", 0),
            ("a b", 1),
            ("a=b", 1),
            ("a\\b", 1),
            ("a|b", 1),
            ("a\nb", 1),
            ("é", 0),
            ("kä", 1),
        ] {
            assert_eq!(Key::new(bad).err(), Some(Error::at(ErrorKind::InvalidKey, at)), "{bad:?}");
        }
    }

    #[test]
    fn key_before_equals_needs_the_equals() {
        assert_eq!(key_before_equals(b"src=1"), Some(3));
        assert_eq!(key_before_equals(b"src 1"), None);
        assert_eq!(key_before_equals(b"=1"), None);
        assert_eq!(key_before_equals(b"src"), None);
    }
}
