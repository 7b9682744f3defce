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
