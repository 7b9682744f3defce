//! Renders the Konnect authorization entry from Kong's documentation with
//! audit-cef, parses it back, and checks that nothing changed.
//!
//! Run: `cargo run --example konnect_line` (optionally pass your own CEF line).

use audit_cef::{Event, Parser, Prefix, Severity};
use chrono::{TimeZone, Utc};

/// Kong's documented entry, without its signature.
const KONNECT_LINE: &str = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let time = Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).single().ok_or("bad time")?;
    let prefix = Prefix::konnect(time, "konghq.com").render_to_string()?;
    let mut event =
        Event::new("KongInc", "Konnect", "1.0", "konnect", "Authz.control-planes", Severity::from_level(1)?)?
            .with_prefix(prefix)?;
    for (key, value) in [
        ("rt", "1750280466889"),
        ("src", "127.0.0.6"),
        ("action", "list"),
        ("granted", "true"),
        ("org_id", "777db3e4-5cb7-4dd5-b51c-9878096a6999"),
        ("principal_id", "eb999f01-5976-4f4b-9fbc-dd5d514bd675"),
        ("trace_id", "3959872677347089807"),
        ("user_agent", "grpc-node-js/1.12.4"),
    ] {
        event.push(key, value)?;
    }

    let mut buf = Vec::with_capacity(512);
    event.render_into(&mut buf);
    println!("rendered: {}", String::from_utf8_lossy(&buf));
    if buf != KONNECT_LINE.as_bytes() {
        return Err("rendered line differs from Kong's documented entry".into());
    }

    let input = std::env::args().nth(1).unwrap_or_else(|| KONNECT_LINE.to_string());
    let line = Parser::new().parse(input.as_bytes())?;
    println!("prefix:   {:?} = {:?}", line.prefix(), line.prefix().map(Prefix::parse).transpose()?);
    println!(
        "header:   {}|{}|{}|{}|{}|{}|{}",
        line.version(),
        line.vendor(),
        line.product(),
        line.device_version(),
        line.event_class_id(),
        line.name(),
        line.severity_str()
    );
    for pair in line.pairs() {
        println!("  {:<14} {}", pair.key(), pair.value());
    }
    let again = line.to_event()?.to_vec();
    println!("re-rendered identical: {}", again == input.as_bytes());
    if again != input.as_bytes() {
        return Err("parse then render changed the line".into());
    }
    Ok(())
}
