//! The crate's one error type as Python exceptions: `audit_cef.Error` and
//! one subclass per category, defined in `audit_cef/_errors.py` (plain
//! Python classes, so that they pickle, e.g. between Spark workers).

use audit_cef::{Error, ErrorCategory};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

use crate::input::Entry;

/// The exception classes, looked up once.
struct Classes {
    base: Py<PyType>,
    syntax: Py<PyType>,
    limit: Py<PyType>,
    signature: Py<PyType>,
    key: Py<PyType>,
    konnect: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let module = py.import("audit_cef._errors")?;
        let class = |name: &str| -> PyResult<Py<PyType>> { Ok(module.getattr(name)?.cast_into::<PyType>()?.unbind()) };
        Ok(Classes {
            base: class("Error")?,
            syntax: class("CefSyntaxError")?,
            limit: class("LimitError")?,
            signature: class("SignatureError")?,
            key: class("KeyMaterialError")?,
            konnect: class("KonnectError")?,
        })
    })
}

/// Where the failing input came from, to give the offset as an index into
/// what the caller passed: a character index for `str`, a byte index for
/// `bytes` (the crate counts bytes of UTF-8).
#[derive(Clone, Copy)]
pub enum Origin<'a> {
    /// Text passed as `str`.
    Str(&'a str),
    /// Bytes, or input that no single text is to blame for.
    Bytes,
}

impl<'a> Origin<'a> {
    /// The origin of an entry.
    pub fn of(entry: &'a Entry<'_>) -> Origin<'a> {
        match entry {
            Entry::Str(text) => Origin::Str(text),
            Entry::Bytes(_) => Origin::Bytes,
        }
    }

    fn index(self, byte: usize) -> usize {
        match self {
            Origin::Str(text) if !text.is_ascii() => text.char_indices().take_while(|(at, _)| *at < byte).count(),
            _ => byte,
        }
    }
}

/// The Python exception instance for `err` (not raised).
pub fn error_object<'py>(py: Python<'py>, err: &Error, origin: Origin<'_>) -> PyResult<Bound<'py, PyAny>> {
    let classes = classes(py)?;
    let class = match err.category() {
        ErrorCategory::Syntax => &classes.syntax,
        ErrorCategory::Limit => &classes.limit,
        ErrorCategory::Signature => &classes.signature,
        ErrorCategory::Key => &classes.key,
        ErrorCategory::Konnect => &classes.konnect,
        _ => &classes.base,
    };
    let kind = err.kind();
    let offset = err.offset().map(|at| origin.index(at));
    let message = match offset {
        Some(at) => format!("{kind} at index {at}"),
        None => kind.to_string(),
    };
    class.bind(py).call1((message, kind.name(), offset, err.category().name()))
}

/// `err` as a `PyErr` to raise.
pub fn to_pyerr(py: Python<'_>, err: &Error, origin: Origin<'_>) -> PyErr {
    match error_object(py, err, origin) {
        Ok(value) => PyErr::from_value(value),
        Err(lookup) => lookup,
    }
}

/// Converts the crate's errors for `?` in binding code, with byte offsets.
pub trait OrRaise<T> {
    /// The value, or the error as a Python exception.
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
    /// As [`OrRaise::or_raise`], with the offset made an index into `origin`.
    fn or_raise_in(self, py: Python<'_>, origin: Origin<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, Error> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|err| to_pyerr(py, &err, Origin::Bytes))
    }

    fn or_raise_in(self, py: Python<'_>, origin: Origin<'_>) -> PyResult<T> {
        self.map_err(|err| to_pyerr(py, &err, origin))
    }
}
