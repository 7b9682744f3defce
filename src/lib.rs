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
//! ## Features
//!
//! - `cli`: the `cef` command-line tool (clap, serde_json).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod cef;
mod error;
mod konnect;
mod sign;

pub use cef::*;
pub use konnect::*;
pub use sign::*;

/// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
pub use error::{Error, ErrorKind, HeaderField, Result};
