//! Typed Konnect events: build, render and sign into a reused buffer, in
//! CEF and JSON, beside the CEF core renderer on the same line.

use std::hint::black_box;

use audit_cef::{AuditEvent, Authorization, Event, Family, Format, Parser, Signer};
use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn build() -> AuditEvent {
    AuditEvent::builder(Family::Authorization(
        Authorization::new("konnect", "control-planes", "list", true).expect("authorization"),
    ))
    .time(Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).single().expect("time"))
    .rt(1750280466889)
    .src([127, 0, 0, 6].into())
    .org_id("777db3e4-5cb7-4dd5-b51c-9878096a6999".parse().expect("uuid"))
    .principal_id("eb999f01-5976-4f4b-9fbc-dd5d514bd675".parse().expect("uuid"))
    .trace_id(3959872677347089807)
    .user_agent("grpc-node-js/1.12.4")
    .build()
    .expect("event")
}

fn render(c: &mut Criterion) {
    let typed = build();
    let line = typed.to_cef_string();
    let generic: Event<'static> =
        Parser::new().parse_str(&line).and_then(|l| l.to_event()).map(Event::into_owned).expect("generic");
    assert_eq!(generic.to_string(), line, "both renderers write the same line");
    let mut buf = Vec::with_capacity(1024);
    let mut group = c.benchmark_group("konnect/render_authz");
    group.throughput(Throughput::Bytes(line.len() as u64));
    group.bench_function("typed AuditEvent -> CEF", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&typed).render_cef_into(&mut buf);
            black_box(&buf);
        })
    });
    group.bench_function("generic cef::Event -> CEF", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&generic).render_into(&mut buf);
            black_box(&buf);
        })
    });
    group.bench_function("typed AuditEvent -> JSON", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&typed).render_json_into(&mut buf);
            black_box(&buf);
        })
    });
    group.finish();
}

fn build_render_sign(c: &mut Criterion) {
    let signer = Signer::from_seed(&[0x42; 32]);
    let mut buf = Vec::with_capacity(1024);
    let mut group = c.benchmark_group("konnect/build_render_sign_authz");
    for format in [Format::Cef, Format::Json] {
        group.bench_function(format.as_str(), |b| {
            b.iter(|| {
                buf.clear();
                build().sign_into(format, &signer, &mut buf).expect("sign");
                black_box(&buf);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, render, build_render_sign);
criterion_main!(benches);
