//! What tells a stored entry from a new one: a digest of its signature,
//! and the day of its event time. Ed25519 signatures are deterministic,
//! so a retried or replayed entry carries the same signature, and the same
//! event time: its key is the same whenever it comes back.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};

use crate::sign::SIGNATURE_B64_LEN;
use crate::sign::signature::{CEF_MARKER, JSON_MARKER, last_cef_marker};

/// Bytes of a signature's digest in the index.
pub const DIGEST_LEN: usize = 16;

/// A signature's digest: the first 16 bytes of its `R`.
pub type Digest = [u8; DIGEST_LEN];

/// An entry's key in the deduplication index.
///
/// ```
/// use audit_cef::receive::DedupKey;
/// use audit_cef::chrono::DateTime;
/// let sig = "A".repeat(86);
/// let entry = format!("2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|k|n|1|rt=1750280466889 sig={sig}");
/// let key = DedupKey::of(entry.as_bytes(), DateTime::UNIX_EPOCH).unwrap();
/// assert_eq!(key.day, 20257, "2025-06-18, from the entry, not from when it came");
/// assert!(DedupKey::of(b"CEF:0|v|p|1|i|n|5|a=1", DateTime::UNIX_EPOCH).is_none(), "unsigned");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DedupKey {
    /// The digest of the signature's text.
    pub digest: Digest,
    /// The event's day, in days since 1970-01-01 (UTC): from the entry's
    /// leading RFC 3339 time, its `event_ts`, or its `rt` milliseconds;
    /// the day it was received when it has none of them.
    pub day: i64,
}

impl DedupKey {
    /// The key of a signed entry (CEF ` sig=`, or JSON and CPS `"sig"`),
    /// `received` giving the day when the entry tells none; `None` when it
    /// carries no signature.
    pub fn of(entry: &[u8], received: DateTime<Utc>) -> Option<DedupKey> {
        let entry = entry.strip_suffix(b"\n").unwrap_or(entry);
        let entry = entry.strip_suffix(b"\r").unwrap_or(entry);
        let text = signature_text(entry)?;
        // The signature's R is already uniform (a point from a hash of the
        // key's secret and the message): its first 16 bytes are the digest,
        // decoded from the first 22 characters (132 bits) with no hashing.
        let mut decoded = [0u8; 18];
        let written = URL_SAFE_NO_PAD.decode_slice(text.get(..24)?, &mut decoded).ok()?;
        let mut digest = [0u8; DIGEST_LEN];
        digest.copy_from_slice(decoded.get(..DIGEST_LEN).filter(|_| written >= DIGEST_LEN)?);
        let day = event_day(entry).unwrap_or_else(|| days_of(received));
        Some(DedupKey { digest, day })
    }
}

/// The day number of a time.
pub(crate) fn days_of(time: DateTime<Utc>) -> i64 {
    time.timestamp().div_euclid(86_400)
}

/// The 86 characters of the signature, after the last marker.
fn signature_text(entry: &[u8]) -> Option<&[u8]> {
    // The verifier's own markers: only verified entries are keyed, so the
    // last marker is the one their signature follows.
    let at = if entry.first() == Some(&b'{') {
        memchr::memmem::rfind(entry, JSON_MARKER)?.checked_add(JSON_MARKER.len())?
    } else {
        last_cef_marker(entry)?.checked_add(CEF_MARKER.len())?
    };
    entry.get(at..at.checked_add(SIGNATURE_B64_LEN)?)
}

/// The event's day, as the entry tells it.
fn event_day(entry: &[u8]) -> Option<i64> {
    if let Some(day) = entry.get(..10).and_then(date_day) {
        return Some(day);
    }
    if let Some(at) = memchr::memmem::find(entry, b"\"event_ts\":\"") {
        return entry.get(at + 12..at + 22).and_then(date_day);
    }
    // `rt` is CEF's receipt time; the first extension follows a `|`.
    let at = memchr::memmem::find(entry, b" rt=")
        .or_else(|| memchr::memmem::find(entry, b"|rt="))
        .map(|at| at + 4)
        .or_else(|| memchr::memmem::find(entry, b"\"rt\":").map(|at| at + 5))?;
    let digits = entry.get(at..)?;
    let end = digits.iter().position(|byte| !byte.is_ascii_digit()).unwrap_or(digits.len());
    let millis: i64 = std::str::from_utf8(digits.get(..end)?).ok()?.parse().ok()?;
    Some(millis.div_euclid(86_400_000))
}

/// `YYYY-MM-DD` as a day number (read by hand: a format parser costs more
/// than the rest of the key).
fn date_day(text: &[u8]) -> Option<i64> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        text.get(range)?
            .iter()
            .try_fold(0u32, |value, &byte| byte.is_ascii_digit().then(|| value * 10 + u32::from(byte - b'0')))
    };
    if text.get(4) != Some(&b'-') || text.get(7) != Some(&b'-') {
        return None;
    }
    let year = i32::try_from(number(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    Some(date.signed_duration_since(epoch).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(c: char) -> String {
        c.to_string().repeat(86)
    }

    #[test]
    fn the_day_comes_from_the_entry_in_each_format() {
        let never = DateTime::UNIX_EPOCH;
        let cef = format!("CEF:0|v|p|1|i|n|5|rt=1750280466889 a=1 sig={}", sig('B'));
        let json = format!(r#"{{"event_ts":"2023-04-28T20:52:09Z","rt":1,"sig":"{}"}}"#, sig('C'));
        let cps = format!(r#"{{"event":{{"rt":1682715129807,"sig":"{}"}}}}"#, sig('D'));
        assert_eq!(DedupKey::of(cef.as_bytes(), never).unwrap().day, 20257);
        assert_eq!(DedupKey::of(json.as_bytes(), never).unwrap().day, 19475);
        assert_eq!(DedupKey::of(cps.as_bytes(), never).unwrap().day, 19475);
        let undated = format!("CEF:0|v|p|1|i|n|5|a=1 sig={}", sig('E'));
        let received = DateTime::from_timestamp(86_400 * 3 + 5, 0).unwrap();
        assert_eq!(DedupKey::of(undated.as_bytes(), received).unwrap().day, 3);
    }

    #[test]
    fn the_digest_is_the_signature_s_and_nothing_else() {
        let now = DateTime::UNIX_EPOCH;
        let a = DedupKey::of(format!("CEF:0|v|p|1|i|n|5|a=1 sig={}", sig('F')).as_bytes(), now).unwrap();
        let b = DedupKey::of(format!("CEF:0|v|p|1|i|n|5|a=2 sig={}\r\n", sig('F')).as_bytes(), now).unwrap();
        let c = DedupKey::of(format!("CEF:0|v|p|1|i|n|5|a=1 sig={}", sig('G')).as_bytes(), now).unwrap();
        assert_eq!(a.digest, b.digest);
        assert_ne!(a.digest, c.digest);
        assert!(DedupKey::of(b"CEF:0|v|p|1|i|n|5|a=1 sig=short", now).is_none());
    }
}
