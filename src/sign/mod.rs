//! Ed25519 signatures exactly as Konnect makes them: keys, JWK/JWKS,
//! signing, and verification of raw received bytes (feature `sign`).
//! Builds on the `cef` layer only.

pub(crate) mod json_position;
pub(crate) mod jwk;
pub(crate) mod jwks_url;
pub(crate) mod key_set;
pub(crate) mod key_tables;
pub(crate) mod line_ending;
pub(crate) mod per_key;
pub(crate) mod public_key;
pub(crate) mod refresh;
pub(crate) mod rule;
pub(crate) mod signature;
pub(crate) mod signer;
pub(crate) mod sum_tables;
pub(crate) mod verifier;

pub use jwk::{Jwk, Jwks};
pub use jwks_url::{JwksUrl, JwksUrlError};
pub use key_set::{KeySet, SkippedKey};
pub use public_key::PublicKey;
pub use refresh::JwksRefresh;
pub use signature::{SIGNATURE_B64_LEN, SIGNATURE_LEN};
pub use signer::Signer;
pub use verifier::{Verified, Verifier, VerifierState};
