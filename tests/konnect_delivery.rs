//! Konnect's delivery contract, end to end on 127.0.0.1: a stand-in that
//! delivers exactly as Kong documents (tests/konnect/standin.py: POST,
//! `Content-Type: text/plain`, `Content-Encoding: application/gzip`, up to
//! 100 entries a batch, Konnect's retry rule on a short time scale) into
//! the real `cef receive` and `cef relay`. Konnect retries only a
//! connection error, 500 and 429, so every answer is checked against that
//! table: anything else loses the batch for good.
#![cfg(feature = "cli")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{Fixture, Receiver, post, signed_lines};

/// The stand-in, delivering `entries` (a file in the fixture) to `url`.
struct StandIn {
    child: Child,
    records: mpsc::Receiver<serde_json::Value>,
}

impl StandIn {
    fn deliver(fixture: &Fixture, url: &str, entries: &str, time_scale: &str) -> StandIn {
        fixture.write("authorization.txt", "Bearer s3cret\n");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/konnect/standin.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(["deliver", "--endpoint", url, "--authorization-file"])
            .arg(fixture.path("authorization.txt"))
            .arg("--entries")
            .arg(fixture.path(entries))
            .args(["--time-scale", time_scale, "--request-timeout", "20"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 (the Konnect stand-in)");
        let stdout = child.stdout.take().expect("stdout");
        let (send, records) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let record = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
                if send.send(record).is_err() {
                    break;
                }
            }
        });
        StandIn { child, records }
    }

    /// The next attempt or summary it reports (bounded wait).
    fn next(&self) -> serde_json::Value {
        self.records.recv_timeout(Duration::from_secs(60)).expect("the stand-in reported nothing for 60 s")
    }

    /// Every record up to and including the summary, and the exit status.
    fn finish(mut self, mut seen: Vec<serde_json::Value>) -> (Vec<serde_json::Value>, serde_json::Value, i32) {
        loop {
            let record = self.next();
            if record["summary"] == true {
                let status = self.child.wait().expect("wait").code().unwrap_or(-1);
                return (seen, record, status);
            }
            seen.push(record);
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `count` JSON (or CPS, wrapped in `event`) entries as Konnect writes
/// them, signed with the fixture's key.
fn signed_json(fixture: &Fixture, count: usize, cps: bool) -> String {
    let plain: String = (0..count)
        .map(|i| {
            let event = format!(
                r#"{{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect","event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","granted":true,"name":"Authz.identity-provider","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","rt":1682715129807,"severity":1,"src":"127.0.0.6","trace_id":{},"user_agent":"grpc-go/1.54.0"}}"#,
                3_895_213_347_334_635_099u64 + i as u64
            );
            if cps { format!("{{\"event\":{event}}}\n") } else { format!("{event}\n") }
        })
        .collect();
    let format = if cps { "cps" } else { "json" };
    let name = format!("plain.{format}");
    fixture.write(&name, &plain);
    let signed = fixture.cef(&["sign", "--format", format, "--key", "k.pem", &name]);
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    String::from_utf8(signed.stdout).expect("utf-8")
}

/// Every attempt's status, in order (`None`: a connection error).
fn statuses(records: &[serde_json::Value]) -> Vec<Option<u64>> {
    records.iter().map(|record| record["status"].as_u64()).collect()
}

#[test]
fn every_entry_konnect_delivers_is_kept_in_cef_json_and_cps_without_format() {
    let fixture = Fixture::new("standin-formats");
    let cef = signed_lines(&fixture, 250);
    let json = signed_json(&fixture, 120, false);
    let cps = signed_json(&fixture, 80, true);
    // Interleaved, as a destination switched between formats would deliver them.
    let mut all = Vec::new();
    let (mut c, mut j, mut p) = (cef.lines(), json.lines(), cps.lines());
    loop {
        let taken: Vec<&str> = [c.next(), c.next(), j.next(), p.next()].into_iter().flatten().collect();
        if taken.is_empty() {
            break;
        }
        all.extend(taken);
    }
    assert_eq!(all.len(), 450);
    fixture.write("entries.txt", &(all.join("\n") + "\n"));
    let receiver = Receiver::start(&fixture, &[]);
    let standin = StandIn::deliver(&fixture, &receiver.url(), "entries.txt", "0.01");
    let (records, summary, status) = standin.finish(Vec::new());
    assert_eq!(status, 0, "{summary}");
    assert_eq!((summary["batches"].as_u64(), summary["delivered"].as_u64()), (Some(5), Some(5)), "{summary}");
    assert_eq!(summary["status"], "active");
    assert!(statuses(&records).iter().all(|code| *code == Some(200)), "{records:?}");
    assert!(records.iter().all(|record| record["body"].as_str().is_some_and(|body| body.contains("\"rejected\":0"))));
    // Every entry kept, in delivery order, byte for byte.
    let kept = fixture.read("out.cef");
    assert_eq!(kept.lines().collect::<Vec<_>>(), all);
    assert_eq!(fixture.read("rejected.jsonl"), "");
    // And the file verifies again as it is, each line in its own format.
    let verify = fixture.cef(&["verify", "--jwks", "k.jwks.json", "out.cef"]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    assert_eq!(String::from_utf8_lossy(&verify.stdout).matches(": ok kid=").count(), 450);
    let only_cef = fixture.cef(&["verify", "--format", "cef", "--jwks", "k.jwks.json", "out.cef"]);
    assert_eq!(String::from_utf8_lossy(&only_cef.stdout).matches("FAIL").count(), 200, "--format fixes one");
}

#[test]
fn a_fixed_format_rejects_the_others_alone() {
    let fixture = Fixture::new("fixed-format");
    let cef = signed_lines(&fixture, 3);
    let json = signed_json(&fixture, 2, false);
    let receiver = Receiver::start(&fixture, &["--format", "cef"]);
    let (status, answer) = post(receiver.addr(), "Bearer s3cret", &[], format!("{cef}{json}").as_bytes());
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer.trim(), r#"{"verified":3,"rejected":2}"#);
}

/// The forms of `Content-Encoding` Konnect, curl and others send are all
/// read, and the body is told by its first bytes, not by the header.
#[test]
fn every_form_of_gzip_is_taken_and_the_body_is_told_by_its_bytes() {
    let fixture = Fixture::new("encodings");
    let lines = signed_lines(&fixture, 4);
    let gzipped = common::gzip(lines.as_bytes());
    let receiver = Receiver::start(&fixture, &[]);
    let addr = receiver.addr();
    let mut expected = String::new();
    for header in [
        "Content-Encoding: application/gzip",
        "Content-Encoding: gzip",
        "Content-Encoding: GZIP",
        "Content-Encoding: x-gzip",
        "Content-Encoding: Application/GZip",
        "Content-Encoding: identity, gzip",
        "Content-Encoding: gzip , identity",
        "X-Nothing: the body alone says gzip",
    ] {
        let (status, answer) = post(addr, "Bearer s3cret", &[header, "Content-Type: text/plain"], &gzipped);
        assert_eq!((status, answer.trim()), (200, r#"{"verified":4,"rejected":0}"#), "{header}");
        expected.push_str(&lines);
    }
    // A header that says gzip over a plain body: the bytes win.
    for header in ["Content-Encoding: application/gzip", "Content-Encoding: identity"] {
        let (status, answer) = post(addr, "Bearer s3cret", &[header], lines.as_bytes());
        assert_eq!((status, answer.trim()), (200, r#"{"verified":4,"rejected":0}"#), "{header}");
        expected.push_str(&lines);
    }
    assert_eq!(fixture.read("out.cef"), expected);
    // What no retry can fix: an encoding nobody here reads, a gzip stream that does not inflate.
    assert_eq!(post(addr, "Bearer s3cret", &["Content-Encoding: br"], lines.as_bytes()).0, 415);
    let mut broken = gzipped.clone();
    broken.truncate(gzipped.len() / 2);
    assert_eq!(post(addr, "Bearer s3cret", &["Content-Encoding: application/gzip"], &broken).0, 400);
    assert_eq!(fixture.read("out.cef"), expected, "nothing more stored");
}

/// Split at LF or CRLF; an entry still holding a CR or LF is rejected
/// alone with its reason, and `--out` holds exactly one entry per line.
#[test]
fn an_entry_left_with_a_cr_is_rejected_alone_and_out_keeps_one_entry_per_line() {
    let fixture = Fixture::new("hygiene");
    let lines: Vec<String> = signed_lines(&fixture, 4).lines().map(str::to_owned).collect();
    let body = format!("{}\r\r\n{}\r\n{}\rtail\n{}\n", lines[0], lines[1], lines[2], lines[3]);
    let receiver = Receiver::start(&fixture, &[]);
    let (status, answer) = post(receiver.addr(), "Bearer s3cret", &[], body.as_bytes());
    assert_eq!((status, answer.trim()), (200, r#"{"verified":2,"rejected":2}"#));
    assert_eq!(fixture.read("out.cef"), format!("{}\n{}\n", lines[1], lines[3]));
    let rejected: Vec<serde_json::Value> =
        fixture.read("rejected.jsonl").lines().map(|line| serde_json::from_str(line).expect("json")).collect();
    assert_eq!(rejected.len(), 2);
    for (record, line) in rejected.iter().zip([format!("{}\r", lines[0]), format!("{}\rtail", lines[2])]) {
        assert_eq!(record["kind"], "line_break_in_entry");
        assert_eq!(record["entry"], line.as_str());
    }
    let verify = fixture.cef(&["verify", "--jwks", "k.jwks.json", "out.cef"]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}

/// A relay once answered 503 to a whole batch for one such entry, every
/// time: now that entry is rejected and the others are forwarded.
#[test]
fn a_relay_never_fails_a_batch_for_one_entry() {
    let fixture = Fixture::new("relay-hygiene");
    let lines: Vec<String> = signed_lines(&fixture, 3).lines().map(str::to_owned).collect();
    let siem = Receiver::spawn(
        &fixture,
        &[
            "receive",
            "--listen",
            "127.0.0.1:0",
            "--authorization",
            "Bearer siem",
            "--jwks",
            "k.jwks.json",
            "--out",
            "siem.cef",
            "--rejected",
            "siem-rejected.jsonl",
        ],
    );
    let relay = Receiver::spawn(
        &fixture,
        &[
            "relay",
            "--listen",
            "127.0.0.1:0",
            "--authorization",
            "Bearer s3cret",
            "--jwks",
            "k.jwks.json",
            "--rejected",
            "rejected.jsonl",
            "--endpoint",
            &siem.url(),
            "--forward-authorization",
            "Bearer siem",
            "--no-spool",
        ],
    );
    let body = format!("{}\n{}\r\r\n{}\n", lines[0], lines[1], lines[2]);
    let (status, answer) = post(relay.addr(), "Bearer s3cret", &[], body.as_bytes());
    assert_eq!((status, answer.trim()), (200, r#"{"verified":2,"rejected":1}"#));
    let deadline = Instant::now() + Duration::from_secs(20);
    while fixture.read("siem.cef").lines().count() < 2 {
        assert!(Instant::now() < deadline, "the relay did not forward: {:?}", fixture.read("siem.cef"));
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(fixture.read("siem.cef"), format!("{}\n{}\n", lines[0], lines[2]));
}

/// A body too slow is cut by closing the connection, which Konnect
/// retries, never answered 408, which it would not.
#[test]
fn a_body_too_slow_gets_a_closed_connection_not_a_408() {
    let fixture = Fixture::new("slow-body");
    let receiver = Receiver::start(&fixture, &["--body-timeout", "1"]);
    let mut stalled = TcpStream::connect(receiver.addr()).expect("connect");
    stalled
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 100\r\n\r\nabc")
        .expect("write");
    stalled.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = stalled.read_to_end(&mut answer);
    assert!(read.is_ok(), "the connection was not closed: {read:?}");
    assert!(answer.is_empty(), "an answer instead of a closed connection: {}", String::from_utf8_lossy(&answer));
    assert!(started.elapsed() < Duration::from_secs(8));
}

/// When memory is spent, a request is answered 429 with `Retry-After` at
/// once, not held until memory frees.
#[test]
fn memory_pressure_is_answered_429_with_retry_after_at_once() {
    let fixture = Fixture::new("memory");
    let lines = signed_lines(&fixture, 2);
    let limits = ["--max-body", "65536", "--max-inflated", "65536", "--max-entries", "100", "--max-entry-len", "60000"];
    let receiver =
        Receiver::start(&fixture, &[&limits[..], &["--max-memory", "262144", "--body-timeout", "20"]].concat());
    // Four requests declare bodies that, together, take the whole budget, and send them slowly.
    let mut holders = Vec::new();
    for _ in 0..4 {
        let mut holder = TcpStream::connect(receiver.addr()).expect("connect");
        holder
            .write_all(
                b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 65536\r\n\r\nabc",
            )
            .expect("write");
        holders.push(holder);
    }
    thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let mut stream = TcpStream::connect(receiver.addr()).expect("connect");
    let request = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{lines}",
        lines.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("\r\nretry-after: 1\r\n"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3), "held {:?}", started.elapsed());
    // Once the holders go, the budget is back.
    drop(holders);
    thread::sleep(Duration::from_millis(300));
    assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], lines.as_bytes()).0, 200);
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (mount's syntax) at `dir`; `None` when this
    /// user may not mount (not root).
    fn mount(dir: PathBuf, size: &str) -> Option<Tmpfs> {
        let uid = Command::new("id").arg("-u").output().expect("id");
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            return None;
        }
        std::fs::create_dir_all(&dir).expect("mount point");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(&dir)
            .status()
            .expect("mount");
        assert!(mounted.success(), "root could not mount a tmpfs at {}", dir.display());
        Some(Tmpfs { dir })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

/// With `--out` on a tmpfs that fills, every answer is 500 (or 429), the
/// failed writes leave nothing behind, and once space is freed Konnect's
/// retries land: `--out` then verifies line by line, no line torn, glued
/// or twice.
#[test]
fn a_full_disk_is_answered_500_and_the_retried_batches_land_untorn() {
    let fixture = Fixture::new("disk-full");
    let Some(tmpfs) = Tmpfs::mount(fixture.path("small"), "256k") else {
        eprintln!("SKIPPED: mounting a tmpfs needs root (CI runs as root)");
        return;
    };
    let lines = signed_lines(&fixture, 400);
    let all: Vec<&str> = lines.lines().collect();
    fixture.write("entries.txt", &lines);
    // Leave about one batch of room: the second batch cannot be stored.
    let free = 256 * 1024 - lines.len() / 4 - 8 * 1024;
    std::fs::write(tmpfs.dir.join("filler"), vec![0u8; free]).expect("filler");
    let out = tmpfs.dir.join("out.cef");
    let out_arg = out.to_str().expect("utf-8 path");
    let receiver = Receiver::spawn(
        &fixture,
        &["receive", "--listen", "127.0.0.1:0", "--authorization", "Bearer s3cret", "--jwks", "k.jwks.json"]
            .into_iter()
            .chain(["--out", out_arg, "--rejected", "rejected.jsonl"])
            .collect::<Vec<_>>(),
    );
    // Konnect's waits at a fifth: 0.2, 0.4, 0.8 and 1.6 s.
    let standin = StandIn::deliver(&fixture, &receiver.url(), "entries.txt", "0.2");
    let mut seen = Vec::new();
    let mut failed = 0;
    while failed < 2 {
        let record = standin.next();
        assert!(record["summary"].is_null(), "delivery ended before the disk filled: {record}");
        if record["status"] != 200 {
            failed += 1;
        }
        seen.push(record);
    }
    // Every failed attempt so far left whole lines only.
    let text = std::fs::read_to_string(&out).expect("out");
    assert!(text.is_empty() || text.ends_with('\n'), "a torn line on disk");
    assert!(text.lines().all(|line| all.contains(&line)), "a fragment on disk");
    std::fs::remove_file(tmpfs.dir.join("filler")).expect("free the space");
    let (records, summary, status) = standin.finish(seen);
    assert_eq!(status, 0, "a batch was lost: {summary} {records:?}");
    assert_eq!(summary["entries_delivered"], 400);
    let codes = statuses(&records);
    assert!(codes.contains(&Some(500)), "the disk never filled: {codes:?}");
    assert!(
        codes.iter().all(|code| matches!(code, Some(200 | 500 | 429))),
        "an answer Konnect does not retry: {codes:?}"
    );
    // Every entry exactly once, in order, and every line verifies.
    let kept = std::fs::read_to_string(&out).expect("out");
    assert_eq!(kept.lines().collect::<Vec<_>>(), all, "torn, glued, lost or duplicated lines");
    let verify = fixture.cef(&["verify", "--jwks", "k.jwks.json", out_arg]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    drop(receiver);
}

/// An answer Konnect does not retry loses the batch: the stand-in, as
/// Konnect, then shows the webhook `inactive` with the last code.
#[test]
fn a_batch_answered_401_is_lost_and_the_webhook_goes_inactive() {
    let fixture = Fixture::new("standin-401");
    fixture.write("entries.txt", &signed_lines(&fixture, 3));
    let receiver = Receiver::spawn(
        &fixture,
        &["receive", "--listen", "127.0.0.1:0", "--authorization", "Bearer other", "--jwks", "k.jwks.json"]
            .into_iter()
            .chain(["--out", "out.cef", "--rejected", "rejected.jsonl"])
            .collect::<Vec<_>>(),
    );
    let standin = StandIn::deliver(&fixture, &receiver.url(), "entries.txt", "0.01");
    let (records, summary, status) = standin.finish(Vec::new());
    assert_eq!(status, 1);
    assert_eq!(statuses(&records), [Some(401)], "tried once, never retried");
    assert_eq!((summary["lost"].as_u64(), summary["status"].as_str()), (Some(1), Some("inactive")));
    assert_eq!(summary["last_response_code"], 401);
    assert_eq!(fixture.read("out.cef"), "");
}

/// `examples/verifying_receiver.rs`, a receiver embedded in a server of its
/// own from the library's public API alone, takes what Konnect delivers
/// and answers as `cef receive` does.
#[test]
fn the_embedded_example_receiver_keeps_what_konnect_delivers() {
    let fixture = Fixture::new("example-receiver");
    let lines = signed_lines(&fixture, 150);
    let mut tampered: Vec<String> = lines.lines().map(str::to_owned).collect();
    tampered[7] = tampered[7].replacen("trace_id=3", "trace_id=4", 1);
    fixture.write("entries.txt", &(tampered.join("\n") + "\n"));
    let deps = std::env::current_exe().expect("test path");
    let example = deps.parent().and_then(Path::parent).expect("target dir").join("examples/verifying_receiver");
    if !example.exists() {
        // `cargo test --all-features` builds examples; a run of this test alone does not.
        let built = Command::new(env!("CARGO"))
            .args(["build", "--all-features", "--example", "verifying_receiver"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo");
        assert!(built.success() && example.exists(), "{} not built", example.display());
    }
    let mut child = Command::new(&example)
        .args(["127.0.0.1:0", "k.jwks.json", "out.cef", "rejected.jsonl"])
        .env("CEF_AUTHORIZATION", "Bearer s3cret")
        .current_dir(fixture.path(""))
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut first = String::new();
    stderr.read_line(&mut first).expect("its first line");
    let addr = first.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{first}")).to_owned();
    let standin = StandIn::deliver(&fixture, &format!("http://{addr}/"), "entries.txt", "0.01");
    let (records, summary, status) = standin.finish(Vec::new());
    // Its answers follow the same table: a wrong credential is 401, GET 405.
    let wrong = post(addr.parse().expect("addr"), "Bearer wrong", &[], lines.as_bytes()).0;
    let get = common::request(addr.parse().expect("addr"), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").0;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!((wrong, get), (401, 405));
    assert_eq!(status, 0, "{summary} {records:?}");
    assert_eq!(
        records.iter().map(|r| r["body"].as_str().unwrap_or_default()).collect::<Vec<_>>(),
        ["{\"verified\":99,\"rejected\":1}\n", "{\"verified\":50,\"rejected\":0}\n"]
    );
    let expected: Vec<&str> = tampered.iter().enumerate().filter(|(i, _)| *i != 7).map(|(_, l)| l.as_str()).collect();
    assert_eq!(fixture.read("out.cef").lines().collect::<Vec<_>>(), expected);
    assert!(fixture.read("rejected.jsonl").contains("\"kind\":\"no_key_matches\""));
}
