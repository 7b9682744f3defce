//! The `Authorization` value a webhook sends: a secret, shared by the API
//! bodies that set it (`konnect::api`) and the webhook configuration and
//! receivers above (`webhook`, re-exported there).

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The `Authorization` header value a webhook sends verbatim (`Bearer ...`,
/// `Splunk ...`): a secret. `Debug` shows no byte of it; it is zeroized
/// when dropped; [`Credential::matches`] compares in constant time.
///
/// ```
/// use audit_cef::konnect::Credential;
/// let credential = Credential::new("Bearer s3cret");
/// assert_eq!(format!("{credential:?}"), "Credential(..)");
/// assert!(credential.matches(b"Bearer s3cret"));
/// assert!(!credential.matches(b"Bearer s3cre"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credential(Zeroizing<String>);

/// As the JSON string Konnect takes in a PATCH or POST body.
impl Serialize for Credential {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// From a JSON string.
impl<'de> Deserialize<'de> for Credential {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Credential, D::Error> {
        String::deserialize(deserializer).map(Credential::new)
    }
}

impl Credential {
    /// A credential.
    ///
    /// ```
    /// let credential = audit_cef::konnect::Credential::new(String::from("Splunk token"));
    /// ```
    pub fn new(value: impl Into<String>) -> Credential {
        Credential(Zeroizing::new(value.into()))
    }

    /// The value, to put in the `Authorization` header of a request.
    ///
    /// ```
    /// assert_eq!(audit_cef::konnect::Credential::new("Bearer x").expose(), "Bearer x");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `received` (a request's `Authorization` header) is this
    /// value, in time that depends only on the lengths, not on where the
    /// bytes differ.
    ///
    /// ```
    /// assert!(!audit_cef::konnect::Credential::new("a").matches(b"b"));
    /// ```
    pub fn matches(&self, received: &[u8]) -> bool {
        let expected = self.0.as_bytes();
        let mut difference = u8::from(expected.len() != received.len());
        // Walk the expected length whatever was received, so the time does
        // not depend on the received bytes.
        for (index, byte) in expected.iter().enumerate() {
            difference |= byte ^ received.get(index).copied().unwrap_or(!byte);
        }
        std::hint::black_box(difference) == 0
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential(..)")
    }
}
