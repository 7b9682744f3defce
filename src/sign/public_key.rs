//! A verifying key with its key id.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use curve25519_dalek::edwards::EdwardsPoint;
use ed25519_dalek::VerifyingKey;
use ed25519_dalek::pkcs8::DecodePublicKey;

use super::json_position::json_error;
use super::jwk::{Jwk, decode_32, thumbprint};
use super::rule::Decoded;
use crate::error::{Error, ErrorKind, Result};

/// An Ed25519 public key and its `kid`, checked to be usable by strict
/// verification: canonical encoding, not of small order.
///
/// ```
/// use audit_cef::PublicKey;
/// let key = PublicKey::from_jwk_str(r#"{"kty":"OKP","alg":"EdDSA","kid":"3f60bc4376c937154f3c004ebd180433ac0d03e6","crv":"Ed25519","x":"XWxGtApfcqmKI7p0OKnF5JSEWMVoLsytFXLEP7xZ_l8"}"#)?;
/// assert_eq!(key.kid(), "3f60bc4376c937154f3c004ebd180433ac0d03e6");
/// assert_eq!(key.x(), "XWxGtApfcqmKI7p0OKnF5JSEWMVoLsytFXLEP7xZ_l8");
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub(crate) key: VerifyingKey,
    kid: String,
}

impl PublicKey {
    /// From the 32 raw bytes; `kid` is the RFC 7638 thumbprint.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidKeyMaterial`] when the bytes are not a curve
    /// point, [`ErrorKind::WeakPublicKey`] when the point has small order
    /// or its encoding is not canonical.
    ///
    /// ```
    /// use audit_cef::{ErrorKind, PublicKey};
    /// assert_eq!(PublicKey::from_bytes(&[0; 32]).unwrap_err().kind(), ErrorKind::WeakPublicKey);
    /// ```
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey> {
        let key = checked(bytes)?;
        let kid = thumbprint(&URL_SAFE_NO_PAD.encode(bytes));
        Ok(PublicKey { key, kid })
    }

    pub(crate) fn from_verifying_key(key: VerifyingKey) -> PublicKey {
        let kid = thumbprint(&URL_SAFE_NO_PAD.encode(key.as_bytes()));
        PublicKey { key, kid }
    }

    /// From a JWK object (`kty` `OKP`, `crv` `Ed25519`, `x`); keeps its
    /// `kid`, or uses the thumbprint when it has none.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsupportedKey`] for another key type, curve or
    /// algorithm; [`ErrorKind::InvalidJwks`] without `x`;
    /// [`ErrorKind::InvalidKeyMaterial`] when `x` is not 32 bytes of
    /// base64url; otherwise as [`PublicKey::from_bytes`].
    ///
    /// ```
    /// use audit_cef::{Jwk, PublicKey};
    /// let jwk = Jwk { kty: "RSA".into(), alg: None, kid: None, crv: None, x: None };
    /// assert!(PublicKey::from_jwk(&jwk).is_err());
    /// ```
    pub fn from_jwk(jwk: &Jwk) -> Result<PublicKey> {
        let unsupported = || Error::new(ErrorKind::UnsupportedKey);
        if jwk.kty != "OKP" || jwk.crv.as_deref() != Some("Ed25519") {
            return Err(unsupported());
        }
        if jwk.alg.as_deref().is_some_and(|alg| alg != "EdDSA" && alg != "Ed25519") {
            return Err(unsupported());
        }
        let x = jwk.x.as_deref().ok_or_else(|| Error::new(ErrorKind::InvalidJwks))?;
        let key = PublicKey::from_bytes(&decode_32(x)?)?;
        Ok(match &jwk.kid {
            Some(kid) => PublicKey { kid: kid.clone(), ..key },
            None => key,
        })
    }

    /// From JWK text. See [`PublicKey::from_jwk`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidJwks`] when the text is not a JWK; otherwise as
    /// [`PublicKey::from_jwk`].
    ///
    /// ```
    /// assert!(audit_cef::PublicKey::from_jwk_str("{").is_err());
    /// ```
    pub fn from_jwk_str(json: &str) -> Result<PublicKey> {
        let jwk: Jwk =
            serde_json::from_str(json).map_err(|e| json_error(ErrorKind::InvalidJwks, &e, json.as_bytes()))?;
        PublicKey::from_jwk(&jwk)
    }

    /// From a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidKeyMaterial`] when it is not an Ed25519 SPKI;
    /// otherwise as [`PublicKey::from_bytes`].
    ///
    /// ```
    /// let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
    /// let key = audit_cef::PublicKey::from_spki_pem(pem)?;
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn from_spki_pem(pem: &str) -> Result<PublicKey> {
        let key = VerifyingKey::from_public_key_pem(pem).map_err(|_| Error::new(ErrorKind::InvalidKeyMaterial))?;
        PublicKey::from_bytes(key.as_bytes())
    }

    /// From DER SubjectPublicKeyInfo.
    ///
    /// # Errors
    ///
    /// As [`PublicKey::from_spki_pem`].
    ///
    /// ```
    /// assert!(audit_cef::PublicKey::from_spki_der(b"not der").is_err());
    /// ```
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey> {
        let key = VerifyingKey::from_public_key_der(der).map_err(|_| Error::new(ErrorKind::InvalidKeyMaterial))?;
        PublicKey::from_bytes(key.as_bytes())
    }

    /// The same key under another `kid`.
    ///
    /// ```
    /// # let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
    /// let key = audit_cef::PublicKey::from_spki_pem(pem)?.with_kid("2025-06");
    /// assert_eq!(key.kid(), "2025-06");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn with_kid(mut self, kid: impl Into<String>) -> PublicKey {
        self.kid = kid.into();
        self
    }

    /// The key id.
    ///
    /// ```
    /// # let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
    /// assert_eq!(audit_cef::PublicKey::from_spki_pem(pem)?.kid().len(), 43);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The 32 raw bytes.
    ///
    /// ```
    /// # let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
    /// assert_eq!(audit_cef::PublicKey::from_spki_pem(pem)?.as_bytes()[0], 0x19);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    /// `x`: the key in base64url without padding.
    ///
    /// ```
    /// # let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
    /// assert_eq!(audit_cef::PublicKey::from_spki_pem(pem)?.x(), "Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn x(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.as_bytes())
    }

    /// Checks a raw signature over raw bytes under the crate's rule (see
    /// [`Verifier`](crate::Verifier)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NoKeyMatches`] when the signature does not verify under
    /// the crate's rule (see [`Verifier`](crate::Verifier)): an `s` at or
    /// above the group order, an `R` that is no curve point, or simply wrong.
    ///
    /// ```
    /// let signer = audit_cef::Signer::from_seed(&[2; 32]);
    /// let signature = signer.sign(b"bytes");
    /// assert!(signer.public_key().verify(b"bytes", &signature).is_ok());
    /// assert!(signer.public_key().verify(b"bytez", &signature).is_err());
    /// ```
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> Result<()> {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        if self.verifies(message, &signature) { Ok(()) } else { Err(Error::new(ErrorKind::NoKeyMatches)) }
    }

    /// The rule's single check of `signature` on `message` under this key.
    pub(crate) fn verifies(&self, message: &[u8], signature: &ed25519_dalek::Signature) -> bool {
        Decoded::new(signature).is_some_and(|decoded| decoded.verifies(&self.point(), self.key.as_bytes(), message))
    }

    /// The key as a curve point.
    pub(crate) fn point(&self) -> EdwardsPoint {
        self.key.to_edwards()
    }

    /// The key as a JWK in Konnect's shape.
    ///
    /// ```
    /// # let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
    /// let jwk = audit_cef::PublicKey::from_spki_pem(pem)?.to_jwk();
    /// assert_eq!((jwk.kty.as_str(), jwk.alg.as_deref()), ("OKP", Some("EdDSA")));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn to_jwk(&self) -> Jwk {
        Jwk {
            kty: "OKP".into(),
            alg: Some("EdDSA".into()),
            kid: Some(self.kid.clone()),
            crv: Some("Ed25519".into()),
            x: Some(self.x()),
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey").field("kid", &self.kid).field("x", &self.x()).finish()
    }
}

/// A point strict verification accepts: decodes, canonical, not small order.
fn checked(bytes: &[u8; 32]) -> Result<VerifyingKey> {
    let key = VerifyingKey::from_bytes(bytes).map_err(|_| Error::new(ErrorKind::InvalidKeyMaterial))?;
    if key.is_weak() || key.to_edwards().compress().as_bytes() != bytes {
        return Err(Error::new(ErrorKind::WeakPublicKey));
    }
    Ok(key)
}
