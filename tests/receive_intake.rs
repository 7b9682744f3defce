//! The receiving core in-process, through the public API only (no binary,
//! no socket): the status table, every encoding form, entry hygiene, the
//! formats, re-verification after a key rotation, the memory budget,
//! syslog arrivals, and the journal feeding completeness once durable.
#![cfg(feature = "receive")]

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, mpsc};

use audit_cef::checkpoint::{Checkpointer, CompletenessChecker, StreamId};
use audit_cef::chrono::DateTime;
use audit_cef::receive::{
    Answer, Arrival, Arrivals, BodyFailure, Decision, Head, Intake, Journal, NotStored, Records, Reply, VerifyPool,
    check_arrivals,
};
use audit_cef::webhook::{BodyLimits, Credential};
use audit_cef::{ErrorKind, KeySet, Signer, Verifier};

const AUTH: &[u8] = b"Bearer s3cret";

fn peer() -> SocketAddr {
    "127.0.0.1:4000".parse().unwrap()
}

fn signer() -> Signer {
    Signer::from_seed(&[21; 32])
}

fn pool_for(signers: &[&Signer]) -> VerifyPool {
    VerifyPool::new(Verifier::new(KeySet::from_keys(signers.iter().map(|s| s.public_key()))), 2)
}

fn intake() -> Intake {
    Intake::new(Credential::new("Bearer s3cret"), BodyLimits::new().max_compressed(20_000).max_entry_len(600), 1 << 20)
}

fn cef(signer: &Signer, i: usize) -> Vec<u8> {
    let mut line =
        format!("2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|trace_id={i}")
            .into_bytes();
    signer.sign_cef(&mut line, 0).unwrap();
    line
}

fn json(signer: &Signer, i: usize, cps: bool) -> Vec<u8> {
    let event = format!(r#"{{"action":"read","granted":true,"trace_id":{i}}}"#);
    let mut entry = if cps { format!(r#"{{"event":{event}}}"#) } else { event }.into_bytes();
    if cps { signer.sign_cps(&mut entry, 0) } else { signer.sign_json(&mut entry, 0) }.unwrap();
    entry
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut encoder = flate2::write::GzEncoder::new(&mut body, flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap();
    body
}

fn status(decision: &Decision) -> u16 {
    match decision {
        Decision::Answer(reply) => reply.status(),
        Decision::Read(_) => 0,
    }
}

/// Reads `body` through the whole intake; the reply it gets and the records.
fn take(intake: &Intake, pool: &VerifyPool, encoding: Option<&[u8]>, body: Vec<u8>) -> (Reply, Option<Records>) {
    let mut head = Head::post(peer()).authorization(AUTH).content_length(body.len() as u64);
    if let Some(encoding) = encoding {
        head = head.content_encoding(encoding);
    }
    let reservation = match intake.head(&head) {
        Decision::Answer(reply) => return (reply, None),
        Decision::Read(reservation) => reservation,
    };
    match intake.body(reservation, body, pool) {
        Ok(checked) => {
            let records = checked.records(DateTime::UNIX_EPOCH);
            (records.accepted(), Some(records))
        }
        Err(reply) => (reply, None),
    }
}

#[test]
fn the_status_table() {
    let intake = intake();
    let pool = pool_for(&[&signer()]);
    // 405 with Allow, before anything else.
    let Decision::Answer(reply) = intake.head(&Head::new("GET", peer()).authorization(AUTH)) else { panic!() };
    assert_eq!((reply.status(), reply.allow()), (405, Some("POST")));
    // 401: missing, wrong, differently cased.
    for authorization in [None, Some(&b"Bearer wrong"[..]), Some(b"bearer s3cret"), Some(b"Bearer s3cret ")] {
        let mut head = Head::post(peer());
        if let Some(value) = authorization {
            head = head.authorization(value);
        }
        assert_eq!(status(&intake.head(&head)), 401, "{authorization:?}");
    }
    // 415 for an encoding no retry makes readable.
    assert_eq!(status(&intake.head(&Head::post(peer()).authorization(AUTH).content_encoding(b"br"))), 415);
    // 413 for a declared length over the limit, before reading.
    assert_eq!(status(&intake.head(&Head::post(peer()).authorization(AUTH).content_length(20_001))), 413);
    // 413 for an entry over its limit, 400 for gzip that does not inflate.
    assert_eq!(take(&intake, &pool, None, vec![b'y'; 700]).0.status(), 413);
    let mut broken = gzip(&cef(&signer(), 1));
    broken.truncate(broken.len() / 2);
    assert_eq!(take(&intake, &pool, Some(b"gzip"), broken).0.status(), 400);
    // A body that failed to arrive: too large is 413; too slow or broken closes.
    assert!(matches!(intake.body_failed(BodyFailure::TooLarge), Answer::Reply(reply) if reply.status() == 413));
    assert_eq!(intake.body_failed(BodyFailure::TooSlow), Answer::Close);
    assert_eq!(intake.body_failed(BodyFailure::Broken), Answer::Close);
    // Storage: a full queue is 429 with Retry-After, a failed write 500.
    let busy = intake.not_stored(&NotStored::Busy);
    assert_eq!((busy.status(), busy.retry_after()), (429, Some(1)));
    let failed = intake.not_stored(&NotStored::Failed(std::io::Error::other("disk full")));
    assert_eq!((failed.status(), failed.retry_after()), (500, None));
    // 200 with the counts as JSON.
    let (reply, _) = take(&intake, &pool, None, [cef(&signer(), 2), b"\n".to_vec()].concat());
    assert_eq!(
        (reply.status(), reply.body(), reply.content_type()),
        (200, "{\"verified\":1,\"rejected\":0}\n", "application/json")
    );
    // Draining: 429 with Retry-After, and the connection closed.
    intake.start_draining();
    let Decision::Answer(reply) = intake.head(&Head::post(peer()).authorization(AUTH)) else { panic!() };
    assert_eq!((reply.status(), reply.retry_after(), reply.close()), (429, Some(5), true));
    // No answer in the table is one Konnect drops for a transient cause.
    for transient in [busy, failed, reply] {
        assert!(![408, 503, 415].contains(&transient.status()));
    }
}

#[test]
fn every_gzip_form_is_read_and_the_body_is_told_by_its_bytes() {
    let intake = intake();
    let pool = pool_for(&[&signer()]);
    let plain = [cef(&signer(), 1), b"\n".to_vec(), cef(&signer(), 2), b"\n".to_vec()].concat();
    let gzipped = gzip(&plain);
    let forms: [Option<&[u8]>; 9] = [
        None,
        Some(b"gzip"),
        Some(b"GZIP"),
        Some(b"x-gzip"),
        Some(b"application/gzip"),
        Some(b"Application/GZip"),
        Some(b"identity, gzip"),
        Some(b" gzip ,identity"),
        Some(b""),
    ];
    for form in forms {
        for body in [&gzipped, &plain] {
            let (reply, records) = take(&intake, &pool, form, body.clone());
            assert_eq!(reply.body(), "{\"verified\":2,\"rejected\":0}\n", "{form:?}");
            assert_eq!(records.unwrap().out(), plain.as_slice(), "{form:?}");
        }
    }
}

#[test]
fn an_entry_left_with_a_cr_or_lf_is_rejected_alone() {
    let intake = intake();
    let pool = pool_for(&[&signer()]);
    let (a, b, c, d) = (cef(&signer(), 1), cef(&signer(), 2), cef(&signer(), 3), cef(&signer(), 4));
    let body = [&a[..], b"\r\r\n", &b, b"\r\n\r\n", &c, b"\rtail\n", &d].concat();
    let (reply, records) = take(&intake, &pool, None, body);
    assert_eq!(reply.body(), "{\"verified\":2,\"rejected\":2}\n");
    let records = records.unwrap();
    assert_eq!(records.out(), [&b[..], b"\n", &d, b"\n"].concat());
    let rejected: Vec<serde_json::Value> = records
        .rejected()
        .split(|&x| x == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(rejected.len(), 2);
    assert!(rejected.iter().all(|r| r["kind"] == "line_break_in_entry" && r["peer"] == "127.0.0.1:4000"));
    assert_eq!(rejected[0]["entry"], format!("{}\r", String::from_utf8(a).unwrap()));
}

#[test]
fn cef_json_and_cps_are_told_apart_per_entry_unless_a_format_is_fixed() {
    let pool = pool_for(&[&signer()]);
    let entries = [cef(&signer(), 1), json(&signer(), 2, false), json(&signer(), 3, true), cef(&signer(), 4)];
    let body: Vec<u8> = entries.iter().flat_map(|e| [e.as_slice(), b"\n"].concat()).collect();
    let (reply, records) = take(&intake(), &pool, None, body.clone());
    assert_eq!(reply.body(), "{\"verified\":4,\"rejected\":0}\n");
    assert_eq!(records.unwrap().out(), body.as_slice());
    let fixed = intake().format(Some(audit_cef::Format::Cef));
    assert_eq!(take(&fixed, &pool, None, body).0.body(), "{\"verified\":2,\"rejected\":2}\n");
}

#[test]
fn no_key_matches_can_be_verified_again_against_a_new_key_set() {
    let (old, new) = (signer(), Signer::from_seed(&[22; 32]));
    let pool = pool_for(&[&old]);
    let intake = intake();
    let mut tampered = cef(&old, 3);
    tampered[40] ^= 1;
    let body = [cef(&old, 1), b"\n".to_vec(), cef(&new, 2), b"\n".to_vec(), tampered, b"\n".to_vec()].concat();
    let head = Head::post(peer()).authorization(AUTH);
    let Decision::Read(reservation) = intake.head(&head) else { panic!() };
    let mut checked = intake.body(reservation, body, &pool).unwrap();
    assert_eq!(checked.verified().count(), 1);
    // The key set rotated: the entry under the new key verifies; the tampered one still fails.
    checked.reverify(&Verifier::new(KeySet::from_keys([old.public_key(), new.public_key()])));
    assert_eq!(checked.verified().count(), 2);
    let kinds: Vec<ErrorKind> = checked.rejected().map(|(_, err)| err.kind()).collect();
    assert_eq!(kinds, [ErrorKind::NoKeyMatches]);
}

#[test]
fn the_memory_budget_answers_429_at_once_and_is_given_back() {
    let intake = Intake::new(Credential::new("Bearer s3cret"), BodyLimits::new().max_compressed(1000), 1500);
    let head = Head::post(peer()).authorization(AUTH).content_length(1000);
    let Decision::Read(first) = intake.head(&head) else { panic!() };
    let Decision::Answer(reply) = intake.head(&head) else { panic!("read past the budget") };
    assert_eq!((reply.status(), reply.retry_after()), (429, Some(1)));
    assert_eq!(intake.memory().in_use(), 1000);
    // Once read, a request holds what its text, verdicts and records take
    // (the rest is given back), until the checked body is dropped.
    let checked = intake.body(first, b"x\n".to_vec(), &pool_for(&[])).unwrap();
    assert_eq!(intake.memory().in_use(), 2 + 2 + 264);
    drop(checked);
    assert_eq!(intake.memory().in_use(), 0);
    assert!(matches!(intake.head(&head), Decision::Read(_)));
    // A body longer than declared is read no further than declared.
    let Decision::Read(small) = intake.head(&Head::post(peer()).authorization(AUTH).content_length(10)) else {
        panic!()
    };
    assert_eq!(small.max_body(), 10);
}

#[test]
fn syslog_arrivals_give_records_in_arrival_order() {
    let pool = pool_for(&[&signer()]);
    let good = cef(&signer(), 1);
    let frame = |entry: &[u8]| [b"<14>1 2025-06-18T21:02:36Z host app - - - ".as_slice(), entry].concat();
    let mut crlf = good.clone();
    crlf.push(b'\r');
    // Reads of 1 to 7 frames, one buffer each.
    let mut batch = Vec::new();
    for read in (0..300).collect::<Vec<_>>().chunks(7).flat_map(|frames| frames.chunks(frames.len() % 5 + 1)) {
        let mut arrivals = Arrivals::new(peer());
        for i in read {
            match i % 3 {
                0 => arrivals.push_frame(&frame(&good)),
                1 => arrivals.push_frame(b"not syslog"),
                _ => arrivals.push_frame(&frame(&crlf)),
            }
        }
        batch.push(arrivals);
    }
    let records = check_arrivals(&pool, None, &batch, DateTime::UNIX_EPOCH);
    assert_eq!(records.counts(), (100, 200));
    assert!(records.verified().all(|entry| entry == good.as_slice()));
    // Each refused frame and failed entry in arrival order: junk, then CR.
    let rejected = String::from_utf8(records.rejected().to_vec()).unwrap();
    let kinds: Vec<bool> = rejected.lines().map(|line| line.contains("not syslog")).collect();
    assert_eq!(kinds.len(), 200);
    assert!(kinds.iter().step_by(2).all(|junk| *junk) && kinds.iter().skip(1).step_by(2).all(|junk| !junk));
}

#[test]
fn the_journal_stores_in_order_and_feeds_completeness_once_durable() {
    let dir = std::env::temp_dir().join(format!("receive-intake-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (out, rejected) = (dir.join("out.cef"), dir.join("rejected.jsonl"));
    let _ = (std::fs::remove_file(&out), std::fs::remove_file(&rejected));
    // A checkpointed stream of 10 entries.
    let signer = signer();
    let mut checkpointer = Checkpointer::new(StreamId::from_bytes([7; 16]), "KongInc", "Konnect", "1.0").unwrap();
    let mut stream = Vec::new();
    for i in 0..10 {
        let entry = cef(&signer, i);
        checkpointer.add(&entry);
        stream.push(entry);
    }
    let mut checkpoint = Vec::new();
    assert!(checkpointer.checkpoint_into(&signer, &mut checkpoint).unwrap());
    stream.push(checkpoint);
    let completeness = Arc::new(Mutex::new(CompletenessChecker::new()));
    let (journal, writer) = Journal::open(Some(&out), &rejected, Some(Arc::clone(&completeness))).unwrap();
    let (tell, told) = mpsc::channel();
    for part in stream.chunks(4) {
        let mut records = Records::default();
        for entry in part {
            records.push_verified(entry);
        }
        let tell = tell.clone();
        journal.submit(records, Box::new(move |stored| tell.send(stored.is_ok()).unwrap())).unwrap();
    }
    assert!((0..3).all(|_| told.recv().unwrap()));
    drop(journal);
    writer.join().unwrap();
    let expected: Vec<u8> = stream.iter().flat_map(|e| [e.as_slice(), b"\n"].concat()).collect();
    assert_eq!(std::fs::read(&out).unwrap(), expected);
    let report = Arc::into_inner(completeness).unwrap().into_inner().unwrap().finish();
    assert!(report.is_complete(), "{}", report.to_json());
    assert_eq!(report.streams.first().map(|s| s.confirmed), Some(10));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A small gzip body that inflates far: its inflated text is charged to
/// the budget as it inflates, so past what the budget has it is 429
/// (memory is short: a retry can pass), and within the configured limit
/// but past the budget never a 413.
#[test]
fn inflating_is_charged_to_the_budget_and_a_shortage_is_429_not_413() {
    let limits = BodyLimits::new().max_compressed(64 << 10).max_decompressed(8 << 20).max_entry_len(1 << 20);
    let junk = gzip(&b"not an entry at all\n".repeat(50_000)); // 1 MB of lines in a few KB
    assert!(junk.len() < 64 << 10, "{}", junk.len());
    let pool = pool_for(&[&signer()]);
    // Budget enough for the whole thing: read, every entry rejected.
    let roomy = Intake::new(Credential::new("Bearer s3cret"), limits, 64 << 20);
    let (reply, records) = take(&roomy, &pool, Some(b"gzip"), junk.clone());
    assert_eq!(reply.status(), 200, "{}", reply.body());
    assert_eq!(records.unwrap().counts(), (0, 50_000));
    assert_eq!(roomy.memory().in_use(), 0, "all given back");
    // Budget short of the inflated text: 429 with Retry-After, never 413.
    let tight = Intake::new(Credential::new("Bearer s3cret"), limits, 1 << 20);
    let (reply, _) = take(&tight, &pool, Some(b"gzip"), junk);
    assert_eq!((reply.status(), reply.retry_after()), (429, Some(1)), "{}", reply.body());
    assert_eq!(tight.memory().in_use(), 0);
    // Past the configured limit itself: 413, whatever the budget.
    let small = BodyLimits::new().max_compressed(64 << 10).max_decompressed(1 << 20);
    let bomb = gzip(&vec![b'0'; 4 << 20]);
    let (reply, _) = take(&Intake::new(Credential::new("Bearer s3cret"), small, 64 << 20), &pool, None, bomb);
    assert_eq!(reply.status(), 413);
}

#[test]
fn a_syslog_stream_gives_the_same_arrivals_whatever_the_reads_and_counts_junk() {
    let good = cef(&signer(), 1);
    let mut stream = Vec::new();
    stream.extend_from_slice(format!("{} <13>", good.len() + 4).as_bytes());
    stream.extend_from_slice(&good);
    stream.extend_from_slice(b"99999999999 junk\n<13>");
    stream.extend_from_slice(&good);
    stream.extend_from_slice(b"\n12 <13>cut sho");
    for read in [1, 2, 7, 64, stream.len()] {
        let mut arrivals = audit_cef::receive::StreamArrivals::new(peer(), 4096);
        let mut entries = Vec::new();
        for piece in stream.chunks(read) {
            for arrival in arrivals.push(piece).iter() {
                match arrival {
                    Arrival::Entry { entry, .. } => entries.push(entry.to_vec()),
                    Arrival::Refused { err, .. } => panic!("refused: {err}"),
                }
            }
        }
        assert_eq!(entries, [good.clone(), good.clone()], "reads of {read}");
        assert_eq!(arrivals.finish(), 2, "a bad count and a frame cut short, reads of {read}");
    }
}
