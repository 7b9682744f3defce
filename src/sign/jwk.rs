//! JSON Web Keys for Ed25519 (RFC 8037) and JWK Sets in Konnect's shape.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};

/// One public JWK as Konnect publishes it: `kty`, `alg`, `kid`, `crv`, `x`,
/// in that order.
///
/// ```
/// let jwk: audit_cef::Jwk = serde_json::from_str(r#"{"kty":"OKP","alg":"EdDSA","kid":"k1","crv":"Ed25519","x":"XWxGtApfcqmKI7p0OKnF5JSEWMVoLsytFXLEP7xZ_l8"}"#).unwrap();
/// assert_eq!(jwk.crv.as_deref(), Some("Ed25519"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `OKP` for Ed25519.
    pub kty: String,
    /// Algorithm: `EdDSA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Curve: `Ed25519`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// The public key, base64url without padding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
}

/// A JWK Set: `{"keys":[...]}`.
///
/// ```
/// let set: audit_cef::Jwks = serde_json::from_str(r#"{"keys":[]}"#).unwrap();
/// assert!(set.keys.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys, as raw JSON values so that keys of other types can be
    /// skipped and reported instead of failing the whole set.
    pub keys: Vec<serde_json::Value>,
}

/// RFC 7638 thumbprint of an Ed25519 key: base64url(SHA-256 of
/// `{"crv":"Ed25519","kty":"OKP","x":"..."}`).
pub(crate) fn thumbprint(x_b64: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"");
    hasher.update(x_b64.as_bytes());
    hasher.update(b"\"}");
    URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// Decodes a 32-byte base64url member (`x` or `d`), canonically.
pub(crate) fn decode_32(text: &str) -> Result<[u8; 32]> {
    let mut out = [0u8; 33];
    match URL_SAFE_NO_PAD.decode_slice(text, &mut out) {
        Ok(32) => {
            let key = out.first_chunk::<32>().copied();
            zeroize::Zeroize::zeroize(&mut out);
            key.ok_or_else(|| Error::new(ErrorKind::InvalidKeyMaterial))
        }
        _ => {
            zeroize::Zeroize::zeroize(&mut out);
            Err(Error::new(ErrorKind::InvalidKeyMaterial))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc_8037_appendix_a3() {
        // RFC 8037 A.3: the thumbprint of the A.2 public key.
        assert_eq!(
            thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }
}
