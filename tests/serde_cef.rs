//! serde for the generic CEF types: `Line` to the JSON shape of `cef parse`,
//! that shape back to an `Event`, exact bytes both ways and round trips.

use std::borrow::Cow;
use std::collections::HashSet;

use audit_cef::{Event, PairsForm, Parser, Severity, Version};
use proptest::prelude::*;

mod strategies;

const SAMPLE_CEF: &str = include_str!("data/sample.cef");

fn json(line: &str) -> String {
    let parsed = Parser::new().parse_str(line).unwrap();
    serde_json::to_string(&parsed).unwrap()
}

fn pairs_json(line: &str) -> String {
    let parsed = Parser::new().parse_str(line).unwrap();
    serde_json::to_string(&PairsForm(&parsed)).unwrap()
}

fn render(json: &str) -> Result<String, String> {
    serde_json::from_str::<Event>(json).map(|event| event.to_string()).map_err(|err| err.to_string())
}

/// The message alone, without serde_json's ` at line 1 column N`.
fn error(json: &str) -> String {
    let err = serde_json::from_str::<Event>(json).unwrap_err();
    assert!(err.is_data(), "{err}");
    let message = err.to_string();
    let tail = format!(" at line {} column {}", err.line(), err.column());
    message.strip_suffix(&tail).unwrap_or(&message).to_string()
}

const HEAD: &str = r#""vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n""#;

#[test]
fn line_serializes_to_the_documented_shape() {
    assert_eq!(
        json(
            "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 action=list"
        ),
        r#"{"prefix":"2025-06-18T21:02:36Z konghq.com","version":"0","vendor":"KongInc","product":"Konnect","device_version":"1.0","event_class_id":"konnect","name":"Authz.control-planes","severity":"1","extensions":{"rt":"1750280466889","action":"list"}}"#
    );
    // No prefix, no extension.
    assert_eq!(
        json("CEF:0|v|p|1|id|n|Low|"),
        r#"{"version":"0","vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n","severity":"Low","extensions":{}}"#
    );
    assert_eq!(
        pairs_json("CEF:0|v|p|1|id|n|Low|"),
        r#"{"version":"0","vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n","severity":"Low","extensions":[]}"#
    );
}

#[test]
fn line_serializes_unescaped_text_with_json_escapes() {
    let line = "p\"x CEF:1|Acme\\|Corp|Fire\\\\wall|2.1|id|a = b\t|Very-High|msg=a\\=b\\nc path=C:\\\\temp pipe=x|y crlf=1\\r\\n2 q=\"é😀\"";
    assert_eq!(
        json(line),
        r#"{"prefix":"p\"x","version":"1","vendor":"Acme|Corp","product":"Fire\\wall","device_version":"2.1","event_class_id":"id","name":"a = b\t","severity":"Very-High","extensions":{"msg":"a=b\nc","path":"C:\\temp","pipe":"x|y","crlf":"1\r\n2","q":"\"é😀\""}}"#
    );
}

#[test]
fn duplicates_keep_first_position_and_last_value_or_every_pair() {
    let line = "CEF:0|v|p|1|id|n|5|src=1 act=allow src=2 b=\\= src=3";
    assert!(json(line).ends_with(r#""extensions":{"src":"3","act":"allow","b":"="}}"#), "{}", json(line));
    assert!(
        pairs_json(line).ends_with(r#""extensions":[["src","1"],["act","allow"],["src","2"],["b","="],["src","3"]]}"#),
        "{}",
        pairs_json(line)
    );
}

#[test]
fn unparsed_text_and_lenient_fields_are_kept_as_written() {
    let line = "CEF:26|v|p|1|id|n|very-high|junk k=v";
    assert_eq!(
        json(line),
        r#"{"version":"26","vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n","severity":"very-high","unparsed":"junk","extensions":{"k":"v"}}"#
    );
    assert!(pairs_json(line).ends_with(r#""unparsed":"junk","extensions":[["k","v"]]}"#));
}

#[test]
fn json_renders_in_both_forms_with_defaults() {
    assert_eq!(render(&format!("{{{HEAD},\"severity\":5}}")), Ok("CEF:0|v|p|1|id|n|5|".into()));
    assert_eq!(
        render(&format!(
            "{{{HEAD},\"severity\":\"High\",\"version\":1,\"prefix\":\"<134>Jun 18 21:02:36 host\",\"extensions\":[[\"a\",\"1\"],[\"a\",\"x=y\\n\"]]}}"
        )),
        Ok("<134>Jun 18 21:02:36 host CEF:1|v|p|1|id|n|High|a=1 a=x\\=y\\n".into())
    );
    // Object form: written order; a repeated key at its first position with its last value.
    assert_eq!(
        render(&format!("{{\"extensions\":{{\"b\":\"1\",\"a\":\"|\",\"b\":\"2\"}},{HEAD},\"severity\":\"Unknown\"}}")),
        Ok("CEF:0|v|p|1|id|n|Unknown|b=2 a=|".into())
    );
    // Header escapes, `null` for optional members, version and severity spellings.
    assert_eq!(
        render(
            r#"{"vendor":"a|b","product":"c\\d","device_version":"","event_class_id":"x=y","name":"n","severity":"10","version":"1","prefix":null,"extensions":null}"#
        ),
        Ok(r"CEF:1|a\|b|c\\d||x=y|n|10|".into())
    );
    assert_eq!(render(&format!("{{{HEAD},\"severity\":0,\"version\":0}}")), Ok("CEF:0|v|p|1|id|n|0|".into()));
    assert_eq!(render(&format!("{{{HEAD},\"severity\":10,\"version\":\"0\"}}")), Ok("CEF:0|v|p|1|id|n|10|".into()));
}

#[test]
fn borrowed_deserialization_borrows_clean_strings_only() {
    let json = r#"{"vendor":"v","product":"a\\b","device_version":"1","event_class_id":"id","name":"n","severity":1,"extensions":{"k":"x","e":"\n"}}"#;
    let mut input = serde_json::Deserializer::from_str(json);
    let event = Event::deserialize_borrowed(&mut input).unwrap();
    input.end().unwrap();
    let value = |at: usize| event.extensions().get(at).map(|(_, value)| value.clone());
    assert!(matches!(value(0), Some(Cow::Borrowed("x"))));
    assert!(matches!(value(1), Some(Cow::Owned(text)) if text == "\n"));
    assert_eq!(event.product(), "a\\b");
    assert_eq!(event.severity(), Severity::from_level(1).unwrap());
    assert_eq!(event.version(), Version::Zero);

    // The owned impl works where no input outlives the call.
    let owned: Event<'static> = serde_json::from_reader(json.as_bytes()).unwrap();
    assert_eq!(owned, event);
}

#[test]
fn bad_inputs_name_the_problem() {
    let cases: &[(String, &str)] = &[
        ("[1]".into(), "expected a JSON object, found an array"),
        ("\"CEF:0|v|p|1|id|n|5|\"".into(), "expected a JSON object, found a string"),
        ("{}".into(), "missing member `vendor`"),
        (format!("{{{HEAD}}}"), "missing member `severity`"),
        (format!("{{{HEAD},\"severity\":null}}"), "member `severity` must be a string or an integer, found null"),
        (format!("{{{HEAD},\"severity\":true}}"), "member `severity` must be a string or an integer, found a boolean"),
        (
            format!("{{{HEAD},\"severity\":11}}"),
            "member `severity`: severity must be 0-10, Unknown, Low, Medium, High or Very-High (exact spelling)",
        ),
        (
            format!("{{{HEAD},\"severity\":-1}}"),
            "member `severity`: severity must be 0-10, Unknown, Low, Medium, High or Very-High (exact spelling)",
        ),
        (
            format!("{{{HEAD},\"severity\":5.0}}"),
            "member `severity`: severity must be 0-10, Unknown, Low, Medium, High or Very-High (exact spelling)",
        ),
        (
            format!("{{{HEAD},\"severity\":\"very-high\"}}"),
            "member `severity`: severity must be 0-10, Unknown, Low, Medium, High or Very-High (exact spelling)",
        ),
        (format!("{{{HEAD},\"severity\":1,\"version\":2}}"), "member `version` must be \"0\", \"1\", 0 or 1"),
        (format!("{{{HEAD},\"severity\":1,\"version\":\"26\"}}"), "member `version` must be \"0\", \"1\", 0 or 1"),
        (format!("{{{HEAD},\"severity\":1,\"version\":true}}"), "member `version` must be \"0\", \"1\", 0 or 1"),
        (
            r#"{"vendor":1,"product":"p","device_version":"1","event_class_id":"id","name":"n","severity":1}"#.into(),
            "member `vendor` must be a string, found a number",
        ),
        (
            r#"{"vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":{"a":[1]},"severity":1}"#
                .into(),
            "member `name` must be a string, found an object",
        ),
        (format!("{{{HEAD},\"severity\":5,\"name\":\"a\\nb\"}}"), "line break in header field name at byte 1"),
        (format!("{{{HEAD},\"severity\":5,\"prefix\":7}}"), "member `prefix` must be a string, found a number"),
        (
            format!("{{{HEAD},\"severity\":5,\"prefix\":\"a\\rb\"}}"),
            "member `prefix`: line break in header field prefix at byte 1",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"prefix\":\"x CEF:0|\"}}"),
            "member `prefix`: prefix contains a `CEF:<version>|` marker at byte 2",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"unparsed\":\"junk\"}}"),
            "member `unparsed` cannot be rendered: CEF has no place for text before the first extension key \
             (remove the member to drop that text)",
        ),
        (format!("{{{HEAD},\"severity\":5,\"color\":\"red\",\"size\":1}}"), "unknown member \"color\""),
        // Unknown members are found before any value is judged.
        (format!("{{\"severity\":11,\"x\":[{{}}],{HEAD}}}"), "unknown member \"x\""),
        ("{\"kind\":\"empty\"}".into(), "unknown member \"kind\""),
        (
            r#"{"error":"fewer than 7 header fields at byte 15","kind":"too_few_header_fields","offset":15}"#.into(),
            "this is a `cef parse` error object (kind `too_few_header_fields`), not an event",
        ),
        (r#"{"kind":null,"error":"x"}"#.into(), "this is a `cef parse` error object (kind `?`), not an event"),
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":\"a=1\"}}"),
            "member `extensions` must be an object or an array of [key, value] pairs, found a string",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":{{\"a b\":\"1\"}}}}"),
            "extension key \"a b\": invalid extension key at byte 1",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":{{\"a\":1}}}}"),
            "extension \"a\": value must be a string, found a number",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":[[\"ok\",\"1\"],[\"bad key\",\"1\"]]}}"),
            "extensions[1]: key \"bad key\": invalid extension key at byte 3",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":[[\"a\",\"1\"],{{\"b\":\"2\"}}]}}"),
            "extensions[1] must be a [key, value] array of two strings, found an object",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":[[\"a\",\"1\",\"2\"]]}}"),
            "extensions[0] must be a [key, value] array of two strings, found an array of 3 elements",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":[[\"a\"]]}}"),
            "extensions[0] must be a [key, value] array of two strings, found an array of 1 element",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":[[]]}}"),
            "extensions[0] must be a [key, value] array of two strings, found an array of 0 elements",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":[[\"a\",null]]}}"),
            "extensions[0] must be a [key, value] array of two strings, found an array whose value is null",
        ),
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":[[1,\"a\"]]}}"),
            "extensions[0] must be a [key, value] array of two strings, found an array whose key is a number",
        ),
        // A bad key before a malformed element is reported first, as pairs are pushed in order.
        (
            format!("{{{HEAD},\"severity\":5,\"extensions\":[[\"-\",\"1\"],7]}}"),
            "extensions[0]: key \"-\": invalid extension key at byte 0",
        ),
    ];
    for (json, message) in cases {
        assert_eq!(error(json), *message, "{json}");
    }
    // Syntax errors stay serde_json's own.
    let err = serde_json::from_str::<Event>("{\"vendor\":").unwrap_err();
    assert!(err.is_eof(), "{err}");
    assert!(serde_json::from_str::<Event>(&format!("{{{HEAD},\"severity\":1}} x")).unwrap_err().is_syntax());
}

#[test]
fn a_repeated_member_counts_with_its_last_value() {
    assert_eq!(render(&format!("{{{HEAD},\"severity\":11,\"severity\":2}}")), Ok("CEF:0|v|p|1|id|n|2|".into()));
    assert_eq!(
        render(&format!("{{{HEAD},\"severity\":2,\"extensions\":7,\"extensions\":{{\"a\":\"1\"}}}}")),
        Ok("CEF:0|v|p|1|id|n|2|a=1".into())
    );
    // Also inside the object form.
    assert_eq!(
        render(&format!("{{{HEAD},\"severity\":2,\"extensions\":{{\"a\":1,\"a\":\"ok\"}}}}")),
        Ok("CEF:0|v|p|1|id|n|2|a=ok".into())
    );
}

/// A line `encode` could have written: parsing and rendering it gives the same bytes.
fn canonical(line: &str) -> bool {
    Parser::new().parse_str(line).and_then(|parsed| parsed.to_event()).is_ok_and(|event| event.to_string() == line)
}

#[test]
fn sample_lines_round_trip_through_json() {
    let mut checked = 0;
    for line in SAMPLE_CEF.lines().filter(|line| canonical(line)) {
        let parsed = Parser::new().parse_str(line).unwrap();
        let via_pairs = serde_json::to_string(&PairsForm(&parsed)).unwrap();
        assert_eq!(render(&via_pairs).as_deref(), Ok(line), "{via_pairs}");
        let keys: HashSet<&str> = parsed.pairs().map(|pair| pair.key()).collect();
        if keys.len() == parsed.pairs().count() {
            let via_object = serde_json::to_string(&parsed).unwrap();
            assert_eq!(render(&via_object).as_deref(), Ok(line), "{via_object}");
        }
        checked += 1;
    }
    assert_eq!(checked, 8);
}

/// Header text: anything but CR and LF (E2).
const HEADER: &str = "[a-zA-Z0-9 =\\\\|\\t\"{},._\\-é😀]{0,12}";
const VALUE: &str = "[a-zA-Z0-9 =\\\\|\\n\\r\\t\"{}\\[\\],._\\-é€😀]{0,16}";
const PREFIX: &str = "[a-zA-Z0-9 :<>.\\-\"]{0,24}";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// parse -> serialize -> deserialize -> render gives back every canonical line.
    #[test]
    fn canonical_lines_round_trip_through_json(event in strategies::event(PREFIX, HEADER, VALUE)) {
        let line = event.to_string();
        let parsed = Parser::new().strict(true).parse_str(&line).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let pairs = serde_json::to_string(&PairsForm(&parsed)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Event = serde_json::from_str(&pairs).map_err(|e| TestCaseError::fail(format!("{e}: {pairs}")))?;
        prop_assert_eq!(&back, &event);
        prop_assert_eq!(back.to_string(), line.clone());

        // The object form loses only the earlier values of a repeated key.
        let object = serde_json::to_string(&parsed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut input = serde_json::Deserializer::from_str(&object);
        let back = Event::deserialize_borrowed(&mut input).map_err(|e| TestCaseError::fail(format!("{e}: {object}")))?;
        let mut keys: Vec<&str> = event.extensions().iter().map(|(key, _)| key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        if keys.len() == event.extensions().len() {
            prop_assert_eq!(back.to_string(), line);
        } else {
            prop_assert_eq!(back.extensions().len(), keys.len());
            for key in keys {
                prop_assert_eq!(back.get(key), event.get(key));
            }
        }
    }

    /// Whatever the JSON, deserializing never panics.
    #[test]
    fn deserializing_never_panics(json in "[{}\\[\\],:\"a-z0-9 .\\-\\\\]{0,64}") {
        let _ = serde_json::from_str::<Event>(&json);
        let _ = serde_json::from_str::<Event>(&format!("{{{HEAD},{json}}}"));
    }
}
