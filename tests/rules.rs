//! One test per rule of the crate's CEF spec (E1-E9 encoder, P1-P16 decoder).

use audit_cef::{Error, ErrorKind, Event, HeaderField, Key, Line, Parser, Renderer, Severity, Version};

type TestResult = Result<(), Error>;

const STRICT: Parser = Parser::new().strict(true);
const LENIENT: Parser = Parser::new();

fn event() -> Result<Event<'static>, Error> {
    Event::new("v", "p", "1", "id", "n", Severity::from_level(5)?)
}

fn with_pairs(pairs: &[(&'static str, &'static str)]) -> Result<Event<'static>, Error> {
    let mut event = event()?;
    for (key, value) in pairs {
        event.push(*key, *value)?;
    }
    Ok(event)
}

fn pairs(line: &Line<'_>) -> Vec<(String, String)> {
    line.pairs().map(|p| (p.key().to_string(), p.value().into_owned())).collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn kind_at(result: Result<Line<'_>, Error>) -> Option<(ErrorKind, Option<usize>)> {
    result.err().map(|e| (e.kind(), e.offset()))
}

#[test]
fn e1_header_escapes_backslash_and_pipe_only() -> TestResult {
    let event = Event::new(r"a\b", "c|d", "e=f g", "id", "n", Severity::LOW)?;
    assert_eq!(event.to_string(), r"CEF:0|a\\b|c\|d|e=f g|id|n|Low|");
    Ok(())
}

#[test]
fn e2_line_break_in_header_is_an_error() {
    for (index, field) in [
        HeaderField::Vendor,
        HeaderField::Product,
        HeaderField::DeviceVersion,
        HeaderField::EventClassId,
        HeaderField::Name,
    ]
    .into_iter()
    .enumerate()
    {
        for bad in ["a\nb", "a\rb"] {
            let mut fields = ["v", "p", "1", "id", "n"];
            fields[index] = bad;
            let err = Event::new(fields[0], fields[1], fields[2], fields[3], fields[4], Severity::LOW).err();
            assert_eq!(err, Some(Error::at(ErrorKind::LineBreakInHeader(field), 1)), "{field} {bad:?}");
        }
    }
}

#[test]
fn e3_value_escapes_backslash_equals_and_line_breaks_only() -> TestResult {
    let event = with_pairs(&[("k", "a\\b=c\nd\re\r\nf|g\th")])?;
    assert_eq!(event.to_string(), "CEF:0|v|p|1|id|n|5|k=a\\\\b\\=c\\nd\\re\\r\\nf|g\th");
    Ok(())
}

#[test]
fn e4_key_grammar_is_shared_and_keys_are_never_rewritten() -> TestResult {
    let event = with_pairs(&[("org_id", "1"), ("ad.field[0]", "2"), ("ad.Error_,Code", "3")])?;
    let text = event.to_string();
    assert!(text.ends_with("|org_id=1 ad.field[0]=2 ad.Error_,Code=3"), "{text}");
    // The decoder reads back exactly the keys the encoder accepts.
    let line = LENIENT.parse_str(&text)?;
    assert_eq!(line.pairs().map(|p| p.key()).collect::<Vec<_>>(), ["org_id", "ad.field[0]", "ad.Error_,Code"]);
    for bad in ["", " k", "k=", "k\\", "k|", "k\t", "kä", "-k", ".k"] {
        assert!(Key::new(bad).is_err(), "{bad:?}");
        assert!(event.clone().push(bad, "x").is_err(), "{bad:?}");
    }
    Ok(())
}

#[test]
fn e5_seventh_pipe_always_single_spaces_and_empty_values() -> TestResult {
    assert_eq!(event()?.to_string(), "CEF:0|v|p|1|id|n|5|");
    assert_eq!(with_pairs(&[("a", ""), ("b", "x"), ("c", "")])?.to_string(), "CEF:0|v|p|1|id|n|5|a= b=x c=");
    Ok(())
}

#[test]
fn e6_severity_and_version_grammar() -> TestResult {
    for (severity, text) in [
        (Severity::from_level(0)?, "0"),
        (Severity::from_level(10)?, "10"),
        (Severity::UNKNOWN, "Unknown"),
        (Severity::LOW, "Low"),
        (Severity::MEDIUM, "Medium"),
        (Severity::HIGH, "High"),
        (Severity::VERY_HIGH, "Very-High"),
    ] {
        let event = Event::new("v", "p", "1", "id", "n", severity)?;
        assert_eq!(event.to_string(), format!("CEF:0|v|p|1|id|n|{text}|"));
    }
    assert!(Severity::from_level(11).is_err());
    for bad in ["very-high", "VeryHigh", "11", "", "5 "] {
        assert_eq!(bad.parse::<Severity>().err().map(|e| e.kind()), Some(ErrorKind::InvalidSeverity), "{bad:?}");
    }
    assert!(event()?.with_version(Version::One).to_string().starts_with("CEF:1|"));
    assert_eq!("2".parse::<Version>().err().map(|e| e.kind()), Some(ErrorKind::InvalidVersion));
    Ok(())
}

#[test]
fn e7_extension_order_is_the_callers() -> TestResult {
    let event = with_pairs(&[("z", "1"), ("a", "2"), ("m", "3"), ("a", "4")])?;
    assert!(event.to_string().ends_with("|z=1 a=2 m=3 a=4"));
    Ok(())
}

#[test]
fn e8_length_limits_are_opt_in_bytes_before_escaping_never_truncated() -> TestResult {
    let renderer = Renderer::new().check_lengths(true);
    let at_limit =
        Event::new("|".repeat(63), "p".repeat(63), "1".repeat(31), "i".repeat(1023), "n".repeat(512), Severity::LOW)?;
    assert!(renderer.render_to_string(&at_limit).is_ok());
    let over = Event::new("v", "p", "1".repeat(32), "id", "n", Severity::LOW)?;
    let mut buf = b"keep".to_vec();
    let err = renderer.render_into(&over, &mut buf).err();
    assert_eq!(err, Some(Error::new(ErrorKind::HeaderTooLong(HeaderField::DeviceVersion))));
    assert_eq!(buf, b"keep", "a rejected event writes nothing");
    // Without the opt-in, nothing is checked and nothing is truncated.
    assert!(Renderer::new().render_to_string(&over)?.contains(&"1".repeat(32)));
    let mut msg = event()?;
    msg.push("msg", "m".repeat(1024))?;
    assert_eq!(renderer.render_to_string(&msg).err(), Some(Error::new(ErrorKind::ValueTooLong { pair: 0 })));
    Ok(())
}

#[test]
fn e9_trailing_spaces_of_the_final_value_are_written_but_lost_on_decode() -> TestResult {
    let event = with_pairs(&[("a", "x  "), ("b", "y  ")])?;
    let text = event.to_string();
    assert!(text.ends_with("|a=x   b=y  "), "written as given: {text:?}");
    let line = LENIENT.parse_str(&text)?;
    assert_eq!(pairs(&line), owned(&[("a", "x  "), ("b", "y")]));
    Ok(())
}

#[test]
fn p1_cef_starts_at_first_marker_with_digits_and_pipe() -> TestResult {
    let line = LENIENT.parse_str("host.CEF:x CEF:9 CEF:0|v|p|1|id|n|5|a=1")?;
    assert_eq!(line.prefix(), Some("host.CEF:x CEF:9"));
    assert_eq!(line.vendor(), "v");
    let glued = LENIENT.parse_str("ASM:CEF:0|v|p|1|id|n|5|")?;
    assert_eq!(glued.prefix(), Some("ASM:"));
    let spaced = LENIENT.parse_str("a  CEF:0|v|p|1|id|n|5|")?;
    assert_eq!(spaced.prefix(), Some("a "), "only one separating space is removed");
    assert_eq!(LENIENT.parse_str("CEF:0|v|p|1|id|n|5|")?.prefix(), None);
    assert_eq!(LENIENT.parse_str("CEF:26|v|p|1|id|n|5|")?.version(), "26");
    assert_eq!(kind_at(STRICT.parse(b"CEF:26|v|p|1|id|n|5|")), Some((ErrorKind::InvalidVersion, Some(4))));
    assert_eq!(kind_at(LENIENT.parse(b"hello world")), Some((ErrorKind::MissingCefMarker, None)));
    assert_eq!(kind_at(LENIENT.parse(b"CEF:x|v|p")), Some((ErrorKind::InvalidVersion, Some(4))));
    assert_eq!(
        kind_at(LENIENT.parse(b"x\nCEF:0|v|p|1|id|n|5|")),
        Some((ErrorKind::LineBreakInHeader(HeaderField::Prefix), Some(1)))
    );
    Ok(())
}

#[test]
fn p2_header_escapes() -> TestResult {
    let line = LENIENT.parse_str(r"CEF:0|a\|b|c\\|d\x|e\\\|f|n|5|")?;
    assert_eq!(
        (line.vendor(), line.product(), line.device_version(), line.event_class_id()),
        ("a|b", "c\\", "d\\x", "e\\|f")
    );
    assert_eq!(kind_at(STRICT.parse(br"CEF:0|v|p|d\x|id|n|5|")), Some((ErrorKind::InvalidEscape, Some(11))));
    Ok(())
}

#[test]
fn p3_header_shape() -> TestResult {
    assert_eq!(kind_at(LENIENT.parse(b"CEF:0|v|p|1|id|n")), Some((ErrorKind::TooFewHeaderFields, Some(16))));
    assert_eq!(kind_at(LENIENT.parse(b"CEF:0")), Some((ErrorKind::TooFewHeaderFields, Some(5))));
    let open = LENIENT.parse_str("CEF:0|v|p|1|id|n|5")?;
    assert_eq!((open.severity(), open.pairs().count()), (Some(Severity::from_level(5)?), 0));
    assert_eq!(kind_at(STRICT.parse(b"CEF:0|v|p|1|id|n|5")), Some((ErrorKind::MissingExtensionDelimiter, Some(18))));
    let empty = STRICT.parse_str("CEF:0||||||0|")?;
    assert_eq!((empty.vendor(), empty.name()), ("", ""));
    assert_eq!(kind_at(STRICT.parse(b"CEF:0|v|p|1|id|n||")), Some((ErrorKind::InvalidSeverity, Some(17))));
    let empty = LENIENT.parse(b"CEF:0|v|p|1|id|n||")?;
    assert_eq!((empty.severity(), empty.severity_str(), empty.severity_offset()), (None, "", 17));
    assert_eq!(empty.to_event().err(), Some(Error::at(ErrorKind::InvalidSeverity, 17)));
    // Every header field may be empty (P3).
    let blank = LENIENT.parse(b"CEF:0|||||||a=1")?;
    assert_eq!((blank.vendor(), blank.name(), blank.severity(), blank.get("a").as_deref()), ("", "", None, Some("1")));
    assert_eq!(
        kind_at(LENIENT.parse(b"CEF:0|v|p\r|1|id|n|5|")),
        Some((ErrorKind::LineBreakInHeader(HeaderField::Product), Some(9)))
    );
    assert_eq!(kind_at(LENIENT.parse(b"")), Some((ErrorKind::Empty, None)));
    assert_eq!(kind_at(LENIENT.parse(b"\r\n")), Some((ErrorKind::Empty, None)));
    Ok(())
}

#[test]
fn p4_keys_start_the_extension_or_follow_a_space_and_precede_equals() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|a=x,b=y c.d[0]=z e\\=f g= ")?;
    assert_eq!(pairs(&line), owned(&[("a", "x,b=y"), ("c.d[0]", "z e=f"), ("g", "")]));
    Ok(())
}

#[test]
fn p5_value_ends_at_the_space_before_the_next_key() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|a=one two  b=x   c=y")?;
    assert_eq!(pairs(&line), owned(&[("a", "one two "), ("b", "x  "), ("c", "y")]));
    Ok(())
}

#[test]
fn p6_trailing_whitespace_of_the_final_value_is_dropped() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|a=x \t b=y \t\r\n")?;
    assert_eq!(pairs(&line), owned(&[("a", "x \t"), ("b", "y")]));
    Ok(())
}

#[test]
fn p7_value_escapes() -> TestResult {
    let line = LENIENT.parse_str(r"CEF:0|v|p|1|id|n|5|a=\\\=\n\r b=\|\t\ c=end\")?;
    assert_eq!(pairs(&line), owned(&[("a", "\\=\n\r"), ("b", "\\|\\t\\"), ("c", "end\\")]));
    assert_eq!(kind_at(STRICT.parse(br"CEF:0|v|p|1|id|n|5|a=ok b=\|")), Some((ErrorKind::InvalidEscape, Some(26))));
    Ok(())
}

#[test]
fn p8_unescaped_equals_stays_in_the_value() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|a=id==old b=aGVsbG8= c=x =y")?;
    assert_eq!(pairs(&line), owned(&[("a", "id==old"), ("b", "aGVsbG8="), ("c", "x =y")]));
    assert_eq!(kind_at(STRICT.parse(b"CEF:0|v|p|1|id|n|5|a=id==old")), Some((ErrorKind::UnescapedEquals, Some(23))));
    Ok(())
}

#[test]
fn p9_leading_spaces_are_kept() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|a=  x b= y")?;
    assert_eq!(pairs(&line), owned(&[("a", "  x"), ("b", " y")]));
    Ok(())
}

#[test]
fn p10_tab_is_part_of_the_value() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|a=x\tb=y")?;
    assert_eq!(pairs(&line), owned(&[("a", "x\tb=y")]));
    Ok(())
}

#[test]
fn e3_raw_line_breaks_in_values_are_kept_leniently_and_refused_strictly() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|msg=a\nb\rc d=e")?;
    assert_eq!(pairs(&line), owned(&[("msg", "a\nb\rc"), ("d", "e")]));
    assert_eq!(
        kind_at(STRICT.parse(b"CEF:0|v|p|1|id|n|5|msg=a\nb d=e")),
        Some((ErrorKind::LineBreakInValue, Some(24)))
    );
    Ok(())
}

#[test]
fn p11_empty_value_is_the_empty_string() -> TestResult {
    let line = STRICT.parse_str("CEF:0|v|p|1|id|n|5|a= b=")?;
    assert_eq!(pairs(&line), owned(&[("a", ""), ("b", "")]));
    Ok(())
}

#[test]
fn p12_duplicates_are_kept_in_order_and_get_gives_the_last() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|a=1 b=2 a=3")?;
    assert_eq!(pairs(&line), owned(&[("a", "1"), ("b", "2"), ("a", "3")]));
    assert_eq!(line.get("a").as_deref(), Some("3"));
    assert_eq!(line.to_event()?.get("a"), Some("3"));
    Ok(())
}

#[test]
fn p13_quotes_have_no_meaning() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|a=\"x b=y\" c='z'")?;
    assert_eq!(pairs(&line), owned(&[("a", "\"x"), ("b", "y\""), ("c", "'z'")]));
    Ok(())
}

#[test]
fn p14_text_before_the_first_key_is_reported_never_dropped() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|garbage here a=1")?;
    assert_eq!(line.unparsed(), Some("garbage here"));
    assert_eq!(pairs(&line), owned(&[("a", "1")]));
    assert_eq!(line.to_event().err().map(|e| e.kind()), Some(ErrorKind::UnparsedText));
    assert_eq!(LENIENT.parse_str("CEF:0|v|p|1|id|n|5|only text")?.unparsed(), Some("only text"));
    assert_eq!(LENIENT.parse_str("CEF:0|v|p|1|id|n|5| a=1")?.unparsed(), None, "one separating space");
    assert_eq!(kind_at(STRICT.parse(b"CEF:0|v|p|1|id|n|5|garbage a=1")), Some((ErrorKind::UnparsedText, Some(19))));
    Ok(())
}

#[test]
fn p15_non_utf8_is_an_error_with_its_offset() {
    assert_eq!(kind_at(LENIENT.parse(b"CEF:0|v|p\xff|1|id|n|5|")), Some((ErrorKind::NotUtf8, Some(9))));
    assert_eq!(kind_at(LENIENT.parse(b"\xc3CEF:0|v|p|1|id|n|5|")), Some((ErrorKind::NotUtf8, Some(0))));
}

#[test]
fn p16_custom_labels_are_not_applied() -> TestResult {
    let line = LENIENT.parse_str("CEF:0|v|p|1|id|n|5|cs1=blue cs1Label=colour")?;
    assert_eq!(pairs(&line), owned(&[("cs1", "blue"), ("cs1Label", "colour")]));
    assert_eq!(line.get("colour"), None);
    Ok(())
}

#[test]
fn konnect_documented_lines_round_trip_byte_for_byte() -> TestResult {
    for text in [
        "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4 sig=KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ",
        "2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 request=/api/v2/developer/authenticate success=true org_id=998db3e4-5cb7-4dd5-b51c-9878096a6999 portal_id=3e551b39-227d-4297-b911-e68fd5d77c17 principal_id=a3d2699a-0ed3-4417-bb10-d8e74a1513a4 trace_id=3360194145499877252 user_agent= sig=XQC3OSFxLbi5dy2-o4xAXHT-x8oW5Df-zVsACWQLMU9Q-sPnEyk5CVs4JHwuRcwO0QNLsNaP1wsyrXYPeneXDQ",
        "Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.organization|1|rt=1681450748000 src=127.0.0.6 action=read granted=true user_agent=grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)",
    ] {
        let line = STRICT.parse_str(text)?;
        assert_eq!(line.to_event()?.to_string(), text);
    }
    Ok(())
}
