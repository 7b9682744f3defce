//! Python bindings of audit-cef (the `audit_cef` package): parse any
//! vendor's CEF, sign and verify entries exactly as Kong Konnect does, and
//! build Konnect's audit events, from Python.
//!
//! The Python-facing documentation is in the docstrings (the `///` comments
//! of the `#[pyclass]`, `#[pymethods]` and `#[pyfunction]` items), whose
//! examples run as doctests (`python/tests/test_doctests.py`).
//!
//! Safety: this crate writes no `unsafe` code. PyO3's macros expand to
//! `unsafe` blocks (the CPython C API), so `forbid(unsafe_code)` cannot hold
//! here; the lint stays `deny` so that hand-written `unsafe` is still refused
//! (macro-generated code is exempt from it).
//!
//! Input never panics the binding: no `unwrap`, `expect` or indexing on
//! caller data (clippy denies them below); every failure is a typed
//! `audit_cef.Error` or a `TypeError`/`ValueError` for a wrong argument.

#![deny(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod errors;
mod input;
mod keys;
mod konnect;
mod line;
mod verify;

use pyo3::prelude::*;

/// The compiled part of the `audit_cef` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(line::parse, m)?)?;
    m.add_function(wrap_pyfunction!(line::parse_lines, m)?)?;
    m.add_function(wrap_pyfunction!(line::render, m)?)?;
    m.add_function(wrap_pyfunction!(error_kinds, m)?)?;
    m.add_class::<line::Line>()?;
    m.add_class::<line::LineIterator>()?;
    m.add_class::<keys::KeySet>()?;
    m.add_class::<keys::Signer>()?;
    m.add_class::<verify::Verifier>()?;
    m.add_class::<verify::Verified>()?;
    m.add_class::<konnect::AuditEvent>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// Every error kind of the crate as ``{kind: category}``, e.g.
/// ``{"empty": "syntax", ...}``: the values ``Error.kind`` and
/// ``Error.category`` take.
///
/// >>> import audit_cef
/// >>> audit_cef.error_kinds()["no_key_matches"]
/// 'signature'
#[pyfunction]
fn error_kinds() -> std::collections::BTreeMap<&'static str, &'static str> {
    use audit_cef::{ErrorKind as K, FieldName, HeaderField};
    let field = FieldName::new("org_id");
    [
        K::Empty,
        K::NotUtf8,
        K::MissingCefMarker,
        K::TooFewHeaderFields,
        K::InvalidVersion,
        K::InvalidSeverity,
        K::LineBreakInHeader(HeaderField::Name),
        K::InvalidKey,
        K::InvalidEscape,
        K::UnescapedEquals,
        K::LineBreakInValue,
        K::MissingExtensionDelimiter,
        K::UnparsedText,
        K::HeaderTooLong(HeaderField::Vendor),
        K::ValueTooLong { pair: 0 },
        K::MarkerInPrefix,
        K::SignatureMarkerInHeader(HeaderField::Name),
        K::InvalidPrefix,
        K::LineBreakInEntry,
        K::NotJsonEntry,
        K::Unsigned,
        K::MalformedSignature,
        K::DataAfterSignature,
        K::NoKeyMatches,
        K::InvalidKeyMaterial,
        K::WeakPublicKey,
        K::InvalidJwks,
        K::UnsupportedKey,
        K::MissingField(field),
        K::InvalidField(field),
        K::UnknownFamily,
        K::InvalidJson,
        K::UnknownFormat,
        K::Io,
        K::BodyTooLarge,
        K::InvalidGzip,
        K::InvalidEndpoint,
        K::InvalidAuthorization,
        K::QueueFull,
        K::SenderClosed,
        K::InvalidSpool,
        K::InvalidPriority,
        K::InvalidSyslogHeader,
        K::MissingEntry,
        K::AmbiguousEntry,
        K::InvalidFrame,
        K::FrameTooLong,
        K::TruncatedFrame,
        K::InvalidCheckpoint,
    ]
    .into_iter()
    .map(|kind| (kind.name(), kind.category().name()))
    .collect()
}
