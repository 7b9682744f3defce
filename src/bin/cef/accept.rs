//! The one accept loop under every listener of `cef receive` and `cef
//! relay`, HTTP and syslog alike: at most `max_connections` connections
//! at once (more wait in the kernel's backlog), a TLS handshake within its
//! time limit, accept errors (out of descriptors) waited out rather than
//! spun on, and each connection served on a task of its own.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::io_util::report;

/// A connection, plain or TLS.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// How connections are taken.
#[derive(Clone, Copy)]
pub struct AcceptLimits {
    /// Connections open at once.
    pub max_connections: usize,
    /// The longest a TLS handshake may take.
    pub handshake_timeout: Duration,
}

/// Accepts connections until `stop` resolves. For each, `prepare` is
/// called with the peer as it is accepted (where it can borrow the
/// caller's state) and gives what serves the connection, on a task of its
/// own, once the TLS handshake (if any) is done; `refused` is called for a
/// handshake that failed or took too long.
pub async fn accept_loop<P, S, F>(
    command: &str,
    listener: &TcpListener,
    tls: Option<TlsAcceptor>,
    limits: AcceptLimits,
    stop: impl Future<Output = ()>,
    prepare: P,
    refused: impl Fn() + Clone + Send + 'static,
) where
    P: Fn(SocketAddr) -> S,
    S: FnOnce(Box<dyn Stream>) -> F + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&open).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            () = &mut stop => return,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait, go on.
                    report(format_args!("{command}: accept failed: {err}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => return,
        };
        let serve = prepare(peer);
        let (tls, refused) = (tls.clone(), refused.clone());
        let handshake_timeout = limits.handshake_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            match tls {
                None => serve(Box::new(stream)).await,
                Some(acceptor) => match tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => serve(Box::new(stream)).await,
                    _ => refused(),
                },
            }
        });
    }
}
