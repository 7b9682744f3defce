//! Arbitrary bytes decoded as a Konnect entry: never panics, and whatever
//! decodes converts CEF -> JSON -> CEF unchanged and re-renders canonically.
#![no_main]

use audit_cef::{AuditEvent, KONNECT_HOST, PrefixStyle};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Ok(event) = AuditEvent::from_entry(input) else { return };
    let cef = event.to_cef_string();
    let again = AuditEvent::from_cef(cef.as_bytes()).unwrap_or_else(|e| panic!("rendered CEF does not decode: {e}: {cef:?}"));
    // E9: trailing spaces of the final value do not survive CEF.
    if cef.ends_with([' ', '\t']) {
        return;
    }
    assert_eq!(again, event, "CEF round trip changed the event: {cef:?}");

    // JSON keeps every field of the event; it has no pair order, host or
    // prefix form of its own, and its extra pairs come back in key order.
    let json = event.to_json_string();
    let from_json = AuditEvent::from_json(json.as_bytes()).unwrap_or_else(|e| panic!("rendered JSON does not decode: {e}: {json}"));
    assert_eq!(from_json.host(), KONNECT_HOST);
    assert_eq!(from_json.prefix_style(), PrefixStyle::Rfc3339);
    assert_eq!(
        (from_json.product(), from_json.time(), from_json.rt(), from_json.src(), from_json.org_id()),
        (event.product(), event.time(), event.rt(), event.src(), event.org_id()),
        "{json}"
    );
    assert_eq!(
        (from_json.principal_id(), from_json.trace_id(), from_json.user_agent(), from_json.principal_name()),
        (event.principal_id(), event.trace_id(), event.user_agent(), event.principal_name()),
        "{json}"
    );
    assert_eq!(
        (from_json.kong_initiated(), from_json.actor_id(), from_json.portal_id(), from_json.severity()),
        (event.kong_initiated(), event.actor_id(), event.portal_id(), event.severity()),
        "{json}"
    );
    assert_eq!(from_json.family(), event.family(), "{json}");
    let mut extra: Vec<_> = event.extra().to_vec();
    extra.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    assert_eq!(from_json.extra(), extra.as_slice(), "{json}");
    assert_eq!(from_json.to_json_string(), json, "JSON is not canonical");
});
