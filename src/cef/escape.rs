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

    /// How many bytes at the start of `bytes` need no escape: clean 8-byte
    /// words are skipped at once.
    #[inline(always)]
    fn clean_len(&self, bytes: &[u8]) -> usize {
        let mut len = 0;
        for chunk in bytes.chunks(8) {
            if let Ok(word) = <[u8; 8]>::try_from(chunk)
                && !self.any_in(u64::from_le_bytes(word))
            {
                len += 8;
                continue;
            }
            match chunk.iter().position(|&byte| self.of(byte) != 0) {
                Some(at) => return len + at,
                None => len += chunk.len(),
            }
        }
        len
    }

    /// The two-character escape of `c`, or `None` when this rule writes it as is.
    #[inline]
    fn escape_of(&self, c: char) -> Option<&'static str> {
        let byte = u8::try_from(c).ok()?;
        Some(match self.of(byte) {
            0 => return None,
            b'\\' => "\\\\",
            b'|' => "\\|",
            b'=' => "\\=",
            b'n' => "\\n",
            _ => "\\r",
        })
    }
}

/// A destination for rendered text: a `Vec<u8>`, a `String`, a formatter
/// or a writer. One render core serves all of them, monomorphized for each.
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

impl Sink for String {
    type Error = core::convert::Infallible;
    #[inline]
    fn put(&mut self, text: &str) -> core::result::Result<(), Self::Error> {
        self.push_str(text);
        Ok(())
    }
}

/// Writes `text` escaped into `out`: clean runs are found a word at a time
/// and copied in one call.
#[inline]
pub(crate) fn escape_to<S: Sink>(escapes: &Escapes, text: &str, out: &mut S) -> Result<(), S::Error> {
    let mut rest = text;
    loop {
        let clean = escapes.clean_len(rest.as_bytes());
        // The run ends before an escaped byte, which is ASCII, or at the end:
        // always a char boundary. Were it not, the char-wise path below
        // writes the same bytes.
        let Some((run, tail)) = rest.split_at_checked(clean) else {
            return escape_chars(escapes, rest, out);
        };
        out.put(run)?;
        let mut chars = tail.chars();
        let Some(special) = chars.next() else { return Ok(()) };
        match escapes.escape_of(special) {
            Some(pair) => out.put(pair)?,
            None => out.put(special.encode_utf8(&mut [0; 4]))?,
        }
        rest = chars.as_str();
    }
}

/// The char-by-char escaper: the definition [`escape_to`] speeds up.
#[cold]
fn escape_chars<S: Sink>(escapes: &Escapes, text: &str, out: &mut S) -> Result<(), S::Error> {
    for c in text.chars() {
        match escapes.escape_of(c) {
            Some(pair) => out.put(pair)?,
            None => out.put(c.encode_utf8(&mut [0; 4]))?,
        }
    }
    Ok(())
}

/// Appends a header field escaped (E1) to `out`: `\` and `|`. Allocates
/// nothing when `out` has the capacity.
///
/// ```
/// let mut out = Vec::with_capacity(32);
/// audit_cef::escape_header_into("a|b\\c=d", &mut out);
/// assert_eq!(out, b"a\\|b\\\\c=d");
/// ```
pub fn escape_header_into(text: &str, out: &mut Vec<u8>) {
    let Ok(()) = escape_to(&HEADER_ESCAPES, text, out);
}

/// Appends an extension value escaped (E3) to `out`: `\`, `=`, LF and CR.
/// Allocates nothing when `out` has the capacity.
///
/// ```
/// let mut out = Vec::with_capacity(32);
/// audit_cef::escape_value_into("a=b\nc|d", &mut out);
/// assert_eq!(out, b"a\\=b\\nc|d");
/// ```
pub fn escape_value_into(text: &str, out: &mut Vec<u8>) {
    let Ok(()) = escape_to(&VALUE_ESCAPES, text, out);
}

/// Escapes a header field into a new `String` (E1).
///
/// ```
/// assert_eq!(audit_cef::escape_header("a|b\\c=d"), "a\\|b\\\\c=d");
/// ```
pub fn escape_header(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let Ok(()) = escape_to(&HEADER_ESCAPES, text, &mut out);
    out
}

/// Escapes an extension value into a new `String` (E3).
///
/// ```
/// assert_eq!(audit_cef::escape_value("a=b\nc|d"), "a\\=b\\nc|d");
/// ```
pub fn escape_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let Ok(()) = escape_to(&VALUE_ESCAPES, text, &mut out);
    out
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
            None if strict => return Err(Error::at(ErrorKind::InvalidEscape, offset + at)),
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
        return Err(Error::at(ErrorKind::LineBreakInValue, at));
    }
    let mut at = 0;
    while let Some(found) = memchr::memchr2(b'\\', b'=', bytes.get(at..).unwrap_or_default()) {
        let pos = at + found;
        if bytes.get(pos) == Some(&b'=') {
            return Err(Error::at(ErrorKind::UnescapedEquals, pos));
        }
        match bytes.get(pos + 1).and_then(|&next| Field::Value.decode(next)) {
            Some(_) => at = pos + 2,
            None => return Err(Error::at(ErrorKind::InvalidEscape, pos)),
        }
    }
    Ok(())
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
        assert_eq!(err, Some(Error::at(ErrorKind::InvalidEscape, 2)));
    }

    #[test]
    fn strict_value_check_reports_offsets() {
        assert_eq!(check_strict_value("a\\=b\\\\c"), Ok(()));
        assert_eq!(check_strict_value("id==x").err(), Some(Error::at(ErrorKind::UnescapedEquals, 2)));
        assert_eq!(check_strict_value("a\\xb").err(), Some(Error::at(ErrorKind::InvalidEscape, 1)));
        assert_eq!(check_strict_value("trail\\").err(), Some(Error::at(ErrorKind::InvalidEscape, 5)));
    }
}
