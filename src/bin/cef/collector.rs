//! What `cef receive` and `cef relay` share: the listening, credential,
//! key, limit and output arguments, starting the HTTP side (runtime,
//! listener, intake, verification pool), opening the journal with
//! completeness fed from it, and what is said at the stop.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use audit_cef::Format;
use audit_cef::receive::{DedupGate, DedupIndex, Intake, Journal, JournalOptions, SyncObserver, Tally};
use audit_cef::webhook::{BodyLimits, Credential};
use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::Semaphore;

use crate::accept::Tls;
use crate::admin::{self, Readiness, Routes};
use crate::arg_values::{self, FORMAT_HELP};
use crate::completeness::{Completeness, Watch, report_streams};
use crate::http_server::{self, Limits};
use crate::intake::{self, Http};
use crate::io_util::{Status, report, warn};
use crate::live_keys::{JwksArgs, LiveKeys};
use crate::logging::{self, LogFormat};
use crate::metrics;
use crate::parallel;
use crate::transport::Transport;

/// What `cef receive` and `cef relay` share: where to listen, whom to let
/// in, how to verify, and the limits.
#[derive(Debug, clap::Args)]
pub struct Collector {
    /// A TOML file of options by their long names (`listen = "0.0.0.0:8443"`, `max-keys = 8`,
    /// `quiet = true`); a flag or environment variable wins over it, and it wins over the
    /// defaults. Secrets go in files (`authorization-file`) or the environment, never inline.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Where to listen: HOST:PORT for HTTP (port 0: any free port), or
    /// syslog+udp://HOST:PORT, syslog+tcp://HOST:PORT, syslog+tls://HOST:PORT.
    #[arg(long, value_name = "ADDR")]
    pub listen: String,

    /// The exact Authorization header every HTTP request must carry (e.g. `Bearer s3cret`);
    /// the webhook's `authorization`. Required for HTTP; syslog has none. Prefer
    /// --authorization-file or CEF_AUTHORIZATION: a command line is seen by every local user.
    #[arg(long, value_name = "STR", value_parser = arg_values::credential, env = "CEF_AUTHORIZATION", hide_env_values = true)]
    pub authorization: Option<Credential>,

    /// A file holding --authorization's value (a trailing newline is not part of it).
    #[arg(long, value_name = "FILE")]
    pub authorization_file: Option<PathBuf>,

    #[command(flatten)]
    pub keys: JwksArgs,

    /// Where rejected entries go, one JSON line each with the reason (appended).
    #[arg(long, value_name = "FILE")]
    pub rejected: PathBuf,

    /// Take only entries of this format (others are rejected). Without it, each entry is
    /// verified in its own format: CEF, JSON or CPS, told apart by its first bytes, so a
    /// destination switched between formats in Konnect keeps being received.
    #[arg(long, value_name = "FORMAT", value_parser = arg_values::parser(FORMAT_HELP))]
    pub format: Option<Format>,

    /// A PEM certificate chain: serve HTTPS (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// PEM CA certificates: every TLS client must present a certificate they issued
    /// (mutual TLS), on HTTPS and syslog+tls alike; a client without one is refused.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub client_ca: Option<PathBuf>,

    /// The largest body accepted, in bytes as sent (compressed).
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_body: usize,

    /// The largest body accepted once inflated, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_inflated: usize,

    /// The most entries in one body.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_entries: usize,

    /// The longest entry, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 10)]
    pub max_entry_len: usize,

    /// Bytes all requests in flight may hold at once: bodies, their inflated text, verdicts
    /// and records; beyond it requests are answered 429 with Retry-After. At least what one
    /// request may hold at the limits above (checked at start).
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub max_memory: usize,

    /// Seconds a client has for its TLS handshake and for each request's headers.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub header_timeout: u64,

    /// Seconds a client has to send a request's body; a slower one has its connection closed
    /// (which Konnect retries).
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub body_timeout: u64,

    /// Connections open at once (more wait to be accepted).
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,

    /// Connections open at once from one address (more are closed at once), so that one
    /// peer cannot hold the slots every other sender needs.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_connections_per_ip: usize,

    /// Seconds a syslog TCP or TLS sender may send nothing before its connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub idle_timeout: u64,

    /// Seconds requests in flight get to finish after SIGTERM.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub drain_timeout: u64,

    /// How many threads verify (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Check the entries that verified for completeness against the signed checkpoints
    /// in the streams (see `cef sign --checkpoint-every`): a gap is said when it is found,
    /// and each stream is reported on exit.
    #[arg(long)]
    pub checkpoints: bool,

    /// Take HTTP requests without checking any Authorization (instead of --authorization):
    /// only behind a proxy that authenticates, or on loopback; warned about otherwise.
    #[arg(long)]
    pub no_auth: bool,

    /// Say nothing per request (by default one line on standard error each: the peer,
    /// the answer, the counts and the reasons entries were rejected); storage failures
    /// are still said.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// How standard error is written: text lines, or one JSON object per event (timestamp,
    /// level, message), never a secret or an entry's text.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Write (relay: forward) each verified entry once: an entry whose signature was stored
    /// before (a batch Konnect retried, a replay job) is counted as a duplicate and not
    /// written again; the 200 answer counts `duplicates`. The index (16-byte digests of
    /// signatures, per day, for the last 9 days by event time) is kept beside --out (relay:
    /// beside --spool) and caught up from --out at start.
    #[arg(long)]
    pub dedup: bool,

    /// Where --dedup keeps its index (a directory; default: --out's name with `.dedup`).
    #[arg(long, value_name = "DIR", requires = "dedup")]
    pub dedup_index: Option<PathBuf>,

    /// HOST:PORT for GET /healthz, /readyz and /metrics (Prometheus). Without it they are
    /// served on the HTTP listener; with it, that listener answers /healthz only.
    #[arg(long, value_name = "ADDR")]
    pub admin_listen: Option<String>,
}

/// A collector's journal, its writer thread, and the completeness watch
/// it feeds under --checkpoints.
pub struct Opened {
    pub journal: Journal,
    pub writer: JoinHandle<()>,
    pub completeness: Option<Arc<Watch>>,
}

/// Whether `address` (`HOST:PORT`) is on the loopback interface.
fn is_loopback(address: &str) -> bool {
    let host = address.rsplit_once(':').map_or(address, |(host, _)| host);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Everything a collector needs once its arguments are checked.
pub struct Started {
    pub runtime: tokio::runtime::Runtime,
    pub listener: TcpListener,
    pub tls: Option<Tls>,
    pub http: Arc<Http>,
    pub limits: Limits,
    /// --admin-listen, bound.
    pub admin: Option<TcpListener>,
    /// SIGHUP, caught from before the listener said it listens.
    pub hangup: Option<Signal>,
    /// Whether the HTTP listener answers every admin route (no --admin-listen).
    all_routes: bool,
}

/// The HTTP side ready to serve, with its service tasks running.
pub struct Serving {
    pub runtime: tokio::runtime::Runtime,
    pub listener: TcpListener,
    pub tls: Option<Tls>,
    pub http: Arc<Http>,
    pub limits: Limits,
    /// The admin routes the HTTP listener answers.
    pub routes: Routes,
    /// The service tasks (admin, JWKS schedule, SIGHUP), to abort at the end.
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Started {
    /// Starts the service tasks around `journal` (readiness follows its
    /// writes; SIGHUP reopens it).
    pub fn serve_with(self, collector: &Collector, command: &'static str, journal: &Journal) -> Serving {
        let tally = journal.tally();
        let routes = Routes { all: self.all_routes, ready: Collector::readiness(&self.http.keys, &tally) };
        let Started { runtime, listener, tls, http, limits, admin, hangup, .. } = self;
        let service =
            Service { admin, keys: Arc::clone(&http.keys), journal: journal.clone(), tally, tls: tls.clone(), hangup };
        let tasks = collector.spawn_service_tasks(command, &runtime, service);
        Serving { runtime, listener, tls, http, limits, routes, tasks }
    }
}

/// What [`Collector::spawn_service_tasks`] runs.
pub struct Service {
    pub admin: Option<TcpListener>,
    pub keys: Arc<LiveKeys>,
    pub journal: Journal,
    pub tally: Arc<Tally>,
    pub tls: Option<Tls>,
    pub hangup: Option<Signal>,
}

/// The SIGHUP stream (none where there are no such signals).
pub fn hangup_signal(runtime: &tokio::runtime::Runtime) -> Result<Option<Signal>, String> {
    let _entered = runtime.enter();
    signal(SignalKind::hangup()).map(Some).map_err(|err| format!("cannot catch SIGHUP: {err}"))
}

/// On each SIGHUP: the outputs are opened again by name (logrotate renamed
/// them), the certificate and key read again, and the keys.
async fn on_hangup(
    command: &'static str,
    mut hangup: Signal,
    journal: Journal,
    tls: Option<(Tls, PathBuf, PathBuf, Option<PathBuf>)>,
    keys: Arc<LiveKeys>,
) {
    while hangup.recv().await.is_some() {
        report(format_args!("{command}: SIGHUP: reopening the outputs, reloading the certificate and the keys"));
        let (tell, told) = tokio::sync::oneshot::channel();
        let asked = journal.reopen(Box::new(move |opened| {
            let _ = tell.send(opened);
        }));
        match asked {
            Ok(()) => match told.await {
                Ok(Ok(())) => report(format_args!("{command}: outputs reopened")),
                Ok(Err(err)) => warn(format_args!(
                    "{command}: warning: cannot reopen the outputs ({err}); still writing the old ones"
                )),
                Err(_) => {}
            },
            Err(err) => warn(format_args!("{command}: warning: cannot reopen the outputs: {err}")),
        }
        if let Some((tls, cert, key, client_ca)) = &tls {
            match http_server::tls_acceptor(cert, key, client_ca.as_deref()) {
                Ok(acceptor) => {
                    *tls.write().unwrap_or_else(std::sync::PoisonError::into_inner) = acceptor;
                    report(format_args!("{command}: certificate reloaded"));
                }
                Err(message) => warn(format_args!("{command}: warning: {message}; keeping the certificate in use")),
            }
        }
        let keys = Arc::clone(&keys);
        let _ = tokio::task::spawn_blocking(move || keys.reload()).await;
    }
}

impl Collector {
    /// Starts logging (--log-format, --quiet) and the metrics: first, so
    /// that every line the command says is in the chosen format.
    pub fn start_logging(&self) -> Result<(), String> {
        logging::start(self.log_format, self.quiet);
        metrics::init()
    }

    /// The TLS acceptor of --tls-cert and --tls-key, if given.
    pub fn tls(&self) -> Result<Option<Tls>, String> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => {
                let acceptor = http_server::tls_acceptor(cert, key, self.client_ca.as_deref())?;
                Ok(Some(Arc::new(RwLock::new(acceptor))))
            }
            _ => Ok(None),
        }
    }

    /// Binds --admin-listen, if given, inside `runtime`.
    pub fn admin_listener(&self, runtime: &tokio::runtime::Runtime) -> Result<Option<TcpListener>, String> {
        let Some(address) = &self.admin_listen else { return Ok(None) };
        let listener = runtime
            .block_on(TcpListener::bind(address))
            .map_err(|err| format!("cannot listen on --admin-listen {address}: {err}"))?;
        Ok(Some(listener))
    }

    /// What /readyz checks: the keys are loaded and the last write to the
    /// outputs succeeded.
    pub fn readiness(keys: &Arc<LiveKeys>, tally: &Arc<Tally>) -> Readiness {
        let (keys, tally) = (Arc::clone(keys), Arc::clone(tally));
        Arc::new(move || {
            if keys.pool().verifier().keys().keys().is_empty() {
                return Err("no keys loaded".into());
            }
            if tally.failing.load(Ordering::Relaxed) {
                return Err("the last write to the outputs failed".into());
            }
            Ok(())
        })
    }

    /// Starts what every collector runs beside its listener: the admin
    /// listener (if any), the scheduled JWKS fetches, and SIGHUP (reopen
    /// the outputs, reload the certificate and the keys). `hangup` is
    /// the SIGHUP stream, made before the listener said it listens.
    pub fn spawn_service_tasks(
        &self,
        command: &'static str,
        runtime: &tokio::runtime::Runtime,
        service: Service,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let Service { admin, keys, journal, tally, tls, hangup } = service;
        let mut tasks = vec![runtime.spawn(Arc::clone(&keys).refresh_on_schedule())];
        if let Some(listener) = admin {
            if let Ok(local) = listener.local_addr() {
                report(format_args!("{command}: admin (/healthz, /readyz, /metrics) on http://{local}"));
            }
            tasks.push(runtime.spawn(admin::serve(command, listener, Collector::readiness(&keys, &tally))));
        }
        if let Some(hangup) = hangup {
            let reload_tls = match (&tls, &self.tls_cert, &self.tls_key) {
                (Some(tls), Some(cert), Some(key)) => {
                    Some((Arc::clone(tls), cert.clone(), key.clone(), self.client_ca.clone()))
                }
                _ => None,
            };
            tasks.push(runtime.spawn(on_hangup(command, hangup, journal, reload_tls, keys)));
        }
        tasks
    }

    /// Loads the keys and certificate, binds the HTTP address and prints it.
    pub fn start(&self, command: &'static str) -> Result<Started, String> {
        let listen = match Transport::parse(&self.listen)? {
            Transport::Http(address) => address,
            _ => return Err(format!("{}: {command} listens on HTTP only", self.listen)),
        };
        let listen = listen.strip_prefix("http://").unwrap_or(&listen).trim_end_matches('/').to_owned();
        if !listen.contains(':') || listen.starts_with("https://") {
            return Err(format!(
                "--listen {listen}: expected HOST:PORT (127.0.0.1:8080, 0.0.0.0:8443, [::]:8080; port 0 for any \
                 free port; HTTPS with --tls-cert and --tls-key), or syslog+udp|tcp|tls://HOST:PORT"
            ));
        }
        let authorization = arg_values::secret_from(
            self.authorization.as_ref(),
            self.authorization_file.as_deref(),
            "--authorization-file",
        )?;
        let authorization = match (&authorization, self.no_auth) {
            (Some(_), true) => {
                return Err("--authorization (or its file, or CEF_AUTHORIZATION) and --no-auth: give one".to_string());
            }
            (None, true) => {
                if !is_loopback(&listen) {
                    warn(format_args!(
                        "{command}: warning: --no-auth on {listen}, which is not a loopback address: anyone who \
                         reaches it can post entries"
                    ));
                }
                None
            }
            (Some(credential), false) if credential.expose().is_empty() => {
                return Err("--authorization is empty: every request would be taken unauthenticated; give the \
                     header's value, or --no-auth to run without one on purpose"
                    .to_string());
            }
            (Some(credential), false) => Some(credential.clone()),
            (None, false) => {
                return Err("--authorization is required to listen on HTTP (the header every request must \
                     carry; --no-auth to take requests without one)"
                    .to_string());
            }
        };
        let tls = self.tls()?;
        let threads = parallel::workers(self.threads.map(usize::from));
        let keys = Arc::new(self.keys.load(command, threads, None)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .max_blocking_threads(threads.saturating_add(4))
            .enable_all()
            .build()
            .map_err(|err| format!("cannot start: {err}"))?;
        let listener =
            runtime.block_on(TcpListener::bind(&listen)).map_err(|err| format!("cannot listen on {listen}: {err}"))?;
        let admin = self.admin_listener(&runtime)?;
        let hangup = hangup_signal(&runtime)?;
        let local = listener.local_addr().map_err(|err| format!("cannot listen on {listen}: {err}"))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        report(format_args!("{command}: listening on {scheme}://{local}"));
        let limits = BodyLimits::new()
            .max_compressed(self.max_body)
            .max_decompressed(self.max_inflated)
            .max_entries(self.max_entries)
            .max_entry_len(self.max_entry_len);
        let intake = Intake::new(authorization.clone().unwrap_or_else(|| Credential::new("")), limits, self.max_memory);
        let intake = if authorization.is_none() { intake.no_authorization() } else { intake };
        if self.max_memory < intake.one_request() {
            return Err(format!(
                "--max-memory {} is below what one request may hold at these limits, {} bytes (--max-body, \
                 then 2.4 times --max-inflated for the text and its records, and 264 bytes per entry of \
                 --max-entries): it would answer 429 for ever; raise it or lower those limits",
                self.max_memory,
                intake.one_request()
            ));
        }
        let http = Http {
            intake: intake.format(self.format),
            keys: Arc::clone(&keys),
            body_timeout: Duration::from_secs(self.body_timeout),
            verifying: Semaphore::new(threads),
            dedup: self.dedup,
        };
        let limits = Limits {
            header_timeout: Duration::from_secs(self.header_timeout),
            max_connections: self.max_connections,
            max_per_ip: self.max_connections_per_ip,
            drain_timeout: Duration::from_secs(self.drain_timeout),
        };
        let http = Arc::new(http);
        if let Some(metrics) = metrics::get() {
            let http = Arc::clone(&http);
            metrics.read_memory_from(move || http.intake.memory().in_use());
        }
        let all_routes = self.admin_listen.is_none();
        Ok(Started { runtime, listener, tls, http, limits, admin, hangup, all_routes })
    }

    /// Opens the journal (`out`: `None` for a relay) with completeness fed
    /// from it under --checkpoints.
    pub fn journal(&self, out: Option<&Path>) -> Result<Opened, String> {
        let completeness = self.checkpoints.then(Completeness::default);
        let observe: SyncObserver = Box::new(|took| {
            if let Some(metrics) = metrics::get() {
                metrics.journal_sync.observe(took.as_secs_f64());
            }
        });
        let dedup = match (self.dedup, out) {
            (true, Some(out)) => Some(self.dedup_index(out)?),
            // A relay deduplicates what it forwards (Collector::dedup_gate).
            (true, None) => None,
            (false, _) => None,
        };
        let options = JournalOptions { observe: Some(observe), dedup };
        let (journal, writer) =
            Journal::open_with(out, &self.rejected, completeness.clone(), options).map_err(|err| err.to_string())?;
        let completeness = completeness.map(|checker| Arc::new(Watch::new(checker)));
        let cut = journal.tally().cut_on_open.load(Ordering::Relaxed);
        if cut > 0 {
            warn(format_args!(
                "warning: cut {cut} bytes of a last line without its line feed (a write a crash cut short; never acknowledged)"
            ));
        }
        Ok(Opened { journal, writer, completeness })
    }
}

impl Collector {
    /// --dedup's index for a relay: --dedup-index, or beside the spool.
    pub fn dedup_gate(&self, spool: Option<&Path>) -> Result<Option<DedupGate>, String> {
        if !self.dedup {
            return Ok(None);
        }
        let path = match (&self.dedup_index, spool) {
            (Some(path), _) => path.clone(),
            (None, Some(spool)) => beside(spool, ".dedup"),
            (None, None) => return Err("--dedup with --no-spool needs --dedup-index DIR".into()),
        };
        let index = DedupIndex::open(&path, audit_cef::chrono::Utc::now())
            .map_err(|err| format!("--dedup index {}: {err}", path.display()))?;
        Ok(Some(DedupGate::new(index)))
    }

    /// Opens --dedup's index and reads into it what `out` holds beyond it.
    fn dedup_index(&self, out: &Path) -> Result<DedupIndex, String> {
        let path = self.dedup_index.clone().unwrap_or_else(|| beside(out, ".dedup"));
        let cannot = |err: std::io::Error| format!("--dedup index {}: {err}", path.display());
        let now = audit_cef::chrono::Utc::now();
        let mut index = DedupIndex::open(&path, now).map_err(cannot)?;
        let read = index.catch_up(out, now).map_err(cannot)?;
        if read > 0 {
            report(format_args!("--dedup: indexed {read} entries of {} the index did not hold yet", out.display()));
        }
        Ok(index)
    }
}

/// Receives over HTTP into `out` until SIGTERM or SIGINT: what `cef
/// receive` does, and `cef konnect listen` with it.
pub fn receive_http(collector: &Collector, out: &Path, command: &'static str) -> Status {
    let fail = |message: String| {
        report(format_args!("{command}: {message}"));
        Status::Fatal
    };
    let started = match collector.start(command) {
        Ok(started) => started,
        Err(message) => return fail(message),
    };
    let Opened { journal, writer, completeness } = match collector.journal(Some(out)) {
        Ok(opened) => opened,
        Err(message) => return fail(message),
    };
    let tally = journal.tally();
    let Serving { runtime, listener, tls, http, limits, routes, tasks } =
        started.serve_with(collector, command, &journal);
    let handler = {
        let (http, completeness) = (Arc::clone(&http), completeness.clone());
        move |request, peer| {
            let (http, journal, completeness) = (Arc::clone(&http), journal.clone(), completeness.clone());
            async move {
                match http.take(request, peer, &journal).await {
                    Ok((checked, announced)) => {
                        let checked = (&checked, &[][..], announced);
                        intake::store_and_say(command, &http, &journal, checked, peer, completeness.as_deref()).await
                    }
                    Err(answer) => {
                        intake::log_outcome(command, peer, &answer, None);
                        answer
                    }
                }
            }
        }
    };
    let served = runtime.block_on(http_server::serve(command, listener, tls, limits, (handler, routes), || {
        http.intake.start_draining();
    }));
    // Every handler and task (and its journal handle) is gone: the writer ends.
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
    drop(runtime);
    let _ = writer.join();
    stopped(command, &tally.summary(), completeness, served.map_err(|err| err.to_string()))
}

/// `path` with `suffix` added to its name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// What a collector says when it has stopped and its writer has ended: the
/// summary, completeness per stream with --checkpoints, and the exit status
/// (1 when a stream is not complete, 2 when serving failed).
pub fn stopped(command: &str, summary: &str, completeness: Option<Arc<Watch>>, served: Result<(), String>) -> Status {
    report(format_args!("{command}: {summary}"));
    let complete = completeness.is_none_or(|c| report_streams(c, command));
    match served {
        Ok(()) if complete => Status::Success,
        Ok(()) => Status::LineFailed,
        Err(message) => {
            report(format_args!("{command}: {message}"));
            Status::Fatal
        }
    }
}
