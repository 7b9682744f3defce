//! Vendor-neutral CEF: escaping, the event model, the renderer, the
//! zero-copy parser and syslog prefixes. Needs no other layer of the crate
//! and builds with `--no-default-features`.

pub(crate) mod bsd_time;
pub(crate) mod decimal;
pub(crate) mod digits;
pub(crate) mod escape;
pub(crate) mod event;
pub(crate) mod key;
pub(crate) mod limits;
pub(crate) mod line;
pub(crate) mod marker;
pub(crate) mod parse;
pub(crate) mod prefix;
pub(crate) mod pri;
pub(crate) mod render;
pub(crate) mod rfc3339;
pub(crate) mod rfc5424;
mod serde;
pub(crate) mod severity;
pub(crate) mod word;

pub use bsd_time::BsdTime;
pub use escape::{escape_header, escape_header_into, escape_value, escape_value_into};
pub use event::Event;
pub use key::Key;
pub use line::{Line, Pair, Pairs};
pub use parse::Parser;
pub use prefix::Prefix;
pub use pri::Pri;
pub use render::Renderer;
pub use rfc5424::Rfc5424;
pub use serde::PairsForm;
pub use severity::{Severity, Version};
