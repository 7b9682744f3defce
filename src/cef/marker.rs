//! The `CEF:<digits>|` marker where a CEF event starts (P1): the parser
//! looks for it, and a prefix must not contain one.

/// Offset of a `CEF:<digits>|` marker in `text`, and its digit count (P1).
/// Searches for `C` with memchr: cheaper per line than building a
/// substring searcher, and prefixes rarely hold a `C`.
pub(crate) fn find_marker(text: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(found) = memchr::memchr(b'C', text.get(from..)?) {
        let start = from + found;
        let rest = text.get(start..).unwrap_or_default();
        if rest.starts_with(b"CEF:") {
            let digits = rest.get(4..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 && rest.get(4 + digits) == Some(&b'|') {
                return Some((start, digits));
            }
        }
        from = start + 1;
    }
    None
}
