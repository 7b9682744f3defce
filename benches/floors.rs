//! The floors issue 24 measures against, in the same run as the crate: a
//! hand-tuned writer of Kong's documented authorization event (prefix and
//! header copied, values through a 256-entry escape table that copies clean
//! runs in bulk, integers by hand, UUIDs through a hex table, nothing
//! checked), and a zero-copy parser (the seven header pipes found with
//! memchr, escaped ones skipped; extensions cut at each ` key=` with memchr
//! on `=` and a step back to the space; a value unescaped only when it
//! holds a backslash), each pair's key and value touched. The floor parser
//! collects the pairs into a `Vec` (one allocation a line), as a
//! hand-written parser that returns them does.

use std::borrow::Cow;
use std::hint::black_box;
use std::net::IpAddr;

use audit_cef::konnect::DOCUMENTED_AUTHZ;
use audit_cef::uuid::Uuid;
use audit_cef::{AuditEvent, AuditEventBuilder, Authorization, Family, Parser};
use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The application's values.
struct Values {
    time: DateTime<Utc>,
    service: &'static str,
    resource: &'static str,
    action: &'static str,
    granted: bool,
    rt: i64,
    src: IpAddr,
    org_id: Uuid,
    principal_id: Uuid,
    trace_id: u64,
    user_agent: &'static str,
}

fn values() -> Values {
    Values {
        time: Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).single().expect("time"),
        service: "konnect",
        resource: "control-planes",
        action: "list",
        granted: true,
        rt: 1_750_280_466_889,
        src: [127, 0, 0, 6].into(),
        org_id: "777db3e4-5cb7-4dd5-b51c-9878096a6999".parse().expect("uuid"),
        principal_id: "eb999f01-5976-4f4b-9fbc-dd5d514bd675".parse().expect("uuid"),
        trace_id: 3_959_872_677_347_089_807,
        user_agent: "grpc-node-js/1.12.4",
    }
}

/// Which bytes an extension value escapes: `\`, `=`, CR and LF.
const ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    table[b'\\' as usize] = true;
    table[b'=' as usize] = true;
    table[b'\r' as usize] = true;
    table[b'\n' as usize] = true;
    table
};

/// Appends `value`, escaped, copying clean runs in bulk.
fn push_value(out: &mut Vec<u8>, value: &[u8]) {
    let mut start = 0;
    for (at, &byte) in value.iter().enumerate() {
        if ESCAPED[byte as usize] {
            out.extend_from_slice(&value[start..at]);
            match byte {
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\n' => out.extend_from_slice(b"\\n"),
                other => out.extend_from_slice(&[b'\\', other]),
            }
            start = at + 1;
        }
    }
    out.extend_from_slice(&value[start..]);
}

/// Appends `n` in decimal.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Appends a UUID in its hyphenated form through a hex table.
fn push_uuid(out: &mut Vec<u8>, uuid: &Uuid) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (at, byte) in uuid.as_bytes().iter().enumerate() {
        if matches!(at, 4 | 6 | 8 | 10) {
            out.push(b'-');
        }
        out.push(HEX[(byte >> 4) as usize]);
        out.push(HEX[(byte & 15) as usize]);
    }
}

/// The hand-tuned writer: the documented line, nothing checked.
fn hand_tuned(out: &mut Vec<u8>, v: &Values, time: &[u8; 20]) {
    out.extend_from_slice(time);
    out.extend_from_slice(b" konghq.com CEF:0|KongInc|Konnect|1.0|");
    out.extend_from_slice(v.service.as_bytes());
    out.extend_from_slice(b"|Authz.");
    out.extend_from_slice(v.resource.as_bytes());
    out.extend_from_slice(b"|1|rt=");
    push_u64(out, v.rt.unsigned_abs());
    out.extend_from_slice(b" src=");
    match v.src {
        IpAddr::V4(ip) => {
            for (at, octet) in ip.octets().iter().enumerate() {
                if at > 0 {
                    out.push(b'.');
                }
                push_u64(out, u64::from(*octet));
            }
        }
        IpAddr::V6(ip) => out.extend_from_slice(ip.to_string().as_bytes()),
    }
    out.extend_from_slice(b" action=");
    push_value(out, v.action.as_bytes());
    out.extend_from_slice(if v.granted { b" granted=true org_id=" } else { b" granted=false org_id=" });
    push_uuid(out, &v.org_id);
    out.extend_from_slice(b" principal_id=");
    push_uuid(out, &v.principal_id);
    out.extend_from_slice(b" trace_id=");
    push_u64(out, v.trace_id);
    out.extend_from_slice(b" user_agent=");
    push_value(out, v.user_agent.as_bytes());
}

/// What the zero-copy parser gives: the header fields and the pairs.
struct Parsed<'a> {
    header: [&'a [u8]; 8],
    pairs: Vec<(&'a [u8], Cow<'a, [u8]>)>,
}

/// The zero-copy parser: pipes by memchr (skipping escaped ones), pairs cut
/// at each ` key=`, values unescaped only when they hold a backslash; the
/// bytes of every field, touched.
fn zero_copy(line: &[u8]) -> usize {
    let Some(start) = memchr::memmem::find(line, b"CEF:") else { return 0 };
    let mut header: [&[u8]; 8] = [&[]; 8];
    let mut at = start;
    for field in header.iter_mut().take(7) {
        let mut search = at;
        let pipe = loop {
            let Some(found) = memchr::memchr(b'|', &line[search..]) else { return 0 };
            let pipe = search + found;
            if pipe > 0 && line[pipe - 1] == b'\\' {
                search = pipe + 1;
                continue;
            }
            break pipe;
        };
        *field = &line[at..pipe];
        at = pipe + 1;
    }
    let extension = &line[at..];
    let mut parsed = Parsed { header, pairs: Vec::with_capacity(16) };
    let mut key_start = 0;
    let mut cursor = 0;
    let mut pending: Option<(usize, usize)> = None;
    while let Some(found) = memchr::memchr(b'=', &extension[cursor..]) {
        let equals = cursor + found;
        if equals > 0 && extension[equals - 1] == b'\\' {
            cursor = equals + 1;
            continue;
        }
        // The key runs back from `=` to the space before it.
        let key_begin =
            memchr::memrchr(b' ', &extension[key_start..equals]).map_or(key_start, |space| key_start + space + 1);
        if let Some((k0, k1)) = pending.take() {
            let value_end = key_begin.saturating_sub(1);
            push_pair(&mut parsed, &extension[k0..k1], &extension[k1 + 1..value_end.max(k1 + 1)]);
        }
        pending = Some((key_begin, equals));
        key_start = equals + 1;
        cursor = equals + 1;
    }
    if let Some((k0, k1)) = pending {
        push_pair(&mut parsed, &extension[k0..k1], &extension[k1 + 1..]);
    }
    // Touch every field.
    let mut touched = parsed.header.iter().map(|field| field.len()).sum::<usize>();
    for (key, value) in &parsed.pairs {
        touched += key.len() + value.len();
    }
    touched
}

fn push_pair<'a>(parsed: &mut Parsed<'a>, key: &'a [u8], value: &'a [u8]) {
    let value = if memchr::memchr(b'\\', value).is_some() {
        let mut owned = Vec::with_capacity(value.len());
        let mut bytes = value.iter();
        while let Some(&byte) = bytes.next() {
            if byte == b'\\' {
                match bytes.next() {
                    Some(b'n') => owned.push(b'\n'),
                    Some(b'r') => owned.push(b'\r'),
                    Some(&other) => owned.push(other),
                    None => owned.push(b'\\'),
                }
            } else {
                owned.push(byte);
            }
        }
        Cow::Owned(owned)
    } else {
        Cow::Borrowed(value)
    };
    parsed.pairs.push((key, value));
}

/// The builder for the application's values, as an application fills it
/// (inlined, as in the application's own code).
#[inline(always)]
fn builder(v: &Values) -> AuditEventBuilder<'static> {
    let check = Authorization::new(v.service, v.resource, v.action, v.granted).expect("check");
    AuditEvent::builder(Family::Authorization(check))
        .time(v.time)
        .rt(v.rt)
        .src(v.src)
        .org_id(v.org_id)
        .principal_id(v.principal_id)
        .trace_id(v.trace_id)
        .user_agent(v.user_agent)
}

fn render(c: &mut Criterion) {
    let v = values();
    let mut time = [0u8; 20];
    time.copy_from_slice(v.time.format("%Y-%m-%dT%H:%M:%SZ").to_string().as_bytes());
    let mut buf = Vec::with_capacity(1024);
    hand_tuned(&mut buf, &v, &time);
    assert_eq!(buf, DOCUMENTED_AUTHZ.as_bytes(), "the floor writes Kong's documented line");
    let prebuilt = builder(&v).build().expect("event");
    let mut group = c.benchmark_group("floors/render_authz");
    group.throughput(Throughput::Bytes(buf.len() as u64));
    group.bench_function("hand-tuned writer (floor)", |b| {
        b.iter(|| {
            buf.clear();
            hand_tuned(&mut buf, black_box(&v), black_box(&time));
            black_box(&buf);
        })
    });
    group.bench_function("audit_cef render prebuilt", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&prebuilt).render_cef_into(&mut buf);
            black_box(&buf);
        })
    });
    group.bench_function("audit_cef build in place + render", |b| {
        b.iter(|| {
            buf.clear();
            builder(black_box(&v)).build_in_place().expect("event").render_cef_into(&mut buf);
            black_box(&buf);
        })
    });
    group.finish();
}

fn parse(c: &mut Criterion) {
    let line = DOCUMENTED_AUTHZ.as_bytes();
    let expected: usize = {
        let parsed = Parser::new().parse(line).expect("parse");
        parsed.pairs().map(|pair| pair.key().len() + pair.value().len()).sum()
    };
    assert!(zero_copy(line) > expected, "the floor reads every pair and header field");
    let parser = Parser::new();
    let mut group = c.benchmark_group("floors/parse_authz");
    group.throughput(Throughput::Bytes(line.len() as u64));
    group.bench_function("zero-copy memchr parser (floor)", |b| b.iter(|| black_box(zero_copy(black_box(line)))));
    group.bench_function("audit_cef parse, every pair touched", |b| {
        b.iter(|| {
            let parsed = parser.parse(black_box(line)).expect("parse");
            let touched: usize = parsed.pairs().map(|pair| pair.key().len() + pair.value().len()).sum();
            black_box(touched)
        })
    });
    group.finish();
}

criterion_group!(benches, render, parse);
criterion_main!(benches);
