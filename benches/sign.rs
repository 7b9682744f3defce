//! Signing and verification beside the raw cost of Ed25519 on the same
//! bytes, and batch verification per entry at several batch sizes.

use std::hint::black_box;

use audit_cef::{Event, KeySet, Parser, Signer, Verifier};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signature, Signer as _, SigningKey};

const KONNECT: &str = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4";
const SEED: [u8; 32] = [0x42; 32];

fn event() -> Event<'static> {
    Parser::new().parse_str(KONNECT).and_then(|line| line.to_event()).map(Event::into_owned).expect("documented line")
}

fn sign(c: &mut Criterion) {
    let event = event();
    let signer = Signer::from_seed(&SEED);
    let raw = SigningKey::from_bytes(&SEED);
    let mut group = c.benchmark_group("sign/konnect");
    group.throughput(Throughput::Bytes(KONNECT.len() as u64));
    let mut buf = Vec::with_capacity(1024);
    group.bench_function("audit_cef render+sign+encode", |b| {
        b.iter(|| {
            buf.clear();
            event.render_into(&mut buf);
            signer.sign_cef(&mut buf, 0).expect("sign");
            black_box(&buf);
        })
    });
    group.bench_function("ed25519-dalek sign", |b| b.iter(|| black_box(raw.sign(black_box(KONNECT.as_bytes())))));
    group.finish();
}

fn signed_line(signer: &Signer, i: usize) -> Vec<u8> {
    let mut buf = KONNECT.replace("trace_id=3959872677347089807", &format!("trace_id={i}")).into_bytes();
    signer.sign_cef(&mut buf, 0).expect("sign");
    buf
}

fn verify(c: &mut Criterion) {
    let signer = Signer::from_seed(&SEED);
    let entry = {
        let mut buf = KONNECT.as_bytes().to_vec();
        signer.sign_cef(&mut buf, 0).expect("sign");
        buf
    };
    let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    let raw_key = SigningKey::from_bytes(&SEED).verifying_key();
    let raw_signature: Signature = SigningKey::from_bytes(&SEED).sign(KONNECT.as_bytes());
    let mut group = c.benchmark_group("verify/konnect");
    group.throughput(Throughput::Bytes(entry.len() as u64));
    group.bench_function("audit_cef split+decode+verify+parse", |b| {
        b.iter(|| {
            let verified = verifier.verify_cef(black_box(&entry)).expect("verify");
            black_box(verified.entry().pairs().count());
        })
    });
    group.bench_function("ed25519-dalek verify_strict", |b| {
        b.iter(|| raw_key.verify_strict(black_box(KONNECT.as_bytes()), black_box(&raw_signature)).expect("verify"))
    });
    group.finish();
}

fn batch(c: &mut Criterion) {
    let signer = Signer::from_seed(&SEED);
    let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    let mut group = c.benchmark_group("verify/batch");
    for size in [1usize, 16, 64, 256] {
        let entries: Vec<Vec<u8>> = (0..size).map(|i| signed_line(&signer, i)).collect();
        let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        group.throughput(Throughput::Elements(size as u64));
        let mut state = verifier.new_state();
        group.bench_with_input(BenchmarkId::new("batch", size), &refs, |b, refs| {
            b.iter(|| {
                let results = verifier.verify_cef_batch_with(&mut state, black_box(refs));
                assert!(results.iter().all(Result::is_ok));
            })
        });
        group.bench_with_input(BenchmarkId::new("one_by_one", size), &refs, |b, refs| {
            b.iter(|| {
                for entry in refs {
                    black_box(verifier.verify_cef(black_box(entry)).expect("verify"));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, sign, verify, batch);
criterion_main!(benches);
