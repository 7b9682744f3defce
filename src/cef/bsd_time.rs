//! The BSD syslog (RFC 3164) time `MMM dd HH:mm:ss`.

use chrono::{DateTime, Datelike, Month, NaiveDate, NaiveTime, TimeZone, Timelike};

use super::digits::{bad, digits_at, expect, write_clock};
use crate::error::Result;

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
    month: Month,
    day: u8,
    time: NaiveTime,
}

/// The months in order, as RFC 3164 writes them.
const MONTHS: [(Month, &str); 12] = [
    (Month::January, "Jan"),
    (Month::February, "Feb"),
    (Month::March, "Mar"),
    (Month::April, "Apr"),
    (Month::May, "May"),
    (Month::June, "Jun"),
    (Month::July, "Jul"),
    (Month::August, "Aug"),
    (Month::September, "Sep"),
    (Month::October, "Oct"),
    (Month::November, "Nov"),
    (Month::December, "Dec"),
];

/// RFC 3164's name of `month`.
fn abbreviation(month: Month) -> &'static str {
    match month {
        Month::January => "Jan",
        Month::February => "Feb",
        Month::March => "Mar",
        Month::April => "Apr",
        Month::May => "May",
        Month::June => "Jun",
        Month::July => "Jul",
        Month::August => "Aug",
        Month::September => "Sep",
        Month::October => "Oct",
        Month::November => "Nov",
        Month::December => "Dec",
    }
}

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
        // chrono's month0 is 0-11, so the lookup always finds one.
        let found = MONTHS.get(naive.month0() as usize);
        debug_assert!(found.is_some(), "chrono months are 0-11");
        let month = found.map_or(Month::December, |(month, _)| *month);
        // Setting the nanoseconds to 0 cannot fail; kept whole otherwise, the
        // written text would be the same (it has no fraction).
        let clock = naive.time();
        BsdTime { month, day: naive.day() as u8, time: clock.with_nanosecond(0).unwrap_or(clock) }
    }

    /// Month, 1-12.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// let t = audit_cef::BsdTime::from_datetime(&Utc.with_ymd_and_hms(2023, 12, 2, 3, 4, 5).unwrap());
    /// assert_eq!(t.month(), 12);
    /// ```
    pub fn month(&self) -> u8 {
        self.month.number_from_month() as u8
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
        NaiveDate::from_ymd_opt(year, self.month.number_from_month(), u32::from(self.day))
            .map(|d| d.and_time(self.time))
    }
}

/// `MMM dd HH:mm:ss`, the day space-padded (RFC 3164).
pub(crate) fn write_bsd_time(time: &BsdTime, out: &mut Vec<u8>) {
    out.extend_from_slice(abbreviation(time.month).as_bytes());
    out.push(b' ');
    out.push(if time.day < 10 { b' ' } else { b'0' + time.day / 10 });
    out.push(b'0' + time.day % 10);
    out.push(b' ');
    write_clock(time.time, out);
}

/// `MMM dd HH:MM:SS`, the day space- or zero-padded.
pub(crate) fn parse_bsd(bytes: &[u8]) -> Result<BsdTime> {
    let name = bytes.get(..3).ok_or_else(|| bad(0))?;
    let (month, _) = MONTHS.iter().find(|(_, text)| text.as_bytes() == name).ok_or_else(|| bad(0))?;
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
    NaiveDate::from_ymd_opt(2000, month.number_from_month(), day).ok_or_else(|| bad(4))?;
    let time = NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(|| bad(7))?;
    Ok(BsdTime { month: *month, day: day as u8, time })
}
