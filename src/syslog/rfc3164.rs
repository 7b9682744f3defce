//! Recognising the RFC 3164 header `TIMESTAMP HOSTNAME TAG: ` after `<PRI>`
//! (what `logger --rfc3164` writes), so that it is told apart from an entry
//! sent right after `<PRI>`.

use super::timestamp::is_rfc3339;

use crate::cef::bsd_time::parse_bsd;

/// The longest TAG RFC 3164 allows ("32 characters or less" there; 48 here
/// as RFC 5424's APP-NAME, which rsyslog and `logger` both fill from it).
const MAX_TAG: usize = 48;
/// The longest `[pid]` content read.
const MAX_PID: usize = 32;
/// The longest HOSTNAME (RFC 5424's limit).
const MAX_HOST: usize = 255;

/// The length of an RFC 3164 header at the start of `bytes` (the bytes
/// after `<PRI>`), its final `: ` included, or `None` when `bytes` does not
/// start with one:
///
/// `TIMESTAMP SP HOSTNAME SP TAG [ "[" PID "]" ] ":" SP`
///
/// - TIMESTAMP is `Mmm dd hh:mm:ss` (day space- or zero-padded), or an RFC
///   3339 time with no space in it (rsyslog's high-precision form);
/// - HOSTNAME is 1-255 printable US-ASCII characters;
/// - TAG is 1-48 of `A-Z a-z 0-9 . _ / -`, PID 1-32 of `A-Z a-z 0-9 . _ -`.
///
/// The `: ` is what keeps this unambiguous for CEF: in
/// `2025-06-18T21:02:36Z konghq.com CEF:0|...` and
/// `Jun 18 21:02:36 host CEF:0|...` the word after the host is followed by
/// `:0`, not `: `, so neither is a header.
pub(crate) fn rfc3164_header_len(bytes: &[u8]) -> Option<usize> {
    let mut at = timestamp_len(bytes)?;
    at = space_after(bytes, at)?;
    let host = run(bytes, at, MAX_HOST, |b| b.is_ascii_graphic())?;
    at = space_after(bytes, at.checked_add(host)?)?;
    let tag = run(bytes, at, MAX_TAG, |b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-'))?;
    at = at.checked_add(tag)?;
    if bytes.get(at) == Some(&b'[') {
        let pid =
            run(bytes, at.checked_add(1)?, MAX_PID, |b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))?;
        at = at.checked_add(pid)?.checked_add(1)?;
        (bytes.get(at) == Some(&b']')).then_some(())?;
        at = at.checked_add(1)?;
    }
    (bytes.get(at) == Some(&b':')).then_some(())?;
    space_after(bytes, at.checked_add(1)?)
}

/// The length of the timestamp at the start of `bytes`.
fn timestamp_len(bytes: &[u8]) -> Option<usize> {
    if parse_bsd(bytes).is_ok() {
        return Some(15);
    }
    // An RFC 3339 time runs to the first space; only digits start one.
    if !bytes.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let len = memchr::memchr(b' ', bytes)?;
    is_rfc3339(bytes.get(..len)?).then_some(len)
}

/// `at + 1` when `bytes[at]` is a space.
fn space_after(bytes: &[u8], at: usize) -> Option<usize> {
    (bytes.get(at) == Some(&b' ')).then(|| at.saturating_add(1))
}

/// The length (1 to `max`) of the run of bytes that `fits` from `at`.
fn run(bytes: &[u8], at: usize, max: usize, fits: impl Fn(u8) -> bool) -> Option<usize> {
    let len = bytes.get(at..)?.iter().take_while(|&&b| fits(b)).count();
    (1..=max).contains(&len).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logger_headers_are_recognised() {
        for (text, len) in [
            ("Nov 29 23:29:42 vm root: CEF:0|a", 25),
            ("Nov  9 23:29:42 vm audit[1146]: x", 32),
            ("Nov 09 23:29:42 h a/b.c_d-e: x", 29),
            ("2025-06-18T21:02:36.5+02:00 h app: x", 35),
            ("2025-06-18T21:02:36Z h app[x.1]: ", 33),
        ] {
            assert_eq!(rfc3164_header_len(text.as_bytes()), Some(len), "{text:?}");
        }
    }

    #[test]
    fn cef_lines_and_other_text_are_not_headers() {
        for text in [
            "Jun 18 21:02:36 host CEF:0|KongInc|Konnect|1.0|konnect|x|1|a=b",
            "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|x|1|a=b",
            "CEF:0|a|b|c|d|e|1|x=1",
            "Nov 29 23:29:42 vm root:x",
            "Nov 29 23:29:42 vm root :x",
            "Nov 29 23:29:42 vm  root: x",
            "Nov 29 23:29:42 vm root[]: x",
            "Nov 29 23:29:42 vm root[1: x",
            "Nov 29 23:29:42 vm ro%t: x",
            "Nov 31 23:29:42 vm root: x",
            "2025-13-18T21:02:36Z h app: x",
            "2025 h app: x",
            "",
        ] {
            assert_eq!(rfc3164_header_len(text.as_bytes()), None, "{text:?}");
        }
        let long_tag = format!("Nov 29 23:29:42 vm {}: x", "t".repeat(49));
        assert_eq!(rfc3164_header_len(long_tag.as_bytes()), None);
    }
}
