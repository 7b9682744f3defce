//! Deliver entries to an HTTP collector as Konnect's webhook does
//! (feature `http`; konnect.md section 4): a [`Sender`] with a bounded
//! queue, one background thread, batches, gzip, retries and an optional
//! durable spool. The only part of the crate that starts a thread or reads
//! a clock.
//!
//! ```no_run
//! use std::time::Duration;
//! use audit_cef::{Sender, SenderConfig};
//! use audit_cef::webhook::{Batcher, Credential};
//!
//! let config = SenderConfig::new("https://siem.example/in", Credential::new("Splunk 0000-1111"))?
//!     .batcher(Batcher::new().max_entries(500).max_age(Duration::from_millis(500)))
//!     .spool("/var/spool/audit-cef");
//! let sender = Sender::start(config)?;
//! for line in [b"first signed entry".as_slice(), b"second signed entry"] {
//!     sender.send(line)?; // on disk when it returns
//! }
//! let report = sender.close()?;
//! assert_eq!(report.delivered + report.given_up, report.accepted + report.replayed);
//! # Ok::<(), audit_cef::Error>(())
//! ```
//!
//! ## Delivery
//!
//! Each batch is one `POST` to the endpoint: the entries, each followed by
//! LF, gzipped (`Content-Encoding: gzip`) unless turned off, with
//! `Content-Type: text/plain` and the configured `Authorization` sent
//! verbatim (none when it is empty). A 2xx status delivers the batch. A
//! connection error (timeouts and TLS failures included), a 500 or a 429
//! is retried as the [`RetryPolicy`](crate::webhook::RetryPolicy) says,
//! waiting at least a `Retry-After` given in seconds (up to the policy's
//! cap, 120 s by default; jitter only lengthens it). Any other
//! status, redirects included, gives the batch up at once. Entries are
//! sent in the order they were accepted; a batch is given up whole.
//!
//! ## The spool
//!
//! With [`SenderConfig::spool`], every entry is appended to the spool
//! directory and synced to disk before `send` returns, and stays there
//! until the collector answered 2xx for its batch:
//!
//! - `<20 digits>.log`: segments of LF-terminated entries, append-only.
//!   Each start appends to new segments, so a line torn by a crash can
//!   only end a segment, and it is skipped when read back.
//! - `cursor`: the segment and byte offset of the first entry not yet
//!   delivered, replaced atomically (a temporary file, synced, renamed, the
//!   directory synced). Segments before it are deleted.
//! - `undelivered`: the entries of batches given up, synced before the
//!   cursor moves past them. The next start sends them again, after what
//!   was still pending.
//!
//! A new [`Sender`] on the same directory first sends what the previous
//! run left (pending entries, then given-up ones), in order, reading one
//! batch at a time, before any new entry. An entry `send` acknowledged
//! survives the process being killed at any point. Delivery is at least
//! once: a crash between a 2xx and the cursor update, or an I/O error on
//! the spool after it, sends those entries again on the next start. One
//! sender at a time may use a directory; the spool does not lock it.
//!
//! Without a spool, what is queued in memory is lost if the process dies
//! or the sender is dropped without [`Sender::close`].
//!
//! ## Secrets
//!
//! The authorization is a [`Credential`](crate::webhook::Credential): it
//! appears in no `Debug` output, error or report, and errors of the HTTP
//! client are not passed on. `Debug` shows the endpoint as scheme, host and
//! port only. Proxies from the environment are not used.

mod config;
mod failure;
mod jwks_fetcher;
mod konnect_api;
mod post;
mod replay;
mod report;
mod segment;
mod sender;
mod shared;
mod spool;
mod worker;

pub use config::{SenderConfig, WhenFull};
pub use failure::{BatchFailure, Failure};
pub use jwks_fetcher::{JwksFetchError, JwksFetcher, MAX_JWKS_BYTES};
pub use konnect_api::{ApiError, KonnectApi};
pub use report::SenderReport;
pub use sender::Sender;
