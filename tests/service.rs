//! Running `cef receive` as a service: health, readiness and Prometheus
//! metrics (checked by `promtool`, installed by tests/e2e/tools.sh),
//! logrotate's rename then SIGHUP, and JSON logs. Real processes on
//! 127.0.0.1.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use common::{Fixture, Receiver, post, request, signed_lines};

fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    request(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"))
}

/// The samples of a metrics text: `name{labels}` to value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

fn sample(samples: &BTreeMap<String, f64>, name: &str) -> f64 {
    samples.get(name).copied().unwrap_or(0.0)
}

/// `promtool check metrics` on `text`: it exits 0 when the text is valid.
fn promtool_passes(text: &str) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (installed by tests/e2e/tools.sh)");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write");
    let output = child.wait_with_output().expect("promtool");
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), said)
}

#[test]
fn health_readiness_and_metrics_on_the_http_listener() {
    let fixture = Fixture::new("service-metrics");
    let signed = signed_lines(&fixture, 10);
    let receiver = Receiver::start(&fixture, &[]);
    let addr = receiver.addr();
    assert_eq!(get(addr, "/healthz"), (200, "ok\n".into()));
    assert_eq!(get(addr, "/readyz"), (200, "ready\n".into()));
    let (status, before) = get(addr, "/metrics");
    assert_eq!(status, 200);
    let before = samples(&before);

    let unsigned = "CEF:0|v|p|1|i|n|5|a=1\nCEF:0|v|p|1|i|n|5|a=2\n";
    let batch = format!("{signed}{unsigned}");
    let (status, body) = post(addr, "Bearer s3cret", &[], batch.as_bytes());
    assert_eq!((status, body.trim()), (200, r#"{"verified":10,"rejected":2}"#));
    assert_eq!(post(addr, "Bearer wrong", &[], batch.as_bytes()).0, 401);

    let (status, text) = get(addr, "/metrics");
    assert_eq!(status, 200);
    let (valid, said) = promtool_passes(&text);
    assert!(valid, "promtool check metrics: {said}\n{text}");
    let after = samples(&text);
    let moved = |name: &str| sample(&after, name) - sample(&before, name);
    assert_eq!(moved("cef_entries_verified_total"), 10.0, "{text}");
    assert_eq!(moved(r#"cef_entries_rejected_total{reason="unsigned"}"#), 2.0, "{text}");
    assert_eq!(moved(r#"cef_requests_total{code="200"}"#), 1.0, "{text}");
    assert_eq!(moved(r#"cef_requests_total{code="401"}"#), 1.0, "{text}");
    assert_eq!(sample(&after, "cef_jwks_keys"), 1.0);
    assert!(sample(&after, "cef_jwks_last_success_timestamp_seconds") > 1.7e9);
    assert!(sample(&after, "cef_journal_sync_seconds_count") >= 1.0);
    assert!(sample(&after, "cef_connections") >= 1.0, "this scrape's own connection");
    assert!(after.contains_key("cef_memory_reserved_bytes"));
}

#[test]
fn with_admin_listen_the_public_listener_answers_healthz_only() {
    let fixture = Fixture::new("service-admin");
    let mut receiver = Receiver::start(&fixture, &["--admin-listen", "127.0.0.1:0"]);
    let line = receiver.wait_for_line("admin (/healthz, /readyz, /metrics) on http://");
    let admin: SocketAddr = line.rsplit("http://").next().unwrap().trim().parse().expect("admin address");
    assert_eq!(get(receiver.addr(), "/healthz").0, 200);
    assert_eq!(get(receiver.addr(), "/metrics").0, 405, "no counts for strangers");
    assert_eq!(get(receiver.addr(), "/readyz").0, 405);
    assert_eq!(get(admin, "/readyz"), (200, "ready\n".into()));
    assert_eq!(get(admin, "/nothing").0, 404);
    let (status, text) = get(admin, "/metrics");
    assert_eq!(status, 200);
    assert!(text.contains("cef_entries_verified_total 0"), "{text}");
}

#[test]
fn a_syslog_receiver_serves_them_on_admin_listen() {
    let fixture = Fixture::new("service-syslog-admin");
    let signed = signed_lines(&fixture, 3);
    let args = [
        "receive",
        "--listen",
        "syslog+tcp://127.0.0.1:0",
        "--jwks",
        "k.jwks.json",
        "--out",
        "out.cef",
        "--rejected",
        "rejected.jsonl",
        "--admin-listen",
        "127.0.0.1:0",
    ];
    let mut receiver = Receiver::spawn(&fixture, &args);
    let admin_line = receiver
        .preamble()
        .iter()
        .find(|line| line.contains("admin (/healthz"))
        .cloned()
        .unwrap_or_else(|| receiver.wait_for_line("admin (/healthz"));
    let admin: SocketAddr = admin_line.rsplit("http://").next().unwrap().trim().parse().expect("admin address");
    assert_eq!(get(admin, "/healthz").0, 200);
    assert_eq!(get(admin, "/readyz").0, 200);
    let mut stream = std::net::TcpStream::connect(receiver.addr()).expect("connect");
    for line in signed.lines() {
        let record = format!("<110>1 - - cef - - - {line}");
        write!(stream, "{} {record}", record.len()).expect("send");
    }
    drop(stream);
    // The lines reach out.cef before their sync ends and the count moves:
    // wait on the count itself.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut text = get(admin, "/metrics").1;
    while sample(&samples(&text), "cef_entries_verified_total") < 3.0 && std::time::Instant::now() < deadline {
        thread::sleep(Duration::from_millis(50));
        text = get(admin, "/metrics").1;
    }
    assert_eq!(sample(&samples(&text), "cef_entries_verified_total"), 3.0, "{text}");
    assert_eq!(fixture.read("out.cef").lines().count(), 3, "stored once counted");
}

#[test]
fn logrotate_rename_then_sighup_loses_nothing() {
    let fixture = Fixture::new("service-sighup");
    let lines: Vec<String> = signed_lines(&fixture, 200).lines().map(|line| format!("{line}\n")).collect();
    let mut receiver = Receiver::start(&fixture, &[]);
    let addr = receiver.addr();
    // A sender posting all the while: 40 batches of 5 entries.
    let rotated = Arc::new(AtomicBool::new(false));
    let sender = {
        let (lines, rotated) = (lines.clone(), Arc::clone(&rotated));
        thread::spawn(move || {
            let mut statuses = Vec::new();
            for (number, batch) in lines.chunks(5).enumerate() {
                // Half the batches before the rotation, half after.
                while number == 20 && !rotated.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(5));
                }
                statuses.push(post(addr, "Bearer s3cret", &[], batch.concat().as_bytes()).0);
            }
            statuses
        })
    };
    while fixture.read("out.cef").lines().count() < 50 {
        thread::sleep(Duration::from_millis(5));
    }
    std::fs::rename(fixture.path("out.cef"), fixture.path("out.cef.1")).expect("rename");
    receiver.signal("HUP");
    receiver.wait_for_line("outputs reopened");
    rotated.store(true, Ordering::SeqCst);
    let statuses = sender.join().expect("sender");
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    let (old, new) = (fixture.read("out.cef.1"), fixture.read("out.cef"));
    assert!(
        old.lines().count() >= 50 && new.lines().count() >= 100,
        "{} then {}",
        old.lines().count(),
        new.lines().count()
    );
    assert_eq!(format!("{old}{new}"), lines.concat(), "every entry once, in order, across both files");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(fixture.path("out.cef")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let (status, _) = receiver.terminate();
    assert!(status.success());
}

#[test]
fn json_logs_are_one_object_per_line_without_secrets_or_entries() {
    let fixture = Fixture::new("service-json-logs");
    let signed = signed_lines(&fixture, 2);
    let mut receiver = Receiver::start(&fixture, &["--log-format", "json"]);
    assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], signed.as_bytes()).0, 200);
    let tampered = signed.replace("action=list", "action=drop");
    assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], tampered.as_bytes()).0, 200);
    assert_eq!(post(receiver.addr(), "Bearer not-the-secret", &[], signed.as_bytes()).0, 401);
    receiver.signal("HUP");
    thread::sleep(Duration::from_millis(500));
    let (status, rest) = receiver.terminate();
    assert!(status.success(), "{rest}");
    let mut lines: Vec<String> = receiver.preamble().to_vec();
    lines.extend(rest.lines().map(str::to_owned));
    assert!(lines.len() >= 6, "{lines:?}");
    for line in &lines {
        let object: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}"));
        for member in ["timestamp", "level", "message"] {
            assert!(object.get(member).is_some(), "no {member}: {line}");
        }
        for secret in ["s3cret", "not-the-secret", "action=", "KongInc"] {
            assert!(!line.contains(secret), "{secret:?} in {line}");
        }
    }
    let messages: Vec<&str> = lines.iter().map(String::as_str).collect();
    assert!(messages.iter().any(|line| line.contains(r#"rejected: no_key_matches 2"#)), "{messages:?}");
    assert!(messages.iter().any(|line| line.contains("outputs reopened")), "{messages:?}");
}

/// SIGHUP loads a renewed certificate: new connections get it, and a
/// client that trusts only the old one is refused.
#[test]
fn sighup_reloads_a_renewed_certificate() {
    let fixture = Fixture::new("service-tls-reload");
    common::self_signed_cert(&fixture);
    std::fs::copy(fixture.path("tls.crt"), fixture.path("old.crt")).expect("copy");
    let (cert, key) = (fixture.path("tls.crt"), fixture.path("tls.key"));
    let mut receiver =
        Receiver::start(&fixture, &["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()]);
    let url = format!("{}healthz", receiver.url());
    let healthz = |trust: &str| {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "--cacert"])
            .arg(fixture.path(trust))
            .arg(&url)
            .output()
            .expect("curl");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(healthz("old.crt"), "200");
    common::self_signed_cert(&fixture);
    receiver.signal("HUP");
    receiver.wait_for_line("certificate reloaded");
    assert_eq!(healthz("tls.crt"), "200", "the renewed certificate is served");
    assert_ne!(healthz("old.crt"), "200", "the old one is not");
}
