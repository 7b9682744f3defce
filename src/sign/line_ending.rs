//! One trailing line ending, which receivers and line readers leave on an
//! entry and which is never part of the signed bytes.

/// Drops one trailing line ending (LF, CRLF or CR).
pub(crate) fn trim_line_ending(entry: &[u8]) -> &[u8] {
    let entry = entry.strip_suffix(b"\n").unwrap_or(entry);
    entry.strip_suffix(b"\r").unwrap_or(entry)
}
