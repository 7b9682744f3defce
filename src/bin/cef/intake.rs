//! What `cef receive` and `cef relay` do with one HTTP request before
//! storing it: the method, the `Authorization` header (constant time), the
//! body's size and time limits, gzip or plain, and every entry verified in
//! batches on the verifying threads. The answer to a request that fails a
//! check is decided here; storing what passed is the caller's.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use audit_cef::konnect::{BodyEntries, BodyLimits, Credential};
use audit_cef::{Error, ErrorKind, Format, Verifier};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A response with a small plain-text or JSON body.
pub type Reply = Response<Full<Bytes>>;

/// The checks and limits every request goes through.
pub struct Intake {
    pub credential: Credential,
    pub limits: BodyLimits,
    /// The most body bytes read (as sent, before inflating).
    pub max_body: usize,
    /// The longest a request's body may take to arrive.
    pub body_timeout: Duration,
    pub format: Format,
    pub verifier: Arc<Verifier>,
    /// One permit per verifying thread: bodies wait here, not on the cores.
    pub verifying: Arc<Semaphore>,
    /// Body bytes held at once, in KiB permits: a request reserves its
    /// declared length (or `max_body`) before reading, so however many
    /// clients send at once, memory stays within the budget.
    pub memory: Arc<Semaphore>,
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
    pub async fn take(&self, request: Request<Incoming>) -> Result<Outcome, Reply> {
        if request.method() != Method::POST {
            let mut reply = text(StatusCode::METHOD_NOT_ALLOWED, "only POST is accepted\n");
            reply.headers_mut().insert(ALLOW, hyper::header::HeaderValue::from_static("POST"));
            return Err(reply);
        }
        let received = request.headers().get(AUTHORIZATION).map(|value| value.as_bytes()).unwrap_or_default();
        if !self.credential.matches(received) {
            return Err(text(StatusCode::UNAUTHORIZED, "missing or wrong Authorization header\n"));
        }
        match request.headers().get(CONTENT_ENCODING).map(|value| value.as_bytes()) {
            None | Some(b"gzip" | b"x-gzip" | b"identity") => {}
            Some(_) => return Err(text(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Content-Encoding must be gzip or none\n")),
        }
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > self.max_body as u64) {
            return Err(too_large(self.max_body));
        }
        let reserve = declared.map_or(self.max_body, |length| length as usize).min(self.max_body);
        let kib = u32::try_from(reserve.div_ceil(1024).max(1)).unwrap_or(u32::MAX);
        let memory = Arc::clone(&self.memory).acquire_many_owned(kib).await.map_err(|_| unavailable())?;
        let body = Limited::new(request.into_body(), self.max_body);
        let body = match tokio::time::timeout(self.body_timeout, body.collect()).await {
            Err(_) => return Err(text(StatusCode::REQUEST_TIMEOUT, "the body took too long to arrive\n")),
            Ok(Err(err)) if err.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
                return Err(too_large(self.max_body));
            }
            Ok(Err(_)) => return Err(text(StatusCode::BAD_REQUEST, "the body could not be read\n")),
            Ok(Ok(collected)) => collected.to_bytes(),
        };
        // Verified right here on the runtime's thread (one per core): the
        // permits keep the cores' count of bodies verifying at once, and a
        // hand-off to another thread would cost a switch per request.
        let permit = self.verifying.acquire().await.map_err(|_| unavailable())?;
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

/// Splits the body into entries and verifies them all.
fn check_body(verifier: &Verifier, format: Format, limits: BodyLimits, body: Vec<u8>) -> Result<Outcome, Error> {
    // Entries stay in the one body (or inflated) buffer: no copy per entry.
    let entries = BodyEntries::decode_owned(body, limits)?;
    let borrowed: Vec<&[u8]> = entries.iter().collect();
    let failures = failures(verifier, format, &borrowed);
    if failures.len() != entries.len() {
        // One verdict per entry; fail closed if the library ever gave fewer.
        return Err(Error::new(ErrorKind::NoKeyMatches));
    }
    Ok(Outcome { entries, failures, _memory: None })
}

/// Why each entry failed, in order (`None`: verified): CEF in batches,
/// JSON and CPS one by one.
pub fn failures(verifier: &Verifier, format: Format, entries: &[&[u8]]) -> Vec<Option<Error>> {
    match format {
        Format::Cef => verifier.verify_cef_batch(entries).into_iter().map(Result::err).collect(),
        Format::Json => entries.iter().map(|entry| verifier.verify_json(entry).err()).collect(),
        Format::Cps => entries.iter().map(|entry| verifier.verify_cps(entry).err()).collect(),
    }
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

/// The 200 answer: what became of the request's entries.
pub fn accepted(verified: usize, rejected: usize) -> Reply {
    let mut reply = text(StatusCode::OK, &format!("{{\"verified\":{verified},\"rejected\":{rejected}}}\n"));
    reply.headers_mut().insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    reply
}

/// 503: the entries could not be stored, so nothing is acknowledged.
pub fn unavailable() -> Reply {
    text(StatusCode::SERVICE_UNAVAILABLE, "the entries could not be stored; retry\n")
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
