//! Inputs found by the fuzz targets in `fuzz/` that exposed library bugs.
//!
//! Each test names its target and holds the minimized input. A test for an
//! open bug is marked `#[ignore = "fuzz crash, fix pending"]`; the fix
//! removes the mark.

use audit_cef::{ErrorKind, Event, HeaderField, Parser, Severity};

/// fuzz target `reparse`, minimized artifact (17 bytes):
/// `CEF:1||\<LF>||||5|i=`
///
/// The lenient parser let a backslash "escape" a raw LF inside a header
/// field: `header_field_end` skipped the byte after every `\` and only
/// checked for CR over the whole field, so the LF passed; P2 then kept the
/// undefined `\<LF>` literally. The line parsed with Device Product
/// `"\\\n"`, and `Line::to_event` yielded an Event that `Event::new` would
/// refuse (E2). Rendering it wrote a raw line break into the header
/// (`CEF:1||\\<LF>||||5|i=`), which no longer parsed
/// (`LineBreakInHeader(Product)`): decode -> encode -> decode failed, and a
/// signed rendering would have carried a forged line break. Fixed in
/// 552b491 (the whole field is checked for CR and LF once its end is known).
///
/// Expected (E2, and the doc of `header_field_end`: "a raw CR or LF is an
/// error"): `LineBreakInHeader(Product)` at the LF's offset, 8, also when a
/// backslash precedes it.
#[test]
fn reparse_backslash_lf_in_header_field() {
    let input = b"CEF:1||\\\n||||5|i=";

    let err = Parser::new().parse(input).map(|line| line.product().to_owned());
    let err = err.expect_err("a raw LF in a header field must be rejected (E2)");
    assert_eq!(err.kind(), ErrorKind::LineBreakInHeader(HeaderField::Product));
    assert_eq!(err.offset(), Some(8));
    assert!(Parser::new().strict(true).parse(input).is_err());

    // The same field cannot be built: the parser must not create it either.
    let built = Event::new("", "\\\n", "", "", "", Severity::from_level(5).unwrap());
    assert_eq!(built.unwrap_err().kind(), ErrorKind::LineBreakInHeader(HeaderField::Product));
}

/// The round-trip property the `reparse` target checks, on the same input
/// and on the unminimized crash (Device Product `c\<LF>\:1\|`): whatever
/// the lenient parser turns into an Event renders to a line that parses
/// back to that Event.
#[test]
fn reparse_round_trips_lines_with_backslash_lf_in_header() {
    for input in [&b"CEF:1||\\\n||||5|i="[..], &b"CEF:1|h\\|b|c\\\n\\:1\\|||ab\\c\\a\\|b|c\\\\d|5|imG==CEF10:"[..]] {
        let Ok(line) = Parser::new().parse(input) else { continue };
        let Ok(event) = line.to_event() else { continue };
        let rendered = event.to_vec();
        let again = Parser::new().parse(&rendered).and_then(|line| line.to_event().map(Event::into_owned));
        assert_eq!(again.as_ref(), Ok(&event), "rendered: {:?}", String::from_utf8_lossy(&rendered));
    }
}
