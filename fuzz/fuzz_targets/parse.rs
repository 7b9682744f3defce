//! Arbitrary bytes through the lenient and the strict parser.
//!
//! Decoding must never panic and never read past its input (cef.md section 3).
//! On top of that:
//! - every error's offset lies within the input (`<= len`);
//! - whatever strict accepts, lenient accepts with the same header fields
//!   and the same pairs (strict only ever removes leniency);
//! - for an accepted line, the pairs iterate to the end, `value()` works,
//!   each pair's offset points at its key inside the input and its raw value
//!   follows the `=`, and the pairs joined by single spaces are exactly the
//!   raw extension (no byte of the extension is dropped silently, P14);
//! - no header field of an accepted line holds a CR or LF (E2);
//! - a strictly accepted line converts to an `Event`.
#![no_main]

use audit_cef::{Error, Line, Parser};
use libfuzzer_sys::fuzz_target;

static LENIENT: Parser = Parser::new();
static STRICT: Parser = Parser::new().strict(true);

fn check_error(err: &Error, input: &[u8], mode: &str) {
    assert!(
        err.offset().is_none_or(|at| at <= input.len()),
        "{mode} error offset {:?} past input length {} ({err:?})",
        err.offset(),
        input.len()
    );
}

fn check_line(line: &Line<'_>, input: &[u8], mode: &str) {
    // E2: no header field (nor the prefix) of an accepted line holds a CR or
    // LF; an Event built from it could not be built with Event::new and
    // would render a forged line break.
    for (field, text) in [
        ("prefix", line.prefix().unwrap_or_default()),
        ("vendor", line.vendor()),
        ("product", line.product()),
        ("device_version", line.device_version()),
        ("event_class_id", line.event_class_id()),
        ("name", line.name()),
    ] {
        assert!(!text.contains(['\r', '\n']), "{mode}: line break in accepted header field {field}: {text:?}");
    }
    let mut joined = String::new();
    let mut count = 0usize;
    for pair in line.pairs() {
        count += 1;
        assert!(count <= input.len(), "{mode}: more pairs than input bytes");
        let key = pair.key();
        let raw = pair.raw_value();
        assert!(!key.is_empty(), "{mode}: empty key");
        assert!(audit_cef::Key::new(key).is_ok(), "{mode}: key {key:?} outside the E4 grammar");
        let start = pair.offset();
        let end = start + key.len() + 1 + raw.len();
        assert!(end <= input.len(), "{mode}: pair {key:?} at {start}..{end} past input length {}", input.len());
        assert_eq!(&input[start..start + key.len()], key.as_bytes(), "{mode}: offset {start} does not point at key");
        assert_eq!(input[start + key.len()], b'=', "{mode}: no `=` after key {key:?}");
        assert_eq!(&input[start + key.len() + 1..end], raw.as_bytes(), "{mode}: raw value not at its offset");
        let value = pair.value();
        // Unescaping only ever shortens.
        assert!(value.len() <= raw.len(), "{mode}: value longer than raw value");
        if count > 1 {
            joined.push(' ');
        }
        joined.push_str(key);
        joined.push('=');
        joined.push_str(raw);
    }
    assert_eq!(joined, line.raw_extension(), "{mode}: pairs do not cover the raw extension");
    // `get` gives the last pair with a key (P12).
    if let Some(last) = line.pairs().last() {
        assert_eq!(line.get(last.key()), Some(last.value()), "{mode}: get() is not the last pair");
    }
    if let Some(prefix) = line.prefix() {
        assert!(prefix.len() <= input.len(), "{mode}: prefix longer than input");
        assert!(input.starts_with(prefix.as_bytes()), "{mode}: prefix is not verbatim");
    }
}

fn pairs_of(line: &Line<'_>) -> Vec<(String, String, String, usize)> {
    line.pairs().map(|p| (p.key().to_owned(), p.raw_value().to_owned(), p.value().into_owned(), p.offset())).collect()
}

fuzz_target!(|input: &[u8]| {
    let lenient = LENIENT.parse(input);
    let strict = STRICT.parse(input);

    match &lenient {
        Ok(line) => check_line(line, input, "lenient"),
        Err(err) => check_error(err, input, "lenient"),
    }
    match &strict {
        Ok(line) => check_line(line, input, "strict"),
        Err(err) => check_error(err, input, "strict"),
    }

    if let Ok(strict_line) = &strict {
        let lenient_line = match &lenient {
            Ok(line) => line,
            Err(err) => panic!("strict accepted what lenient rejected: {err:?}"),
        };
        assert_eq!(strict_line.prefix(), lenient_line.prefix());
        assert_eq!(strict_line.version(), lenient_line.version());
        assert_eq!(strict_line.vendor(), lenient_line.vendor());
        assert_eq!(strict_line.product(), lenient_line.product());
        assert_eq!(strict_line.device_version(), lenient_line.device_version());
        assert_eq!(strict_line.event_class_id(), lenient_line.event_class_id());
        assert_eq!(strict_line.name(), lenient_line.name());
        assert_eq!(strict_line.severity(), lenient_line.severity());
        assert_eq!(strict_line.severity_str(), lenient_line.severity_str());
        assert_eq!(strict_line.unparsed(), lenient_line.unparsed());
        assert_eq!(strict_line.raw_extension(), lenient_line.raw_extension());
        assert_eq!(pairs_of(strict_line), pairs_of(lenient_line));
        assert_eq!(strict_line, lenient_line);
        // Strict lines are version 0 or 1 with no unparsed text: always an Event.
        if let Err(err) = strict_line.to_event() {
            panic!("strictly accepted line does not convert to an Event: {err:?}");
        }
    }
});
