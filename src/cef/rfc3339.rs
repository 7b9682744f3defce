//! RFC 3339 UTC seconds `YYYY-MM-DDTHH:MM:SSZ`: Konnect's time, in its
//! prefix and in JSON `event_ts`.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};

use super::digits::{bad, digits_at, expect};
use crate::error::Result;

/// Whole seconds since the Unix epoch within years 0-9999, the range
/// `YYYY-MM-DDTHH:MM:SSZ` can write: checked once when made, so writing it
/// cannot fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct UtcSeconds(i64);

impl UtcSeconds {
    /// 0000-01-01T00:00:00Z.
    const MIN: i64 = -62_167_219_200;
    /// 9999-12-31T23:59:59Z.
    const MAX: i64 = 253_402_300_799;
    /// 1970-01-01T00:00:00Z.
    #[cfg_attr(not(feature = "konnect"), allow(dead_code))]
    pub(crate) const EPOCH: UtcSeconds = UtcSeconds(0);

    /// `seconds` if its year is 0-9999.
    #[inline]
    pub(crate) fn new(seconds: i64) -> Option<UtcSeconds> {
        (UtcSeconds::MIN..=UtcSeconds::MAX).contains(&seconds).then_some(UtcSeconds(seconds))
    }

    /// The whole seconds of `time` if its year is 0-9999.
    pub(crate) fn from_datetime(time: &DateTime<Utc>) -> Option<UtcSeconds> {
        UtcSeconds::new(time.timestamp())
    }

    /// As a chrono time.
    #[cfg_attr(not(feature = "konnect"), allow(dead_code))]
    pub(crate) fn to_datetime(self) -> DateTime<Utc> {
        let time = DateTime::from_timestamp(self.0, 0);
        debug_assert!(time.is_some(), "chrono covers years 0-9999");
        time.unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// Appends `YYYY-MM-DDTHH:MM:SSZ`, by hand: this sits on the emitter's
    /// hot path, and unsigned civil-date arithmetic with a two-digit table
    /// is several times cheaper than asking chrono for each calendar field.
    #[inline]
    pub(crate) fn write(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.text());
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` on the stack.
    #[inline]
    pub(crate) fn text(self) -> [u8; 20] {
        // Counted from 0000-01-01 (the range's start) the seconds are never
        // negative, so every division below is unsigned by a constant: a
        // multiplication.
        let seconds = self.0.saturating_sub(UtcSeconds::MIN).max(0) as u64;
        let days = (seconds / 86_400) as u32;
        let of_day = (seconds % 86_400) as u32;
        let (year, month, day) = civil_from_days_since_year_0(days);
        // In range, the year is 0-9999 and every other value below 100.
        let year = year.min(9999);
        let [y1, y2] = two_digits(year / 100);
        let [y3, y4] = two_digits(year % 100);
        let [mo1, mo2] = two_digits(month);
        let [d1, d2] = two_digits(day);
        let [h1, h2] = two_digits(of_day / 3600);
        let [mi1, mi2] = two_digits(of_day / 60 % 60);
        let [s1, s2] = two_digits(of_day % 60);
        [y1, y2, y3, y4, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':', s1, s2, b'Z']
    }
}

/// `value` (below 100) as two ASCII digits, from a table.
#[inline]
fn two_digits(value: u32) -> [u8; 2] {
    // Built at compile time: an out-of-range index fails the build, not a run.
    #[allow(clippy::indexing_slicing)]
    const TABLE: [[u8; 2]; 100] = {
        let mut table = [[0u8; 2]; 100];
        let mut at = 0;
        while at < 100 {
            table[at] = [b'0' + (at / 10) as u8, b'0' + (at % 10) as u8];
            at += 1;
        }
        table
    };
    // Every caller's value is below 100 (a checked year's halves, a month,
    // a day, an hour, a minute, a second); the remainder keeps the index in
    // bounds by arithmetic, so nothing can panic.
    #[allow(clippy::indexing_slicing)]
    TABLE[(value % 100) as usize]
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `time`.
///
/// # Errors
///
/// [`ErrorKind::InvalidPrefix`](crate::ErrorKind::InvalidPrefix) for a year outside 0-9999.
pub(crate) fn write_rfc3339_seconds(time: &DateTime<Utc>, out: &mut Vec<u8>) -> Result<()> {
    UtcSeconds::from_datetime(time).ok_or_else(|| bad(out.len()))?.write(out);
    Ok(())
}

/// Year, month and day of `days` since 0000-01-01 in the proleptic
/// Gregorian calendar, by Neri and Schneider's Euclidean affine functions
/// ("Euclidean affine functions and their application to calendar
/// algorithms", 2022): a few multiplications and shifts instead of a chain
/// of divisions. Counted from -0400-03-01 so that nothing is negative.
#[inline]
fn civil_from_days_since_year_0(days: u32) -> (u32, u32, u32) {
    // 0000-01-01 is 146,037 days after -0400-03-01 (one 400-year era less
    // January and February of the leap year 0); years 0-9999 stay far below
    // the formulas' u32 limits.
    let n = days.saturating_add(146_037);
    let n1 = 4 * n + 3;
    let century = n1 / 146_097;
    let day_of_century = n1 % 146_097 / 4;
    let n2 = 4 * day_of_century + 3;
    let p2 = 2_939_745 * u64::from(n2);
    let year_of_century = (p2 >> 32) as u32;
    let day_of_year = (p2 as u32) / 2_939_745 / 4;
    let n3 = 2141 * day_of_year + 197_913;
    let month = n3 >> 16;
    let day = (n3 & 0xffff) / 2141 + 1;
    // The computational year starts in March: January and February belong
    // to the next civil year.
    let january_or_february = day_of_year >= 306;
    let year = 100 * century + year_of_century + u32::from(january_or_february);
    let month = if january_or_february { month - 12 } else { month };
    (year.saturating_sub(400), month, day)
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

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use super::*;

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
    fn the_range_edges_and_midnight_are_written() {
        let text = |seconds| UtcSeconds::new(seconds).map(|time| time.text().to_vec());
        assert_eq!(text(UtcSeconds::MIN).unwrap(), b"0000-01-01T00:00:00Z");
        assert_eq!(text(UtcSeconds::MAX).unwrap(), b"9999-12-31T23:59:59Z");
        assert_eq!(text(0).unwrap(), b"1970-01-01T00:00:00Z");
        assert_eq!(text(951_782_400).unwrap(), b"2000-02-29T00:00:00Z");
        assert_eq!(text(-62_162_035_201).unwrap(), b"0000-02-29T23:59:59Z");
        assert_eq!(text(UtcSeconds::MIN - 1), None);
    }
}
