//! Arbitrary text parsed as a syslog/Konnect prefix: never panics, every
//! error offset is inside the input, and what parses renders back to text
//! that parses to the same prefix.
#![no_main]

use audit_cef::Prefix;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let prefix = match Prefix::parse(text) {
        Ok(prefix) => prefix,
        Err(err) => {
            assert!(err.offset().is_none_or(|at| at <= text.len()), "offset past the input: {err:?}");
            return;
        }
    };
    // A prefix the form cannot carry (a year past 9999 from RFC 5424) is an error, not a panic.
    let Ok(rendered) = prefix.render_to_string() else { return };
    let again = Prefix::parse(&rendered).unwrap_or_else(|e| panic!("rendered prefix does not parse: {e}: {rendered:?}"));
    assert_eq!(again, prefix, "{text:?} -> {rendered:?}");
});
