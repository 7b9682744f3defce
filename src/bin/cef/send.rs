//! `cef send`: deliver entries to an HTTP collector as Konnect's
//! audit-log webhook does, through the library's `Sender`.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use audit_cef::chrono::Utc;
use audit_cef::syslog::{Endpoint, Framing, Priority, Sender as SyslogSender, SenderOptions, SyslogFormat};
use audit_cef::webhook::{Batcher, Credential, RetryPolicy};
use audit_cef::{Format, Parser, Sender, SenderConfig, SenderReport, Signer};

use crate::arg_values::FORMAT_HELP;
use crate::arg_values::{self, credential};
use crate::io_util::{Chunk, Inputs, Status, report};
use crate::keys::load_key;
use crate::parallel::{self, Handled};
use crate::signing::{Lines, sign_chunk};
use crate::transport::Transport;

const LONG_ABOUT: &str = "\
Send entries to an HTTP collector (a SIEM's HTTP source such as SumoLogic's or Splunk HEC \
raw, or `cef receive`) the way Kong Konnect's audit-log webhook does: POST batches of \
entries separated by newlines, gzip-compressed, with --authorization sent verbatim as the \
Authorization header.

Each input line is one entry. With --key each line is signed first (as `cef sign` does); \
without it the lines are sent as they are (already signed by an emitter, or by Konnect). \
Blank lines are skipped.

Delivery follows Konnect's retry rule: a connection error, HTTP 500 or 429 is retried up \
to 4 times, waiting 1 s doubling up to 30 s; a Retry-After is waited at least as long \
as it asks (jitter only adds), up to 120 s. Any other status gives the batch up. A 2xx \
delivers it.

With --spool DIR every entry is written to DIR and synced to disk before it is taken, \
removed only once a 2xx covers it, and entries left from an earlier run (not delivered, \
or given up) are sent first: nothing is lost when the collector is down or this command is \
killed (an entry may then arrive twice). Without --spool, entries that could not be \
delivered are counted and lost.

Over syslog (--endpoint syslog+udp://HOST:PORT, syslog+tcp://HOST:PORT or \
syslog+tls://HOST:PORT; no --authorization) each entry is the MSG of an RFC 5424 record \
(`<PRI>1 TIME HOST cef PID - - ENTRY`; --syslog-format rfc3164 writes `<PRI>ENTRY`), \
never altered, with the --facility and --severity given. TCP frames records with octet \
counting (--framing lf: one record per line); TLS always counts octets and trusts the \
public roots plus --ca; UDP sends one datagram per entry, and an entry too large for one \
is an error for that entry, never cut. TCP and TLS reconnect with the retry rule and send \
the chunk again (an entry may arrive twice). Syslog has no acknowledgement and no spool: \
an entry counts as delivered once the connection took it.

On a terminal, progress is shown on standard error. A summary ends the run: \
`sent N entries: D delivered, G not delivered` (and how many wait in the spool).

Exit status: 0 every entry delivered, 1 some entry was not delivered or a line could not be \
signed, 2 bad arguments, a key that cannot be used, an input that cannot be read or a spool \
that cannot be used.";

const AFTER_HELP: &str = "\
Examples:
  cef send --endpoint https://collectors.sumologic.com/receiver/v1/http/XYZ \\
      --authorization '' signed.cef
  cef send --endpoint http://127.0.0.1:8080/ --authorization-file secret \\
      --key k.pem --spool /var/spool/audit-cef plain.cef
  CEF_AUTHORIZATION='Bearer s3cret' cef send --endpoint http://127.0.0.1:8080/ signed.cef
  cef send --endpoint syslog+tcp://collector.example:601 --key k.pem plain.cef";

/// Arguments of `cef send`.
#[derive(Debug, clap::Args)]
#[command(about = "Send entries to an HTTP collector as Konnect's webhook does (batches, gzip, retries, spool)")]
#[command(long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub struct Args {
    /// A TOML file of options by their long names (`listen = "0.0.0.0:8443"`, `max-keys = 8`,
    /// `quiet = true`); a flag or environment variable wins over it, and it wins over the
    /// defaults. Secrets go in files (`authorization-file`) or the environment, never inline.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The collector's URL (http:// or https://).
    #[arg(long, value_name = "URL")]
    pub endpoint: String,

    /// HTTP: the Authorization header, sent verbatim (e.g. `Bearer s3cret`; empty: none).
    /// Required for HTTP; syslog has none. Prefer --authorization-file or CEF_AUTHORIZATION:
    /// a command line is seen by every local user.
    #[arg(long, value_name = "STR", value_parser = credential, env = "CEF_AUTHORIZATION", hide_env_values = true)]
    pub authorization: Option<Credential>,

    /// HTTP: a file holding --authorization's value (a trailing newline is not part of it).
    #[arg(long, value_name = "FILE")]
    pub authorization_file: Option<PathBuf>,

    /// Sign each line with this private key (PKCS#8 PEM, as `cef keygen` writes) first.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// The format of the entries (for signing with --key).
    #[arg(long, value_name = "FORMAT", value_parser = arg_values::parser(FORMAT_HELP), default_value_t = Format::Cef)]
    pub format: Format,

    /// A directory where entries wait, synced to disk, until delivered.
    #[arg(long, value_name = "DIR")]
    pub spool: Option<PathBuf>,

    /// The most entries in one POST.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub batch: u32,

    /// Send bodies uncompressed.
    #[arg(long)]
    pub no_gzip: bool,

    /// Accept any certificate from an https:// endpoint (Konnect's `skip_ssl_verification`).
    #[arg(long)]
    pub skip_ssl_verification: bool,

    /// Seconds one POST may take.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,

    /// Retries of a batch after a connection error, 500 or 429 (Konnect: 4).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub retries: u32,

    /// Syslog: how records are framed on TCP.
    #[arg(long, value_enum, default_value_t = FramingArg::OctetCounting)]
    pub framing: FramingArg,

    /// Syslog: the record format.
    #[arg(long, value_enum, default_value_t = FormatArg::Rfc5424)]
    pub syslog_format: FormatArg,

    /// Syslog: the facility (0-23; 13 is "log audit").
    #[arg(long, value_name = "N", default_value_t = 13)]
    pub facility: u8,

    /// Syslog: the severity (0-7; 6 is "informational").
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub severity: u8,

    /// syslog+tls: a PEM certificate (or CA) to trust besides the public roots.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,

    #[command(flatten)]
    pub inputs: Inputs,
}

/// Lines signed (or taken) together, and handed to the sender at once: one
/// spool sync covers them.
const CHUNK_LINES: usize = 512;

/// Runs `cef send`.
pub fn run(args: &Args) -> Status {
    const COMMAND: &str = "cef send";
    let signer = match args.key.as_deref().map(load_key).transpose() {
        Ok(signer) => signer,
        Err(message) => {
            report(format_args!("{COMMAND}: {message}"));
            return Status::Fatal;
        }
    };
    let transport = match Transport::parse(&args.endpoint) {
        Ok(transport) => transport,
        Err(message) => {
            report(format_args!("{COMMAND}: {message}"));
            return Status::Fatal;
        }
    };
    if let Transport::Syslog(endpoint) = transport {
        return run_syslog(args, endpoint, signer);
    }
    let authorization = arg_values::secret_from(
        args.authorization.as_ref(),
        args.authorization_file.as_deref(),
        "--authorization-file",
    );
    let authorization = match authorization {
        Ok(Some(authorization)) => authorization,
        Ok(None) => {
            report(format_args!(
                "{COMMAND}: an HTTP endpoint needs its Authorization: --authorization-file FILE, \
                 CEF_AUTHORIZATION, or --authorization '' for none"
            ));
            return Status::Fatal;
        }
        Err(message) => {
            report(format_args!("{COMMAND}: {message}"));
            return Status::Fatal;
        }
    };
    let authorization = &authorization;
    let config = SenderConfig::new(&args.endpoint, authorization.clone()).map(|config| {
        let batch = usize::try_from(args.batch).unwrap_or(100);
        let config = config
            .gzip(!args.no_gzip)
            .batcher(Batcher::new().max_entries(batch).max_age(Duration::from_millis(200)))
            .skip_ssl_verification(args.skip_ssl_verification)
            .timeout(Duration::from_secs(args.timeout))
            .retry(RetryPolicy::KONNECT.max_retries(args.retries));
        match &args.spool {
            Some(dir) => config.spool(dir),
            None => config,
        }
    });
    let sender = match config.and_then(Sender::start) {
        Ok(sender) => sender,
        Err(err) => {
            report(format_args!("{COMMAND}: {err}"));
            return Status::Fatal;
        }
    };
    let parser = Parser::new();
    let workers = if signer.is_some() { parallel::workers(None) } else { 1 };
    let mut refused: Option<String> = None;
    let done = AtomicBool::new(false);
    let terminal = io::stderr().is_terminal();
    let status = thread::scope(|scope| {
        let shown = scope.spawn(|| watch(&sender, &done, terminal));
        let status = parallel::run(
            &args.inputs,
            CHUNK_LINES,
            workers,
            |chunk, _out, _| Ok(entries_of(chunk, signer.as_ref(), &parser, args.format)),
            |entries: Vec<Vec<u8>>| {
                if refused.is_some() || entries.is_empty() {
                    return;
                }
                let borrowed: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
                if let Err(err) = sender.send_all(&borrowed) {
                    refused = Some(err.to_string());
                }
            },
        );
        // Delivery (and its retries) goes on while the progress line shows it.
        let flushed = sender.flush();
        done.store(true, Ordering::Relaxed);
        let _ = shown.join();
        if let Err(err) = flushed {
            refused.get_or_insert(err.to_string());
        }
        status
    });
    // Failures since the watcher's last look: every batch is settled now.
    for failure in sender.take_failures() {
        report(format_args!("{COMMAND}: {failure}"));
    }
    let final_report = sender.close();
    let mut status = status;
    if let Some(message) = &refused {
        report(format_args!("{COMMAND}: stopped taking entries: {message}"));
        status = status.max(Status::Fatal);
    }
    match final_report {
        Ok(sent) => {
            report(format_args!("{COMMAND}: {}", summary(&sent, args.spool.as_deref())));
            if sent.given_up > 0 || sent.spooled > 0 || sent.rejected > 0 {
                status = status.max(Status::LineFailed);
            }
        }
        Err(err) => {
            report(format_args!("{COMMAND}: {err}"));
            status = status.max(Status::Fatal);
        }
    }
    status
}

/// A chunk's entries: its non-blank lines, signed with `signer` if any;
/// lines that cannot be signed are reported and left out.
fn entries_of(chunk: &Chunk<'_>, signer: Option<&Signer>, parser: &Parser, format: Format) -> Handled<Vec<Vec<u8>>> {
    let mut entries: Vec<Vec<u8>> = Vec::with_capacity(chunk.lines.len());
    let Some(signer) = signer else {
        entries.extend(chunk.lines.iter().filter(|line| !line.is_empty()).map(|line| line.to_vec()));
        return Handled { status: Status::Success, messages: Vec::new(), value: entries };
    };
    let handled = sign_chunk(signer, parser, format, chunk, Lines::ToSend, |signed| entries.push(signed.to_vec()));
    Handled { status: handled.status, messages: handled.messages, value: entries }
}

/// Runs `cef send` to a syslog endpoint.
fn run_syslog(args: &Args, endpoint: Endpoint, signer: Option<Signer>) -> Status {
    const COMMAND: &str = "cef send";
    // Options that syslog cannot honour are refused, not ignored.
    let http_only = [
        (args.spool.is_some(), "--spool (syslog has no acknowledgement to delete an entry on)"),
        (args.skip_ssl_verification, "--skip-ssl-verification (give the server's certificate with --ca)"),
        (args.authorization.is_some() || args.authorization_file.is_some(), "--authorization"),
    ];
    if let Some((_, option)) = http_only.iter().find(|(given, _)| *given) {
        report(format_args!("{COMMAND}: {option} is for HTTP endpoints only"));
        return Status::Fatal;
    }
    let priority = match Priority::new(args.facility, args.severity) {
        Ok(priority) => priority,
        Err(err) => {
            report(format_args!("{COMMAND}: --facility/--severity: {err}"));
            return Status::Fatal;
        }
    };
    let ca_pem = match args.ca.as_deref().map(std::fs::read).transpose() {
        Ok(pem) => pem,
        Err(err) => {
            report(format_args!("{COMMAND}: cannot read --ca: {err}"));
            return Status::Fatal;
        }
    };
    let options = SenderOptions {
        format: args.syslog_format.into(),
        framing: args.framing.into(),
        priority,
        retry: RetryPolicy::KONNECT.max_retries(args.retries),
        timeout: Duration::from_secs(args.timeout),
        hostname: std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty()),
        app_name: Some("cef".into()),
        procid: Some(std::process::id().to_string()),
        ca_pem,
    };
    let address = endpoint.address().to_owned();
    let mut client = match SyslogSender::new(endpoint, options) {
        Ok(client) => client,
        Err(err) => {
            report(format_args!("{COMMAND}: {address}: {err}"));
            return Status::Fatal;
        }
    };
    let parser = Parser::new();
    let workers = if signer.is_some() { parallel::workers(None) } else { 1 };
    let mut status = parallel::run(
        &args.inputs,
        CHUNK_LINES,
        workers,
        |chunk, _out, _| Ok(entries_of(chunk, signer.as_ref(), &parser, args.format)),
        |entries: Vec<Vec<u8>>| {
            let entries: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
            client.send(&entries, Utc::now(), &mut |event| report(format_args!("{COMMAND}: {address}: {event}")));
        },
    );
    if let Err(err) = client.close() {
        report(format_args!("{COMMAND}: closing the connection: {err}"));
        status = status.max(Status::LineFailed);
    }
    let counts = client.counts();
    report(format_args!(
        "{COMMAND}: sent {} entries: {} delivered, {} not delivered ({} reconnects)",
        counts.taken, counts.delivered, counts.failed, counts.reconnects
    ));
    if counts.failed > 0 {
        status = status.max(Status::LineFailed);
    }
    status
}

/// `--syslog-format`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    /// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - ENTRY`
    Rfc5424,
    /// `<PRI>ENTRY` (a Konnect entry starts with its own time and host)
    Rfc3164,
}

impl From<FormatArg> for SyslogFormat {
    fn from(arg: FormatArg) -> SyslogFormat {
        match arg {
            FormatArg::Rfc5424 => SyslogFormat::Rfc5424,
            FormatArg::Rfc3164 => SyslogFormat::Rfc3164,
        }
    }
}

/// `--framing`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FramingArg {
    /// `LEN SP RECORD` (RFC 6587 octet counting; always over TLS)
    OctetCounting,
    /// `RECORD LF` (RFC 6587 non-transparent framing)
    Lf,
}

impl From<FramingArg> for Framing {
    fn from(arg: FramingArg) -> Framing {
        match arg {
            FramingArg::OctetCounting => Framing::OctetCounting,
            FramingArg::Lf => Framing::Lf,
        }
    }
}

/// `sent N entries: D delivered, G not delivered[; S wait in the spool DIR]`.
fn summary(sent: &SenderReport, spool: Option<&std::path::Path>) -> String {
    let mut text = format!(
        "sent {} entries: {} delivered, {} not delivered ({} batches, {} retries)",
        sent.accepted.saturating_add(sent.replayed),
        sent.delivered.saturating_sub(sent.rejected),
        sent.given_up,
        sent.batches,
        sent.retries
    );
    if sent.rejected > 0 {
        text.push_str(&format!(
            "; {} rejected by the collector (see its --rejected file: an entry altered, unsigned, or signed by a key not in its JWKS)",
            sent.rejected
        ));
    }
    if let Some(dir) = spool
        && sent.spooled > 0
    {
        text.push_str(&format!("; {} wait in the spool {} for the next run", sent.spooled, dir.display()));
    }
    text
}

/// Until `done`: says each batch that was given up, and why, as it
/// happens; on a terminal, redraws one status line below them.
fn watch(sender: &Sender, done: &AtomicBool, terminal: bool) {
    while !done.load(Ordering::Relaxed) {
        for failure in sender.take_failures() {
            let clear = if terminal { "\r\x1b[K" } else { "" };
            report(format_args!("{clear}cef send: {failure}"));
        }
        if terminal {
            let now = sender.report();
            let _ = write!(
                io::stderr(),
                "\r\x1b[Ksending: {} taken, {} delivered, {} not delivered, {} retries",
                now.accepted.saturating_add(now.replayed),
                now.delivered,
                now.given_up,
                now.retries
            );
        }
        thread::sleep(Duration::from_millis(250));
    }
    if terminal {
        let _ = write!(io::stderr(), "\r\x1b[K");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    #[derive(Debug, clap::Parser)]
    struct Command {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn the_authorization_never_shows_in_debug() {
        let parsed =
            Command::try_parse_from(["cef-send", "--endpoint", "http://x/", "--authorization", "Bearer s3cret-value"]);
        let text = format!("{parsed:?}");
        assert!(parsed.is_ok(), "{text}");
        assert!(!text.contains("s3cret-value"), "{text}");
        assert!(text.contains("Credential(..)"), "{text}");
    }
}
