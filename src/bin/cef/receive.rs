//! `cef receive`: an HTTP collector for Konnect's audit-log webhook (or
//! `cef send`) that verifies every entry before it keeps it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use audit_cef::syslog::Endpoint;
use tokio::net::{TcpListener, UdpSocket};

use crate::collector::{self, Collector, Opened, Service, hangup_signal, stopped};
use crate::http_server;
use crate::io_util::{Status, report};
use crate::parallel;
use crate::syslog_receive::{self, Junk, StreamLimits};
use crate::transport::Transport;

const LONG_ABOUT: &str = "\
Receive audit log entries over HTTP as Kong Konnect's audit-log webhook sends them, verify \
every entry's signature against a JWKS, and keep them: verified entries in --out, rejected \
ones (with the reason) in --rejected.

Point Konnect's webhook (PATCH /v2/audit-log-webhook {\"endpoint\":\"https://HOST:PORT/\", \
\"authorization\":\"<the same --authorization>\", \"log_format\":\"cef\"}) or `cef send` at it. \
A request is a POST whose body holds entries separated by newlines (LF or CRLF, blank lines \
skipped), gzip-compressed or plain: the body is gzip when it starts with gzip's magic bytes, \
whatever Content-Encoding says, which may be gzip, x-gzip or application/gzip (what Konnect \
sends), in any case, within a comma list, or absent. Its Authorization header must be \
exactly --authorization (compared in constant time). Each entry is verified in its own \
format, CEF, JSON or CPS, told apart by its first bytes (--format fixes one); an entry that \
still holds a CR or LF after its line ending is taken off is rejected alone \
(line_break_in_entry), so --out holds exactly one entry per line.

Answers (Konnect retries only a connection error, 500 and 429; any other answer loses the \
batch, so everything a retry could fix is one of those three):
  200  every entry is on disk (fsynced) in --out or --rejected; the body is
       {\"verified\":N,\"rejected\":M} (read it ignoring fields you do not know)
  429  with Retry-After: memory (--max-memory) or the journal's queue is short, or
       the collector is stopping; retry
  500  the entries could not be stored (a full disk): both files were cut back to
       where they were, nothing was kept; retry
  (closed, no answer)  the body took longer than --body-timeout or broke off; retry
  400  a gzip stream that does not inflate
  401  missing or wrong Authorization
  405  not a POST
  413  the body, inflated text, entry count or one entry is over its limit
  415  a Content-Encoding other than gzip or identity (br, deflate)

Verified entries are appended to --out exactly as received (their line ending removed, \
then LF), a request's entries in body order and requests in the order they are stored, so \
`cef verify --jwks JWKS OUT` verifies the file again. Each rejected entry is one JSON line \
in --rejected: {\"received\":\"<time>\",\"peer\":\"<addr>\",\"kind\":\"no_key_matches\",\"error\":\"...\",\
\"entry\":\"...\"} (\"entry_base64\" when it is not UTF-8). When a write or sync fails, both \
files are cut back to their length before that group of requests, and nothing more is \
written until that succeeds: no line is ever torn, glued to a fragment or stored twice by \
a retry. Files created are 0600.

Entries are verified in batches on every core (see `cef verify --help`). Slow clients get \
--header-timeout for their headers (and TLS handshake) and --body-timeout for the body. \
Every byte a request holds (its body, its inflated text as it inflates, the verdicts and \
the records) is charged to --max-memory, however many clients send at once: a request that \
does not fit is answered 429 with Retry-After (a shortage a retry can pass, never a 413).

With --tls-cert and --tls-key it serves HTTPS. On SIGTERM or Ctrl-C it stops accepting, \
finishes the requests in flight (up to --drain-timeout; requests arriving meanwhile get 429), \
prints a summary and exits 0.

It prints `cef receive: listening on http://ADDR` on standard error once it accepts \
connections (with the port chosen when --listen ends in :0).

Over syslog (--listen syslog+udp://ADDR, syslog+tcp://ADDR or syslog+tls://ADDR with \
--tls-cert/--tls-key; no --authorization) each entry is the MSG of an RFC 5424 record or \
what follows an RFC 3164 `<PRI>` (a `TIME HOST TAG: ` header as logger writes is taken \
off). On TCP and TLS each frame is octet-counted (`LEN SP RECORD`) or LF-terminated, told \
apart per frame (RFC 6587); on UDP each datagram is one record. Entries from all senders \
are verified in batches on every core and written as for HTTP, in arrival order per \
connection. A frame that cannot be read (a bad octet count, one longer than \
--max-entry-len plus room for a header, one cut short when its connection ends) is \
counted and skipped, never stopping the listener; a record whose entry fails goes to \
--rejected with its reason. Syslog has no acknowledgement: entries are synced in batches. \
At most --max-connections TCP or TLS senders are read at once (more wait to be accepted), \
at most --max-connections-per-ip from one address (more are closed at once), each with a \
64 KiB read buffer and at most one partial frame, which bounds memory; a TLS sender has \
--header-timeout for its handshake, and a sender silent for --idle-timeout is closed.\n\n\
Service: GET /healthz, /readyz and /metrics (Prometheus) on --admin-listen, or without it on the \
HTTP listener; --log-format json for one JSON object per event; SIGHUP reopens --out and \
--rejected (logrotate), reloads the certificate and the JWKS; --config FILE (TOML) for every \
option. contrib/ holds a systemd unit and a logrotate rule.";

const AFTER_HELP: &str = "\
Examples:
  printf 'Bearer s3cret' > secret && chmod 600 secret
  cef receive --listen 127.0.0.1:8080 --authorization-file secret \\
      --jwks jwks.json --out verified.cef --rejected rejected.jsonl
  CEF_AUTHORIZATION='Bearer s3cret' cef receive --listen 0.0.0.0:8443 \\
      --tls-cert cert.pem --tls-key key.pem --out verified.cef --rejected rejected.jsonl \\
      --jwks https://us.api.konghq.com/v2/audit-log-webhook/jwks.json --jwks-cache jwks.cache.json
  cef receive --listen syslog+tcp://0.0.0.0:601 --jwks jwks.json \\
      --out verified.cef --rejected rejected.jsonl
  gzip -c signed.cef > body.gz
  printf 'Authorization: Bearer s3cret\\n' > auth.header
  curl --data-binary @body.gz -H 'Content-Encoding: gzip' -H @auth.header http://127.0.0.1:8080/";

/// Arguments of `cef receive`.
#[derive(Debug, clap::Args)]
#[command(about = "Receive webhook batches over HTTP, verify every entry, keep verified and rejected apart")]
#[command(override_usage = "\
cef receive --listen HOST:PORT --authorization-file FILE --jwks FILE|URL --out FILE --rejected FILE [OPTIONS]
       cef receive --listen syslog+udp|tcp|tls://HOST:PORT --jwks FILE|URL --out FILE --rejected FILE [OPTIONS]")]
#[command(long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub collector: Collector,

    /// Where verified entries go, one per line, exactly as received (appended).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Runs `cef receive`.
pub fn run(args: &Args) -> Status {
    const COMMAND: &str = "cef receive";
    let fail = |message: String| {
        report(format_args!("{COMMAND}: {message}"));
        Status::Fatal
    };
    if let Err(message) = args.collector.start_logging() {
        return fail(message);
    }
    match Transport::parse(&args.collector.listen) {
        Ok(Transport::Http(_)) => {}
        Ok(Transport::Syslog(endpoint)) => return run_syslog(args, &endpoint),
        Err(message) => return fail(message),
    }
    collector::receive_http(&args.collector, &args.out, COMMAND)
}

/// Runs `cef receive` on a syslog transport.
fn run_syslog(args: &Args, endpoint: &Endpoint) -> Status {
    const COMMAND: &str = "cef receive";
    let fail = |message: String| {
        report(format_args!("{COMMAND}: {message}"));
        Status::Fatal
    };
    let collector = &args.collector;
    if collector.authorization.is_some() || collector.authorization_file.is_some() || collector.no_auth {
        return fail(
            "--authorization and --no-auth are for HTTP: syslog has no Authorization header \
             (use syslog+tls:// to keep strangers out)"
                .into(),
        );
    }
    let tls = match (endpoint, collector.tls()) {
        (_, Err(message)) => return fail(message),
        (Endpoint::Tls(_), Ok(Some(tls))) => Some(tls),
        (Endpoint::Tls(_), Ok(None)) => return fail("syslog+tls:// needs --tls-cert and --tls-key".into()),
        _ => None,
    };
    let threads = parallel::workers(collector.threads.map(usize::from));
    let keys = match collector.keys.load(COMMAND, threads, None) {
        Ok(keys) => Arc::new(keys),
        Err(message) => return fail(message),
    };
    let Opened { journal, writer, completeness } = match collector.journal(Some(&args.out)) {
        Ok(opened) => opened,
        Err(message) => return fail(message),
    };
    let tally = journal.tally();
    let (queue, stage) = match syslog_receive::start_stage(
        Arc::clone(&keys),
        collector.format,
        journal.clone(),
        completeness.clone(),
        collector.max_memory,
    ) {
        Ok(started) => started,
        Err(err) => return fail(format!("cannot start: {err}")),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(format!("cannot start: {err}")),
    };
    // Room for a syslog header in front of the longest entry.
    let max_frame = collector.max_entry_len.saturating_add(4096);
    let junk = Arc::new(Junk::default());
    let (admin, hangup) = match (collector.admin_listener(&runtime), hangup_signal(&runtime)) {
        (Ok(admin), Ok(hangup)) => (admin, hangup),
        (Err(message), _) | (_, Err(message)) => return fail(message),
    };
    let service = Service { admin, keys, journal, tally: Arc::clone(&tally), tls: tls.clone(), hangup };
    let tasks = collector.spawn_service_tasks(COMMAND, &runtime, service);
    let served: Result<(), String> = runtime.block_on(async {
        let listening = match endpoint {
            Endpoint::Udp(address) => {
                let socket =
                    UdpSocket::bind(address).await.map_err(|err| format!("cannot listen on {address}: {err}"))?;
                let local = socket.local_addr().map_err(|err| err.to_string())?;
                report(format_args!("{COMMAND}: listening on syslog+udp://{local}"));
                tokio::spawn(syslog_receive::serve_udp(socket, queue))
            }
            Endpoint::Tcp(address) | Endpoint::Tls(address) => {
                let listener =
                    TcpListener::bind(address).await.map_err(|err| format!("cannot listen on {address}: {err}"))?;
                let local = listener.local_addr().map_err(|err| err.to_string())?;
                let scheme = if tls.is_some() { "syslog+tls" } else { "syslog+tcp" };
                report(format_args!("{COMMAND}: listening on {scheme}://{local}"));
                let limits = StreamLimits {
                    max_frame,
                    max_connections: collector.max_connections,
                    max_per_ip: collector.max_connections_per_ip,
                    idle_timeout: Duration::from_secs(collector.idle_timeout),
                    handshake_timeout: Duration::from_secs(collector.header_timeout),
                };
                tokio::spawn(syslog_receive::serve_tcp(listener, tls, queue, limits, Arc::clone(&junk)))
            }
        };
        http_server::stop_signal().await;
        report(format_args!("{COMMAND}: stopping"));
        listening.abort();
        Ok(())
    });
    // The listeners and their queue handles go with the runtime; then the
    // stage verifies what is queued, and the journal writes it.
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
    drop(runtime);
    let _ = stage.join();
    let _ = writer.join();
    let refused = junk.frames.load(Ordering::Relaxed);
    let summary = format!("{}; {refused} frames unreadable", tally.summary());
    stopped(COMMAND, &summary, completeness, served)
}
