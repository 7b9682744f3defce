//! Criterion benches: audit_cef against the naive encoder/decoder that other
//! CEF libraries hand-write (`String::replace` chains, `format!`, owned
//! strings in a `HashMap`), in the same group so the reports compare them.
//!
//! Groups: `render/konnect`, `render/escapes`, `parse/konnect`,
//! `parse/escapes`, `escape/value`. Every pair of implementations is checked
//! once, outside timing, to give the same result on the benched input.
//!
//! Run: `cargo bench --bench cef` (add `-- --warm-up-time 1 --measurement-time 3`
//! for a quicker, noisier run).

#[path = "../tests/oracle/mod.rs"]
mod oracle;

use std::collections::HashMap;
use std::hint::black_box;

use audit_cef::{Event, Parser, Severity};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The data of one event, held as plain strings: the input of both encoders.
struct Data {
    prefix: &'static str,
    vendor: &'static str,
    product: &'static str,
    device_version: &'static str,
    event_class_id: &'static str,
    name: &'static str,
    /// As the header writes it.
    severity: &'static str,
    pairs: &'static [(&'static str, &'static str)],
}

/// Kong's documented Konnect authorization entry (konnect.md section 1), without `sig`.
const KONNECT_LINE: &str = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4";

const KONNECT: Data = Data {
    prefix: "2025-06-18T21:02:36Z konghq.com",
    vendor: "KongInc",
    product: "Konnect",
    device_version: "1.0",
    event_class_id: "konnect",
    name: "Authz.control-planes",
    severity: "1",
    pairs: &[
        ("rt", "1750280466889"),
        ("src", "127.0.0.6"),
        ("action", "list"),
        ("granted", "true"),
        ("org_id", "777db3e4-5cb7-4dd5-b51c-9878096a6999"),
        ("principal_id", "eb999f01-5976-4f4b-9fbc-dd5d514bd675"),
        ("trace_id", "3959872677347089807"),
        ("user_agent", "grpc-node-js/1.12.4"),
    ],
};

fn severity(data: &Data) -> Severity {
    data.severity.parse().expect("bench data holds valid severities")
}

/// A line dense with escapes: `|` and `\` in the header; `=`, `\`, LF and CR
/// in values; plus `|`, TAB and spaces in values, which are written as they are.
const ESCAPES: Data = Data {
    prefix: "Jun 18 21:02:36 edr-01.corp.example",
    vendor: "Acme|Security\\Labs",
    product: "Sentinel|EDR",
    device_version: "4.2\\beta|rc1",
    event_class_id: "proc|create\\child",
    name: "Blocked C:\\Windows\\System32\\cmd.exe | spawned by winword.exe",
    severity: "Very-High",
    pairs: &[
        ("rt", "1750280466889"),
        ("filePath", "C:\\Windows\\System32\\drivers\\etc\\hosts"),
        ("cs1Label", "payload=base64"),
        ("cs1", "aGVsbG8gd29ybGQ9PT0/dGhpcyBpcyBhIHRlc3Q=="),
        ("msg", "first line\r\nsecond line\nthird line\rwith a=b and c\\d and e\\\\f"),
        ("request", "https://example.com/a?b=c&d=e|f=g"),
        ("cmd", "cmd.exe /c \"echo a=1 \\n b=2\"\tdone"),
        ("suser", "CORP\\svc_backup"),
        ("cs2", "C:\\new\\rtm\\=x"),
        ("empty", ""),
        ("dpt", "443"),
    ],
};

fn event(data: &Data) -> Event<'static> {
    let mut event =
        Event::new(data.vendor, data.product, data.device_version, data.event_class_id, data.name, severity(data))
            .and_then(|event| event.with_prefix(data.prefix))
            .expect("valid header");
    for &(key, value) in data.pairs {
        event.push(key, value).expect("valid key");
    }
    event
}

// ---------------------------------------------------------------------------
// The naive encoder: the shape of hand-written CEF encoders in other libraries.

/// The same event as plain owned strings, as a naive library holds it.
struct NaiveEvent {
    prefix: String,
    vendor: String,
    product: String,
    device_version: String,
    event_class_id: String,
    name: String,
    severity: String,
    extensions: Vec<(String, String)>,
}

impl NaiveEvent {
    fn new(data: &Data) -> NaiveEvent {
        NaiveEvent {
            prefix: data.prefix.to_string(),
            vendor: data.vendor.to_string(),
            product: data.product.to_string(),
            device_version: data.device_version.to_string(),
            event_class_id: data.event_class_id.to_string(),
            name: data.name.to_string(),
            severity: data.severity.to_string(),
            extensions: data.pairs.iter().map(|&(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }
}

fn naive_escape_header(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|")
}

fn naive_escape_value(text: &str) -> String {
    text.replace('\\', "\\\\").replace('=', "\\=").replace('\n', "\\n").replace('\r', "\\r")
}

fn naive_render(event: &NaiveEvent) -> String {
    let extension = event
        .extensions
        .iter()
        .map(|(k, v)| format!("{k}={}", naive_escape_value(v)))
        .collect::<Vec<String>>()
        .join(" ");
    format!(
        "{} CEF:0|{}|{}|{}|{}|{}|{}|{}",
        event.prefix,
        naive_escape_header(&event.vendor),
        naive_escape_header(&event.product),
        naive_escape_header(&event.device_version),
        naive_escape_header(&event.event_class_id),
        naive_escape_header(&event.name),
        event.severity,
        extension
    )
}

// ---------------------------------------------------------------------------
// The naive decoder: owned strings, `replace` chains, a `HashMap` of pairs.

#[derive(Debug, PartialEq, Eq)]
struct NaiveLine {
    prefix: Option<String>,
    /// Version, vendor, product, device version, event class id, name, severity.
    header: Vec<String>,
    extension: HashMap<String, String>,
}

/// `\\` is parked on a NUL first so that `\\n` does not become `\` + LF.
fn naive_unescape_header(text: &str) -> String {
    text.replace("\\\\", "\u{0}").replace("\\|", "|").replace('\u{0}', "\\")
}

fn naive_unescape_value(text: &str) -> String {
    text.replace("\\\\", "\u{0}").replace("\\=", "=").replace("\\n", "\n").replace("\\r", "\r").replace('\u{0}', "\\")
}

fn is_key_start(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn is_key_char(byte: u8) -> bool {
    is_key_start(byte) || matches!(byte, b'.' | b',' | b'-' | b'[' | b']')
}

fn naive_parse(bytes: &[u8]) -> Option<NaiveLine> {
    let text = String::from_utf8(bytes.to_vec()).ok()?;
    let text = text.trim_end_matches(['\r', '\n']);
    let start = text.find("CEF:")?;
    let prefix = (start > 0).then(|| text[..start].strip_suffix(' ').unwrap_or(&text[..start]).to_string());
    let cef = &text[start + 4..];

    // Header: seven fields, each ended by a `|` not taken by a backslash.
    let mut header = Vec::with_capacity(7);
    let mut field_start = 0;
    let mut escaped = false;
    let mut extension_start = None;
    for (at, c) in cef.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '|' => {
                header.push(naive_unescape_header(&cef[field_start..at]));
                field_start = at + 1;
                if header.len() == 7 {
                    extension_start = Some(at + 1);
                    break;
                }
            }
            _ => {}
        }
    }
    let extension = match extension_start {
        Some(at) => cef[at..].trim_end_matches([' ', '\t', '\r', '\n']),
        None if header.len() == 6 => {
            header.push(naive_unescape_header(&cef[field_start..]));
            ""
        }
        None => return None,
    };

    // Keys: every `=` preceded by a key token that starts the extension or follows a space.
    let ext = extension.as_bytes();
    let mut keys: Vec<(usize, usize)> = Vec::new();
    for (equals, _) in extension.match_indices('=') {
        let mut key_start = equals;
        while key_start > 0 && is_key_char(ext[key_start - 1]) {
            key_start -= 1;
        }
        if key_start < equals && is_key_start(ext[key_start]) && (key_start == 0 || ext[key_start - 1] == b' ') {
            keys.push((key_start, equals));
        }
    }
    let mut pairs = HashMap::new();
    for (index, &(key_start, equals)) in keys.iter().enumerate() {
        let value_end = keys.get(index + 1).map_or(extension.len(), |&(next, _)| next - 1);
        pairs.insert(extension[key_start..equals].to_string(), naive_unescape_value(&extension[equals + 1..value_end]));
    }
    Some(NaiveLine { prefix, header, extension: pairs })
}

/// What audit_cef decodes, in the naive decoder's shape, for the fairness check.
fn audit_cef_as_naive(bytes: &[u8]) -> NaiveLine {
    let line = Parser::new().parse(bytes).expect("audit_cef parses the line");
    assert_eq!(line.unparsed(), None);
    NaiveLine {
        prefix: line.prefix().map(str::to_string),
        header: [
            line.version(),
            line.vendor(),
            line.product(),
            line.device_version(),
            line.event_class_id(),
            line.name(),
            line.severity_str(),
        ]
        .map(str::to_string)
        .to_vec(),
        extension: line.pairs().map(|p| (p.key().to_string(), p.value().into_owned())).collect(),
    }
}

// ---------------------------------------------------------------------------
// Benches.

fn render_group(c: &mut Criterion, group_name: &str, data: &Data) -> Vec<u8> {
    let event = event(data);
    let naive_event = NaiveEvent::new(data);
    let mut buf = Vec::with_capacity(4096);
    event.render_into(&mut buf);
    let expected = buf.clone();
    assert_eq!(naive_render(&naive_event).as_bytes(), &expected[..], "{group_name}: naive and audit_cef differ");

    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(expected.len() as u64));
    group.bench_function("audit_cef", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&event).render_into(&mut buf);
            black_box(&buf);
        })
    });
    group.bench_function("naive", |b| b.iter(|| black_box(naive_render(black_box(&naive_event)))));
    group.finish();
    expected
}

fn parse_group(c: &mut Criterion, group_name: &str, bytes: &[u8], n_pairs: usize) {
    let naive = naive_parse(bytes).expect("naive parses the line");
    assert_eq!(naive, audit_cef_as_naive(bytes), "{group_name}: naive and audit_cef decode differently");
    assert_eq!(naive.extension.len(), n_pairs, "{group_name}: pair count");

    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("audit_cef", |b| {
        b.iter(|| {
            let line = Parser::new().parse(black_box(bytes)).expect("parses");
            black_box(line.prefix());
            black_box(line.version());
            black_box(line.vendor());
            black_box(line.product());
            black_box(line.device_version());
            black_box(line.event_class_id());
            black_box(line.name());
            black_box(line.severity());
            for pair in line.pairs() {
                black_box(pair.key());
                black_box(pair.value());
            }
        })
    });
    group.bench_function("naive", |b| b.iter(|| black_box(naive_parse(black_box(bytes)))));
    group.finish();
}

fn render(c: &mut Criterion) {
    let konnect = render_group(c, "render/konnect", &KONNECT);
    assert_eq!(konnect, KONNECT_LINE.as_bytes(), "render/konnect: not Kong's documented line");
    render_group(c, "render/escapes", &ESCAPES);
}

fn parse(c: &mut Criterion) {
    parse_group(c, "parse/konnect", KONNECT_LINE.as_bytes(), KONNECT.pairs.len());
    let escapes = event(&ESCAPES).to_vec();
    parse_group(c, "parse/escapes", &escapes, ESCAPES.pairs.len());
}

fn escape(c: &mut Criterion) {
    // 1 KiB of log text with a few escapes: `=`, `\`, LF, CR.
    let mut value = String::with_capacity(1024);
    let mut index = 0;
    while value.len() < 1024 {
        match index % 16 {
            3 => value.push_str("key=value "),
            7 => value.push_str("C:\\Temp "),
            11 => value.push_str("line\r\n"),
            _ => value.push_str("the quick brown fox jumps over the lazy dog "),
        }
        index += 1;
    }
    value.truncate(1024);
    assert_eq!(audit_cef::escape_value(&value), oracle::escape_value_reference(&value));

    let mut group = c.benchmark_group("escape/value");
    group.throughput(Throughput::Bytes(value.len() as u64));
    group.bench_function("audit_cef", |b| b.iter(|| black_box(audit_cef::escape_value(black_box(&value)))));
    group.bench_function("reference", |b| b.iter(|| black_box(oracle::escape_value_reference(black_box(&value)))));
    group.finish();
}

criterion_group!(benches, render, parse, escape);
criterion_main!(benches);
