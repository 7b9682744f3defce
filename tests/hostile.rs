//! Hostile clients cannot hold what other senders need: connections from
//! one address are capped (`--max-connections-per-ip`), so idle sockets
//! from 127.0.0.1 do not delay a sender from 127.0.0.2; an idle syslog
//! connection is closed after `--idle-timeout`; authentication cannot be
//! turned off by an empty value. The real binary, on loopback only.
#![cfg(feature = "cli")]

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Fixture, Receiver, post, signed_lines};

/// Whether the server closes `stream` within `within` (reads end).
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).expect("timeout");
    let mut byte = [0u8; 1];
    matches!(stream.read(&mut byte), Ok(0))
}

#[test]
fn idle_connections_from_one_address_do_not_delay_another_over_http() {
    let fixture = Fixture::new("per-ip-http");
    let lines = signed_lines(&fixture, 3);
    fixture.write("body.cef", &lines);
    let receiver = Receiver::start(&fixture, &["--max-connections", "4", "--max-connections-per-ip", "3"]);
    // 127.0.0.1 opens its share and more, and sends nothing.
    let mut idle: Vec<TcpStream> = (0..5).map(|_| TcpStream::connect(receiver.addr()).expect("connect")).collect();
    // Beyond its share, a connection is closed at once.
    assert!(closed_within(&mut idle[4], Duration::from_secs(2)), "the fifth from one address was kept");
    assert!(closed_within(&mut idle[3], Duration::from_secs(2)), "the fourth from one address was kept");
    // Another address is served at once.
    let started = Instant::now();
    let output = Command::new("curl")
        .args(["-sS", "--interface", "127.0.0.2", "--max-time", "10", "-w", "\n%{http_code}", "--data-binary"])
        .arg(format!("@{}", fixture.path("body.cef").display()))
        .args(["-H", "Authorization: Bearer s3cret"])
        .arg(receiver.url())
        .output()
        .expect("curl");
    let elapsed = started.elapsed();
    let answer = String::from_utf8_lossy(&output.stdout);
    assert!(answer.ends_with("\n200"), "{answer} {}", String::from_utf8_lossy(&output.stderr));
    assert!(elapsed < Duration::from_secs(1), "a sender from 127.0.0.2 waited {elapsed:?}");
    drop(idle);
}

#[test]
fn idle_syslog_connections_do_not_delay_another_address_and_are_closed_when_idle() {
    let fixture = Fixture::new("per-ip-syslog");
    let lines = signed_lines(&fixture, 1);
    let args = ["receive", "--listen", "syslog+tcp://127.0.0.1:0", "--jwks", "k.jwks.json", "--out", "out.cef"];
    let receiver = Receiver::spawn(
        &fixture,
        &[
            &args[..],
            &["--rejected", "rejected.jsonl", "--max-connections", "4", "--max-connections-per-ip", "3"],
            &["--idle-timeout", "2"],
        ]
        .concat(),
    );
    let mut idle: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(receiver.addr()).expect("connect")).collect();
    assert!(closed_within(&mut idle[3], Duration::from_secs(1)), "the fourth from one address was kept");
    // A sender from 127.0.0.2: its entry is stored within a second.
    let started = Instant::now();
    let sent = Command::new("python3")
        .arg("-c")
        .arg(
            "import socket, sys\n\
             s = socket.socket(); s.bind(('127.0.0.2', 0)); s.connect(('127.0.0.1', int(sys.argv[1])))\n\
             s.sendall(('<13>' + sys.argv[2] + '\\n').encode()); s.close()",
        )
        .arg(receiver.addr().port().to_string())
        .arg(lines.trim_end())
        .status()
        .expect("python3");
    assert!(sent.success());
    while fixture.read("out.cef") != lines {
        assert!(started.elapsed() < Duration::from_secs(1), "the entry from 127.0.0.2 waited {:?}", started.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    // The idle ones are closed after --idle-timeout (2 s), not held for ever.
    let waited = Instant::now();
    assert!(closed_within(&mut idle[0], Duration::from_secs(6)), "an idle syslog connection was kept");
    assert!(waited.elapsed() >= Duration::from_millis(500), "closed before its idle timeout");
}

#[test]
fn authentication_cannot_be_turned_off_by_an_empty_value() {
    let fixture = Fixture::new("empty-auth");
    let lines = signed_lines(&fixture, 2);
    let base = ["receive", "--listen", "127.0.0.1:0", "--jwks", "k.jwks.json", "--out", "o", "--rejected", "r"];
    let empty = fixture.cef(&[&base[..], &["--authorization", ""]].concat());
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("--authorization is empty"));
    // --no-auth is the deliberate way: any request is taken, on loopback without a warning.
    let receiver = Receiver::spawn(&fixture, &[&base[..], &["--no-auth"]].concat());
    assert_eq!(post(receiver.addr(), "", &[], lines.as_bytes()).0, 200);
    assert_eq!(post(receiver.addr(), "Bearer anything", &[], lines.as_bytes()).0, 200);
    // Syslog has no Authorization header: giving one is an error, not ignored.
    let syslog = ["receive", "--listen", "syslog+tcp://127.0.0.1:0", "--jwks", "k.jwks.json", "--out", "o"];
    let refused = fixture.cef(&[&syslog[..], &["--rejected", "r", "--authorization", "Bearer x"]].concat());
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("syslog has no Authorization header"));
}

/// A JWKS with more keys than --max-keys is refused at start: each extra key
/// adds to what an entry made to fail costs.
#[test]
fn a_jwks_over_max_keys_is_refused() {
    let fixture = Fixture::new("max-keys");
    let keys: Vec<String> = (0..3)
        .map(|i| {
            let made = fixture.cef(&["keygen", "--out", &format!("k{i}")]);
            assert!(made.status.success());
            let jwks: serde_json::Value =
                serde_json::from_str(&fixture.read(&format!("k{i}.jwks.json"))).expect("jwks");
            jwks["keys"][0].to_string()
        })
        .collect();
    fixture.write("three.jwks.json", &format!("{{\"keys\":[{}]}}", keys.join(",")));
    fixture.write("signed.cef", &signed_lines(&fixture, 1));
    let refused = fixture.cef(&["verify", "--max-keys", "2", "--jwks", "three.jwks.json", "signed.cef"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("3 usable keys, over --max-keys 2"));
    let base = ["receive", "--listen", "127.0.0.1:0", "--authorization", "x", "--out", "o", "--rejected", "r"];
    let refused = fixture.cef(&[&base[..], &["--jwks", "three.jwks.json", "--max-keys", "2"]].concat());
    assert_eq!(refused.status.code(), Some(2));
    let taken = fixture.cef(&["verify", "--max-keys", "3", "--jwks", "three.jwks.json", "signed.cef"]);
    assert_eq!(taken.status.code(), Some(1), "read, and the entry under another key fails");
}

/// Runs openssl in the fixture; panics with its stderr on failure.
fn openssl(fixture: &Fixture, args: &[&str]) {
    let made = Command::new("openssl").args(args).current_dir(fixture.path("")).output().expect("openssl");
    assert!(made.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&made.stderr));
}

/// With --client-ca, a TLS client must present a certificate that CA
/// issued: one without is refused in the handshake.
#[test]
fn client_certificates_are_required_with_client_ca() {
    let fixture = Fixture::new("mtls");
    let lines = signed_lines(&fixture, 2);
    fixture.write("body.cef", &lines);
    common::self_signed_cert(&fixture);
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(
        &fixture,
        &[
            &["req", "-x509"][..],
            &ec,
            &["-keyout", "ca.key", "-out", "ca.crt", "-days", "1"],
            &["-subj", "/CN=client CA"],
        ]
        .concat(),
    );
    openssl(
        &fixture,
        &[&["req"][..], &ec, &["-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=konnect"]].concat(),
    );
    // A v3 client certificate (webpki refuses v1 ones).
    fixture.write("client.ext", "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n");
    openssl(
        &fixture,
        &["x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1"]
            .into_iter()
            .chain(["-extfile", "client.ext", "-out", "client.crt"])
            .collect::<Vec<_>>(),
    );
    let path = |name: &str| fixture.path(name).to_str().expect("utf-8").to_owned();
    let receiver = Receiver::start(
        &fixture,
        &["--tls-cert", &path("tls.crt"), "--tls-key", &path("tls.key"), "--client-ca", &path("ca.crt")],
    );
    let curl = |extra: &[&str]| {
        let output = Command::new("curl")
            .args(["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", &path("tls.crt")])
            .args(extra)
            .arg("--data-binary")
            .arg(format!("@{}", path("body.cef")))
            .args(["-H", "Authorization: Bearer s3cret"])
            .arg(receiver.url())
            .output()
            .expect("curl");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert_eq!(curl(&["--cert", &path("client.crt"), "--key", &path("client.key")]), "200");
    assert_ne!(curl(&[]), "200", "a client without a certificate was let in");
    assert_ne!(curl(&["--cert", &path("tls.crt"), "--key", &path("tls.key")]), "200", "a certificate from another CA");
    assert_eq!(fixture.read("out.cef"), lines, "only the client with a certificate stored entries");
}

/// Forty small gzip bodies at once, each inflating to a megabyte of lines
/// that are all rejected: every one is answered 200, 413 or 429 within
/// 30 s, none left hanging, and the receiver's peak memory stays within
/// --max-memory plus 32 MiB (a 2 KB body once became a 12 MB --rejected
/// record set held in memory, uncounted).
#[test]
fn concurrent_bombs_of_rejected_entries_stay_within_the_memory_budget() {
    let fixture = Fixture::new("bombs");
    let limits = ["--max-body", "1048576", "--max-inflated", "4194304", "--max-entries", "50000"];
    let budget: u64 = 32 << 20;
    let receiver = Receiver::start(&fixture, &[&limits[..], &["--max-memory", &budget.to_string()]].concat());
    let line = format!("{}\n", "x".repeat(399));
    let body = common::gzip(line.repeat(2_500).as_bytes());
    assert!(body.len() < 20_000, "{}", body.len());
    let addr = receiver.addr();
    let started = Instant::now();
    let answers: Vec<u16> = std::thread::scope(|scope| {
        let posts: Vec<_> = (0..40)
            .map(|_| scope.spawn(|| post(addr, "Bearer s3cret", &["Content-Encoding: gzip"], &body).0))
            .collect();
        posts.into_iter().map(|post| post.join().expect("poster")).collect()
    });
    let elapsed = started.elapsed();
    assert!(answers.iter().all(|code| matches!(code, 200 | 413 | 429)), "{answers:?}");
    assert!(answers.contains(&200), "none got through: {answers:?}");
    assert!(elapsed < Duration::from_secs(30), "answered in {elapsed:?}");
    let peak = receiver.peak_rss();
    assert!(peak > 0, "no VmHWM");
    assert!(peak < budget + (32 << 20), "peak RSS {} MiB over a {} MiB budget", peak >> 20, budget >> 20);
    eprintln!(
        "40 bombs: {} answered 200, {} 429, in {elapsed:?}; peak RSS {} MiB",
        answers.iter().filter(|c| **c == 200).count(),
        answers.iter().filter(|c| **c == 429).count(),
        peak >> 20
    );
}

/// Over syslog there is no 429: a spent budget makes the stage wait and the
/// listener read more slowly, and every entry still lands.
#[test]
fn a_small_budget_slows_syslog_down_and_loses_nothing() {
    let fixture = Fixture::new("syslog-budget");
    let lines = signed_lines(&fixture, 300);
    let args = ["receive", "--listen", "syslog+tcp://127.0.0.1:0", "--jwks", "k.jwks.json", "--out", "out.cef"];
    let receiver =
        Receiver::spawn(&fixture, &[&args[..], &["--rejected", "r.jsonl", "--max-memory", "65536"]].concat());
    let framed: String = lines.lines().map(|line| format!("<13>{line}\n")).collect();
    let mut stream = TcpStream::connect(receiver.addr()).expect("connect");
    std::io::Write::write_all(&mut stream, framed.as_bytes()).expect("send");
    drop(stream);
    let started = Instant::now();
    while fixture.read("out.cef").lines().count() < 300 {
        assert!(started.elapsed() < Duration::from_secs(20), "{} stored", fixture.read("out.cef").lines().count());
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut kept: Vec<String> = fixture.read("out.cef").lines().map(str::to_owned).collect();
    let mut sent: Vec<String> = lines.lines().map(str::to_owned).collect();
    kept.sort();
    sent.sort();
    assert_eq!(kept, sent);
}
