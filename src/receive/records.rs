//! What a receiver stores of a batch: the verified entries, one per line,
//! for the `--out` file, and one JSON line per rejected entry, with when,
//! from whom and why, for the `--rejected` file.

use std::net::SocketAddr;

use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::Error;

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
}

impl Records {
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

    /// Appends the JSON line of a rejected entry: `received` (RFC 3339,
    /// milliseconds), `peer`, `kind` (the error kind's stable name),
    /// `error`, and `entry` (or `entry_base64` when it is not UTF-8).
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
        let mut object = serde_json::Map::new();
        object.insert("received".into(), received.to_rfc3339_opts(SecondsFormat::Millis, true).into());
        object.insert("peer".into(), peer.to_string().into());
        object.insert("kind".into(), err.kind().name().into());
        object.insert("error".into(), err.to_string().into());
        match std::str::from_utf8(entry) {
            Ok(text) => object.insert("entry".into(), text.into()),
            Err(_) => {
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
        self.out.split(|&byte| byte == b'\n').take(self.verified)
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
