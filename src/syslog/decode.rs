//! Reading one received syslog message: its priority, its transport
//! header and the entry it carries.

use super::message::{BOM, SyslogFormat};
use super::priority::Priority;
use super::rfc3164::rfc3164_header_len;
use super::timestamp::is_rfc3339;
use crate::cef::pri::parse_pri;
use crate::cef::rfc5424::structured_data_len;
use crate::error::{Error, ErrorKind, Result};

/// A received syslog message, split into the transport header and the
/// entry; both borrow the message, and `header` followed by `entry` is the
/// whole message (a BOM before an RFC 5424 MSG counts as header).
///
/// ```
/// use audit_cef::syslog::{SyslogFormat, decode_message};
/// let received = decode_message(b"<13>Nov 29 23:29:42 vm root: CEF:0|a|b|1|c|d|5|x=1")?;
/// assert_eq!(received.format, SyslogFormat::Rfc3164);
/// assert_eq!(received.priority.value(), 13);
/// assert_eq!(received.header, b"<13>Nov 29 23:29:42 vm root: ");
/// assert_eq!(received.entry, b"CEF:0|a|b|1|c|d|5|x=1");
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received<'a> {
    /// The message's `<PRI>`.
    pub priority: Priority,
    /// RFC 5424 when `<PRI>` is followed by `1 `, else RFC 3164.
    pub format: SyslogFormat,
    /// The transport header: `<PRI>` and what follows up to the entry.
    pub header: &'a [u8],
    /// The entry, byte for byte as sent.
    pub entry: &'a [u8],
}

/// Splits one syslog message (a UDP datagram, see [`trim_datagram`], or a
/// frame from [`FrameDecoder`](super::FrameDecoder)) into its header and entry.
///
/// - `<PRI>1 ` starts an RFC 5424 message: TIMESTAMP (`-` or RFC 3339),
///   HOSTNAME, APP-NAME, PROCID and MSGID (each `-` or printable US-ASCII;
///   their lengths are not checked), STRUCTURED-DATA (`-` or `[...]`
///   elements, `\]`, `\"` and `\\` escaped in values), one space, then the
///   MSG: the entry, after a UTF-8 BOM if one is there.
/// - Anything else after `<PRI>` is RFC 3164. When it starts with the
///   header `logger --rfc3164` writes, `TIMESTAMP HOSTNAME TAG: ` or
///   `TIMESTAMP HOSTNAME TAG[PID]: ` (TIMESTAMP `Mmm dd hh:mm:ss`, or an
///   RFC 3339 time as rsyslog may write; TAG 1-48 of `A-Za-z0-9._/-`), the
///   entry follows that header; otherwise the entry is everything after
///   `<PRI>`. A CEF line with its own time and host
///   (`2025-06-18T21:02:36Z konghq.com CEF:0|...`, `Jun 18 21:02:36 host CEF:0|...`)
///   is never taken for such a header: `CEF:0|` is not `TAG: `.
///
/// Nothing is copied and the entry is not looked into: CR, LF or invalid
/// UTF-8 inside it are for the CEF parser and the verifier to judge.
///
/// # Errors
///
/// Offsets are in `message`:
///
/// - [`ErrorKind::InvalidPriority`] when it does not start with `<0>` to `<191>`;
/// - [`ErrorKind::InvalidSyslogHeader`] at the RFC 5424 field that does not parse;
/// - [`ErrorKind::MissingEntry`] when there is no entry or it is empty.
///
/// ```
/// use audit_cef::syslog::{SyslogFormat, decode_message};
/// let message = b"<110>1 2025-06-18T21:02:37.5Z relay1 konnect - - [x@1 a=\"\\]\"] \xEF\xBB\xBF2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|n|1|rt=1";
/// let received = decode_message(message)?;
/// assert_eq!(received.format, SyslogFormat::Rfc5424);
/// assert_eq!(received.entry, b"2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|n|1|rt=1");
///
/// let konnect = decode_message(b"<110>2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|n|1|rt=1")?;
/// assert_eq!(konnect.header, b"<110>");
///
/// assert!(decode_message(b"CEF:0|a|b|1|c|d|5|").is_err());
/// assert!(decode_message(b"<13>1 - - - - - -").is_err());
/// # Ok::<(), audit_cef::Error>(())
/// ```
pub fn decode_message(message: &[u8]) -> Result<Received<'_>> {
    if message.first() != Some(&b'<') {
        return Err(Error::at(ErrorKind::InvalidPriority, 0));
    }
    let (pri, pri_len) = parse_pri(message).map_err(|_| Error::at(ErrorKind::InvalidPriority, 0))?;
    let priority = Priority::from(pri);
    let rest = message.get(pri_len..).unwrap_or_default();
    let (format, header_len) = if rest.starts_with(b"1 ") {
        (SyslogFormat::Rfc5424, rfc5424_header_len(message, pri_len.saturating_add(2))?)
    } else {
        (SyslogFormat::Rfc3164, pri_len.saturating_add(rfc3164_header_len(rest).unwrap_or(0)))
    };
    let (header, entry) = message.split_at_checked(header_len).unwrap_or((message, &[]));
    if entry.is_empty() {
        return Err(Error::at(ErrorKind::MissingEntry, message.len()));
    }
    Ok(Received { priority, format, header, entry })
}

/// The length of the RFC 5424 header of `message`, its fields starting at
/// `at`, up to the MSG (the space before it and a BOM included).
fn rfc5424_header_len(message: &[u8], mut at: usize) -> Result<usize> {
    let bad = |at: usize| Error::at(ErrorKind::InvalidSyslogHeader, at);
    for field in 0..5 {
        let rest = message.get(at..).unwrap_or_default();
        let len = rest.iter().take_while(|b| b.is_ascii_graphic()).count();
        let token = rest.get(..len).unwrap_or_default();
        let valid = match (field, token) {
            (_, b"") => false,
            (_, b"-") => true,
            // TIMESTAMP: an RFC 3339 time.
            (0, time) => is_rfc3339(time),
            _ => true,
        };
        if !valid {
            return Err(bad(at));
        }
        at = at.saturating_add(len);
        if rest.get(len) != Some(&b' ') {
            return Err(bad(at));
        }
        at = at.saturating_add(1);
    }
    let rest = message.get(at..).unwrap_or_default();
    let sd_len = match rest.first() {
        Some(b'-') => 1,
        Some(b'[') => structured_data_len(rest).ok_or_else(|| bad(at))?,
        Some(_) => return Err(bad(at)),
        None => return Err(Error::at(ErrorKind::MissingEntry, at)),
    };
    at = at.saturating_add(sd_len);
    match message.get(at) {
        None => return Err(Error::at(ErrorKind::MissingEntry, at)),
        Some(b' ') => at = at.saturating_add(1),
        Some(_) => return Err(bad(at)),
    }
    if message.get(at..).is_some_and(|msg| msg.starts_with(BOM)) {
        at = at.saturating_add(BOM.len());
    }
    Ok(at)
}

/// A UDP datagram without the line ending or NUL some senders add after
/// the message: every trailing LF, CR and NUL is removed (no entry ends
/// with one). Nothing else is touched: trailing spaces are the entry's.
///
/// ```
/// use audit_cef::syslog::trim_datagram;
/// assert_eq!(trim_datagram(b"<13>CEF:0|a|b|1|c|d|5|x=1 \r\n"), b"<13>CEF:0|a|b|1|c|d|5|x=1 ");
/// assert_eq!(trim_datagram(b"<13>x\0"), b"<13>x");
/// ```
pub fn trim_datagram(datagram: &[u8]) -> &[u8] {
    let kept = datagram.iter().rposition(|b| !matches!(b, b'\n' | b'\r' | b'\0')).map_or(0, |at| at.saturating_add(1));
    datagram.get(..kept).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(message: &[u8]) -> Result<(SyslogFormat, &[u8], &[u8])> {
        decode_message(message).map(|r| (r.format, r.header, r.entry))
    }

    #[test]
    fn rfc_5424_headers_are_skipped() {
        for (message, header) in [
            (&b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\"][x a=\"\\]\"] CEF:0|"[..], 108),
            (b"<0>1 - - - - - - CEF:0|", 17),
            (b"<0>1 - - - - - -  CEF:0|", 17),
            (b"<191>1 - h a p m - \xEF\xBB\xBFCEF:0|", 22),
            (b"<13>1 - - - - - [a][b c=\"d\"] x", 29),
        ] {
            let (format, h, entry) = split(message).unwrap();
            assert_eq!((format, h.len()), (SyslogFormat::Rfc5424, header), "{}", String::from_utf8_lossy(message));
            assert_eq!([h, entry].concat(), message);
        }
    }

    #[test]
    fn bad_messages_name_the_offset() {
        for (message, err) in [
            (&b""[..], Error::at(ErrorKind::InvalidPriority, 0)),
            (b"CEF:0|a", Error::at(ErrorKind::InvalidPriority, 0)),
            (b"<192>x", Error::at(ErrorKind::InvalidPriority, 0)),
            (b"<1x>x", Error::at(ErrorKind::InvalidPriority, 0)),
            (b"<1234>x", Error::at(ErrorKind::InvalidPriority, 0)),
            (b"<13>", Error::at(ErrorKind::MissingEntry, 4)),
            (b"<13>Nov 29 23:29:42 vm root: ", Error::at(ErrorKind::MissingEntry, 29)),
            (b"<13>1 ", Error::at(ErrorKind::InvalidSyslogHeader, 6)),
            (b"<13>1 yesterday - - - - - x", Error::at(ErrorKind::InvalidSyslogHeader, 6)),
            (b"<13>1 - h\x01 - - - - x", Error::at(ErrorKind::InvalidSyslogHeader, 9)),
            (b"<13>1 -  h - - - - x", Error::at(ErrorKind::InvalidSyslogHeader, 8)),
            (b"<13>1 - - - - - ", Error::at(ErrorKind::MissingEntry, 16)),
            (b"<13>1 - - - - - -", Error::at(ErrorKind::MissingEntry, 17)),
            (b"<13>1 - - - - - - ", Error::at(ErrorKind::MissingEntry, 18)),
            (b"<13>1 - - - - - - \xEF\xBB\xBF", Error::at(ErrorKind::MissingEntry, 21)),
            (b"<13>1 - - - - - [x a=\"] x", Error::at(ErrorKind::InvalidSyslogHeader, 16)),
            (b"<13>1 - - - - - [x]x", Error::at(ErrorKind::InvalidSyslogHeader, 19)),
            (b"<13>1 - - - - - x x", Error::at(ErrorKind::InvalidSyslogHeader, 16)),
        ] {
            assert_eq!(split(message).err(), Some(err), "{}", String::from_utf8_lossy(message));
        }
    }

    #[test]
    fn rfc_3164_keeps_an_entry_that_only_looks_like_a_header() {
        for message in [
            &b"<13>Jun 18 21:02:36 host CEF:0|a|b|1|c|d|5|x=1"[..],
            b"<110>2025-06-18T21:02:36Z konghq.com CEF:0|a|b|1|c|d|5|x=1",
            b"<13>2 - - - - - - x",
            b"<13>CEF:0|a",
            b"<13>\xFF\xFE",
        ] {
            assert_eq!(
                split(message).map(|(f, h, _)| (f, h.len())),
                Ok((SyslogFormat::Rfc3164, 4 + usize::from(message.get(4) == Some(&b'>'))))
            );
        }
    }

    #[test]
    fn datagrams_lose_only_trailing_line_ends() {
        assert_eq!(trim_datagram(b"\n\r\0"), b"");
        assert_eq!(trim_datagram(b"a\nb\n"), b"a\nb");
        assert_eq!(trim_datagram(b""), b"");
    }
}
