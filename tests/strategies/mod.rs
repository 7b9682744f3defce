//! proptest strategies shared by the property tests.

use audit_cef::{Event, Severity, Version};
use proptest::prelude::*;

/// Extension keys (E4).
pub const KEY: &str = "[A-Za-z0-9_][A-Za-z0-9_.,\\-\\[\\]]{0,8}";

/// Every severity: the levels 0-10 and the five names.
pub fn severity() -> impl Strategy<Value = Severity> {
    prop_oneof![
        (0u8..=10).prop_filter_map("0-10", Severity::checked),
        Just(Severity::UNKNOWN),
        Just(Severity::LOW),
        Just(Severity::MEDIUM),
        Just(Severity::HIGH),
        Just(Severity::VERY_HIGH),
    ]
}

/// Any valid event except E9's case (a final value ending in spaces or
/// TABs), its prefix, header fields and values drawn from the given
/// regex alphabets.
pub fn event(prefix: &'static str, header: &'static str, value: &'static str) -> impl Strategy<Value = Event<'static>> {
    (
        proptest::option::of(prefix),
        any::<bool>(),
        [header, header, header, header, header],
        severity(),
        proptest::collection::vec((KEY, value), 0..8),
    )
        .prop_filter_map("invalid or E9", |(prefix, v1, [vendor, product, dv, id, name], severity, pairs)| {
            if pairs.last().is_some_and(|(_, value)| value.ends_with([' ', '\t'])) {
                return None;
            }
            let mut event = Event::new(vendor, product, dv, id, name, severity).ok()?;
            if v1 {
                event = event.with_version(Version::One);
            }
            if let Some(prefix) = prefix {
                event = event.with_prefix(prefix).ok()?;
            }
            for (key, value) in pairs {
                event.push(key, value).ok()?;
            }
            Some(event)
        })
}
