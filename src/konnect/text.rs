//! Text of a Konnect entry: the check every header text passes, and
//! borrowed text made owned or cut after a fixed prefix.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind, HeaderField, Result};

/// What a signed entry's header text must not hold: a line break (E2), or
/// ` sig=`, which verification would take for the signature (it is not
/// escaped in header fields, unlike in values). One pass over the text.
#[inline(always)]
pub(crate) fn no_signature_marker<T: AsRef<str>>(text: T, field: HeaderField) -> Result<T> {
    check_header_text(text.as_ref().as_bytes(), field)?;
    Ok(text)
}

#[inline(always)]
fn check_header_text(bytes: &[u8], field: HeaderField) -> Result<()> {
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(first_space_or_line_break) {
        let at = from + found;
        let rest = bytes.get(at..).unwrap_or_default();
        if !rest.starts_with(b" ") {
            return Err(Error::at(ErrorKind::LineBreakInHeader(field), at));
        }
        if rest.starts_with(b" sig=") {
            return Err(Error::at(ErrorKind::SignatureMarkerInHeader(field), at));
        }
        from = at + 1;
    }
    Ok(())
}

/// The first space, CR or LF in `bytes`. Header text is short and mostly
/// clean: 8-byte words are first tested for any byte below `!` at once
/// (`(w - 0x21..) & !w & 0x80..`, which never misses one; the last word
/// overlaps the one before it), and only a word that has one is looked at
/// byte by byte.
#[inline(always)]
fn first_space_or_line_break(bytes: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let is_stop = |b: &u8| matches!(b, b' ' | b'\r' | b'\n');
    let clean = |chunk: &[u8]| {
        <[u8; 8]>::try_from(chunk)
            .map(u64::from_le_bytes)
            .is_ok_and(|word| word.wrapping_sub(LOW.wrapping_mul(0x21)) & !word & HIGH == 0)
    };
    if bytes.len() < 8 {
        // The same test on two overlapping 4-byte words for 4-7 bytes (a
        // service name such as `konnect`), byte by byte below that.
        let clean4 = |chunk: &[u8]| {
            <[u8; 4]>::try_from(chunk)
                .map(u32::from_le_bytes)
                .is_ok_and(|word| word.wrapping_sub(0x2121_2121) & !word & 0x8080_8080 == 0)
        };
        if bytes.len() >= 4 && bytes.get(..4).is_some_and(clean4) && bytes.rchunks(4).next().is_some_and(clean4) {
            return None;
        }
        return bytes.iter().position(is_stop);
    }
    let mut words = bytes.chunks_exact(8);
    if words.all(clean) && bytes.rchunks(8).next().is_some_and(clean) {
        return None;
    }
    bytes.iter().position(is_stop)
}

/// The part of `text` after `prefix`, borrowed from it when it is borrowed.
pub(crate) fn strip<'a>(text: Cow<'a, str>, prefix: &str) -> Option<Cow<'a, str>> {
    match text {
        Cow::Borrowed(text) => text.strip_prefix(prefix).map(Cow::Borrowed),
        Cow::Owned(text) => text.strip_prefix(prefix).map(|rest| Cow::Owned(rest.to_owned())),
    }
}

/// The same text, owned.
pub(crate) fn own(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word tests never miss a stop byte, at any length (each word size
    /// and the byte-by-byte tail) and at any position.
    #[test]
    fn every_stop_byte_is_found() {
        for len in 1..=24 {
            for at in 0..len {
                for stop in [b' ', b'\r', b'\n'] {
                    let mut text = vec![b'a'; len];
                    if let Some(byte) = text.get_mut(at) {
                        *byte = stop;
                    }
                    assert_eq!(first_space_or_line_break(&text), Some(at), "len {len}, {stop:#x} at {at}");
                }
            }
            // Other low bytes pass the word test's first look but are no stops.
            for other in [b'!', b'\t', 0x1f, 0x80] {
                assert_eq!(first_space_or_line_break(&vec![other; len]), None, "len {len}, {other:#x}");
            }
        }
    }
}
