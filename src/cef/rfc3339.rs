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

/// Whether `text` is an RFC 3339 date-time exactly as chrono's
/// `DateTime::parse_from_rfc3339` reads one: `YYYY-MM-DD`, `T` (or `t` or a
/// space), `hh:mm:ss` (second 60 for a leap second), an optional fraction
/// of one or more digits, then `Z`, `z` or an offset `+hh:mm`, `-hh:mm` or
/// `\u{2212}hh:mm` below 24 hours. A receiver checks the time of every
/// syslog header: by hand that is a few comparisons, where chrono also
/// builds the time, which nobody asked for.
pub(crate) fn is_rfc3339(text: &[u8]) -> bool {
    let Some((head, rest)) = text.split_first_chunk::<19>() else { return false };
    let [y1, y2, y3, y4, dash1, mo1, mo2, dash2, d1, d2, t, h1, h2, colon1, mi1, mi2, colon2, s1, s2] = *head;
    let (Some(century), Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
        (two(y1, y2), two(y3, y4), two(mo1, mo2), two(d1, d2), two(h1, h2), two(mi1, mi2), two(s1, s2))
    else {
        return false;
    };
    let separators =
        dash1 == b'-' && dash2 == b'-' && matches!(t, b'T' | b't' | b' ') && colon1 == b':' && colon2 == b':';
    let date = (1..=days_in_month(century * 100 + year, month)).contains(&day);
    if !separators || !date || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let offset = match rest.split_first() {
        Some((b'.', fraction)) => {
            let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return false;
            }
            fraction.get(digits..).unwrap_or_default()
        }
        _ => rest,
    };
    let below_a_day = |h1, h2, m1, m2| two(h1, h2).is_some_and(|h| h <= 23) && two(m1, m2).is_some_and(|m| m <= 59);
    match *offset {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] | [0xE2, 0x88, 0x92, h1, h2, b':', m1, m2] => below_a_day(h1, h2, m1, m2),
        _ => false,
    }
}

/// Two ASCII digits' value.
#[inline]
fn two(tens: u8, ones: u8) -> Option<u32> {
    (tens.is_ascii_digit() && ones.is_ascii_digit()).then(|| u32::from(tens - b'0') * 10 + u32::from(ones - b'0'))
}

/// Days in `month` (1-12) of `year` in the proleptic Gregorian calendar; 0
/// for any other month.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        _ => 0,
    }
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

    #[test]
    fn is_rfc3339_reads_as_chrono_does() {
        let chrono = |text: &str| DateTime::parse_from_rfc3339(text).is_ok();
        for text in [
            "2025-06-18T21:02:36Z",
            "2025-06-18t21:02:36z",
            "2025-06-18 21:02:36Z",
            "2025-06-18T21:02:36.5Z",
            "2025-06-18T21:02:36.1234567890123Z",
            "2025-06-18T21:02:36.Z",
            "2025-06-18T21:02:60Z",
            "2025-06-18T21:02:61Z",
            "2025-06-18T24:00:00Z",
            "2025-06-18T21:60:00Z",
            "2024-02-29T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "0000-02-29T00:00:00Z",
            "2025-04-31T00:00:00Z",
            "2025-00-10T00:00:00Z",
            "2025-13-10T00:00:00Z",
            "2025-06-00T00:00:00Z",
            "2025-06-18T21:02:36+02:00",
            "2025-06-18T21:02:36-23:59",
            "2025-06-18T21:02:36+24:00",
            "2025-06-18T21:02:36+02:60",
            "2025-06-18T21:02:36\u{2212}05:00",
            "2025-06-18T21:02:36+0200",
            "2025-06-18T21:02:36+02",
            "2025-06-18T21:02:36",
            "2025-06-18T21:02:36ZZ",
            "2025-06-18T21:02:36.5+02:00x",
            "2025-06-18X21:02:36Z",
            "2025-6-18T21:02:36Z",
            "+025-06-18T21:02:36Z",
            "",
        ] {
            assert_eq!(is_rfc3339(text.as_bytes()), chrono(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(10_000))]
        #[test]
        fn is_rfc3339_agrees_with_chrono_on_near_misses(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt x][0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{0,12})?(Z|z|[+\u{2212}-][0-2][0-9]:[0-6][0-9]|[+-][0-9]{2,4}|)[Z0-9]?",
        ) {
            proptest::prop_assert_eq!(is_rfc3339(text.as_bytes()), DateTime::parse_from_rfc3339(&text).is_ok(), "{:?}", text);
        }
    }
}
