//! Typed Konnect events: build, render and sign into a reused buffer, in
//! CEF and JSON, beside the CEF core renderer on the same line; and the cost
//! of building an event from an application's borrowed strings next to
//! rendering a prebuilt one.

use std::hint::black_box;
use std::time::{Duration, Instant};

use std::net::IpAddr;

use audit_cef::uuid::Uuid;
use audit_cef::{AuditEvent, AuditEventBuilder, Authorization, Event, Family, Format, Parser, Signer};
use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// What an application holds when it records a check: borrowed text and
/// already-parsed values.
struct Request<'r> {
    service: &'r str,
    resource: &'r str,
    action: &'r str,
    granted: bool,
    time: DateTime<Utc>,
    src: IpAddr,
    org_id: Uuid,
    principal_id: Uuid,
    trace_id: u64,
    user_agent: &'r str,
}

fn request() -> Request<'static> {
    Request {
        service: "konnect",
        resource: "control-planes",
        action: "list",
        granted: true,
        time: Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).single().expect("time"),
        src: [127, 0, 0, 6].into(),
        org_id: "777db3e4-5cb7-4dd5-b51c-9878096a6999".parse().expect("uuid"),
        principal_id: "eb999f01-5976-4f4b-9fbc-dd5d514bd675".parse().expect("uuid"),
        trace_id: 3959872677347089807,
        user_agent: "grpc-node-js/1.12.4",
    }
}

/// Kong's documented authorization event from the application's values.
/// Inlined so that the builder is made where it is used, as in an
/// application's own code.
#[inline(always)]
fn builder<'r>(r: &Request<'r>, check: Authorization<'r>) -> AuditEventBuilder<'r> {
    AuditEvent::builder(Family::Authorization(check))
        .time(r.time)
        .rt(1750280466889)
        .src(r.src)
        .org_id(r.org_id)
        .principal_id(r.principal_id)
        .trace_id(r.trace_id)
        .user_agent(r.user_agent)
}

/// The event, built from borrowed strings.
fn build<'r>(r: &Request<'r>) -> Result<AuditEvent<'r>, audit_cef::Error> {
    builder(r, Authorization::new(r.service, r.resource, r.action, r.granted)?).build()
}

/// The same event built in place and rendered into `buf`, as an emitter
/// that renders right away would: the event never moves.
fn build_in_place_and_render(r: &Request<'_>, buf: &mut Vec<u8>) -> Result<(), audit_cef::Error> {
    let mut builder = builder(r, Authorization::new(r.service, r.resource, r.action, r.granted)?);
    builder.build_in_place()?.render_cef_into(buf);
    Ok(())
}

/// Blocks of `with_build` and of `render_only` alternating, `iters` runs of
/// each: the time of the first minus the second, robust to the machine's
/// speed drifting between two separate benches. Each sample's ratio of the
/// two goes to `ratios`.
fn interleaved(
    iters: u64,
    mut with_build: impl FnMut(),
    mut render_only: impl FnMut(),
    ratios: &mut Vec<f64>,
) -> Duration {
    let (mut both, mut render) = (Duration::ZERO, Duration::ZERO);
    let mut left = iters;
    while left > 0 {
        let block = left.min(64);
        left -= block;
        let start = Instant::now();
        for _ in 0..block {
            with_build();
        }
        both += start.elapsed();
        let start = Instant::now();
        for _ in 0..block {
            render_only();
        }
        render += start.elapsed();
    }
    if !render.is_zero() {
        ratios.push(both.as_secs_f64() / render.as_secs_f64());
    }
    // Never zero (criterion refuses it) if noise ever hides the build.
    both.saturating_sub(render).max(Duration::from_nanos(1))
}

/// Prints the median of a bench's per-sample ratios.
fn report_ratio(what: &str, mut ratios: Vec<f64>) {
    ratios.sort_by(f64::total_cmp);
    if let Some(median) = ratios.get(ratios.len() / 2) {
        println!("{what}: {median:.3}x rendering the prebuilt event (median of {} interleaved samples)", ratios.len());
    }
}

fn render(c: &mut Criterion) {
    let request = request();
    let typed = build(&request).expect("event");
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

/// Building the event from the application's values and rendering it, next
/// to rendering the same event prebuilt: the build is the difference.
fn build_then_render(c: &mut Criterion) {
    let request = request();
    let prebuilt = build(&request).expect("event");
    let mut buf = Vec::with_capacity(1024);
    prebuilt.render_cef_into(&mut buf);
    assert_eq!(buf, audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes(), "Kong's documented line");
    let mut group = c.benchmark_group("konnect/build_then_render_authz");
    group.throughput(Throughput::Bytes(buf.len() as u64));
    group.bench_function("render prebuilt", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&prebuilt).render_cef_into(&mut buf);
            black_box(&buf);
        })
    });
    group.bench_function("build from borrowed strings + render", |b| {
        b.iter(|| {
            buf.clear();
            build(black_box(&request)).expect("event").render_cef_into(&mut buf);
            black_box(&buf);
        })
    });
    group.bench_function("build in place from borrowed strings + render", |b| {
        b.iter(|| {
            buf.clear();
            build_in_place_and_render(black_box(&request), &mut buf).expect("event");
            black_box(&buf);
        })
    });
    // The build's own cost (build + render minus render, blocks of each
    // alternating within every sample), by value and in place.
    let (mut by_value, mut in_place) = (Vec::new(), Vec::new());
    let mut render_buf = Vec::with_capacity(1024);
    let mut render_only = move || {
        render_buf.clear();
        black_box(&prebuilt).render_cef_into(&mut render_buf);
        black_box(&render_buf);
    };
    group.bench_function("build alone (build + render minus render, interleaved)", |b| {
        b.iter_custom(|iters| {
            let with_build = || {
                buf.clear();
                build(black_box(&request)).expect("event").render_cef_into(&mut buf);
                black_box(&buf);
            };
            interleaved(iters, with_build, &mut render_only, &mut by_value)
        })
    });
    group.bench_function("build in place alone (interleaved likewise)", |b| {
        b.iter_custom(|iters| {
            let with_build = || {
                buf.clear();
                build_in_place_and_render(black_box(&request), &mut buf).expect("event");
                black_box(&buf);
            };
            interleaved(iters, with_build, &mut render_only, &mut in_place)
        })
    });
    group.finish();
    report_ratio("build by value + render", by_value);
    report_ratio("build in place + render", in_place);
}

fn build_render_sign(c: &mut Criterion) {
    let request = request();
    let signer = Signer::from_seed(&[0x42; 32]);
    let mut buf = Vec::with_capacity(1024);
    let mut group = c.benchmark_group("konnect/build_render_sign_authz");
    for format in [Format::Cef, Format::Json] {
        group.bench_function(format.as_str(), |b| {
            b.iter(|| {
                buf.clear();
                build(black_box(&request)).and_then(|event| event.sign_into(format, &signer, &mut buf)).expect("sign");
                black_box(&buf);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, render, build_then_render, build_render_sign);
criterion_main!(benches);
