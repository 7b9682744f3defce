//! `KeySet` (public keys to verify against) and `Signer` (a private key).

use audit_cef::{Error, ErrorKind, Format, PublicKey};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::errors::{OrRaise, Origin, to_pyerr};
use crate::input::{Entry, trim_line_ending};

/// Public keys to verify against, as a JWKS document publishes them
/// (Konnect's ``jwks.json``). Keys that are not Ed25519, or that are
/// malformed or weak, are skipped and listed in ``skipped``, unless
/// ``strict=True`` makes the first of them raise ``KeyMaterialError``.
///
/// >>> import audit_cef
/// >>> signer = audit_cef.Signer.from_seed(bytes(32))
/// >>> keys = audit_cef.KeySet.from_jwks(signer.public_jwks())
/// >>> keys.kids == [signer.kid], len(keys)
/// (True, 1)
/// >>> rsa = '{"keys":[{"kty":"RSA","kid":"r1","n":"AQAB","e":"AQAB"}]}'
/// >>> audit_cef.KeySet.from_jwks(rsa).skipped
/// [(0, 'r1', 'unsupported_key')]
#[pyclass(module = "audit_cef", frozen)]
#[derive(Clone)]
pub struct KeySet {
    pub inner: audit_cef::KeySet,
}

#[pymethods]
impl KeySet {
    /// The keys of a JWKS document (``{"keys": [...]}``).
    #[staticmethod]
    #[pyo3(signature = (text, strict = false))]
    fn from_jwks(py: Python<'_>, text: &Bound<'_, PyAny>, strict: bool) -> PyResult<KeySet> {
        let entry = Entry::extract(text)?;
        let json = std::str::from_utf8(entry.bytes())
            .map_err(|e| to_pyerr(py, &Error::at(ErrorKind::NotUtf8, e.valid_up_to()), Origin::Bytes))?;
        let inner = audit_cef::KeySet::from_jwks_str(json).or_raise_in(py, Origin::of(&entry))?;
        if strict && let Some(skipped) = inner.skipped().first() {
            return Err(to_pyerr(py, &Error::new(skipped.reason), Origin::Bytes));
        }
        Ok(KeySet { inner })
    }

    /// The one key of a JWK document (``{"kty": "OKP", ...}``).
    ///
    /// >>> signer = audit_cef.Signer.from_seed(bytes(32))
    /// >>> jwk = signer.public_jwks()[9:-2]
    /// >>> audit_cef.KeySet.from_jwk(jwk).kids == [signer.kid]
    /// True
    #[staticmethod]
    fn from_jwk(py: Python<'_>, text: String) -> PyResult<KeySet> {
        let key = PublicKey::from_jwk_str(&text).or_raise_in(py, Origin::Str(&text))?;
        Ok(KeySet { inner: audit_cef::KeySet::from_keys([key]) })
    }

    /// The one key of a public key PEM (``-----BEGIN PUBLIC KEY-----``,
    /// SubjectPublicKeyInfo), as OpenSSL and ``cryptography`` write it.
    #[staticmethod]
    fn from_pem(py: Python<'_>, text: String) -> PyResult<KeySet> {
        let key = PublicKey::from_spki_pem(&text).or_raise(py)?;
        Ok(KeySet { inner: audit_cef::KeySet::from_keys([key]) })
    }

    /// The key of 32 raw public key bytes (RFC 8032's public key).
    ///
    /// >>> signer = audit_cef.Signer.from_seed(bytes(32))
    /// >>> audit_cef.KeySet.from_public_bytes(signer.public_bytes()).kids == [signer.kid]
    /// True
    #[staticmethod]
    fn from_public_bytes(py: Python<'_>, key: &[u8]) -> PyResult<KeySet> {
        let bytes: &[u8; 32] =
            key.try_into().map_err(|_| to_pyerr(py, &Error::new(ErrorKind::InvalidKeyMaterial), Origin::Bytes))?;
        let key = PublicKey::from_bytes(bytes).or_raise(py)?;
        Ok(KeySet { inner: audit_cef::KeySet::from_keys([key]) })
    }

    /// The key ids (RFC 7638 thumbprints unless the JWKS named them), in order.
    #[getter]
    fn kids(&self) -> Vec<String> {
        self.inner.keys().iter().map(|key| key.kid().to_owned()).collect()
    }

    /// The keys of the document that were not loaded: ``(index, kid, kind)``.
    #[getter]
    fn skipped(&self) -> Vec<(usize, Option<String>, &'static str)> {
        self.inner.skipped().iter().map(|s| (s.index, s.kid.clone(), s.reason.name())).collect()
    }

    /// The keys as a JWKS document.
    fn to_jwks(&self) -> String {
        self.inner.to_jwks_string()
    }

    /// Both sets' keys, this one's first.
    ///
    /// >>> a, b = audit_cef.Signer.from_seed(bytes(32)), audit_cef.Signer.from_seed(bytes([1]) * 32)
    /// >>> len(a.keyset() + b.keyset())
    /// 2
    fn __add__(&self, other: &KeySet) -> KeySet {
        let keys = self.inner.keys().iter().chain(other.inner.keys()).cloned();
        KeySet { inner: audit_cef::KeySet::from_keys(keys) }
    }

    fn __len__(&self) -> usize {
        self.inner.keys().len()
    }

    fn __repr__(&self) -> String {
        format!("KeySet(kids={:?})", self.kids())
    }
}

/// An Ed25519 private key that signs entries exactly as Konnect does: CEF
/// gets `` sig=<86 base64url characters>`` last, JSON a last ``"sig"``
/// member, CPS a last ``"sig"`` inside ``event``. The secret never shows
/// in ``repr`` and is zeroized when the object is freed.
///
/// >>> import audit_cef
/// >>> signer = audit_cef.Signer.generate()
/// >>> entry = signer.sign("CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|act=read")
/// >>> entry[:56], len(entry.split(" sig=")[1])
/// ('CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|act=read', 86)
/// >>> signer.sign('{"action":"read"}', format="json")[:22]
/// '{"action":"read","sig"'
/// >>> audit_cef.Verifier(signer.keyset()).verify(entry).kid == signer.kid
/// True
#[pyclass(module = "audit_cef", frozen)]
pub struct Signer {
    pub inner: audit_cef::Signer,
}

#[pymethods]
impl Signer {
    /// A new random key (from ``os.urandom``).
    #[staticmethod]
    fn generate(py: Python<'_>) -> PyResult<Signer> {
        let seed = py.import("os")?.call_method1("urandom", (32,))?;
        let seed = seed.cast::<PyBytes>()?.as_bytes();
        Signer::from_seed(py, seed)
    }

    /// From the 32-byte secret seed (RFC 8032's private key).
    #[staticmethod]
    fn from_seed(py: Python<'_>, seed: &[u8]) -> PyResult<Signer> {
        let seed: &[u8; 32] =
            seed.try_into().map_err(|_| to_pyerr(py, &Error::new(ErrorKind::InvalidKeyMaterial), Origin::Bytes))?;
        Ok(Signer { inner: audit_cef::Signer::from_seed(seed) })
    }

    /// From a PKCS#8 PEM private key (``-----BEGIN PRIVATE KEY-----``), as
    /// ``cef keygen``, OpenSSL and ``cryptography`` write it.
    #[staticmethod]
    fn from_pem(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Signer> {
        let entry = Entry::extract(text)?;
        let pem = std::str::from_utf8(entry.bytes())
            .map_err(|_| to_pyerr(py, &Error::new(ErrorKind::InvalidKeyMaterial), Origin::Bytes))?;
        Ok(Signer { inner: audit_cef::Signer::from_pkcs8_pem(pem).or_raise(py)? })
    }

    /// From a private JWK (``{"kty":"OKP","crv":"Ed25519","d":...,"x":...}``).
    #[staticmethod]
    fn from_jwk(py: Python<'_>, text: String) -> PyResult<Signer> {
        Ok(Signer { inner: audit_cef::Signer::from_jwk_str(&text).or_raise(py)? })
    }

    /// The private key as PKCS#8 PEM (a secret: store it as one).
    fn private_pem(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.to_pkcs8_pem().or_raise(py)?.to_string())
    }

    /// The public key's id (its RFC 7638 thumbprint), as in the JWKS.
    #[getter]
    fn kid(&self) -> String {
        self.inner.public_key().kid().to_owned()
    }

    /// The 32 raw public key bytes.
    fn public_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.public_key().as_bytes())
    }

    /// The public key as a JWKS document, as Konnect publishes its keys.
    ///
    /// >>> audit_cef.Signer.from_seed(bytes(32)).public_jwks()[:40]
    /// '{"keys":[{"kty":"OKP","alg":"EdDSA","kid'
    fn public_jwks(&self) -> String {
        audit_cef::KeySet::from_keys([self.inner.public_key()]).to_jwks_string()
    }

    /// The public key as a ``KeySet``, to verify with.
    fn keyset(&self) -> KeySet {
        KeySet { inner: audit_cef::KeySet::from_keys([self.inner.public_key()]) }
    }

    /// Signs one entry and returns it signed: ``entry`` is a CEF line, a
    /// compact JSON object or a CPS object (``str`` or ``bytes``; one
    /// trailing line ending is dropped), or an ``AuditEvent``, rendered in
    /// ``format`` first. ``format`` is ``"cef"`` (the default), ``"json"`` or
    /// ``"cps"``: how the text is signed.
    ///
    /// >>> s = audit_cef.Signer.from_seed(bytes(32))
    /// >>> s.sign("CEF:0|v|p|1|id|n|5|a=1\n")
    /// 'CEF:0|v|p|1|id|n|5|a=1 sig=...'
    #[pyo3(signature = (entry, format = "cef"))]
    fn sign(slf: &Bound<'_, Self>, entry: &Bound<'_, PyAny>, format: &str) -> PyResult<String> {
        let py = slf.py();
        let format_name = format;
        let format: Format = format.parse().or_raise(py)?;
        if !entry.is_instance_of::<PyString>() && !entry.is_instance_of::<PyBytes>() {
            // An AuditEvent signs itself with this signer (konnect.rs owns
            // events and imports this module, so it is named, not imported).
            if entry.get_type().qualname()? == "AuditEvent" {
                return entry.call_method1("sign", (slf, format_name))?.extract();
            }
            return Err(PyTypeError::new_err("entry must be str, bytes or an AuditEvent"));
        }
        let this = slf.get();
        let text = Entry::extract(entry)?;
        let mut buf = trim_line_ending(text.bytes()).to_vec();
        let signed = match format {
            Format::Cef => this.inner.sign_cef(&mut buf, 0),
            Format::Json => this.inner.sign_json(&mut buf, 0),
            Format::Cps => this.inner.sign_cps(&mut buf, 0),
        };
        signed.or_raise_in(py, Origin::of(&text))?;
        String::from_utf8(buf)
            .map_err(|e| to_pyerr(py, &Error::at(ErrorKind::NotUtf8, e.utf8_error().valid_up_to()), Origin::of(&text)))
    }

    fn __repr__(&self) -> String {
        format!("Signer(kid={:?})", self.kid())
    }
}
