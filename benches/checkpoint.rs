//! The emitter's cost of checkpoints per entry (hashing the signed entry,
//! and 1/N of rendering and signing a checkpoint at N = 100) beside the
//! cost of signing the entry; and the consumer's cost of checking.

use std::hint::black_box;

use audit_cef::checkpoint::{Checkpointer, CompletenessChecker, EntryHash, StreamId};
use audit_cef::{Event, Parser, Signer};
use criterion::{Criterion, criterion_group, criterion_main};

const KONNECT: &str = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4";
const SEED: [u8; 32] = [0x42; 32];

fn event() -> Event<'static> {
    Parser::new().parse_str(KONNECT).and_then(|line| line.to_event()).map(Event::into_owned).expect("documented line")
}

fn new_checkpointer() -> Checkpointer {
    Checkpointer::new(StreamId::from_bytes([7; 16]), "KongInc", "Konnect", "1.0").expect("header").every(100)
}

fn emitter(c: &mut Criterion) {
    let event = event();
    let signer = Signer::from_seed(&SEED);
    let mut group = c.benchmark_group("checkpoint/emit per entry");
    let mut buf = Vec::with_capacity(1024);
    let mut checkpoint = Vec::with_capacity(4096);
    group.bench_function("render+sign", |b| {
        b.iter(|| {
            buf.clear();
            event.render_into(&mut buf);
            signer.sign_cef(&mut buf, 0).expect("sign");
            black_box(&buf);
        })
    });
    let mut checkpointer = new_checkpointer();
    group.bench_function("render+sign+checkpoint (N=100)", |b| {
        b.iter(|| {
            buf.clear();
            event.render_into(&mut buf);
            signer.sign_cef(&mut buf, 0).expect("sign");
            checkpointer.add(&buf);
            if checkpointer.due(0) {
                checkpoint.clear();
                checkpointer.checkpoint_into(&signer, &mut checkpoint).expect("checkpoint");
            }
            black_box(&buf);
        })
    });
    buf.clear();
    event.render_into(&mut buf);
    signer.sign_cef(&mut buf, 0).expect("sign");
    let entry = buf.clone();
    group.bench_function("entry hash alone (SHA-256, 16 bytes kept)", |b| {
        b.iter(|| black_box(EntryHash::of(black_box(&entry))))
    });
    let mut checkpointer = new_checkpointer();
    group.bench_function("one checkpoint of 100 entries (render+sign)", |b| {
        b.iter(|| {
            for _ in 0..100 {
                checkpointer.add_hash(EntryHash::from_bytes([1; 16]));
            }
            checkpoint.clear();
            checkpointer.checkpoint_into(&signer, &mut checkpoint).expect("checkpoint");
            black_box(&checkpoint);
        })
    });
    group.finish();
}

fn consumer(c: &mut Criterion) {
    let signer = Signer::from_seed(&SEED);
    let mut checkpointer = new_checkpointer();
    let mut stream = Vec::new();
    for i in 0..10_000 {
        let mut line = KONNECT.replace("trace_id=3959872677347089807", &format!("trace_id={i}")).into_bytes();
        signer.sign_cef(&mut line, 0).expect("sign");
        checkpointer.add(&line);
        stream.push(line);
        if checkpointer.due(0) {
            let mut checkpoint = Vec::new();
            checkpointer.checkpoint_into(&signer, &mut checkpoint).expect("checkpoint");
            stream.push(checkpoint);
        }
    }
    let mut group = c.benchmark_group("checkpoint/check");
    group.throughput(criterion::Throughput::Elements(10_000));
    group.bench_function("10,000 entries + 100 checkpoints", |b| {
        b.iter(|| {
            let mut checker = CompletenessChecker::new();
            for entry in &stream {
                checker.add(entry);
            }
            black_box(checker.finish())
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_secs(1)).measurement_time(std::time::Duration::from_secs(4));
    targets = emitter, consumer
}
criterion_main!(benches);
