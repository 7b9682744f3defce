// The README's quick start for a signed Konnect audit entry, as a whole
// program: `cargo run --example quickstart_konnect`.
use audit_cef::chrono::{TimeZone, Utc};
use audit_cef::{AuditEvent, Authorization, Family, Format, KeySet, Signer, Verifier};

fn main() -> Result<(), audit_cef::Error> {
    // Your signing key: `cef keygen` writes one; load it with
    // Signer::from_pkcs8_pem(&std::fs::read_to_string("k.pem")?).
    let signer = Signer::from_seed(&[42; 32]);

    // An authorization event, as Konnect records `Authz.control-planes`.
    // Every family needs time, src, org_id, principal_id and trace_id.
    let family = Family::Authorization(Authorization::new("konnect", "control-planes", "list", true)?);
    let event = AuditEvent::builder(family)
        .time(Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).unwrap()) // Utc::now() in a service
        .rt(1750280466889)
        .src("127.0.0.6".parse().unwrap())
        .org_id("777db3e4-5cb7-4dd5-b51c-9878096a6999".parse().unwrap())
        .principal_id("eb999f01-5976-4f4b-9fbc-dd5d514bd675".parse().unwrap())
        .trace_id(3959872677347089807)
        .user_agent("grpc-node-js/1.12.4")
        .build()?;

    // Render and sign into a reused buffer: one CEF line, ` sig=...` last.
    let mut buf = Vec::with_capacity(1024);
    event.sign_into(Format::Cef, &signer, &mut buf)?;
    let line = String::from_utf8_lossy(&buf);
    assert!(line.starts_with("2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id="));
    println!("{line}");

    // Publish your public keys as Konnect does (its jwks.json shape)...
    let jwks = KeySet::from_keys([signer.public_key()]).to_jwks_string();

    // ...and any consumer verifies the raw bytes and gets the event back.
    let verifier = Verifier::new(KeySet::from_jwks_str(&jwks)?);
    let verified = verifier.verify_audit(&buf)?;
    assert_eq!(verified.entry(), &event);
    assert_eq!(verified.key().kid(), signer.public_key().kid());

    // The same event in Konnect's JSON and CPS forms, signed the same way.
    let mut json = Vec::new();
    event.sign_into(Format::Json, &signer, &mut json)?;
    assert!(json.starts_with(br#"{"action":"list","cef_version":"0","event_class_id":"konnect","#));
    println!("{}", String::from_utf8_lossy(&json));
    Ok(())
}
