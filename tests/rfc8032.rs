//! RFC 8032 known answers through the crate's own key loading: the known
//! secret keys produce the known public keys and signatures byte for byte,
//! whichever way the key is loaded.
#![cfg(feature = "sign")]

use audit_cef::{PublicKey, Signer};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

struct Vector {
    source: String,
    secret: [u8; 32],
    public: [u8; 32],
    message: Vec<u8>,
    signature: [u8; 64],
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

fn vectors() -> Vec<Vector> {
    let text = include_str!("data/rfc8032.jsonl");
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let field = |name: &str| hex(v[name].as_str().unwrap());
            Vector {
                source: v["source"].as_str().unwrap().to_string(),
                secret: field("secret_key").try_into().unwrap(),
                public: field("public_key").try_into().unwrap(),
                message: field("message"),
                signature: field("signature").try_into().unwrap(),
            }
        })
        .collect()
}

/// RFC 8410 PKCS#8 v1 wrapping of a seed.
fn pkcs8_der(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = hex("302e020100300506032b657004220420");
    der.extend_from_slice(seed);
    der
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

fn loaded_every_way(secret: &[u8; 32], public: &[u8; 32]) -> Vec<(&'static str, Signer)> {
    let jwk = format!(
        r#"{{"kty":"OKP","crv":"Ed25519","d":"{}","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(secret),
        URL_SAFE_NO_PAD.encode(public)
    );
    vec![
        ("seed", Signer::from_seed(secret)),
        ("pkcs8 der", Signer::from_pkcs8_der(&pkcs8_der(secret)).unwrap()),
        ("pkcs8 pem", Signer::from_pkcs8_pem(&pem("PRIVATE KEY", &pkcs8_der(secret))).unwrap()),
        ("jwk", Signer::from_jwk_str(&jwk).unwrap()),
    ]
}

#[test]
fn known_keys_give_known_signatures_byte_for_byte() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 4);
    for v in vectors {
        for (how, signer) in loaded_every_way(&v.secret, &v.public) {
            assert_eq!(signer.public_key().as_bytes(), &v.public, "{} via {how}", v.source);
            assert_eq!(signer.sign(&v.message), v.signature, "{} via {how}", v.source);
        }
    }
}

#[test]
fn known_signatures_verify_with_keys_loaded_every_way() {
    for v in vectors() {
        let spki = [hex("302a300506032b6570032100"), v.public.to_vec()].concat();
        let jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, URL_SAFE_NO_PAD.encode(v.public));
        for key in [
            PublicKey::from_bytes(&v.public).unwrap(),
            PublicKey::from_spki_der(&spki).unwrap(),
            PublicKey::from_spki_pem(&pem("PUBLIC KEY", &spki)).unwrap(),
            PublicKey::from_jwk_str(&jwk).unwrap(),
        ] {
            assert!(key.verify(&v.message, &v.signature).is_ok(), "{}", v.source);
            let mut bad = v.signature;
            bad[0] ^= 1;
            assert!(key.verify(&v.message, &bad).is_err(), "{}", v.source);
        }
    }
}

#[test]
fn pkcs8_round_trips_through_our_own_pem() {
    for v in vectors() {
        let signer = Signer::from_seed(&v.secret);
        let again = Signer::from_pkcs8_pem(&signer.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(again.sign(&v.message), v.signature, "{}", v.source);
    }
}

#[test]
fn private_jwk_with_a_foreign_x_is_refused() {
    let v = &vectors()[0];
    let other = &vectors()[1];
    let jwk = format!(
        r#"{{"kty":"OKP","crv":"Ed25519","d":"{}","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(v.secret),
        URL_SAFE_NO_PAD.encode(other.public)
    );
    assert_eq!(Signer::from_jwk_str(&jwk).unwrap_err().kind(), audit_cef::ErrorKind::InvalidKeyMaterial);
}
