//! Escaping and unescaping through 256-entry byte tables.
//!
//! Each table maps a byte to 0 (copy as is) or to the character written
//! after a backslash. The escaper copies clean runs in one call and only
//! stops at bytes that need escaping, as serde_json's and csv's writers do.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind, Result};

/// Header fields (E1): `\` and `|`. CR and LF never reach the escaper: they
/// are rejected when the event is built (E2).
// Built at compile time: an out-of-range index fails the build, not a run.
#[allow(clippy::indexing_slicing)]
pub(crate) static HEADER_ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'\\' as usize] = b'\\';
    table[b'|' as usize] = b'|';
    table
};

/// Extension values (E3): `\`, `=`, LF and CR. `|` and TAB are written as they are.
// Built at compile time: an out-of-range index fails the build, not a run.
#[allow(clippy::indexing_slicing)]
pub(crate) static VALUE_ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'\\' as usize] = b'\\';
    table[b'=' as usize] = b'=';
    table[b'\n' as usize] = b'n';
    table[b'\r' as usize] = b'r';
    table
};

/// A destination for rendered text: a `Vec<u8>`, a formatter or a writer.
/// One render core serves all three and is monomorphized for each.
pub(crate) trait Sink {
    type Error;
    fn put(&mut self, text: &str) -> core::result::Result<(), Self::Error>;
}

impl Sink for Vec<u8> {
    type Error = core::convert::Infallible;
    #[inline]
    fn put(&mut self, text: &str) -> core::result::Result<(), Self::Error> {
        self.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

/// The character to write after a backslash for `byte`, or 0.
#[inline(always)]
fn escape_of(table: &[u8; 256], byte: u8) -> u8 {
    // A u8 index into a 256-entry array is always in bounds.
    table.get(usize::from(byte)).copied().unwrap_or(0)
}

/// Writes `text` escaped with `table` into `out`, clean runs in bulk.
#[inline]
pub(crate) fn escape_to<S: Sink>(table: &[u8; 256], text: &str, out: &mut S) -> Result<(), S::Error> {
    let bytes = text.as_bytes();
    let mut run_start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let escaped = escape_of(table, byte);
        if escaped != 0 {
            // Escaped bytes are ASCII, so `run_start..at` is on char boundaries.
            out.put(text.get(run_start..at).unwrap_or_default())?;
            out.put(escape_pair(escaped))?;
            run_start = at + 1;
        }
    }
    out.put(text.get(run_start..).unwrap_or_default())
}

/// The two-character escape for an escaped character.
#[inline]
fn escape_pair(escaped: u8) -> &'static str {
    match escaped {
        b'\\' => "\\\\",
        b'|' => "\\|",
        b'=' => "\\=",
        b'n' => "\\n",
        _ => "\\r",
    }
}

/// Escapes a header field into a new `String` (E1).
///
/// ```
/// assert_eq!(audit_cef::escape_header("a|b\\c=d"), "a\\|b\\\\c=d");
/// ```
pub fn escape_header(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let Ok(()) = escape_to(&HEADER_ESCAPES, text, &mut out);
    bytes_to_string(out)
}

/// Escapes an extension value into a new `String` (E3).
///
/// ```
/// assert_eq!(audit_cef::escape_value("a=b\nc|d"), "a\\=b\\nc|d");
/// ```
pub fn escape_value(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let Ok(()) = escape_to(&VALUE_ESCAPES, text, &mut out);
    bytes_to_string(out)
}

/// Escaping only splits at ASCII bytes, so the output is UTF-8; the lossy
/// fallback can never change it and only avoids a panic path.
fn bytes_to_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

/// Which escapes a field accepts when unescaping.
#[derive(Clone, Copy)]
pub(crate) enum Field {
    /// `\\` and `\|` (P2).
    Header,
    /// `\\`, `\=`, `\n`, `\r` (P7).
    Value,
}

impl Field {
    /// What `\<next>` decodes to, or `None` if the escape is undefined.
    #[inline]
    fn decode(self, next: u8) -> Option<char> {
        match (self, next) {
            (_, b'\\') => Some('\\'),
            (Field::Header, b'|') => Some('|'),
            (Field::Value, b'=') => Some('='),
            (Field::Value, b'n') => Some('\n'),
            (Field::Value, b'r') => Some('\r'),
            _ => None,
        }
    }
}

/// Unescapes `raw`, borrowing it when it holds no backslash.
///
/// An undefined escape keeps its backslash literally; with `strict` it is an
/// error at its offset in `raw`.
pub(crate) fn unescape(raw: &str, field: Field, strict: bool) -> Result<Cow<'_, str>> {
    let Some(first) = memchr::memchr(b'\\', raw.as_bytes()) else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(raw.get(..first).unwrap_or_default());
    let mut rest = raw.get(first..).unwrap_or_default();
    let mut offset = first;
    while let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(rest.get(..at).unwrap_or_default());
        let next = rest.as_bytes().get(at + 1).copied();
        match next.and_then(|next| field.decode(next)) {
            Some(decoded) => {
                out.push(decoded);
                rest = rest.get(at + 2..).unwrap_or_default();
                offset += at + 2;
            }
            None if strict => return Err(Error::new(ErrorKind::InvalidEscape, offset + at)),
            None => {
                out.push('\\');
                rest = rest.get(at + 1..).unwrap_or_default();
                offset += at + 1;
            }
        }
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// Checks a raw value for strict parsing: only defined escapes (P7), no
/// unescaped `=` (P8), no raw CR or LF (E3). Returns the offset in `raw` of
/// the first problem.
pub(crate) fn check_strict_value(raw: &str) -> Result<()> {
    let bytes = raw.as_bytes();
    if let Some(at) = memchr::memchr2(b'\r', b'\n', bytes) {
        return Err(Error::new(ErrorKind::LineBreakInValue, at));
    }
    let mut at = 0;
    while let Some(found) = memchr::memchr2(b'\\', b'=', bytes.get(at..).unwrap_or_default()) {
        let pos = at + found;
        if bytes.get(pos) == Some(&b'=') {
            return Err(Error::new(ErrorKind::UnescapedEquals, pos));
        }
        match bytes.get(pos + 1).and_then(|&next| Field::Value.decode(next)) {
            Some(_) => at = pos + 2,
            None => return Err(Error::new(ErrorKind::InvalidEscape, pos)),
        }
    }
    Ok(())
}

/// A simple, obviously correct escaper used as the oracle in property tests
/// and as the naive baseline's building block.
#[doc(hidden)]
pub fn escape_value_reference(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '=' => out.push_str("\\="),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
    out
}

/// The header counterpart of [`escape_value_reference`].
#[doc(hidden)]
pub fn escape_header_reference(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_borrows_clean_text() {
        assert!(matches!(unescape("plain", Field::Value, true), Ok(Cow::Borrowed("plain"))));
    }

    #[test]
    fn unescape_keeps_undefined_escapes_leniently() {
        assert_eq!(unescape("a\\|b\\", Field::Value, false).ok().as_deref(), Some("a\\|b\\"));
        assert_eq!(unescape("a\\=b", Field::Header, false).ok().as_deref(), Some("a\\=b"));
        let err = unescape("ab\\|", Field::Value, true).err();
        assert_eq!(err, Some(Error::new(ErrorKind::InvalidEscape, 2)));
    }

    #[test]
    fn strict_value_check_reports_offsets() {
        assert_eq!(check_strict_value("a\\=b\\\\c"), Ok(()));
        assert_eq!(check_strict_value("id==x").err(), Some(Error::new(ErrorKind::UnescapedEquals, 2)));
        assert_eq!(check_strict_value("a\\xb").err(), Some(Error::new(ErrorKind::InvalidEscape, 1)));
        assert_eq!(check_strict_value("trail\\").err(), Some(Error::new(ErrorKind::InvalidEscape, 5)));
    }
}
