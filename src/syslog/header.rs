//! The RFC 5424 header fields a message is sent with.

use chrono::{DateTime, SecondsFormat, Timelike, Utc};

use crate::error::{Error, ErrorKind, Result};

/// The fields of an RFC 5424 header after `<PRI>1`: `None` (or an empty
/// string) is sent as the nil value `-`. The caller passes the time: this
/// module reads no clock. STRUCTURED-DATA is always `-`, and RFC 3164
/// messages use none of these fields (see [`encode_message`](super::encode_message)).
///
/// | field | sent as | limit |
/// |---|---|---|
/// | `timestamp` | RFC 3339 in UTC with `Z`, fractions truncated to microseconds | years 0-9999, no leap second |
/// | `hostname` | as given | 1-255 printable US-ASCII (`!` to `~`) |
/// | `app_name` | as given | 1-48 |
/// | `procid` | as given | 1-128 |
/// | `msgid` | as given | 1-32 |
///
/// ```
/// use audit_cef::chrono::{TimeZone, Utc};
/// use audit_cef::syslog::Header;
/// let header = Header {
///     timestamp: Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).single(),
///     hostname: Some("gw1.example.com"),
///     app_name: Some("konnect"),
///     ..Header::default()
/// };
/// assert_eq!(header.procid, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Header<'a> {
    /// TIMESTAMP; `None` is `-`.
    pub timestamp: Option<DateTime<Utc>>,
    /// HOSTNAME: the FQDN, an IP address or a host name.
    pub hostname: Option<&'a str>,
    /// APP-NAME.
    pub app_name: Option<&'a str>,
    /// PROCID.
    pub procid: Option<&'a str>,
    /// MSGID.
    pub msgid: Option<&'a str>,
}

/// RFC 5424's length limits of HOSTNAME, APP-NAME, PROCID and MSGID.
const LIMITS: [usize; 4] = [255, 48, 128, 32];

impl Header<'_> {
    /// Appends `TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP -`;
    /// errors are at `base` plus the field's offset in `out`.
    pub(crate) fn write(&self, base: usize, out: &mut Vec<u8>) -> Result<()> {
        let start = out.len();
        let at = |out: &Vec<u8>| {
            Error::at(ErrorKind::InvalidSyslogHeader, base.saturating_add(out.len().saturating_sub(start)))
        };
        match self.timestamp {
            Some(time) => write_timestamp(&time, out).map_err(|()| at(out))?,
            None => out.push(b'-'),
        }
        for (field, limit) in [self.hostname, self.app_name, self.procid, self.msgid].into_iter().zip(LIMITS) {
            out.push(b' ');
            match field {
                None | Some("") => out.push(b'-'),
                Some(text) if text.len() <= limit && text.bytes().all(|b| b.is_ascii_graphic()) => {
                    out.extend_from_slice(text.as_bytes())
                }
                Some(_) => return Err(at(out)),
            }
        }
        out.extend_from_slice(b" -");
        Ok(())
    }
}

/// RFC 3339 with `Z` and at most six fraction digits (RFC 5424's TIMESTAMP).
fn write_timestamp(time: &DateTime<Utc>, out: &mut Vec<u8>) -> core::result::Result<(), ()> {
    let nanos = time.nanosecond();
    // chrono keeps a leap second as nanoseconds past 1e9; RFC 5424 forbids it.
    if nanos >= 1_000_000_000 || !(0..=9999).contains(&chrono::Datelike::year(time)) {
        return Err(());
    }
    let micros = time.with_nanosecond(nanos / 1000 * 1000).ok_or(())?;
    out.extend_from_slice(micros.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn written(header: &Header<'_>) -> Result<String> {
        let mut out = Vec::new();
        header.write(10, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn nil_fields_and_times_are_written_as_rfc_5424_wants() {
        assert_eq!(written(&Header::default()).unwrap(), "- - - - - -");
        let time = Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).unwrap();
        let header = Header {
            timestamp: Some(time.with_nanosecond(123_456_789).unwrap()),
            hostname: Some("h"),
            app_name: Some(""),
            procid: Some("42"),
            msgid: Some("ID47"),
        };
        assert_eq!(written(&header).unwrap(), "2025-06-18T21:02:36.123456Z h - 42 ID47 -");
        let header = Header { timestamp: Some(time.with_nanosecond(500_000_000).unwrap()), ..Header::default() };
        assert_eq!(written(&header).unwrap(), "2025-06-18T21:02:36.500Z - - - - -");
        let header = Header { timestamp: Some(time), ..Header::default() };
        assert_eq!(written(&header).unwrap(), "2025-06-18T21:02:36Z - - - - -");
    }

    #[test]
    fn fields_the_header_cannot_carry_are_refused_at_their_offset() {
        let long = "x".repeat(49);
        for (header, at) in [
            (Header { hostname: Some("a b"), ..Header::default() }, 12),
            (Header { hostname: Some("é"), ..Header::default() }, 12),
            (Header { app_name: Some(&long), ..Header::default() }, 14),
            (Header { procid: Some("a\n"), ..Header::default() }, 16),
            (Header { msgid: Some(&long[..33]), ..Header::default() }, 18),
            (Header { timestamp: Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).single(), ..Header::default() }, 10),
            (
                Header {
                    timestamp: Utc.with_ymd_and_hms(2016, 12, 31, 23, 59, 59).unwrap().with_nanosecond(1_000_000_000),
                    ..Header::default()
                },
                10,
            ),
        ] {
            assert_eq!(written(&header), Err(Error::at(ErrorKind::InvalidSyslogHeader, at)), "{header:?}");
        }
        assert!(written(&Header { hostname: Some(&"h".repeat(255)), ..Header::default() }).is_ok());
    }
}
