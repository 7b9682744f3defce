//! Entries over syslog: encode -> frame -> push in any chunks -> decode
//! gives back each entry byte for byte; junk on a stream is reported and
//! what follows it decodes; an endless frame is never held; real captures
//! of util-linux `logger` decode to the entry that was logged.
#![cfg(feature = "syslog")]

use audit_cef::ErrorKind;
use audit_cef::chrono::{DateTime, Utc};
use audit_cef::syslog::{
    FrameDecoder, Framing, Header, Priority, SyslogFormat, decode_message, encode_frame, encode_message, trim_datagram,
};
use proptest::prelude::*;

/// What a receiver gets from a stream: each entry, or the error for a frame.
#[derive(Debug, PartialEq, Eq)]
enum Got {
    Entry(Vec<u8>),
    Error(ErrorKind),
}

/// Pushes `stream` in pieces of the given sizes (cycled), decodes every
/// frame as a message, and checks the memory bound after every push.
fn receive(max: usize, stream: &[u8], sizes: &[usize]) -> Vec<Got> {
    let mut decoder = FrameDecoder::new(max);
    let mut got = Vec::new();
    let mut rest = stream;
    let mut sizes = sizes.iter().copied().filter(|&n| n > 0).cycle();
    while !rest.is_empty() {
        let (piece, after) = rest.split_at(sizes.next().unwrap_or(rest.len()).min(rest.len()));
        rest = after;
        decoder.push(piece);
        assert!(decoder.buffered() <= max + piece.len(), "{} held after a push of {}", decoder.buffered(), piece.len());
        while let Some(frame) = decoder.next_frame() {
            got.push(match frame.and_then(decode_message) {
                Ok(received) => Got::Entry(received.entry.to_vec()),
                Err(err) => Got::Error(err.kind()),
            });
        }
        assert!(decoder.buffered() <= max, "{} held after draining", decoder.buffered());
    }
    got.extend(decoder.finish().map(|err| Got::Error(err.kind())));
    got
}

/// One framed message carrying `entry`.
fn framed(format: SyslogFormat, framing: Framing, entry: &[u8]) -> Vec<u8> {
    let (mut message, mut frame) = (Vec::new(), Vec::new());
    encode_message(format, Priority::DEFAULT, &Header::default(), entry, &mut message).unwrap();
    encode_frame(framing, &message, &mut frame).unwrap();
    frame
}

const ENTRY: &[u8] =
    b"CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list note=a\\=b";
const KONNECT: &[u8] = b"2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list note=a\\=b";

// --- properties ---------------------------------------------------------------

/// Entries: arbitrary bytes, or text made of what syslog headers are made
/// of (so that some look like an RFC 3164 header, `1 `, a BOM or a count);
/// never a CR or LF, never empty.
fn entry() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>().prop_filter("no line break", |b| *b != b'\n' && *b != b'\r'), 1..120),
        "(1 |<13>|Nov 29 23:29:42 |2025-06-18T21:02:36Z |\u{FEFF}|[0-9]{1,3} )?[a-zA-Z0-9 :\\[\\]<>|=\\\\.é-]{1,80}"
            .prop_map(String::into_bytes),
        Just(KONNECT.to_vec()),
    ]
}

fn field(max: usize) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(proptest::string::string_regex(&format!("[!-~]{{0,{max}}}")).unwrap())
}

fn header() -> impl Strategy<Value = (Option<DateTime<Utc>>, [Option<String>; 4])> {
    let time = proptest::option::of((-62_167_219_200i64..253_402_300_800, 0u32..1_000_000_000))
        .prop_map(|t| t.and_then(|(secs, nanos)| DateTime::from_timestamp(secs, nanos)));
    (time, [field(255), field(48), field(128), field(32)])
}

fn format() -> impl Strategy<Value = SyslogFormat> {
    prop_oneof![Just(SyslogFormat::Rfc5424), Just(SyslogFormat::Rfc3164)]
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![Just(Framing::OctetCounting), Just(Framing::Lf)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Any entries, header fields, priorities, formats and framings, one
    /// stream, cut into arbitrary pushes: each entry comes back exactly,
    /// in order, and the decoder never holds more than the limit.
    #[test]
    fn entries_come_back_whole_through_any_chunking(
        messages in proptest::collection::vec((entry(), header(), (0u8..24, 0u8..8), format(), framing()), 1..6),
        sizes in proptest::collection::vec(1usize..64, 1..8),
    ) {
        let mut stream = Vec::new();
        let mut sent = Vec::new();
        for (entry, (timestamp, [hostname, app_name, procid, msgid]), (facility, severity), format, framing) in &messages {
            let header = Header {
                timestamp: *timestamp,
                hostname: hostname.as_deref(),
                app_name: app_name.as_deref(),
                procid: procid.as_deref(),
                msgid: msgid.as_deref(),
            };
            let priority = Priority::new(*facility, *severity).unwrap();
            let mut message = Vec::new();
            match encode_message(*format, priority, &header, entry, &mut message) {
                Ok(()) => {}
                // Refused because it would not come back: check that it indeed would not.
                Err(err) if err.kind() == ErrorKind::AmbiguousEntry => {
                    let mut raw = format!("<{}>", priority.value()).into_bytes();
                    if *format == SyslogFormat::Rfc5424 {
                        raw.extend_from_slice(b"1 - - - - - - ");
                    }
                    raw.extend_from_slice(entry);
                    prop_assert_ne!(decode_message(&raw).map(|r| r.entry.to_vec()).ok(), Some(entry.clone()));
                    continue;
                }
                Err(err) => return Err(TestCaseError::fail(format!("{err}: {entry:?}"))),
            }
            let received = decode_message(&message).unwrap();
            prop_assert_eq!(received.priority, priority);
            prop_assert_eq!(received.format, *format);
            prop_assert_eq!([received.header, received.entry].concat(), message.clone());
            encode_frame(*framing, &message, &mut stream).unwrap();
            sent.push(Got::Entry(entry.clone()));
        }
        let max = stream.len().max(1);
        prop_assert_eq!(receive(max, &stream, &sizes), sent);
    }

    /// Arbitrary bytes in arbitrary pushes: no panic, the bound holds, and
    /// the decoder ends empty.
    #[test]
    fn arbitrary_streams_never_overfill_the_decoder(
        stream in proptest::collection::vec(prop_oneof![any::<u8>(), Just(b'\n'), Just(b' '), Just(b'<'), (b'0'..=b'9')], 0..400),
        sizes in proptest::collection::vec(1usize..50, 1..8),
        max in 0usize..40,
    ) {
        receive(max, &stream, &sizes);
    }
}

// --- junk on a stream -----------------------------------------------------------

#[test]
fn junk_is_reported_and_the_next_frame_decodes() {
    use ErrorKind::{FrameTooLong, InvalidFrame, InvalidPriority, TruncatedFrame};
    let junk: [(&[u8], &[ErrorKind]); 8] = [
        // A count over the limit, however many digits.
        (b"70000 <13>CEF:0|a\n", &[FrameTooLong]),
        (b"99999999999999999999999999999 <13>x\n", &[FrameTooLong]),
        // A count too short: the message is cut, the rest is a line with no PRI.
        (b"3 <13>abcdef\n", &[InvalidPriority, InvalidPriority]),
        // Not a count, not a message.
        (b"12x<13>abc\n", &[InvalidFrame]),
        (b"0 <13>abc\n", &[InvalidFrame]),
        (b"hello\n", &[InvalidPriority]),
        // Bytes that are not UTF-8 (with and without a PRI).
        (b"\xFF\xFE\x00\x80\n", &[InvalidPriority]),
        (b"<13>1 \xFF\xFE - - - - x\n", &[ErrorKind::InvalidSyslogHeader]),
    ];
    for (junk, errors) in junk {
        for format in [SyslogFormat::Rfc5424, SyslogFormat::Rfc3164] {
            for framing in [Framing::OctetCounting, Framing::Lf] {
                let stream = [junk, &framed(format, framing, KONNECT)].concat();
                let mut expected: Vec<Got> = errors.iter().map(|&kind| Got::Error(kind)).collect();
                expected.push(Got::Entry(KONNECT.to_vec()));
                for sizes in [&[1][..], &[3, 7], &[stream.len()]] {
                    assert_eq!(receive(65_536, &stream, sizes), expected, "{:?}", String::from_utf8_lossy(&stream));
                }
            }
        }
    }
    // A frame cut short when the stream ends.
    for cut in [&b"200 <13>1 - - - - - - CEF:0|"[..], b"<13>CEF:0|a|b", b"20"] {
        let stream = [&framed(SyslogFormat::Rfc5424, Framing::OctetCounting, ENTRY)[..], cut].concat();
        assert_eq!(receive(65_536, &stream, &[5]), [Got::Entry(ENTRY.to_vec()), Got::Error(TruncatedFrame)]);
    }
}

#[test]
fn an_endless_frame_is_never_held() {
    const MAX: usize = 64 * 1024;
    const PUSH: usize = 8 * 1024;
    let ten_mb = 10 * 1024 * 1024;
    for start in [&b"<13>"[..], b"9999999 <13>"] {
        let mut decoder = FrameDecoder::new(MAX);
        decoder.push(start);
        let mut errors = Vec::new();
        let chunk = vec![b'x'; PUSH];
        let mut most = 0;
        for _ in 0..ten_mb / PUSH {
            decoder.push(&chunk);
            most = most.max(decoder.buffered());
            assert!(decoder.buffered() <= MAX + PUSH);
            while let Some(frame) = decoder.next_frame() {
                errors.push(frame.map(<[u8]>::to_vec).map_err(|e| (e.kind(), e.offset())));
            }
            assert!(decoder.buffered() <= MAX);
        }
        assert_eq!(errors, [Err((ErrorKind::FrameTooLong, Some(0)))]);
        assert!(most <= MAX + PUSH, "{most}");
        decoder.push(b"\n");
        decoder.push(&framed(SyslogFormat::Rfc3164, Framing::OctetCounting, KONNECT));
        let frame = decoder.next_frame().unwrap().unwrap();
        assert_eq!(decode_message(frame).unwrap().entry, KONNECT);
        assert!(decoder.finish().is_none());
    }
}

// --- real captures --------------------------------------------------------------

/// A datagram `logger --udp` sent, and its format, priority, header and entry.
type Datagram = (&'static [u8], SyslogFormat, u8, &'static [u8], &'static [u8]);

#[test]
fn logger_datagrams_decode_to_the_logged_entry() {
    let cases: [Datagram; 5] = [
        (
            include_bytes!("data/syslog/udp_rfc5424.bin"),
            SyslogFormat::Rfc5424,
            13,
            b"<13>1 2026-11-29T23:29:41.704300+00:00 vm root - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] ",
            ENTRY,
        ),
        (
            include_bytes!("data/syslog/udp_rfc5424_tag_msgid_konnect.bin"),
            SyslogFormat::Rfc5424,
            133,
            b"<133>1 2026-11-29T23:29:42.014727+00:00 vm audit - ID47 [timeQuality tzKnown=\"1\" isSynced=\"0\"] ",
            KONNECT,
        ),
        (
            include_bytes!("data/syslog/udp_rfc3164.bin"),
            SyslogFormat::Rfc3164,
            13,
            b"<13>Nov 29 23:29:42 vm root: ",
            ENTRY,
        ),
        (
            include_bytes!("data/syslog/udp_rfc3164_tag_pid_konnect.bin"),
            SyslogFormat::Rfc3164,
            13,
            b"<13>Nov 29 23:29:42 vm audit[1146]: ",
            KONNECT,
        ),
        (
            include_bytes!("data/syslog/udp_rfc5424_notime_sd_konnect.bin"),
            SyslogFormat::Rfc5424,
            13,
            b"<13>1 - vm root - - [x@32473 a=\"q\\]z\"] ",
            KONNECT,
        ),
    ];
    for (datagram, format, pri, header, entry) in cases {
        let received = decode_message(trim_datagram(datagram)).unwrap();
        assert_eq!(
            (received.format, received.priority.value(), received.header, received.entry),
            (format, pri, header, entry),
            "{}",
            String::from_utf8_lossy(datagram)
        );
    }
}

/// Streams `logger --tcp` sent, with and without `--octet-count`.
#[test]
fn logger_streams_decode_to_the_logged_entries() {
    let cases: [(&[u8], &[&[u8]]); 5] = [
        (include_bytes!("data/syslog/tcp_octet_rfc5424.bin"), &[ENTRY]),
        (include_bytes!("data/syslog/tcp_lf_rfc5424_konnect.bin"), &[KONNECT]),
        (include_bytes!("data/syslog/tcp_octet_rfc3164_konnect.bin"), &[KONNECT]),
        (include_bytes!("data/syslog/tcp_lf_rfc3164_tag.bin"), &[ENTRY]),
        (include_bytes!("data/syslog/tcp_octet_rfc5424_two.bin"), &[ENTRY, KONNECT]),
    ];
    for (stream, entries) in cases {
        let expected: Vec<Got> = entries.iter().map(|e| Got::Entry(e.to_vec())).collect();
        for sizes in [&[1][..], &[2, 5, 11], &[stream.len()]] {
            assert_eq!(receive(8192, stream, sizes), expected, "{}", String::from_utf8_lossy(stream));
        }
    }
}

/// A capture's priority, header fields and entry, encoded again, give the
/// capture byte for byte but for the structured data (always `-` here).
#[test]
fn encoding_reproduces_a_logger_message() {
    let capture = include_bytes!("data/syslog/udp_rfc5424_notime_sd_konnect.bin");
    let received = decode_message(capture).unwrap();
    let mut again = Vec::new();
    let header = Header { hostname: Some("vm"), app_name: Some("root"), ..Header::default() };
    encode_message(SyslogFormat::Rfc5424, received.priority, &header, received.entry, &mut again).unwrap();
    let expected = String::from_utf8_lossy(capture).replace("[x@32473 a=\"q\\]z\"]", "-");
    assert_eq!(String::from_utf8_lossy(&again), expected);
}
