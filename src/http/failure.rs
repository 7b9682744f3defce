//! Why a batch was not delivered, said so that whoever runs a sender can
//! act on it: the status and what it means, or what became of the
//! connection. Nothing of the request (the endpoint's URL, which may hold
//! a token, or the `Authorization`) is kept in it.

use std::fmt;

/// Why one attempt got no 2xx.
///
/// ```
/// use audit_cef::http::Failure;
/// assert_eq!(Failure::Status(401).to_string(), "HTTP 401: the collector refused the Authorization");
/// assert_eq!(Failure::Refused.to_string(), "connection refused: nothing listens at the endpoint's address");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The collector answered with this status.
    Status(u16),
    /// Nothing listens at the endpoint's address.
    Refused,
    /// The endpoint's host name does not resolve.
    HostNotFound,
    /// Connecting or the whole request took longer than the timeout.
    TimedOut,
    /// The TLS handshake failed (an untrusted or expired certificate, say).
    Tls(String),
    /// Another I/O or protocol failure.
    Connection(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Status(code @ (401 | 403)) => write!(f, "HTTP {code}: the collector refused the Authorization"),
            Failure::Status(code @ 300..=399) => {
                write!(f, "HTTP {code}: a redirect, not followed (give the final URL as the endpoint)")
            }
            Failure::Status(400) => f.write_str("HTTP 400: the collector could not read the batch"),
            Failure::Status(404) => f.write_str("HTTP 404: the endpoint's path does not exist on the collector"),
            Failure::Status(405) => f.write_str("HTTP 405: the endpoint does not take a POST"),
            Failure::Status(413) => f.write_str("HTTP 413: the batch is over the collector's size limit"),
            Failure::Status(415) => f.write_str("HTTP 415: the collector does not take this Content-Encoding"),
            Failure::Status(429) => f.write_str("HTTP 429: the collector is busy (retries ran out)"),
            Failure::Status(code @ 500..=599) => write!(f, "HTTP {code}: the collector failed"),
            Failure::Status(code) => write!(f, "HTTP {code}: not a delivery"),
            Failure::Refused => f.write_str("connection refused: nothing listens at the endpoint's address"),
            Failure::HostNotFound => f.write_str("the endpoint's host name does not resolve"),
            Failure::TimedOut => f.write_str("timed out: no answer within the request timeout"),
            Failure::Tls(cause) => write!(f, "TLS failed: {cause}"),
            Failure::Connection(cause) => write!(f, "connection failed: {cause}"),
        }
    }
}

/// A batch that was not delivered: how many entries, after how many
/// retries, and the last attempt's failure.
///
/// ```
/// use audit_cef::http::{BatchFailure, Failure};
/// let failure = BatchFailure { entries: 3, retries: 0, failure: Failure::Status(401) };
/// assert_eq!(failure.to_string(), "3 entries not delivered: HTTP 401: the collector refused the Authorization");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchFailure {
    /// Entries in the batch.
    pub entries: u64,
    /// Retries before it was given up.
    pub retries: u32,
    /// What the last attempt came back with.
    pub failure: Failure,
}

impl fmt::Display for BatchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} entries not delivered", self.entries)?;
        if self.retries > 0 {
            write!(f, " after {} retries", self.retries)?;
        }
        write!(f, ": {}", self.failure)
    }
}

/// How a ureq error reads as a [`Failure`], keeping nothing of the request.
pub(crate) fn from_ureq(err: &ureq::Error) -> Failure {
    match err {
        ureq::Error::HostNotFound => Failure::HostNotFound,
        ureq::Error::Timeout(_) => Failure::TimedOut,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => Failure::Refused,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Failure::TimedOut,
        ureq::Error::Io(io) => Failure::Connection(io.kind().to_string()),
        ureq::Error::Rustls(tls) => Failure::Tls(tls.to_string()),
        ureq::Error::Tls(what) => Failure::Tls((*what).to_owned()),
        ureq::Error::ConnectionFailed => Failure::Connection("the connection could not be made".into()),
        ureq::Error::Protocol(_) => Failure::Connection("not an HTTP/1.1 answer".into()),
        _ => Failure::Connection("the request failed".into()),
    }
}

/// The counts a collector's JSON answer gives (`{"verified":N,
/// "rejected":M}`, as `cef receive` answers; unknown fields ignored): the
/// entries it rejected, if it says.
pub(crate) fn rejected_in_answer(body: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Counts {
        rejected: Option<u64>,
    }
    serde_json::from_slice::<Counts>(body).ok()?.rejected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_ignoring_unknown_fields() {
        assert_eq!(rejected_in_answer(br#"{"verified":97,"rejected":3}"#), Some(3));
        assert_eq!(rejected_in_answer(br#"{"verified":1,"rejected":0,"duplicates":4,"x":{"y":[]}}"#), Some(0));
        assert_eq!(rejected_in_answer(br#"{"verified":1}"#), None);
        assert_eq!(rejected_in_answer(b"OK"), None);
        assert_eq!(rejected_in_answer(b""), None);
    }

    #[test]
    fn every_status_says_what_it_means() {
        for code in [301, 400, 401, 403, 404, 405, 413, 415, 418, 429, 500, 503] {
            let text = Failure::Status(code).to_string();
            assert!(text.starts_with(&format!("HTTP {code}: ")), "{text}");
        }
    }
}
