//! Arbitrary bytes -> lenient parse -> Event -> render -> parse -> Event.
//!
//! Whatever the lenient parser turns into an `Event` must render to a line
//! that parses back to the same event, and rendering that event again gives
//! the same bytes (rendering is canonical, cef.md section 3).
#![no_main]

use audit_cef::Parser;
use libfuzzer_sys::fuzz_target;

static LENIENT: Parser = Parser::new();

fuzz_target!(|input: &[u8]| {
    let Ok(line) = LENIENT.parse(input) else { return };
    let Ok(event) = line.to_event() else { return };

    let first = event.to_vec();
    let line2 = match LENIENT.parse(&first) {
        Ok(line) => line,
        Err(err) => panic!(
            "rendered event does not parse: {err:?}\nevent: {event:?}\nrendered: {:?}",
            String::from_utf8_lossy(&first)
        ),
    };
    let event2 = match line2.to_event() {
        Ok(event) => event,
        Err(err) => panic!("re-parsed line does not convert: {err:?}\nrendered: {:?}", String::from_utf8_lossy(&first)),
    };
    assert_eq!(event2, event, "parse(render(e)) != e\nrendered: {:?}", String::from_utf8_lossy(&first));
    let second = event2.to_vec();
    assert_eq!(String::from_utf8_lossy(&second), String::from_utf8_lossy(&first), "render is not canonical");
});
