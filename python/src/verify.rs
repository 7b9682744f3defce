//! `Verifier` and `Verified`: signatures checked on the raw bytes as
//! received, one by one or in batches, without the GIL.

use std::sync::Mutex;

use audit_cef::{Error, ErrorKind, Format, PublicKey, VerifierState};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::errors::{OrRaise, Origin, error_object, to_pyerr};
use crate::input::Entry;
use crate::keys::KeySet;
use crate::konnect::AuditEvent;
use crate::line::Line;

/// What a verification keeps of an entry that verified.
struct Outcome {
    key: usize,
    format: Format,
    signed: String,
}

/// Checks signatures against a ``KeySet``: the signature must be the final
/// field (`` sig=`` in CEF, ``"sig"`` in JSON and CPS), 86 canonical
/// base64url characters, over every byte before it. The format of each
/// entry is told apart by itself (``{"event":`` starts CPS, ``{`` JSON,
/// anything else CEF) unless ``format`` fixes one.
///
/// One ``Verifier`` may be shared between threads; both methods release
/// the GIL while they verify.
///
/// >>> import audit_cef
/// >>> signer = audit_cef.Signer.from_seed(bytes(32))
/// >>> verifier = audit_cef.Verifier(audit_cef.KeySet.from_jwks(signer.public_jwks()))
/// >>> good = signer.sign("CEF:0|v|p|1|id|n|5|act=read")
/// >>> verifier.verify(good).format
/// 'cef'
/// >>> verifier.verify(good.replace("read", "edit"))
/// Traceback (most recent call last):
/// ...
/// audit_cef.SignatureError: altered, or signed by a key not in this JWKS: no key verifies its signature at index 32
/// >>> [getattr(r, "kind", "ok") for r in verifier.verify_batch([good, "CEF:0|v|p|1|id|n|5|a=1"])]
/// ['ok', 'unsigned']
#[pyclass(module = "audit_cef", frozen)]
pub struct Verifier {
    inner: audit_cef::Verifier,
    keys: KeySet,
    kids: Vec<Py<PyString>>,
    strict: bool,
    /// What the verifier learned of the stream (which key follows which,
    /// the recent failure share): it changes costs, never verdicts. A
    /// concurrent call that finds it taken starts from a fresh state.
    state: Mutex<VerifierState>,
}

impl Verifier {
    fn key_index(&self, key: &PublicKey) -> usize {
        self.inner.keys().keys().iter().position(|k| std::ptr::eq(k, key)).unwrap_or(0)
    }

    fn verify_one(&self, state: &mut VerifierState, entry: &[u8], format: Option<Format>) -> Result<Outcome, Error> {
        let format = format.unwrap_or_else(|| Format::detect(entry));
        match format {
            Format::Cef => {
                let verified = self.inner.verify_cef_with(state, entry)?;
                Ok(Outcome { key: self.key_index(verified.key()), format, signed: cef_signed(entry) })
            }
            Format::Json => {
                let verified = self.inner.verify_json_with(state, entry)?;
                let key = self.key_index(verified.key());
                Ok(Outcome { key, format, signed: verified.into_entry() })
            }
            Format::Cps => {
                let verified = self.inner.verify_cps_with(state, entry)?;
                let key = self.key_index(verified.key());
                Ok(Outcome { key, format, signed: verified.into_entry() })
            }
        }
    }

    /// Verdicts for every entry, in order: CEF entries in batches, the
    /// others one by one. Runs without the GIL.
    fn verify_many(&self, entries: &[&[u8]], format: Option<Format>) -> Vec<Result<Outcome, Error>> {
        let mut guard = self.state.try_lock().ok();
        let mut fresh = None;
        let state: &mut VerifierState = match guard.as_deref_mut() {
            Some(state) => state,
            None => fresh.get_or_insert_with(|| self.inner.new_state()),
        };
        let formats: Vec<Format> = entries.iter().map(|e| format.unwrap_or_else(|| Format::detect(e))).collect();
        let cef: Vec<&[u8]> =
            entries.iter().zip(&formats).filter(|(_, f)| **f == Format::Cef).map(|(e, _)| *e).collect();
        let mut batch = self.inner.verify_cef_batch_with(state, &cef).into_iter();
        let mut results = Vec::with_capacity(entries.len());
        for (entry, format) in entries.iter().zip(&formats) {
            let result = match format {
                Format::Cef => match batch.next() {
                    Some(Ok(verified)) => Ok(Outcome {
                        key: self.key_index(verified.key()),
                        format: Format::Cef,
                        signed: cef_signed(entry),
                    }),
                    Some(Err(err)) => Err(err),
                    None => Err(Error::new(ErrorKind::NoKeyMatches)),
                },
                other => self.verify_one(state, entry, Some(*other)),
            };
            results.push(result);
        }
        results
    }

    fn verified(&self, py: Python<'_>, outcome: Outcome) -> Verified {
        let kid = match self.kids.get(outcome.key) {
            Some(kid) => kid.clone_ref(py),
            None => PyString::new(py, "").unbind(),
        };
        Verified { kid, format: outcome.format, signed: outcome.signed, strict: self.strict }
    }
}

/// The signed part of a verified CEF entry: everything before ` sig=`.
fn cef_signed(entry: &[u8]) -> String {
    let text = String::from_utf8_lossy(crate::input::trim_line_ending(entry));
    match text.rfind(" sig=") {
        Some(at) => text.get(..at).unwrap_or_default().to_owned(),
        None => text.into_owned(),
    }
}

fn format_of(py: Python<'_>, format: Option<&str>) -> PyResult<Option<Format>> {
    format.map(|f| f.parse::<Format>().or_raise(py)).transpose()
}

#[pymethods]
impl Verifier {
    /// A verifier over ``keys``. ``strict=True`` parses the signed CEF with
    /// the strict parser (a verified entry that is not standard CEF fails).
    #[new]
    #[pyo3(signature = (keys, strict = false))]
    fn new(py: Python<'_>, keys: &KeySet, strict: bool) -> Verifier {
        let mut inner = audit_cef::Verifier::new(keys.inner.clone());
        if strict {
            inner = inner.with_parser(audit_cef::Parser::new().strict(true));
        }
        let kids = keys.inner.keys().iter().map(|k| PyString::new(py, k.kid()).unbind()).collect();
        let state = Mutex::new(inner.new_state());
        Verifier { inner, keys: keys.clone(), kids, strict, state }
    }

    /// The key set.
    #[getter]
    fn keys(&self) -> KeySet {
        self.keys.clone()
    }

    /// Verifies one entry (``str`` or ``bytes``, one trailing line ending
    /// allowed) and returns what verified; raises ``audit_cef.Error`` (a
    /// ``SignatureError`` when the signature is missing, malformed or
    /// matches no key) when it does not.
    #[pyo3(signature = (entry, format = None))]
    fn verify(&self, py: Python<'_>, entry: &Bound<'_, PyAny>, format: Option<&str>) -> PyResult<Verified> {
        let format = format_of(py, format)?;
        let text = Entry::extract(entry)?;
        let bytes = text.bytes();
        let result = py.detach(|| {
            let mut guard = self.state.try_lock().ok();
            let mut fresh = None;
            let state: &mut VerifierState = match guard.as_deref_mut() {
                Some(state) => state,
                None => fresh.get_or_insert_with(|| self.inner.new_state()),
            };
            self.verify_one(state, bytes, format)
        });
        match result {
            Ok(outcome) => Ok(self.verified(py, outcome)),
            Err(err) => Err(to_pyerr(py, &err, Origin::of(&text))),
        }
    }

    /// Verifies many entries and returns one result per entry, in order: a
    /// ``Verified``, or the ``audit_cef.Error`` that ``verify`` would have
    /// raised (returned, not raised). The verdicts are those of ``verify``
    /// on each entry, whatever else is in the batch; CEF entries are checked
    /// together in batch equations, at a fraction of the cost of one by
    /// one. The GIL is released while verifying.
    #[pyo3(signature = (entries, format = None))]
    fn verify_batch<'py>(
        &self,
        py: Python<'py>,
        entries: &Bound<'py, PyAny>,
        format: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let format = format_of(py, format)?;
        let objects: Vec<Bound<'py, PyAny>> = entries.try_iter()?.collect::<PyResult<_>>()?;
        let texts: Vec<Entry<'_>> = objects.iter().map(Entry::extract).collect::<PyResult<_>>()?;
        let slices: Vec<&[u8]> = texts.iter().map(Entry::bytes).collect();
        let results = py.detach(|| self.verify_many(&slices, format));
        let list = PyList::empty(py);
        for (result, text) in results.into_iter().zip(&texts) {
            match result {
                Ok(outcome) => list.append(Bound::new(py, self.verified(py, outcome))?)?,
                Err(err) => list.append(error_object(py, &err, Origin::of(text))?)?,
            }
        }
        Ok(list)
    }

    fn __repr__(&self) -> String {
        format!("Verifier(kids={:?})", self.inner.keys().keys().iter().map(|k| k.kid()).collect::<Vec<_>>())
    }
}

/// An entry that verified: the id of the key that verified it, its format
/// and the signed text (the entry without its signature).
///
/// >>> import audit_cef
/// >>> signer = audit_cef.Signer.from_seed(bytes(32))
/// >>> verified = audit_cef.Verifier(signer.keyset()).verify(signer.sign("CEF:0|v|p|1|id|n|5|a=1"))
/// >>> verified.signed, verified.line.get("a"), verified.kid == signer.kid
/// ('CEF:0|v|p|1|id|n|5|a=1', '1', True)
#[pyclass(module = "audit_cef", frozen)]
pub struct Verified {
    kid: Py<PyString>,
    format: Format,
    signed: String,
    strict: bool,
}

#[pymethods]
impl Verified {
    /// The ``kid`` of the key that verified the entry.
    #[getter]
    fn kid(&self, py: Python<'_>) -> Py<PyString> {
        self.kid.clone_ref(py)
    }

    /// ``"cef"``, ``"json"`` or ``"cps"``.
    #[getter]
    fn format(&self) -> &'static str {
        self.format.as_str()
    }

    /// The signed text: the entry without its signature (and line ending).
    #[getter]
    fn signed(&self) -> &str {
        &self.signed
    }

    /// The signed CEF parsed, or ``None`` for a JSON or CPS entry.
    #[getter]
    fn line(&self, py: Python<'_>) -> PyResult<Option<Line>> {
        match self.format {
            Format::Cef => Line::from_text(py, &self.signed, self.strict).map(Some),
            _ => Ok(None),
        }
    }

    /// The signed entry decoded as a Konnect ``AuditEvent``; raises
    /// ``KonnectError`` for an entry that is not one of Konnect's families.
    #[getter]
    fn event(&self, py: Python<'_>) -> PyResult<AuditEvent> {
        AuditEvent::decode(py, self.signed.as_bytes(), Origin::Str(&self.signed))
    }

    fn __repr__(&self) -> String {
        format!("Verified(kid={:?}, format={:?})", self.kid.to_string(), self.format.as_str())
    }
}
