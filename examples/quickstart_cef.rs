// The README's quick start for any vendor's CEF, as a whole program:
// `cargo run --example quickstart_cef`.
use audit_cef::{Event, Parser, Severity};

fn main() -> Result<(), audit_cef::Error> {
    // Emit: build once, render into a reused buffer.
    let mut event =
        Event::new("KongInc", "Konnect", "1.0", "konnect", "Authz.control-planes", Severity::from_level(1)?)?
            .with_prefix("2025-06-18T21:02:36Z konghq.com")?;
    event.push("rt", "1750280466889")?.push("action", "list")?.push("msg", "a=b\nc")?;
    let mut buf = Vec::with_capacity(512);
    event.render_into(&mut buf);
    assert!(buf.ends_with(br"action=list msg=a\=b\nc"));

    // Consume: parse borrows the input; values are unescaped when read.
    let line = Parser::new().parse(&buf)?;
    assert_eq!(line.name(), "Authz.control-planes");
    assert_eq!(line.get("msg").as_deref(), Some("a=b\nc"));
    for pair in line.pairs() {
        println!("{} = {}", pair.key(), pair.value());
    }
    Ok(())
}
