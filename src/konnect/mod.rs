//! Kong Konnect audit events: the typed model, byte-exact CEF, JSON and CPS
//! (feature `konnect`, on by default). Builds on the `cef` and `sign` layers.
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

pub mod api;
pub(crate) mod cef;
mod credential;
pub(crate) mod entry;
pub(crate) mod event;
pub(crate) mod family;
pub(crate) mod field;
pub(crate) mod fields;
pub(crate) mod json;
pub(crate) mod order;
mod serde;
pub(crate) mod text;
pub(crate) mod value;

pub use credential::Credential;
pub use entry::Format;
pub use event::{AuditEvent, AuditEventBuilder, DOCUMENTED_AUTHZ, KONNECT_HOST, PrefixStyle, Product};
pub use family::{Access, AuthOutcome, AuthType, Authentication, Authorization, Family};
pub use field::Field;
