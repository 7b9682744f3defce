//! How a [`Sender`](super::Sender) delivers: where to, with which
//! `Authorization`, in which batches, with which retries, through which
//! spool. Checked once, when built, so starting cannot fail on a setting.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::webhook::config::is_http_url;
use crate::webhook::{Batcher, Credential, RetryPolicy};

/// What [`Sender::send`](super::Sender::send) does when the queue holds
/// as many entries as it may: wait for room (the default), or return
/// [`ErrorKind::QueueFull`] at once. Neither drops an entry.
///
/// ```
/// use audit_cef::http::WhenFull;
/// assert_eq!(WhenFull::default(), WhenFull::Wait);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WhenFull {
    /// Block the caller until the delivery thread makes room.
    #[default]
    Wait,
    /// Refuse the call with [`ErrorKind::QueueFull`]; nothing of it is accepted.
    Fail,
}

/// A sender's settings. Defaults follow Konnect's webhook (konnect.md
/// section 4): gzip on, batches of at most 100 entries or 1 MiB sent
/// within 1 s, [`RetryPolicy::KONNECT`], a 30 s request timeout, TLS
/// certificates checked; a queue of 10,000 entries that makes callers wait
/// when full; no spool.
///
/// `Debug` never shows the authorization, nor more of the endpoint than its
/// scheme, host and port (collectors often carry a token in the path).
///
/// ```
/// use std::time::Duration;
/// use audit_cef::SenderConfig;
/// use audit_cef::webhook::{Credential, RetryPolicy};
///
/// let config = SenderConfig::new("https://siem.example/in/T0KEN", Credential::new("Bearer s3cret"))?
///     .retry(RetryPolicy::KONNECT.waits(Duration::from_millis(100), Duration::from_secs(2)))
///     .spool("/var/spool/audit");
/// let shown = format!("{config:?}");
/// assert!(!shown.contains("s3cret") && !shown.contains("T0KEN"));
/// assert!(SenderConfig::new("ftp://siem.example", Credential::new("")).is_err());
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Clone)]
pub struct SenderConfig {
    pub(crate) endpoint: String,
    pub(crate) authorization: Credential,
    pub(crate) gzip: bool,
    pub(crate) batcher: Batcher,
    pub(crate) retry: RetryPolicy,
    pub(crate) seed: u64,
    pub(crate) timeout: Duration,
    pub(crate) skip_ssl_verification: bool,
    pub(crate) queue_capacity: usize,
    pub(crate) when_full: WhenFull,
    pub(crate) spool: Option<PathBuf>,
    pub(crate) spool_segment_bytes: u64,
}

impl SenderConfig {
    /// Settings to deliver to `endpoint` (an `http://` or `https://` URL),
    /// sending `authorization` verbatim as the `Authorization` header; an
    /// empty one sends no header. The jitter seed is drawn at random.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidEndpoint`] for an endpoint that is not an
    /// `http` or `https` URL with a host; [`ErrorKind::InvalidAuthorization`]
    /// for an authorization that holds a control character (CR, LF, NUL)
    /// or a byte outside ASCII, which no HTTP header may carry. Neither
    /// error holds any of the text.
    ///
    /// ```
    /// use audit_cef::{ErrorKind, SenderConfig};
    /// use audit_cef::webhook::Credential;
    /// assert!(SenderConfig::new("http://127.0.0.1:8080/logs", Credential::new("")).is_ok());
    /// let err = SenderConfig::new("https://siem.example", Credential::new("Bearer a\r\nX-Evil: 1")).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidAuthorization);
    /// ```
    pub fn new(endpoint: &str, authorization: Credential) -> Result<SenderConfig> {
        if !is_valid_endpoint(endpoint) {
            return Err(Error::new(ErrorKind::InvalidEndpoint));
        }
        if ureq::http::HeaderValue::from_str(authorization.expose()).is_err() {
            return Err(Error::new(ErrorKind::InvalidAuthorization));
        }
        Ok(SenderConfig {
            endpoint: endpoint.to_owned(),
            authorization,
            gzip: true,
            batcher: Batcher::new().max_age(Duration::from_secs(1)),
            retry: RetryPolicy::KONNECT,
            seed: random_seed(),
            timeout: Duration::from_secs(30),
            skip_ssl_verification: false,
            queue_capacity: 10_000,
            when_full: WhenFull::Wait,
            spool: None,
            spool_segment_bytes: 16 << 20,
        })
    }

    /// Whether bodies are gzipped (`Content-Encoding: gzip`), as Konnect
    /// sends them; default true.
    ///
    /// ```
    /// # let config = audit_cef::SenderConfig::new("http://127.0.0.1:1", audit_cef::webhook::Credential::new(""))?;
    /// let config = config.gzip(false);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn gzip(mut self, gzip: bool) -> SenderConfig {
        self.gzip = gzip;
        self
    }

    /// When a batch is sent: at most so many entries or bytes, or when its
    /// oldest entry has waited so long (default 100 entries, 1 MiB, 1 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use audit_cef::webhook::Batcher;
    /// # let config = audit_cef::SenderConfig::new("http://127.0.0.1:1", audit_cef::webhook::Credential::new(""))?;
    /// let config = config.batcher(Batcher::new().max_entries(500).max_age(Duration::from_millis(200)));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn batcher(mut self, batcher: Batcher) -> SenderConfig {
        let mut limits = batcher;
        limits.take();
        self.batcher = limits;
        self
    }

    /// Which failures are retried, how often and after how long (default
    /// [`RetryPolicy::KONNECT`]). A `Retry-After` in seconds on a 429 or
    /// 500 is a floor for the wait, up to the policy's cap.
    ///
    /// ```
    /// use std::time::Duration;
    /// use audit_cef::webhook::RetryPolicy;
    /// # let config = audit_cef::SenderConfig::new("http://127.0.0.1:1", audit_cef::webhook::Credential::new(""))?;
    /// let config = config.retry(RetryPolicy::KONNECT.max_retries(10));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> SenderConfig {
        self.retry = policy;
        self
    }

    /// The seed of the retry jitter (default: drawn at random, so that
    /// many senders spread their retries); fix it for repeatable waits.
    ///
    /// ```
    /// # let config = audit_cef::SenderConfig::new("http://127.0.0.1:1", audit_cef::webhook::Credential::new(""))?;
    /// let config = config.seed(42);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn seed(mut self, seed: u64) -> SenderConfig {
        self.seed = seed;
        self
    }

    /// The longest one request may take, from connecting to reading the
    /// response (default 30 s). Running out counts as a connection error.
    ///
    /// ```
    /// # let config = audit_cef::SenderConfig::new("http://127.0.0.1:1", audit_cef::webhook::Credential::new(""))?;
    /// let config = config.timeout(std::time::Duration::from_secs(5));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> SenderConfig {
        self.timeout = timeout;
        self
    }

    /// Whether to accept any server certificate on `https` (default false).
    /// As Konnect's `skip_ssl_verification`: only for a collector with a
    /// self-signed certificate on a network you trust.
    ///
    /// ```
    /// # let config = audit_cef::SenderConfig::new("https://10.0.0.5", audit_cef::webhook::Credential::new(""))?;
    /// let config = config.skip_ssl_verification(true);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn skip_ssl_verification(mut self, skip: bool) -> SenderConfig {
        self.skip_ssl_verification = skip;
        self
    }

    /// The most entries waiting in memory for the delivery thread (at
    /// least 1; default 10,000). A `send_all` of more entries than this is
    /// taken whole once the queue is empty.
    ///
    /// ```
    /// # let config = audit_cef::SenderConfig::new("http://127.0.0.1:1", audit_cef::webhook::Credential::new(""))?;
    /// let config = config.queue_capacity(1_000);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn queue_capacity(mut self, entries: usize) -> SenderConfig {
        self.queue_capacity = entries.max(1);
        self
    }

    /// What a send does when the queue is full (default [`WhenFull::Wait`]).
    ///
    /// ```
    /// use audit_cef::http::WhenFull;
    /// # let config = audit_cef::SenderConfig::new("http://127.0.0.1:1", audit_cef::webhook::Credential::new(""))?;
    /// let config = config.when_full(WhenFull::Fail);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn when_full(mut self, when_full: WhenFull) -> SenderConfig {
        self.when_full = when_full;
        self
    }

    /// A directory (created if missing) where every accepted entry is
    /// written and synced before the send returns, and kept until the
    /// collector acknowledges it: see the `http` module for its layout and
    /// guarantees. One sender at a time per directory.
    ///
    /// ```
    /// # let config = audit_cef::SenderConfig::new("http://127.0.0.1:1", audit_cef::webhook::Credential::new(""))?;
    /// let config = config.spool("/var/spool/audit-cef");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn spool(mut self, dir: impl Into<PathBuf>) -> SenderConfig {
        self.spool = Some(dir.into());
        self
    }

    /// How large a spool segment file grows before the next one is started
    /// (default 16 MiB; at least 1 byte). Delivered segments are deleted
    /// whole, so smaller segments give disk space back sooner.
    ///
    /// ```
    /// # let config = audit_cef::SenderConfig::new("http://127.0.0.1:1", audit_cef::webhook::Credential::new(""))?;
    /// let config = config.spool("spool").spool_segment_bytes(1 << 20);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn spool_segment_bytes(mut self, bytes: u64) -> SenderConfig {
        self.spool_segment_bytes = bytes.max(1);
        self
    }

    /// The endpoint as given.
    ///
    /// ```
    /// let config = audit_cef::SenderConfig::new("http://127.0.0.1:9/in", audit_cef::webhook::Credential::new(""))?;
    /// assert_eq!(config.endpoint(), "http://127.0.0.1:9/in");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The spool directory, if any.
    ///
    /// ```
    /// let config = audit_cef::SenderConfig::new("http://127.0.0.1:9", audit_cef::webhook::Credential::new(""))?;
    /// assert_eq!(config.spool_dir(), None);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn spool_dir(&self) -> Option<&Path> {
        self.spool.as_deref()
    }
}

impl fmt::Debug for SenderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SenderConfig")
            .field("endpoint", &Origin(&self.endpoint))
            .field("authorization", &self.authorization)
            .field("gzip", &self.gzip)
            .field("batcher", &self.batcher)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("skip_ssl_verification", &self.skip_ssl_verification)
            .field("queue_capacity", &self.queue_capacity)
            .field("when_full", &self.when_full)
            .field("spool", &self.spool)
            .field("spool_segment_bytes", &self.spool_segment_bytes)
            .finish_non_exhaustive()
    }
}

/// An endpoint shown as its scheme, host and port only: user info, path
/// and query may hold a token.
pub(crate) struct Origin<'a>(pub(crate) &'a str);

impl fmt::Debug for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (scheme, rest) = self.0.split_once("://").unwrap_or(("", self.0));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        let more = if rest.len() > authority.len() { "/.." } else { "" };
        write!(f, "\"{scheme}://{host}{more}\"")
    }
}

/// An `http` or `https` URL by Konnect's rule, that the HTTP client can
/// also parse.
fn is_valid_endpoint(endpoint: &str) -> bool {
    is_http_url(endpoint)
        && ureq::http::Uri::try_from(endpoint).is_ok_and(|uri| {
            uri.host().is_some_and(|host| !host.is_empty())
                && matches!(uri.scheme_str().map(str::to_ascii_lowercase).as_deref(), Some("http" | "https"))
        })
}

/// A seed from the process's random hasher keys: no clock, no extra crate.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new().build_hasher().finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_taken_and_refused() {
        for good in ["http://127.0.0.1:8080/x?y=1", "https://siem.example", "HTTPS://u:p@siem.example:443/in"] {
            assert!(is_valid_endpoint(good), "{good}");
        }
        for bad in ["", "siem.example", "ftp://siem.example", "https://", "http:///x", "https://a b/", "https://a/\n"] {
            assert!(!is_valid_endpoint(bad), "{bad:?}");
        }
    }

    #[test]
    fn debug_shows_the_origin_only() {
        let shown = |url: &str| format!("{:?}", Origin(url));
        assert_eq!(shown("https://user:pw@siem.example:8443/in/TOKEN?k=v"), "\"https://siem.example:8443/..\"");
        assert_eq!(shown("http://127.0.0.1:9"), "\"http://127.0.0.1:9\"");
        let config = SenderConfig::new("https://siem.example/TOKEN", Credential::new("Splunk abc123")).unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("abc123") && !debug.contains("TOKEN"), "{debug}");
    }
}
