//! Property tests: round trips both ways, the fast escaper against a naive
//! oracle, and a parser that never panics.

use audit_cef::{Event, Parser, Severity, Version};
use proptest::prelude::*;

mod oracle;

/// Text with every character that matters to CEF, plus multi-byte UTF-8.
const HOSTILE: &str = "[a-zA-Z0-9 =\\\\|\\n\\r\\t,._\\-\\[\\]\"'é€😀]{0,16}";
/// Header text: anything but CR and LF (E2).
const HEADER: &str = "[a-zA-Z0-9 =\\\\|\\t,._\\-é😀]{0,12}";
const KEY: &str = "[A-Za-z0-9_][A-Za-z0-9_.,\\-\\[\\]]{0,8}";

fn severity() -> impl Strategy<Value = Severity> {
    (0u8..16).prop_map(|i| match i {
        11 => Severity::UNKNOWN,
        12 => Severity::LOW,
        13 => Severity::MEDIUM,
        14 => Severity::HIGH,
        15 => Severity::VERY_HIGH,
        level => Severity::from_level(level).unwrap_or(Severity::UNKNOWN),
    })
}

/// Any valid event except E9's case (a final value ending in spaces or TABs).
fn event() -> impl Strategy<Value = Event<'static>> {
    (
        proptest::option::of("[a-zA-Z0-9 :<>.\\-CEF|]{0,24}"),
        any::<bool>(),
        [HEADER, HEADER, HEADER, HEADER, HEADER],
        severity(),
        proptest::collection::vec((KEY, HOSTILE), 0..8),
    )
        .prop_filter_map("invalid or E9", |(prefix, v1, [vendor, product, dv, id, name], severity, pairs)| {
            if pairs.last().is_some_and(|(_, v)| v.ends_with([' ', '\t'])) {
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn render_then_parse_gives_back_the_event(event in event()) {
        let text = event.to_vec();
        for parser in [Parser::new(), Parser::new().strict(true)] {
            let line = parser.parse(&text).map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&text))))?;
            prop_assert_eq!(&line.to_event().map_err(|e| TestCaseError::fail(e.to_string()))?, &event);
        }
    }

    #[test]
    fn parse_then_render_gives_back_any_canonical_line(event in event()) {
        let canonical = event.to_string();
        let line = Parser::new().strict(true).parse_str(&canonical).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let again = line.to_event().map_err(|e| TestCaseError::fail(e.to_string()))?.to_string();
        prop_assert_eq!(again, canonical);
    }

    #[test]
    fn fast_escapers_equal_the_naive_reference(text in "\\PC{0,64}|[\\\\=|\\n\\r a]{0,64}") {
        prop_assert_eq!(audit_cef::escape_value(&text), oracle::escape_value_reference(&text));
        prop_assert_eq!(audit_cef::escape_header(&text), oracle::escape_header_reference(&text));
    }

    #[test]
    fn parse_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        for parser in [Parser::new(), Parser::new().strict(true)] {
            match parser.parse(&bytes) {
                Ok(line) => {
                    for pair in line.pairs() {
                        prop_assert!(pair.offset() < bytes.len());
                        let _ = pair.value();
                    }
                }
                Err(err) => prop_assert!(err.offset().is_none_or(|at| at <= bytes.len())),
            }
        }
    }

    #[test]
    fn parse_never_panics_on_cef_shaped_noise(tail in "[a-z0-9 =\\\\|\\r\\n\\t]{0,80}", version in "[0-9]{1,3}") {
        let text = format!("CEF:{version}|{tail}");
        for parser in [Parser::new(), Parser::new().strict(true)] {
            if let Ok(line) = parser.parse_str(&text) {
                // Whatever strict accepts, lenient reads the same way.
                let lenient = Parser::new().parse_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(line.pairs().count(), lenient.pairs().count());
            }
        }
    }
}
