//! Property tests: round trips both ways, the fast escaper against a naive
//! oracle, and a parser that never panics.

use audit_cef::Parser;
use proptest::prelude::*;

mod oracle;
mod strategies;

/// Text with every character that matters to CEF, plus multi-byte UTF-8.
const HOSTILE: &str = "[a-zA-Z0-9 =\\\\|\\n\\r\\t,._\\-\\[\\]\"'é€😀]{0,16}";
/// Header text: anything but CR and LF (E2).
const HEADER: &str = "[a-zA-Z0-9 =\\\\|\\t,._\\-é😀]{0,12}";
/// Prefixes, with the characters of a CEF marker.
const PREFIX: &str = "[a-zA-Z0-9 :<>.\\-CEF|]{0,24}";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn render_then_parse_gives_back_the_event(event in strategies::event(PREFIX, HEADER, HOSTILE)) {
        let text = event.to_vec();
        for parser in [Parser::new(), Parser::new().strict(true)] {
            let line = parser.parse(&text).map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&text))))?;
            prop_assert_eq!(&line.to_event().map_err(|e| TestCaseError::fail(e.to_string()))?, &event);
        }
    }

    #[test]
    fn parse_then_render_gives_back_any_canonical_line(event in strategies::event(PREFIX, HEADER, HOSTILE)) {
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
