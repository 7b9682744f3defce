//! Signing entries as Konnect does: ` sig=<base64url>` after a CEF line,
//! `,"sig":"<base64url>"` before the closing brace of a JSON entry.

use std::fmt;

use ed25519_dalek::hazmat::{ExpandedSecretKey, raw_sign};
use ed25519_dalek::pkcs8::DecodePrivateKey;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::Sha512;
use zeroize::Zeroizing;

use super::json_position::json_error;
use super::jwk::decode_32;
use super::public_key::PublicKey;
use super::signature::{CEF_MARKER, JSON_MARKER, JsonForm, SIGNATURE_B64_LEN, encode, find_cef_marker, split_cef};
use crate::cef::Parser;
use crate::error::{Error, ErrorKind, Result};

/// An Ed25519 signing key. `Debug` shows only the public key id; the secret
/// is zeroized when the `Signer` is dropped.
///
/// ```
/// use audit_cef::{Event, KeySet, Severity, Signer, Verifier};
/// let signer = Signer::from_seed(&[7; 32]);
/// let mut buf = Vec::with_capacity(256);
/// Event::new("KongInc", "Konnect", "1.0", "konnect", "Authz.usage", Severity::from_level(1)?)?.render_into(&mut buf);
/// signer.sign_cef(&mut buf, 0)?;
/// assert_eq!(buf.len(), "CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|".len() + " sig=".len() + 86);
///
/// let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
/// let verified = verifier.verify_cef(&buf)?;
/// assert_eq!(verified.entry().name(), "Authz.usage");
/// assert!(!format!("{signer:?}").contains("0707"));
/// # Ok::<(), audit_cef::Error>(())
/// ```
pub struct Signer {
    key: SigningKey,
    /// The SHA-512 expansion of the seed, computed once instead of on every
    /// signature (ed25519-dalek's `SigningKey::sign` redoes it). Zeroized on drop.
    expanded: ExpandedSecretKey,
    verifying: VerifyingKey,
    public: PublicKey,
}

impl Signer {
    /// From the 32-byte secret seed (RFC 8032's private key).
    ///
    /// ```
    /// let signer = audit_cef::Signer::from_seed(&[1; 32]);
    /// ```
    pub fn from_seed(seed: &[u8; 32]) -> Signer {
        Signer::from_key(SigningKey::from_bytes(seed))
    }

    fn from_key(key: SigningKey) -> Signer {
        let verifying = key.verifying_key();
        let public = PublicKey::from_verifying_key(verifying);
        let expanded = ExpandedSecretKey::from(key.as_bytes());
        Signer { key, expanded, verifying, public }
    }

    /// A fresh key from the caller's cryptographic random number generator
    /// (the library itself has no source of randomness).
    ///
    /// ```
    /// # struct Counter(u8);
    /// # impl ed25519_dalek::rand_core::TryRng for Counter { type Error = core::convert::Infallible;
    /// #   fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(0) } fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(0) }
    /// #   fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> { for b in d { self.0 = self.0.wrapping_add(1); *b = self.0; } Ok(()) } }
    /// # impl ed25519_dalek::rand_core::TryCryptoRng for Counter {}
    /// # let mut rng = Counter(0);
    /// let signer = audit_cef::Signer::generate(&mut rng);
    /// ```
    pub fn generate<R: ed25519_dalek::rand_core::CryptoRng + ?Sized>(rng: &mut R) -> Signer {
        Signer::from_key(SigningKey::generate(rng))
    }

    /// From PKCS#8 DER (RFC 8410 `PrivateKeyInfo`, v1 or v2).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidKeyMaterial`] when it is not an Ed25519 PKCS#8 key.
    ///
    /// ```
    /// let pem = audit_cef::Signer::from_seed(&[1; 32]).to_pkcs8_pem()?;
    /// assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Signer> {
        let key = SigningKey::from_pkcs8_der(der).map_err(|_| Error::new(ErrorKind::InvalidKeyMaterial))?;
        Ok(Signer::from_key(key))
    }

    /// From a PKCS#8 PEM `PRIVATE KEY`.
    ///
    /// # Errors
    ///
    /// As [`Signer::from_pkcs8_der`].
    ///
    /// ```
    /// use audit_cef::Signer;
    /// let pem = Signer::from_seed(&[1; 32]).to_pkcs8_pem()?;
    /// assert_eq!(Signer::from_pkcs8_pem(&pem)?.public_key(), Signer::from_seed(&[1; 32]).public_key());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn from_pkcs8_pem(pem: &str) -> Result<Signer> {
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|_| Error::new(ErrorKind::InvalidKeyMaterial))?;
        Ok(Signer::from_key(key))
    }

    /// From a private JWK (`kty` `OKP`, `crv` `Ed25519`, `d`, and `x` when
    /// present must match).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidJwks`] when it is not such a JWK,
    /// [`ErrorKind::InvalidKeyMaterial`] when `d` is not 32 bytes or `x`
    /// does not belong to it.
    ///
    /// ```
    /// // RFC 8037 appendix A.1.
    /// let jwk = r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
    /// let signer = audit_cef::Signer::from_jwk_str(jwk)?;
    /// assert_eq!(signer.public_key().kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn from_jwk_str(json: &str) -> Result<Signer> {
        #[derive(serde::Deserialize)]
        struct PrivateJwk {
            kty: String,
            crv: Option<String>,
            d: Option<String>,
            x: Option<String>,
        }
        let jwk: PrivateJwk =
            serde_json::from_str(json).map_err(|e| json_error(ErrorKind::InvalidJwks, &e, json.as_bytes()))?;
        if jwk.kty != "OKP" || jwk.crv.as_deref() != Some("Ed25519") {
            return Err(Error::new(ErrorKind::InvalidJwks));
        }
        // Wrapped at once so the secret text is zeroized when dropped.
        let d = Zeroizing::new(jwk.d.ok_or_else(|| Error::new(ErrorKind::InvalidJwks))?);
        let seed = Zeroizing::new(decode_32(&d)?);
        let signer = Signer::from_seed(&seed);
        if jwk.x.is_some_and(|x| x != signer.public.x()) {
            return Err(Error::new(ErrorKind::InvalidKeyMaterial));
        }
        Ok(signer)
    }

    /// The private key as PKCS#8 PEM: the v1 `PrivateKeyInfo` of RFC 8410
    /// (seed only, no public key), which OpenSSL and Python's
    /// `cryptography` read. Zeroized on drop.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidKeyMaterial`] if encoding fails (it cannot for
    /// Ed25519; kept for other key types).
    ///
    /// ```
    /// let pem = audit_cef::Signer::from_seed(&[1; 32]).to_pkcs8_pem()?;
    /// assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"));
    /// assert!(pem.trim_end().ends_with("-----END PRIVATE KEY-----"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        let der = self.to_pkcs8_der();
        // 48 bytes of DER are 64 base64 characters: one PEM line, encoded into
        // a zeroized buffer, with the capacity reserved so that no
        // reallocation leaves a copy of the secret behind.
        let mut body = Zeroizing::new([0u8; 64]);
        let written = base64::Engine::encode_slice(&base64::engine::general_purpose::STANDARD, &*der, &mut *body);
        let body = match (written, core::str::from_utf8(&*body)) {
            (Ok(64), Ok(text)) => text,
            _ => return Err(Error::new(ErrorKind::InvalidKeyMaterial)),
        };
        let mut pem = Zeroizing::new(String::with_capacity(128));
        pem.push_str("-----BEGIN PRIVATE KEY-----\n");
        pem.push_str(body);
        pem.push_str("\n-----END PRIVATE KEY-----\n");
        Ok(pem)
    }

    /// The private key as PKCS#8 v1 DER (RFC 8410): a fixed 16-byte header
    /// and the 32-byte seed. Zeroized on drop.
    ///
    /// ```
    /// let der = audit_cef::Signer::from_seed(&[1; 32]).to_pkcs8_der();
    /// assert_eq!(der.len(), 48);
    /// assert_eq!(audit_cef::Signer::from_pkcs8_der(&der)?.public_key(), audit_cef::Signer::from_seed(&[1; 32]).public_key());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        const HEADER: [u8; 16] =
            [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
        let mut der = Zeroizing::new(Vec::with_capacity(48));
        der.extend_from_slice(&HEADER);
        der.extend_from_slice(self.key.as_bytes());
        der
    }

    /// The public half, with its RFC 7638 thumbprint as `kid`.
    ///
    /// ```
    /// let key = audit_cef::Signer::from_seed(&[1; 32]).public_key();
    /// assert_eq!(key.kid().len(), 43);
    /// ```
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// Signs raw bytes.
    ///
    /// ```
    /// let signature = audit_cef::Signer::from_seed(&[1; 32]).sign(b"message");
    /// assert_eq!(signature.len(), 64);
    /// ```
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signature(message).to_bytes()
    }

    /// RFC 8032 signing with the cached expansion: the same signature as
    /// `SigningKey::sign`, byte for byte (the RFC 8032 tests hold it).
    fn signature(&self, message: &[u8]) -> Signature {
        raw_sign::<Sha512>(&self.expanded, message, &self.verifying)
    }

    /// Signs the CEF line `buf[line_start..]` (prefix included) and appends
    /// ` sig=<86 characters>`. Allocates nothing when `buf` has 91 bytes to
    /// spare (and the line's header fields hold no escape).
    ///
    /// Before signing, the line goes through exactly what [`Verifier`](crate::Verifier)
    /// does with the signed entry (the split at ` sig=`, then the lenient
    /// parse), so every line this accepts verifies.
    ///
    /// # Errors
    ///
    /// What verification would always refuse, at its byte offset in `buf`:
    /// [`ErrorKind::Empty`] for an empty line or `line_start` past the end,
    /// [`ErrorKind::LineBreakInEntry`] for a CR or LF (a rendered line never
    /// has one), [`ErrorKind::DataAfterSignature`] for a line that already
    /// holds ` sig=`, and the parser's error for text that is not CEF.
    /// `buf` is left as it was.
    ///
    /// ```
    /// let mut buf = b"first line\nCEF:0|v|p|1|id|n|5|a=1".to_vec();
    /// audit_cef::Signer::from_seed(&[1; 32]).sign_cef(&mut buf, 11)?;
    /// assert!(buf.starts_with(b"first line\nCEF:0|v|p|1|id|n|5|a=1 sig="));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn sign_cef(&self, buf: &mut Vec<u8>, line_start: usize) -> Result<()> {
        let line = buf.get(line_start..).ok_or_else(|| Error::at(ErrorKind::Empty, buf.len()))?;
        if line.is_empty() {
            return Err(Error::at(ErrorKind::Empty, line_start));
        }
        if let Some(at) = memchr::memchr2(b'\r', b'\n', line) {
            return Err(Error::at(ErrorKind::LineBreakInEntry, line_start + at));
        }
        if let Some(at) = find_cef_marker(line) {
            return Err(Error::at(ErrorKind::DataAfterSignature, line_start + at));
        }
        // The verifier's own parse of the signed bytes.
        Parser::new().parse(line).map_err(|err| err.shifted(line_start))?;
        let encoded = encode(&self.signature(line))?;
        let line_end = buf.len();
        buf.reserve(CEF_MARKER.len() + SIGNATURE_B64_LEN);
        buf.extend_from_slice(CEF_MARKER);
        buf.extend_from_slice(&encoded);
        // The verifier's own split: it must find this signature after exactly these bytes.
        let split_ok = buf
            .get(line_start..)
            .and_then(|entry| split_cef(entry).ok())
            .is_some_and(|split| split.signed.len() == line_end.saturating_sub(line_start));
        debug_assert!(split_ok, "a line without ` sig=` or a line break splits at the signature just appended");
        if !split_ok {
            buf.truncate(line_end);
            return Err(Error::at(ErrorKind::DataAfterSignature, line_start));
        }
        Ok(())
    }

    /// Signs the compact JSON entry `buf[entry_start..]` and inserts
    /// `,"sig":"<86 characters>"` before its final `}` (Konnect's JSON form).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotJsonEntry`] unless the entry is a non-empty `{...}`
    /// object, [`ErrorKind::LineBreakInEntry`] for a raw CR or LF,
    /// [`ErrorKind::DataAfterSignature`] when it already has a `"sig"` member.
    ///
    /// ```
    /// let mut buf = br#"{"a":1}"#.to_vec();
    /// audit_cef::Signer::from_seed(&[1; 32]).sign_json(&mut buf, 0)?;
    /// assert!(buf.starts_with(br#"{"a":1,"sig":""#) && buf.ends_with(b"\"}"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn sign_json(&self, buf: &mut Vec<u8>, entry_start: usize) -> Result<()> {
        self.sign_json_form(buf, entry_start, JsonForm::Json)
    }

    /// Signs a CPS entry `{"event":{...}}` in `buf[entry_start..]` and puts
    /// the signature last inside `event` (before the final `}}`).
    ///
    /// # Errors
    ///
    /// As [`Signer::sign_json`], and the entry must end in `}}`.
    ///
    /// ```
    /// let mut buf = br#"{"event":{"a":1}}"#.to_vec();
    /// audit_cef::Signer::from_seed(&[1; 32]).sign_cps(&mut buf, 0)?;
    /// assert!(buf.ends_with(b"\"}}"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn sign_cps(&self, buf: &mut Vec<u8>, entry_start: usize) -> Result<()> {
        self.sign_json_form(buf, entry_start, JsonForm::Cps)
    }

    fn sign_json_form(&self, buf: &mut Vec<u8>, entry_start: usize, form: JsonForm) -> Result<()> {
        let entry = buf.get(entry_start..).ok_or_else(|| Error::at(ErrorKind::NotJsonEntry, buf.len()))?;
        let closing = form.closing();
        // `{` + at least one member + closing, and the member must not be empty (`{}`).
        let body_end = entry.len().saturating_sub(closing.len());
        let shaped = entry.first() == Some(&b'{')
            && entry.ends_with(closing)
            && body_end > 1
            && !matches!(entry.get(body_end.saturating_sub(1)), Some(b'{') | Some(b','));
        if !shaped {
            return Err(Error::at(ErrorKind::NotJsonEntry, entry_start));
        }
        if let Some(at) = memchr::memchr2(b'\r', b'\n', entry) {
            return Err(Error::at(ErrorKind::LineBreakInEntry, entry_start + at));
        }
        if let Some(at) = memchr::memmem::find(entry, b"\"sig\":") {
            return Err(Error::at(ErrorKind::DataAfterSignature, entry_start + at));
        }
        let encoded = encode(&self.signature(entry))?;
        buf.truncate(entry_start + body_end);
        buf.reserve(JSON_MARKER.len() + SIGNATURE_B64_LEN + 1 + closing.len());
        buf.extend_from_slice(JSON_MARKER);
        buf.extend_from_slice(&encoded);
        buf.push(b'"');
        buf.extend_from_slice(closing);
        Ok(())
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer").field("kid", &self.public.kid()).finish_non_exhaustive()
    }
}
