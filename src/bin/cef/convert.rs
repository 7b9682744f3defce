//! `cef convert`: Konnect audit entries from any of Konnect's three formats to one of them.

use std::path::PathBuf;

use audit_cef::{AuditEvent, Error, ErrorKind, Field, Format, Signer, Verifier};

use crate::arg_values;
use crate::io_util::{self, Inputs, Outcome, Status, report};

const LONG_ABOUT: &str = "\
Convert Kong Konnect audit log entries between Konnect's three formats (its `log_format`: \
cef, json, cps) and write one output line per input line, in input order.

Each input line is one entry in any of the three formats, detected per line: `{\"event\":` \
starts a CPS entry, `{` a JSON entry, anything else is CEF. Each entry is decoded into a \
Konnect audit event (authentication, authorization or access) and written in the --to \
format:
  cef   2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|...|rt=... src=... ...
  json  {\"action\":\"list\",\"cef_version\":\"0\",...}   (compact, keys in byte order)
  cps   {\"event\":{...}}                           (the JSON entry wrapped)
Every field of the event carries over. JSON and CPS have no place for the CEF prefix's \
host, its BSD time form or the order of the CEF pairs, so CEF that goes through JSON comes \
back in Konnect's documented form (RFC 3339 time, host konghq.com, documented pair order, \
unknown pairs last in key order). Konnect's own entries convert CEF -> JSON -> CPS -> CEF \
byte for byte.

Signatures: a converted entry is a new entry. Its bytes change, so its old signature cannot \
carry over.
  without --jwks   an input signature is ignored and dropped: nothing checks it, and the \
output is unsigned
  --jwks FILE      each entry must first verify against this JWKS (Konnect's `jwks.json` or \
one `cef keygen` wrote), exactly as `cef verify` checks it, on the bytes as received; only \
what was signed is converted, and an entry that does not verify is not written
  --sign-key FILE  each output entry is signed with this private key (PKCS#8 PEM, as `cef \
keygen` writes and `cef sign --key` reads), as Konnect signs: publish its JWKS to whoever \
verifies
Use both to check Konnect's signatures and re-sign the converted entries with your own key.

A line that cannot be decoded, verified or signed writes nothing to standard output; its \
error goes to standard error as `line N: <kind>: <message>` and the run goes on. Kinds \
include unknown_family (CEF or JSON that is not a Konnect audit event), missing_field, \
invalid_field, invalid_json, empty (an empty line), and with --jwks unsigned, \
malformed_signature, data_after_signature and no_key_matches. With several inputs, line \
numbers restart at 1 for each input and messages start with the input's name.

Exit status: 0 every line converted, 1 some line failed, 2 a usage error, a JWKS or key that \
cannot be used (nothing is converted), an input that cannot be read, or a failed write.";

const AFTER_HELP: &str = "\
Examples:
  cef convert --to json audit.cef > audit.jsonl
  cef convert --to cef --jwks jwks.json webhook.log       # only entries that verify
  cef convert --to cps --jwks jwks.json --sign-key k.pem audit.cef | cef verify --jwks k.jwks.json --format cps
  echo '2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1750280466889 \
src=127.0.0.6 action=read granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 \
principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=1 user_agent=curl/8.5.0' | cef convert --to json
    {\"action\":\"read\",\"cef_version\":\"0\",\"event_class_id\":\"konnect\",\"event_product\":\"Konnect\",\
\"event_ts\":\"2025-06-18T21:02:36Z\",\"event_vendor\":\"KongInc\",\"event_version\":\"1.0\",\"granted\":true,\
\"name\":\"Authz.usage\",\"org_id\":\"777db3e4-5cb7-4dd5-b51c-9878096a6999\",\
\"principal_id\":\"eb999f01-5976-4f4b-9fbc-dd5d514bd675\",\"rt\":1750280466889,\"severity\":1,\"src\":\"127.0.0.6\",\
\"trace_id\":1,\"user_agent\":\"curl/8.5.0\"}";

/// What `--to` means for `cef`, `json` and `cps`.
const TO_HELP: [&str; 3] = [
    "A CEF line with Konnect's prefix (Konnect's default `log_format`)",
    "A compact JSON object, keys in byte order",
    "A CPS entry: the JSON object wrapped as {\"event\":{...}}",
];

/// Arguments of `cef convert`.
#[derive(Debug, clap::Args)]
#[command(about = "Convert Konnect audit entries between CEF, JSON and CPS, one per line", long_about = LONG_ABOUT)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The format to write.
    #[arg(long, value_name = "FORMAT", value_parser = arg_values::parser(TO_HELP))]
    pub to: Format,

    /// Verify each entry against this JWKS ({"keys":[...]}) before converting it; without it,
    /// input signatures are dropped unchecked.
    #[arg(long, value_name = "FILE")]
    pub jwks: Option<PathBuf>,

    /// Sign each output entry with this private key (PKCS#8 PEM, as `cef keygen` writes it).
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,

    #[command(flatten)]
    pub inputs: Inputs,
}

/// Runs `cef convert`.
pub fn run(args: &Args) -> Status {
    let verifier = match &args.jwks {
        None => None,
        Some(path) => match crate::keys::load_jwks("cef convert", path, crate::keys::DEFAULT_MAX_KEYS) {
            Ok(keys) => Some(Verifier::new(keys)),
            Err(message) => {
                report(format_args!("cef convert: {message}"));
                return Status::Fatal;
            }
        },
    };
    let signer = match &args.sign_key {
        None => None,
        Some(path) => match crate::keys::load_key(path) {
            Ok(signer) => Some(signer),
            Err(message) => {
                report(format_args!("cef convert: {message}"));
                return Status::Fatal;
            }
        },
    };
    let to = args.to;
    io_util::run(&args.inputs, |input, out| {
        Ok(match convert_line(input, to, verifier.as_ref(), signer.as_ref(), out) {
            Ok(()) => Outcome::Written,
            Err(err) => Outcome::Failed(describe(&err, Format::detect(input))),
        })
    })
}

/// Decodes (verifying first when there is a verifier) one entry and appends
/// it in `to` (signed when there is a signer). `out` is empty on entry and
/// on error holds nothing that will be written.
fn convert_line(
    input: &[u8],
    to: Format,
    verifier: Option<&Verifier>,
    signer: Option<&Signer>,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    if input.is_empty() {
        return Err(Error::new(ErrorKind::Empty));
    }
    let event = match verifier {
        Some(verifier) => verifier.verify_audit(input)?.into_entry(),
        None => AuditEvent::from_entry(input)?,
    };
    match signer {
        Some(signer) => event.sign_into(to, signer, out),
        None => {
            event.render_into(to, out);
            Ok(())
        }
    }
}

/// `<kind>: <message>` for a line in `format`, with a hint where the field
/// name alone does not say what is wrong with a CEF entry's prefix.
fn describe(err: &Error, format: Format) -> String {
    let kind = err.kind();
    let hint = match kind {
        // The time of a CEF entry is its prefix, which the field name `event_ts` does not say.
        ErrorKind::MissingField(field) if field == Field::Time && format == Format::Cef => {
            " (a Konnect CEF entry starts with its time and host, then ` CEF:`)"
        }
        ErrorKind::InvalidField(field) if field == Field::Time && format == Format::Cef => {
            " (the prefix before ` CEF:` must be an RFC 3339 or BSD time and a host, without a syslog <PRI>)"
        }
        _ => "",
    };
    match kind {
        // The whole entry is of another kind: a position would say nothing.
        ErrorKind::UnknownFamily => format!("{}: {kind}", kind.name()),
        _ => format!("{}: {err}{hint}", kind.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use audit_cef::KeySet;

    const AUTHZ: &str = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4";

    fn convert(input: &str, to: Format, verifier: Option<&Verifier>, signer: Option<&Signer>) -> Result<String, Error> {
        let mut out = Vec::new();
        convert_line(input.as_bytes(), to, verifier, signer, &mut out)?;
        Ok(String::from_utf8(out).unwrap_or_default())
    }

    #[test]
    fn round_trip_through_every_format() {
        let json = convert(AUTHZ, Format::Json, None, None).unwrap();
        let cps = convert(&json, Format::Cps, None, None).unwrap();
        assert_eq!(cps, format!("{{\"event\":{json}}}"));
        assert_eq!(convert(&cps, Format::Cef, None, None).unwrap(), AUTHZ);
    }

    #[test]
    fn verifies_then_signs() {
        let konnect = Signer::from_seed(&[1; 32]);
        let ours = Signer::from_seed(&[2; 32]);
        let verifier = Verifier::new(KeySet::from_keys([konnect.public_key()]));
        let mine = Verifier::new(KeySet::from_keys([ours.public_key()]));
        let mut signed = AUTHZ.as_bytes().to_vec();
        konnect.sign_cef(&mut signed, 0).unwrap();
        let signed = String::from_utf8(signed).unwrap();
        for to in [Format::Cef, Format::Json, Format::Cps] {
            let out = convert(&signed, to, Some(&verifier), Some(&ours)).unwrap();
            assert_eq!(
                mine.verify_audit(out.as_bytes()).unwrap().into_entry(),
                AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes()).unwrap()
            );
        }
        let err = convert(AUTHZ, Format::Json, Some(&verifier), None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsigned);
        let err = convert(&signed.replace("list", "edit"), Format::Json, Some(&verifier), None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NoKeyMatches);
    }

    #[test]
    fn messages() {
        assert_eq!(
            describe(&Error::at(ErrorKind::InvalidField(Field::Granted.into()), 140), Format::Cef),
            "invalid_field: invalid value for field `granted` at byte 140"
        );
        let describe = |err: Error| describe(&err, Format::Json);
        assert_eq!(describe(Error::new(ErrorKind::UnknownFamily)), "unknown_family: not a Konnect audit event family");
        assert_eq!(describe(Error::new(ErrorKind::Empty)), "empty: empty input");
        assert_eq!(describe(Error::at(ErrorKind::InvalidJson, 3)), "invalid_json: invalid JSON entry at byte 3");
        assert_eq!(
            describe(Error::new(ErrorKind::InvalidField(Field::Time.into()))),
            "invalid_field: invalid value for field `event_ts`"
        );
        assert_eq!(
            describe(Error::at(ErrorKind::NoKeyMatches, 12)),
            "no_key_matches: altered, or signed by a key not in this JWKS: no key verifies its signature at byte 12"
        );
    }
}
