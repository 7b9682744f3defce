//! Arbitrary text loaded as a JWKS, a public JWK and a private JWK: never
//! panics; every key that loads survives its own JWK form, and a private
//! key's public half is the key its JWK names.
#![no_main]

use audit_cef::{KeySet, PublicKey, Signer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(set) = KeySet::from_jwks_str(text) {
        let again = KeySet::from_jwks_str(&set.to_jwks_string()).expect("a written JWKS loads");
        assert_eq!(again.keys(), set.keys());
        assert!(again.skipped().is_empty(), "every written key loads back");
    }
    if let Ok(key) = PublicKey::from_jwk_str(text) {
        let jwks = KeySet::from_keys([key.clone()]).to_jwks_string();
        assert_eq!(KeySet::from_jwks_str(&jwks).expect("one key").keys(), [key]);
    }
    if let Ok(signer) = Signer::from_jwk_str(text) {
        let signature = signer.sign(b"fuzz");
        assert!(signer.public_key().verify(b"fuzz", &signature).is_ok());
    }
});
