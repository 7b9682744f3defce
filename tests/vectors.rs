//! Test vectors gathered from other CEF implementations' test suites.
//!
//! The records live in `tests/data/vectors/*.jsonl`, copied verbatim from the
//! research set (format in `tests/data/vectors/README.md`). Every record is
//! run against this crate, by kind and scope:
//!
//! - `decode`: the lenient [`Parser::new`] parses `input` (or the bytes of
//!   `input_hex`); version, the five header fields, severity as written
//!   ([`Line::severity_str`]), the prefix when `syslog_prefix` is given, and
//!   the extensions as a last-wins map (P12) are compared. With `partial` only
//!   the listed fields and keys are compared; without it, extra keys and
//!   unparsed text (P14) count as differences. A record whose `expected`
//!   holds an `error` (the peer reports an error next to a recovered result)
//!   agrees when our lenient parser rejects the line too, for a reason the
//!   peer does not contradict: our parser returns no partial result, so
//!   nothing else can be compared; when we accept the line, it disagrees.
//! - `encode`: `line` builds an [`Event`] and compares `to_string()`;
//!   `header_field` compares [`escape_header`] and the header as rendered in
//!   each of the five positions; `extension_value` compares [`escape_value`]
//!   and the rendered pair; `extension_key` compares [`Key::new`];
//!   `extension` compares the rendered extension part; `severity` checks that
//!   [`Severity`] parses (and renders back) exactly the valid inputs;
//!   `escape_fn` maps format_cef's escaper onto E1/E3 where it can.
//! - `reject`: the same builders (or the lenient parser for whole lines), and
//!   our library must refuse the input too; `config` records are checked
//!   with [`Renderer::check_lengths`] (E8) and [`Key::new`] (E4).
//!
//! Encoder inputs that are not strings are given as the text a peer would
//! write (numbers and booleans in JSON notation); `null` becomes the empty
//! value, as an [`Event`] has no absent one (E5). cefevent and format_cef
//! take dictionary full names (`sourceAddress`), mapped to the CEF keys they
//! write (`src`) by [`FULL_NAMES`].
//!
//! Records that do not agree are listed, with the rule of `cef.md` that
//! decides, in the one table [`DISAGREEMENTS`]: `Disagree` when we run the
//! record and deliberately do something else, `NotApplicable` when it tests
//! a peer feature audit-cef has no counterpart for (typed values, timestamp
//! formatting, peer options). The tests fail when a record disagrees or has
//! no counterpart without being listed, when a listed record in fact agrees,
//! when a listed id names no record, and when a record cannot be run
//! (unknown kind, scope or field). Each file's test prints its counts (run
//! with `--nocapture`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;

use audit_cef::{Error, ErrorKind, Event, Key, Line, Parser, Renderer, Severity, Version, escape_header, escape_value};
use serde_json::{Map, Value};

const VECTOR_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/vectors");

/// The vector files, each run by its own `#[test]` below.
const FILES: &[&str] = &["beats", "cefevent", "format_cef", "konnect", "logstash", "rust-cef", "syslog-ng", "vector"];

/// How a listed record differs from the peer's expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// We run the record and deliberately do something else than the peer.
    Disagree,
    /// The record tests a peer feature audit-cef has no counterpart for.
    NotApplicable,
}
use Verdict::{Disagree as D, NotApplicable as NA};

/// Every record that does not pass as its peer expects: its id (the
/// `source`, followed by ` [n]`, its 1-based occurrence, when the source
/// repeats in the file), the verdict and the reason, citing the rule of
/// `cef.md` that decides.
const DISAGREEMENTS: &[(&str, Verdict, &str)] = &[
    // beats.jsonl
    (
        "elastic/beats@x-pack/filebeat/processors/decode_cef/cef/cef_test.go#TestEventUnpack/emptyExtensionValue",
        D,
        "P11: `dst=` is kept as the empty string, with no error; beats errors and drops dst because its typed IP \
         conversion of '' fails (peer typing, not CEF syntax)",
    ),
    (
        "elastic/beats@x-pack/filebeat/processors/decode_cef/cef/cef_test.go#TestEventUnpack/errorEscapedPipeInExtension",
        D,
        "P7: `\\|` is no value escape; lenient keeps the backslash literally (moo=`this\\|has an escaped pipe`, as \
         logstash does), strict rejects it (invalid_escape); beats errors and drops every pair",
    ),
    (
        "elastic/beats@x-pack/filebeat/processors/decode_cef/cef/cef_test.go#TestEventUnpack/errorEqualsInMessage",
        D,
        "P8: an unescaped `=` that is no key boundary stays in the value (moo=`this =has = equals=`, as logstash \
         does), strict rejects it (unescaped_equals); beats errors",
    ),
    (
        "elastic/beats@x-pack/filebeat/processors/decode_cef/cef/cef_test.go#TestEventUnpack/errorMalformedExtensionEscape",
        D,
        "P8: `; =Email` and `test=` are no key boundaries, so requestClientApplication keeps them (as logstash and \
         ES ingest do), strict rejects (unescaped_equals); beats errors and drops the pair",
    ),
    (
        "elastic/beats@x-pack/filebeat/processors/decode_cef/cef/cef_test.go#TestEventUnpack/errorMultipleMalformedExtensionValues",
        D,
        "P4/P8: ` id=` is a key boundary (key `id`, value `=old_id`, its second `=` kept) and `angle=106.7<=180` \
         keeps its `=`; no error, strict rejects (unescaped_equals); beats errors and drops id and angle",
    ),
    (
        "elastic/beats@x-pack/filebeat/processors/decode_cef/cef/cef_test.go#TestEventUnpack/No tab as separator",
        D,
        "P10/P8: TAB is no separator (as beats says), so `src=127.0.0.1` is part of msg's value and its `=` is kept: \
         msg=`Tab is not a separator\\tsrc=127.0.0.1`, no error; strict rejects (unescaped_equals); beats errors",
    ),
    (
        "elastic/beats@x-pack/filebeat/processors/decode_cef/cef/cef_test.go#TestEventUnpack/error recovery with escape",
        D,
        "P3/P7/P8: the empty header fields and Severity are accepted (P3), key1 is `\\hi=` (`\\\\` unescapes to \
         `\\`, P7; an `=` that is no key boundary stays, P8) and key2=a as beats recovers it, with no error; \
         strict rejects the empty Severity (invalid_severity); beats reports an error on key1's value",
    ),
    (
        "elastic/beats@x-pack/filebeat/processors/decode_cef/cef/cef_test.go#TestEventUnpackWithFullExtensionNames",
        NA,
        "P4/E4: keys are returned as sent (`src`); renaming them to dictionary full names (beats' \
         full_extension_names option) is a mapping layer audit-cef does not have",
    ),
    (
        "elastic/beats@x-pack/filebeat/processors/decode_cef/decode_cef_test.go#TestProcessorRun/parse_errors",
        D,
        "P8: `=xyz` follows a space but `=` cannot start a key, so it stays in the value (msg=`User signed in with \
         =xyz`), no error; strict rejects (unescaped_equals); beats errors and drops msg",
    ),
    // cefevent.jsonl
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_address [1]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_address [2]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_address [3]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_mac_address [1]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_mac_address [2]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_mac_address [3]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_mac_address [4]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_port [1]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_port [2]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_port [3]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_port [4]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_source_port [5]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_deviceCustomIPv6Address4 [1]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_deviceCustomIPv6Address4 [2]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_deviceCustomIPv6Address4 [3]", NA, TYPED),
    ("kamushadenes/cefevent@cefevent/test_event.py#test_strict [2]", NA, TYPED),
    // format_cef.jsonl
    (
        "Osirium/format_cef@tests/test_cef.py#test_escaping",
        D,
        "E1/E3: every backslash is written `\\\\`, so the input's `\\|`, `\\=` and `\\\\` come out as `\\\\\\|`, \
         `\\\\\\=` and `\\\\\\\\`; format_cef's idempotent escaper unescapes them first, so its output decodes to \
         different data (the literal `\\|` becomes `|`)",
    ),
    ("Osirium/format_cef@tests/test_cef.py#test_bounded_str_sanitisation [1]", NA, BOUNDED),
    ("Osirium/format_cef@tests/test_cef.py#test_bounded_str_sanitisation [2]", NA, BOUNDED),
    ("Osirium/format_cef@tests/test_cef.py#test_bounded_str_sanitisation [3]", NA, BOUNDED),
    ("Osirium/format_cef@tests/test_cef.py#test_bounded_str_sanitisation [4]", NA, BOUNDED),
    (
        "Osirium/format_cef@tests/test_cef.py#test_datetime_sanitisation",
        NA,
        "E3: values are text written as given; formatting a datetime as `MMM dd yyyy HH:mm:ss` is the caller's \
         (Konnect sends rt as epoch milliseconds)",
    ),
    // logstash.jsonl
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##encode should use default values for empty header fields",
        D,
        "E6: an empty severity is refused (invalid_severity); empty header fields are valid (P3) and written empty \
         (E1), never replaced by configured defaults",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##encode should use default, if severity is not numeric",
        D,
        SEVERITY_DEFAULT,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##encode should use default, if severity is > 10",
        D,
        SEVERITY_DEFAULT,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##encode should use default, if severity is < 0",
        D,
        SEVERITY_DEFAULT,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##encode should use default, if severity is float with decimal part",
        D,
        SEVERITY_DEFAULT,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##encode should sanitize header fields",
        D,
        "E2: a CR or LF in a header field is an error (line_break_in_header), never replaced by a space; the \
         severity `4\\n` is refused too (E6)",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##encode should sanitize extension keys",
        D,
        "E4: keys outside the grammar (`f o\\no`, `@b-a_r`) are an error (invalid_key), never rewritten",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##encode should sanitize extension values",
        D,
        "E3: CR is written `\\r`, not `\\n` (`bar=value\\r` becomes `bar\\=value\\r`)",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize header field should sanitize [2]",
        D,
        HEADER_BREAK,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize header field should sanitize [3]",
        D,
        HEADER_BREAK,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize header field should sanitize [4]",
        D,
        HEADER_BREAK,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize header field should sanitize [5]",
        D,
        HEADER_BREAK,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize extension key should sanitize [1]",
        D,
        KEY_REWRITE,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize extension key should sanitize [2]",
        D,
        KEY_REWRITE,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize extension key should sanitize [3]",
        D,
        KEY_REWRITE,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize extension key should sanitize [4]",
        D,
        "E4: `Foo_Bar\\r\\nBaz` is refused (invalid_key, the CR); logstash strips the CRLF and also the `_` that E4 \
         allows (the org_id -> orgid bug E4 names)",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize extension key should sanitize [5]",
        D,
        KEY_REWRITE,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize extension key should sanitize [6]",
        D,
        KEY_REWRITE,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize extension value should sanitize [3]",
        D,
        CR_ESCAPE,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize extension value should sanitize [4]",
        D,
        CR_ESCAPE,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#sanitize extension value should sanitize [5]",
        D,
        CR_ESCAPE,
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb#valid_severity? should validate severity [9]",
        D,
        "E6: only the exact spellings `0`-`10` and the five names; `1.0` is refused, not rewritten to `1`",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##decode should be OK with escaped backslash in the headers",
        D,
        "E6: severity `\\\\10` (`\\10` unescaped) is no severity: the lenient parser rejects the line \
         (invalid_severity); logstash does not check severity on decode",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##decode should be OK with escaped pipes in the headers",
        D,
        "E6: severity `\\|10` (`|10` unescaped) is no severity: the lenient parser rejects the line \
         (invalid_severity); logstash does not check severity on decode",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##decode should be OK to have one or more spaces between keys",
        D,
        "P5: with several spaces before the next key all but the last belong to the value: src=`10.0.0.192 `, \
         dst=`12.121.122.82 ` (beats' padded vector agrees); logstash trims",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##decode should be OK to have one or more spaces in values",
        D,
        "P5: the double space before `spt=` leaves one trailing space in dst (`12.121.122.82 `); logstash trims",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##decode with a non-CEF payload containing non-key/value extensions",
        D,
        "P14: lenient mode keeps text before the first key and reports it (Line::unparsed), neither dropped nor \
         refused; strict rejects it (unparsed_text)",
    ),
    (
        "logstash-plugins/logstash-codec-cef@spec/codecs/cef_spec.rb##decode with a non-CEF payload containing unescaped newlines",
        D,
        "P1/P8: Parser::parse reads one line starting at the first `CEF:0|`; splitting a stream into lines is the \
         caller's. The raw LFs come after the first header, so no header field holds one (E2) and lenient mode \
         keeps them in src's value with the following text, whose `|src=` is no key boundary (P4) and stays (P8): \
         nothing is lost; strict rejects (unescaped_equals)",
    ),
    // rust-cef.jsonl
    (
        "polyverse/rust-cef@src/lib.rs#test_ext_for_datetime",
        NA,
        "E3: values are text written as given; the record's value stands for rust-cef's typed OffsetDateTime \
         (written as epoch milliseconds), which audit-cef does not have: the caller formats rt",
    ),
    // syslog-ng.jsonl
    (
        "syslog-ng/syslog-ng@modules/cef/tests/test-format-cef-extension.c#_test_null_in_value",
        D,
        "E3: only `\\`, `=`, LF and CR are escaped, every other character (NUL included) is written as it is; \
         syslog-ng's `\\u0000` is no CEF escape (P7 would read a literal backslash)",
    ),
    (
        "syslog-ng/syslog-ng@modules/cef/tests/test-format-cef-extension.c#_test_drop_property (on-error=drop-property)",
        D,
        "E4: a key outside the grammar (`a|b`, `x=y`) makes building the event fail (invalid_key); pairs are never \
         dropped silently",
    ),
    (
        "syslog-ng/syslog-ng@modules/cef/tests/test-format-cef-extension.c#_test_charset (invalid byte 0xff in value)",
        D,
        NOT_UTF8,
    ),
    (
        "syslog-ng/syslog-ng@modules/cef/tests/test-format-cef-extension.c#_test_charset (truncated UTF-8 0xc3 in value)",
        D,
        NOT_UTF8,
    ),
    (
        "syslog-ng/syslog-ng@modules/cef/tests/test-format-cef-extension.c#_test_escaping [5]",
        D,
        "E3: TAB is written as it is, not as syslog-ng's `\\u0009` (no CEF escape)",
    ),
    // vector.jsonl
    (
        "vectordotdev/vector@lib/codecs/src/encoding/format/cef.rs#build_error_on_invalid_extension",
        D,
        "E4: `.` may follow the first character (ArcSight sends `ad.field[0]`), so `foo.test` is a valid key; \
         vector allows letters only",
    ),
    (
        "vectordotdev/vector@lib/codecs/src/encoding/format/cef.rs#serialize_extensions",
        D,
        "E7: pairs are written in the caller's order, never sorted; E5: the null `missing` is given as the empty \
         value and written `missing=` (an Event has no absent value) where vector omits it; E3: values are written \
         as given, the timestamp is not converted",
    ),
];

const TYPED: &str = "E3: values are text written as given; validating or normalising typed values (IP address, MAC, \
                     port) as cefevent does is the caller's, audit-cef has no typed dictionary";
const BOUNDED: &str = "format_cef's bounded-string sanitiser (caller-chosen escape characters, minimum and maximum \
                       length after escaping) has no counterpart: E1/E3 fix the escaped characters, and E8's opt-in \
                       limits are fixed per field and measured in bytes before escaping";
const SEVERITY_DEFAULT: &str = "E6: a severity outside 0-10 and the five names is refused (invalid_severity), never \
                                replaced by a default";
const HEADER_BREAK: &str =
    "E2: a CR or LF in a header field is an error (line_break_in_header), never replaced by a space";
const KEY_REWRITE: &str = "E4: a key outside the grammar is an error (invalid_key); keys are never rewritten (logstash \
                           strips everything outside [A-Za-z0-9])";
const CR_ESCAPE: &str = "E3: CR is written `\\r` (a CRLF is `\\r\\n`), not `\\n`";
const NOT_UTF8: &str = "P15/E3: an Event holds UTF-8 text (&str), so a value that is not UTF-8 cannot be given \
                        (String::from_utf8 fails), and `\\xff` is no escape E3 defines";

// ---------------------------------------------------------------------------
// One test per file.

#[test]
fn beats_vectors() {
    check_file("beats");
}

#[test]
fn cefevent_vectors() {
    check_file("cefevent");
}

#[test]
fn format_cef_vectors() {
    check_file("format_cef");
}

#[test]
fn konnect_vectors() {
    check_file("konnect");
}

#[test]
fn logstash_vectors() {
    check_file("logstash");
}

#[test]
fn rust_cef_vectors() {
    check_file("rust-cef");
}

#[test]
fn syslog_ng_vectors() {
    check_file("syslog-ng");
}

#[test]
fn vector_vectors() {
    check_file("vector");
}

/// Every `.jsonl` file in the data directory has a test above, and every
/// entry of [`DISAGREEMENTS`] names exactly one record.
#[test]
fn every_file_and_listed_record_exists() {
    let mut on_disk = BTreeSet::new();
    for entry in fs::read_dir(VECTOR_DIR).expect("vector directory") {
        let name = entry.expect("directory entry").file_name().into_string().expect("UTF-8 file name");
        if let Some(stem) = name.strip_suffix(".jsonl") {
            on_disk.insert(stem.to_string());
        }
    }
    let tested: BTreeSet<String> = FILES.iter().map(|f| f.to_string()).collect();
    assert_eq!(on_disk, tested, "vector files on disk vs files with a test");

    let mut ids = BTreeSet::new();
    let mut problems = Vec::new();
    for file in FILES {
        for record in load(file) {
            if !ids.insert(record.id.clone()) {
                problems.push(format!("record id {:?} is not unique across files", record.id));
            }
        }
    }
    let mut listed = BTreeSet::new();
    for (id, _, reason) in DISAGREEMENTS {
        if !listed.insert(*id) {
            problems.push(format!("{id:?} is listed twice"));
        }
        if !ids.contains(*id) {
            problems.push(format!("{id:?} is listed but names no record"));
        }
        if reason.trim().is_empty() {
            problems.push(format!("{id:?} is listed without a reason"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// Loading and bookkeeping.

struct Record {
    /// Line number in the file, from 1.
    line: usize,
    id: String,
    fields: Map<String, Value>,
}

/// What running a record against this crate gave.
#[derive(Debug)]
enum Outcome {
    /// We do what the peer expects.
    Agree,
    /// We do something else; the text says what.
    Disagree(String),
    /// The record tests a peer feature we have no counterpart for.
    NoEquivalent(&'static str),
}

fn load(file: &str) -> Vec<Record> {
    let path = format!("{VECTOR_DIR}/{file}.jsonl");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}:{}: {e}", index + 1));
        let Value::Object(fields) = value else { panic!("{path}:{}: not a JSON object", index + 1) };
        records.push(Record { line: index + 1, id: String::new(), fields });
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for record in &records {
        *counts.entry(source(record)).or_default() += 1;
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for record in &mut records {
        let source = source(record);
        record.id = if counts.get(&source) > Some(&1) {
            let n = seen.entry(source.clone()).or_default();
            *n += 1;
            format!("{source} [{n}]")
        } else {
            source
        };
    }
    records
}

fn source(record: &Record) -> String {
    record.fields.get("source").and_then(Value::as_str).unwrap_or_default().to_string()
}

fn listed(id: &str) -> Option<(Verdict, &'static str)> {
    DISAGREEMENTS.iter().find(|(listed, _, _)| *listed == id).map(|&(_, verdict, reason)| (verdict, reason))
}

/// Runs every record of `file`, prints a summary and fails on any record
/// whose outcome does not match [`DISAGREEMENTS`].
fn check_file(file: &str) {
    let records = load(file);
    assert!(!records.is_empty(), "{file}.jsonl holds no record");
    let (mut agree, mut disagree, mut not_applicable) = (0, 0, 0);
    let mut problems = Vec::new();
    let mut listing = String::new();
    for record in &records {
        let at = format!("{file}.jsonl:{} {}", record.line, record.id);
        let outcome = match run(file, record) {
            Ok(outcome) => outcome,
            Err(why) => {
                problems.push(format!("{at}: not run: {why}"));
                continue;
            }
        };
        match (outcome, listed(&record.id)) {
            (Outcome::Agree, None) => agree += 1,
            (Outcome::Agree, Some((verdict, _))) => {
                problems.push(format!("{at}: listed as {verdict:?} but agrees with the peer; remove it from the list"))
            }
            (Outcome::Disagree(what), Some((D, reason))) => {
                disagree += 1;
                let _ = writeln!(listing, "  disagree {}: {reason}\n      ours: {what}", record.id);
            }
            (Outcome::Disagree(what), Some((NA, reason))) => {
                not_applicable += 1;
                let _ = writeln!(listing, "  n.a.     {}: {reason}\n      ours: {what}", record.id);
            }
            (Outcome::NoEquivalent(why), Some((NA, reason))) => {
                not_applicable += 1;
                let _ = writeln!(listing, "  n.a.     {}: {reason} ({why})", record.id);
            }
            (Outcome::Disagree(what), None) => problems.push(format!("{at}: disagrees and is not listed: {what}")),
            (Outcome::NoEquivalent(why), None) => {
                problems.push(format!("{at}: has no equivalent ({why}) and is not listed as NotApplicable"))
            }
            (Outcome::NoEquivalent(why), Some((D, _))) => problems
                .push(format!("{at}: listed as Disagree but has no equivalent ({why}); list it as NotApplicable")),
        }
    }
    println!(
        "{file}.jsonl: {} records: {agree} agree, {disagree} disagree, {not_applicable} n.a.\n{listing}",
        records.len()
    );
    assert!(problems.is_empty(), "{file}.jsonl:\n{}", problems.join("\n"));
    assert_eq!(agree + disagree + not_applicable, records.len(), "every record of {file}.jsonl is counted once");
}

// ---------------------------------------------------------------------------
// Dispatch.

const RECORD_KEYS: &[&str] =
    &["source", "commit", "kind", "scope", "input", "input_hex", "expected", "partial", "notes", "option", "framing"];

fn run(file: &str, record: &Record) -> Result<Outcome, String> {
    only_keys(&record.fields, RECORD_KEYS, "record")?;
    let kind = record.fields.get("kind").and_then(Value::as_str).ok_or("no kind")?;
    let scope = match record.fields.get("scope") {
        None => None,
        Some(Value::String(scope)) => Some(scope.as_str()),
        Some(other) => return Err(format!("scope is not a string: {other}")),
    };
    let expected = record.fields.get("expected").ok_or("no expected")?;
    let input = record.fields.get("input").unwrap_or(&Value::Null);
    if kind != "decode" && (record.fields.contains_key("framing") || record.fields.contains_key("partial")) {
        return Err("`framing`/`partial` on a record that is not a decode".into());
    }
    if let Some(option) = record.fields.get("option") {
        let option = option.as_str().ok_or("option is not a string")?;
        if kind != "decode" || option != "full_extension_names" {
            return Err(format!("unknown option {option:?} for kind {kind}"));
        }
        return Ok(Outcome::NoEquivalent(
            "peer option full_extension_names renames keys to dictionary full names; P4/E4: we return raw keys",
        ));
    }
    match (kind, scope) {
        ("decode", None) => decode(record, expected),
        ("reject", None) => reject_line(&input_bytes(record)?),
        ("encode", Some("line")) => compare_text(build(file, input)?.map(|event| event.to_string()), expected),
        ("encode", Some("extension")) => compare_text(build(file, input)?.and_then(render_extension), expected),
        ("encode", Some("header_field")) => compare_text(encode_header_field(text(input)?), expected),
        ("encode", Some("extension_value")) => {
            compare_text(encode_extension_value(&text(field_value(input)?)?), expected)
        }
        ("encode", Some("extension_key")) => {
            compare_text(Key::new(text(input)?).map(|k| k.to_string()).map_err(desc), expected)
        }
        ("encode", Some("severity")) => severity(input, expected),
        ("encode" | "reject", Some("escape_fn")) => escape_fn(kind, input, expected),
        ("encode" | "reject", Some("typed_value")) => Ok(Outcome::NoEquivalent(
            "typed-value validation/normalisation (IP, MAC, port); E3: values are text written as given",
        )),
        ("encode", Some("timestamp")) => {
            Ok(Outcome::NoEquivalent("timestamp formatting; E3: values are text written as given"))
        }
        ("reject", Some("header_field" | "extension" | "extension_key" | "severity")) => {
            refused(build(file, input)?.map(|event| event.to_string()), expected)
        }
        ("reject", Some("config")) => refused(
            build(file, input)?
                .and_then(|event| Renderer::new().check_lengths(true).render_to_string(&event).map_err(desc)),
            expected,
        ),
        _ => Err(format!("unknown kind/scope {kind}/{scope:?}")),
    }
}

fn only_keys(map: &Map<String, Value>, known: &[&str], what: &str) -> Result<(), String> {
    match map.keys().find(|key| !known.contains(&key.as_str())) {
        Some(key) => Err(format!("unknown {what} field {key:?}")),
        None => Ok(()),
    }
}

/// What our library said, for messages: the error kind's name and its text.
fn desc(err: Error) -> String {
    format!("{} ({err})", err.kind().name())
}

/// A JSON scalar as the text a peer would write: strings as they are,
/// numbers and booleans in JSON notation. `null` is the empty string: an
/// [`Event`] has no absent value, the closest is the empty one (E5, P11).
fn text(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(format!("not a scalar: {other}")),
    }
}

/// The value of an extension-value record: the input itself, or the
/// `value` of a `{"field", "value"}` input (the field name plays no part in
/// escaping).
fn field_value(input: &Value) -> Result<&Value, String> {
    match input {
        Value::Object(map) => {
            only_keys(map, &["field", "value"], "input")?;
            map.get("value").ok_or_else(|| "field without value".to_string())
        }
        scalar => Ok(scalar),
    }
}

fn hex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) {
        return Err(format!("odd-length hex {text:?}"));
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2).unwrap_or_default(), 16).map_err(|e| e.to_string()))
        .collect()
}

fn input_bytes(record: &Record) -> Result<Vec<u8>, String> {
    match (record.fields.get("input"), record.fields.get("input_hex")) {
        (_, Some(Value::String(h))) => hex(h),
        (Some(Value::String(s)), None) => Ok(s.clone().into_bytes()),
        _ => Err("no input line".into()),
    }
}

/// Compares what we produced (or our refusal) with the peer's exact text.
fn compare_text(ours: Result<String, String>, expected: &Value) -> Result<Outcome, String> {
    let expected = expected.as_str().ok_or("expected is not a string")?;
    Ok(match ours {
        Ok(ours) if ours == expected => Outcome::Agree,
        Ok(ours) => Outcome::Disagree(format!("we write {ours:?}, peer {expected:?}")),
        Err(why) => Outcome::Disagree(format!("we refuse: {why}; peer writes {expected:?}")),
    })
}

/// A `reject` record: we must refuse too.
fn refused(ours: Result<String, String>, expected: &Value) -> Result<Outcome, String> {
    let error = expected.get("error").ok_or("reject without expected.error")?;
    Ok(match ours {
        Err(_) => Outcome::Agree,
        Ok(ours) => Outcome::Disagree(format!("we accept and write {ours:?}; peer refuses: {error}")),
    })
}

// ---------------------------------------------------------------------------
// Decoding.

const EXPECTED_LINE_KEYS: &[&str] = &[
    "version",
    "vendor",
    "product",
    "device_version",
    "event_class_id",
    "name",
    "severity",
    "extensions",
    "syslog_prefix",
    "error",
];

fn decode(record: &Record, expected: &Value) -> Result<Outcome, String> {
    let input = input_bytes(record)?;
    let partial = match record.fields.get("partial") {
        None => false,
        Some(Value::Bool(partial)) => *partial,
        Some(other) => return Err(format!("partial is not a bool: {other}")),
    };
    match record.fields.get("framing") {
        None => decode_one(&input, expected.as_object().ok_or("expected is not an object")?, partial),
        // Stream framing is the caller's job: split, then parse each line.
        Some(Value::String(framing)) if framing == "delimiter \\r\\n" => {
            let text = std::str::from_utf8(&input).map_err(|e| e.to_string())?;
            let lines: Vec<&str> = text.split("\r\n").collect();
            let expected = expected.as_array().ok_or("framed record without a list of events")?;
            if lines.len() != expected.len() {
                return Ok(Outcome::Disagree(format!("{} lines, peer {} events", lines.len(), expected.len())));
            }
            for (index, (line, expected)) in lines.iter().zip(expected).enumerate() {
                let expected = expected.as_object().ok_or("expected event is not an object")?;
                if let Outcome::Disagree(what) = decode_one(line.as_bytes(), expected, partial)? {
                    return Ok(Outcome::Disagree(format!("line {index}: {what}")));
                }
            }
            Ok(Outcome::Agree)
        }
        Some(other) => Err(format!("unknown framing {other}")),
    }
}

fn strict_says(input: &[u8]) -> String {
    match Parser::new().strict(true).parse(input) {
        Ok(_) => "strict accepts too".into(),
        Err(err) => format!("strict rejects: {}", desc(err)),
    }
}

fn decode_one(input: &[u8], expected: &Map<String, Value>, partial: bool) -> Result<Outcome, String> {
    only_keys(expected, EXPECTED_LINE_KEYS, "expected")?;
    let peer_error = expected.get("error").filter(|error| !error.is_null());
    Ok(match (Parser::new().parse(input), peer_error) {
        (Ok(line), None) => {
            let differences = compare_line(&line, expected, partial)?;
            if differences.is_empty() {
                Outcome::Agree
            } else {
                Outcome::Disagree(format!("{}; {}", differences.join("; "), strict_says(input)))
            }
        }
        (Ok(line), Some(error)) => {
            let differences = compare_line(&line, expected, partial)?;
            let differences = if differences.is_empty() { "none".into() } else { differences.join("; ") };
            Outcome::Disagree(format!(
                "peer reports error {error}, our lenient parser accepts the line (differences: {differences}); {}",
                strict_says(input)
            ))
        }
        (Err(err), None) => Outcome::Disagree(format!("our lenient parser rejects the line: {}", desc(err))),
        (Err(err), Some(error)) => match accepted_by_peer(err.kind(), expected) {
            None => Outcome::Agree,
            Some(accepted) => Outcome::Disagree(format!(
                "we reject the line ({}), but for a field the peer accepts ({accepted}); peer error: {error}",
                desc(err)
            )),
        },
    })
}

const HEADER_KEYS: [&str; 7] = ["version", "vendor", "product", "device_version", "event_class_id", "name", "severity"];

/// When our error is about a header field the peer parsed without complaint,
/// the two errors are not the same finding.
fn accepted_by_peer(kind: ErrorKind, expected: &Map<String, Value>) -> Option<String> {
    let field = match kind {
        ErrorKind::InvalidSeverity => "severity",
        ErrorKind::InvalidVersion => "version",
        ErrorKind::LineBreakInHeader(field) => field.as_str(),
        ErrorKind::TooFewHeaderFields => {
            let complete = HEADER_KEYS.iter().all(|key| expected.get(*key).is_some_and(Value::is_string));
            return complete.then(|| "all seven header fields".to_string());
        }
        _ => return None,
    };
    match expected.get(field) {
        Some(Value::String(value)) => Some(format!("{field} {value:?}")),
        _ => None,
    }
}

/// The differences between our parse and the peer's expectation.
fn compare_line(line: &Line<'_>, expected: &Map<String, Value>, partial: bool) -> Result<Vec<String>, String> {
    let mut differences = Vec::new();
    let ours = [
        line.version(),
        line.vendor(),
        line.product(),
        line.device_version(),
        line.event_class_id(),
        line.name(),
        line.severity_str(),
    ];
    for (key, ours) in HEADER_KEYS.iter().zip(ours) {
        match expected.get(*key) {
            None if partial => {}
            None => return Err(format!("non-partial record without expected.{key}")),
            Some(Value::String(peer)) if peer == ours => {}
            Some(Value::String(peer)) => differences.push(format!("{key}: ours {ours:?}, peer {peer:?}")),
            Some(Value::Null) => differences.push(format!("{key}: ours {ours:?}, peer has none")),
            Some(other) => return Err(format!("expected.{key} is not a string: {other}")),
        }
    }
    if let Some(prefix) = expected.get("syslog_prefix") {
        let prefix = prefix.as_str().ok_or("syslog_prefix is not a string")?;
        if line.prefix() != Some(prefix) {
            differences.push(format!("prefix: ours {:?}, peer {prefix:?}", line.prefix()));
        }
    }
    // P12: a map view gives the last pair of each key.
    let pairs: BTreeMap<&str, String> = line.pairs().map(|pair| (pair.key(), pair.value().into_owned())).collect();
    for (key, value) in line.pairs().map(|pair| (pair.key(), pair.value())) {
        let last = line.get(key);
        assert!(last.is_some(), "Line::get({key:?}) finds nothing though pair {key}={value:?} exists");
        assert_eq!(last.as_deref(), pairs.get(key).map(String::as_str), "Line::get is not last-wins");
    }
    let peer = match expected.get("extensions") {
        None if partial => Map::new(),
        None => return Err("non-partial record without expected.extensions".into()),
        Some(Value::Object(peer)) => peer.clone(),
        Some(other) => return Err(format!("expected.extensions is not an object: {other}")),
    };
    for (key, value) in &peer {
        let value = value.as_str().ok_or_else(|| format!("expected.extensions.{key} is not a string"))?;
        match pairs.get(key.as_str()) {
            Some(ours) if ours == value => {}
            Some(ours) => differences.push(format!("{key}: ours {ours:?}, peer {value:?}")),
            None => differences.push(format!("{key}: ours absent, peer {value:?}")),
        }
    }
    if !partial {
        for (key, value) in &pairs {
            if !peer.contains_key(*key) {
                differences.push(format!("{key}: ours {value:?}, peer absent"));
            }
        }
        if let Some(unparsed) = line.unparsed() {
            differences.push(format!("unparsed text {unparsed:?} (P14), peer has none"));
        }
    }
    Ok(differences)
}

/// A whole input line that the peer refuses.
fn reject_line(input: &[u8]) -> Result<Outcome, String> {
    Ok(match Parser::new().parse(input) {
        Err(_) => Outcome::Agree,
        Ok(line) => {
            let pairs: Vec<String> = line.pairs().map(|p| format!("{}={:?}", p.key(), p.value())).collect();
            Outcome::Disagree(format!(
                "our lenient parser accepts: unparsed {:?}, pairs [{}]; {}",
                line.unparsed(),
                pairs.join(", "),
                strict_says(input)
            ))
        }
    })
}

// ---------------------------------------------------------------------------
// Encoding.

/// Full dictionary names that cefevent and format_cef take as input, mapped
/// to the CEF keys they write (the peers' own tables; we take raw keys).
const FULL_NAMES: &[(&str, &str)] =
    &[("deviceAction", "act"), ("message", "msg"), ("sourceAddress", "src"), ("sourcePort", "spt")];

const EVENT_KEYS: &[&str] = &[
    "version",
    "vendor",
    "product",
    "device_version",
    "event_class_id",
    "name",
    "severity",
    "extensions",
    "value_hex",
    "header_value",
    "fields",
    "field",
    "value",
];

/// Header values for fields a record does not give: neutral ones, or the
/// peer's own defaults for cefevent (from its record's notes), where the
/// input has no header at all.
fn header_defaults(file: &str) -> ([&'static str; 5], &'static str) {
    match file {
        "cefevent" => (["CEF Vendor", "CEF Product", "1.0", "0", ""], "5"),
        _ => (["v", "p", "1", "id", "n"], "Low"),
    }
}

/// Builds the event a record describes. The outer `Err` is a record we do
/// not understand; the inner one is our library refusing the input.
fn build(file: &str, input: &Value) -> Result<Result<Event<'static>, String>, String> {
    let input = input.as_object().ok_or("input is not an object")?;
    only_keys(input, EVENT_KEYS, "input")?;
    let (defaults, default_severity) = header_defaults(file);
    let mut header = defaults.map(String::from);
    let mut version = Value::from(0);
    let mut severity = Value::from(default_severity);
    let mut pairs: Vec<(String, Value)> = Vec::new();

    for (index, key) in ["vendor", "product", "device_version", "event_class_id", "name"].iter().enumerate() {
        if let (Some(value), Some(slot)) = (input.get(*key), header.get_mut(index)) {
            *slot = value.as_str().ok_or_else(|| format!("{key} is not a string"))?.to_string();
        }
    }
    if let Some(value) = input.get("version") {
        version = value.clone();
    }
    if let Some(value) = input.get("severity") {
        severity = value.clone();
    }
    let mut named = |name: &str, value: &Value, header: &mut [String; 5], severity: &mut Value| match name {
        "name" => header[4] = text(value).unwrap_or_default(),
        "severity" => *severity = value.clone(),
        _ => pairs.push((full_name(file, name), value.clone())),
    };
    if let Some(fields) = input.get("fields") {
        for field in fields.as_array().ok_or("fields is not a list")? {
            let (name, value) = pair(field)?;
            named(name, value, &mut header, &mut severity);
        }
    }
    if let Some(name) = input.get("field") {
        let name = name.as_str().ok_or("field is not a string")?;
        named(name, input.get("value").ok_or("field without value")?, &mut header, &mut severity);
    } else if input.contains_key("value") {
        return Err("value without field".into());
    }
    if let Some(extensions) = input.get("extensions") {
        for entry in extensions.as_array().ok_or("extensions is not a list")? {
            let (key, value) = pair(entry)?;
            pairs.push((full_name(file, key), value.clone()));
        }
    }
    let value_hex = match input.get("value_hex") {
        None => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(other) => return Err(format!("value_hex is not an object: {other}")),
    };

    // A header value for every position: checked in each (E2).
    if let Some(value) = input.get("header_value") {
        let value = value.as_str().ok_or("header_value is not a string")?;
        return Ok(header_everywhere(value)
            .and_then(|()| Event::new(value.to_string(), "p", "1", "id", "n", Severity::LOW).map_err(desc)));
    }

    let mut values = Vec::new();
    for (key, value) in pairs {
        let value = match value_hex.get(&key) {
            Some(Value::String(h)) => match String::from_utf8(hex(h)?) {
                Ok(value) => value,
                Err(_) => return Ok(Err(format!("the value of {key:?} is not UTF-8: an Event holds only text"))),
            },
            Some(other) => return Err(format!("value_hex.{key} is not a string: {other}")),
            None => text(&value)?,
        };
        values.push((key, value));
    }
    let build = || -> Result<Event<'static>, String> {
        // Header fields first (E2), so that their error is the one reported.
        let [vendor, product, device_version, event_class_id, name] = header;
        let event = Event::new(vendor, product, device_version, event_class_id, name, Severity::LOW).map_err(desc)?;
        let severity = parse_severity(&severity)?;
        let version: Version = text(&version)?.parse().map_err(desc)?;
        let (vendor, product, device_version) = (event.vendor(), event.product(), event.device_version());
        let mut event = Event::new(vendor, product, device_version, event.event_class_id(), event.name(), severity)
            .map_err(desc)?
            .with_version(version)
            .into_owned();
        for (key, value) in values {
            event.push(key, value).map_err(desc)?;
        }
        Ok(event)
    };
    Ok(build())
}

fn pair(entry: &Value) -> Result<(&str, &Value), String> {
    match entry.as_array().map(Vec::as_slice) {
        Some([Value::String(key), value]) => Ok((key, value)),
        _ => Err(format!("not a [key, value] pair: {entry}")),
    }
}

fn full_name(file: &str, key: &str) -> String {
    let short = matches!(file, "cefevent" | "format_cef")
        .then(|| FULL_NAMES.iter().find(|(full, _)| *full == key).map(|(_, short)| *short))
        .flatten();
    short.unwrap_or(key).to_string()
}

/// A severity given as text (exact E6 spelling) or as a number (a level).
fn parse_severity(value: &Value) -> Result<Severity, String> {
    match value {
        Value::String(text) => text.parse().map_err(desc),
        Value::Number(n) => match n.as_u64().and_then(|n| u8::try_from(n).ok()) {
            Some(level) => Severity::from_level(level).map_err(desc),
            None => Err(format!("severity {n} is no level 0-10")),
        },
        other => Err(format!("no severity value for {other}")),
    }
}

/// The extension part of a rendered event: what follows the seventh `|`.
fn render_extension(event: Event<'_>) -> Result<String, String> {
    let line = event.to_string();
    let header = Event::new(
        event.vendor(),
        event.product(),
        event.device_version(),
        event.event_class_id(),
        event.name(),
        event.severity(),
    )
    .map_err(desc)?
    .with_version(event.version())
    .to_string();
    line.strip_prefix(&header).map(str::to_string).ok_or_else(|| format!("{line:?} does not start with {header:?}"))
}

/// `escape_header`, checked against the renderer in every header position.
fn encode_header_field(value: String) -> Result<String, String> {
    header_everywhere(&value)?;
    Ok(escape_header(&value))
}

/// Builds an event with `value` in each header position in turn: each must
/// be accepted and rendered as `escape_header(value)`.
fn header_everywhere(value: &str) -> Result<(), String> {
    let escaped = escape_header(value);
    for position in 0..5 {
        let mut fields = ["v", "p", "1", "id", "n"].map(String::from);
        fields[position] = value.to_string();
        let [a, b, c, d, e] = fields;
        let event = Event::new(a, b, c, d, e, Severity::LOW).map_err(desc)?;
        let mut written = ["v", "p", "1", "id", "n"].map(String::from);
        written[position] = escaped.clone();
        let want = format!("CEF:0|{}|Low|", written.join("|"));
        if event.to_string() != want {
            return Err(format!("renderer wrote {:?} but escape_header gives {want:?}", event.to_string()));
        }
    }
    Ok(())
}

/// `escape_value`, checked against the rendered pair.
fn encode_extension_value(value: &str) -> Result<String, String> {
    let escaped = escape_value(value);
    let mut event = Event::new("v", "p", "1", "id", "n", Severity::LOW).map_err(desc)?;
    event.push("k", value).map_err(desc)?;
    let line = event.to_string();
    if line != format!("CEF:0|v|p|1|id|n|Low|k={escaped}") {
        return Err(format!("renderer wrote {line:?} but escape_value gives {escaped:?}"));
    }
    Ok(escaped)
}

/// `expected: {"valid": bool}`: valid inputs parse and render back as given.
fn severity(input: &Value, expected: &Value) -> Result<Outcome, String> {
    let valid = expected.get("valid").and_then(Value::as_bool).ok_or("expected.valid is not a bool")?;
    let ours = match input {
        // An Event cannot be built without a Severity: there is no absent one.
        Value::Null => Err("no severity".to_string()),
        Value::String(text) => text.parse::<Severity>().map_err(desc).and_then(|severity| {
            if severity.as_str() == text {
                Ok(())
            } else {
                Err(format!("{text:?} parses but renders as {:?}", severity.as_str()))
            }
        }),
        other => return Err(format!("severity input is not a string: {other}")),
    };
    Ok(match (ours, valid) {
        (Ok(()), true) | (Err(_), false) => Outcome::Agree,
        (Ok(()), false) => Outcome::Disagree(format!("we accept {input}, peer refuses")),
        (Err(why), true) => Outcome::Disagree(format!("we refuse {input}: {why}; peer accepts")),
    })
}

/// format_cef's escaper. With `chars` it escapes `\` and the given
/// characters: `|` is the header escape (E1), `=` the value escape (E3), so
/// the equivalent is E1's escaper with `=` also escaped (the backslash of a
/// `\=` it adds can never be mistaken for an escaped backslash, as every
/// backslash of the input is already doubled). Caller-chosen escape
/// characters and length bounds have no equivalent.
fn escape_fn(kind: &str, input: &Value, expected: &Value) -> Result<Outcome, String> {
    let input = input.as_object().ok_or("input is not an object")?;
    only_keys(input, &["chars", "value", "escape_chars", "min_len", "max_len"], "input")?;
    if input.contains_key("escape_chars") || input.contains_key("min_len") || input.contains_key("max_len") {
        return Ok(Outcome::NoEquivalent(
            "format_cef's bounded-string sanitiser: caller-chosen escape characters and length bounds",
        ));
    }
    let chars = input.get("chars").and_then(Value::as_str).ok_or("no chars")?;
    let value = input.get("value").and_then(Value::as_str).ok_or("no value")?;
    if kind != "encode" || chars != "|=" {
        return Err(format!("no mapping for escape_fn {kind} with chars {chars:?}"));
    }
    compare_text(Ok(escape_header(value).replace('=', "\\=")), expected)
}
