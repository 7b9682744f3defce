//! Properties: sign then verify holds for arbitrary events, and any
//! mutation of the signed entry fails.
#![cfg(feature = "sign")]

use audit_cef::{Event, KeySet, Severity, Signer, Verifier};
use proptest::prelude::*;

const HOSTILE: &str = "[a-zA-Z0-9 =\\\\|\\n\\r\\t,._\\-é😀]{0,16}";
const KEY: &str = "[A-Za-z0-9_][A-Za-z0-9_.,\\-\\[\\]]{0,8}";

fn event() -> impl Strategy<Value = Event<'static>> {
    ("[a-zA-Z0-9 |\\\\=]{0,10}", "[a-zA-Z0-9 .]{0,10}", proptest::collection::vec((KEY, HOSTILE), 0..8))
        .prop_filter_map("E9 or invalid", |(vendor, name, pairs)| {
            if pairs.last().is_some_and(|(_, v)| v.ends_with([' ', '\t'])) {
                return None;
            }
            let mut event = Event::new(vendor, "p", "1.0", "id", name, Severity::MEDIUM).ok()?;
            for (key, value) in pairs {
                event.push(key, value).ok()?;
            }
            Some(event)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn sign_then_verify_gives_back_the_event(event in event(), seed in any::<[u8; 32]>()) {
        let signer = Signer::from_seed(&seed);
        let mut buf = Vec::new();
        event.render_into(&mut buf);
        signer.sign_cef(&mut buf, 0).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
        let verified = verifier.verify_cef(&buf).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(verified.entry().to_event().map_err(|e| TestCaseError::fail(e.to_string()))?, event);
    }

    #[test]
    fn any_mutation_fails(event in event(), at in any::<prop::sample::Index>(), delta in 1u8..=255) {
        let signer = Signer::from_seed(&[9; 32]);
        let mut buf = event.to_vec();
        signer.sign_cef(&mut buf, 0).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let at = at.index(buf.len());
        buf[at] = buf[at].wrapping_add(delta);
        let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
        prop_assert!(verifier.verify_cef(&buf).is_err(), "mutation at {} verified", at);
    }
}

/// Lines close to CEF: a prefix, a marker (sometimes broken), header
/// fields and pairs drawn from text that holds separators, escapes, line
/// breaks, ` sig=` pieces and non-ASCII.
fn cef_like_line() -> impl Strategy<Value = Vec<u8>> {
    let text = "[a-z |=\\\\\\n\\rsigCEF:0é]{0,12}";
    (
        text,
        prop_oneof!["CEF:0\\|", "CEF:1\\|", "CEF:\\|", "CEF:x\\|", ""],
        proptest::collection::vec(text, 0..9),
        any::<bool>(),
    )
        .prop_map(|(prefix, marker, fields, invalid_utf8)| {
            let mut line = format!("{prefix} {marker}{}", fields.join("|")).into_bytes();
            if invalid_utf8 {
                line.push(0xff);
            }
            line
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The signer's contract: what it signs verifies, and what it refuses
    /// would not verify if signed anyway.
    #[test]
    fn sign_cef_refuses_exactly_what_would_not_verify(line in cef_like_line()) {
        use base64::Engine;
        let signer = Signer::from_seed(&[5; 32]);
        let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
        let mut buf = line.clone();
        match signer.sign_cef(&mut buf, 0) {
            Ok(()) => {
                let verified = verifier.verify_cef(&buf);
                prop_assert!(verified.is_ok(), "signed but not verified: {:?}", verified.err());
            }
            Err(refused) => {
                prop_assert_eq!(&buf, &line, "a refused line is left as it was");
                let mut forced = line.clone();
                forced.extend_from_slice(b" sig=");
                forced.extend_from_slice(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signer.sign(&line)).as_bytes());
                prop_assert!(verifier.verify_cef(&forced).is_err(), "refused ({refused}) but would verify");
            }
        }
    }
}
