//! The HTTP/1.1 server under `cef receive` and `cef relay`: accepts
//! connections (plain or TLS) up to a limit, gives each a time limit for
//! its TLS handshake and request headers, and on SIGTERM or Ctrl-C stops
//! accepting, lets requests in flight finish (up to a drain time), then
//! returns.

use std::fs::File;
use std::future::Future;
use std::io::{self, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};

use audit_cef::receive::Answer;

use crate::accept::{AcceptLimits, Stream, Tls, accept_loop};
use crate::admin::Routes;
use crate::intake::to_http;
use crate::io_util::report;
use crate::metrics;

/// How connections are taken.
pub struct Limits {
    /// The longest a TLS handshake, and then each request's headers, may take.
    pub header_timeout: Duration,
    /// Connections open at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Connections open at once from one address; more are closed at once.
    pub max_per_ip: usize,
    /// After SIGTERM, how long requests in flight may take to finish.
    pub drain_timeout: Duration,
}

/// The error a service returns to have hyper close the connection
/// without an answer.
#[derive(Debug)]
struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed without an answer")
    }
}

impl std::error::Error for Closed {}

/// A TLS acceptor from PEM files: the certificate chain and its private
/// key, and with `client_ca` the CA certificates every client must present
/// a certificate from (mutual TLS; a client without one is refused in the
/// handshake).
pub fn tls_acceptor(cert: &Path, key: &Path, client_ca: Option<&Path>) -> Result<TlsAcceptor, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_reader_iter(&mut BufReader::new(
        File::open(cert).map_err(|err| format!("cannot read {}: {err}", cert.display()))?,
    ))
    .collect::<Result<_, _>>()
    .map_err(|err| format!("{}: not a PEM certificate chain ({err})", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate in it", cert.display()));
    }
    let key =
        PrivateKeyDer::from_pem_file(key).map_err(|err| format!("{}: no usable private key ({err})", key.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|err| format!("cannot set up TLS: {err}"))?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = RootCertStore::empty();
            let file = File::open(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
            for ca in CertificateDer::pem_reader_iter(&mut BufReader::new(file)) {
                let ca = ca.map_err(|err| format!("{}: not a PEM certificate ({err})", path.display()))?;
                roots.add(ca).map_err(|err| format!("{}: unusable CA certificate ({err})", path.display()))?;
            }
            if roots.is_empty() {
                return Err(format!("{}: no CA certificate in it", path.display()));
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|err| format!("{}: cannot verify clients with it ({err})", path.display()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let config =
        builder.with_single_cert(certs, key).map_err(|err| format!("cannot use the certificate and key: {err}"))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `handler` on `listener` until SIGTERM or SIGINT, then calls
/// `draining` and lets the requests in flight finish.
pub async fn serve<H, F>(
    command: &str,
    listener: TcpListener,
    tls: Option<Tls>,
    limits: Limits,
    (handler, routes): (H, Routes),
    draining: impl FnOnce(),
) -> io::Result<()>
where
    H: Fn(Request<Incoming>, SocketAddr) -> F + Send + Sync + 'static,
    F: Future<Output = Answer> + Send + 'static,
{
    let handler = Arc::new(handler);
    let graceful = GracefulShutdown::new();
    let accept = AcceptLimits {
        max_connections: limits.max_connections,
        max_per_ip: limits.max_per_ip,
        handshake_timeout: limits.header_timeout,
    };
    let prepare = |peer: SocketAddr| {
        let (handler, routes) = (Arc::clone(&handler), routes.clone());
        let service = service_fn(move |request: Request<Incoming>| {
            let admin = routes.answer(&request);
            let answer = admin.is_none().then(|| handler(request, peer));
            async move {
                let Some(answer) = answer else { return admin.ok_or(Closed) };
                let answer = answer.await;
                let code = match &answer {
                    Answer::Reply(reply) => reply.status().to_string(),
                    Answer::Close => "closed".to_owned(),
                };
                if let Some(metrics) = metrics::get() {
                    metrics.requests.with_label_values(&[code.as_str()]).inc();
                }
                match answer {
                    Answer::Reply(reply) => Ok(to_http(&reply)),
                    Answer::Close => Err(Closed),
                }
            }
        });
        let mut builder = http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
        let watcher = graceful.watcher();
        move |stream: Box<dyn Stream>| async move {
            // Connection errors (a client gone, a timeout) end that connection only.
            let _ = watcher.watch(builder.serve_connection(TokioIo::new(stream), service)).await;
        }
    };
    accept_loop(command, &listener, tls, accept, stop_signal(), prepare, || {}).await;
    drop(listener);
    draining();
    report(format_args!("{command}: stopping: finishing the requests in flight"));
    if tokio::time::timeout(limits.drain_timeout, graceful.shutdown()).await.is_err() {
        report(format_args!("{command}: stopped with requests still in flight after {:?}", limits.drain_timeout));
    }
    Ok(())
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C).
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
