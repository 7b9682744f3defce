//! Entries as Python passes them: `str` or `bytes`.

use std::borrow::Cow;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyInt, PyString};

/// One entry's text, borrowed from the Python object where the ABI allows.
pub enum Entry<'a> {
    /// From a `str`: its UTF-8 (a copy on the stable ABI of CPython 3.9).
    Str(Cow<'a, str>),
    /// From a `bytes`: borrowed (bytes are immutable).
    Bytes(&'a [u8]),
}

impl<'a> Entry<'a> {
    /// The entry of a `str` or `bytes` object; `TypeError` for anything else.
    pub fn extract(object: &'a Bound<'_, PyAny>) -> PyResult<Entry<'a>> {
        if let Ok(text) = object.cast::<PyString>() {
            return Ok(Entry::Str(text.to_cow()?));
        }
        if let Ok(bytes) = object.cast::<PyBytes>() {
            return Ok(Entry::Bytes(bytes.as_bytes()));
        }
        Err(PyTypeError::new_err(format!(
            "an entry must be str or bytes, not {}",
            object.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        )))
    }

    /// The entry's bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Entry::Str(text) => text.as_bytes(),
            Entry::Bytes(bytes) => bytes,
        }
    }
}

/// `bytes` less one trailing line ending (`\n` or `\r\n`), as read from a file.
pub fn trim_line_ending(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

/// A value for a CEF extension or a Konnect extra pair: `str` as is, `bool`
/// as `true`/`false` (as Konnect writes them), `int` in decimal.
pub fn value_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.to_cow()?.into_owned());
    }
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(if flag.is_true() { "true" } else { "false" }.to_owned());
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(value.str()?.to_cow()?.into_owned());
    }
    Err(PyTypeError::new_err(format!(
        "a value must be str, int or bool, not {}",
        value.get_type().name().map(|n| n.to_string()).unwrap_or_default()
    )))
}

/// Key-value pairs from a mapping (its `items()`) or an iterable of pairs.
pub fn pairs_of(object: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let items = if object.hasattr("items")? { object.call_method0("items")? } else { object.clone() };
    let mut pairs = Vec::new();
    for item in items.try_iter()? {
        let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
        let key = key.cast::<PyString>().map_err(|_| PyTypeError::new_err("a key must be str"))?.to_cow()?.into_owned();
        pairs.push((key, value_text(&value)?));
    }
    Ok(pairs)
}
