//! Prefixes before `CEF:`: Konnect's `<RFC 3339 UTC seconds>Z <host>`, BSD
//! syslog `MMM dd HH:mm:ss <host>`, a bare `<PRI>`, and the RFC 5424 header.
//!
//! Parsing a prefix is a separate, optional step (P1): [`Line::prefix`](crate::Line::prefix)
//! always gives the bytes verbatim. Each form has its own file; this one
//! tells them apart and writes the host.

use chrono::{DateTime, Utc};

use super::bsd_time::{BsdTime, parse_bsd, write_bsd_time};
use super::digits::{bad, expect};
use super::pri::{Pri, parse_pri, write_pri};
use super::rfc3339::{parse_rfc3339_seconds, write_rfc3339_seconds};
use super::rfc5424::{Rfc5424, parse_rfc5424};
use crate::error::Result;

/// A parsed prefix. Build one to render, or parse [`Line::prefix`](crate::Line::prefix).
///
/// ```
/// use audit_cef::Prefix;
/// use chrono::{TimeZone, Utc};
/// let konnect = Prefix::Rfc3339 { pri: None, time: Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).unwrap(), host: "konghq.com" };
/// assert_eq!(konnect.render_to_string()?, "2025-06-18T21:02:36Z konghq.com");
/// assert_eq!(Prefix::parse("2025-06-18T21:02:36Z konghq.com")?, konnect);
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Prefix<'a> {
    /// `[<PRI>]YYYY-MM-DDTHH:MM:SSZ <host>`: Konnect's form (whole seconds, UTC).
    Rfc3339 {
        /// Optional priority.
        pri: Option<Pri>,
        /// The time; sub-second parts are not written.
        time: DateTime<Utc>,
        /// The host and anything after it, as written.
        host: &'a str,
    },
    /// `[<PRI>]MMM dd HH:mm:ss <host>` (RFC 3164; days below 10 space-padded).
    Bsd {
        /// Optional priority.
        pri: Option<Pri>,
        /// Month, day, time.
        time: BsdTime,
        /// The host and anything after it (a tag, say), as written.
        host: &'a str,
    },
    /// A bare `<PRI>`.
    Pri(Pri),
    /// `<PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA`.
    Rfc5424(Rfc5424<'a>),
}

impl<'a> Prefix<'a> {
    /// Konnect's prefix: `time` in UTC whole seconds, then `host`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// let p = audit_cef::Prefix::konnect(Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).unwrap(), "konghq.com");
    /// assert_eq!(p.render_to_string()?, "2025-06-18T21:02:36Z konghq.com");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn konnect(time: DateTime<Utc>, host: &'a str) -> Prefix<'a> {
        Prefix::Rfc3339 { pri: None, time, host }
    }

    /// Recognises the form of `text` (a [`Line::prefix`](crate::Line::prefix)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPrefix`](crate::ErrorKind::InvalidPrefix) at the first byte that fits no form.
    ///
    /// ```
    /// use audit_cef::Prefix;
    /// let Prefix::Bsd { time, host, .. } = Prefix::parse("Apr 14 05:39:08 konghq.com")? else { panic!() };
    /// assert_eq!((time.month(), host), (4, "konghq.com"));
    /// assert!(Prefix::parse("yesterday").is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn parse(text: &'a str) -> Result<Prefix<'a>> {
        let bytes = text.as_bytes();
        let (pri, at) = match bytes.first() {
            Some(b'<') => {
                let (pri, len) = parse_pri(bytes)?;
                (Some(pri), len)
            }
            _ => (None, 0),
        };
        let rest = text.get(at..).unwrap_or_default();
        let rb = rest.as_bytes();
        match (pri, rb.first()) {
            (Some(pri), None) => Ok(Prefix::Pri(pri)),
            (Some(pri), Some(b'1'..=b'9'))
                if rb.iter().take_while(|b| b.is_ascii_digit()).count() <= 3
                    && rb.get(rb.iter().take_while(|b| b.is_ascii_digit()).count()) == Some(&b' ') =>
            {
                parse_rfc5424(pri, rest, at).map(Prefix::Rfc5424)
            }
            (_, Some(b'0'..=b'9')) => {
                let time = parse_rfc3339_seconds(rb).map_err(|e| e.shifted(at))?;
                let host = host_after(rest, 20).map_err(|e| e.shifted(at))?;
                Ok(Prefix::Rfc3339 { pri, time, host })
            }
            (_, Some(_)) => {
                let time = parse_bsd(rb).map_err(|e| e.shifted(at))?;
                let host = host_after(rest, 15).map_err(|e| e.shifted(at))?;
                Ok(Prefix::Bsd { pri, time, host })
            }
            (None, None) => Err(bad(0)),
        }
    }

    /// Appends the prefix text to `out` (no trailing space).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPrefix`](crate::ErrorKind::InvalidPrefix) for what the form cannot carry: a year
    /// outside 0-9999, an empty host or field, a space in an RFC 5424
    /// field, a CR or LF anywhere. `out` is left as it was.
    ///
    /// ```
    /// use audit_cef::{Prefix, Pri};
    /// let mut out = Vec::new();
    /// Prefix::Pri(Pri::new(16, 6)?).render_into(&mut out)?;
    /// assert_eq!(out, b"<134>");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn render_into(&self, out: &mut Vec<u8>) -> Result<()> {
        let start = out.len();
        let result = self.write(out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    /// The prefix as a `String`.
    ///
    /// # Errors
    ///
    /// As [`Prefix::render_into`].
    ///
    /// ```
    /// use audit_cef::{BsdTime, Prefix};
    /// use chrono::{TimeZone, Utc};
    /// let time = BsdTime::from_datetime(&Utc.with_ymd_and_hms(2023, 4, 4, 5, 39, 8).unwrap());
    /// assert_eq!(Prefix::Bsd { pri: None, time, host: "h" }.render_to_string()?, "Apr  4 05:39:08 h");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn render_to_string(&self) -> Result<String> {
        let mut out = Vec::with_capacity(48);
        self.render_into(&mut out)?;
        String::from_utf8(out).map_err(|_| bad(0))
    }

    fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        match self {
            Prefix::Pri(pri) => write_pri(*pri, out),
            Prefix::Rfc3339 { pri, time, host } => {
                if let Some(pri) = pri {
                    write_pri(*pri, out);
                }
                write_rfc3339_seconds(time, out)?;
                write_host(host, out)?;
            }
            Prefix::Bsd { pri, time, host } => {
                if let Some(pri) = pri {
                    write_pri(*pri, out);
                }
                write_bsd_time(time, out);
                write_host(host, out)?;
            }
            Prefix::Rfc5424(header) => header.write(out)?,
        }
        Ok(())
    }
}

fn write_host(host: &str, out: &mut Vec<u8>) -> Result<()> {
    if host.is_empty() || host.starts_with(' ') || host.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(bad(out.len()));
    }
    out.push(b' ');
    out.extend_from_slice(host.as_bytes());
    Ok(())
}

/// The host after the time (which takes `len` bytes and one space).
fn host_after(rest: &str, len: usize) -> Result<&str> {
    expect(rest.as_bytes(), len, b' ')?;
    match rest.get(len + 1..) {
        Some(host) if !host.is_empty() && !host.starts_with(' ') => Ok(host),
        _ => Err(bad(len + 1)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::error::{Error, ErrorKind};

    #[test]
    fn every_form_round_trips() {
        for text in [
            "2025-06-18T21:02:36Z konghq.com",
            "<134>2025-06-18T21:02:36Z konghq.com",
            "Apr 14 05:39:08 konghq.com",
            "Apr  4 05:39:08 host app[12]:",
            "<13>Feb 29 23:59:59 h",
            "<134>",
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"][x a=\"\\]\"]",
            "<0>1 - - - - - -",
        ] {
            let parsed = Prefix::parse(text);
            assert_eq!(
                parsed.as_ref().map_err(Error::clone).and_then(Prefix::render_to_string).as_deref(),
                Ok(text),
                "{parsed:?}"
            );
        }
    }

    #[test]
    fn zero_padded_bsd_day_is_read() {
        let parsed = Prefix::parse("Apr 04 05:39:08 h");
        assert!(matches!(parsed, Ok(Prefix::Bsd { time, .. }) if time.day() == 4));
    }

    #[test]
    fn bad_prefixes_name_the_offset() {
        for (text, at) in [
            ("", 0),
            ("2025-13-18T21:02:36Z h", 5),
            ("2025-06-18T21:02:36 h", 19),
            ("2025-06-18T21:02:36Z", 20),
            ("2025-06-18T21:02:36Z ", 21),
            ("Foo 14 05:39:08 h", 0),
            ("Apr 31 05:39:08 h", 4),
            ("<192>", 1),
            ("<1a>", 1),
            ("<13>1 - - - - - [unterminated", 16),
        ] {
            assert_eq!(Prefix::parse(text).err(), Some(Error::at(ErrorKind::InvalidPrefix, at)), "{text:?}");
        }
    }

    #[test]
    fn unrenderable_values_are_errors() {
        let far = Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).single();
        let prefix = far.map(|time| Prefix::konnect(time, "h"));
        assert!(prefix.map(|p| p.render_to_string().is_err()).unwrap_or(false));
        let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single();
        let forged = now.map(|time| Prefix::konnect(time, "h\nCEF:0|x").render_to_string().is_err());
        assert_eq!(forged, Some(true));
    }
}
