//! Rendering an [`Event`] as one CEF line (E1-E9).

use std::fmt;
use std::io;

use super::escape::{HEADER_ESCAPES, Sink, VALUE_ESCAPES, escape_to};
use super::event::Event;
use super::limits;
use super::severity::Version;
use crate::error::{Error, Result};

/// Renders events; the one switch turns on the standard's length limits (E8).
///
/// Rendering itself cannot fail: events are validated when built. With
/// [`Renderer::check_lengths`] the limits are checked before anything is
/// written, so a failed call leaves the buffer as it was.
///
/// ```
/// use audit_cef::{Event, Renderer, Severity};
/// static RENDERER: Renderer = Renderer::new().check_lengths(true);
/// let event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?;
/// let mut buf = Vec::with_capacity(256);
/// RENDERER.render_into(&event, &mut buf)?;
/// assert_eq!(buf, b"CEF:0|v|p|1|id|n|Low|");
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Renderer {
    check_lengths: bool,
}

impl Renderer {
    /// A renderer without length checks.
    ///
    /// ```
    /// let renderer = audit_cef::Renderer::new();
    /// ```
    pub const fn new() -> Renderer {
        Renderer { check_lengths: false }
    }

    /// Checks the standard's length limits (E8) before rendering: vendor
    /// and product 63, device version 31, event class id 1023, name 512
    /// bytes, and the dictionary limits of known keys, in UTF-8 bytes
    /// before escaping. Nothing is ever truncated.
    ///
    /// ```
    /// use audit_cef::{ErrorKind, Event, HeaderField, Renderer, Severity};
    /// let event = Event::new("v".repeat(64), "p", "1", "id", "n", Severity::LOW)?;
    /// let err = Renderer::new().check_lengths(true).render_to_string(&event).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::HeaderTooLong(HeaderField::Vendor));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn check_lengths(mut self, yes: bool) -> Renderer {
        self.check_lengths = yes;
        self
    }

    /// Appends the rendered line to `out`. Allocates nothing when `out` has
    /// the capacity.
    ///
    /// # Errors
    ///
    /// Only with [`Renderer::check_lengths`]: the first field over its limit.
    ///
    /// ```
    /// # use audit_cef::{Event, Renderer, Severity};
    /// let event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?;
    /// let mut buf = Vec::new();
    /// Renderer::new().render_into(&event, &mut buf)?;
    /// assert_eq!(buf, b"CEF:0|v|p|1|id|n|Low|");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn render_into(&self, event: &Event<'_>, out: &mut Vec<u8>) -> Result<()> {
        self.check(event)?;
        out.reserve(size_hint(event));
        let Ok(()) = render_to(event, out);
        Ok(())
    }

    /// Renders into a new `String`.
    ///
    /// # Errors
    ///
    /// As [`Renderer::render_into`].
    ///
    /// ```
    /// # use audit_cef::{Event, Renderer, Severity};
    /// let event = Event::new("a|b", "p", "1", "id", "n", Severity::LOW)?;
    /// assert_eq!(Renderer::new().render_to_string(&event)?, "CEF:0|a\\|b|p|1|id|n|Low|");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn render_to_string(&self, event: &Event<'_>) -> Result<String> {
        self.check(event)?;
        Ok(event.to_string())
    }

    /// Writes the rendered line to `writer` (no line ending), in pieces: wrap
    /// an unbuffered writer in a `BufWriter`.
    ///
    /// # Errors
    ///
    /// As [`Renderer::render_into`], or the writer's error as
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) (see [`Error::io_error`](crate::Error::io_error)).
    ///
    /// ```
    /// # use audit_cef::{Event, Renderer, Severity};
    /// let event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?;
    /// let mut out = Vec::new();
    /// Renderer::new().render_to_writer(&event, &mut out)?;
    /// assert_eq!(out, b"CEF:0|v|p|1|id|n|Low|");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn render_to_writer<W: io::Write>(&self, event: &Event<'_>, writer: W) -> Result<()> {
        self.check(event)?;
        render_to(event, &mut IoSink(writer)).map_err(Error::from)
    }

    fn check(&self, event: &Event<'_>) -> Result<()> {
        if self.check_lengths { limits::check(event) } else { Ok(()) }
    }
}

impl Event<'_> {
    /// Appends the rendered line to `out` (no line ending). Allocates
    /// nothing when `out` has the capacity.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// let mut event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?;
    /// event.push("msg", "line\nbreak")?;
    /// let mut buf = Vec::with_capacity(128);
    /// event.render_into(&mut buf);
    /// assert_eq!(buf, b"CEF:0|v|p|1|id|n|Low|msg=line\\nbreak");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn render_into(&self, out: &mut Vec<u8>) {
        out.reserve(size_hint(self));
        let Ok(()) = render_to(self, out);
    }

    /// The rendered line as bytes.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// let event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?;
    /// assert_eq!(event.to_vec(), b"CEF:0|v|p|1|id|n|Low|");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.render_into(&mut out);
        out
    }
}

/// Renders the CEF line; `to_string()` comes from here.
impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render_to(self, &mut FmtSink(f))
    }
}

/// Bytes the line needs without escapes: one `reserve` for the common case.
fn size_hint(event: &Event<'_>) -> usize {
    let header = event.prefix.as_deref().map_or(0, |p| p.len() + 1)
        + event.vendor.len()
        + event.product.len()
        + event.device_version.len()
        + event.event_class_id.len()
        + event.name.len()
        + 24;
    event.extensions.iter().fold(header, |n, (k, v)| n.saturating_add(k.as_str().len() + v.len() + 2))
}

/// The one render core (E1, E3, E5, E7), for every kind of sink.
fn render_to<S: Sink>(event: &Event<'_>, out: &mut S) -> core::result::Result<(), S::Error> {
    if let Some(prefix) = &event.prefix {
        out.put(prefix)?;
        out.put(" ")?;
    }
    out.put(if event.version == Version::One { "CEF:1|" } else { "CEF:0|" })?;
    for field in [&event.vendor, &event.product, &event.device_version, &event.event_class_id, &event.name] {
        escape_to(&HEADER_ESCAPES, field, out)?;
        out.put("|")?;
    }
    out.put(event.severity.as_str())?;
    out.put("|")?;
    let mut separator = "";
    for (key, value) in &event.extensions {
        out.put(separator)?;
        out.put(key.as_str())?;
        out.put("=")?;
        escape_to(&VALUE_ESCAPES, value, out)?;
        separator = " ";
    }
    Ok(())
}

struct FmtSink<'f, 'g>(&'f mut fmt::Formatter<'g>);

impl Sink for FmtSink<'_, '_> {
    type Error = fmt::Error;
    fn put(&mut self, text: &str) -> fmt::Result {
        self.0.write_str(text)
    }
}

struct IoSink<W>(W);

impl<W: io::Write> Sink for IoSink<W> {
    type Error = io::Error;
    fn put(&mut self, text: &str) -> io::Result<()> {
        self.0.write_all(text.as_bytes())
    }
}
