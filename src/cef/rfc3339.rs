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
    /// hot path, and integer civil-date arithmetic is several times cheaper
    /// than asking chrono for each calendar field.
    pub(crate) fn write(self, out: &mut Vec<u8>) {
        let (year, month, day) = civil_from_days(self.0.div_euclid(86_400));
        // In range, the year is 0-9999 and every other value below 100.
        let year = year.clamp(0, 9999) as u32;
        let of_day = self.0.rem_euclid(86_400) as u32;
        let digits = |value: u32| [b'0' + (value / 10 % 10) as u8, b'0' + (value % 10) as u8];
        let [y1, y2] = digits(year / 100);
        let [y3, y4] = digits(year % 100);
        let [mo1, mo2] = digits(month);
        let [d1, d2] = digits(day);
        let [h1, h2] = digits(of_day / 3600);
        let [mi1, mi2] = digits(of_day / 60 % 60);
        let [s1, s2] = digits(of_day % 60);
        out.extend_from_slice(&[
            y1, y2, y3, y4, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':', s1, s2, b'Z',
        ]);
    }
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
}
