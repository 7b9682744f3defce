//! The RFC 5424 syslog header before the message.

use super::decimal::write_decimal;
use chrono::{DateTime, FixedOffset, SecondsFormat};

use super::digits::bad;
use super::pri::{Pri, write_pri};
use crate::error::Result;

/// The RFC 5424 header fields before the message; `None` is the nil value `-`.
///
/// ```
/// let prefix = audit_cef::Prefix::parse("<134>1 2025-06-18T21:02:36.5+02:00 host app 42 - -")?;
/// let audit_cef::Prefix::Rfc5424(header) = prefix else { panic!() };
/// assert_eq!(header.hostname, Some("host"));
/// assert_eq!(header.timestamp.map(|t| t.timestamp()), Some(1750273356));
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rfc5424<'a> {
    /// Priority.
    pub pri: Pri,
    /// Protocol version, 1 for RFC 5424.
    pub version: u16,
    /// TIMESTAMP.
    pub timestamp: Option<DateTime<FixedOffset>>,
    /// HOSTNAME.
    pub hostname: Option<&'a str>,
    /// APP-NAME.
    pub app_name: Option<&'a str>,
    /// PROCID.
    pub procid: Option<&'a str>,
    /// MSGID.
    pub msgid: Option<&'a str>,
    /// STRUCTURED-DATA as written (`[id k="v"]...`).
    pub structured_data: Option<&'a str>,
}

impl Rfc5424<'_> {
    /// Appends the header (no trailing space).
    pub(crate) fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        write_pri(self.pri, out);
        write_decimal(u64::from(self.version), out);
        out.push(b' ');
        match self.timestamp {
            Some(t) => out.extend_from_slice(t.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_bytes()),
            None => out.push(b'-'),
        }
        for field in [self.hostname, self.app_name, self.procid, self.msgid] {
            out.push(b' ');
            write_token(field, out)?;
        }
        out.push(b' ');
        match self.structured_data {
            Some(sd) if structured_data_len(sd.as_bytes()) == Some(sd.len()) => out.extend_from_slice(sd.as_bytes()),
            Some(_) => return Err(bad(out.len())),
            None => out.push(b'-'),
        }
        Ok(())
    }
}

pub(crate) fn parse_rfc5424<'a>(pri: Pri, rest: &'a str, base: usize) -> Result<Rfc5424<'a>> {
    let mut tokens = Tokens { text: rest, at: 0 };
    let version_text = tokens.next_token()?;
    let version = version_text.parse::<u16>().map_err(|_| bad(base))?;
    let time_at = tokens.at;
    let timestamp = match tokens.next_token()? {
        "-" => None,
        t => Some(DateTime::parse_from_rfc3339(t).map_err(|_| bad(base + time_at))?),
    };
    let mut nil_or = || tokens.next_token().map(|t| (t != "-").then_some(t));
    let (hostname, app_name, procid, msgid) = (nil_or()?, nil_or()?, nil_or()?, nil_or()?);
    let sd_at = tokens.at;
    let sd = rest.get(sd_at..).unwrap_or_default();
    let structured_data = match sd {
        "-" => None,
        _ if structured_data_len(sd.as_bytes()) == Some(sd.len()) => Some(sd),
        _ => return Err(bad(base + sd_at)),
    };
    Ok(Rfc5424 { pri, version, timestamp, hostname, app_name, procid, msgid, structured_data })
}

/// Space-separated tokens of an RFC 5424 header.
struct Tokens<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Tokens<'a> {
    fn next_token(&mut self) -> Result<&'a str> {
        let rest = self.text.get(self.at..).unwrap_or_default();
        let end = memchr::memchr(b' ', rest.as_bytes()).ok_or_else(|| bad(self.at + rest.len()))?;
        let token = rest.get(..end).unwrap_or_default();
        if token.is_empty() {
            return Err(bad(self.at));
        }
        self.at += end + 1;
        Ok(token)
    }
}

/// Length of the SD-ELEMENTs at the start of `bytes` (`[...]` repeated;
/// `\]`, `\"` and `\\` escaped inside quoted values), or `None`.
pub(crate) fn structured_data_len(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while bytes.get(at) == Some(&b'[') {
        let mut in_quotes = false;
        at += 1;
        loop {
            match bytes.get(at)? {
                b'\\' if in_quotes => at += 2,
                b'"' => {
                    in_quotes = !in_quotes;
                    at += 1;
                }
                b']' if !in_quotes => {
                    at += 1;
                    break;
                }
                b'\r' | b'\n' => return None,
                _ => at += 1,
            }
        }
    }
    (at > 0).then_some(at)
}

fn write_token(field: Option<&str>, out: &mut Vec<u8>) -> Result<()> {
    match field {
        None => out.push(b'-'),
        Some(t) if !t.is_empty() && t != "-" && t.bytes().all(|b| b.is_ascii_graphic()) => {
            out.extend_from_slice(t.as_bytes())
        }
        Some(_) => return Err(bad(out.len())),
    }
    Ok(())
}
