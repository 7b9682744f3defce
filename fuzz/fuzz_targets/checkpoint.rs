//! Arbitrary entries into the completeness checker, mixed with genuine
//! and mutated checkpoints: it never panics, every entry is counted once,
//! and memory stays within its limits.
#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use audit_cef::checkpoint::{Checkpoint, Checkpointer, CompletenessChecker, StreamId};
use audit_cef::Signer;
use libfuzzer_sys::fuzz_target;

/// A small checkpointed stream: entries and checkpoints, in order.
static STREAM: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let signer = Signer::from_seed(&[0x5a; 32]);
    let mut checkpointer =
        Checkpointer::new(StreamId::from_bytes([3; 16]), "KongInc", "Konnect", "1.0").expect("header").every(4);
    let mut items = Vec::new();
    for i in 0..16 {
        let mut entry = format!("CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|i={i}").into_bytes();
        signer.sign_cef(&mut entry, 0).expect("sign");
        checkpointer.add(&entry);
        items.push(entry);
        if checkpointer.due(0) {
            let mut checkpoint = Vec::new();
            checkpointer.checkpoint_into(&signer, &mut checkpoint).expect("checkpoint");
            items.push(checkpoint);
        }
    }
    items
});

#[derive(Arbitrary, Debug)]
enum Op<'a> {
    /// Arbitrary bytes as an entry.
    Raw(&'a [u8]),
    /// A genuine item of the stream.
    Genuine(u8),
    /// A genuine item with one byte changed.
    Flipped(u8, u16, u8),
}

const MAX_PENDING: usize = 64;
const MAX_STREAMS: usize = 4;

fuzz_target!(|ops: Vec<Op<'_>>| {
    let stream = &*STREAM;
    let mut checker = CompletenessChecker::new().with_limits(MAX_PENDING, MAX_STREAMS);
    let mut checkpoints = 0u64;
    let mut fed = 0u64;
    for op in ops {
        let entry = match op {
            Op::Raw(bytes) => bytes.to_vec(),
            Op::Genuine(i) => stream[usize::from(i) % stream.len()].clone(),
            Op::Flipped(i, at, byte) => {
                let mut entry = stream[usize::from(i) % stream.len()].clone();
                let at = usize::from(at) % entry.len();
                entry[at] ^= byte.max(1);
                entry
            }
        };
        // Whatever reads as a checkpoint is one (the checker takes streams up to its limit).
        if Checkpoint::is_checkpoint(&entry) && Checkpoint::from_entry(&entry).is_ok() {
            checkpoints += 1;
        } else {
            fed += 1;
        }
        checker.add(&entry);
    }
    let report = checker.finish();
    assert!(report.streams.len() <= MAX_STREAMS);
    assert!(report.checkpoints <= checkpoints);
    assert_eq!(report.entries + report.checkpoints, fed + checkpoints);
    let counted = report.confirmed() + report.duplicated() + report.unexpected + report.unconfirmed_tail + report.unprovable();
    assert_eq!(counted, report.entries, "every entry counted once: {report:?}");
    assert!(report.reordered() <= report.confirmed());
});
