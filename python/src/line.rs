//! `parse`, `parse_lines`, `Line` and `render`: any vendor's CEF.

use audit_cef::{Event, Parser, Prefix, Pri, Renderer, Severity, Version};
use pyo3::PyTraverseError;
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use std::cell::RefCell;

use pyo3::types::{PyDict, PyIterator, PyList, PyString};

use crate::errors::{OrRaise, Origin, error_object, to_pyerr};
use crate::input::{Entry, pairs_of};

const LENIENT: Parser = Parser::new();
const STRICT: Parser = Parser::new().strict(true);

fn parser(strict: bool) -> &'static Parser {
    if strict { &STRICT } else { &LENIENT }
}

/// One parsed CEF line: the header fields, unescaped, and the extension
/// pairs in line order. Values are ``str``; nothing is converted.
///
/// >>> import audit_cef
/// >>> line = audit_cef.parse(r"host CEF:0|Kong\|Inc|Konnect|1.0|konnect|Authz.usage|1|act=read msg=a\=b msg=last")
/// >>> (line.prefix, line.vendor, line.name, line.severity, line.severity_level)
/// ('host', 'Kong|Inc', 'Authz.usage', '1', 1)
/// >>> line.pairs()
/// [('act', 'read'), ('msg', 'a=b'), ('msg', 'last')]
/// >>> line.extensions
/// {'act': 'read', 'msg': 'last'}
/// >>> line.get("msg"), line.get("missing")
/// ('last', None)
#[pyclass(module = "audit_cef", frozen)]
pub struct Line {
    /// The line as parsed (its line ending included); the fields point
    /// into it. Rust-owned: a `Py` field would make every `Line` an object
    /// the garbage collector tracks, which costs more than the copy.
    text: String,
    strict: bool,
    /// The text before ``CEF:`` (a syslog header, Konnect's time and host),
    /// verbatim, or ``None``.
    ///
    /// >>> audit_cef.parse("2025-06-18T21:02:36Z konghq.com CEF:0|v|p|1|id|n|5|").prefix
    /// '2025-06-18T21:02:36Z konghq.com'
    #[pyo3(get)]
    prefix: Option<Py<PyString>>,
    /// The CEF version digits as written (``'0'``, ``'1'``).
    ///
    /// >>> audit_cef.parse("CEF:1|v|p|1|id|n|5|").version
    /// '1'
    #[pyo3(get)]
    version: Py<PyString>,
    /// Device Vendor, unescaped.
    ///
    /// >>> audit_cef.parse("CEF:0|KongInc|p|1|id|n|5|").vendor
    /// 'KongInc'
    #[pyo3(get)]
    vendor: Py<PyString>,
    /// Device Product, unescaped.
    ///
    /// >>> audit_cef.parse("CEF:0|v|Konnect|1|id|n|5|").product
    /// 'Konnect'
    #[pyo3(get)]
    product: Py<PyString>,
    /// Device Version, unescaped.
    ///
    /// >>> audit_cef.parse("CEF:0|v|p|1.0|id|n|5|").device_version
    /// '1.0'
    #[pyo3(get)]
    device_version: Py<PyString>,
    /// Device Event Class ID, unescaped.
    ///
    /// >>> audit_cef.parse("CEF:0|v|p|1|konnect|n|5|").event_class_id
    /// 'konnect'
    #[pyo3(get)]
    event_class_id: Py<PyString>,
    /// Name, unescaped.
    ///
    /// >>> audit_cef.parse(r"CEF:0|v|p|1|id|a\\b|5|").name
    /// 'a\\b'
    #[pyo3(get)]
    name: Py<PyString>,
    /// Severity as written: ``'0'`` to ``'10'``, a name such as ``'High'``,
    /// or ``''`` (the lenient parser accepts an empty field).
    ///
    /// >>> audit_cef.parse("CEF:0|v|p|1|id|n|Very-High|").severity
    /// 'Very-High'
    #[pyo3(get)]
    severity: Py<PyString>,
    severity_level: Option<u8>,
    unparsed: Option<Span>,
    /// The extension as a ``dict``, made when the line is parsed: the last
    /// of duplicate keys wins. It is the line's own dict (``get``, ``in``
    /// and ``line[key]`` look it up); ``pairs()`` and ``to_cef()`` give the
    /// line as parsed whatever is done to it.
    ///
    /// >>> audit_cef.parse("CEF:0|v|p|1|id|n|5|a=1 b=2 a=3").extensions
    /// {'a': '3', 'b': '2'}
    #[pyo3(get)]
    extensions: Py<PyDict>,
    /// Keys and unescaped values, in line order.
    pairs: Vec<(Span, Span)>,
    /// The fields that are not ranges of `text` (unescaped), by index.
    owned: Vec<Box<str>>,
}

/// A field of the line: a range of its text, or (`at == OWNED`) the index
/// of its unescaped copy in `owned`. Small, so that a `Line` is cheap to
/// move; Python strings are made when a field is read, not when parsed.
#[derive(Clone, Copy)]
struct Span {
    at: u32,
    len: u32,
}

const OWNED: u32 = u32::MAX;

impl Span {
    /// `field` as a range of `text` when it lies inside it (borrowed by the
    /// parser), else as a copy pushed on `owned`.
    fn of(text: &str, field: &str, owned: &mut Vec<Box<str>>) -> Span {
        let base = text.as_ptr() as usize;
        let at = field.as_ptr() as usize;
        if at >= base
            && at + field.len() <= base + text.len()
            && let (Ok(at), Ok(len)) = (u32::try_from(at - base), u32::try_from(field.len()))
            && at != OWNED
        {
            return Span { at, len };
        }
        owned.push(field.into());
        Span { at: OWNED, len: u32::try_from(owned.len() - 1).unwrap_or(u32::MAX) }
    }
}

/// The slots of a string cache: each holds a string and its Python object.
type Slots = Vec<Option<(Box<str>, Py<PyString>)>>;

thread_local! {
    /// Header fields and keys repeat from line to line (`KongInc`, `rt`,
    /// `src`...): one Python string each, whose hash Python then computes
    /// only once. A direct-mapped cache: a lookup is one hash and one
    /// comparison whatever the input, and a collision only costs a miss.
    static INTERNED: RefCell<Slots> = const { RefCell::new(Vec::new()) };
}

/// Strings longer than this are not interned.
const INTERN_MAX_LEN: usize = 48;
/// Slots of the cache (a power of two).
const INTERN_SLOTS: usize = 1024;

/// A fast hash of a short string, eight bytes at a time (the tail gathered
/// in a register: bytes stored one by one and read back as a word stall).
fn short_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut hash = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        hash = (hash ^ word).wrapping_mul(K);
        hash ^= hash >> 29;
    }
    let mut last = 0u64;
    for (shift, byte) in chunks.remainder().iter().enumerate() {
        last |= u64::from(*byte) << (8 * shift);
    }
    hash = (hash ^ last).wrapping_mul(K);
    hash ^ (hash >> 32)
}

/// The Python string for `text`, shared when it is short.
fn interned<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyString> {
    if text.len() > INTERN_MAX_LEN {
        return PyString::new(py, text);
    }
    INTERNED.with(|cell| cached(py, cell, text))
}

/// `text` from the direct-mapped cache `cell`, made and put there on a miss.
fn cached<'py>(py: Python<'py>, cell: &RefCell<Slots>, text: &str) -> Bound<'py, PyString> {
    let Ok(mut slots) = cell.try_borrow_mut() else { return PyString::new(py, text) };
    if slots.is_empty() {
        slots.resize_with(INTERN_SLOTS, || None);
    }
    let index = (short_hash(text.as_bytes()) as usize) & (INTERN_SLOTS - 1);
    let Some(slot) = slots.get_mut(index) else { return PyString::new(py, text) };
    if let Some((held, string)) = slot
        && **held == *text
    {
        return string.bind(py).clone();
    }
    let made = PyString::new(py, text);
    *slot = Some((text.into(), made.clone().unbind()));
    made
}

impl Line {
    /// The whole line as text (checked UTF-8 when parsed).
    fn whole<'a>(&'a self, _py: Python<'_>) -> &'a str {
        &self.text
    }

    /// The line without its line ending.
    fn line_text<'a>(&'a self, py: Python<'_>) -> &'a str {
        self.whole(py).trim_end_matches(['\r', '\n'])
    }

    fn str<'a>(&'a self, _py: Python<'_>, span: &Span) -> &'a str {
        if span.at == OWNED {
            return self.owned.get(span.len as usize).map(|text| &**text).unwrap_or_default();
        }
        let at = span.at as usize;
        self.text.get(at..at + span.len as usize).unwrap_or_default()
    }

    /// The Python object of a parsed line: `parsed` is `text` parsed.
    fn build(py: Python<'_>, parsed: &audit_cef::Line<'_>, text: &str, strict: bool) -> PyResult<Line> {
        let mut owned = Vec::new();
        let mut span = |field: &str| Span::of(text, field, &mut owned);
        let extensions = PyDict::new(py);
        let mut pairs = Vec::new();
        for pair in parsed.pairs() {
            let value = pair.value();
            extensions.set_item(interned(py, pair.key()), PyString::new(py, &value))?;
            pairs.push((span(pair.key()), span(&value)));
        }
        Ok(Line {
            text: String::new(),
            strict,
            prefix: parsed.prefix().map(|prefix| PyString::new(py, prefix).unbind()),
            version: interned(py, parsed.version()).unbind(),
            vendor: interned(py, parsed.vendor()).unbind(),
            product: interned(py, parsed.product()).unbind(),
            device_version: interned(py, parsed.device_version()).unbind(),
            event_class_id: interned(py, parsed.event_class_id()).unbind(),
            name: interned(py, parsed.name()).unbind(),
            severity: interned(py, parsed.severity_str()).unbind(),
            severity_level: parsed.severity().and_then(Severity::level),
            unparsed: parsed.unparsed().map(&mut span),
            extensions: extensions.unbind(),
            pairs,
            owned,
        })
    }

    /// Parses `text` (one line, a line ending allowed), keeping it.
    fn try_text(py: Python<'_>, text: String, strict: bool) -> PyResult<Result<Line, (audit_cef::Error, String)>> {
        let built = match parser(strict).parse_str(&text) {
            Ok(parsed) => Ok(Line::build(py, &parsed, &text, strict)?),
            Err(err) => Err(err),
        };
        Ok(match built {
            // The spans point into `text`: moving the String keeps them valid.
            Ok(mut line) => {
                line.text = text;
                Ok(line)
            }
            Err(err) => Err((err, text)),
        })
    }

    /// Parses `text` (one line, a line ending allowed) into a `Line`.
    pub fn from_text(py: Python<'_>, text: &str, strict: bool) -> PyResult<Line> {
        Line::try_text(py, text.to_owned(), strict)?.map_err(|(err, text)| to_pyerr(py, &err, Origin::Str(&text)))
    }

    /// Parses a `str` or `bytes` object: the line, or the Python error.
    fn try_object<'py>(
        py: Python<'py>,
        object: &Bound<'py, PyAny>,
        strict: bool,
    ) -> PyResult<Result<Line, Bound<'py, PyAny>>> {
        let (text, was_str) = match Entry::extract(object)? {
            Entry::Str(text) => (text.into_owned(), true),
            Entry::Bytes(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => (text.to_owned(), false),
                Err(err) => {
                    let err = audit_cef::Error::at(audit_cef::ErrorKind::NotUtf8, err.valid_up_to());
                    return Ok(Err(error_object(py, &err, Origin::Bytes)?));
                }
            },
        };
        match Line::try_text(py, text, strict)? {
            Ok(line) => Ok(Ok(line)),
            Err((err, text)) => {
                let origin = if was_str { Origin::Str(&text) } else { Origin::Bytes };
                Ok(Err(error_object(py, &err, origin)?))
            }
        }
    }
}

#[pymethods]
impl Line {
    /// Severity as a number 0-10, or ``None`` for a name or an empty field.
    ///
    /// >>> audit_cef.parse("CEF:0|v|p|1|id|n|7|").severity_level
    /// 7
    #[getter]
    fn severity_level(&self) -> Option<u8> {
        self.severity_level
    }

    /// Text between the header and the first key (lenient parsing keeps it
    /// here rather than dropping it), or ``None``.
    ///
    /// >>> audit_cef.parse("CEF:0|v|p|1|id|n|5|junk k=v").unparsed
    /// 'junk'
    #[getter]
    fn unparsed<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyString>> {
        self.unparsed.as_ref().map(|p| PyString::new(py, self.str(py, p)))
    }

    /// The extension pairs as a new list of ``(key, value)``, in line order,
    /// duplicates included.
    ///
    /// >>> audit_cef.parse("CEF:0|v|p|1|id|n|5|a=1 a=2").pairs()
    /// [('a', '1'), ('a', '2')]
    fn pairs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let pairs = self
            .pairs
            .iter()
            .map(|(key, value)| (interned(py, self.str(py, key)), PyString::new(py, self.str(py, value))));
        PyList::new(py, pairs)
    }

    /// ``extensions.get(key, default)``: the value of the last pair with
    /// ``key``, or ``default``.
    ///
    /// >>> audit_cef.parse(r"CEF:0|v|p|1|id|n|5|msg=a\nb").get("msg")
    /// 'a\nb'
    #[pyo3(signature = (key, default = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(self.extensions.bind(py).get_item(key)?.or(default))
    }

    /// ``extensions[key]``; ``KeyError`` if no pair has ``key``.
    fn __getitem__<'py>(&self, py: Python<'py>, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        match self.extensions.bind(py).get_item(key)? {
            Some(value) => Ok(value),
            None => Err(PyKeyError::new_err(key.clone().unbind())),
        }
    }

    /// ``key in extensions``.
    fn __contains__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.extensions.bind(py).contains(key)
    }

    /// The garbage collector sees the extension dict (which a caller may
    /// make refer back to the line).
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.extensions)
    }

    /// The line rendered again as canonical CEF (the prefix kept):
    /// byte-for-byte the input for a line written by a canonical encoder.
    /// With ``check_lengths=True``, the standard's length limits (vendor
    /// and product 63 bytes, ...) are checked first (``LimitError``).
    ///
    /// >>> text = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|act=read msg=a\\=b"
    /// >>> audit_cef.parse(text).to_cef() == text
    /// True
    #[pyo3(signature = (*, check_lengths = false))]
    fn to_cef(&self, py: Python<'_>, check_lengths: bool) -> PyResult<String> {
        let text = self.whole(py);
        let parsed = parser(self.strict).parse_str(text).or_raise_in(py, Origin::Str(text))?;
        let event = parsed.to_event().or_raise_in(py, Origin::Str(text))?;
        Renderer::new().check_lengths(check_lengths).render_to_string(&event).or_raise(py)
    }

    /// The prefix parsed as one of the forms CEF travels with, or ``None``
    /// without a prefix: a ``dict`` with ``form`` (``"rfc3339"`` as Konnect
    /// writes it, ``"bsd"`` as RFC 3164 syslog, ``"rfc5424"``, ``"pri"``),
    /// ``pri`` (the ``<PRI>`` value or ``None``), ``host``, and ``time``: an
    /// aware ``datetime`` (``None`` for BSD syslog, which has no year: then
    /// ``month``, ``day`` and ``clock`` say what it has). Raises
    /// ``CefSyntaxError`` (kind ``invalid_prefix``) for a prefix of no form.
    ///
    /// >>> audit_cef.parse("2025-06-18T21:02:36Z konghq.com CEF:0|v|p|1|id|n|5|").parse_prefix()["time"].isoformat()
    /// '2025-06-18T21:02:36+00:00'
    /// >>> audit_cef.parse("<134>Apr 14 05:39:08 konghq.com CEF:0|v|p|1|id|n|5|").parse_prefix()["month"]
    /// 4
    fn parse_prefix<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let text = self.whole(py);
        let parsed = parser(self.strict).parse_str(text).or_raise_in(py, Origin::Str(text))?;
        let Some(prefix) = parsed.prefix() else { return Ok(None) };
        let prefix = Prefix::parse(prefix).or_raise_in(py, Origin::Str(prefix))?;
        let dict = PyDict::new(py);
        let datetime = py.import("datetime")?;
        let aware = |timestamp: i64, offset_seconds: i32| -> PyResult<Bound<'py, PyAny>> {
            let tz =
                datetime.getattr("timezone")?.call1((datetime.getattr("timedelta")?.call1((0, offset_seconds))?,))?;
            datetime.getattr("datetime")?.call_method1("fromtimestamp", (timestamp, tz))
        };
        match prefix {
            Prefix::Rfc3339 { pri, time, host } => {
                dict.set_item("form", "rfc3339")?;
                dict.set_item("pri", pri.map(Pri::value))?;
                dict.set_item("host", host)?;
                dict.set_item("time", aware(time.timestamp(), 0)?)?;
            }
            Prefix::Bsd { pri, time, host } => {
                dict.set_item("form", "bsd")?;
                dict.set_item("pri", pri.map(Pri::value))?;
                dict.set_item("host", host)?;
                dict.set_item("time", py.None())?;
                dict.set_item("month", time.month())?;
                dict.set_item("day", time.day())?;
                dict.set_item("clock", time.time().format("%H:%M:%S").to_string())?;
            }
            Prefix::Pri(pri) => {
                dict.set_item("form", "pri")?;
                dict.set_item("pri", pri.value())?;
                dict.set_item("host", py.None())?;
                dict.set_item("time", py.None())?;
            }
            Prefix::Rfc5424(header) => {
                dict.set_item("form", "rfc5424")?;
                dict.set_item("pri", header.pri.value())?;
                dict.set_item("host", header.hostname)?;
                let time = header.timestamp.map(|t| aware(t.timestamp(), t.offset().local_minus_utc())).transpose()?;
                dict.set_item("time", time)?;
            }
            _ => dict.set_item("form", "unknown")?,
        }
        Ok(Some(dict))
    }

    /// The line as the ``cef parse`` tool's JSON object would hold it.
    ///
    /// >>> audit_cef.parse("CEF:0|v|p|1|id|n|5|a=1").to_dict()["extensions"]
    /// {'a': '1'}
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("prefix", &self.prefix)?;
        dict.set_item("version", &self.version)?;
        dict.set_item("vendor", &self.vendor)?;
        dict.set_item("product", &self.product)?;
        dict.set_item("device_version", &self.device_version)?;
        dict.set_item("event_class_id", &self.event_class_id)?;
        dict.set_item("name", &self.name)?;
        dict.set_item("severity", &self.severity)?;
        dict.set_item("extensions", self.extensions.bind(py).copy()?)?;
        Ok(dict)
    }

    fn __len__(&self) -> usize {
        self.pairs.len()
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<Line>() {
            Ok(other) => other.get().line_text(py) == self.line_text(py),
            Err(_) => false,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Line({})", PyString::new(py, self.line_text(py)).repr()?))
    }

    fn __str__<'a>(&'a self, py: Python<'_>) -> &'a str {
        self.line_text(py)
    }
}

/// Parses one CEF line (``str`` or ``bytes``; a trailing line ending is
/// ignored). Lenient by default, as real devices need; ``strict=True``
/// rejects anything the standard does not define.
///
/// Raises ``audit_cef.CefSyntaxError`` (a subclass of ``audit_cef.Error``)
/// with ``.kind`` and ``.offset`` (an index into what was passed).
///
/// >>> import audit_cef
/// >>> audit_cef.parse("CEF:0|v|p|1|id|n|5|b64=aGk=").get("b64")
/// 'aGk='
/// >>> audit_cef.parse("CEF:0|v|p|1|id|n|5|b64=aGk=", strict=True)
/// Traceback (most recent call last):
/// ...
/// audit_cef.CefSyntaxError: unescaped `=` in extension value at index 26
#[pyfunction]
#[pyo3(signature = (line, strict = false))]
pub fn parse(py: Python<'_>, line: &Bound<'_, PyAny>, strict: bool) -> PyResult<Line> {
    Line::try_object(py, line, strict)?.map_err(PyErr::from_value)
}

/// What `parse_lines` does with a line that fails.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnError {
    Raise,
    Skip,
    Return,
}

/// Iterator of `parse_lines`.
#[pyclass(module = "audit_cef")]
pub struct LineIterator {
    lines: Py<PyIterator>,
    strict: bool,
    on_error: OnError,
    lineno: usize,
}

#[pymethods]
impl LineIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let lines = self.lines.bind(py).clone();
        for item in lines {
            let item = item?;
            self.lineno += 1;
            match Line::try_object(py, &item, self.strict)? {
                Ok(line) => return Ok(Some(Bound::new(py, line)?.into_any())),
                Err(error) => {
                    if self.on_error == OnError::Skip {
                        continue;
                    }
                    error.setattr("lineno", self.lineno)?;
                    if self.on_error == OnError::Raise {
                        return Err(PyErr::from_value(error));
                    }
                    return Ok(Some(error));
                }
            }
        }
        Ok(None)
    }
}

/// Parses lines one at a time from any iterable of ``str`` or ``bytes``: a
/// list, a generator, a file opened in text or binary mode. Streams: one
/// line in memory at a time.
///
/// ``errors`` says what happens to a line that fails: ``"raise"`` (the
/// default) raises its ``audit_cef.Error``, ``"skip"`` drops it,
/// ``"return"`` yields the ``Error`` in its place. The error's ``lineno``
/// is the line number (from 1).
///
/// >>> import audit_cef
/// >>> lines = ["CEF:0|v|p|1|id|n|5|a=1\n", "not cef\n", "CEF:0|v|p|1|id|m|5|a=2\n"]
/// >>> [line.name for line in audit_cef.parse_lines(lines, errors="skip")]
/// ['n', 'm']
/// >>> [getattr(x, "kind", None) for x in audit_cef.parse_lines(lines, errors="return")]
/// [None, 'missing_cef_marker', None]
#[pyfunction]
#[pyo3(signature = (lines, strict = false, errors = "raise"))]
pub fn parse_lines(lines: &Bound<'_, PyAny>, strict: bool, errors: &str) -> PyResult<LineIterator> {
    let on_error = match errors {
        "raise" => OnError::Raise,
        "skip" => OnError::Skip,
        "return" => OnError::Return,
        _ => return Err(PyValueError::new_err("errors must be 'raise', 'skip' or 'return'")),
    };
    Ok(LineIterator { lines: lines.try_iter()?.unbind(), strict, on_error, lineno: 0 })
}

/// The severity argument: an ``int`` 0-10 or a name (``"High"``).
pub fn severity_of(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Severity> {
    if let Ok(level) = value.extract::<i64>() {
        let level = u8::try_from(level).unwrap_or(u8::MAX);
        return Severity::from_level(level).or_raise(py);
    }
    if let Ok(text) = value.cast::<PyString>() {
        return text.to_cow()?.parse::<Severity>().or_raise(py);
    }
    Err(PyTypeError::new_err("severity must be an int 0-10 or a name such as 'High'"))
}

/// Renders one CEF line with exact escaping (any vendor's event). The
/// extension is a ``dict`` or an iterable of ``(key, value)`` pairs, in
/// order; values are ``str``, ``int`` or ``bool`` (written ``true`` /
/// ``false``). ``check_lengths=True`` checks the standard's length limits
/// (``LimitError``); nothing is ever truncated.
///
/// >>> import audit_cef
/// >>> audit_cef.render(vendor="KongInc", product="Konnect", device_version="1.0",
/// ...     event_class_id="konnect", name="Authz.usage", severity=1,
/// ...     extensions={"act": "read", "msg": "a=b\nc", "granted": True},
/// ...     prefix="2025-06-18T21:02:36Z konghq.com")
/// '2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|act=read msg=a\\=b\\nc granted=true'
#[pyfunction]
#[pyo3(signature = (*, vendor, product, device_version, event_class_id, name, severity, extensions = None, prefix = None, version = 0, check_lengths = false))]
#[allow(clippy::too_many_arguments)]
pub fn render(
    py: Python<'_>,
    vendor: String,
    product: String,
    device_version: String,
    event_class_id: String,
    name: String,
    severity: &Bound<'_, PyAny>,
    extensions: Option<&Bound<'_, PyAny>>,
    prefix: Option<String>,
    version: u8,
    check_lengths: bool,
) -> PyResult<String> {
    let severity = severity_of(py, severity)?;
    let version: Version = version.to_string().parse().or_raise(py)?;
    let mut event =
        Event::new(vendor, product, device_version, event_class_id, name, severity).or_raise(py)?.with_version(version);
    if let Some(prefix) = prefix {
        event = event.with_prefix(prefix).or_raise(py)?;
    }
    if let Some(extensions) = extensions {
        for (key, value) in pairs_of(extensions)? {
            event.push(key, value).or_raise(py)?;
        }
    }
    Renderer::new().check_lengths(check_lengths).render_to_string(&event).or_raise(py)
}
