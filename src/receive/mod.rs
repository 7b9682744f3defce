//! The receiving side of webhook and syslog delivery, without a server:
//! what `cef receive` and `cef relay` are made of, for any Rust service
//! that wants a verifying receiver of its own (feature `receive`).
//!
//! The way rustls and quinn separate a protocol from I/O, the caller's
//! server (hyper, axum, a std `TcpListener`) drives these pieces:
//!
//! - [`Intake`]: hand it a request [`Head`], get a [`Decision`] (an answer,
//!   or a [`Reservation`] to read the body); hand it the body, get the
//!   [`Checked`] entries, exactly one verdict each, and the [`Records`] to
//!   store. The status table (which answers Konnect retries) is written
//!   there once.
//! - [`VerifyPool`]: the one way entries are verified: the entry hygiene
//!   rule, then each entry in its format, CEF ones in batches, a
//!   [`VerifierState`](crate::VerifierState) per thread.
//! - [`Journal`]: group-committed, fsynced appends to the output files,
//!   cut back on any failure so nothing is ever torn, and completeness fed
//!   once records are durable.
//! - [`StreamArrivals`], [`Arrivals`] and [`check_arrivals`]: the same for
//!   entries carried by syslog (a connection's bytes cut into frames, their
//!   entries verified in batches from every sender).
//!
//! The journal's writer and [`VerifyPool::verify_parallel`] use threads;
//! nothing here reads a clock (the caller stamps records) or opens a socket.
//!
//! ```
//! use audit_cef::receive::{Decision, Head, Intake, Journal, VerifyPool};
//! use audit_cef::webhook::{BodyLimits, Credential};
//! use audit_cef::{KeySet, Signer, Verifier};
//! # let dir = std::env::temp_dir().join(format!("receive-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! let signer = Signer::from_seed(&[3; 32]);
//! let pool = VerifyPool::new(Verifier::new(KeySet::from_keys([signer.public_key()])), 2);
//! let intake = Intake::new(Credential::new("Bearer s3cret"), BodyLimits::default(), 64 << 20);
//! let (journal, writer) = Journal::open(Some(&dir.join("out.cef")), &dir.join("rejected.jsonl"), None)?;
//!
//! // A request arrives: first its head...
//! let mut body = b"CEF:0|v|p|1|id|n|5|a=1".to_vec();
//! signer.sign_cef(&mut body, 0)?;
//! let head = Head::post("127.0.0.1:4000".parse().unwrap()).authorization(b"Bearer s3cret");
//! let Decision::Read(reservation) = intake.head(&head) else { panic!("answered early") };
//! // ...then its body (read by the server, at most reservation.max_body() bytes).
//! let checked = intake.body(reservation, body, &pool).expect("a readable body");
//! let records = checked.records(audit_cef::chrono::Utc::now());
//! let reply = records.accepted();
//! let (tell, told) = std::sync::mpsc::channel();
//! journal.submit(records, Box::new(move |stored| { let _ = tell.send(stored.is_ok()); })).unwrap();
//! assert!(told.recv().unwrap(), "answer 500 otherwise");
//! assert_eq!((reply.status(), reply.body()), (200, "{\"verified\":1,\"rejected\":0}\n"));
//! # drop(journal); writer.join().unwrap();
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod arrival;
mod dedup;
mod dedup_gate;
mod dedup_key;
mod intake;
mod journal;
mod memory;
mod pool;
mod records;
mod reply;

pub use arrival::{Arrival, Arrivals, STAGE_BATCH, STAGE_BYTES, StreamArrivals, check_arrivals};
pub use dedup::{Covered, DedupIndex, RETAINED_DAYS, SPARSE_EVERY, TAIL_ENTRIES};
pub use dedup_gate::{DedupGate, Reserved};
pub use dedup_key::{DIGEST_LEN, DedupKey, Digest};
pub use intake::{
    BUSY_RETRY_SECS, BodyFailure, Checked, DRAINING_RETRY_SECS, Decision, Head, Intake, Reservation, held_by,
};
pub use journal::{
    Announced, Done, GATHER_AT_MOST, Journal, JournalOptions, NotStored, QUEUED_SUBMISSIONS, Reopened, Stored,
    SyncObserver, Tally,
};
pub use memory::{MemoryBudget, MemoryReservation};
pub use pool::{VerifyPool, verify_entries, verify_entries_keys};
pub use records::Records;
pub use reply::{Answer, Reply};
