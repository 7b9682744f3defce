//! `cef receive --dedup`: a batch sent again (a lost answer, a replay job)
//! is not written twice, across a SIGKILL and a restart, with or without
//! the index left behind. Real processes on 127.0.0.1.

mod common;

use std::fs;

use common::{Fixture, Receiver, post, signed_lines};

/// Posts `lines` in batches of 100, as Konnect does; each must get 200.
/// Returns the sum of the answers' `duplicates`.
fn deliver(receiver: &Receiver, lines: &[&str]) -> u64 {
    let mut duplicates = 0;
    for batch in lines.chunks(100) {
        let body: String = batch.iter().map(|line| format!("{line}\n")).collect();
        let (status, answer) = post(receiver.addr(), "Bearer s3cret", &[], body.as_bytes());
        assert_eq!(status, 200, "{answer}");
        let answer: serde_json::Value = serde_json::from_str(&answer).expect("JSON answer");
        duplicates += answer["duplicates"].as_u64().expect("duplicates counted");
    }
    duplicates
}

fn run(delete_the_index: bool) {
    let name = if delete_the_index { "dedup-no-index" } else { "dedup-index" };
    let fixture = Fixture::new(name);
    let signed = signed_lines(&fixture, 1_100);
    let lines: Vec<&str> = signed.lines().collect();
    let (first, new) = lines.split_at(1_000);

    let receiver = Receiver::start(&fixture, &["--dedup"]);
    assert_eq!(deliver(&receiver, first), 0);
    // SIGKILL right after the last 200: no shutdown, no flush.
    drop(receiver);
    if delete_the_index {
        fs::remove_dir_all(fixture.path("out.cef.dedup")).expect("the index is beside --out");
    }

    let mut receiver = Receiver::start(&fixture, &["--dedup"]);
    if delete_the_index {
        receiver.wait_for_line("--dedup: indexed 1000 entries of out.cef");
    }
    let again: Vec<&str> = first.iter().chain(new).copied().collect();
    assert_eq!(deliver(&receiver, &again), 1_000, "every entry of the first run is a duplicate");
    drop(receiver);

    let out = fixture.read("out.cef");
    assert_eq!(out.lines().count(), 1_100);
    let mut seen = std::collections::HashSet::new();
    assert!(out.lines().all(|line| seen.insert(line)), "each entry once");
    assert_eq!(out, signed, "in the order first received");
}

#[test]
fn a_replay_after_sigkill_and_restart_is_written_once() {
    run(false);
}

#[test]
fn the_index_is_rebuilt_from_out_when_it_is_gone() {
    run(true);
}

#[test]
fn duplicates_within_one_batch_are_written_once_and_without_dedup_nothing_changes() {
    let fixture = Fixture::new("dedup-one-batch");
    let signed = signed_lines(&fixture, 3);
    let receiver = Receiver::start(&fixture, &["--dedup"]);
    let twice = format!("{signed}{signed}");
    let (status, answer) = post(receiver.addr(), "Bearer s3cret", &[], twice.as_bytes());
    assert_eq!((status, answer.trim()), (200, r#"{"verified":6,"rejected":0,"duplicates":3}"#));
    assert_eq!(fixture.read("out.cef"), signed);
    drop(receiver);

    let plain = Fixture::new("dedup-off");
    let signed = signed_lines(&plain, 2);
    let receiver = Receiver::start(&plain, &[]);
    let (status, answer) = post(receiver.addr(), "Bearer s3cret", &[], format!("{signed}{signed}").as_bytes());
    assert_eq!((status, answer.trim()), (200, r#"{"verified":4,"rejected":0}"#));
    assert_eq!(plain.read("out.cef").lines().count(), 4);
}

/// With --checkpoints, a batch sent twice is complete under --dedup (each
/// entry counted once, as the emitter sent it), and reported as
/// duplicated without it.
#[test]
fn completeness_counts_a_deduplicated_entry_once() {
    for dedup in [true, false] {
        let fixture = Fixture::new(if dedup { "dedup-complete" } else { "dedup-off-complete" });
        let lines: String = (0..20)
            .map(|i| {
                format!(
                    "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|trace_id={i}\n"
                )
            })
            .collect();
        fixture.write("plain.cef", &lines);
        let signed = fixture.cef(&["sign", "--key", "k.pem", "--checkpoint-every", "10", "plain.cef"]);
        assert!(signed.status.success());
        let signed = String::from_utf8(signed.stdout).expect("utf-8");
        let args: &[&str] = if dedup { &["--checkpoints", "--dedup"] } else { &["--checkpoints"] };
        let mut receiver = Receiver::start(&fixture, args);
        for _ in 0..2 {
            assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], signed.as_bytes()).0, 200);
        }
        let (status, stderr) = receiver.terminate();
        if dedup {
            assert_eq!(status.code(), Some(0), "complete: {stderr}");
            assert_eq!(fixture.read("out.cef"), signed);
        } else {
            assert_eq!(status.code(), Some(1), "duplicated entries are a completeness problem: {stderr}");
        }
    }
}

/// `cef relay --dedup` forwards each entry once: a batch sent twice (and
/// again after a restart) reaches the SIEM once, the duplicates counted.
#[test]
fn a_relay_forwards_each_entry_once() {
    let fixture = Fixture::new("dedup-relay");
    let signed = signed_lines(&fixture, 50);
    let siem = Receiver::start(&fixture, &[]);
    let relay_args = |url: &str| -> Vec<String> {
        let mut args: Vec<String> = ["relay", "--listen", "127.0.0.1:0", "--authorization", "Bearer s3cret"]
            .iter()
            .map(|arg| arg.to_string())
            .collect();
        args.extend(
            ["--jwks", "k.jwks.json", "--rejected", "relay-rejected.jsonl", "--endpoint", url].map(String::from),
        );
        args.extend(["--forward-authorization", "Bearer s3cret", "--spool", "spool", "--dedup"].map(String::from));
        args
    };
    let args = relay_args(&siem.url());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for round in 0..2 {
        let relay = Receiver::spawn(&fixture, &args);
        let lines: Vec<&str> = signed.lines().collect();
        let expected = if round == 0 { 0 } else { 50 };
        assert_eq!(deliver(&relay, &lines), expected, "round {round}");
        assert_eq!(deliver(&relay, &lines), 50, "round {round}: the same batch again");
        if round == 1 {
            // The last relay runs until the SIEM has what its spool holds.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while fixture.read("out.cef").lines().count() < 50 && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        // SIGKILL: the first relay is killed right after its answers.
        drop(relay);
    }
    assert_eq!(fixture.read("out.cef"), signed, "the SIEM got each entry once");
    assert!(fixture.path("spool.dedup").is_dir(), "the index is beside the spool");
}
