//! What `cef receive` and `cef relay` do with one HTTP request before
//! storing it: the method, the `Authorization` header (constant time), the
//! body's encoding, size and time limits, and every entry checked (one
//! line, then its signature, in batches on the verifying threads). The
//! answer to a request that fails a check is decided here; storing what
//! passed is the caller's.
//!
//! Konnect retries only a connection error, a 500 and a 429 (konnect.md
//! section 4), so every condition a retry could fix is answered with one
//! of those: 429 with `Retry-After` for memory or queue pressure and while
//! draining, 500 for a storage failure, and a closed connection for a body
//! too slow. 4xx answers are kept for requests no retry would change.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use audit_cef::webhook::{BodyEntries, BodyLimits, Credential, accepts_content_encoding, check_single_line};
use audit_cef::{Error, ErrorKind, Format, Verifier};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, AUTHORIZATION, CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::journal::NotStored;

/// A response with a small plain-text or JSON body.
pub type Reply = Response<Full<Bytes>>;

/// How to answer a request: a response, or closing the connection without
/// one (Konnect retries a connection error; it would not retry a 408).
pub enum Answer {
    Reply(Reply),
    Close,
}

impl From<Reply> for Answer {
    fn from(reply: Reply) -> Answer {
        Answer::Reply(reply)
    }
}

/// Seconds a client is asked to wait when memory or the journal's queue is
/// short: both free up as the requests in flight finish.
const BUSY_RETRY_SECS: u64 = 1;

/// Seconds a client is asked to wait while the collector stops: long
/// enough for a restart.
const DRAINING_RETRY_SECS: u64 = 5;

/// The checks and limits every request goes through.
pub struct Intake {
    pub credential: Credential,
    pub limits: BodyLimits,
    /// The most body bytes read (as sent, before inflating).
    pub max_body: usize,
    /// The longest a request's body may take to arrive.
    pub body_timeout: Duration,
    /// One format for every entry, or `None`: each entry's own (CEF, JSON
    /// or CPS, told apart by its first bytes).
    pub format: Option<Format>,
    pub verifier: Arc<Verifier>,
    /// One permit per verifying thread: bodies wait here, not on the cores.
    pub verifying: Arc<Semaphore>,
    /// Body bytes held at once, in KiB permits: a request reserves its
    /// declared length (or `max_body`) before reading; when the budget is
    /// spent it is answered 429, so memory stays within it however many
    /// clients send at once.
    pub memory: Arc<Semaphore>,
    /// Set once the collector stops: requests still arriving get 429.
    pub draining: Arc<AtomicBool>,
}

/// A request's entries, checked.
pub struct Outcome {
    /// The entries as received (no line ending), in body order.
    entries: BodyEntries<'static>,
    /// Why each entry failed, in body order; `None` for a verified one.
    failures: Vec<Option<Error>>,
    /// The request's share of the memory budget, until it is stored.
    _memory: Option<OwnedSemaphorePermit>,
}

impl Outcome {
    /// The verified entries, in body order.
    pub fn verified(&self) -> impl Iterator<Item = &[u8]> {
        self.entries.iter().zip(&self.failures).filter(|(_, failure)| failure.is_none()).map(|(entry, _)| entry)
    }

    /// The rejected entries with why, in body order.
    pub fn rejected(&self) -> impl Iterator<Item = (&[u8], &Error)> {
        self.entries.iter().zip(&self.failures).filter_map(|(entry, failure)| failure.as_ref().map(|err| (entry, err)))
    }

    /// How many entries were verified and how many rejected.
    pub fn counts(&self) -> (usize, usize) {
        let rejected = self.failures.iter().filter(|failure| failure.is_some()).count();
        (self.failures.len().saturating_sub(rejected), rejected)
    }
}

impl Intake {
    /// Checks the request and verifies its entries, or says how to answer it.
    pub async fn take(&self, request: Request<Incoming>) -> Result<Outcome, Answer> {
        if request.method() != Method::POST {
            let mut reply = text(StatusCode::METHOD_NOT_ALLOWED, "only POST is accepted\n");
            reply.headers_mut().insert(ALLOW, hyper::header::HeaderValue::from_static("POST"));
            return Err(reply.into());
        }
        let received = request.headers().get(AUTHORIZATION).map(|value| value.as_bytes()).unwrap_or_default();
        if !self.credential.matches(received) {
            return Err(text(StatusCode::UNAUTHORIZED, "missing or wrong Authorization header\n").into());
        }
        if self.draining.load(Ordering::Relaxed) {
            let mut reply = busy(DRAINING_RETRY_SECS, "the collector is stopping; retry\n");
            reply.headers_mut().insert(CONNECTION, hyper::header::HeaderValue::from_static("close"));
            return Err(reply.into());
        }
        if !accepts_content_encoding(request.headers().get(CONTENT_ENCODING).map(|value| value.as_bytes())) {
            return Err(text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Encoding must be gzip, x-gzip, application/gzip, identity or none\n",
            )
            .into());
        }
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > self.max_body as u64) {
            return Err(too_large(self.max_body).into());
        }
        let reserve = declared.map_or(self.max_body, |length| length as usize).min(self.max_body);
        let kib = u32::try_from(reserve.div_ceil(1024).max(1)).unwrap_or(u32::MAX);
        let memory = match Arc::clone(&self.memory).try_acquire_many_owned(kib) {
            Ok(permit) => permit,
            Err(TryAcquireError::NoPermits) => {
                return Err(busy(BUSY_RETRY_SECS, "too many bodies in memory; retry\n").into());
            }
            Err(TryAcquireError::Closed) => return Err(internal().into()),
        };
        let body = Limited::new(request.into_body(), self.max_body);
        let body = match tokio::time::timeout(self.body_timeout, body.collect()).await {
            // Too slow, or the connection broke mid-body: no answer would
            // be heard, and a closed connection is what Konnect retries.
            Err(_) => return Err(Answer::Close),
            Ok(Err(err)) if err.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
                return Err(too_large(self.max_body).into());
            }
            Ok(Err(_)) => return Err(Answer::Close),
            Ok(Ok(collected)) => collected.to_bytes(),
        };
        // Verified right here on the runtime's thread (one per core): the
        // permits keep the cores' count of bodies verifying at once, and a
        // hand-off to another thread would cost a switch per request.
        let permit = self.verifying.acquire().await.map_err(|_| internal())?;
        let checked = check_body(&self.verifier, self.format, self.limits, body.into());
        drop(permit);
        let mut outcome = checked.map_err(|err| match err.kind() {
            ErrorKind::BodyTooLarge => text(StatusCode::PAYLOAD_TOO_LARGE, &format!("{err}\n")),
            _ => text(StatusCode::BAD_REQUEST, &format!("the body cannot be read: {err}\n")),
        })?;
        outcome._memory = Some(memory);
        Ok(outcome)
    }
}

/// Splits the body into entries and checks them all.
fn check_body(
    verifier: &Verifier,
    format: Option<Format>,
    limits: BodyLimits,
    body: Vec<u8>,
) -> Result<Outcome, Error> {
    // Entries stay in the one body (or inflated) buffer: no copy per entry.
    let entries = BodyEntries::decode_owned(body, limits)?;
    let borrowed: Vec<&[u8]> = entries.iter().collect();
    let failures = failures(verifier, format, &borrowed);
    Ok(Outcome { entries, failures, _memory: None })
}

/// Why each entry failed, in order (`None`: verified), exactly one verdict
/// per entry. An entry holding a CR or LF fails alone, unverified; the
/// others are verified in their format (`format`, or each entry's own):
/// CEF ones together in batches, JSON and CPS ones one by one.
pub fn failures(verifier: &Verifier, format: Option<Format>, entries: &[&[u8]]) -> Vec<Option<Error>> {
    let mut verdicts: Vec<Option<Error>> = Vec::with_capacity(entries.len());
    let mut cef: Vec<&[u8]> = Vec::with_capacity(entries.len());
    let mut cef_at: Vec<usize> = Vec::with_capacity(entries.len());
    for (at, entry) in entries.iter().enumerate() {
        if let Err(err) = check_single_line(entry) {
            verdicts.push(Some(err));
            continue;
        }
        verdicts.push(match format.unwrap_or_else(|| Format::detect(entry)) {
            Format::Cef => {
                cef.push(entry);
                cef_at.push(at);
                None
            }
            Format::Json => verifier.verify_json(entry).err(),
            Format::Cps => verifier.verify_cps(entry).err(),
        });
    }
    let mut batch = verifier.verify_cef_batch(&cef).into_iter();
    for at in cef_at {
        // One verdict per entry; fail closed if the library ever gave fewer.
        let verdict = batch.next().map_or_else(|| Some(Error::new(ErrorKind::NoKeyMatches)), Result::err);
        if let Some(slot) = verdicts.get_mut(at) {
            *slot = verdict;
        }
    }
    verdicts
}

/// One JSON line for the `--rejected` file: when, from whom, why, and the
/// entry (as text, or base64 when it is not UTF-8).
pub fn rejected_line(out: &mut Vec<u8>, peer: SocketAddr, entry: &[u8], err: &Error) {
    let mut object = serde_json::Map::new();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let now = i64::try_from(now.as_millis()).ok().and_then(chrono::DateTime::from_timestamp_millis);
    if let Some(now) = now {
        object.insert("received".into(), now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true).into());
    }
    object.insert("peer".into(), peer.to_string().into());
    object.insert("kind".into(), err.kind().name().into());
    object.insert("error".into(), err.to_string().into());
    match std::str::from_utf8(entry) {
        Ok(text) => object.insert("entry".into(), text.into()),
        Err(_) => {
            use base64::Engine as _;
            object.insert("entry_base64".into(), base64::engine::general_purpose::STANDARD.encode(entry).into())
        }
    };
    // A map of strings always serializes.
    if serde_json::to_writer(&mut *out, &object).is_ok() {
        out.push(b'\n');
    }
}

/// The 200 answer: what became of the request's entries, a JSON object
/// that clients read ignoring fields they do not know.
pub fn accepted(verified: usize, rejected: usize) -> Reply {
    let mut reply = text(StatusCode::OK, &format!("{{\"verified\":{verified},\"rejected\":{rejected}}}\n"));
    reply.headers_mut().insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    reply
}

/// The answer when the journal stored nothing: 429 when its queue is full,
/// 500 when a write failed (both are retried; nothing was kept).
pub fn not_stored(command: &str, err: &NotStored) -> Reply {
    match err {
        NotStored::Busy => busy(BUSY_RETRY_SECS, "the disk is behind; retry\n"),
        NotStored::Failed(err) => {
            crate::io_util::report(format_args!("{command}: cannot store entries: {err}"));
            internal()
        }
    }
}

/// 500: something of ours failed, so nothing is acknowledged; Konnect
/// retries it.
pub fn internal() -> Reply {
    text(StatusCode::INTERNAL_SERVER_ERROR, "the entries could not be stored; retry\n")
}

/// 429 with `Retry-After`: come back in `secs` seconds.
fn busy(secs: u64, message: &str) -> Reply {
    let mut reply = text(StatusCode::TOO_MANY_REQUESTS, message);
    reply.headers_mut().insert(RETRY_AFTER, hyper::header::HeaderValue::from(secs));
    reply
}

fn too_large(max: usize) -> Reply {
    text(StatusCode::PAYLOAD_TOO_LARGE, &format!("the body is over {max} bytes\n"))
}

/// A plain-text response.
pub fn text(status: StatusCode, body: &str) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_owned())));
    *reply.status_mut() = status;
    reply.headers_mut().insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"));
    reply
}
