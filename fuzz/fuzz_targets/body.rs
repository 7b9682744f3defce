//! Arbitrary bytes read as a received batch body, plain or gzip, under
//! small limits: never panics, never returns more than the limits allow,
//! and what it returns is entries without LF; those that are text without
//! CR encode and decode back to themselves.
#![no_main]

use audit_cef::webhook::{BodyLimits, decode_body, encode_body};
use libfuzzer_sys::fuzz_target;

const LIMITS: BodyLimits = BodyLimits::new().max_compressed(1 << 16).max_decompressed(1 << 16).max_entries(64).max_entry_len(512);

fuzz_target!(|body: &[u8]| {
    let Ok(entries) = decode_body(body, LIMITS) else { return };
    assert!(entries.len() <= 64);
    for entry in &entries {
        assert!(!entry.is_empty() && entry.len() <= 512);
        // One line ending (LF or CRLF) is taken off; any other CR stays in
        // the entry, where verification refuses it.
        assert!(!entry.contains(&b'\n'));
    }
    // Entries are text: those that are UTF-8 without a CR round-trip. (A
    // plain body starting with gzip's magic bytes is read as gzip; no UTF-8
    // text starts with them.)
    let no_cr: Vec<&[u8]> =
        entries.iter().map(Vec::as_slice).filter(|e| !e.contains(&b'\r') && std::str::from_utf8(e).is_ok()).collect();
    for gzip in [false, true] {
        let mut again = Vec::new();
        encode_body(no_cr.iter().copied(), gzip, &mut again).expect("entries without line breaks encode");
        assert_eq!(decode_body(&again, BodyLimits::new()).expect("own body decodes"), no_cr);
    }
});
