//! Vendor-neutral CEF: escaping, the event model, the renderer, the
//! zero-copy parser and syslog prefixes.

pub(crate) mod escape;
pub(crate) mod event;
pub(crate) mod key;
pub(crate) mod limits;
pub(crate) mod line;
pub(crate) mod parse;
pub(crate) mod prefix;
pub(crate) mod render;
pub(crate) mod severity;

pub use escape::{escape_header, escape_header_reference, escape_value, escape_value_reference};
pub use event::Event;
pub use key::Key;
pub use line::{Line, Pair, Pairs};
pub use parse::Parser;
pub use prefix::{BsdTime, Prefix, Pri, Rfc5424};
pub use render::{RenderError, Renderer};
pub use severity::{Severity, Version};
