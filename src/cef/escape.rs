//! Escaping and unescaping through 256-entry byte tables.
//!
//! Each table maps a byte to 0 (copy as is) or to the character written
//! after a backslash. The escaper copies clean runs in one call and only
//! stops at bytes that need escaping, as serde_json's and csv's writers do.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind, Result};

/// An escaping rule: a 256-entry table mapping a byte to 0 (copy as is) or
/// to the character written after a backslash, and the bytes it escapes,
/// for skipping clean 8-byte words at once.
pub(crate) struct Escapes {
    table: [u8; 256],
    specials: [u8; 4],
}

// Built at compile time: an out-of-range index fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn escapes(pairs: [(u8, u8); 4]) -> Escapes {
    let mut table = [0u8; 256];
    let mut specials = [0u8; 4];
    let mut i = 0;
    while i < 4 {
        table[pairs[i].0 as usize] = pairs[i].1;
        specials[i] = pairs[i].0;
        i += 1;
    }
    Escapes { table, specials }
}

/// Header fields (E1): `\` and `|`. CR and LF never reach the escaper: they
/// are rejected when the event is built (E2).
pub(crate) static HEADER_ESCAPES: Escapes = escapes([(b'\\', b'\\'), (b'|', b'|'), (b'\\', b'\\'), (b'|', b'|')]);

/// Extension values (E3): `\`, `=`, LF and CR. `|` and TAB are written as they are.
pub(crate) static VALUE_ESCAPES: Escapes = escapes([(b'\\', b'\\'), (b'=', b'='), (b'\n', b'n'), (b'\r', b'r')]);

impl Escapes {
    /// Whether any of the 8 bytes of `word` needs escaping (the classic
    /// "has zero byte" test on `word` XOR each special byte).
    #[inline(always)]
    fn any_in(&self, word: u64) -> bool {
        const LOW: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        self.specials.iter().any(|&special| {
            let x = word ^ LOW.wrapping_mul(u64::from(special));
            x.wrapping_sub(LOW) & !x & HIGH != 0
        })
    }

    /// The character to write after a backslash for `byte`, or 0.
    #[inline(always)]
    fn of(&self, byte: u8) -> u8 {
        // A u8 index into a 256-entry array is always in bounds.
        self.table.get(usize::from(byte)).copied().unwrap_or(0)
    }
}

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

/// Writes `text` escaped into `out`: clean 8-byte words are skipped at
/// once, clean runs are copied in one call.
#[inline]
pub(crate) fn escape_to<S: Sink>(escapes: &Escapes, text: &str, out: &mut S) -> Result<(), S::Error> {
    let bytes = text.as_bytes();
    let mut run_start = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(word) = bytes.get(at..at + 8).and_then(|chunk| <[u8; 8]>::try_from(chunk).ok()) {
            if !escapes.any_in(u64::from_le_bytes(word)) {
                at += 8;
                continue;
            }
        }
        let end = bytes.len().min(at + 8);
        while at < end {
            let escaped = escapes.of(bytes.get(at).copied().unwrap_or(0));
            if escaped != 0 {
                // Escaped bytes are ASCII, so `run_start..at` is on char boundaries.
                out.put(text.get(run_start..at).unwrap_or_default())?;
                out.put(escape_pair(escaped))?;
                run_start = at + 1;
            }
            at += 1;
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
#[inline]
pub(crate) fn unescape(raw: &str, field: Field, strict: bool) -> Result<Cow<'_, str>> {
    match memchr::memchr(b'\\', raw.as_bytes()) {
        None => Ok(Cow::Borrowed(raw)),
        Some(first) => unescape_from(raw, first, field, strict),
    }
}

/// The slow path of [`unescape`]: `raw` has its first backslash at `first`.
#[inline(never)]
pub(crate) fn unescape_from(raw: &str, first: usize, field: Field, strict: bool) -> Result<Cow<'_, str>> {
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
