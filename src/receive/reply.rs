//! How a receiver answers a request: a status with its headers and a small
//! body, or a closed connection. The status table lives in
//! [`Intake`](super::Intake); this is only its vocabulary.

/// An HTTP answer, for the caller's server to send as it is.
///
/// ```
/// use audit_cef::receive::Reply;
/// let reply = Reply::accepted(3, 1);
/// assert_eq!((reply.status(), reply.body()), (200, "{\"verified\":3,\"rejected\":1}\n"));
/// assert_eq!(reply.content_type(), "application/json");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    body: String,
    json: bool,
    retry_after: Option<u64>,
    allow: Option<&'static str>,
    close: bool,
}

impl Reply {
    /// A plain-text answer.
    pub(crate) fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply { status, body: body.into(), json: false, retry_after: None, allow: None, close: false }
    }

    /// 200: every entry is stored; the body is a JSON object of counts,
    /// which clients read ignoring fields they do not know.
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::Reply::accepted(0, 0).status(), 200);
    /// ```
    pub fn accepted(verified: usize, rejected: usize) -> Reply {
        let body = format!("{{\"verified\":{verified},\"rejected\":{rejected}}}\n");
        Reply { json: true, ..Reply::text(200, body) }
    }

    /// 200 from a receiver that deduplicates: of the `verified` entries,
    /// `duplicates` were stored before and not written again.
    ///
    /// ```
    /// let reply = audit_cef::receive::Reply::accepted_with_duplicates(3, 1, 2);
    /// assert_eq!(reply.body(), "{\"verified\":3,\"rejected\":1,\"duplicates\":2}\n");
    /// ```
    pub fn accepted_with_duplicates(verified: usize, rejected: usize, duplicates: usize) -> Reply {
        let body = format!("{{\"verified\":{verified},\"rejected\":{rejected},\"duplicates\":{duplicates}}}\n");
        Reply { json: true, ..Reply::text(200, body) }
    }

    /// 429 with `Retry-After: secs`: come back later, nothing was kept.
    pub(crate) fn busy(secs: u64, body: &str) -> Reply {
        Reply { retry_after: Some(secs), ..Reply::text(429, body) }
    }

    /// 500: something of the receiver's failed; nothing was kept; Konnect
    /// retries it.
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::Reply::internal().status(), 500);
    /// ```
    pub fn internal() -> Reply {
        Reply::text(500, "the entries could not be stored; retry\n")
    }

    /// The HTTP status code.
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::Reply::internal().status(), 500);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body text.
    ///
    /// ```
    /// assert!(audit_cef::receive::Reply::internal().body().ends_with('\n'));
    /// ```
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The `Content-Type` to send.
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::Reply::internal().content_type(), "text/plain; charset=utf-8");
    /// ```
    pub fn content_type(&self) -> &'static str {
        if self.json { "application/json" } else { "text/plain; charset=utf-8" }
    }

    /// The `Retry-After` to send, in seconds (429 only).
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::Reply::internal().retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// The `Allow` header to send (405 only).
    ///
    /// ```
    /// assert_eq!(audit_cef::receive::Reply::internal().allow(), None);
    /// ```
    pub fn allow(&self) -> Option<&'static str> {
        self.allow
    }

    /// Whether to send `Connection: close` and close after answering.
    ///
    /// ```
    /// assert!(!audit_cef::receive::Reply::internal().close());
    /// ```
    pub fn close(&self) -> bool {
        self.close
    }

    pub(crate) fn with_allow(mut self, allow: &'static str) -> Reply {
        self.allow = Some(allow);
        self
    }

    pub(crate) fn closing(mut self) -> Reply {
        self.close = true;
        self
    }
}

/// What to do with a request that is not going further.
///
/// ```
/// use audit_cef::receive::{Answer, Reply};
/// assert!(matches!(Answer::Reply(Reply::internal()), Answer::Reply(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Send this reply.
    Reply(Reply),
    /// Close the connection without a reply: what Konnect retries when no
    /// reply would be heard, or when a 408 (which it never retries) is the
    /// only status there is.
    Close,
}
