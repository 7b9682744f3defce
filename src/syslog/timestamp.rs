//! RFC 3339 times in syslog headers: checked, never built.

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
    use chrono::DateTime;

    use super::*;

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
