//! Writing one syslog message that carries one entry.

use super::header::Header;
use super::priority::{Priority, write_priority};
use super::rfc3164::rfc3164_header_len;
use crate::error::{Error, ErrorKind, Result};

/// The UTF-8 byte order mark, which RFC 5424 puts before a UTF-8 MSG.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Which syslog message format carries the entry.
///
/// ```
/// use audit_cef::syslog::SyslogFormat;
/// assert_ne!(SyslogFormat::Rfc5424, SyslogFormat::Rfc3164);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyslogFormat {
    /// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`.
    Rfc5424,
    /// BSD syslog: `<PRI>` and the entry. A Konnect entry starts with its
    /// own time and host, which makes it a whole RFC 3164 message.
    Rfc3164,
}

/// Appends one syslog message carrying `entry` to `out`:
///
/// - [`SyslogFormat::Rfc5424`]: `<PRI>1 `, the `header` fields, `-` for
///   STRUCTURED-DATA, a space and the entry (no BOM);
/// - [`SyslogFormat::Rfc3164`]: `<PRI>` immediately followed by the entry;
///   `header` is not used.
///
/// The entry is written unchanged, and [`decode_message`](super::decode_message)
/// gives exactly these bytes back: entries it could not are refused.
///
/// # Errors
///
/// `out` is left as it was, and the offset is in the entry or (for a header
/// field) in the message:
///
/// - [`ErrorKind::MissingEntry`] for an empty entry;
/// - [`ErrorKind::LineBreakInEntry`] at the first CR or LF of the entry (no
///   signed entry holds one, and LF framing could not carry it);
/// - [`ErrorKind::AmbiguousEntry`] at 0 for an entry that would be read back
///   as part of the header: as RFC 3164, one that starts with `1 ` (RFC 5424's
///   version) or with `TIMESTAMP HOSTNAME TAG: `; as RFC 5424, one that
///   starts with a UTF-8 BOM;
/// - [`ErrorKind::InvalidSyslogHeader`] for a header field RFC 5424 cannot
///   carry (see [`Header`]).
///
/// ```
/// use audit_cef::chrono::{TimeZone, Utc};
/// use audit_cef::syslog::{Header, Priority, SyslogFormat, encode_message};
/// let entry = b"2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1";
///
/// let mut out = Vec::new();
/// encode_message(SyslogFormat::Rfc3164, Priority::DEFAULT, &Header::default(), entry, &mut out)?;
/// assert_eq!(out, [&b"<110>"[..], entry].concat());
///
/// out.clear();
/// let header = Header {
///     timestamp: Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 37).single(),
///     hostname: Some("relay1"),
///     app_name: Some("konnect"),
///     ..Header::default()
/// };
/// encode_message(SyslogFormat::Rfc5424, Priority::from_cef_severity(13, 1)?, &header, entry, &mut out)?;
/// assert_eq!(out, [&b"<110>1 2025-06-18T21:02:37Z relay1 konnect - - - "[..], entry].concat());
///
/// let err = encode_message(SyslogFormat::Rfc5424, Priority::DEFAULT, &header, b"a\nb", &mut out).unwrap_err();
/// assert_eq!(err.offset(), Some(1));
/// # Ok::<(), audit_cef::Error>(())
/// ```
pub fn encode_message(
    format: SyslogFormat,
    priority: Priority,
    header: &Header<'_>,
    entry: &[u8],
    out: &mut Vec<u8>,
) -> Result<()> {
    check_entry(format, entry)?;
    let start = out.len();
    write_priority(priority, out);
    if format == SyslogFormat::Rfc5424 {
        out.extend_from_slice(b"1 ");
        let base = out.len().saturating_sub(start);
        if let Err(err) = header.write(base, out) {
            out.truncate(start);
            return Err(err);
        }
        out.push(b' ');
    }
    out.extend_from_slice(entry);
    Ok(())
}

/// Refuses entries that would not come back whole.
fn check_entry(format: SyslogFormat, entry: &[u8]) -> Result<()> {
    if entry.is_empty() {
        return Err(Error::new(ErrorKind::MissingEntry));
    }
    if let Some(at) = memchr::memchr2(b'\n', b'\r', entry) {
        return Err(Error::at(ErrorKind::LineBreakInEntry, at));
    }
    let ambiguous = match format {
        SyslogFormat::Rfc5424 => entry.starts_with(BOM),
        SyslogFormat::Rfc3164 => entry.starts_with(b"1 ") || rfc3164_header_len(entry).is_some(),
    };
    if ambiguous { Err(Error::at(ErrorKind::AmbiguousEntry, 0)) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(format: SyslogFormat, entry: &[u8]) -> Result<Vec<u8>> {
        let mut out = b"kept".to_vec();
        let result = encode_message(format, Priority::DEFAULT, &Header::default(), entry, &mut out);
        match result {
            Ok(()) => Ok(out),
            Err(err) => {
                assert_eq!(out, b"kept");
                Err(err)
            }
        }
    }

    #[test]
    fn entries_that_would_not_come_back_are_refused() {
        use SyslogFormat::{Rfc3164, Rfc5424};
        for (format, entry, err) in [
            (Rfc5424, &b""[..], Error::new(ErrorKind::MissingEntry)),
            (Rfc3164, b"", Error::new(ErrorKind::MissingEntry)),
            (Rfc3164, b"CEF:0|a\r", Error::at(ErrorKind::LineBreakInEntry, 7)),
            (Rfc5424, b"\nCEF", Error::at(ErrorKind::LineBreakInEntry, 0)),
            (Rfc5424, b"\xEF\xBB\xBFCEF:0|", Error::at(ErrorKind::AmbiguousEntry, 0)),
            (Rfc3164, b"1 CEF:0|", Error::at(ErrorKind::AmbiguousEntry, 0)),
            (Rfc3164, b"Nov 29 23:29:42 vm root: CEF:0|", Error::at(ErrorKind::AmbiguousEntry, 0)),
        ] {
            assert_eq!(encode(format, entry), Err(err), "{format:?} {entry:?}");
        }
        // What is ambiguous in one format is fine in the other.
        assert!(encode(Rfc5424, b"1 CEF:0|").is_ok());
        assert!(encode(Rfc3164, b"\xEF\xBB\xBFCEF:0|").is_ok());
    }

    #[test]
    fn a_bad_header_field_leaves_out_as_it_was() {
        let mut out = b"kept".to_vec();
        let header = Header { msgid: Some("a b"), ..Header::default() };
        let err = encode_message(SyslogFormat::Rfc5424, Priority::DEFAULT, &header, b"x", &mut out);
        // `<110>1 - - - - ` is 15 bytes: MSGID starts there.
        assert_eq!(err, Err(Error::at(ErrorKind::InvalidSyslogHeader, 15)));
        assert_eq!(out, b"kept");
    }
}
