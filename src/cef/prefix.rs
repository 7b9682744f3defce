//! Prefixes before `CEF:`: Konnect's `<RFC 3339 UTC seconds>Z <host>`, BSD
//! syslog `MMM dd HH:mm:ss <host>`, a bare `<PRI>`, and the RFC 5424 header.
//!
//! Parsing a prefix is a separate, optional step (P1): [`Line::prefix`](crate::Line::prefix)
//! always gives the bytes verbatim. chrono types at the API; fixed-width
//! digits are written and read by hand inside.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Timelike, Utc};

use crate::error::{Error, ErrorKind, Result};

/// A syslog priority `<PRI>`: facility * 8 + severity, 0 to 191.
///
/// ```
/// let pri = audit_cef::Pri::new(16, 6)?; // local0.info
/// assert_eq!(pri.value(), 134);
/// assert_eq!((pri.facility(), pri.severity()), (16, 6));
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pri(u8);

impl Pri {
    /// From facility (0-23) and severity (0-7).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPrefix`] when either is out of range.
    ///
    /// ```
    /// assert!(audit_cef::Pri::new(24, 0).is_err());
    /// ```
    pub const fn new(facility: u8, severity: u8) -> Result<Pri> {
        if facility <= 23 && severity <= 7 {
            Ok(Pri(facility * 8 + severity))
        } else {
            Err(Error::new(ErrorKind::InvalidPrefix, 0))
        }
    }

    /// The value between `<` and `>`.
    ///
    /// ```
    /// assert_eq!(audit_cef::Pri::new(0, 0)?.value(), 0);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn value(self) -> u8 {
        self.0
    }

    /// Facility, 0-23.
    ///
    /// ```
    /// assert_eq!(audit_cef::Pri::new(4, 2)?.facility(), 4);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn facility(self) -> u8 {
        self.0 / 8
    }

    /// Severity, 0-7.
    ///
    /// ```
    /// assert_eq!(audit_cef::Pri::new(4, 2)?.severity(), 2);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn severity(self) -> u8 {
        self.0 % 8
    }
}

/// A BSD syslog (RFC 3164) time: month, day and time of day, no year.
///
/// ```
/// use audit_cef::BsdTime;
/// use chrono::{TimeZone, Utc};
/// let time = BsdTime::from_datetime(&Utc.with_ymd_and_hms(2023, 4, 14, 5, 39, 8).unwrap());
/// assert_eq!((time.month(), time.day()), (4, 14));
/// assert_eq!(time.with_year(2023).map(|t| t.to_string()).as_deref(), Some("2023-04-14 05:39:08"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BsdTime {
    month: u8,
    day: u8,
    time: NaiveTime,
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl BsdTime {
    /// The month, day and whole seconds of `time` (fractions dropped: the
    /// form has none).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// let t = audit_cef::BsdTime::from_datetime(&Utc.with_ymd_and_hms(2023, 1, 2, 3, 4, 5).unwrap());
    /// assert_eq!(t.day(), 2);
    /// ```
    pub fn from_datetime<Tz: TimeZone>(time: &DateTime<Tz>) -> BsdTime {
        let naive = time.naive_local();
        BsdTime {
            month: naive.month() as u8,
            day: naive.day() as u8,
            time: NaiveTime::from_hms_opt(naive.hour(), naive.minute(), naive.second().min(59)).unwrap_or_default(),
        }
    }

    /// Month, 1-12.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// let t = audit_cef::BsdTime::from_datetime(&Utc.with_ymd_and_hms(2023, 12, 2, 3, 4, 5).unwrap());
    /// assert_eq!(t.month(), 12);
    /// ```
    pub fn month(&self) -> u8 {
        self.month
    }

    /// Day of the month, 1-31.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// let t = audit_cef::BsdTime::from_datetime(&Utc.with_ymd_and_hms(2023, 12, 31, 3, 4, 5).unwrap());
    /// assert_eq!(t.day(), 31);
    /// ```
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Time of day.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc, Timelike};
    /// let t = audit_cef::BsdTime::from_datetime(&Utc.with_ymd_and_hms(2023, 12, 31, 3, 4, 5).unwrap());
    /// assert_eq!(t.time().hour(), 3);
    /// ```
    pub fn time(&self) -> NaiveTime {
        self.time
    }

    /// The full date and time in `year`, or `None` if the day does not
    /// exist then (Feb 29).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// let t = audit_cef::BsdTime::from_datetime(&Utc.with_ymd_and_hms(2024, 2, 29, 0, 0, 0).unwrap());
    /// assert!(t.with_year(2023).is_none());
    /// ```
    pub fn with_year(&self, year: i32) -> Option<chrono::NaiveDateTime> {
        NaiveDate::from_ymd_opt(year, u32::from(self.month), u32::from(self.day)).map(|d| d.and_time(self.time))
    }
}

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

#[cold]
fn bad(offset: usize) -> Error {
    Error::new(ErrorKind::InvalidPrefix, offset)
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
    /// [`ErrorKind::InvalidPrefix`] at the first byte that fits no form.
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
                parse_rfc5424(pri, rest, at)
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
    /// [`ErrorKind::InvalidPrefix`] for what the form cannot carry: a year
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
            Prefix::Rfc5424(header) => {
                write_pri(header.pri, out);
                out.extend_from_slice(itoa::Buffer::new().format(header.version).as_bytes());
                out.push(b' ');
                match header.timestamp {
                    Some(t) => out.extend_from_slice(t.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_bytes()),
                    None => out.push(b'-'),
                }
                for field in [header.hostname, header.app_name, header.procid, header.msgid] {
                    out.push(b' ');
                    write_token(field, out)?;
                }
                out.push(b' ');
                match header.structured_data {
                    Some(sd) if structured_data_len(sd.as_bytes()) == Some(sd.len()) => {
                        out.extend_from_slice(sd.as_bytes())
                    }
                    Some(_) => return Err(bad(out.len())),
                    None => out.push(b'-'),
                }
            }
        }
        Ok(())
    }
}

/// `MMM dd HH:mm:ss`, the day space-padded (RFC 3164).
pub(crate) fn write_bsd_time(time: &BsdTime, out: &mut Vec<u8>) {
    out.extend_from_slice(MONTHS.get(usize::from(time.month).saturating_sub(1)).unwrap_or(&"Jan").as_bytes());
    out.push(b' ');
    out.push(if time.day < 10 { b' ' } else { b'0' + time.day / 10 });
    out.push(b'0' + time.day % 10);
    out.push(b' ');
    write_clock(time.time, out);
}

fn write_pri(pri: Pri, out: &mut Vec<u8>) {
    out.push(b'<');
    out.extend_from_slice(itoa::Buffer::new().format(pri.0).as_bytes());
    out.push(b'>');
}

fn write_two(value: u32, out: &mut Vec<u8>) {
    out.push(b'0' + (value / 10 % 10) as u8);
    out.push(b'0' + (value % 10) as u8);
}

fn write_clock(time: NaiveTime, out: &mut Vec<u8>) {
    write_two(time.hour(), out);
    out.push(b':');
    write_two(time.minute(), out);
    out.push(b':');
    write_two(time.second().min(59), out);
}

/// `YYYY-MM-DDTHH:MM:SSZ`, by hand from the Unix time: this sits on the
/// emitter's hot path, and integer civil-date arithmetic is several times
/// cheaper than asking chrono for each calendar field.
pub(crate) fn write_rfc3339_seconds(time: &DateTime<Utc>, out: &mut Vec<u8>) -> Result<()> {
    write_rfc3339_unix(time.timestamp(), out)
}

/// [`write_rfc3339_seconds`] from seconds since the Unix epoch.
pub(crate) fn write_rfc3339_unix(seconds: i64, out: &mut Vec<u8>) -> Result<()> {
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let year = u32::try_from(year).ok().filter(|y| *y <= 9999).ok_or_else(|| bad(out.len()))?;
    let of_day = seconds.rem_euclid(86_400) as u32;
    let mut text = *b"0000-00-00T00:00:00Z";
    for (at, value) in [
        (0, year / 100),
        (2, year % 100),
        (5, month),
        (8, day),
        (11, of_day / 3600),
        (14, of_day / 60 % 60),
        (17, of_day % 60),
    ] {
        if let Some(pair) = text.get_mut(at..at + 2) {
            pair.copy_from_slice(&[b'0' + (value / 10 % 10) as u8, b'0' + (value % 10) as u8]);
        }
    }
    out.extend_from_slice(&text);
    Ok(())
}

/// Year, month and day of `days` since 1970-01-01 in the proleptic
/// Gregorian calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn write_host(host: &str, out: &mut Vec<u8>) -> Result<()> {
    if host.is_empty() || host.starts_with(' ') || host.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(bad(out.len()));
    }
    out.push(b' ');
    out.extend_from_slice(host.as_bytes());
    Ok(())
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

/// `<PRI>`: the priority and the bytes it took.
fn parse_pri(bytes: &[u8]) -> Result<(Pri, usize)> {
    let digits = bytes.get(1..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=3).contains(&digits) || bytes.get(digits + 1) != Some(&b'>') {
        return Err(bad(1));
    }
    let value = bytes.get(1..=digits).unwrap_or_default().iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    match u8::try_from(value) {
        Ok(v) if v <= 191 => Ok((Pri(v), digits + 2)),
        _ => Err(bad(1)),
    }
}

/// Reads `N` ASCII digits at `at`.
fn digits_at(bytes: &[u8], at: usize, count: usize) -> Result<u32> {
    let slice = bytes.get(at..at + count).ok_or_else(|| bad(at))?;
    slice.iter().enumerate().try_fold(0u32, |n, (i, b)| {
        if b.is_ascii_digit() { Ok(n * 10 + u32::from(b - b'0')) } else { Err(bad(at + i)) }
    })
}

fn expect(bytes: &[u8], at: usize, byte: u8) -> Result<()> {
    if bytes.get(at) == Some(&byte) { Ok(()) } else { Err(bad(at)) }
}

/// `YYYY-MM-DDTHH:MM:SSZ` exactly.
pub(crate) fn parse_rfc3339_seconds(bytes: &[u8]) -> Result<DateTime<Utc>> {
    let year = digits_at(bytes, 0, 4)?;
    expect(bytes, 4, b'-')?;
    let month = digits_at(bytes, 5, 2)?;
    expect(bytes, 7, b'-')?;
    let day = digits_at(bytes, 8, 2)?;
    expect(bytes, 10, b'T')?;
    let hour = digits_at(bytes, 11, 2)?;
    expect(bytes, 13, b':')?;
    let minute = digits_at(bytes, 14, 2)?;
    expect(bytes, 16, b':')?;
    let second = digits_at(bytes, 17, 2)?;
    expect(bytes, 19, b'Z')?;
    let date = NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(|| bad(5))?;
    let time = NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(|| bad(11))?;
    Ok(Utc.from_utc_datetime(&date.and_time(time)))
}

/// `MMM dd HH:MM:SS`, the day space- or zero-padded.
fn parse_bsd(bytes: &[u8]) -> Result<BsdTime> {
    let name = bytes.get(..3).ok_or_else(|| bad(0))?;
    let month = MONTHS.iter().position(|m| m.as_bytes() == name).ok_or_else(|| bad(0))? + 1;
    expect(bytes, 3, b' ')?;
    let day = match bytes.get(4) {
        Some(b' ') => digits_at(bytes, 5, 1)?,
        _ => digits_at(bytes, 4, 2)?,
    };
    expect(bytes, 6, b' ')?;
    let hour = digits_at(bytes, 7, 2)?;
    expect(bytes, 9, b':')?;
    let minute = digits_at(bytes, 10, 2)?;
    expect(bytes, 12, b':')?;
    let second = digits_at(bytes, 13, 2)?;
    // Feb 29 must stay possible without a year: check against a leap year.
    NaiveDate::from_ymd_opt(2000, month as u32, day).ok_or_else(|| bad(4))?;
    let time = NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(|| bad(7))?;
    Ok(BsdTime { month: month as u8, day: day as u8, time })
}

/// The host after the time (which takes `len` bytes and one space).
fn host_after(rest: &str, len: usize) -> Result<&str> {
    expect(rest.as_bytes(), len, b' ')?;
    match rest.get(len + 1..) {
        Some(host) if !host.is_empty() && !host.starts_with(' ') => Ok(host),
        _ => Err(bad(len + 1)),
    }
}

fn parse_rfc5424<'a>(pri: Pri, rest: &'a str, base: usize) -> Result<Prefix<'a>> {
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
    Ok(Prefix::Rfc5424(Rfc5424 { pri, version, timestamp, hostname, app_name, procid, msgid, structured_data }))
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
fn structured_data_len(bytes: &[u8]) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
                parsed.as_ref().map_err(|e| *e).and_then(Prefix::render_to_string).as_deref(),
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
            assert_eq!(Prefix::parse(text).err(), Some(Error::new(ErrorKind::InvalidPrefix, at)), "{text:?}");
        }
    }

    #[test]
    fn civil_dates_match_chrono_across_the_whole_range() {
        // Every day from year 0 to 9999 in steps, plus the edges of leap years.
        let first = NaiveDate::from_ymd_opt(0, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        let mut date = first;
        while date <= last {
            let time = Utc.from_utc_datetime(&date.and_hms_opt(23, 59, 58).unwrap());
            let mut out = Vec::new();
            write_rfc3339_seconds(&time, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), time.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            date = date + chrono::Days::new(if date.year() % 400 == 0 || date.year() == 1970 { 1 } else { 13 });
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
