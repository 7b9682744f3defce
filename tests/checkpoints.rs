//! Checkpointed streams: every mutation of the stream is reported as what
//! it is (deleted, a range deleted with its checkpoint, swapped,
//! duplicated, inserted, a checkpoint altered, the tail cut), for fixed
//! cases, random streams and mutations, and a 100,000-entry stream.
#![cfg(feature = "sign")]

use std::collections::HashSet;
use std::sync::LazyLock;

use audit_cef::checkpoint::{Checkpoint, Checkpointer, CompletenessChecker, Missing, Report, StreamId};
use audit_cef::{KeySet, Signer, Verifier};
use proptest::prelude::*;

fn signer() -> Signer {
    Signer::from_seed(&[0x42; 32])
}

/// Entry `i` of any stream, signed (the same bytes whatever the stream).
fn entry(signer: &Signer, i: usize) -> Vec<u8> {
    let mut line = format!(
        "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt={} src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id={i} user_agent=grpc-node-js/1.12.4",
        1_750_280_466_889u64 + i as u64
    )
    .into_bytes();
    signer.sign_cef(&mut line, 0).unwrap();
    line
}

/// Signed entries, shared by every test that needs few.
static ENTRIES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let signer = signer();
    (0..1_200).map(|i| entry(&signer, i)).collect()
});

#[derive(Clone, Debug, PartialEq)]
enum Item {
    Entry(usize),
    Checkpoint(usize),
}

/// A stream as sent: the items in order and their bytes.
#[derive(Clone)]
struct Stream {
    items: Vec<(Item, Vec<u8>)>,
}

impl Stream {
    /// `n` entries (from `entries`), a checkpoint every `every`, and one for
    /// the rest at the end when `flush`.
    fn new(entries: &[Vec<u8>], n: usize, every: usize, flush: bool, stream: [u8; 16]) -> Stream {
        let signer = signer();
        let mut checkpointer =
            Checkpointer::new(StreamId::from_bytes(stream), "KongInc", "Konnect", "1.0").unwrap().every(every);
        let mut items = Vec::with_capacity(n + n / every + 1);
        let mut checkpoints = 0;
        let mut write = |checkpointer: &mut Checkpointer, items: &mut Vec<(Item, Vec<u8>)>| {
            let mut line = Vec::new();
            if checkpointer.checkpoint_into(&signer, &mut line).unwrap() {
                items.push((Item::Checkpoint(checkpoints), line));
                checkpoints += 1;
            }
        };
        for (i, entry) in entries.iter().take(n).enumerate() {
            checkpointer.add(entry);
            items.push((Item::Entry(i), entry.clone()));
            if checkpointer.due(0) {
                write(&mut checkpointer, &mut items);
            }
        }
        if flush {
            write(&mut checkpointer, &mut items);
        }
        Stream { items }
    }

    fn index(&self, item: &Item) -> usize {
        self.items.iter().position(|(it, _)| it == item).unwrap()
    }

    fn bytes(&self) -> Vec<Vec<u8>> {
        self.items.iter().map(|(_, bytes)| bytes.clone()).collect()
    }
}

/// Feeds every entry to the checker.
fn check(entries: &[Vec<u8>]) -> Report {
    let mut checker = CompletenessChecker::new();
    for entry in entries {
        checker.add(entry);
    }
    checker.finish()
}

/// Verifies each entry (only those not already known to be genuine), then
/// feeds those that verified: the report and how many failed.
fn verify_and_check(entries: &[Vec<u8>], genuine: &HashSet<Vec<u8>>) -> (Report, usize) {
    let verifier = Verifier::new(KeySet::from_keys([signer().public_key()]));
    let mut checker = CompletenessChecker::new();
    let mut failed = 0;
    for entry in entries {
        if genuine.contains(entry) || verifier.verify_cef(entry).is_ok() {
            checker.add(entry);
        } else {
            failed += 1;
        }
    }
    (checker.finish(), failed)
}

/// The counts tests compare: confirmed, missing, duplicated, reordered,
/// unexpected, checkpoint gaps, gap entries, unprovable, unconfirmed tail.
fn counts(report: &Report) -> [u64; 9] {
    [
        report.confirmed(),
        report.missing(),
        report.duplicated(),
        report.reordered(),
        report.unexpected,
        report.checkpoint_gaps(),
        report.gap_entries(),
        report.unprovable(),
        report.unconfirmed_tail,
    ]
}

/// Every received entry is counted once.
fn balanced(report: &Report) -> bool {
    report.entries
        == report.confirmed() + report.duplicated() + report.unexpected + report.unconfirmed_tail + report.unprovable()
}

const STREAM: [u8; 16] = [1; 16];

fn stream_1000() -> Stream {
    Stream::new(&ENTRIES, 1_000, 100, true, STREAM)
}

#[test]
fn an_intact_stream_is_confirmed_whole() {
    let report = check(&stream_1000().bytes());
    assert_eq!(counts(&report), [1_000, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!((report.entries, report.checkpoints, report.streams.len()), (1_000, 10, 1));
    assert!(report.is_complete() && balanced(&report));
    assert_eq!(report.streams[0].stream, StreamId::from_bytes(STREAM));
}

#[test]
fn a_deleted_entry_is_missing_at_its_checkpoint_and_position() {
    let mut stream = stream_1000();
    let at = stream.index(&Item::Entry(250));
    stream.items.remove(at);
    let report = check(&stream.bytes());
    assert_eq!(counts(&report), [999, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        report.missing_entries,
        [Missing { stream: StreamId::from_bytes(STREAM), checkpoint: 2, position: 250 }]
    );
    assert!(!report.is_complete() && balanced(&report));
}

#[test]
fn a_range_deleted_with_its_checkpoint_is_a_chain_gap() {
    let mut stream = stream_1000();
    let (from, to) = (stream.index(&Item::Entry(300)), stream.index(&Item::Checkpoint(3)));
    stream.items.drain(from..=to);
    let report = check(&stream.bytes());
    assert_eq!(counts(&report), [900, 0, 0, 0, 0, 1, 100, 0, 0]);
    assert!(!report.is_complete() && balanced(&report));
}

#[test]
fn swapped_entries_are_reordered() {
    for (a, b, moved) in [(10, 20, 2), (10, 11, 1), (98, 99, 1)] {
        let mut stream = stream_1000();
        let (i, j) = (stream.index(&Item::Entry(a)), stream.index(&Item::Entry(b)));
        stream.items.swap(i, j);
        let report = check(&stream.bytes());
        assert_eq!(counts(&report), [1_000, 0, 0, moved, 0, 0, 0, 0, 0], "swap {a} and {b}");
    }
    // Entry 5 held back until after its checkpoint (within the next range).
    let mut stream = stream_1000();
    let late = stream.items.remove(stream.index(&Item::Entry(5)));
    stream.items.insert(stream.index(&Item::Entry(150)), late);
    assert_eq!(counts(&check(&stream.bytes())), [1_000, 0, 0, 1, 0, 0, 0, 0, 0]);
}

#[test]
fn a_duplicated_entry_is_duplicated() {
    for (copied, after) in [(42, 42), (42, 60), (42, 180), (99, 99)] {
        let mut stream = stream_1000();
        let copy = stream.items[stream.index(&Item::Entry(copied))].clone();
        stream.items.insert(stream.index(&Item::Entry(after)) + 1, copy);
        let report = check(&stream.bytes());
        assert_eq!(counts(&report), [1_000, 0, 1, 0, 0, 0, 0, 0, 0], "copy of {copied} after {after}");
        assert!(balanced(&report));
    }
}

#[test]
fn an_entry_of_another_stream_or_of_none_is_unexpected() {
    let signer = signer();
    let other = Stream::new(&ENTRIES[1_000..], 100, 10, true, [2; 16]);
    let outside = entry(&signer, 5_000);
    for foreign in [other.items[0].1.clone(), outside] {
        let mut stream = stream_1000();
        stream.items.insert(stream.index(&Item::Entry(500)), (Item::Entry(usize::MAX), foreign.clone()));
        let (report, failed) = verify_and_check(&stream.bytes(), &HashSet::new());
        assert_eq!(failed, 0, "the inserted entry is genuine");
        assert_eq!(counts(&report), [1_000, 0, 0, 0, 1, 0, 0, 0, 0]);
        // Inserted after the last checkpoint, it cannot be told from the tail.
        let mut stream = stream_1000();
        stream.items.push((Item::Entry(usize::MAX), foreign));
        assert_eq!(counts(&check(&stream.bytes())), [1_000, 0, 0, 0, 0, 0, 0, 0, 1]);
    }
}

#[test]
fn an_altered_checkpoint_fails_its_signature_and_leaves_a_gap() {
    let mut stream = stream_1000();
    let at = stream.index(&Item::Checkpoint(4));
    let line = &mut stream.items[at].1;
    let seq = line.windows(6).position(|w| w == b" seq=4").unwrap();
    line[seq + 5] = b'9';
    let (report, failed) = verify_and_check(&stream.bytes(), &HashSet::new());
    assert_eq!(failed, 1);
    // Its 100 entries arrived but nothing proves them.
    assert_eq!(counts(&report), [900, 0, 0, 0, 0, 1, 100, 100, 0]);
    assert!(!report.is_complete() && balanced(&report));

    // Altered and re-signed by someone else: it does not verify either.
    let mut stream = stream_1000();
    let at = stream.index(&Item::Checkpoint(4));
    let forged = {
        let line = &stream.items[at].1;
        let mut unsigned = line[..line.len() - 91].to_vec();
        let last = unsigned.len() - 5;
        unsigned[last] ^= 1;
        Signer::from_seed(&[9; 32]).sign_cef(&mut unsigned, 0).unwrap();
        unsigned
    };
    stream.items[at].1 = forged;
    let (report, failed) = verify_and_check(&stream.bytes(), &HashSet::new());
    assert_eq!((failed, report.checkpoint_gaps(), report.unprovable()), (1, 1, 100));
}

#[test]
fn a_cut_tail_is_unconfirmed_not_missing() {
    let stream = Stream::new(&ENTRIES, 1_050, 100, false, STREAM);
    let report = check(&stream.bytes());
    assert_eq!(counts(&report), [1_000, 0, 0, 0, 0, 0, 0, 0, 50]);
    assert!(report.is_complete());
    let mut cut = stream.clone();
    cut.items.truncate(cut.items.len() - 20);
    let report = check(&cut.bytes());
    assert_eq!(counts(&report), [1_000, 0, 0, 0, 0, 0, 0, 0, 30]);
    assert!(report.is_complete(), "a cut tail is not provable either way");
}

#[test]
fn interleaved_streams_and_early_checkpoints() {
    let a = Stream::new(&ENTRIES, 300, 50, true, [1; 16]);
    let b = Stream::new(&ENTRIES[300..], 300, 70, true, [2; 16]);
    let mut merged = Vec::new();
    for i in 0..a.items.len().max(b.items.len()) {
        merged.extend(a.items.get(i).map(|item| item.1.clone()));
        merged.extend(b.items.get(i).map(|item| item.1.clone()));
    }
    let report = check(&merged);
    assert_eq!(counts(&report), [600, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(report.streams.len(), 2);

    // Each checkpoint moved before the entries it covers.
    let mut early = Stream::new(&ENTRIES, 300, 50, true, [1; 16]);
    for c in 0..6 {
        let at = early.index(&Item::Checkpoint(c));
        let checkpoint = early.items.remove(at);
        early.items.insert(early.index(&Item::Entry(c * 50)), checkpoint);
    }
    assert_eq!(counts(&check(&early.bytes())), [300, 0, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn checkpoints_read_back_and_chain() {
    let stream = Stream::new(&ENTRIES, 250, 100, true, STREAM);
    let checkpoints: Vec<(Checkpoint, Vec<u8>)> = stream
        .items
        .iter()
        .filter(|(item, _)| matches!(item, Item::Checkpoint(_)))
        .map(|(_, line)| (Checkpoint::from_entry(line).unwrap(), line.clone()))
        .collect();
    assert_eq!(checkpoints.len(), 3);
    let verifier = Verifier::new(KeySet::from_keys([signer().public_key()]));
    let mut prev = audit_cef::checkpoint::ChainDigest::GENESIS;
    for (seq, (checkpoint, line)) in checkpoints.iter().enumerate() {
        let verified = verifier.verify_cef(line).unwrap();
        assert_eq!(
            (verified.entry().vendor(), verified.entry().event_class_id(), verified.entry().name()),
            ("KongInc", "audit-cef.checkpoint", "Checkpoint")
        );
        assert_eq!((checkpoint.seq, checkpoint.first, checkpoint.prev), (seq as u64, seq as u64 * 100, prev));
        prev = audit_cef::checkpoint::ChainDigest::of(line);
    }
    assert_eq!(checkpoints[2].0.hashes.len(), 50);
    // A checkpoint of 100 entries is about 2.5 KB.
    let size = checkpoints[0].1.len();
    assert!((2_300..2_700).contains(&size), "{size}");
}

/// One mutation of a stream, by entry and checkpoint numbers.
#[derive(Clone, Debug)]
enum Mutation {
    DeleteEntry(usize),
    DeleteRange(usize),
    Swap(usize, usize),
    Duplicate(usize),
    Insert(usize),
    DropCheckpoint(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteEntry),
        any::<usize>().prop_map(Mutation::DeleteRange),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        any::<usize>().prop_map(Mutation::Duplicate),
        any::<usize>().prop_map(Mutation::Insert),
        any::<usize>().prop_map(Mutation::DropCheckpoint),
    ]
}

/// Applies `mutation` and says what the checker must report (the counts of [`counts`]).
fn apply(stream: &mut Stream, n: usize, every: usize, flush: bool, mutation: &Mutation) -> [u64; 9] {
    let checkpoints = n / every + usize::from(flush && !n.is_multiple_of(every));
    let covered = (checkpoints * every).min(n) as u64;
    let tail = n as u64 - covered;
    let count_of = |c: usize| (((c + 1) * every).min(n) - c * every) as u64;
    let mut expected = [covered, 0, 0, 0, 0, 0, 0, 0, tail];
    match *mutation {
        Mutation::DeleteEntry(i) => {
            let i = i % n;
            stream.items.remove(stream.index(&Item::Entry(i)));
            if (i as u64) < covered {
                expected[0] -= 1;
                expected[1] = 1;
            } else {
                expected[8] -= 1;
            }
        }
        Mutation::DeleteRange(c) if checkpoints > 0 => {
            let c = c % checkpoints;
            let (from, to) = (stream.index(&Item::Entry(c * every)), stream.index(&Item::Checkpoint(c)));
            stream.items.drain(from..=to);
            expected[0] -= count_of(c);
            if c + 1 < checkpoints {
                expected[5] = 1;
                expected[6] = count_of(c);
            }
            // The last checkpoint and its range gone: a shorter stream, which nothing can tell.
        }
        Mutation::Swap(c, offset) if checkpoints > 0 => {
            let c = c % checkpoints;
            let len = count_of(c) as usize;
            if len >= 2 {
                let a = c * every + offset % (len - 1);
                let b = a + 1 + (offset / len) % (c * every + len - a - 1);
                let (i, j) = (stream.index(&Item::Entry(a)), stream.index(&Item::Entry(b)));
                stream.items.swap(i, j);
                expected[3] = if b == a + 1 { 1 } else { 2 };
            }
        }
        Mutation::Duplicate(i) => {
            let i = i % n;
            let at = stream.index(&Item::Entry(i));
            let copy = stream.items[at].clone();
            stream.items.insert(at + 1, copy);
            if (i as u64) < covered {
                expected[2] = 1;
            } else {
                expected[8] += 1;
            }
        }
        Mutation::Insert(at) => {
            let at = at % (stream.items.len() + 1);
            let after_last = stream.items[at..].iter().all(|(item, _)| matches!(item, Item::Entry(_)));
            stream.items.insert(at, (Item::Entry(usize::MAX), ENTRIES[1_100].clone()));
            if after_last {
                expected[8] += 1;
            } else {
                expected[4] = 1;
            }
        }
        Mutation::DropCheckpoint(c) if checkpoints > 0 => {
            let c = c % checkpoints;
            stream.items.remove(stream.index(&Item::Checkpoint(c)));
            expected[0] -= count_of(c);
            if c + 1 < checkpoints {
                expected[5] = 1;
                expected[6] = count_of(c);
                expected[7] = count_of(c);
            } else {
                expected[8] += count_of(c);
            }
        }
        _ => {}
    }
    expected
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_streams_and_mutations_are_reported_exactly(
        n in 1usize..400,
        every in 1usize..60,
        flush in any::<bool>(),
        mutation in mutation(),
    ) {
        let mut stream = Stream::new(&ENTRIES, n, every, flush, STREAM);
        let expected = apply(&mut stream, n, every, flush, &mutation);
        let report = check(&stream.bytes());
        prop_assert_eq!(counts(&report), expected);
        prop_assert!(balanced(&report));
    }

    /// Entries in any order, including checkpoints before their entries:
    /// nothing is lost or counted twice, and nothing panics.
    #[test]
    fn any_order_balances(n in 1usize..200, every in 1usize..40, seed in any::<u64>()) {
        let stream = Stream::new(&ENTRIES, n, every, true, STREAM);
        let mut bytes = stream.bytes();
        let mut state = seed | 1;
        for i in (1..bytes.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let report = check(&bytes);
        prop_assert!(balanced(&report));
        prop_assert_eq!(report.entries, n as u64);
        prop_assert_eq!(report.duplicated(), 0);
    }
}

/// The done-when figure: a 100,000-entry stream, a checkpoint every 100
/// entries, each mutation reported exactly. Signing 100,000 entries takes
/// a few seconds in release and about a minute in debug: run it with
/// `cargo test --release --test checkpoints -- --ignored --nocapture`.
#[test]
#[ignore = "signs 100,000 entries: run in release with --ignored"]
fn a_100k_stream_with_each_mutation() {
    let signer = signer();
    let entries: Vec<Vec<u8>> = (0..100_000).map(|i| entry(&signer, i)).collect();
    let start = std::time::Instant::now();
    let stream = Stream::new(&entries, 100_000, 100, true, STREAM);
    let genuine: HashSet<Vec<u8>> = stream.bytes().into_iter().collect();
    println!("checkpointed 100,000 entries (1,000 checkpoints) in {:?}", start.elapsed());
    let other = Stream::new(&ENTRIES, 10, 10, true, [2; 16]);
    let header =
        "mutation                         failed  confirmed missing dup reord unexp gaps gap_entries unprovable tail";
    println!("{header}");
    // A name, the mutation, the counts expected and how many entries fail verification.
    type Case = (&'static str, Box<dyn Fn(&mut Stream)>, [u64; 9], usize);
    let cases: Vec<Case> = vec![
        ("intact", Box::new(|_| {}), [100_000, 0, 0, 0, 0, 0, 0, 0, 0], 0),
        (
            "entry 54,321 deleted",
            Box::new(|s| {
                s.items.remove(s.index(&Item::Entry(54_321)));
            }),
            [99_999, 1, 0, 0, 0, 0, 0, 0, 0],
            0,
        ),
        (
            "entries 70,000-70,099 + ckpt 700 deleted",
            Box::new(|s| {
                let (from, to) = (s.index(&Item::Entry(70_000)), s.index(&Item::Checkpoint(700)));
                s.items.drain(from..=to);
            }),
            [99_900, 0, 0, 0, 0, 1, 100, 0, 0],
            0,
        ),
        (
            "entries 12,345 and 12,390 swapped",
            Box::new(|s| {
                let (i, j) = (s.index(&Item::Entry(12_345)), s.index(&Item::Entry(12_390)));
                s.items.swap(i, j);
            }),
            [100_000, 0, 0, 2, 0, 0, 0, 0, 0],
            0,
        ),
        (
            "entry 33,333 duplicated",
            Box::new(|s| {
                let at = s.index(&Item::Entry(33_333));
                let copy = s.items[at].clone();
                s.items.insert(at + 10, copy);
            }),
            [100_000, 0, 1, 0, 0, 0, 0, 0, 0],
            0,
        ),
        (
            "other stream's entry inserted",
            Box::new(move |s| {
                let at = s.index(&Item::Entry(88_888));
                s.items.insert(at, (Item::Entry(usize::MAX), other.items[3].1.clone()));
            }),
            [100_000, 0, 0, 0, 1, 0, 0, 0, 0],
            0,
        ),
        (
            "entry signed outside inserted",
            Box::new(|s| {
                let at = s.index(&Item::Entry(44_444));
                s.items.insert(at, (Item::Entry(usize::MAX), entry(&Signer::from_seed(&[0x42; 32]), 999_999)));
            }),
            [100_000, 0, 0, 0, 1, 0, 0, 0, 0],
            0,
        ),
        (
            "checkpoint 500 altered",
            Box::new(|s| {
                let at = s.index(&Item::Checkpoint(500));
                let line = &mut s.items[at].1;
                let count = line.windows(10).position(|w| w == b" count=100").unwrap();
                line[count + 7] = b'2';
            }),
            [99_900, 0, 0, 0, 0, 1, 100, 100, 0],
            1,
        ),
        (
            "tail cut: ckpt 999 + last 50 entries",
            Box::new(|s| {
                // Entries 99,900-99,999 lose their checkpoint: 50 are left, unconfirmed.
                s.items.pop();
                s.items.truncate(s.items.len() - 50);
            }),
            [99_900, 0, 0, 0, 0, 0, 0, 0, 50],
            0,
        ),
    ];
    for (name, mutate, expected, expected_failed) in cases {
        let mut mutated = stream.clone();
        mutate(&mut mutated);
        let start = std::time::Instant::now();
        let (report, failed) = verify_and_check(&mutated.bytes(), &genuine);
        let c = counts(&report);
        println!(
            "{name:<40} {failed:>4} {:>9} {:>7} {:>3} {:>5} {:>5} {:>4} {:>11} {:>10} {:>4}   ({:?})",
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            c[6],
            c[7],
            c[8],
            start.elapsed()
        );
        assert_eq!((c, failed), (expected, expected_failed), "{name}");
        assert!(balanced(&report), "{name}");
    }
}

/// `max_streams` bounds the streams followed however checkpoints are fed:
/// through `add`, or read and hashed apart (as `cef verify` does on its
/// workers) and given to `add_checkpoint`.
#[test]
fn checkpoints_of_streams_beyond_the_limit_count_as_entries_either_way() {
    use audit_cef::checkpoint::{ChainDigest, EntryHash};
    let signer = signer();
    let mut lines = Vec::new();
    for (n, stream) in [[1u8; 16], [2u8; 16]].into_iter().enumerate() {
        let mut checkpointer = Checkpointer::new(StreamId::from_bytes(stream), "KongInc", "Konnect", "1.0").unwrap();
        for i in 2 * n..2 * n + 2 {
            let entry = entry(&signer, i);
            checkpointer.add(&entry);
            lines.push(entry);
        }
        let mut checkpoint = Vec::new();
        checkpointer.checkpoint_into(&signer, &mut checkpoint).unwrap();
        lines.push(checkpoint);
    }
    let mut whole = CompletenessChecker::new().with_limits(1_000, 1);
    let mut apart = CompletenessChecker::new().with_limits(1_000, 1);
    for line in &lines {
        whole.add(line);
        match Checkpoint::from_entry(line) {
            Ok(checkpoint) if Checkpoint::is_checkpoint(line) => {
                apart.add_checkpoint(&checkpoint, ChainDigest::of(line))
            }
            _ => apart.add_entry(EntryHash::of(line)),
        }
    }
    let (whole, apart) = (whole.finish(), apart.finish());
    assert_eq!(whole, apart);
    assert_eq!((apart.streams.len(), apart.checkpoints, apart.confirmed()), (1, 1, 2));
    // Four entries, and the second stream's checkpoint as a fifth.
    assert_eq!(apart.entries, 5);
}
