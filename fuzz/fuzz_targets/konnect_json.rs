//! Arbitrary bytes decoded as a Konnect JSON and CPS entry: never panics,
//! errors point inside the input, and whatever decodes renders to JSON that
//! decodes to the same event and renders to the same bytes.
#![no_main]

use audit_cef::AuditEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    for decoded in [AuditEvent::from_json(input), AuditEvent::from_cps(input)] {
        let event = match decoded {
            Ok(event) => event,
            Err(err) => {
                assert!(err.offset().is_none_or(|at| at <= input.len()), "offset past the input: {err:?}");
                continue;
            }
        };
        let json = event.to_json_string();
        let again = AuditEvent::from_json(json.as_bytes()).unwrap_or_else(|e| panic!("rendered JSON does not decode: {e}: {json}"));
        assert_eq!(again, event, "JSON round trip changed the event: {json}");
        assert_eq!(again.to_json_string(), json, "JSON is not canonical");
    }
});
