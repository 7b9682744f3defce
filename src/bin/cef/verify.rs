//! `cef verify`: check each line's signature against a JWKS, one result per line.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use audit_cef::checkpoint::{CompletenessChecker, Received};
use audit_cef::receive::{VerifyPool, verify_entries_keys};
use audit_cef::{Error, ErrorKind, Format, VerifierState};

use crate::arg_values;
use crate::arg_values::FORMAT_HELP;
use crate::completeness::print_missing_and_summary;
use crate::io_util::{Chunk, Inputs, Status, report};
use crate::live_keys::{JwksArgs, LiveKeys};
use crate::parallel::{self, Handled};

const LONG_ABOUT: &str = "\
Verify the Ed25519 signature of each input line against the keys of a JWKS, as a careful \
consumer of Kong Konnect audit logs should, and write one result per input line, in input \
order.

The JWKS (a file, or a URL fetched once) is Konnect's `jwks.json` \
(https://{region}.api.konghq.com/v2/audit-log-webhook/jwks.json) or the one `cef keygen` writes: {\"keys\":[{\"kty\":\"OKP\",\"alg\":\"EdDSA\",\"kid\":\"...\",\"crv\":\"Ed25519\",\"x\":\"...\"}]}. \
Entries carry no key id, so every key is tried. Keys that are not usable Ed25519 keys (RSA, \
EC, malformed, weak) are skipped with a warning on standard error; a JWKS with no usable key \
is an error.

Each line is verified as received (its LF or CRLF removed), in its own format (CEF, JSON or \
CPS, told apart by its first bytes, as `cef receive` keeps them) unless --format fixes one; \
a line still holding a CR fails (line_break_in_entry). The signed bytes are everything \
before the signature (` sig=` for cef, `,\"sig\":\"` for json and cps, see `cef sign --help`), \
the signature must be the last field, 86 canonical base64url characters, and the only one, \
and the check is strict (RFC 8032 with canonical encodings, no small-order points). For \
cef the signed bytes must also parse as CEF.

Results go to standard output, one per line:
  line 1: ok kid=<kid>
  line 2: FAIL no_key_matches: altered, or signed by a key not in this JWKS: no key verifies its signature at byte 260
or, with --json, one JSON object per line:
  {\"line\":1,\"ok\":true,\"kid\":\"<kid>\"}
  {\"line\":2,\"ok\":false,\"kind\":\"no_key_matches\",\"error\":\"altered, or signed by a key not in this JWKS: no key verifies its signature at byte 260\"}
`kind` is a stable name (unsigned, malformed_signature, data_after_signature, \
no_key_matches, empty, not_json_entry, line_break_in_entry, or the CEF parser's kind such as too_few_header_fields); \
byte offsets count from the start of the line. no_key_matches means the entry was altered \
after it was signed, or signed by a key that is not in this JWKS (a rotated key: fetch the \
JWKS again); which of the two, or where it was altered, cannot be known from the signature, \
so its offset is where the signature starts. With several inputs, line numbers restart at \
1 for each input and each result starts with the input's name (`<name>: line N: ...`, or an \
`\"input\"` member first in JSON).

An empty line is a failure of kind `empty` (a signed log has no blank lines, and every input \
line gets its result); remove blank lines first if your log has them.

Then a summary goes to standard error: `verified X of Y entries, Z failed`.

For cef, entries are verified with batch verification (much faster than one by one) under \
one rule, so an entry gets the same verdict in a batch as alone (see the library's Verifier \
docs). The batch size adapts to how many entries fail, down to one by one when most do; \
--batch N fixes it (--batch 1: one by one). Entries may be signed by any key of the JWKS, \
in any order (rotation, several emitters). Chunks of lines are verified on every core \
(--threads), results are written in input order, only a few chunks are in memory, and a \
chunk is also verified early when the input pauses, so `tail -f log | cef verify` reports \
as lines arrive.

With --checkpoints, the entries that verified are then checked for completeness against \
the signed checkpoints in the stream (`cef sign --checkpoint-every`), across all inputs in \
order: each checkpoint lists the hashes of the entries since the previous one and chains to \
it. At the end, up to 10 missing entries (`missing: stream S checkpoint C position P`) and \
one line go to standard error:
  completeness: {\"entries\":..,\"confirmed\":..,\"missing\":..,\"duplicated\":..,\"reordered\":..,\"unexpected\":..,\"checkpoint_gaps\":..,\"unconfirmed_tail\":..,\"checkpoints\":..,\"gap_entries\":..,\"unprovable\":..,\"streams\":..}
and with --json the same object as a last line {\"completeness\":{...}} on standard output. \
confirmed: listed by a checkpoint and received; missing: listed, not received; duplicated: \
extra copies; reordered: entries that arrived out of order; unexpected: verified but listed \
by no checkpoint; checkpoint_gaps: checkpoints missing or out of sequence (gap_entries: the \
positions they covered, unprovable: entries received in such a gap); unconfirmed_tail: \
entries after the last checkpoint, not yet provable (not an error). Anything missing, \
duplicated, reordered, unexpected or a chain gap makes the exit status 1.

Exit status: 0 every entry verified (and, with --checkpoints, the stream is complete), 1 at \
least one entry failed (or the stream is not complete), 2 the JWKS cannot be read or has no \
usable key, an input cannot be read, or output fails.";

const AFTER_HELP: &str = "\
Examples:
  cef verify --jwks jwks.json audit.cef
  cef verify --jwks https://us.api.konghq.com/v2/audit-log-webhook/jwks.json audit.cef
  cef verify --jwks jwks.json --json --format json entries.jsonl
  cef sign --key k.pem audit.cef | cef verify --jwks k.jwks.json
    line 1: ok kid=<kid>
    ...
    verified 120 of 120 entries, 0 failed";

/// Arguments of `cef verify`.
#[derive(Debug, clap::Args)]
#[command(about = "Verify each signed line against a JWKS: one result per line and a summary", long_about = LONG_ABOUT)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub keys: JwksArgs,

    /// Verify every line in this format (others fail). Without it, each line in its own:
    /// CEF, JSON or CPS, told apart by its first bytes, as `cef receive` keeps them.
    #[arg(long, value_name = "FORMAT", value_parser = arg_values::parser(FORMAT_HELP))]
    pub format: Option<Format>,

    /// Write each result as a JSON object instead of text.
    #[arg(long)]
    pub json: bool,

    /// How many cef lines to verify together (1-4096; 1 verifies one by one). Without it,
    /// the size adapts to how many entries fail.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub batch: Option<u16>,

    /// How many threads verify (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Check completeness against the signed checkpoints in the stream (see above).
    #[arg(long)]
    pub checkpoints: bool,

    #[command(flatten)]
    pub inputs: Inputs,
}

/// Runs `cef verify`.
pub fn run(args: &Args) -> Status {
    let workers = parallel::workers(args.threads.map(usize::from));
    let batch = args.batch.map(usize::from);
    let keys = match args.keys.load("cef verify", workers, batch) {
        Ok(keys) => keys,
        Err(message) => {
            report(format_args!("cef verify: {message}"));
            return Status::Fatal;
        }
    };
    // One verifier shared; one state per worker, each learning its chunks'
    // keys, started again when a fetch changes the keys.
    let states: Vec<Mutex<(Arc<VerifyPool>, VerifierState)>> = (0..workers)
        .map(|_| {
            let pool = keys.pool();
            let state = pool.verifier().new_state();
            Mutex::new((pool, state))
        })
        .collect();
    let mut counts = Counts::default();
    let mut checker = CompletenessChecker::new();
    let chunk_lines = batch.unwrap_or(0).max(CHUNK_LINES);
    let status = parallel::run(
        &args.inputs,
        chunk_lines,
        workers,
        |chunk, out, worker| {
            keys.refresh_if_due_blocking();
            let slot = states.get(worker).or(states.first()).ok_or_else(|| io::Error::other("no verifier"))?;
            // Each worker locks only its own state: never contended.
            let mut slot = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let pool = keys.pool();
            if !Arc::ptr_eq(&slot.0, &pool) {
                let state = pool.verifier().new_state();
                *slot = (pool, state);
            }
            let (pool, state) = &mut *slot;
            let options = Options { format: args.format, json: args.json, checkpoints: args.checkpoints };
            verify_chunk(&keys, pool, state, options, chunk, out)
        },
        |chunk_counts: Counts| {
            counts.ok += chunk_counts.ok;
            counts.failed += chunk_counts.failed;
            for received in chunk_counts.fed {
                checker.add_received(received);
            }
        },
    );
    report(format_args!(
        "verified {} of {} entries, {} failed",
        counts.ok,
        counts.ok.saturating_add(counts.failed),
        counts.failed
    ));
    if args.checkpoints {
        return status.max(report_completeness(checker, args.json));
    }
    status
}

/// Writes the completeness report: missing entries and the summary line
/// to standard error, and with `json` the summary object to standard output.
fn report_completeness(checker: CompletenessChecker, json: bool) -> Status {
    let completeness = checker.finish();
    let summary = print_missing_and_summary(&completeness, "");
    if json {
        let mut out = io::stdout().lock();
        if let Err(err) = writeln!(out, "{{\"completeness\":{summary}}}").and_then(|()| out.flush())
            && err.kind() != io::ErrorKind::BrokenPipe
        {
            report(format_args!("cef: cannot write output: {err}"));
            return Status::Fatal;
        }
    }
    if completeness.is_complete() { Status::Success } else { Status::LineFailed }
}

/// Lines verified together by one worker: enough for batches to adapt
/// within it, few enough that a follower gets results quickly.
const CHUNK_LINES: usize = 256;

#[derive(Debug, Default)]
struct Counts {
    ok: u64,
    failed: u64,
    /// With --checkpoints, what each verified entry gives the checker, in order.
    fed: Vec<Received>,
}

/// How each line is verified and its result written.
#[derive(Clone, Copy)]
struct Options {
    format: Option<Format>,
    json: bool,
    checkpoints: bool,
}

/// Verifies one chunk and writes its results, in order; entries no key
/// matches are verified again when a fetch of the JWKS (within its
/// limits) brings other keys.
fn verify_chunk(
    keys: &LiveKeys,
    pool: &Arc<VerifyPool>,
    state: &mut VerifierState,
    options: Options,
    chunk: &Chunk<'_>,
    out: &mut Vec<u8>,
) -> io::Result<Handled<Counts>> {
    let Options { format, json, checkpoints } = options;
    let empty = || Err(Error::new(ErrorKind::Empty));
    let mut status = Status::Success;
    let mut counts = Counts::default();
    let mut record = |offset: usize, result: Result<&str, Error>, out: &mut Vec<u8>| -> io::Result<()> {
        let number = chunk.first_number.saturating_add(offset as u64);
        if result.is_ok() {
            counts.ok += 1;
            if checkpoints && let Some(line) = chunk.lines.get(offset) {
                counts.fed.push(Received::of(line));
            }
        } else {
            counts.failed += 1;
            status = Status::LineFailed;
        }
        write_result(out, chunk.input, number, &result, json)
    };
    // Empty lines are not entries: they skip the batch and fail on their own.
    let entries: Vec<&[u8]> = chunk.lines.iter().copied().filter(|line| !line.is_empty()).collect();
    let mut results: Vec<Result<String, Error>> = verify_entries_keys(pool.verifier(), state, format, &entries)
        .into_iter()
        .map(|result| result.map(|key| key.kid().to_owned()))
        .collect();
    let unmatched =
        |result: &Result<String, Error>| result.as_ref().is_err_and(|err| err.kind() == ErrorKind::NoKeyMatches);
    if results.iter().any(unmatched)
        && let Some(newer) = keys.after_miss_blocking(pool)
    {
        let mut state = newer.verifier().new_state();
        for (result, entry) in results.iter_mut().zip(&entries) {
            if unmatched(result) {
                let again = verify_entries_keys(newer.verifier(), &mut state, format, &[entry]).into_iter().next();
                *result =
                    again.unwrap_or_else(|| Err(Error::new(ErrorKind::NoKeyMatches))).map(|key| key.kid().to_owned());
            }
        }
    }
    let mut results = results.into_iter();
    for (offset, line) in chunk.lines.iter().enumerate() {
        let result = if line.is_empty() {
            empty()
        } else {
            // One result per entry; fail closed if the library ever returned fewer.
            results.next().unwrap_or_else(|| Err(Error::new(ErrorKind::NoKeyMatches)))
        };
        record(offset, result.as_deref().map_err(Clone::clone), out)?;
    }
    Ok(Handled { status, messages: Vec::new(), value: counts })
}

/// `line N: ok kid=K` / `line N: FAIL kind: message`, or the JSON object; then LF.
fn write_result(
    out: &mut Vec<u8>,
    input: Option<&str>,
    number: u64,
    result: &Result<&str, Error>,
    json: bool,
) -> io::Result<()> {
    if json {
        out.push(b'{');
        if let Some(input) = input {
            out.extend_from_slice(b"\"input\":");
            serde_json::to_writer(&mut *out, input)?;
            out.push(b',');
        }
        write!(out, "\"line\":{number},")?;
        match result {
            Ok(kid) => {
                out.extend_from_slice(b"\"ok\":true,\"kid\":");
                serde_json::to_writer(&mut *out, kid)?;
            }
            Err(err) => {
                write!(out, "\"ok\":false,\"kind\":\"{}\",\"error\":", err.kind().name())?;
                serde_json::to_writer(&mut *out, &err.to_string())?;
            }
        }
        out.extend_from_slice(b"}\n");
    } else {
        if let Some(input) = input {
            write!(out, "{input}: ")?;
        }
        match result {
            Ok(kid) if kid.chars().any(|c| c.is_control() || c == ' ') => {
                // A kid comes from the JWKS: keep one result per line whatever it holds.
                write!(out, "line {number}: ok kid=")?;
                serde_json::to_writer(&mut *out, kid)?;
                out.push(b'\n');
            }
            Ok(kid) => writeln!(out, "line {number}: ok kid={kid}")?,
            Err(err) => writeln!(out, "line {number}: FAIL {}: {err}", err.kind().name())?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(result: Result<&str, Error>, json: bool, input: Option<&str>) -> String {
        let mut out = Vec::new();
        write_result(&mut out, input, 7, &result, json).unwrap_or_default();
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn result_lines() {
        let fail = || Err(Error::at(ErrorKind::NoKeyMatches, 12));
        assert_eq!(text(Ok("k1"), false, None), "line 7: ok kid=k1\n");
        assert_eq!(
            text(fail(), false, None),
            "line 7: FAIL no_key_matches: altered, or signed by a key not in this JWKS: no key verifies its signature at byte 12\n"
        );
        assert_eq!(text(Ok("k1"), true, None), "{\"line\":7,\"ok\":true,\"kid\":\"k1\"}\n");
        assert_eq!(
            text(fail(), true, Some("a.log")),
            "{\"input\":\"a.log\",\"line\":7,\"ok\":false,\"kind\":\"no_key_matches\",\"error\":\"altered, or signed by a key not in this JWKS: no key verifies its signature at byte 12\"}\n"
        );
        assert_eq!(text(Ok("a\nb"), false, Some("x")), "x: line 7: ok kid=\"a\\nb\"\n");
    }
}
