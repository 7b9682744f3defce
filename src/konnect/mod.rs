//! Kong Konnect audit events: the typed model, byte-exact CEF, JSON and CPS.

pub(crate) mod cef;
pub(crate) mod entry;
pub(crate) mod event;
pub(crate) mod family;
pub(crate) mod field;
pub(crate) mod fields;
pub(crate) mod json;
mod serde;

pub use entry::Format;
pub use event::{AuditEvent, AuditEventBuilder, KONNECT_HOST, PrefixStyle, Product};
pub use family::{Access, AuthOutcome, AuthType, Authentication, Authorization, Family};
pub use field::Field;
