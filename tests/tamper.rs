//! The tamper suite: any change to a signed entry fails verification, with
//! the right kind; weak keys and malleated signatures are refused; batch
//! verification agrees with one-by-one verification.
#![cfg(feature = "sign")]

use audit_cef::{ErrorKind, Event, KeySet, PublicKey, Severity, Signer, Verifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const KONNECT: &str = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4";

fn signer() -> Signer {
    Signer::from_seed(&[0x42; 32])
}

fn verifier() -> Verifier {
    Verifier::new(KeySet::from_keys([signer().public_key()]))
}

fn signed(line: &str) -> Vec<u8> {
    let mut buf = line.as_bytes().to_vec();
    signer().sign_cef(&mut buf, 0).unwrap();
    buf
}

fn kind(verifier: &Verifier, entry: &[u8]) -> Option<ErrorKind> {
    verifier.verify_cef(entry).err().map(|e| e.kind())
}

fn sig_of(entry: &[u8]) -> String {
    String::from_utf8(entry[entry.len() - 86..].to_vec()).unwrap()
}

#[test]
fn the_signed_line_verifies_and_parses_from_the_signed_bytes() {
    let entry = signed(KONNECT);
    let verifier = verifier();
    let verified = verifier.verify_cef(&entry).unwrap();
    assert_eq!(verified.entry().to_event().unwrap().to_string(), KONNECT);
    for ending in ["\n", "\r\n", "\r"] {
        let with_ending = [entry.as_slice(), ending.as_bytes()].concat();
        assert!(verifier.verify_cef(&with_ending).is_ok(), "{ending:?}");
    }
}

#[test]
fn every_single_byte_change_anywhere_fails() {
    let entry = signed(KONNECT);
    let verifier = verifier();
    let mut tried = 0;
    for at in 0..entry.len() {
        for replacement in [entry[at] ^ 0x01, entry[at] ^ 0x20, b'A', b' ', b'=', 0xff] {
            if replacement == entry[at] {
                continue;
            }
            let mut tampered = entry.clone();
            tampered[at] = replacement;
            let result = verifier.verify_cef(&tampered);
            assert!(result.is_err(), "byte {at} -> {replacement:#x} verified");
            tried += 1;
        }
    }
    assert!(tried > 5 * entry.len());
}

#[test]
fn removing_or_inserting_a_byte_anywhere_fails() {
    let entry = signed(KONNECT);
    let verifier = verifier();
    for at in 0..entry.len() {
        let mut removed = entry.clone();
        removed.remove(at);
        assert!(verifier.verify_cef(&removed).is_err(), "removed byte {at}");
        let mut inserted = entry.clone();
        inserted.insert(at, b'x');
        assert!(verifier.verify_cef(&inserted).is_err(), "inserted at {at}");
    }
}

#[test]
fn signature_placement_is_checked_with_the_right_kind() {
    let entry = signed(KONNECT);
    let verifier = verifier();
    let sig = sig_of(&entry);
    let body = KONNECT;

    assert_eq!(kind(&verifier, body.as_bytes()), Some(ErrorKind::Unsigned));
    let moved = body.replacen(" src=", &format!(" sig={sig} src="), 1);
    assert_eq!(kind(&verifier, moved.as_bytes()), Some(ErrorKind::DataAfterSignature));
    let duplicated = format!("{body} sig={sig} sig={sig}");
    assert_eq!(kind(&verifier, duplicated.as_bytes()), Some(ErrorKind::DataAfterSignature));
    let appended = format!("{body} sig={sig} extra=1");
    assert_eq!(kind(&verifier, appended.as_bytes()), Some(ErrorKind::DataAfterSignature));
    let trailing_space = format!("{body} sig={sig} ");
    assert_eq!(kind(&verifier, trailing_space.as_bytes()), Some(ErrorKind::DataAfterSignature));
    for padded in [format!("{body} sig={sig}=="), format!("{body} sig={sig}=")] {
        assert_eq!(kind(&verifier, padded.as_bytes()), Some(ErrorKind::MalformedSignature));
    }
    let standard_alphabet = format!("{body} sig={}", sig.replace('-', "+").replace('_', "/"));
    if standard_alphabet.as_bytes() != entry.as_slice() {
        assert_eq!(kind(&verifier, standard_alphabet.as_bytes()), Some(ErrorKind::MalformedSignature));
    }
    let short = format!("{body} sig={}", &sig[..85]);
    assert_eq!(kind(&verifier, short.as_bytes()), Some(ErrorKind::MalformedSignature));
}

#[test]
fn changing_the_case_of_any_base64_character_fails() {
    let entry = signed(KONNECT);
    let verifier = verifier();
    let start = entry.len() - 86;
    let mut changed = 0;
    for at in start..entry.len() {
        if !entry[at].is_ascii_alphabetic() {
            continue;
        }
        let mut flipped = entry.clone();
        flipped[at] ^= 0x20;
        let kind = kind(&verifier, &flipped);
        assert!(matches!(kind, Some(ErrorKind::NoKeyMatches | ErrorKind::MalformedSignature)), "{at}: {kind:?}");
        changed += 1;
    }
    assert!(changed > 40);
}

#[test]
fn another_key_does_not_verify() {
    let entry = signed(KONNECT);
    let other = Verifier::new(KeySet::from_keys([Signer::from_seed(&[0x43; 32]).public_key()]));
    assert_eq!(kind(&other, &entry), Some(ErrorKind::NoKeyMatches));
    let empty = Verifier::new(KeySet::default());
    assert_eq!(kind(&empty, &entry), Some(ErrorKind::NoKeyMatches));
}

#[test]
fn any_key_of_the_set_verifies_and_the_match_is_reported() {
    let keys: Vec<Signer> = (1..=3).map(|i| Signer::from_seed(&[i; 32])).collect();
    let verifier = Verifier::new(KeySet::from_keys(keys.iter().map(Signer::public_key)));
    for signer in keys.iter().rev().chain(keys.iter()) {
        let mut entry = KONNECT.as_bytes().to_vec();
        signer.sign_cef(&mut entry, 0).unwrap();
        assert_eq!(verifier.verify_cef(&entry).unwrap().key().kid(), signer.public_key().kid());
    }
}

/// Little-endian 32-byte `a + b`.
fn add_le(a: &[u8], b: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    out
}

/// The group order l, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn with_signature(body: &str, signature: &[u8; 64]) -> Vec<u8> {
    format!("{body} sig={}", URL_SAFE_NO_PAD.encode(signature)).into_bytes()
}

#[test]
fn non_canonical_and_small_order_signatures_fail() {
    let entry = signed(KONNECT);
    let verifier = verifier();
    let good: [u8; 64] = URL_SAFE_NO_PAD.decode(sig_of(&entry)).unwrap().try_into().unwrap();
    // s + l: the same signature value, not canonical (scalar malleability).
    let mut malleated = good;
    malleated[32..].copy_from_slice(&add_le(&good[32..], &L));
    assert_eq!(kind(&verifier, &with_signature(KONNECT, &malleated)), Some(ErrorKind::NoKeyMatches));
    // R of small order (the identity) with s = 0.
    let mut small_r = [0u8; 64];
    small_r[0] = 1;
    assert_eq!(kind(&verifier, &with_signature(KONNECT, &small_r)), Some(ErrorKind::NoKeyMatches));
    // All zero bytes.
    assert_eq!(kind(&verifier, &with_signature(KONNECT, &[0; 64])), Some(ErrorKind::NoKeyMatches));
}

fn hex32(text: &str) -> [u8; 32] {
    (0..32).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap()).collect::<Vec<_>>().try_into().unwrap()
}

#[test]
fn small_order_and_non_canonical_keys_are_refused() {
    for small in [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ] {
        assert_eq!(PublicKey::from_bytes(&hex32(small)).unwrap_err().kind(), ErrorKind::WeakPublicKey, "{small}");
    }
    // y + p for every small y that is a valid point: same point, non-canonical encoding.
    let mut checked = 0;
    for y in 2u8..19 {
        let mut canonical = [0u8; 32];
        canonical[0] = y;
        if PublicKey::from_bytes(&canonical).is_err() {
            continue;
        }
        let mut encoded = [0xffu8; 32];
        encoded[0] = 0xed + y;
        encoded[31] = 0x7f;
        assert_eq!(PublicKey::from_bytes(&encoded).unwrap_err().kind(), ErrorKind::WeakPublicKey, "y={y}");
        checked += 1;
    }
    assert!(checked > 0);
    // A JWKS holding a weak key skips and reports it.
    let jwks = format!(
        r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"weak","x":"{}"}},{{"kty":"EC","crv":"P-256","kid":"ec"}}]}}"#,
        URL_SAFE_NO_PAD.encode([0u8; 32])
    );
    let set = KeySet::from_jwks_str(&jwks).unwrap();
    assert!(set.keys().is_empty());
    let skipped: Vec<_> = set.skipped().iter().map(|s| (s.index, s.kid.clone().unwrap(), s.reason)).collect();
    assert_eq!(skipped, [(0, "weak".into(), ErrorKind::WeakPublicKey), (1, "ec".into(), ErrorKind::UnsupportedKey)]);
}

#[test]
fn konnect_published_jwks_loads_and_its_example_signature_does_not_verify() {
    let jwks = r#"{"keys":[{"kty":"OKP","alg":"EdDSA","kid":"3f60bc4376c937154f3c004ebd180433ac0d03e6","crv":"Ed25519","x":"XWxGtApfcqmKI7p0OKnF5JSEWMVoLsytFXLEP7xZ_l8"}]}"#;
    let verifier = Verifier::new(KeySet::from_jwks_str(jwks).unwrap());
    assert_eq!(verifier.keys().keys()[0].kid(), "3f60bc4376c937154f3c004ebd180433ac0d03e6");
    // konnect.md: Kong's example signatures are not verifiable with any public key.
    let documented =
        format!("{KONNECT} sig=KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ");
    assert_eq!(kind(&verifier, documented.as_bytes()), Some(ErrorKind::NoKeyMatches));
}

#[test]
fn json_and_cps_entries_sign_and_verify_and_detect_tampering() {
    let signer = signer();
    let verifier = verifier();
    let json =
        r#"{"action":"read","cef_version":"0","granted":true,"rt":1682715129807,"trace_id":3895213347334635099}"#;
    let mut entry = json.as_bytes().to_vec();
    signer.sign_json(&mut entry, 0).unwrap();
    assert_eq!(verifier.verify_json(&entry).unwrap().entry(), json);
    // Re-serialising through a float (as Kong's docs once did) breaks the signature.
    let rounded = String::from_utf8(entry.clone()).unwrap().replace("3895213347334635099", "3895213347334635000");
    assert_eq!(verifier.verify_json(rounded.as_bytes()).unwrap_err().kind(), ErrorKind::NoKeyMatches);
    for at in 0..entry.len() {
        let mut tampered = entry.clone();
        tampered[at] ^= 0x01;
        assert!(verifier.verify_json(&tampered).is_err(), "byte {at}");
    }
    let mut cps = format!("{{\"event\":{json}}}").into_bytes();
    signer.sign_cps(&mut cps, 0).unwrap();
    assert!(cps.ends_with(b"\"}}"));
    assert_eq!(verifier.verify_cps(&cps).unwrap().entry(), &format!("{{\"event\":{json}}}"));
    assert_eq!(verifier.verify_json(&cps).unwrap_err().kind(), ErrorKind::DataAfterSignature);
    for bad in ["{}", "[1]", "{\"a\":1", "", "{\"a\":1,}"] {
        let mut buf = bad.as_bytes().to_vec();
        assert_eq!(signer.sign_json(&mut buf, 0).unwrap_err().kind(), ErrorKind::NotJsonEntry, "{bad}");
        assert_eq!(buf, bad.as_bytes(), "a refused entry is left as it was");
    }
    for bad in ["{\"event\":{}}", "{\"a\":1}", "{}}"] {
        let mut buf = bad.as_bytes().to_vec();
        assert_eq!(signer.sign_cps(&mut buf, 0).unwrap_err().kind(), ErrorKind::NotJsonEntry, "{bad}");
        assert_eq!(buf, bad.as_bytes(), "a refused entry is left as it was");
    }
}

#[test]
fn signing_refuses_a_line_break_and_leaves_the_buffer() {
    let mut buf = b"CEF:0|v|p|1|id|n|5|a=1\n".to_vec();
    assert_eq!(signer().sign_cef(&mut buf, 0).unwrap_err().kind(), ErrorKind::LineBreakInEntry);
    assert_eq!(buf, b"CEF:0|v|p|1|id|n|5|a=1\n");
}

#[test]
fn batch_results_equal_single_results() {
    let signer = signer();
    let rotated = Signer::from_seed(&[0x44; 32]);
    let verifier = Verifier::new(KeySet::from_keys([signer.public_key(), rotated.public_key()]));
    let mut entries: Vec<Vec<u8>> = (0..64)
        .map(|i| {
            let mut event = Event::new("v", "p", "1", "id", "n", Severity::LOW).unwrap();
            event.push("i", i.to_string()).unwrap();
            let mut buf = event.to_vec();
            if i % 16 == 15 { rotated.sign_cef(&mut buf, 0) } else { signer.sign_cef(&mut buf, 0) }.unwrap();
            buf
        })
        .collect();
    entries[3][21] = b'9';
    entries[10].pop();
    entries[40] = b"CEF:0|v|p|1|id|n|5|unsigned=1".to_vec();
    let good: [u8; 64] = URL_SAFE_NO_PAD.decode(sig_of(&entries[50])).unwrap().try_into().unwrap();
    let mut malleated = good;
    malleated[32..].copy_from_slice(&add_le(&good[32..], &L));
    let body = String::from_utf8(entries[50][..entries[50].len() - 91].to_vec()).unwrap();
    entries[50] = with_signature(&body, &malleated);

    let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    let batch = verifier.verify_cef_batch(&refs);
    assert_eq!(batch.len(), entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let single = verifier.verify_cef(entry);
        match (&batch[i], &single) {
            (Ok(b), Ok(s)) => {
                assert_eq!(b.entry(), s.entry(), "entry {i}");
                assert_eq!(b.key().kid(), s.key().kid(), "entry {i}");
            }
            (Err(b), Err(s)) => assert_eq!(b.kind(), s.kind(), "entry {i}"),
            _ => panic!("entry {i}: batch {:?} vs single {:?}", batch[i].is_ok(), single.is_ok()),
        }
    }
    let failed: Vec<usize> = batch.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
    assert_eq!(failed, [3, 10, 40, 50]);
    assert_eq!(batch[15].as_ref().unwrap().key().kid(), rotated.public_key().kid());
    // A state the caller carries across batches (learning the rotation,
    // the failure share and the group size) changes no verdict, whatever
    // the cut into batches, and a state from another key set neither.
    let summary = |results: &[Result<audit_cef::Verified<'_, audit_cef::Line<'_>>, audit_cef::Error>]| {
        results.iter().map(|r| r.as_ref().map(|v| v.key().kid().to_owned()).map_err(|e| e.kind())).collect::<Vec<_>>()
    };
    let expected = summary(&batch);
    for cut in [1, 3, 7, 16, 64] {
        let mut state = verifier.new_state();
        for round in 0..3 {
            let mut carried = Vec::new();
            for part in refs.chunks(cut) {
                carried.extend(verifier.verify_cef_batch_with(&mut state, part));
            }
            assert_eq!(summary(&carried), expected, "cut {cut}, round {round}");
        }
    }
    let mut foreign = Verifier::new(KeySet::default()).new_state();
    assert_eq!(summary(&verifier.verify_cef_batch_with(&mut foreign, &refs)), expected);
}

#[test]
fn signing_refuses_entries_that_could_never_verify() {
    let signer = signer();
    for (line, kind) in [
        ("", ErrorKind::Empty),
        ("not cef at all", ErrorKind::MissingCefMarker),
        ("CEF:0|v|p|1|id|n|5|a=1 sig=x", ErrorKind::DataAfterSignature),
    ] {
        let mut buf = line.as_bytes().to_vec();
        assert_eq!(signer.sign_cef(&mut buf, 0).unwrap_err().kind(), kind, "{line:?}");
        assert_eq!(buf, line.as_bytes());
    }
    let mut json = br#"{"a":1,"sig":"x"}"#.to_vec();
    assert_eq!(signer.sign_json(&mut json, 0).unwrap_err().kind(), ErrorKind::DataAfterSignature);
}

#[test]
fn pkcs8_output_is_the_v1_form_of_rfc_8410() {
    // RFC 8410 section 10.3: the v1 example key.
    let rfc = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
    let signer = Signer::from_pkcs8_pem(rfc).unwrap();
    assert_eq!(&*signer.to_pkcs8_pem().unwrap(), rfc);
}

/// `n` entries `i=<tag><number>`, each signed by `signer`.
fn signed_batch(signer: &Signer, n: usize, tag: &str) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let mut event = Event::new("v", "p", "1", "id", "n", Severity::LOW).unwrap();
            event.push("i", format!("{tag}{i}")).unwrap();
            let mut buf = event.to_vec();
            signer.sign_cef(&mut buf, 0).unwrap();
            buf
        })
        .collect()
}

/// After clean batches, what is left after a full group joins it (a batch
/// of 100 is one group): a failure inside that longer group is still found
/// exactly, and every other entry still verifies.
#[test]
fn a_longer_last_group_still_finds_its_failure() {
    let signer = signer();
    let batch_of = |n: usize, tag: &str| signed_batch(&signer, n, tag);
    for (n, bad) in [(100, 90), (127, 0), (127, 126), (65, 64)] {
        // A verifier that has seen only clean batches: its groups are at
        // their largest and nothing failed lately.
        let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
        for round in 0..3 {
            let clean = batch_of(128, &format!("warm{round}-"));
            let refs: Vec<&[u8]> = clean.iter().map(Vec::as_slice).collect();
            assert!(verifier.verify_cef_batch(&refs).iter().all(Result::is_ok));
        }
        let mut entries = batch_of(n, &format!("n{n}-"));
        entries[bad][21] ^= 1;
        let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let results = verifier.verify_cef_batch(&refs);
        let failed: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
        assert_eq!(failed, [bad], "batch of {n}");
    }
}

/// Two or more failures in one group, in one half only (the other half
/// may then be proven by one sum and not checked again) or in both halves:
/// every failing entry is found, and only those.
#[test]
fn several_failures_in_a_group_are_all_found_wherever_they_are() {
    let signer = signer();
    let batch_of = |n: usize, tag: &str| signed_batch(&signer, n, tag);
    let bad_sets: [&[usize]; 6] = [&[40, 50], &[32, 63], &[33, 34, 35], &[10, 50], &[0, 1], &[31, 32]];
    for bad in bad_sets {
        // Groups at their largest (64): a clean stream before.
        let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
        let mut state = verifier.new_state();
        for round in 0..3 {
            let clean = batch_of(128, &format!("warm{round}-"));
            let refs: Vec<&[u8]> = clean.iter().map(Vec::as_slice).collect();
            assert!(verifier.verify_cef_batch_with(&mut state, &refs).iter().all(Result::is_ok));
        }
        let mut entries = batch_of(64, "g-");
        for &at in bad {
            entries[at][21] ^= 1;
        }
        let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let results = verifier.verify_cef_batch_with(&mut state, &refs);
        let failed: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
        assert_eq!(failed, bad, "failures at {bad:?}");
        assert!(results.iter().filter_map(|r| r.as_ref().err()).all(|e| e.kind() == ErrorKind::NoKeyMatches));
    }
}

/// With a large key set, only the keys a group's entries are expected under
/// enter its batch equation: verdicts stay those of the single check, for
/// streams under keys far apart in the set, rotating, with tampered entries.
#[test]
fn a_large_key_set_gives_the_single_verdicts() {
    let signers: Vec<Signer> = (0..64u8).map(|i| Signer::from_seed(&[i.wrapping_add(100); 32])).collect();
    let verifier = Verifier::new(KeySet::from_keys(signers.iter().map(Signer::public_key)));
    let mut entries: Vec<Vec<u8>> = (0..300)
        .map(|i| {
            let mut event = Event::new("v", "p", "1", "id", "n", Severity::LOW).unwrap();
            event.push("i", i.to_string()).unwrap();
            let mut buf = event.to_vec();
            let key = if i < 150 {
                5
            } else if i % 2 == 0 {
                40
            } else {
                63
            };
            signers[key].sign_cef(&mut buf, 0).unwrap();
            buf
        })
        .collect();
    for i in [7, 149, 150, 151, 299] {
        entries[i][21] = b'X';
    }
    let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    let mut state = verifier.new_state();
    let batch = verifier.verify_cef_batch_with(&mut state, &refs);
    for (i, entry) in entries.iter().enumerate() {
        let single = verifier.verify_cef(entry);
        assert_eq!(
            batch[i].as_ref().map(|v| v.key().kid().to_owned()).map_err(|e| e.kind()),
            single.as_ref().map(|v| v.key().kid().to_owned()).map_err(|e| e.kind()),
            "entry {i}"
        );
    }
    assert_eq!(batch.iter().filter(|r| r.is_err()).count(), 5);
}
