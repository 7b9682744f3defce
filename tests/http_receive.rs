//! End-to-end tests of `cef receive`: the real binary listening on
//! 127.0.0.1, real clients (raw HTTP/1.1 over TCP, curl, gzip, openssl for
//! a TLS certificate), every wait bounded, every process killed at the end.
#![cfg(feature = "cli")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Fixture, Receiver, post, signed_lines};

#[test]
fn a_gzipped_batch_from_curl_is_verified_and_kept_byte_for_byte() {
    let fixture = Fixture::new("curl");
    let lines = signed_lines(&fixture, 250);
    let receiver = Receiver::start(&fixture, &[]);
    // The README's example, as a user types it.
    let entries = fixture.write("entries.cef", &lines);
    let status = Command::new("gzip").arg("-kf").arg(&entries).status().expect("gzip");
    assert!(status.success());
    let output = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-w", "\n%{http_code}", "--data-binary"])
        .arg(format!("@{}.gz", entries.display()))
        .args(["-H", "Content-Encoding: gzip", "-H", "Authorization: Bearer s3cret"])
        .arg(receiver.url())
        .output()
        .expect("curl");
    let answer = String::from_utf8_lossy(&output.stdout);
    assert!(answer.ends_with("\n200"), "curl got {answer:?} {}", String::from_utf8_lossy(&output.stderr));
    assert!(answer.starts_with("{\"verified\":250,\"rejected\":0}"), "{answer}");
    // On disk before the 200: the file holds every entry, exactly.
    assert_eq!(fixture.read("out.cef"), lines);
    assert_eq!(fixture.read("rejected.jsonl"), "");
    let verify = fixture.cef(&["verify", "--jwks", "k.jwks.json", "out.cef"]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}

#[test]
fn tampered_and_unsigned_entries_go_to_rejected_with_their_reason() {
    let fixture = Fixture::new("tamper");
    let lines = signed_lines(&fixture, 20);
    let mut body: Vec<String> = lines.lines().map(str::to_owned).collect();
    body[3] = body[3].replacen("trace_id=3", "trace_id=4", 1);
    body[7] = "CEF:0|v|p|1|c|n|1|src=10.0.0.1".to_owned();
    let text = body.join("\r\n") + "\r\n\r\n";
    let receiver = Receiver::start(&fixture, &[]);
    let (status, answer) = post(receiver.addr(), "Bearer s3cret", &[], text.as_bytes());
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer.trim(), "{\"verified\":18,\"rejected\":2}");
    let kept: Vec<String> = fixture.read("out.cef").lines().map(str::to_owned).collect();
    let expected: Vec<String> =
        body.iter().enumerate().filter(|(i, _)| *i != 3 && *i != 7).map(|(_, l)| l.clone()).collect();
    assert_eq!(kept, expected, "verified entries in body order, CRLF and blank lines gone");
    let rejected: Vec<serde_json::Value> =
        fixture.read("rejected.jsonl").lines().map(|line| serde_json::from_str(line).expect("json line")).collect();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0]["kind"], "no_key_matches");
    assert_eq!(rejected[0]["entry"], body[3].as_str());
    assert_eq!(rejected[1]["kind"], "unsigned");
    assert_eq!(rejected[1]["entry"], body[7].as_str());
    assert!(rejected[0]["peer"].as_str().is_some_and(|peer| peer.starts_with("127.0.0.1:")));
}

#[test]
fn requests_that_fail_a_check_get_their_status_and_store_nothing() {
    let fixture = Fixture::new("checks");
    let lines = signed_lines(&fixture, 5);
    let receiver =
        Receiver::start(&fixture, &["--max-body", "20000", "--max-inflated", "1000000", "--max-entry-len", "600"]);
    let addr = receiver.addr();
    // Wrong, missing and differently cased credentials.
    assert_eq!(post(addr, "Bearer wrong", &[], lines.as_bytes()).0, 401);
    assert_eq!(post(addr, "", &[], lines.as_bytes()).0, 401);
    assert_eq!(post(addr, "bearer s3cret", &[], lines.as_bytes()).0, 401);
    // Not a POST.
    let (status, _) =
        common::request(addr, "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 405);
    // A broken gzip stream.
    assert_eq!(post(addr, "Bearer s3cret", &[], b"\x1f\x8b\x08\x00junk").0, 400);
    // An encoding it does not read.
    assert_eq!(post(addr, "Bearer s3cret", &["Content-Encoding: br"], lines.as_bytes()).0, 415);
    // Over the body limit, declared or not.
    let big = "x".repeat(25_000);
    assert_eq!(post(addr, "Bearer s3cret", &[], big.as_bytes()).0, 413);
    // An entry over --max-entry-len.
    let long = format!("{}\n", "y".repeat(700));
    assert_eq!(post(addr, "Bearer s3cret", &[], long.as_bytes()).0, 413);
    // A gzip bomb: 10 MB of zeros in about 10 KB, refused having inflated no more than 1 MB.
    let bomb = common::gzip(&vec![b'0'; 10 << 20]);
    assert!(bomb.len() < 20_000, "bomb is {} bytes", bomb.len());
    assert_eq!(post(addr, "Bearer s3cret", &["Content-Encoding: gzip"], &bomb).0, 413);
    assert_eq!(fixture.read("out.cef"), "");
    assert_eq!(fixture.read("rejected.jsonl"), "");
    // And the listener still serves.
    assert_eq!(post(addr, "Bearer s3cret", &[], lines.as_bytes()).0, 200);
}

#[test]
fn a_slow_client_is_cut_off_and_others_are_served_meanwhile() {
    let fixture = Fixture::new("slow");
    let lines = signed_lines(&fixture, 3);
    let receiver = Receiver::start(&fixture, &["--header-timeout", "1", "--body-timeout", "1"]);
    // Headers that never end.
    let mut idle = TcpStream::connect(receiver.addr()).expect("connect");
    idle.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n").expect("write");
    // A body that never comes.
    let mut stalled = TcpStream::connect(receiver.addr()).expect("connect");
    stalled
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 100\r\n\r\nabc")
        .expect("write");
    assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], lines.as_bytes()).0, 200, "others are served");
    let started = Instant::now();
    for (name, stream) in [("headers", &mut idle), ("body", &mut stalled)] {
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let mut answer = Vec::new();
        // The server closes the connection: for the body with no answer
        // (Konnect retries a closed connection, never a 408).
        let read = stream.read_to_end(&mut answer);
        assert!(read.is_ok(), "{name}: the server did not close the connection: {read:?}");
        if name == "body" {
            assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
        }
    }
    assert!(started.elapsed() < Duration::from_secs(8), "cut off after {:?}", started.elapsed());
}

#[test]
fn concurrent_senders_all_land_each_batch_in_order() {
    let fixture = Fixture::new("concurrent");
    let lines = signed_lines(&fixture, 400);
    let all: Vec<&str> = lines.lines().collect();
    let receiver = Receiver::start(&fixture, &[]);
    let addr = receiver.addr();
    std::thread::scope(|scope| {
        for batch in all.chunks(25) {
            let body = batch.join("\n") + "\n";
            scope.spawn(move || {
                let gz = common::gzip(body.as_bytes());
                let (status, answer) = post(addr, "Bearer s3cret", &["Content-Encoding: gzip"], &gz);
                assert_eq!(status, 200, "{answer}");
            });
        }
    });
    let kept = fixture.read("out.cef");
    let kept: Vec<&str> = kept.lines().collect();
    assert_eq!(kept.len(), all.len(), "every entry once");
    let mut sorted = kept.clone();
    sorted.sort_unstable();
    let mut expected = all.clone();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
    // Each batch's 25 entries are contiguous and in their order.
    for batch in all.chunks(25) {
        let first = kept.iter().position(|line| *line == batch[0]).expect("batch start");
        assert_eq!(&kept[first..first + batch.len()], batch);
    }
}

#[test]
fn sigterm_finishes_and_exits_zero_with_a_summary() {
    let fixture = Fixture::new("sigterm");
    let lines = signed_lines(&fixture, 10);
    let mut receiver = Receiver::start(&fixture, &[]);
    assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], lines.as_bytes()).0, 200);
    let (status, stderr) = receiver.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("1 requests stored: 10 entries verified, 0 rejected"), "{stderr}");
}

#[test]
fn https_with_a_pem_certificate_and_key() {
    let fixture = Fixture::new("tls");
    let lines = signed_lines(&fixture, 8);
    common::self_signed_cert(&fixture);
    let receiver = Receiver::start(
        &fixture,
        &[
            "--tls-cert",
            fixture.path("tls.crt").to_str().unwrap(),
            "--tls-key",
            fixture.path("tls.key").to_str().unwrap(),
        ],
    );
    assert!(receiver.url().starts_with("https://"));
    let curl = |extra: &[&str]| {
        let body = fixture.write("tls-body.cef", &lines);
        Command::new("curl")
            .args(["-sS", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}"])
            .args(extra)
            .arg("--data-binary")
            .arg(format!("@{}", body.display()))
            .args(["-H", "Authorization: Bearer s3cret"])
            .arg(receiver.url())
            .output()
            .expect("curl")
    };
    let trusted = curl(&["--cacert", fixture.path("tls.crt").to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&trusted.stdout), "200", "{}", String::from_utf8_lossy(&trusted.stderr));
    // Plain HTTP to the TLS port gets no answer.
    let plain = Command::new("curl")
        .args(["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "x"])
        .arg(receiver.url().replace("https://", "http://"))
        .output()
        .expect("curl");
    assert_ne!(String::from_utf8_lossy(&plain.stdout), "200");
    assert_eq!(fixture.read("out.cef"), lines);
}

/// Serves the fixture's JWKS once from an HTTP server on 127.0.0.1: its URL
/// and the server's thread.
fn serve_jwks_once(fixture: &Fixture) -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let jwks_url = format!("http://{}/jwks.json", listener.local_addr().expect("addr"));
    let jwks = fixture.read("k.jwks.json");
    let server = std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut head = [0u8; 1024];
            let _ = stream.read(&mut head);
            let _ =
                write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{jwks}", jwks.len());
        }
    });
    (jwks_url, server)
}

#[test]
fn the_jwks_can_be_a_url() {
    let fixture = Fixture::new("jwks-url");
    let lines = signed_lines(&fixture, 4);
    let (jwks_url, server) = serve_jwks_once(&fixture);
    let receiver = Receiver::start_with_jwks(&fixture, &jwks_url, &[]);
    server.join().expect("jwks server");
    assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], lines.as_bytes()).0, 200);
    assert_eq!(fixture.read("out.cef"), lines);
}

/// `cef verify --jwks URL` fetches the keys as `receive` does (it once
/// read the URL as a file name).
#[test]
fn verify_takes_a_jwks_url_too() {
    let fixture = Fixture::new("verify-jwks-url");
    fixture.write("signed.cef", &signed_lines(&fixture, 3));
    let (jwks_url, server) = serve_jwks_once(&fixture);
    let verify = fixture.cef(&["verify", "--jwks", &jwks_url, "signed.cef"]);
    server.join().expect("jwks server");
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    assert_eq!(String::from_utf8_lossy(&verify.stdout).matches(": ok kid=").count(), 3);
}

/// Each request is one line on stderr as it happens (the peer, the
/// answer, the counts and the kinds of rejection; never an entry's text or
/// the credential), and none with --quiet.
#[test]
fn each_request_is_one_line_on_stderr_unless_quiet() {
    let fixture = Fixture::new("request-lines");
    let lines = signed_lines(&fixture, 4);
    let tampered = lines.replacen("trace_id=3", "trace_id=4", 1);
    let mut receiver = Receiver::start(&fixture, &[]);
    assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], tampered.as_bytes()).0, 200);
    assert_eq!(post(receiver.addr(), "Bearer nope-xyz", &[], lines.as_bytes()).0, 401);
    let (_, stderr) = receiver.terminate();
    let said: Vec<&str> = stderr.lines().filter(|line| line.contains(": 127.0.0.1:")).collect();
    assert_eq!(said.len(), 2, "{stderr}");
    assert!(said[0].contains(r#"200 {"verified":3,"rejected":1} rejected: no_key_matches 1"#), "{stderr}");
    assert!(said[1].contains("401 missing or wrong Authorization header"), "{stderr}");
    assert!(!stderr.contains("trace_id") && !stderr.contains("s3cret") && !stderr.contains("nope-xyz"), "{stderr}");
    let mut quiet = Receiver::start(&fixture, &["--quiet"]);
    assert_eq!(post(quiet.addr(), "Bearer s3cret", &[], lines.as_bytes()).0, 200);
    let (_, stderr) = quiet.terminate();
    assert!(!stderr.contains(": 127.0.0.1:"), "{stderr}");
}

/// With --checkpoints, a missing checkpoint is said when it is found, not
/// only in the report at the exit.
#[test]
fn a_checkpoint_gap_is_said_when_it_is_found() {
    let fixture = Fixture::new("gap-now");
    let lines: String = (0..40)
        .map(|i| {
            format!("2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|trace_id={i}\n")
        })
        .collect();
    fixture.write("plain.cef", &lines);
    let signed = fixture.cef(&["sign", "--key", "k.pem", "--checkpoint-every", "10", "plain.cef"]);
    assert!(signed.status.success());
    let signed = String::from_utf8(signed.stdout).expect("utf-8");
    // Drop the second checkpoint (line 22: 10 entries, a checkpoint, 10 entries, a checkpoint).
    let kept: Vec<&str> = signed.lines().enumerate().filter(|(i, _)| *i != 21).map(|(_, l)| l).collect();
    assert!(signed.lines().nth(21).is_some_and(|line| line.contains("audit-cef.checkpoint")));
    let mut receiver = Receiver::start(&fixture, &["--checkpoints"]);
    let body = kept.join("\n") + "\n";
    assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], body.as_bytes()).0, 200);
    let (status, stderr) = receiver.terminate();
    assert_eq!(status.code(), Some(1), "{stderr}");
    let found = stderr.find("completeness so far: 1 checkpoint gaps").unwrap_or_else(|| panic!("{stderr}"));
    let stopping = stderr.find("stopping").unwrap_or_else(|| panic!("{stderr}"));
    assert!(found < stopping, "said only at the exit: {stderr}");
}
