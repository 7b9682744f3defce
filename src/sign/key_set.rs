//! A set of public keys, as a JWKS document publishes them.

use super::json_position::json_error;
use super::jwk::{Jwk, Jwks};
use super::public_key::PublicKey;
use crate::error::{Error, ErrorKind, Result};

/// A key of a JWKS document that was not loaded, and why.
///
/// ```
/// let set = audit_cef::KeySet::from_jwks_str(r#"{"keys":[{"kty":"RSA","kid":"r1","n":"...","e":"AQAB"}]}"#)?;
/// assert_eq!(set.skipped()[0].kid.as_deref(), Some("r1"));
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// Position in the document's `keys` array.
    pub index: usize,
    /// Its `kid`, if it had one.
    pub kid: Option<String>,
    /// Why it was skipped.
    pub reason: crate::error::ErrorKind,
}

/// Public keys to verify against, with the keys a JWKS held that were
/// skipped (not Ed25519, malformed, weak).
///
/// ```
/// use audit_cef::KeySet;
/// let set = KeySet::from_jwks_str(r#"{"keys":[{"kty":"OKP","alg":"EdDSA","kid":"3f60bc4376c937154f3c004ebd180433ac0d03e6","crv":"Ed25519","x":"XWxGtApfcqmKI7p0OKnF5JSEWMVoLsytFXLEP7xZ_l8"}]}"#)?;
/// assert_eq!(set.keys().len(), 1);
/// assert!(set.skipped().is_empty());
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    keys: Vec<PublicKey>,
    skipped: Vec<SkippedKey>,
}

impl KeySet {
    /// A set of the given keys.
    ///
    /// ```
    /// let set = audit_cef::KeySet::from_keys([audit_cef::Signer::from_seed(&[1; 32]).public_key()]);
    /// assert_eq!(set.keys().len(), 1);
    /// ```
    pub fn from_keys(keys: impl IntoIterator<Item = PublicKey>) -> KeySet {
        KeySet { keys: keys.into_iter().collect(), skipped: Vec::new() }
    }

    /// Loads a JWKS document such as Konnect's `jwks.json`. Keys that are
    /// not usable Ed25519 keys are skipped and listed in [`KeySet::skipped`],
    /// not fatal.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidJwks`] when the text is not `{"keys":[...]}`.
    ///
    /// ```
    /// assert!(audit_cef::KeySet::from_jwks_str(r#"{"nokeys":1}"#).is_err());
    /// ```
    pub fn from_jwks_str(json: &str) -> Result<KeySet> {
        let jwks: Jwks =
            serde_json::from_str(json).map_err(|e| json_error(ErrorKind::InvalidJwks, &e, json.as_bytes()))?;
        let mut set = KeySet::default();
        for (index, value) in jwks.keys.into_iter().enumerate() {
            let kid = value.get("kid").and_then(|k| k.as_str()).map(str::to_owned);
            let loaded = serde_json::from_value::<Jwk>(value)
                .map_err(|_| Error::new(ErrorKind::InvalidJwks))
                .and_then(|jwk| PublicKey::from_jwk(&jwk));
            match loaded {
                Ok(key) => set.keys.push(key),
                Err(err) => set.skipped.push(SkippedKey { index, kid, reason: err.kind() }),
            }
        }
        Ok(set)
    }

    /// Adds a key.
    ///
    /// ```
    /// let mut set = audit_cef::KeySet::default();
    /// set.push(audit_cef::Signer::from_seed(&[1; 32]).public_key());
    /// assert_eq!(set.keys().len(), 1);
    /// ```
    pub fn push(&mut self, key: PublicKey) {
        self.keys.push(key);
    }

    /// The loaded keys, in document order.
    ///
    /// ```
    /// assert!(audit_cef::KeySet::default().keys().is_empty());
    /// ```
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    /// Keys of the document that were not loaded.
    ///
    /// ```
    /// assert!(audit_cef::KeySet::default().skipped().is_empty());
    /// ```
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The set as a JWKS document in Konnect's shape:
    /// `{"keys":[{"kty":"OKP","alg":"EdDSA","kid":"...","crv":"Ed25519","x":"..."}]}`.
    ///
    /// ```
    /// let set = audit_cef::KeySet::from_keys([audit_cef::Signer::from_seed(&[1; 32]).public_key()]);
    /// let json = set.to_jwks_string();
    /// assert!(json.starts_with(r#"{"keys":[{"kty":"OKP","alg":"EdDSA","kid":""#));
    /// assert_eq!(audit_cef::KeySet::from_jwks_str(&json)?, set);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn to_jwks_string(&self) -> String {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            keys: Vec<Jwk>,
            #[serde(skip)]
            _marker: core::marker::PhantomData<&'a ()>,
        }
        let out = Out { keys: self.keys.iter().map(PublicKey::to_jwk).collect(), _marker: core::marker::PhantomData };
        serde_json::to_string(&out).unwrap_or_else(|_| String::from("{\"keys\":[]}"))
    }
}
