//! The hyper side of `cef receive` and `cef relay`: a request's head and
//! body handed to the library's [`Intake`] (which holds the status table),
//! the body read within its reservation and time limit, verification on the
//! runtime's threads (one body per core at a time), and the library's
//! answers turned into hyper's.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use audit_cef::ErrorKind;
use audit_cef::chrono::Utc;
use audit_cef::receive::{Announced, Answer, BodyFailure, Checked, Decision, Head, Intake, Journal, Records, Reply};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, AUTHORIZATION, CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Request, Response};
use tokio::sync::{Semaphore, oneshot};

use crate::completeness::Watch;
use crate::live_keys::LiveKeys;

/// A hyper response.
pub type HttpReply = Response<Full<Bytes>>;

/// What every request goes through.
pub struct Http {
    pub intake: Intake,
    /// The keys, which a fetch may change while serving.
    pub keys: Arc<LiveKeys>,
    /// The longest a request's body may take to arrive.
    pub body_timeout: Duration,
    /// One permit per verifying thread: bodies wait here, not on the cores.
    pub verifying: Semaphore,
    /// Whether the journal deduplicates (the answer then counts duplicates).
    pub dedup: bool,
}

impl Http {
    /// Reads and checks a request, or says how to answer it; once its
    /// body is in, its records are announced to `journal` (the guard goes
    /// to [`store`]), so requests verified together share one sync.
    pub async fn take(
        &self,
        request: Request<Incoming>,
        peer: SocketAddr,
        journal: &Journal,
    ) -> Result<(Checked, Announced), Answer> {
        let headers = request.headers();
        let mut head = Head::new(request.method().as_str(), peer);
        if let Some(value) = headers.get(AUTHORIZATION) {
            head = head.authorization(value.as_bytes());
        }
        if let Some(value) = headers.get(CONTENT_ENCODING) {
            head = head.content_encoding(value.as_bytes());
        }
        let declared = headers.get(CONTENT_LENGTH).and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
        if let Some(length) = declared {
            head = head.content_length(length);
        }
        let reservation = match self.intake.head(&head) {
            Decision::Answer(reply) => return Err(Answer::Reply(reply)),
            Decision::Read(reservation) => reservation,
        };
        let body = Limited::new(request.into_body(), reservation.max_body());
        let body = match tokio::time::timeout(self.body_timeout, body.collect()).await {
            Err(_) => return Err(self.intake.body_failed(BodyFailure::TooSlow)),
            Ok(Err(err)) if err.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
                return Err(self.intake.body_failed(BodyFailure::TooLarge));
            }
            Ok(Err(_)) => return Err(self.intake.body_failed(BodyFailure::Broken)),
            Ok(Ok(collected)) => collected.to_bytes(),
        };
        let announced = journal.announce();
        // Verified right here on the runtime's thread (one per core): the
        // permits keep the cores' count of bodies verifying at once, and a
        // hand-off to another thread would cost a switch per request.
        let pool = self.keys.pool();
        let permit = self.verifying.acquire().await.map_err(|_| Answer::Reply(Reply::internal()))?;
        let mut checked = self.intake.body(reservation, body.into(), &pool).map_err(Answer::Reply)?;
        drop(permit);
        // An entry no key matches may be signed by a key the JWKS has
        // rotated in: fetched again (within its limits) before the verdict.
        let unmatched = checked.rejected().any(|(_, err)| err.kind() == ErrorKind::NoKeyMatches);
        if unmatched
            && self.keys.is_remote()
            && let Some(newer) = self.keys.after_miss(&pool).await
        {
            let _permit = self.verifying.acquire().await.map_err(|_| Answer::Reply(Reply::internal()))?;
            checked.reverify(newer.verifier());
        }
        Ok((checked, announced))
    }
}

/// Hands `records` to the journal and waits until they are stored; the
/// answer to give: 200 with the counts, 429 when the journal's queue is
/// full, 500 when a write failed. `announced` is withdrawn as they go.
pub async fn store(command: &str, http: &Http, journal: &Journal, records: Records, announced: Announced) -> Answer {
    let intake = &http.intake;
    let (verified, rejected) = records.counts();
    let kinds = records.rejected_kinds().to_vec();
    let (tell, told) = oneshot::channel();
    // The other requests ready on this thread go first, as far as here:
    // their bodies verified and announced, they join this one's sync
    // instead of each paying a flush (a lone request goes on at once).
    tokio::task::yield_now().await;
    drop(announced);
    let submitted = journal.submit(
        records,
        Box::new(move |stored| {
            // A request that went away no longer needs its answer.
            let _ = tell.send(stored);
        }),
    );
    let stored = match submitted {
        Ok(()) => told.await.unwrap_or_else(|_| {
            Err(audit_cef::receive::NotStored::Failed(std::io::Error::other("the journal writer stopped")))
        }),
        Err(err) => Err(err),
    };
    match stored {
        Ok(stored) => {
            if let Some(metrics) = crate::metrics::get() {
                metrics.stored(verified, kinds.iter().map(|(kind, count)| (kind.name(), *count)));
                metrics.duplicates.inc_by(stored.duplicates as u64);
            }
            Answer::Reply(if http.dedup {
                Reply::accepted_with_duplicates(verified, rejected, stored.duplicates)
            } else {
                Reply::accepted(verified, rejected)
            })
        }
        Err(err) => {
            if matches!(err, audit_cef::receive::NotStored::Failed(_)) {
                crate::io_util::report(format_args!("{command}: {err}"));
            }
            Answer::Reply(intake.not_stored(&err))
        }
    }
}

/// What a collector does with a request's checked entries once it has
/// dealt with the verified ones (a relay has forwarded them, leaving out
/// the `duplicates`, positions among the verified): stores the records, says the outcome and any completeness problem newly found,
/// and gives the answer.
pub async fn store_and_say(
    command: &str,
    http: &Http,
    journal: &Journal,
    (checked, duplicates, announced): (&Checked, &[usize], Announced),
    peer: SocketAddr,
    watch: Option<&Watch>,
) -> Answer {
    let answer = store(command, http, journal, checked.records_without(Utc::now(), duplicates), announced).await;
    log_outcome(command, peer, &answer, Some(checked));
    if let Some(watch) = watch {
        watch.say_new_problems(command);
    }
    answer
}

/// One line for a request's outcome: who, the answer, and for a 200 the
/// counts and why entries were rejected (their kinds, never their text).
pub fn log_outcome(command: &str, peer: SocketAddr, answer: &Answer, checked: Option<&Checked>) {
    let failed = matches!(answer, Answer::Reply(reply) if reply.status() == 500);
    if !failed && !crate::logging::per_request() {
        return;
    }
    let reply = match answer {
        Answer::Close => {
            tracing::warn!(
                "{command}: {peer}: connection closed without an answer (the body was too slow or broke off)"
            );
            return;
        }
        Answer::Reply(reply) => reply,
    };
    let status = reply.status();
    let said = reply.body().trim_end();
    match (status, checked) {
        (200, Some(checked)) => {
            let mut kinds: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
            for (_, err) in checked.rejected() {
                *kinds.entry(err.kind().name()).or_default() += 1;
            }
            let reasons: Vec<String> = kinds.iter().map(|(kind, count)| format!("{kind} {count}")).collect();
            if reasons.is_empty() {
                tracing::info!("{command}: {peer}: 200 {said}");
            } else {
                tracing::warn!("{command}: {peer}: 200 {said} rejected: {}", reasons.join(", "));
            }
        }
        (500, _) => tracing::error!("{command}: {peer}: 500 {said}"),
        _ => tracing::warn!("{command}: {peer}: {status} {said}"),
    }
}

/// The library's reply as hyper's response.
pub fn to_http(reply: &Reply) -> HttpReply {
    let mut response = Response::new(Full::new(Bytes::from(reply.body().to_owned())));
    *response.status_mut() =
        hyper::StatusCode::from_u16(reply.status()).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static(reply.content_type()));
    if let Some(secs) = reply.retry_after() {
        headers.insert(RETRY_AFTER, hyper::header::HeaderValue::from(secs));
    }
    if let Some(allow) = reply.allow() {
        headers.insert(ALLOW, hyper::header::HeaderValue::from_static(allow));
    }
    if reply.close() {
        headers.insert(CONNECTION, hyper::header::HeaderValue::from_static("close"));
    }
    response
}
