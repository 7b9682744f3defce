//! `cef demo`: one Konnect audit event of each family, signed with a demo
//! key in the three formats, and verified.

use std::io::{self, Write};
use std::net::IpAddr;

use audit_cef::{
    Access, AuditEvent, AuthOutcome, AuthType, Authentication, Authorization, Family, Format, KeySet, Product, Signer,
    Verifier,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::io_util::{Status, report};

/// The demo key's seed. It is printed here, in public source code: anyone
/// can sign with this key. It exists to show the format; never sign or
/// trust real entries with it.
const DEMO_SEED: [u8; 32] = *b"audit-cef DEMO key, never real!!";

const LONG_ABOUT: &str = "\
A tour of Kong Konnect audit logs: build one event of each family, sign each with a demo \
key in Konnect's three formats, print them, and verify every printed entry.

The three events:
  Authentication  a Dev Portal login (AUTHENTICATION_TYPE_BASIC, AUTHENTICATION_OUTCOME_SUCCESS)
  Authorization   an Authz.control-planes check by konnect, granted
  Access          a request through the gateway (KongGateway/Ingress) refused with HTTP 403, \
with its query

The output: the demo key's public JWKS (one line starting with {\"keys\":), then for each \
family a heading and the entry as CEF, JSON and CPS (Konnect's `log_format` cef, json, \
cps), each signed as Konnect signs and followed by `verified: ok kid=<kid>` once a Verifier \
over that JWKS has checked the printed bytes and decoded the same event from them.

The demo key is derived from a fixed seed written in cef's source code. It is NOT a secret: \
anyone can sign with it. Never use it to sign real entries, and never put its JWKS where real \
entries are verified. `cef keygen` makes a real key.

Exit status: 0 every entry verified, 1 some entry did not verify (a bug), 2 output fails.";

const AFTER_HELP: &str = "\
Examples:
  cef demo
  cef demo | grep '^{\"keys\"' > demo.jwks.json
  cef demo | grep '^{\"event\"' | cef verify --jwks demo.jwks.json --format cps
  cef demo | grep '^{\"event\"' | cef convert --to cef --jwks demo.jwks.json";

/// Arguments of `cef demo` (none).
#[derive(Debug, clap::Args)]
#[command(about = "Show signed Konnect audit entries of each family in CEF, JSON and CPS, and verify them", long_about = LONG_ABOUT)]
#[command(after_help = AFTER_HELP)]
pub struct Args {}

/// Runs `cef demo`.
pub fn run(_args: &Args) -> Status {
    let mut text = Vec::with_capacity(16 * 1024);
    let status = match demo(&mut text) {
        Ok(status) => status,
        Err(message) => {
            report(format_args!("cef demo: {message}"));
            return Status::LineFailed;
        }
    };
    let mut out = io::stdout().lock();
    match out.write_all(&text).and_then(|()| out.flush()) {
        Ok(()) => status,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => status,
        Err(err) => {
            report(format_args!("cef demo: cannot write output: {err}"));
            Status::Fatal
        }
    }
}

/// Writes the whole demo into `out`; the status says whether every entry verified.
fn demo(out: &mut Vec<u8>) -> Result<Status, String> {
    let signer = Signer::from_seed(&DEMO_SEED);
    let jwks = KeySet::from_keys([signer.public_key()]).to_jwks_string();
    // Verify as a consumer does: from the published JWKS text.
    let verifier = Verifier::new(KeySet::from_jwks_str(&jwks).map_err(|err| format!("demo JWKS: {err}"))?);

    let w = |out: &mut Vec<u8>, text: std::fmt::Arguments<'_>| out.write_fmt(text).map_err(|err| err.to_string());
    w(
        out,
        format_args!(
            "cef demo: one Kong Konnect audit event of each family, signed with a demo key in Konnect's\n\
             three formats (CEF, JSON, CPS), then verified. See `cef demo --help`.\n\n\
             == Demo key ==\n\
             DEMO ONLY: this Ed25519 key comes from a fixed seed published in cef's source code, so\n\
             anyone can sign with it. Never use it for real entries (`cef keygen` makes a real key).\n\
             Its public JWKS, what `cef verify --jwks` and `cef convert --jwks` read:\n\
             {jwks}\n"
        ),
    )?;

    let mut status = Status::Success;
    let (mut verified, mut total) = (0, 0);
    let mut entry = Vec::with_capacity(1024);
    for (heading, event) in events()? {
        w(out, format_args!("\n== {heading} ==\n"))?;
        for (label, format) in [("CEF", Format::Cef), ("JSON", Format::Json), ("CPS", Format::Cps)] {
            entry.clear();
            event.sign_into(format, &signer, &mut entry).map_err(|err| format!("signing the {label} entry: {err}"))?;
            w(out, format_args!("{label} entry:\n"))?;
            out.extend_from_slice(&entry);
            out.push(b'\n');
            total += 1;
            // Verify exactly the bytes printed, and check they decode to the event built.
            match verifier.verify_audit(&entry) {
                Ok(checked) if checked.entry() == &event => {
                    verified += 1;
                    w(out, format_args!("verified: ok kid={}\n", checked.key().kid()))?;
                }
                Ok(_) => {
                    status = Status::LineFailed;
                    w(out, format_args!("verified: FAIL the verified entry decodes to a different event\n"))?;
                }
                Err(err) => {
                    status = Status::LineFailed;
                    w(out, format_args!("verified: FAIL {}: {err}\n", err.kind().name()))?;
                }
            }
        }
    }
    w(
        out,
        format_args!(
            "\n{verified} of {total} entries verified against the demo JWKS.\n\
             Next: `cef keygen --out k` makes a real key; `cef convert --to json --sign-key k.pem audit.cef`\n\
             converts and signs; `cef verify --jwks k.jwks.json` checks.\n"
        ),
    )?;
    Ok(status)
}

/// The three demo events, with their headings.
fn events() -> Result<[(&'static str, AuditEvent<'static>); 3], String> {
    let authentication = AuditEvent::builder(Family::Authentication(Authentication::new(
        AuthType::Basic,
        AuthOutcome::Success,
        "/api/v2/developer/authenticate",
    )))
    .product(Product::DevPortal)
    .time(time("2025-06-23T14:28:47Z")?)
    .rt(1750688927556)
    .src(ip("172.71.232.22")?)
    .org_id(uuid("998db3e4-5cb7-4dd5-b51c-9878096a6999")?)
    .portal_id(uuid("3e551b39-227d-4297-b911-e68fd5d77c17")?)
    .principal_id(uuid("a3d2699a-0ed3-4417-bb10-d8e74a1513a4")?)
    .trace_id(3360194145499877252)
    .build()
    .map_err(|err| format!("authentication event: {err}"))?;

    let authz = Authorization::new("konnect", "control-planes", "list", true).map_err(|err| err.to_string())?;
    let authorization = AuditEvent::builder(Family::Authorization(authz))
        .time(time("2025-06-18T21:02:36Z")?)
        .rt(1750280466889)
        .src(ip("127.0.0.6")?)
        .org_id(uuid("777db3e4-5cb7-4dd5-b51c-9878096a6999")?)
        .principal_id(uuid("eb999f01-5976-4f4b-9fbc-dd5d514bd675")?)
        .trace_id(3959872677347089807)
        .user_agent("grpc-node-js/1.12.4")
        .build()
        .map_err(|err| format!("authorization event: {err}"))?;

    let access = AuditEvent::builder(Family::Access(Access::new(
        "/v2/control-planes",
        "DELETE",
        403,
        r#"{"filter[name][eq]":"prod"}"#,
    )))
    .time(time("2025-06-18T21:04:12Z")?)
    .rt(1750280652345)
    .src(ip("10.1.2.3")?)
    .org_id(uuid("777db3e4-5cb7-4dd5-b51c-9878096a6999")?)
    .principal_id(uuid("eb999f01-5976-4f4b-9fbc-dd5d514bd675")?)
    .trace_id(9007199254740993)
    .user_agent("curl/8.5.0")
    .build()
    .map_err(|err| format!("access event: {err}"))?;

    Ok([
        ("Authentication: a Dev Portal login (basic, success, severity 0)", authentication),
        ("Authorization: Authz.control-planes, list, granted (severity 1)", authorization),
        ("Access: DELETE /v2/control-planes refused with HTTP 403 (severity 6)", access),
    ])
}

fn time(text: &str) -> Result<DateTime<Utc>, String> {
    text.parse().map_err(|err| format!("demo time {text}: {err}"))
}

fn ip(text: &str) -> Result<IpAddr, String> {
    text.parse().map_err(|err| format!("demo address {text}: {err}"))
}

fn uuid(text: &str) -> Result<Uuid, String> {
    text.parse().map_err(|err| format!("demo id {text}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_verifies() {
        let mut out = Vec::new();
        assert_eq!(demo(&mut out).unwrap(), Status::Success);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("verified: ok kid=").count(), 9);
    }

    #[test]
    fn the_authentication_event_is_kongs_dev_portal_example() {
        let [(_, authentication), (_, authorization), (_, access)] = events().unwrap();
        assert_eq!(
            authorization,
            AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes()).unwrap(),
            "Kong's documented Authz.control-planes entry"
        );
        assert_eq!(
            authentication.to_cef_string(),
            "2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 request=/api/v2/developer/authenticate success=true org_id=998db3e4-5cb7-4dd5-b51c-9878096a6999 portal_id=3e551b39-227d-4297-b911-e68fd5d77c17 principal_id=a3d2699a-0ed3-4417-bb10-d8e74a1513a4 trace_id=3360194145499877252 user_agent="
        );
        assert!(access.to_cef_string().contains("|KongGateway|Ingress|6|"));
    }
}
