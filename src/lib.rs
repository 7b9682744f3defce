//! # audit-cef
//!
//! Signed audit logs in the ArcSight Common Event Format (CEF), as Kong
//! Konnect ships them to SIEMs.
//!
//! ```text
//! 2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list ...
//! ```
//!
//! ## Quick start
//!
//! Render an event into a reused buffer, then parse it back:
//!
//! ```
//! use audit_cef::{Event, Parser, Severity};
//!
//! let mut event = Event::new("KongInc", "Konnect", "1.0", "konnect", "Authz.control-planes", Severity::from_level(1)?)?
//!     .with_prefix("2025-06-18T21:02:36Z konghq.com")?;
//! event.push("rt", "1750280466889")?.push("action", "list")?.push("note", "a=b\nc")?;
//!
//! let mut buf = Vec::with_capacity(512);
//! event.render_into(&mut buf);
//! assert!(buf.ends_with(b"|1|rt=1750280466889 action=list note=a\\=b\\nc"));
//!
//! let line = Parser::new().parse(&buf)?;
//! assert_eq!(line.prefix(), Some("2025-06-18T21:02:36Z konghq.com"));
//! assert_eq!(line.get("note").as_deref(), Some("a=b\nc"));
//! assert_eq!(line.to_event()?, event);
//! # Ok::<(), audit_cef::Error>(())
//! ```
//!
//! ## Konnect audit events, signed
//!
//! With the default `konnect` feature, build a typed event, sign it into a
//! buffer exactly as Konnect does, and verify it (in CEF, JSON or CPS)
//! against a key set: see the `konnect` module for the walk-through. The signature
//! covers every byte before ` sig=` (prefix included), is 86 base64url
//! characters, and must be the last field: see `Verifier`.
//!
//! ## Wire rules
//!
//! The encoder is strict and canonical (rules E1-E9 of the crate's CEF
//! spec): header fields escape `\` and `|` and may not hold line breaks;
//! extension values escape `\`, `=`, LF and CR and nothing else; keys match
//! `[A-Za-z0-9_][A-Za-z0-9_.,\-\[\]]*` and are never rewritten; pair order
//! is the caller's. A value ending in spaces loses them on decode when it is
//! the final pair (E9: the standard drops trailing spaces of the last value).
//!
//! The decoder ([`Parser`]) is lenient by default and strict on request
//! (rules P1-P16): see each switch of [`Parser`] for the rule it relaxes.
//! It borrows its input: header fields and values are `Cow<'a, str>` and
//! allocate only when unescaping changes them.
//!
//! ## Allocation
//!
//! [`Event::render_into`] and [`Renderer::render_into`] allocate nothing
//! when the buffer has the capacity. [`Parser::parse`] allocates nothing for
//! a line without escapes; [`Pair::value`] allocates only for a value with
//! an escape.
//!
//! ## Errors
//!
//! One [`Error`] type for every layer: an [`ErrorKind`], its
//! [`ErrorCategory`], the byte offset where the input went wrong (when a
//! byte is to blame), and the cause of a failed write. Errors never carry
//! input text.
//!
//! ## Security
//!
//! - Verification works on the raw bytes as received, never on a
//!   re-serialization; parsed fields come from the signed bytes only.
//! - One verification rule in the single and the batch path (ZIP-215's
//!   cofactored equation, canonical `s`): the same entries always get the
//!   same verdicts, whatever else is in the batch. Small-order and
//!   non-canonical keys are refused when loaded. See `Verifier`.
//! - `Signer` never shows its secret in `Debug`, and the key is zeroized
//!   when dropped. Errors never carry input text or key material.
//!
//! ## Layers and features
//!
//! Three layers, each usable without the ones above it, each a module:
//!
//! | module | feature | what | needs |
//! |---|---|---|---|
//! | [`cef`] | always | escaping, [`Event`], [`Renderer`], [`Parser`], [`Prefix`]; serde of [`Line`] and [`Event`] in the `cef` tool's JSON | chrono, memchr, itoa, serde |
//! | `sign` | `sign` | `Signer`, `Verifier`, `KeySet`, JWK/JWKS | + ed25519-dalek, sha2, base64, serde_json |
//! | `checkpoint` | `sign` | `Checkpointer`, `CompletenessChecker`: signed checkpoints proving a stream complete | (the `sign` layer) |
//! | `konnect` | `konnect` (default, implies `sign`) | `AuditEvent`, its families, JSON and CPS | + uuid |
//!
//! The `webhook` feature (implies `konnect`) adds `webhook`: batch bodies as
//! Konnect's webhook sends them, gzip included, with limits for receivers,
//! the `Content-Encoding` and entry hygiene rules, the retry policy, the
//! batcher and the webhook's configuration types. The `http`
//! feature (implies `webhook`) adds `Sender`, which delivers entries to a
//! collector as that webhook does, with retries and a durable spool. The
//! `syslog` feature adds `syslog`: entries in RFC 5424 and RFC 3164
//! messages and RFC 6587 stream framing, given back byte for byte on
//! receipt (no I/O; it needs only the `cef` layer). The `cli`
//! feature builds the `cef` tool. With `default-features = false`
//! the crate is the CEF codec alone. The everyday names of each layer are
//! re-exported here at the root.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod cef;
#[cfg(feature = "sign")]
pub mod checkpoint;
mod error;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "konnect")]
pub mod konnect;
#[cfg(feature = "receive")]
pub mod receive;
#[cfg(feature = "sign")]
pub mod sign;
#[cfg(feature = "syslog")]
pub mod syslog;
#[cfg(feature = "webhook")]
pub mod webhook;

/// chrono, whose `DateTime<Utc>` the API takes for event times.
pub use chrono;
/// uuid, whose `Uuid` the API takes for Konnect's ids.
#[cfg(feature = "konnect")]
pub use uuid;

pub use cef::{
    BsdTime, Event, Key, Line, Pair, Pairs, PairsForm, Parser, Prefix, Pri, Renderer, Rfc5424, Severity, Version,
    escape_header, escape_header_into, escape_value, escape_value_into,
};
pub use error::{Error, ErrorCategory, ErrorKind, FieldName, HeaderField, Result};
#[cfg(feature = "http")]
pub use http::{Sender, SenderConfig, SenderReport};
#[cfg(feature = "konnect")]
pub use konnect::{
    Access, AuditEvent, AuditEventBuilder, AuthOutcome, AuthType, Authentication, Authorization, Family, Field, Format,
    KONNECT_HOST, PrefixStyle, Product,
};
#[cfg(feature = "sign")]
pub use sign::{
    Jwk, Jwks, KeySet, PublicKey, SIGNATURE_B64_LEN, SIGNATURE_LEN, Signer, SkippedKey, Verified, Verifier,
    VerifierState,
};

/// The README's examples run as doc tests.
#[cfg(all(doctest, feature = "konnect"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
