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
//! Build a typed event, sign it into a buffer exactly as Konnect does, and
//! verify it (in CEF, JSON or CPS) against a key set:
//!
//! ```
//! use audit_cef::{AuditEvent, Authorization, Family, Format, KeySet, Signer, Verifier};
//! use chrono::{TimeZone, Utc};
//!
//! let signer = Signer::from_seed(&[42; 32]); // or from_pkcs8_pem / from_jwk_str
//! let event = AuditEvent::builder(Family::Authorization(Authorization::new("konnect", "control-planes", "list", true)?))
//!     .time(Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).unwrap())
//!     .src("127.0.0.6".parse().unwrap())
//!     .org_id("777db3e4-5cb7-4dd5-b51c-9878096a6999".parse().unwrap())
//!     .principal_id("eb999f01-5976-4f4b-9fbc-dd5d514bd675".parse().unwrap())
//!     .trace_id(3959872677347089807)
//!     .user_agent("grpc-node-js/1.12.4")
//!     .build()?;
//!
//! let mut buf = Vec::with_capacity(1024);
//! event.sign_into(Format::Cef, &signer, &mut buf)?;
//! assert!(buf.starts_with(b"2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|"));
//!
//! // Publish the public key as Konnect does, and verify as a consumer.
//! let jwks = KeySet::from_keys([signer.public_key()]).to_jwks_string();
//! let verifier = Verifier::new(KeySet::from_jwks_str(&jwks)?);
//! assert_eq!(verifier.verify_audit(&buf)?.into_entry(), event);
//! # Ok::<(), audit_cef::Error>(())
//! ```
//!
//! The signature covers every byte before ` sig=` (prefix included), is
//! 86 base64url characters, and must be the last field: see [`Verifier`].
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
//! One [`Error`] type: an [`ErrorKind`] and the byte offset where the input
//! went wrong. Errors never carry input text.
//!
//! ## Security
//!
//! - Verification works on the raw bytes as received, never on a
//!   re-serialization; parsed fields come from the signed bytes only.
//! - `verify_strict` semantics: non-canonical or small-order signatures and
//!   keys are refused; keys are checked when loaded.
//! - [`Signer`] never shows its secret in `Debug`, and the key is zeroized
//!   when dropped. Errors never carry input text or key material.
//!
//! ## Features
//!
//! - `cli`: the `cef` command-line tool (clap).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod cef;
mod error;
mod konnect;
mod sign;

/// chrono, whose `DateTime<Utc>` the API takes for event times.
pub use chrono;
/// uuid, whose `Uuid` the API takes for Konnect's ids.
pub use uuid;

pub use cef::*;
pub use konnect::*;
pub use sign::*;

/// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
pub use error::{Error, ErrorKind, HeaderField, Result};
