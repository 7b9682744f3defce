//! The library's blocking syslog sender against real sockets on 127.0.0.1:
//! a TCP reader cutting frames with the library's decoder, a UDP socket,
//! and a refused entry reported alone.
#![cfg(feature = "syslog-sender")]

use std::io::Read;
use std::net::{TcpListener, UdpSocket};
use std::time::Duration;

use audit_cef::chrono::DateTime;
use audit_cef::syslog::{
    Endpoint, FrameDecoder, Framing, SendEvent, Sender, SenderOptions, decode_message, trim_datagram,
};

const ENTRIES: [&[u8]; 3] = [b"CEF:0|v|p|1|i|n|5|a=1", b"CEF:0|v|p|1|i|n|5|a=2 b=x y", b"CEF:0|v|p|1|i|n|5|a=3"];

fn options(framing: Framing) -> SenderOptions {
    SenderOptions { framing, hostname: Some("host".into()), app_name: Some("test".into()), ..SenderOptions::default() }
}

#[test]
fn tcp_frames_arrive_byte_for_byte_in_both_framings() {
    for framing in [Framing::OctetCounting, Framing::Lf] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = Endpoint::parse(&format!("syslog+tcp://{}", listener.local_addr().unwrap())).unwrap();
        let reader = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut bytes = Vec::new();
            stream.read_to_end(&mut bytes).unwrap();
            bytes
        });
        let mut sender = Sender::new(endpoint, options(framing)).unwrap();
        let mut events = Vec::new();
        let mut entries = ENTRIES.to_vec();
        entries.insert(1, b"two\nlines");
        sender.send(&entries, DateTime::UNIX_EPOCH, &mut |event| events.push(event.to_string()));
        sender.close().unwrap();
        drop(sender);
        let bytes = reader.join().unwrap();
        let mut decoder = FrameDecoder::new(4096);
        decoder.push(&bytes);
        let mut received = Vec::new();
        while let Some(frame) = decoder.next_frame() {
            received.push(decode_message(frame.unwrap()).unwrap().entry.to_vec());
        }
        assert_eq!(received, ENTRIES, "{framing:?}");
        assert_eq!(events.len(), 1, "{events:?}");
        assert!(events[0].contains("cannot be sent over syslog"), "{events:?}");
    }
}

#[test]
fn udp_sends_one_datagram_per_entry_and_refuses_what_does_not_fit() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let endpoint = Endpoint::parse(&format!("syslog+udp://{}", socket.local_addr().unwrap())).unwrap();
    let mut sender = Sender::new(endpoint, options(Framing::OctetCounting)).unwrap();
    let huge = vec![b'x'; 70_000];
    let mut events = Vec::new();
    let mut entries = ENTRIES.to_vec();
    entries.push(&huge);
    sender.send(&entries, DateTime::UNIX_EPOCH, &mut |event| events.push(event));
    assert!(matches!(events.as_slice(), [SendEvent::TooLargeForUdp { len: 70_000 }]), "{events:?}");
    let mut buf = vec![0u8; 65_536];
    for expected in ENTRIES {
        let len = socket.recv(&mut buf).unwrap();
        assert_eq!(decode_message(trim_datagram(&buf[..len])).unwrap().entry, expected);
    }
    let counts = sender.counts();
    assert_eq!((counts.taken, counts.delivered, counts.failed), (4, 3, 1));
}

#[test]
fn a_refused_connection_is_retried_then_given_up() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let endpoint = Endpoint::parse(&format!("syslog+tcp://127.0.0.1:{port}")).unwrap();
    let retry = audit_cef::webhook::RetryPolicy::KONNECT
        .max_retries(2)
        .waits(Duration::from_millis(5), Duration::from_millis(10))
        .jitter_percent(0);
    let mut sender = Sender::new(endpoint, SenderOptions { retry, ..options(Framing::Lf) }).unwrap();
    let mut events = Vec::new();
    sender.send(&ENTRIES, DateTime::UNIX_EPOCH, &mut |event| events.push(event));
    assert!(
        matches!(
            events.as_slice(),
            [SendEvent::Retrying { .. }, SendEvent::Retrying { .. }, SendEvent::GaveUp { entries: 3, .. }]
        ),
        "{events:?}"
    );
    assert_eq!((sender.counts().failed, sender.counts().reconnects), (3, 2));
    assert!(Endpoint::parse("https://x/").is_err() && Endpoint::parse("syslog+tcp://nohostport").is_err());
}
