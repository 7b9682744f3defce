//! The verification rule (ZIP-215's cofactored equation, canonical `s`,
//! keys refused at load when small-order or non-canonical) gives one verdict
//! per signature in the single and the batch path, whatever else is in the
//! batch, every time: on Wycheproof's EdDSA tests, on the ten cases of
//! "Taming the many EdDSAs", and on signatures generated here with a
//! small-order component added to `R` or to the key.
#![cfg(feature = "sign")]

use audit_cef::{KeySet, PublicKey, Signer, Verifier};
use curve25519_dalek::constants::{ED25519_BASEPOINT_TABLE, EIGHT_TORSION};
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|at| u8::from_str_radix(&text[at..at + 2], 16).expect("hex")).collect()
}

/// One signature to judge: key bytes, message, signature bytes.
struct Case {
    name: String,
    key: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

/// The single path: the key must load, the signature be 64 bytes and verify.
fn single(case: &Case) -> bool {
    let (Ok(key), Ok(signature)) =
        (<[u8; 32]>::try_from(case.key.as_slice()), <[u8; 64]>::try_from(case.signature.as_slice()))
    else {
        return false;
    };
    PublicKey::from_bytes(&key).is_ok_and(|key| key.verify(&case.message, &signature).is_ok())
}

/// Signed messages.
type Signed = Vec<(Vec<u8>, [u8; 64])>;

/// Filler entries: valid signatures by another key.
fn fillers(count: usize) -> (Signer, Signed) {
    let signer = Signer::from_seed(&[0x5a; 32]);
    let items = (0..count)
        .map(|i| {
            let message = format!("filler {i}").into_bytes();
            let signature = signer.sign(&message);
            (message, signature)
        })
        .collect();
    (signer, items)
}

/// The batch path: the case among valid entries of another key, at several
/// positions and in batches of several sizes; every verdict of the case
/// must be `expected`, and every filler must verify.
fn assert_batch_agrees(case: &Case, expected: bool) {
    let (Ok(key), Ok(signature)) =
        (<[u8; 32]>::try_from(case.key.as_slice()), <[u8; 64]>::try_from(case.signature.as_slice()))
    else {
        assert!(!expected, "{}: not a 32-byte key and a 64-byte signature", case.name);
        return;
    };
    let Ok(key) = PublicKey::from_bytes(&key) else {
        assert!(!expected, "{}: the key does not load", case.name);
        return;
    };
    let (filler_signer, filler) = fillers(11);
    for batch in [3, 5, 8, 12] {
        for position in [0, 1, 4, 11] {
            let verifier = Verifier::new(KeySet::from_keys([filler_signer.public_key(), key.clone()]))
                .with_batch_size(Some(batch));
            let mut items: Vec<(&[u8], [u8; 64])> = filler.iter().map(|(m, s)| (m.as_slice(), *s)).collect();
            items.insert(position, (case.message.as_slice(), signature));
            let verdicts = verifier.verify_signatures(&items);
            for (index, verdict) in verdicts.iter().enumerate() {
                if index == position {
                    assert_eq!(verdict.is_ok(), expected, "{}: batch of {batch}, at {position}", case.name);
                } else {
                    assert!(verdict.is_ok(), "{}: filler {index} failed beside it (batch of {batch})", case.name);
                }
            }
        }
    }
}

fn wycheproof() -> Vec<(Case, bool, String)> {
    let text = include_str!("data/ed25519/wycheproof_ed25519_test.json");
    let json: serde_json::Value = serde_json::from_str(text).expect("Wycheproof JSON");
    let mut cases = Vec::new();
    for group in json["testGroups"].as_array().expect("groups") {
        let key = hex(group["publicKey"]["pk"].as_str().expect("pk"));
        for test in group["tests"].as_array().expect("tests") {
            let case = Case {
                name: format!("wycheproof tcId {}", test["tcId"]),
                key: key.clone(),
                message: hex(test["msg"].as_str().expect("msg")),
                signature: hex(test["sig"].as_str().expect("sig")),
            };
            let valid = test["result"] == "valid";
            cases.push((case, valid, format!("{:?}", test["flags"])));
        }
    }
    cases
}

#[test]
fn wycheproof_single_and_batch_agree_and_match_its_verdicts() {
    let cases = wycheproof();
    assert_eq!(cases.len(), 150 + 1);
    let mut disagree = Vec::new();
    for (case, valid, _flags) in &cases {
        let verdict = single(case);
        if verdict != *valid {
            disagree.push(case.name.clone());
        }
        assert_batch_agrees(case, verdict);
    }
    // The one deliberate difference: tcId 151's R encodes y = 1 with the
    // sign bit of x set (a non-canonical encoding of the point (0, 1)), and
    // its s was recomputed with the private key for those bytes. ZIP-215
    // accepts non-canonical encodings of R; only the key's holder can make
    // such a signature, so it still proves the holder signed the message.
    assert_eq!(disagree, ["wycheproof tcId 151"]);
}

/// The ten cases of "Taming the many EdDSAs" (speccheck `cases.json`), with
/// the verdict of this crate's rule and why.
const SPECCHECK: [(bool, &str); 10] = [
    (false, "0: small-order key (and R, S = 0): the key is refused when loaded (WeakPublicKey)"),
    (false, "1: small-order key, mixed-order R: the key is refused when loaded"),
    (true, "2: mixed-order key, small-order R: the cofactored equation holds"),
    (true, "3: mixed-order key and R: the plain equation holds, so the cofactored one does"),
    (true, "4: mixed-order key and R: only the cofactored equation holds (verify_strict refuses)"),
    (true, "5: mixed-order key, R of order L: only the cofactored equation holds (verify_strict refuses)"),
    (false, "6: s above L: not canonical"),
    (false, "7: s far above L: not canonical"),
    (false, "8: non-canonical small-order R: k hashes R's bytes as sent, and the equation fails for them"),
    (true, "9: non-canonical small-order R whose bytes as sent satisfy the cofactored equation (ZIP-215 accepts)"),
];

#[test]
fn speccheck_cases_single_and_batch_agree() {
    let text = include_str!("data/ed25519/speccheck_cases.json");
    let json: serde_json::Value = serde_json::from_str(text).expect("speccheck JSON");
    let cases = json.as_array().expect("cases");
    assert_eq!(cases.len(), SPECCHECK.len());
    for (case, (expected, why)) in cases.iter().zip(SPECCHECK) {
        let case = Case {
            name: why.to_string(),
            key: hex(case["pub_key"].as_str().expect("key")),
            message: hex(case["message"].as_str().expect("message")),
            signature: hex(case["signature"].as_str().expect("signature")),
        };
        assert_eq!(single(&case), expected, "{why}");
        assert_batch_agrees(&case, expected);
    }
}

/// A signature made by hand: `R = rB + torsion_r`, `s = r + k a` with `k`
/// hashed over the key's bytes as given.
fn sign_with_torsion(a: &Scalar, key: &EdwardsPoint, r: &Scalar, torsion_r: &EdwardsPoint, message: &[u8]) -> [u8; 64] {
    let big_r = (r * ED25519_BASEPOINT_TABLE) + torsion_r;
    let r_bytes = big_r.compress().to_bytes();
    let k = Scalar::from_bytes_mod_order_wide(
        &Sha512::new()
            .chain_update(r_bytes)
            .chain_update(key.compress().as_bytes())
            .chain_update(message)
            .finalize()
            .into(),
    );
    let s = r + k * a;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&r_bytes);
    signature[32..].copy_from_slice(s.as_bytes());
    signature
}

#[test]
fn torsion_in_r_or_in_the_key_gets_one_verdict_in_every_batch_every_time() {
    let secret = Scalar::from_bytes_mod_order([7; 32]);
    let plain_key = &secret * ED25519_BASEPOINT_TABLE;
    // A mixed-order key: the same secret plus a point of order 8.
    let mixed_key = plain_key + EIGHT_TORSION[1];
    let plain = PublicKey::from_bytes(&plain_key.compress().to_bytes()).expect("plain key");
    let mixed = PublicKey::from_bytes(&mixed_key.compress().to_bytes()).expect("a mixed-order key loads");
    let honest = Signer::from_seed(&[0x33; 32]);

    // (message, signature, expected verdict)
    let mut entries: Vec<(Vec<u8>, [u8; 64], bool)> = Vec::new();
    for i in 0u8..24 {
        let message = vec![b'm', i];
        let nonce = Scalar::from_bytes_mod_order([i.wrapping_add(1); 32]);
        let torsion = EIGHT_TORSION[usize::from(i % 7) + 1];
        let signature = match i % 4 {
            // Torsion added to R by the key's holder: the cofactored rule accepts.
            0 => sign_with_torsion(&secret, &plain_key, &nonce, &torsion, &message),
            // A key with torsion, signing plainly: accepted.
            1 => sign_with_torsion(&secret, &mixed_key, &nonce, &EdwardsPoint::default(), &message),
            // Both: accepted.
            2 => sign_with_torsion(&secret, &mixed_key, &nonce, &torsion, &message),
            // An honest signature by another key.
            _ => honest.sign(&message),
        };
        entries.push((message, signature, true));
    }
    // Entries that must fail: a torsion signature whose s is off by one, and
    // an honest signature on other bytes.
    let (message, mut signature, _) = entries[0].clone();
    signature[32] ^= 1;
    entries.push((message, signature, false));
    let (_, signature, _) = entries[3].clone();
    entries.push((b"other bytes".to_vec(), signature, false));

    let keys = [plain.clone(), mixed.clone(), honest.public_key()];
    for (message, signature, expected) in &entries {
        let single = keys.iter().any(|key| key.verify(message, signature).is_ok());
        assert_eq!(single, *expected, "single verdict of {message:?}");
    }
    for round in 0..100usize {
        // A different composition each round: order, batch size, key order.
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.rotate_left(round % entries.len());
        if round % 3 == 0 {
            order.reverse();
        }
        let mut key_order = keys.to_vec();
        key_order.rotate_left(round % 3);
        let batch = [3, 4, 7, 16, 26][round % 5];
        let verifier = Verifier::new(KeySet::from_keys(key_order)).with_batch_size(Some(batch));
        let items: Vec<(&[u8], [u8; 64])> = order.iter().map(|&i| (entries[i].0.as_slice(), entries[i].1)).collect();
        let verdicts = verifier.verify_signatures(&items);
        for (&i, verdict) in order.iter().zip(&verdicts) {
            assert_eq!(verdict.is_ok(), entries[i].2, "round {round}, batch {batch}, entry {i}");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any mix of good entries under two keys, tampered entries and entries
    /// under a key outside the set, in any batch size or adaptively: every
    /// verdict is the single check's, and names the key that signed.
    #[test]
    fn batch_verdicts_are_single_verdicts(
        kinds in proptest::collection::vec(0u8..8, 1..80),
        batch in proptest::option::of(1usize..70),
    ) {
        let signers = [Signer::from_seed(&[1; 32]), Signer::from_seed(&[2; 32]), Signer::from_seed(&[3; 32])];
        let verifier = Verifier::new(KeySet::from_keys([signers[0].public_key(), signers[1].public_key()])).with_batch_size(batch);
        let mut items = Vec::new();
        let mut expected = Vec::new();
        for (i, kind) in kinds.iter().enumerate() {
            let message = format!("entry {i}").into_bytes();
            // 0-3: key 0, 4-5: key 1, 6: tampered, 7: a key outside the set.
            let (signer, ok) = match kind { 0..=3 => (0, true), 4 | 5 => (1, true), 6 => (0, false), _ => (2, false) };
            let mut signature = signers[signer].sign(&message);
            if *kind == 6 {
                signature[40] ^= 4;
            }
            expected.push(ok.then(|| signers[signer].public_key()));
            items.push((message, signature));
        }
        let refs: Vec<(&[u8], [u8; 64])> = items.iter().map(|(m, s)| (m.as_slice(), *s)).collect();
        let verdicts = verifier.verify_signatures(&refs);
        for (i, (verdict, expected)) in verdicts.iter().zip(&expected).enumerate() {
            proptest::prop_assert_eq!(verdict.as_ref().ok().map(|k| k.as_bytes()), expected.as_ref().map(|k| k.as_bytes()), "entry {}", i);
        }
    }
}
