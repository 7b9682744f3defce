//! What a receiver stores of a batch: the verified entries, one per line,
//! for the `--out` file, and one JSON line per rejected entry, with when,
//! from whom and why, for the `--rejected` file.

use std::net::SocketAddr;

use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::{Error, ErrorKind};

/// The lines a batch adds to each file, and how many entries each holds.
///
/// ```
/// use audit_cef::receive::Records;
/// let mut records = Records::default();
/// records.push_verified(b"entry");
/// assert_eq!((records.out(), records.counts()), (&b"entry\n"[..], (1, 0)));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Records {
    out: Vec<u8>,
    rejected: Vec<u8>,
    verified: usize,
    refused: usize,
    /// Rejected because no key matched: worth verifying again after a
    /// key rotation.
    unmatched: usize,
    /// How many were rejected for each reason (a few kinds at most).
    kinds: Vec<(ErrorKind, usize)>,
    /// Verified entries not listed: duplicates (counted in `verified`).
    duplicates: usize,
}

impl Records {
    /// None yet, with room for `bytes` of verified lines (entries and
    /// their LFs) before `--out`'s buffer grows.
    ///
    /// ```
    /// let records = audit_cef::receive::Records::with_out_capacity(4096);
    /// assert_eq!(records.counts(), (0, 0));
    /// ```
    pub fn with_out_capacity(bytes: usize) -> Records {
        Records { out: Vec::with_capacity(bytes), ..Records::default() }
    }

    /// Appends a verified entry (it holds no line break) and its LF.
    ///
    /// ```
    /// let mut records = audit_cef::receive::Records::default();
    /// records.push_verified(b"a");
    /// assert_eq!(records.out(), b"a\n");
    /// ```
    pub fn push_verified(&mut self, entry: &[u8]) {
        self.out.extend_from_slice(entry);
        self.out.push(b'\n');
        self.verified = self.verified.saturating_add(1);
    }

    /// Counts a verified entry that is a duplicate (its copy was stored
    /// or forwarded before): it is counted as verified, not listed.
    ///
    /// ```
    /// let mut records = audit_cef::receive::Records::default();
    /// records.push_verified(b"a");
    /// records.push_duplicate();
    /// assert_eq!((records.counts(), records.duplicates(), records.verified().count()), ((2, 0), 1, 1));
    /// ```
    pub fn push_duplicate(&mut self) {
        self.verified = self.verified.saturating_add(1);
        self.duplicates = self.duplicates.saturating_add(1);
    }

    /// How many verified entries are duplicates (see [`Records::push_duplicate`]).
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::Records::default().duplicates(), 0);
    /// ```
    pub fn duplicates(&self) -> usize {
        self.duplicates
    }

    /// Appends the JSON line of a rejected entry: `received` (RFC 3339,
    /// milliseconds), `peer`, `kind` (the error kind's stable name),
    /// `error`, and `entry`, or `entry_base64` when it is not UTF-8 or when
    /// its JSON string would be longer than base64 (4/3 of it: control
    /// bytes are written `\u00XX`, six times their size), so that a record
    /// is never much larger than its entry, whatever a sender puts in it.
    ///
    /// ```
    /// use audit_cef::{Error, ErrorKind, chrono::DateTime, receive::Records};
    /// let mut records = Records::default();
    /// let at = DateTime::from_timestamp_millis(1_750_280_466_889).unwrap();
    /// records.push_rejected(b"x", &Error::new(ErrorKind::Unsigned), "127.0.0.1:9".parse().unwrap(), at);
    /// let line = String::from_utf8(records.rejected().to_vec()).unwrap();
    /// assert!(line.starts_with(r#"{"received":"2025-06-18T21:01:06.889Z","peer":"127.0.0.1:9","kind":"unsigned","#));
    /// ```
    pub fn push_rejected(&mut self, entry: &[u8], err: &Error, peer: SocketAddr, received: DateTime<Utc>) {
        if err.kind() == ErrorKind::NoKeyMatches {
            self.unmatched = self.unmatched.saturating_add(1);
        }
        match self.kinds.iter_mut().find(|(kind, _)| *kind == err.kind()) {
            Some((_, count)) => *count = count.saturating_add(1),
            None => self.kinds.push((err.kind(), 1)),
        }
        let mut object = serde_json::Map::new();
        object.insert("received".into(), received.to_rfc3339_opts(SecondsFormat::Millis, true).into());
        object.insert("peer".into(), peer.to_string().into());
        object.insert("kind".into(), err.kind().name().into());
        object.insert("error".into(), err.to_string().into());
        // Base64 is 4/3 of the entry: the JSON string when it is no longer.
        let as_text = std::str::from_utf8(entry).ok().filter(|_| json_len(entry) <= entry.len().div_ceil(3) * 4);
        match as_text {
            Some(text) => object.insert("entry".into(), text.into()),
            None => {
                object.insert("entry_base64".into(), base64::engine::general_purpose::STANDARD.encode(entry).into())
            }
        };
        // A map of strings always serializes into a Vec.
        if serde_json::to_writer(&mut self.rejected, &object).is_ok() {
            self.rejected.push(b'\n');
            self.refused = self.refused.saturating_add(1);
        }
    }

    /// The `--out` lines: verified entries, each followed by LF.
    ///
    /// ```
    /// assert!(audit_cef::receive::Records::default().out().is_empty());
    /// ```
    pub fn out(&self) -> &[u8] {
        &self.out
    }

    /// The `--rejected` lines, one JSON object each.
    ///
    /// ```
    /// assert!(audit_cef::receive::Records::default().rejected().is_empty());
    /// ```
    pub fn rejected(&self) -> &[u8] {
        &self.rejected
    }

    /// How many entries were rejected because no key matched them (a
    /// receiver whose keys come from a URL may fetch them again, and
    /// verify the batch again, before storing it).
    ///
    /// ```
    /// use audit_cef::{Error, ErrorKind, chrono::DateTime, receive::Records};
    /// let mut records = Records::default();
    /// let peer = "127.0.0.1:9".parse().unwrap();
    /// records.push_rejected(b"x", &Error::new(ErrorKind::NoKeyMatches), peer, DateTime::UNIX_EPOCH);
    /// records.push_rejected(b"y", &Error::new(ErrorKind::Unsigned), peer, DateTime::UNIX_EPOCH);
    /// assert_eq!(records.unmatched(), 1);
    /// ```
    pub fn unmatched(&self) -> usize {
        self.unmatched
    }

    /// How many entries were rejected for each reason, in the order the
    /// reasons first came.
    ///
    /// ```
    /// use audit_cef::{Error, ErrorKind, chrono::DateTime, receive::Records};
    /// let mut records = Records::default();
    /// let peer = "127.0.0.1:9".parse().unwrap();
    /// for kind in [ErrorKind::Unsigned, ErrorKind::NoKeyMatches, ErrorKind::Unsigned] {
    ///     records.push_rejected(b"x", &Error::new(kind), peer, DateTime::UNIX_EPOCH);
    /// }
    /// assert_eq!(records.rejected_kinds(), [(ErrorKind::Unsigned, 2), (ErrorKind::NoKeyMatches, 1)]);
    /// ```
    pub fn rejected_kinds(&self) -> &[(ErrorKind, usize)] {
        &self.kinds
    }

    /// How many entries were verified and how many rejected.
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::Records::default().counts(), (0, 0));
    /// ```
    pub fn counts(&self) -> (usize, usize) {
        (self.verified, self.refused)
    }

    /// The verified entries, in order.
    ///
    /// ```
    /// let mut records = audit_cef::receive::Records::default();
    /// records.push_verified(b"a");
    /// records.push_verified(b"b");
    /// assert_eq!(records.verified().collect::<Vec<_>>(), [b"a", b"b"]);
    /// ```
    pub fn verified(&self) -> impl Iterator<Item = &[u8]> {
        self.out.split(|&byte| byte == b'\n').take(self.verified.saturating_sub(self.duplicates))
    }

    /// The 200 answer for these records.
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::Records::default().accepted().status(), 200);
    /// ```
    pub fn accepted(&self) -> super::Reply {
        super::Reply::accepted(self.verified, self.refused)
    }
}

/// The length of `text` as the body of a JSON string (serde_json's escapes:
/// `\"`, `\\` and the short forms take two bytes, other control bytes six).
fn json_len(text: &[u8]) -> usize {
    text.iter()
        .map(|&byte| match byte {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f | 0x7f => 6,
            _ => 1,
        })
        .fold(0, usize::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn rejected(entry: &[u8]) -> serde_json::Value {
        let mut records = Records::default();
        let peer = "127.0.0.1:1".parse().unwrap_or_else(|_| unreachable!());
        records.push_rejected(entry, &Error::new(ErrorKind::Unsigned), peer, DateTime::UNIX_EPOCH);
        serde_json::from_slice(records.rejected()).unwrap_or_default()
    }

    #[test]
    fn a_record_is_never_much_larger_than_its_entry() {
        // Text stays text.
        assert_eq!(rejected(b"CEF:0|v|p|1|i|n|5|a=\"b\"")["entry"], "CEF:0|v|p|1|i|n|5|a=\"b\"");
        // Control bytes (escaped six times their size) and non-UTF-8: base64.
        let controls = vec![0x01u8; 1000];
        let record = rejected(&controls);
        assert!(record["entry"].is_null());
        assert_eq!(record["entry_base64"].as_str().map(str::len), Some(1336));
        assert!(rejected(b"\xff\xfe")["entry_base64"].is_string());
        // Whatever the entry, the record stays within 1.4 times it (plus its fixed fields).
        for entry in [vec![b'"'; 3000], vec![0u8; 3000], vec![b'a'; 3000], b"\\\n".repeat(1500)] {
            let mut records = Records::default();
            let peer = "127.0.0.1:1".parse().unwrap_or_else(|_| unreachable!());
            records.push_rejected(&entry, &Error::new(ErrorKind::Unsigned), peer, DateTime::UNIX_EPOCH);
            assert!(records.rejected().len() <= entry.len() * 14 / 10 + 200, "{}", records.rejected().len());
        }
    }
}
