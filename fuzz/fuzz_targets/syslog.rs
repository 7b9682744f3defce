//! Arbitrary bytes pushed in arbitrary pieces into a syslog FrameDecoder
//! with an arbitrary limit, every frame (and the whole input, as a
//! datagram) read as a message: never panics, the decoder never holds more
//! than its limit (plus the last push before draining), frames respect the
//! limit, a message is its header followed by its entry, and each entry
//! that can be sent again comes back whole through encode, frame, decode.
#![no_main]

use arbitrary::Arbitrary;
use audit_cef::ErrorKind;
use audit_cef::syslog::{
    FrameDecoder, Framing, Header, SyslogFormat, decode_message, encode_frame, encode_message, trim_datagram,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    max: u16,
    sizes: Vec<u8>,
    stream: &'a [u8],
}

/// Checks one message; sends its entry again in both formats and framings.
fn check_message(message: &[u8]) {
    let received = match decode_message(message) {
        Ok(received) => received,
        Err(err) => {
            assert!(err.offset().is_none_or(|at| at <= message.len()), "offset past the message: {err:?}");
            return;
        }
    };
    assert!(!received.entry.is_empty());
    assert_eq!([received.header, received.entry].concat(), message);
    for format in [SyslogFormat::Rfc5424, SyslogFormat::Rfc3164] {
        let mut again = Vec::new();
        match encode_message(format, received.priority, &Header::default(), received.entry, &mut again) {
            Ok(()) => {}
            Err(err) if matches!(err.kind(), ErrorKind::LineBreakInEntry | ErrorKind::AmbiguousEntry) => continue,
            Err(err) => panic!("a received entry cannot be sent again: {err}"),
        }
        for framing in [Framing::OctetCounting, Framing::Lf] {
            let mut stream = Vec::new();
            encode_frame(framing, &again, &mut stream).expect("an encoded message frames");
            let mut decoder = FrameDecoder::new(again.len());
            decoder.push(&stream);
            let frame = decoder.next_frame().expect("a whole frame").expect("a valid frame");
            let back = decode_message(frame).expect("an encoded message decodes");
            assert_eq!((back.priority, back.format, back.entry), (received.priority, format, received.entry));
            assert!(decoder.next_frame().is_none());
            assert!(decoder.finish().is_none());
        }
    }
}

fuzz_target!(|input: Input<'_>| {
    let max = usize::from(input.max);
    let mut decoder = FrameDecoder::new(max);
    let mut rest = input.stream;
    let mut sizes = input.sizes.iter().map(|&n| usize::from(n).max(1)).cycle();
    while !rest.is_empty() {
        let (piece, after) = rest.split_at(sizes.next().unwrap_or(rest.len()).min(rest.len()));
        rest = after;
        decoder.push(piece);
        assert!(decoder.buffered() <= max + piece.len());
        while let Some(frame) = decoder.next_frame() {
            if let Ok(frame) = frame {
                assert!(!frame.is_empty() && frame.len() <= max);
                let frame = frame.to_vec();
                check_message(&frame);
            }
        }
        assert!(decoder.buffered() <= max);
    }
    let _ = decoder.finish();
    assert_eq!(decoder.buffered(), 0);
    check_message(trim_datagram(input.stream));
});
