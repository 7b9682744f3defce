//! Arbitrary bytes against a fixed key set: verification never panics and
//! never succeeds on anything but the entries the key really signed.
#![no_main]

use std::sync::LazyLock;

use audit_cef::{AuditEvent, Format, KeySet, Signer, Verifier};
use libfuzzer_sys::fuzz_target;

struct Fixture {
    verifier: Verifier,
    /// Genuine entries, in every format.
    genuine: Vec<Vec<u8>>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let signer = Signer::from_seed(&[0x5a; 32]);
    let other = Signer::from_seed(&[0xa5; 32]);
    let mut genuine = Vec::new();
    for format in [Format::Cef, Format::Json, Format::Cps] {
        let mut buf = Vec::new();
        if AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes()).expect("documented entry").sign_into(format, &signer, &mut buf).is_ok() {
            genuine.push(buf);
        }
    }
    let mut plain = b"CEF:0|v|p|1|id|n|5|msg=a\\=b".to_vec();
    if signer.sign_cef(&mut plain, 0).is_ok() {
        genuine.push(plain);
    }
    let verifier = Verifier::new(KeySet::from_keys([other.public_key(), signer.public_key()]));
    Fixture { verifier, genuine }
});

/// The entry without one trailing line ending, as verification reads it.
fn trimmed(entry: &[u8]) -> &[u8] {
    let entry = entry.strip_suffix(b"\n").unwrap_or(entry);
    entry.strip_suffix(b"\r").unwrap_or(entry)
}

fuzz_target!(|input: &[u8]| {
    let fixture = &*FIXTURE;
    let genuine = |ok: bool| {
        if ok {
            assert!(
                fixture.genuine.iter().any(|g| g.as_slice() == trimmed(input)),
                "forged entry verified: {:?}",
                String::from_utf8_lossy(input)
            );
        }
    };
    let verifier = &fixture.verifier;
    let single = verifier.verify_cef(input);
    genuine(single.is_ok());
    genuine(verifier.verify_json(input).is_ok());
    genuine(verifier.verify_cps(input).is_ok());
    genuine(verifier.verify_audit(input).is_ok());
    if let Err(err) = &single {
        assert!(err.offset().is_none_or(|at| at <= input.len()));
    }

    // In a batch with genuine entries, the input gets the single result and
    // the genuine ones still verify.
    let mut batch: Vec<&[u8]> = fixture.genuine.iter().filter(|g| !g.starts_with(b"{")).map(Vec::as_slice).collect();
    batch.insert(1, input);
    let results = verifier.verify_cef_batch(&batch);
    for (entry, result) in batch.iter().zip(&results) {
        if *entry == input {
            assert_eq!(result.is_ok(), single.is_ok(), "batch and single disagree");
            genuine(result.is_ok());
        } else {
            assert!(result.is_ok(), "a genuine entry failed in a batch");
        }
    }
});
