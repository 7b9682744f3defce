//! End-to-end tests of CEF over syslog against real parts on 127.0.0.1:
//! `cef send` into syslog-ng (TCP and UDP `syslog()` sources writing
//! `$MSG`), util-linux `logger` into `cef receive`, junk on a TCP listener,
//! senders beyond `--max-connections`, and TLS between the two `cef` ends.
//! `tests/e2e/tools.sh` installs syslog-ng and logger. Every wait is
//! bounded; every process is killed.
#![cfg(feature = "cli")]

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Fixture, Receiver, signed_lines};

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Waits (bounded) until `name` in the fixture holds `lines` lines.
fn wait_for_lines(fixture: &Fixture, name: &str, lines: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = fixture.read(name);
        if text.lines().count() >= lines || Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A syslog-ng whose TCP and UDP `syslog()` sources on `port` (RFC 5424,
/// octet counting on TCP) and whose `network()` source on `lf_port` (RFC
/// 5424 records, LF-terminated) write each message's `$MSG` as one line of
/// `msg.log`; killed when dropped.
struct SyslogNg(Child);

impl SyslogNg {
    fn start(fixture: &Fixture, port: u16, lf_port: u16) -> SyslogNg {
        let dir = fixture.path("");
        let dir = dir.display();
        let config = format!(
            "@version: 3.38\n\
             options {{ chain-hostnames(no); keep-hostname(yes); log-msg-size(65536); }};\n\
             source s_net {{\n\
               syslog(ip(127.0.0.1) port({port}) transport(\"tcp\") max-connections(16) log-msg-size(65536));\n\
               syslog(ip(127.0.0.1) port({port}) transport(\"udp\") log-msg-size(65536) so-rcvbuf(1048576));\n\
               network(ip(127.0.0.1) port({lf_port}) transport(\"tcp\") flags(syslog-protocol) log-msg-size(65536));\n\
             }};\n\
             destination d_msg {{ file(\"{dir}/msg.log\" template(\"${{MSG}}\\n\") template-escape(no)); }};\n\
             log {{ source(s_net); destination(d_msg); flags(flow-control); }};\n"
        );
        fixture.write("syslog-ng.conf", &config);
        let child = Command::new("syslog-ng")
            .args(["-F", "--no-caps", "-f"])
            .arg(fixture.path("syslog-ng.conf"))
            .arg("-R")
            .arg(fixture.path("syslog-ng.persist"))
            .arg("-p")
            .arg(fixture.path("syslog-ng.pid"))
            .arg("-c")
            .arg(fixture.path("syslog-ng.ctl"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("syslog-ng (run tests/e2e/tools.sh to install it)");
        // Ready once its TCP source accepts.
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "syslog-ng did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        SyslogNg(child)
    }
}

impl Drop for SyslogNg {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn cef_send_into_syslog_ng_arrives_byte_for_byte_over_tcp_and_udp() {
    let fixture = Fixture::new("syslog-ng");
    let lines = signed_lines(&fixture, 200);
    fixture.write("signed.cef", &lines);
    let (port, lf_port) = (free_port(), free_port());
    let _syslog_ng = SyslogNg::start(&fixture, port, lf_port);
    // RFC 5424 with octet counting over TCP: the defaults.
    let tcp = format!("syslog+tcp://127.0.0.1:{port}");
    let sent = fixture.cef(&["send", "--endpoint", &tcp, "signed.cef"]);
    assert_eq!(sent.status.code(), Some(0), "{}", String::from_utf8_lossy(&sent.stderr));
    assert_eq!(wait_for_lines(&fixture, "msg.log", 200), lines, "every entry, in order, exactly");
    // LF-terminated records into a network() source.
    let lf = format!("syslog+tcp://127.0.0.1:{lf_port}");
    let sent = fixture.cef(&["send", "--endpoint", &lf, "--framing", "lf", "signed.cef"]);
    assert_eq!(sent.status.code(), Some(0), "{}", String::from_utf8_lossy(&sent.stderr));
    assert_eq!(wait_for_lines(&fixture, "msg.log", 400), lines.repeat(2));
    // UDP: one datagram each. A burst larger than the socket buffer would
    // lose datagrams (that is UDP), so a batch that fits.
    let few: String = lines.lines().take(40).map(|line| format!("{line}\n")).collect();
    fixture.write("few.cef", &few);
    let udp = format!("syslog+udp://127.0.0.1:{port}");
    let sent = fixture.cef(&["send", "--endpoint", &udp, "few.cef"]);
    assert_eq!(sent.status.code(), Some(0), "{}", String::from_utf8_lossy(&sent.stderr));
    let got = wait_for_lines(&fixture, "msg.log", 440);
    let mut udp_got: Vec<&str> = got.lines().skip(400).collect();
    udp_got.sort_unstable();
    let mut expected: Vec<&str> = few.lines().collect();
    expected.sort_unstable();
    assert_eq!(udp_got, expected, "never altered");
    let verify = fixture.cef(&["verify", "--jwks", "k.jwks.json", "msg.log"]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}

/// `cef receive` on a syslog transport, with `out.cef` and `rejected.jsonl`.
fn syslog_receiver(fixture: &Fixture, listen: &str, extra: &[&str]) -> Receiver {
    let mut args = vec!["receive", "--listen", listen, "--jwks", "k.jwks.json", "--out", "out.cef"];
    args.extend(["--rejected", "rejected.jsonl"]);
    args.extend_from_slice(extra);
    Receiver::spawn(fixture, &args)
}

#[test]
fn logger_into_cef_receive_every_entry_verified_a_tampered_one_rejected() {
    let modes: [&[&str]; 4] = [
        &["--udp", "--rfc5424"],
        &["--udp", "--rfc3164"],
        &["--tcp", "--octet-count", "--rfc5424"],
        &["--tcp", "--octet-count", "--rfc3164"],
    ];
    for mode in modes {
        let fixture = Fixture::new(&format!("logger{}", mode.join("")));
        let lines = signed_lines(&fixture, 20);
        let mut entries: Vec<String> = lines.lines().map(str::to_owned).collect();
        entries[4] = entries[4].replacen("trace_id=", "trace_id=7", 1);
        fixture.write("entries.cef", &(entries.join("\n") + "\n"));
        let scheme = if mode[0] == "--udp" { "syslog+udp" } else { "syslog+tcp" };
        let receiver = syslog_receiver(&fixture, &format!("{scheme}://127.0.0.1:0"), &[]);
        let port = receiver.addr().port().to_string();
        let status = Command::new("logger")
            .args(["--server", "127.0.0.1", "--port", &port, "--size", "4096", "--tag", "audit"])
            .args(mode)
            .arg("-f")
            .arg(fixture.path("entries.cef"))
            .status()
            .expect("logger (run tests/e2e/tools.sh to install it)");
        assert!(status.success(), "{mode:?}");
        let expected: String =
            entries.iter().enumerate().filter(|(i, _)| *i != 4).map(|(_, l)| format!("{l}\n")).collect();
        let got = wait_for_lines(&fixture, "out.cef", 19);
        let rejected = wait_for_lines(&fixture, "rejected.jsonl", 1);
        assert_eq!(got, expected, "{mode:?}");
        assert_eq!(rejected.lines().count(), 1, "{mode:?}: {rejected}");
        assert!(
            rejected.contains("no_key_matches") && rejected.contains(&entries[4].replace('"', "\\\"")),
            "{rejected}"
        );
    }
}

#[test]
fn junk_on_a_tcp_listener_never_stops_it() {
    let fixture = Fixture::new("junk");
    let lines = signed_lines(&fixture, 3);
    let entries: Vec<&str> = lines.lines().collect();
    let receiver = syslog_receiver(&fixture, "syslog+tcp://127.0.0.1:0", &["--max-entry-len", "2048"]);
    let send = |bytes: &[u8]| {
        let mut stream = TcpStream::connect(receiver.addr()).expect("connect");
        stream.write_all(bytes).expect("write");
    };
    let mut stream = Vec::new();
    stream.extend_from_slice(b"99999999999999 far too long a count\n"); // a huge count
    stream.extend_from_slice(b"12x not a count\n"); // a count without its space
    stream.extend_from_slice(b"<13>1 - - - - - - \xff\xfe not UTF-8\n"); // bytes that are not text
    stream.extend_from_slice(format!("<13>1 2025-01-01T00:00:00Z host app - - - {}\n", entries[0]).as_bytes());
    let frame = format!("<13>1 - host app - - - {}", entries[1]);
    stream.extend_from_slice(format!("{} {frame}", frame.len()).as_bytes());
    send(&stream);
    // A frame cut short when its connection ends.
    send(b"500 <13>1 - - - - - - cut");
    // A new connection after all that.
    send(format!("<13>{}\n", entries[2]).as_bytes());
    let got = wait_for_lines(&fixture, "out.cef", 3);
    let mut got: Vec<&str> = got.lines().collect();
    got.sort_unstable();
    let mut expected = entries.clone();
    expected.sort_unstable();
    assert_eq!(got, expected, "every valid entry verified");
    let rejected = fixture.read("rejected.jsonl");
    assert!(rejected.contains("entry_base64") || rejected.contains("not UTF-8"), "{rejected}");
}

#[test]
fn cef_send_to_cef_receive_over_tls() {
    let fixture = Fixture::new("syslog-tls");
    let lines = signed_lines(&fixture, 50);
    fixture.write("signed.cef", &lines);
    common::self_signed_cert(&fixture);
    let receiver =
        syslog_receiver(&fixture, "syslog+tls://127.0.0.1:0", &["--tls-cert", "tls.crt", "--tls-key", "tls.key"]);
    let endpoint = format!("syslog+tls://127.0.0.1:{}", receiver.addr().port());
    let untrusted = fixture.cef(&["send", "--endpoint", &endpoint, "--retries", "0", "signed.cef"]);
    assert_eq!(untrusted.status.code(), Some(1), "an unknown certificate is refused");
    let sent = fixture.cef(&["send", "--endpoint", &endpoint, "--ca", "tls.crt", "signed.cef"]);
    assert_eq!(sent.status.code(), Some(0), "{}", String::from_utf8_lossy(&sent.stderr));
    assert_eq!(wait_for_lines(&fixture, "out.cef", 50), lines);
}

#[test]
fn an_entry_too_large_for_a_datagram_is_an_error_for_that_entry_only() {
    let fixture = Fixture::new("udp-large");
    let small = signed_lines(&fixture, 2);
    let large = format!("CEF:0|Acme|App|1.0|big|Big|3|msg={}\n", "x".repeat(70_000));
    fixture.write("big-plain.cef", &large);
    let signed = fixture.cef(&["sign", "--key", "k.pem", "big-plain.cef"]);
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    let big = String::from_utf8(signed.stdout).expect("utf-8");
    fixture.write("mixed.cef", &format!("{small}{big}"));
    let receiver = syslog_receiver(&fixture, "syslog+udp://127.0.0.1:0", &[]);
    let endpoint = format!("syslog+udp://127.0.0.1:{}", receiver.addr().port());
    let sent = fixture.cef(&["send", "--endpoint", &endpoint, "mixed.cef"]);
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert_eq!(sent.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("does not fit in a UDP datagram"), "{stderr}");
    assert!(stderr.contains("sent 3 entries: 2 delivered, 1 not delivered"), "{stderr}");
    let mut got: Vec<String> = wait_for_lines(&fixture, "out.cef", 2).lines().map(str::to_owned).collect();
    got.sort_unstable();
    let mut expected: Vec<String> = small.lines().map(str::to_owned).collect();
    expected.sort_unstable();
    assert_eq!(got, expected, "the others went, whole");
}

#[test]
fn checkpoints_travel_over_syslog_and_the_receiver_confirms_the_stream() {
    let fixture = Fixture::new("syslog-checkpoints");
    let plain: String = (0..150).map(|i| format!("CEF:0|Acme|App|1.0|login|User login|3|suser=u{i}\n")).collect();
    fixture.write("plain.cef", &plain);
    let receiver = syslog_receiver(&fixture, "syslog+tcp://127.0.0.1:0", &["--checkpoints"]);
    let endpoint = format!("syslog+tcp://127.0.0.1:{}", receiver.addr().port());
    let signed = fixture.cef(&["sign", "--key", "k.pem", "--checkpoint-every", "50", "plain.cef"]);
    assert!(signed.status.success());
    fixture.write("stream.cef", &String::from_utf8(signed.stdout).expect("utf-8"));
    let sent = fixture.cef(&["send", "--endpoint", &endpoint, "stream.cef"]);
    assert_eq!(sent.status.code(), Some(0), "{}", String::from_utf8_lossy(&sent.stderr));
    wait_for_lines(&fixture, "out.cef", 153);
    let mut receiver = receiver;
    let (status, stderr) = receiver.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("\"confirmed\":150,\"missing\":0"), "{stderr}");
}

#[test]
fn senders_beyond_max_connections_wait_until_one_goes() {
    let fixture = Fixture::new("syslog-max-connections");
    let entry = signed_lines(&fixture, 1);
    let receiver = syslog_receiver(&fixture, "syslog+tcp://127.0.0.1:0", &["--max-connections", "2"]);
    // Two senders hold their connections, each with half a frame.
    let mut holding: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = TcpStream::connect(receiver.addr()).expect("connect");
            stream.write_all(b"60 <13>1 - host app - - - half").expect("write");
            stream
        })
        .collect();
    // A third is taken by the kernel's backlog, but not read...
    let mut third = TcpStream::connect(receiver.addr()).expect("connect");
    third.write_all(format!("<13>1 - host app - - - {entry}").as_bytes()).expect("write");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(fixture.read("out.cef"), "", "a third connection was read beyond --max-connections 2");
    // ...until one of the two goes.
    holding.pop();
    assert_eq!(wait_for_lines(&fixture, "out.cef", 1), entry);
}
