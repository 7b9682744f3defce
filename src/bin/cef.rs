//! `cef`: parse CEF lines to JSON and render JSON back to CEF, one line at a
//! time; generate Ed25519 keys, sign entries and verify their signatures;
//! convert Konnect entries between CEF, JSON and CPS; show a signed demo;
//! send, receive and relay entries over HTTP and syslog.
//!
//! One module per subcommand under `src/bin/cef/` (`parse.rs`, `render.rs`,
//! `keygen.rs`, `sign.rs`, `verify.rs`, `convert.rs`, `demo.rs`, `send.rs`,
//! `receive.rs`, `relay.rs`, `konnect.rs` with `konnect_listen.rs`);
//! subcommands never import each other. What several share has its own
//! module: `io_util.rs` and `parallel.rs` (the streaming line loop, on every
//! core), `arg_values.rs` (`--format`, secrets), `config_file.rs`
//! (`--config`), `keys.rs` (key files, JWKS documents), `live_keys.rs` (a
//! JWKS URL followed), `signing.rs` (a chunk of lines signed),
//! `collector.rs` (what `receive`, `relay` and `konnect listen` share),
//! `intake.rs`, `http_server.rs` and `accept.rs` (hyper around the
//! library's `receive` core), `admin.rs`, `metrics.rs` and `logging.rs` (a
//! collector run as a service), `syslog_receive.rs` (the syslog listeners).
//! A new subcommand is a module with an `Args` struct and a `run` function,
//! and a `Command` variant.

#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

// A crate root looks for modules next to itself (`src/bin/`), where cargo
// would take each file for a binary of its own: point at `src/bin/cef/`.
#[path = "cef/accept.rs"]
mod accept;
#[path = "cef/admin.rs"]
mod admin;
#[path = "cef/arg_values.rs"]
mod arg_values;
#[path = "cef/collector.rs"]
mod collector;
#[path = "cef/completeness.rs"]
mod completeness;
#[path = "cef/config_file.rs"]
mod config_file;
#[path = "cef/convert.rs"]
mod convert;
#[path = "cef/demo.rs"]
mod demo;
#[path = "cef/http_server.rs"]
mod http_server;
#[path = "cef/intake.rs"]
mod intake;
#[path = "cef/io_util.rs"]
mod io_util;
#[path = "cef/keygen.rs"]
mod keygen;
#[path = "cef/keys.rs"]
mod keys;
#[path = "cef/konnect.rs"]
mod konnect;
#[path = "cef/konnect_listen.rs"]
mod konnect_listen;
#[path = "cef/live_keys.rs"]
mod live_keys;
#[path = "cef/logging.rs"]
mod logging;
#[path = "cef/metrics.rs"]
mod metrics;
#[path = "cef/parallel.rs"]
mod parallel;
#[path = "cef/parse.rs"]
mod parse;
#[path = "cef/receive.rs"]
mod receive;
#[path = "cef/relay.rs"]
mod relay;
#[path = "cef/render.rs"]
mod render;
#[path = "cef/send.rs"]
mod send;
#[path = "cef/shell.rs"]
mod shell;
#[path = "cef/sign.rs"]
mod sign;
#[path = "cef/signing.rs"]
mod signing;
#[path = "cef/syslog_receive.rs"]
mod syslog_receive;
#[path = "cef/transport.rs"]
mod transport;
#[path = "cef/verify.rs"]
mod verify;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

const ABOUT: &str = "Parse, render, sign, verify and convert ArcSight CEF (Common Event Format) lines";

const LONG_ABOUT: &str = "\
Parse, render, sign, verify and convert ArcSight CEF (Common Event Format) lines.

CEF is a one-line text format for security and audit events: an optional \
syslog prefix, then `CEF:Version|Vendor|Product|Device Version|Event Class ID|Name|Severity|` \
followed by space-separated `key=value` extension pairs.

`cef parse` turns each CEF line into one JSON object; `cef render` turns each \
such JSON object back into a CEF line. Both read standard input or the files \
given, stream line by line in constant memory, and write exactly one output \
line per input line (render writes nothing for a line it rejects).

Kong Konnect signs each audit log entry (CEF, JSON or CPS) with Ed25519. \
`cef keygen` makes a signing key and its public JWKS, `cef sign` signs each \
line as Konnect does, and `cef verify` checks each line against a JWKS (such \
as Konnect's own `jwks.json`), one result per line. They stream too.

`cef convert --to cef|json|cps` turns Konnect entries in any of the three formats into \
one of them (checking their signatures first with --jwks, signing the result with \
--sign-key), and `cef demo` shows a signed event of each Konnect family in all three \
formats, verified.

`cef send` delivers entries as Konnect's audit-log webhook does (HTTP batches, gzip, \
retries, a durable --spool) or over syslog (UDP, TCP, TLS); `cef receive` takes them over \
HTTP or syslog and keeps only what verifies; `cef relay` stands between Konnect and a SIEM \
and forwards only verified entries. With `cef sign --checkpoint-every N`, signed \
checkpoints let `cef verify`, `cef receive` and `cef relay --checkpoints` prove that no \
entry was dropped, added, duplicated or reordered.";

const AFTER_HELP: &str = "\
Examples:
  cef parse audit.log | cef render
  cef keygen --out k && cef sign --key k.pem audit.log | cef verify --jwks k.jwks.json
  cef receive --listen 127.0.0.1:8080 --authorization-file secret --jwks k.jwks.json \\
      --out verified.cef --rejected rejected.jsonl
  cef convert --to json --jwks jwks.json audit.cef
  cef demo

Exit status: 0 success, 1 some line failed, 2 usage or I/O error. See `cef --help` for more.";

const AFTER_LONG_HELP: &str = "\
Examples:
  cef parse audit.log                      # one JSON object per CEF line
  cef parse --strict - < audit.log         # reject anything the standard does not define
  cef parse audit.log | cef render         # canonical lines come back byte for byte
  cef render events.jsonl > audit.log
  cef keygen --out k                       # k.pem (private, mode 0600) and k.jwks.json
  cef sign --key k.pem audit.log > signed.log
  cef verify --jwks jwks.json signed.log   # one result per line, then a summary
  cef convert --to json audit.cef          # Konnect CEF -> JSON (input signatures dropped)
  cef convert --to cps --jwks jwks.json --sign-key k.pem audit.cef   # verify, convert, re-sign
  cef demo                                 # signed Konnect events in CEF, JSON and CPS
  cef send --endpoint https://siem/in --authorization-file secret --spool spool signed.cef
  cef send --endpoint syslog+tcp://collector:601 --key k.pem audit.cef
  cef receive --listen syslog+tcp://0.0.0.0:601 --jwks jwks.json --out ok.cef --rejected bad.jsonl
  cef sign --key k.pem --checkpoint-every 100 audit.cef | cef verify --jwks k.jwks.json --checkpoints
  cef completions bash > /etc/bash_completion.d/cef
  cef man | man -l -

Exit status:
  0  every line succeeded
  1  at least one line failed (all other lines are still processed)
  2  usage error, an input that cannot be read, a key or JWKS that cannot be used, or a
     failed write

Run `cef help <COMMAND>` or `cef <COMMAND> --help` for each command's details.";

#[derive(Debug, Parser)]
#[command(name = "cef", version, about = ABOUT, long_about = LONG_ABOUT)]
#[command(after_help = AFTER_HELP, after_long_help = AFTER_LONG_HELP)]
#[command(propagate_version = true, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Parse(parse::Args),
    Render(render::Args),
    Keygen(keygen::Args),
    Sign(sign::Args),
    Verify(verify::Args),
    Convert(convert::Args),
    Demo(demo::Args),
    Send(send::Args),
    Receive(receive::Args),
    Relay(relay::Args),
    Konnect(konnect::Args),
    Completions(shell::CompletionsArgs),
    Man(shell::ManArgs),
}

fn main() -> ExitCode {
    // Usage errors exit with status 2 inside `parse()` (clap's default).
    let cli = match config_file::expand(&Cli::command(), std::env::args_os().collect()) {
        Ok(args) => Cli::parse_from(args),
        Err(message) => {
            io_util::report(format_args!("cef: {message}"));
            return io_util::Status::Fatal.exit_code();
        }
    };
    let status = match &cli.command {
        Command::Parse(args) => parse::run(args),
        Command::Render(args) => render::run(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Send(args) => send::run(args),
        Command::Receive(args) => receive::run(args),
        Command::Relay(args) => relay::run(args),
        // Its exit codes say more than the others' (status: 0, 1, 2, 3).
        Command::Konnect(args) => return konnect::run(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
    };
    status.exit_code()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn cli_definition_is_valid() {
        super::Cli::command().debug_assert();
    }
}
