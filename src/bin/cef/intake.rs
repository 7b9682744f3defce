//! What `cef receive` and `cef relay` do with one HTTP request before
//! storing it: the method, the `Authorization` header (constant time), the
//! body's size and time limits, gzip or plain, and every entry verified in
//! batches on the verifying threads. The answer to a request that fails a
//! check is decided here; storing what passed is the caller's.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use audit_cef::konnect::{BodyLimits, Credential, decode_body};
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
    /// Verified entries, as received (no line ending), in body order.
    pub verified: Vec<Vec<u8>>,
    /// Entries that failed, with why, in body order.
    pub rejected: Vec<(Vec<u8>, Error)>,
    /// The request's share of the memory budget, until it is stored.
    pub _memory: Option<OwnedSemaphorePermit>,
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
        let checked = check_body(&self.verifier, self.format, self.limits, &body);
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
fn check_body(verifier: &Verifier, format: Format, limits: BodyLimits, body: &[u8]) -> Result<Outcome, Error> {
    let entries = decode_body(body, limits)?;
    let mut outcome = Outcome { verified: Vec::with_capacity(entries.len()), rejected: Vec::new(), _memory: None };
    let results: Vec<Result<(), Error>> = match format {
        Format::Cef => {
            let borrowed: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
            verifier.verify_cef_batch(&borrowed).into_iter().map(|result| result.map(|_| ())).collect()
        }
        Format::Json => entries.iter().map(|entry| verifier.verify_json(entry).map(|_| ())).collect(),
        Format::Cps => entries.iter().map(|entry| verifier.verify_cps(entry).map(|_| ())).collect(),
    };
    let mut results = results.into_iter();
    for entry in entries {
        // One result per entry; fail closed if there were ever fewer.
        match results.next().unwrap_or_else(|| Err(Error::new(ErrorKind::NoKeyMatches))) {
            Ok(()) => outcome.verified.push(entry),
            Err(err) => outcome.rejected.push((entry, err)),
        }
    }
    Ok(outcome)
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
