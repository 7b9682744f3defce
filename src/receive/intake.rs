//! A webhook request taken as Konnect sends it, without I/O: the caller's
//! server hands over the request head and gets a [`Decision`], an answer or
//! a [`Reservation`] to read the body; then hands over the body and gets
//! the [`Checked`] entries, one verdict each, and the records to store.
//!
//! The status table, in one place (konnect.md section 4: Konnect retries
//! only a connection error, a 500 and a 429, so everything a retry could
//! fix is one of those):
//!
//! | answer | when |
//! |---|---|
//! | 200 `{"verified":N,"rejected":M}` | the records are stored (the caller's part) |
//! | 429 + `Retry-After` | the memory budget or the journal's queue is short, or the receiver is draining |
//! | 500 | the records could not be stored |
//! | closed connection | the body was too slow or broke off |
//! | 400 | a gzip stream that does not inflate |
//! | 401 | a missing or wrong `Authorization` |
//! | 405 (`Allow: POST`) | not a POST |
//! | 413 | the body, its inflated text, its entry count or one entry is over its limit |
//! | 415 | a `Content-Encoding` no receiver here reads (`br`, `deflate`) |

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};

use super::journal::NotStored;
use super::memory::{MemoryBudget, MemoryReservation};
use super::pool::VerifyPool;
use super::records::Records;
use super::reply::{Answer, Reply};
use crate::error::{Error, ErrorKind};
use crate::konnect::Format;
use crate::sign::Verifier;
use crate::webhook::{BodyEntries, BodyLimits, Credential, accepts_content_encoding};

/// Seconds a client is asked to wait when memory or the journal's queue is
/// short: both free up as the requests in flight finish.
pub const BUSY_RETRY_SECS: u64 = 1;

/// Seconds a client is asked to wait while the receiver stops: long enough
/// for a restart.
pub const DRAINING_RETRY_SECS: u64 = 5;

/// What a request's head says, as the caller's server read it.
///
/// ```
/// use audit_cef::receive::Head;
/// let head = Head::post("127.0.0.1:9".parse().unwrap()).authorization(b"Bearer s3cret").content_length(42);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Head<'h> {
    post: bool,
    authorization: Option<&'h [u8]>,
    content_encoding: Option<&'h [u8]>,
    content_length: Option<u64>,
    peer: SocketAddr,
}

impl<'h> Head<'h> {
    /// A POST from `peer` with no headers yet.
    ///
    /// ```
    /// let head = audit_cef::receive::Head::post("127.0.0.1:9".parse().unwrap());
    /// ```
    pub fn post(peer: SocketAddr) -> Head<'h> {
        Head { post: true, authorization: None, content_encoding: None, content_length: None, peer }
    }

    /// A request with this method (only `POST` goes further).
    ///
    /// ```
    /// let head = audit_cef::receive::Head::new("GET", "127.0.0.1:9".parse().unwrap());
    /// ```
    pub fn new(method: &str, peer: SocketAddr) -> Head<'h> {
        Head { post: method == "POST", ..Head::post(peer) }
    }

    /// The `Authorization` header's bytes.
    ///
    /// ```
    /// let head = audit_cef::receive::Head::post("127.0.0.1:9".parse().unwrap()).authorization(b"Bearer x");
    /// ```
    pub fn authorization(mut self, value: &'h [u8]) -> Head<'h> {
        self.authorization = Some(value);
        self
    }

    /// The `Content-Encoding` header's bytes.
    ///
    /// ```
    /// let head = audit_cef::receive::Head::post("127.0.0.1:9".parse().unwrap()).content_encoding(b"application/gzip");
    /// ```
    pub fn content_encoding(mut self, value: &'h [u8]) -> Head<'h> {
        self.content_encoding = Some(value);
        self
    }

    /// The declared `Content-Length`.
    ///
    /// ```
    /// let head = audit_cef::receive::Head::post("127.0.0.1:9".parse().unwrap()).content_length(10);
    /// ```
    pub fn content_length(mut self, length: u64) -> Head<'h> {
        self.content_length = Some(length);
        self
    }
}

/// What to do after the head.
#[derive(Debug)]
pub enum Decision {
    /// Answer now; the body is not read.
    Answer(Reply),
    /// Read the body, at most [`Reservation::max_body`] bytes, then hand
    /// it to [`Intake::body`]. The memory is held until the request is done.
    Read(Reservation),
}

/// The right to read one body: its share of the memory budget and where it
/// came from.
#[derive(Debug)]
pub struct Reservation {
    max_body: usize,
    peer: SocketAddr,
    memory: MemoryReservation,
}

impl Reservation {
    /// The most body bytes to read; past them, answer
    /// [`Intake::body_failed`] with [`BodyFailure::TooLarge`].
    pub fn max_body(&self) -> usize {
        self.max_body
    }
}

/// Why a body could not be read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFailure {
    /// It passed [`Reservation::max_body`].
    TooLarge,
    /// It took longer than the caller's time limit.
    TooSlow,
    /// The connection broke, or the framing was wrong.
    Broken,
}

/// The checks and limits every request goes through.
///
/// ```
/// use audit_cef::receive::{Decision, Head, Intake, VerifyPool};
/// use audit_cef::webhook::{BodyLimits, Credential};
/// use audit_cef::{KeySet, Signer, Verifier};
/// let signer = Signer::from_seed(&[2; 32]);
/// let pool = VerifyPool::new(Verifier::new(KeySet::from_keys([signer.public_key()])), 1);
/// let intake = Intake::new(Credential::new("Bearer s3cret"), BodyLimits::default(), 1 << 20);
/// let mut entry = b"CEF:0|v|p|1|id|n|5|a=1".to_vec();
/// signer.sign_cef(&mut entry, 0)?;
/// let peer = "127.0.0.1:9".parse().unwrap();
/// let head = Head::post(peer).authorization(b"Bearer s3cret").content_length(entry.len() as u64);
/// let Decision::Read(reservation) = intake.head(&head) else { panic!("refused") };
/// let checked = intake.body(reservation, entry.clone(), &pool).unwrap();
/// let records = checked.records(audit_cef::chrono::DateTime::UNIX_EPOCH);
/// assert_eq!(records.out(), [entry.as_slice(), b"\n"].concat());
/// assert_eq!(records.accepted().body(), "{\"verified\":1,\"rejected\":0}\n");
/// assert!(matches!(intake.head(&Head::post(peer)), Decision::Answer(reply) if reply.status() == 401));
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug)]
pub struct Intake {
    /// `None`: no `Authorization` is checked (see [`Intake::no_authorization`]).
    credential: Option<Credential>,
    limits: BodyLimits,
    format: Option<Format>,
    memory: MemoryBudget,
    draining: AtomicBool,
}

impl Intake {
    /// An intake requiring `credential` as the `Authorization` header,
    /// reading bodies within `limits`, holding at most `max_memory` bytes
    /// for all the requests in flight (bodies, inflated text, verdicts and
    /// records; see [`Intake::one_request`] for what one may need); each
    /// entry verified in its own format.
    pub fn new(credential: Credential, limits: BodyLimits, max_memory: usize) -> Intake {
        Intake {
            credential: Some(credential),
            limits,
            format: None,
            memory: MemoryBudget::new(max_memory),
            draining: AtomicBool::new(false),
        }
    }

    /// Verifies every entry in `format` (the others are rejected) instead
    /// of each in its own.
    ///
    /// ```
    /// # use audit_cef::webhook::{BodyLimits, Credential};
    /// let intake = audit_cef::receive::Intake::new(Credential::new("x"), BodyLimits::default(), 0)
    ///     .format(Some(audit_cef::Format::Cef));
    /// ```
    pub fn format(mut self, format: Option<Format>) -> Intake {
        self.format = format;
        self
    }

    /// Checks no `Authorization` at all: any request is taken. Only for a
    /// listener that nobody else can reach (loopback, or behind a proxy
    /// that authenticates); a receiver facing a network needs a credential.
    ///
    /// ```
    /// use audit_cef::receive::{Decision, Head, Intake};
    /// # use audit_cef::webhook::{BodyLimits, Credential};
    /// let intake = Intake::new(Credential::new(""), BodyLimits::default(), 256 << 20).no_authorization();
    /// let head = Head::post("127.0.0.1:9".parse().unwrap()).authorization(b"Bearer anything");
    /// assert!(matches!(intake.head(&head), Decision::Read(_)));
    /// ```
    pub fn no_authorization(mut self) -> Intake {
        self.credential = None;
        self
    }

    /// The memory budget shared by the requests in flight.
    pub fn memory(&self) -> &MemoryBudget {
        &self.memory
    }

    /// From now on, requests are answered 429 with `Retry-After` (the
    /// receiver is stopping).
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    /// Decides on a request from its head.
    pub fn head(&self, head: &Head<'_>) -> Decision {
        if !head.post {
            return Decision::Answer(Reply::text(405, "only POST is accepted\n").with_allow("POST"));
        }
        if self
            .credential
            .as_ref()
            .is_some_and(|credential| !credential.matches(head.authorization.unwrap_or_default()))
        {
            return Decision::Answer(Reply::text(401, "missing or wrong Authorization header\n"));
        }
        if self.draining.load(Ordering::Relaxed) {
            return Decision::Answer(Reply::busy(DRAINING_RETRY_SECS, "the receiver is stopping; retry\n").closing());
        }
        if !accepts_content_encoding(head.content_encoding) {
            return Decision::Answer(Reply::text(
                415,
                "Content-Encoding must be gzip, x-gzip, application/gzip, identity or none\n",
            ));
        }
        let max_body = self.limits.compressed_limit();
        if head.content_length.is_some_and(|length| length > max_body as u64) {
            return Decision::Answer(too_large(max_body));
        }
        let reserve = head.content_length.map_or(max_body, |length| length as usize).min(max_body);
        match self.memory.try_reserve(reserve.max(1)) {
            Some(memory) => {
                // A body shorter than declared is cut short; longer is refused.
                let max_body = head.content_length.map_or(max_body, |_| reserve);
                Decision::Read(Reservation { max_body, peer: head.peer, memory })
            }
            None => Decision::Answer(Reply::busy(BUSY_RETRY_SECS, "too many bodies in memory; retry\n")),
        }
    }

    /// The answer for a body that could not be read whole.
    ///
    /// ```
    /// use audit_cef::receive::{Answer, BodyFailure, Intake};
    /// # use audit_cef::webhook::{BodyLimits, Credential};
    /// let intake = Intake::new(Credential::new("x"), BodyLimits::default(), 0);
    /// assert_eq!(intake.body_failed(BodyFailure::TooSlow), Answer::Close);
    /// ```
    pub fn body_failed(&self, failure: BodyFailure) -> Answer {
        match failure {
            BodyFailure::TooLarge => Answer::Reply(too_large(self.limits.compressed_limit())),
            // No answer would be heard, or only a 408 fits: Konnect retries
            // a closed connection and never a 408.
            BodyFailure::TooSlow | BodyFailure::Broken => Answer::Close,
        }
    }

    /// Reads the body into its entries and verifies them all on the
    /// calling thread with `pool`.
    ///
    /// # Errors
    ///
    /// The answer when the body itself is refused: 413 over a limit, 400
    /// for a gzip stream that does not inflate. Entries that fail are not
    /// an error: they get their verdicts.
    pub fn body(&self, mut reservation: Reservation, body: Vec<u8>, pool: &VerifyPool) -> Result<Checked, Reply> {
        let busy = || Reply::busy(BUSY_RETRY_SECS, "too much in memory; retry\n");
        // Inflating takes room from the budget first, as much as it has up
        // to the limit: a small gzip body never holds memory nobody counted.
        let gzip = body.starts_with(&[0x1f, 0x8b]);
        let configured = self.limits.decompressed_limit();
        let room = if gzip { reservation.memory.grow_up_to(configured) } else { configured };
        // Entries stay in the one body (or inflated) buffer: no copy per entry.
        let entries = match BodyEntries::decode_owned(body, self.limits.max_decompressed(room)) {
            Ok(entries) => entries,
            // Short of the configured limit, more memory might have let it
            // through: a retry can fix that, so it is 429, never 413.
            Err(err) if err.kind() == ErrorKind::BodyTooLarge && room < configured => return Err(busy()),
            Err(err) if err.kind() == ErrorKind::BodyTooLarge => return Err(Reply::text(413, format!("{err}\n"))),
            Err(err) => return Err(Reply::text(400, format!("the body cannot be read: {err}\n"))),
        };
        // From now on: the text, the verdicts and the records it becomes.
        if !reservation.memory.resize(held_by(entries.text_len(), entries.len())) {
            return Err(busy());
        }
        let borrowed: Vec<&[u8]> = entries.iter().collect();
        let verdicts = pool.verify(self.format, &borrowed);
        drop(borrowed);
        Ok(Checked { entries, verdicts, format: self.format, peer: reservation.peer, _memory: reservation.memory })
    }

    /// The memory one request may hold at the intake's limits: its body as
    /// sent, then its text inflated, the verdicts and the records. A
    /// `max_memory` below it would answer 429 for ever.
    ///
    /// ```
    /// # use audit_cef::webhook::{BodyLimits, Credential};
    /// let limits = BodyLimits::new().max_compressed(1 << 20).max_decompressed(4 << 20).max_entries(1000);
    /// let intake = audit_cef::receive::Intake::new(Credential::new("x"), limits, 0);
    /// assert!(intake.one_request() > 4 << 20);
    /// ```
    pub fn one_request(&self) -> usize {
        self.limits
            .compressed_limit()
            .saturating_add(held_by(self.limits.decompressed_limit(), self.limits.entries_limit()))
    }

    /// The answer when the records could not be stored: 429 when the
    /// journal's queue is full, 500 when a write failed.
    ///
    /// ```
    /// use audit_cef::receive::{Intake, NotStored};
    /// # use audit_cef::webhook::{BodyLimits, Credential};
    /// let intake = Intake::new(Credential::new("x"), BodyLimits::default(), 0);
    /// assert_eq!(intake.not_stored(&NotStored::Busy).status(), 429);
    /// ```
    pub fn not_stored(&self, err: &NotStored) -> Reply {
        match err {
            NotStored::Busy => Reply::busy(BUSY_RETRY_SECS, "the disk is behind; retry\n"),
            NotStored::Failed(_) => Reply::internal(),
        }
    }
}

/// What `entries` entries of `text` bytes in all hold once checked: the
/// text, a rejected record of up to 1.4 times each entry (or the entry
/// again in `--out`), and per entry its place, its verdict and a record's
/// fixed fields. What a caller reserves for a batch it checks itself
/// (syslog arrivals, say) before it makes the records.
///
/// ```
/// assert_eq!(audit_cef::receive::held_by(1000, 1), 1000 + 1400 + 264);
/// ```
pub fn held_by(text: usize, entries: usize) -> usize {
    text.saturating_add(text.saturating_mul(7) / 5).saturating_add(entries.saturating_mul(PER_ENTRY))
}

/// Bytes per entry besides its text: its span and slice (32), its verdict
/// (32), and a rejected record's fields (time, peer, kind, error: about 200).
const PER_ENTRY: usize = 264;

fn too_large(max: usize) -> Reply {
    Reply::text(413, format!("the body is over {max} bytes\n"))
}

/// A body's entries with exactly one verdict each, in body order, holding
/// the request's share of the memory budget until dropped.
#[derive(Debug)]
pub struct Checked {
    entries: BodyEntries<'static>,
    verdicts: Vec<Option<Error>>,
    format: Option<Format>,
    peer: SocketAddr,
    _memory: MemoryReservation,
}

impl Checked {
    /// The verified entries, in body order.
    pub fn verified(&self) -> impl Iterator<Item = &[u8]> {
        self.entries.iter().zip(&self.verdicts).filter(|(_, verdict)| verdict.is_none()).map(|(entry, _)| entry)
    }

    /// The rejected entries with why, in body order.
    pub fn rejected(&self) -> impl Iterator<Item = (&[u8], &Error)> {
        self.entries.iter().zip(&self.verdicts).filter_map(|(entry, verdict)| verdict.as_ref().map(|err| (entry, err)))
    }

    /// Verifies again, against `verifier` (a new key set, say after a
    /// rotation), the entries whose verdict was that no key matches; the
    /// others keep theirs. Call it before the records are made.
    pub fn reverify(&mut self, verifier: &Verifier) {
        let mut state = verifier.new_state();
        for (entry, verdict) in self.entries.iter().zip(self.verdicts.iter_mut()) {
            if verdict.as_ref().is_some_and(|err| err.kind() == ErrorKind::NoKeyMatches) {
                let again = super::pool::verify_entries(verifier, &mut state, self.format, &[entry]);
                *verdict = again.into_iter().next().unwrap_or_else(|| Some(Error::new(ErrorKind::NoKeyMatches)));
            }
        }
    }

    /// The lines to store: verified entries for `--out`, rejected ones for
    /// `--rejected`, stamped `received`.
    pub fn records(&self, received: DateTime<Utc>) -> Records {
        self.records_without(received, &[])
    }

    /// [`Checked::records`] with the verified entries at `duplicates`
    /// (positions among [`Checked::verified`], ascending, as
    /// [`Reserved::duplicates`](super::Reserved::duplicates) gives them)
    /// counted as duplicates, not listed.
    pub fn records_without(&self, received: DateTime<Utc>, duplicates: &[usize]) -> Records {
        // Sized once: grown by doubling, `--out`'s lines were copied about
        // twice over and their pages faulted in again for every request.
        let lines = self.verified().map(|entry| entry.len().saturating_add(1)).fold(0, usize::saturating_add);
        let mut records = Records::with_out_capacity(lines);
        let mut verified = 0usize;
        for (entry, verdict) in self.entries.iter().zip(&self.verdicts) {
            match verdict {
                None => {
                    if duplicates.binary_search(&verified).is_ok() {
                        records.push_duplicate();
                    } else {
                        records.push_verified(entry);
                    }
                    verified += 1;
                }
                Some(err) => records.push_rejected(entry, err, self.peer, received),
            }
        }
        records
    }
}
