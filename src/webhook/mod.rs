//! Webhook delivery as Konnect does it (konnect.md section 4), apart from
//! Konnect's events: the batch body (newline-separated entries, gzip) with
//! limits for receivers, which `Content-Encoding` headers a receiver takes,
//! the entry hygiene rule, the retry policy, the batcher, and the webhook's
//! configuration types. Pure: no I/O, no clock. Feature `webhook`.
//!
//! ```
//! use audit_cef::webhook::{BodyLimits, decode_body, encode_body};
//! let mut body = Vec::new();
//! encode_body([b"first".as_slice(), b"second"], true, &mut body)?;
//! assert_eq!(decode_body(&body, BodyLimits::default())?, [b"first".to_vec(), b"second".to_vec()]);
//! # Ok::<(), audit_cef::Error>(())
//! ```

pub(crate) mod batcher;
pub(crate) mod body;
pub(crate) mod config;
pub(crate) mod encoding;
pub(crate) mod retry;

pub use crate::konnect::Credential;
pub use batcher::{Batcher, Due};
pub use body::{BodyEntries, BodyLimits, check_single_line, decode_body, encode_body};
pub use config::{AuditLogDestination, InvalidParameter, Webhook, WebhookUpdate};
pub use encoding::accepts_content_encoding;
pub use retry::{Attempt, Next, RetryPolicy};
