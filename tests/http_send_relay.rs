//! End-to-end tests of `cef send` and `cef relay` against a real `cef
//! receive` on 127.0.0.1: what is sent arrives verified and byte for byte,
//! a spool keeps what could not be delivered (across a kill), and the relay
//! never forwards a rejected entry.
#![cfg(feature = "cli")]

mod common;

use std::process::{Command, Stdio};

use common::{Fixture, Receiver, post, signed_lines};

/// `cef relay` on 127.0.0.1:0 taking `Bearer konnect`, forwarding to
/// `endpoint` with `Bearer s3cret`, rejected entries in
/// `relay-rejected.jsonl`, and `extra` arguments.
fn start_relay(fixture: &Fixture, endpoint: &str, extra: &[&str]) -> Receiver {
    let mut args = vec!["relay", "--listen", "127.0.0.1:0", "--authorization", "Bearer konnect"];
    args.extend(["--jwks", "k.jwks.json", "--rejected", "relay-rejected.jsonl", "--endpoint", endpoint]);
    args.extend(["--forward-authorization", "Bearer s3cret"]);
    args.extend_from_slice(extra);
    Receiver::spawn(fixture, &args)
}

/// A port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[test]
fn send_signs_batches_and_delivers_every_line_to_receive() {
    let fixture = Fixture::new("send");
    signed_lines(&fixture, 1); // writes nothing we use but proves the key works
    let plain: String =
        (0..450).map(|i| format!("CEF:0|Acme|App|1.0|login|User login|3|suser=u{i} act=login\n")).collect();
    fixture.write("plain.cef", &format!("{plain}\n"));
    let receiver = Receiver::start(&fixture, &[]);
    let sent = fixture.cef(&[
        "send",
        "--endpoint",
        &receiver.url(),
        "--authorization",
        "Bearer s3cret",
        "--key",
        "k.pem",
        "plain.cef",
    ]);
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert_eq!(sent.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("sent 450 entries: 450 delivered, 0 not delivered (5 batches"), "{stderr}");
    let kept = fixture.read("out.cef");
    assert_eq!(kept.lines().count(), 450);
    for (sent_line, kept_line) in plain.lines().zip(kept.lines()) {
        assert!(kept_line.starts_with(sent_line) && kept_line[sent_line.len()..].starts_with(" sig="), "{kept_line}");
    }
    let verify = fixture.cef(&["verify", "--jwks", "k.jwks.json", "out.cef"]);
    assert!(verify.status.success());
}

#[test]
fn send_with_a_spool_keeps_what_the_collector_did_not_take_and_delivers_it_next_run() {
    let fixture = Fixture::new("spool");
    let lines = signed_lines(&fixture, 120);
    fixture.write("signed.cef", &lines);
    let down = format!("http://127.0.0.1:{}/", closed_port());
    let first = fixture.cef(&[
        "send",
        "--endpoint",
        &down,
        "--authorization",
        "Bearer s3cret",
        "--spool",
        "spool",
        "--retries",
        "0",
        "signed.cef",
    ]);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("120 wait in the spool"), "{stderr}");
    // The collector is up now: a run with no new entries sends what waited.
    let receiver = Receiver::start(&fixture, &[]);
    let second = Command::new(env!("CARGO_BIN_EXE_cef"))
        .args(["send", "--endpoint", &receiver.url(), "--authorization", "Bearer s3cret", "--spool"])
        .arg(fixture.path("spool"))
        .stdin(Stdio::null())
        .output()
        .expect("cef send");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(0), "{stderr}");
    assert_eq!(fixture.read("out.cef"), lines, "every entry once, in order");
}

#[test]
fn send_without_a_spool_says_how_many_were_lost() {
    let fixture = Fixture::new("nospool");
    let lines = signed_lines(&fixture, 7);
    fixture.write("signed.cef", &lines);
    let down = format!("http://127.0.0.1:{}/", closed_port());
    let sent = fixture.cef(&["send", "--endpoint", &down, "--authorization", "x", "--retries", "1", "signed.cef"]);
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert_eq!(sent.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("sent 7 entries: 0 delivered, 7 not delivered"), "{stderr}");
    // And why: it once said nothing of the refused connection.
    assert!(
        stderr.contains("7 entries not delivered after 1 retries: connection refused: nothing listens at the endpoint"),
        "{stderr}"
    );
}

/// A collector that refuses the credential: the output names the 401 and
/// what it means, and the exit status is 1.
#[test]
fn send_says_the_collector_refused_the_authorization() {
    let fixture = Fixture::new("send-401");
    fixture.write("signed.cef", &signed_lines(&fixture, 3));
    let receiver = Receiver::start(&fixture, &[]);
    let sent = fixture.cef(&["send", "--endpoint", &receiver.url(), "--authorization", "Bearer wrong", "signed.cef"]);
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert_eq!(sent.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("3 entries not delivered: HTTP 401: the collector refused the Authorization"), "{stderr}");
    assert!(!stderr.contains("Bearer wrong"), "the credential never shows: {stderr}");
}

/// A collector that takes the batch but rejects entries in it (its answer
/// says so): they are reported as rejected, not delivered, and the exit
/// status is 1 (it once said `3 delivered` and exited 0).
#[test]
fn send_reports_entries_the_collector_rejected() {
    let fixture = Fixture::new("send-rejected");
    let lines = signed_lines(&fixture, 3);
    let tampered = lines.replacen("trace_id=3", "trace_id=4", 1);
    fixture.write("signed.cef", &tampered);
    let receiver = Receiver::start(&fixture, &[]);
    let sent = fixture.cef(&["send", "--endpoint", &receiver.url(), "--authorization", "Bearer s3cret", "signed.cef"]);
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert_eq!(sent.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("sent 3 entries: 2 delivered, 0 not delivered"), "{stderr}");
    assert!(stderr.contains("1 rejected by the collector"), "{stderr}");
}

/// A relay answers 200 before the SIEM has the entries: without a spool it
/// would lose them on a stop, so it needs one, or --no-spool said on purpose.
#[test]
fn a_relay_needs_a_spool_or_no_spool_said_on_purpose() {
    let fixture = Fixture::new("relay-needs-spool");
    let args = ["relay", "--listen", "127.0.0.1:0", "--authorization", "Bearer k", "--jwks", "k.jwks.json"];
    let rest = ["--rejected", "r.jsonl", "--endpoint", "http://127.0.0.1:9/", "--forward-authorization", ""];
    let refused = fixture.cef(&[&args[..], &rest[..]].concat());
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--spool DIR is required"));
    let relay = Receiver::spawn(&fixture, &[&args[..], &rest[..], &["--no-spool"]].concat());
    assert!(relay.preamble().iter().any(|line| line.contains("warning: --no-spool")), "{:?}", relay.preamble());
}

#[test]
fn relay_forwards_only_verified_entries_untouched() {
    let fixture = Fixture::new("relay");
    let lines = signed_lines(&fixture, 30);
    let siem = Receiver::start(&fixture, &[]);
    let relay = start_relay(&fixture, &siem.url(), &["--spool", "relay-spool"]);
    let mut body: Vec<String> = lines.lines().map(str::to_owned).collect();
    body[10] = body[10].replacen("trace_id=", "trace_id=9", 1);
    let text = body.join("\n") + "\n";
    let gz = common::gzip(text.as_bytes());
    // The relay checks its own credential, not the SIEM's.
    assert_eq!(post(relay.addr(), "Bearer s3cret", &["Content-Encoding: gzip"], &gz).0, 401);
    let (status, answer) = post(relay.addr(), "Bearer konnect", &["Content-Encoding: gzip"], &gz);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer.trim(), "{\"verified\":29,\"rejected\":1}");
    // Delivery is in the background: wait (bounded) for the SIEM's file.
    let expected: String =
        body.iter().enumerate().filter(|(i, _)| *i != 10).map(|(_, line)| format!("{line}\n")).collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while fixture.read("out.cef") != expected && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(fixture.read("out.cef"), expected, "verified entries forwarded byte for byte");
    assert!(fixture.read("relay-rejected.jsonl").contains("no_key_matches"));
    assert_eq!(fixture.read("rejected.jsonl"), "", "the SIEM got nothing it would reject");
}

#[test]
fn relay_spool_survives_a_kill_while_the_siem_is_down() {
    let fixture = Fixture::new("relay-kill");
    let lines = signed_lines(&fixture, 40);
    let siem_port = closed_port();
    let siem_url = format!("http://127.0.0.1:{siem_port}/");
    let relay = start_relay(&fixture, &siem_url, &["--spool", "relay-spool"]);
    let (status, _) = post(relay.addr(), "Bearer konnect", &[], lines.as_bytes());
    assert_eq!(status, 200, "acknowledged: synced in the spool");
    drop(relay); // SIGKILL: no drain, no flush.
    // The SIEM comes up on its port; a new relay on the same spool delivers.
    let siem_listen = format!("127.0.0.1:{siem_port}");
    let siem = Receiver::spawn(
        &fixture,
        &[
            "receive",
            "--listen",
            &siem_listen,
            "--authorization",
            "Bearer s3cret",
            "--jwks",
            "k.jwks.json",
            "--out",
            "out.cef",
            "--rejected",
            "rejected.jsonl",
        ],
    );
    let _relay = start_relay(&fixture, &siem_url, &["--spool", "relay-spool"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while fixture.read("out.cef").lines().count() < 40 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(fixture.read("out.cef"), lines, "every acknowledged entry, once, in order");
    drop(siem);
}

#[test]
fn receive_and_relay_report_completeness_per_stream_from_checkpoints() {
    let fixture = Fixture::new("completeness");
    let plain: String = (0..250).map(|i| format!("CEF:0|Acme|App|1.0|login|User login|3|suser=u{i}\n")).collect();
    fixture.write("plain.cef", &plain);
    let signed = fixture.cef(&["sign", "--key", "k.pem", "--checkpoint-every", "100", "plain.cef"]);
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    let stream = String::from_utf8(signed.stdout).expect("utf-8");
    assert_eq!(stream.lines().count(), 253, "250 entries and 3 checkpoints");
    // Whole, through a relay into a receiver: both confirm every entry.
    let siem = Receiver::start(&fixture, &["--checkpoints"]);
    let mut relay = start_relay(&fixture, &siem.url(), &["--checkpoints", "--no-spool"]);
    assert_eq!(post(relay.addr(), "Bearer konnect", &[], stream.as_bytes()).0, 200);
    let (status, stderr) = relay.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("\"confirmed\":250,\"missing\":0"), "{stderr}");
    assert!(stderr.contains("3 checkpoints, 250 confirmed, 0 missing"), "{stderr}");
    let mut siem = siem;
    let (status, stderr) = siem.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("\"confirmed\":250,\"missing\":0"), "{stderr}");
    // One entry dropped on the way: the receiver names it and exits 1.
    let cut: Vec<&str> = stream.lines().enumerate().filter(|(i, _)| *i != 42).map(|(_, l)| l).collect();
    let mut receiver = Receiver::start(&fixture, &["--checkpoints"]);
    assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], (cut.join("\n") + "\n").as_bytes()).0, 200);
    let (status, stderr) = receiver.terminate();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("\"missing\":1"), "{stderr}");
    assert!(stderr.contains("missing: stream") && stderr.contains("checkpoint 0 position 42"), "{stderr}");
}

/// The SIEM is down when the entries come in, and comes back 17 s later:
/// the relay delivers every entry it acknowledged, without a restart
/// (it once gave up after about 15 s and kept them for the next start).
#[test]
fn a_relay_delivers_everything_once_the_siem_is_back_without_a_restart() {
    let fixture = Fixture::new("siem-back");
    let lines = signed_lines(&fixture, 30);
    let port = closed_port();
    let relay = start_relay(&fixture, &format!("http://127.0.0.1:{port}/"), &["--spool", "relay-spool"]);
    let batches: Vec<String> =
        lines.lines().collect::<Vec<_>>().chunks(10).map(|chunk| chunk.join("\n") + "\n").collect();
    for batch in &batches {
        assert_eq!(post(relay.addr(), "Bearer konnect", &[], batch.as_bytes()).0, 200);
    }
    // Down longer than Konnect's four retries last (1 + 2 + 4 + 8 s).
    std::thread::sleep(std::time::Duration::from_secs(17));
    let listen = format!("127.0.0.1:{port}");
    let args = ["receive", "--listen", &listen, "--authorization", "Bearer s3cret", "--jwks", "k.jwks.json"];
    let _siem = Receiver::spawn(&fixture, &[&args[..], &["--out", "siem.cef", "--rejected", "siem.jsonl"]].concat());
    let started = std::time::Instant::now();
    while fixture.read("siem.cef").lines().count() < 30 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(40),
            "{} arrived",
            fixture.read("siem.cef").lines().count()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mut arrived: Vec<&str> = Vec::new();
    let siem = fixture.read("siem.cef");
    arrived.extend(siem.lines());
    arrived.sort_unstable();
    let mut sent: Vec<&str> = lines.lines().collect();
    sent.sort_unstable();
    assert_eq!(arrived, sent, "every acknowledged entry, once");
    drop(relay);
}
