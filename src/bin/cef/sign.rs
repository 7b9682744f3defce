//! `cef sign`: sign each input line as Konnect does.

use std::io::{self, BufWriter, Write};
use std::time::Instant;

use audit_cef::checkpoint::{Checkpointer, EntryHash, StreamId};
use audit_cef::{Format, Parser, Signer};

use crate::arg_values::{self, FORMAT_HELP};
use crate::io_util::{Inputs, Status, report};
use crate::keys::load_key;
use crate::parallel::{self, Handled};
use crate::signing::{Lines, sign_chunk};

const LONG_ABOUT: &str = "\
Sign each input line with an Ed25519 key, as Kong Konnect signs its audit log entries, and \
write the signed line.

The key is a PKCS#8 PEM private key as `cef keygen` writes (`-----BEGIN PRIVATE KEY-----`); \
PKCS#8 DER and a private JWK ({\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":...}) are read too.

The line ending (LF or CRLF) is removed before signing and the signed line is written with \
LF. Per --format:
  cef   (default) the whole line, prefix included, is signed and ` sig=<signature>` is \
appended: the signature is the last pair
  json  the compact JSON object is signed and `,\"sig\":\"<signature>\"` is inserted before \
its final `}`
  cps   the same for a CPS entry {\"event\":{...}}: `sig` goes last inside `event`
The signature is 64 bytes in base64url without padding (86 characters). What is signed is \
exactly the bytes of the input line: nothing is re-rendered or re-serialized.

A line that cannot be signed writes nothing to standard output; its error goes to standard \
error as `line N: <message>` and the run goes on (exit status 1 at the end). Such lines: an \
empty line; for cef, a line that is not CEF (the verifier parses what it verifies) or that \
already carries ` sig=`; for json and cps, a line that is not a JSON object of the right \
shape or that already has a `sig` member; a raw CR inside a line.

With --checkpoint-every N (cef only), signed checkpoints are written into the output \
stream: after every N signed entries, after --checkpoint-secs T seconds when at least one \
entry waits (checked as lines arrive), and at the end of the input for the entries still \
waiting. A checkpoint is one more signed CEF entry (event class id audit-cef.checkpoint, \
the vendor, product and device version of the first entry) that lists a 16-byte hash of \
each entry it covers and chains to the previous checkpoint; the stream id is 16 random \
bytes from the operating system, new for each run. `cef verify --checkpoints` then proves \
that no entry was dropped, added, duplicated or reordered. See the library's `checkpoint` \
module for the format.

Exit status: 0 every line signed, 1 some line could not be signed, 2 the key cannot be read \
(nothing is signed), an input cannot be read, or output fails.";

const AFTER_HELP: &str = "\
Examples:
  cef keygen --out k
  cef sign --key k.pem audit.cef > audit.signed.cef
  cef sign --key k.pem --format json entries.jsonl
  cef sign --key k.pem --checkpoint-every 100 audit.cef | cef verify --jwks k.jwks.json --checkpoints
  cef render events.jsonl | cef sign --key k.pem | cef verify --jwks k.jwks.json";

/// Arguments of `cef sign`.
#[derive(Debug, clap::Args)]
#[command(about = "Sign each line (CEF, JSON or CPS) with an Ed25519 private key", long_about = LONG_ABOUT)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The private key: PKCS#8 PEM as `cef keygen` writes it.
    #[arg(long, value_name = "FILE")]
    pub key: std::path::PathBuf,

    /// The format of the entries.
    #[arg(long, value_name = "FORMAT", value_parser = arg_values::parser(FORMAT_HELP), default_value_t = Format::Cef)]
    pub format: Format,

    /// How many threads sign (default: one per core). Output keeps the input's order.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Write a signed checkpoint after every N entries (cef only; see above).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub checkpoint_every: Option<u32>,

    /// Also write a checkpoint when an entry has waited T seconds (needs --checkpoint-every).
    #[arg(long, value_name = "T", requires = "checkpoint_every")]
    pub checkpoint_secs: Option<u64>,

    #[command(flatten)]
    pub inputs: Inputs,
}

/// Runs `cef sign`.
pub fn run(args: &Args) -> Status {
    let signer = match load_key(&args.key) {
        Ok(signer) => signer,
        Err(message) => {
            report(format_args!("cef sign: {message}"));
            return Status::Fatal;
        }
    };
    if let Some(every) = args.checkpoint_every {
        if args.format != Format::Cef {
            report(format_args!("cef sign: --checkpoint-every needs --format cef (a checkpoint is a CEF entry)"));
            return Status::Fatal;
        }
        return run_with_checkpoints(args, &signer, every);
    }
    let parser = Parser::new();
    let workers = parallel::workers(args.threads.map(usize::from));
    parallel::run(
        &args.inputs,
        CHUNK_LINES,
        workers,
        |chunk, out, _| {
            Ok(sign_chunk(&signer, &parser, args.format, chunk, Lines::All, |signed| {
                out.extend_from_slice(signed);
                out.push(b'\n');
            }))
        },
        |()| {},
    )
}

/// Lines signed together by one worker.
const CHUNK_LINES: usize = 256;

/// A chunk's signed lines back to back, with where each ends and its hash.
#[derive(Default)]
struct SignedChunk {
    data: Vec<u8>,
    ends: Vec<usize>,
    hashes: Vec<EntryHash>,
}

/// `cef sign --checkpoint-every`: workers sign and hash, and the writer
/// thread writes each chunk's lines in order through the checkpointer.
fn run_with_checkpoints(args: &Args, signer: &Signer, every: u32) -> Status {
    let mut stream = [0u8; 16];
    if let Err(err) = getrandom::fill(&mut stream) {
        report(format_args!("cef sign: no randomness from the operating system for the stream id: {err}"));
        return Status::Fatal;
    }
    let stream = StreamId::from_bytes(stream);
    let parser = Parser::new();
    let workers = parallel::workers(args.threads.map(usize::from));
    let started = Instant::now();
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
    let mut checkpointer: Option<Checkpointer> = None;
    let mut failure: Option<String> = None;
    let mut checkpoint = Vec::with_capacity(4096);
    let status = parallel::run(
        &args.inputs,
        CHUNK_LINES,
        workers,
        |chunk, _out, _| {
            let mut value = SignedChunk::default();
            let handled = sign_chunk(signer, &parser, Format::Cef, chunk, Lines::All, |signed| {
                value.hashes.push(EntryHash::of(signed));
                value.data.extend_from_slice(signed);
                value.ends.push(value.data.len());
            });
            Ok(Handled { status: handled.status, messages: handled.messages, value })
        },
        |signed: SignedChunk| {
            if failure.is_some() {
                return;
            }
            let mut start = 0;
            let mut write = || -> Result<(), String> {
                for (&end, hash) in signed.ends.iter().zip(&signed.hashes) {
                    let line = signed.data.get(start..end).unwrap_or_default();
                    start = end;
                    let checkpointer = match &mut checkpointer {
                        Some(checkpointer) => checkpointer,
                        None => {
                            checkpointer.insert(new_checkpointer(&parser, stream, line, every, args.checkpoint_secs)?)
                        }
                    };
                    out.write_all(line).and_then(|()| out.write_all(b"\n")).map_err(|err| err.to_string())?;
                    checkpointer.add_hash(*hash);
                    if checkpointer.due(started.elapsed().as_secs()) {
                        write_checkpoint(checkpointer, signer, &mut checkpoint, &mut out)?;
                    }
                }
                if let Some(checkpointer) = &mut checkpointer
                    && checkpointer.due(started.elapsed().as_secs())
                {
                    write_checkpoint(checkpointer, signer, &mut checkpoint, &mut out)?;
                }
                out.flush().map_err(|err| err.to_string())
            };
            failure = write().err();
        },
    );
    // The entries still waiting get their checkpoint at the end of the input.
    if failure.is_none()
        && let Some(checkpointer) = &mut checkpointer
    {
        failure = write_checkpoint(checkpointer, signer, &mut checkpoint, &mut out)
            .and_then(|()| out.flush().map_err(|err| err.to_string()))
            .err();
    }
    match failure {
        Some(message) if !message.contains("Broken pipe") => {
            report(format_args!("cef sign: {message}"));
            Status::Fatal
        }
        _ => status,
    }
}

/// The checkpointer of this run, with the header of the first entry.
fn new_checkpointer(
    parser: &Parser,
    stream: StreamId,
    first: &[u8],
    every: u32,
    secs: Option<u64>,
) -> Result<Checkpointer, String> {
    let line = parser.parse(first).map_err(|err| format!("cannot read the first entry's header: {err}"))?;
    let checkpointer = Checkpointer::new(
        stream,
        line.vendor().to_string(),
        line.product().to_string(),
        line.device_version().to_string(),
    )
    .map_err(|err| format!("cannot checkpoint with the first entry's header: {err}"))?
    .every(usize::try_from(every).unwrap_or(usize::MAX));
    Ok(match secs {
        Some(secs) => checkpointer.every_secs(secs),
        None => checkpointer,
    })
}

/// Writes the checkpoint of the waiting entries, if any, and LF.
fn write_checkpoint(
    checkpointer: &mut Checkpointer,
    signer: &Signer,
    buf: &mut Vec<u8>,
    out: &mut impl Write,
) -> Result<(), String> {
    buf.clear();
    if checkpointer.checkpoint_into(signer, buf).map_err(|err| format!("cannot write a checkpoint: {err}"))? {
        buf.push(b'\n');
        out.write_all(buf).map_err(|err| format!("cannot write output: {err}"))?;
    }
    Ok(())
}
