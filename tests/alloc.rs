//! Proves the allocation promises with a counting global allocator:
//! rendering into a reused buffer and parsing an escape-free line allocate
//! nothing; building a Konnect event from borrowed strings, rendering and
//! signing it into a buffer with capacity allocate nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use audit_cef::{Event, Parser, Severity};

struct Counting;

thread_local! {
    // Per thread, so allocations by the test harness's other threads do not count.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

const KONNECT: &str = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4";

#[test]
fn the_counter_counts() {
    let n = allocations_during(|| {
        let v: Vec<u8> = Vec::with_capacity(16);
        std::hint::black_box(v);
    });
    assert_eq!(n, 1);
}

#[test]
fn render_into_a_reused_buffer_allocates_nothing() -> Result<(), audit_cef::Error> {
    let event = Parser::new().parse_str(KONNECT)?.to_event()?;
    let mut escaped = Event::new("a|b", "p\\", "1", "id", "n", Severity::HIGH)?;
    escaped.push("msg", "line\none=two\\three\r")?;
    let mut buf = Vec::with_capacity(1024);
    let n = allocations_during(|| {
        for _ in 0..1000 {
            buf.clear();
            event.render_into(&mut buf);
            buf.clear();
            escaped.render_into(&mut buf);
        }
    });
    assert_eq!(n, 0);
    assert_eq!(String::from_utf8_lossy(&buf), "CEF:0|a\\|b|p\\\\|1|id|n|High|msg=line\\none\\=two\\\\three\\r");
    Ok(())
}

#[test]
fn parse_of_an_escape_free_line_allocates_nothing() -> Result<(), audit_cef::Error> {
    let parser = Parser::new();
    let mut seen = 0;
    let n = allocations_during(|| {
        for _ in 0..1000 {
            if let Ok(line) = parser.parse(KONNECT.as_bytes()) {
                seen += line.pairs().map(|p| p.value().len()).sum::<usize>();
                seen += line.get("user_agent").map_or(0, |v| v.len());
                seen += line.name().len() + line.prefix().map_or(0, str::len);
            }
        }
    });
    assert_eq!(n, 0);
    // The same sums from a plain split of the line (its values hold no spaces).
    let extension = KONNECT.rsplit('|').next().unwrap_or_default();
    let values: usize = extension.split(' ').filter_map(|p| p.split_once('=')).map(|(_, v)| v.len()).sum();
    let per_line =
        values + "grpc-node-js/1.12.4".len() + "Authz.control-planes".len() + "2025-06-18T21:02:36Z konghq.com".len();
    assert_eq!(seen, 1000 * per_line);
    Ok(())
}

#[test]
fn escaped_values_allocate_only_when_read() -> Result<(), audit_cef::Error> {
    let text = b"CEF:0|v|p|1|id|n|5|msg=a\\=b plain=x";
    let n = allocations_during(|| {
        let line = Parser::new().parse(text);
        assert!(line.as_ref().is_ok_and(|l| l.get("plain").as_deref() == Some("x")));
    });
    assert_eq!(n, 0);
    let line = Parser::new().parse(text)?;
    assert_eq!(allocations_during(|| assert_eq!(line.get("msg").as_deref(), Some("a=b"))), 1);
    Ok(())
}

/// An application's values, as it holds them: borrowed strings and parsed ids.
#[cfg(feature = "konnect")]
struct Request<'r> {
    service: &'r str,
    resource: &'r str,
    action: &'r str,
    user_agent: &'r str,
}

#[cfg(feature = "konnect")]
#[test]
fn build_render_and_sign_a_konnect_event_allocates_nothing() -> Result<(), audit_cef::Error> {
    use audit_cef::{AuditEvent, Authorization, Family, Format, KeySet, Signer, Verifier};
    use chrono::{TimeZone, Utc};

    let signer = Signer::from_seed(&[0x42; 32]);
    let time = Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).single().expect("a valid time");
    let org_id = "777db3e4-5cb7-4dd5-b51c-9878096a6999".parse().expect("a UUID");
    let principal_id = "eb999f01-5976-4f4b-9fbc-dd5d514bd675".parse().expect("a UUID");
    let request =
        Request { service: "konnect", resource: "control-planes", action: "list", user_agent: "grpc-node-js/1.12.4" };
    let mut buf = Vec::with_capacity(1024);
    let mut failures = 0;
    let n = allocations_during(|| {
        for format in [Format::Cef, Format::Json, Format::Cps] {
            for i in 0..100 {
                buf.clear();
                let signed = Authorization::new(request.service, request.resource, request.action, true)
                    .map(|authz| {
                        AuditEvent::builder(Family::Authorization(authz))
                            .time(time)
                            .rt(1750280466889)
                            .src([127, 0, 0, 6].into())
                            .org_id(org_id)
                            .principal_id(principal_id)
                            .trace_id(3959872677347089807)
                            .user_agent(request.user_agent)
                    })
                    // Half built by value, half in place.
                    .and_then(|mut builder| match i % 2 {
                        0 => builder.build()?.sign_into(format, &signer, &mut buf),
                        _ => builder.build_in_place()?.sign_into(format, &signer, &mut buf),
                    });
                failures += usize::from(signed.is_err());
            }
        }
    });
    assert_eq!((n, failures), (0, 0));
    // What was built and signed is Kong's documented entry, and it verifies.
    let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    let verified = verifier.verify_audit(&buf)?;
    assert_eq!(verified.entry(), &AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?);
    Ok(())
}

#[cfg(feature = "konnect")]
#[test]
fn decoding_an_escape_free_konnect_entry_borrows_from_it() -> Result<(), audit_cef::Error> {
    use std::borrow::Cow;

    use audit_cef::{AuditEvent, Family};

    let entry = audit_cef::konnect::DOCUMENTED_AUTHZ;
    let event = AuditEvent::from_cef(entry.as_bytes())?;
    let inside = |text: &str| entry.as_bytes().as_ptr_range().contains(&text.as_ptr());
    assert!(inside(event.user_agent()) && inside(event.host()));
    let Family::Authorization(authz) = event.family() else { panic!("an authorization entry") };
    assert!(matches!(authz.action, Cow::Borrowed(_)));
    assert!(inside(authz.service()) && inside(authz.resource()) && inside(&authz.action));
    Ok(())
}
