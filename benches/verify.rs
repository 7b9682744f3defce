//! Verifying streams of signed CEF entries: the streams of issue 8's table
//! (clean, one tampered entry in 64, every other entry tampered, two keys
//! alternating, 10,000 entries under one key then 10,000 under the next),
//! each beside one-by-one verification in the same group. Figures are per
//! stream of 20,000 entries, as in the table; a verifier is reused across
//! iterations, as a long-running consumer's is.

use std::hint::black_box;
use std::time::Duration;

use audit_cef::{KeySet, Signer, Verifier};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ENTRIES: usize = 20_000;

fn line(i: usize) -> Vec<u8> {
    format!(
        "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt={} src=127.0.0.6 \
         action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 \
         principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id={} user_agent=grpc-node-js/1.12.4",
        1750280466889u64 + i as u64,
        3959872677347089807u64.wrapping_mul(i as u64 + 1) >> 1
    )
    .into_bytes()
}

fn signed(signer: &Signer, i: usize) -> Vec<u8> {
    let mut entry = line(i);
    signer.sign_cef(&mut entry, 0).expect("sign");
    entry
}

/// Changes a digit of `rt`: the signature no longer matches.
fn tampered(mut entry: Vec<u8>) -> Vec<u8> {
    let at = memchr_rt(&entry);
    entry[at] = if entry[at] == b'1' { b'2' } else { b'1' };
    entry
}

fn memchr_rt(entry: &[u8]) -> usize {
    entry.windows(3).position(|w| w == b"rt=").expect("rt") + 5
}

fn streams(c: &mut Criterion) {
    let k1 = Signer::from_seed(&[1; 32]);
    let k2 = Signer::from_seed(&[2; 32]);
    let one_key = KeySet::from_keys([k1.public_key()]);
    let two_keys = KeySet::from_keys([k1.public_key(), k2.public_key()]);
    let clean: Vec<Vec<u8>> = (0..ENTRIES).map(|i| signed(&k1, i)).collect();
    let bad64: Vec<Vec<u8>> =
        clean.iter().enumerate().map(|(i, e)| if i % 64 == 63 { tampered(e.clone()) } else { e.clone() }).collect();
    let bad2: Vec<Vec<u8>> =
        clean.iter().enumerate().map(|(i, e)| if i % 2 == 1 { tampered(e.clone()) } else { e.clone() }).collect();
    let alternating: Vec<Vec<u8>> = (0..ENTRIES).map(|i| signed(if i % 2 == 0 { &k1 } else { &k2 }, i)).collect();
    let blocks: Vec<Vec<u8>> = (0..ENTRIES).map(|i| signed(if i < ENTRIES / 2 { &k1 } else { &k2 }, i)).collect();

    let mut group = c.benchmark_group("verify/streams_20000");
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(ENTRIES as u64));
    let mut run = |name: &str, keys: &KeySet, batch: Option<usize>, stream: &[Vec<u8>], failures: usize| {
        let verifier = Verifier::new(keys.clone()).with_batch_size(batch);
        let refs: Vec<&[u8]> = stream.iter().map(Vec::as_slice).collect();
        let failed = verifier.verify_cef_batch(&refs).iter().filter(|r| r.is_err()).count();
        assert_eq!(failed, failures, "{name}");
        // One stream's state across runs, as a receiver keeps it.
        let mut state = verifier.new_state();
        group.bench_function(name, |b| {
            b.iter(|| black_box(verifier.verify_cef_batch_with(&mut state, black_box(&refs))))
        });
    };
    run("one by one, clean", &one_key, Some(1), &clean, 0);
    run("clean, one key", &one_key, None, &clean, 0);
    run("one tampered in 64", &one_key, None, &bad64, ENTRIES / 64);
    run("every other tampered", &one_key, None, &bad2, ENTRIES / 2);
    run("every other tampered, one by one", &one_key, Some(1), &bad2, ENTRIES / 2);
    run("two keys alternating", &two_keys, None, &alternating, 0);
    run("two keys in blocks", &two_keys, None, &blocks, 0);
    group.finish();
}

criterion_group!(benches, streams);
criterion_main!(benches);
