//! The one accept loop under every listener of `cef receive` and `cef
//! relay`, HTTP and syslog alike: at most `max_connections` connections
//! at once (more wait in the kernel's backlog) and at most `max_per_ip`
//! from one address (more are closed at once: one peer cannot hold the
//! slots every other sender needs), a TLS handshake within its time
//! limit, accept errors (out of descriptors) waited out rather than spun
//! on, and each connection served on a task of its own.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::io_util::report;
use crate::metrics;

/// A listener's TLS acceptor, which SIGHUP replaces with a renewed
/// certificate; connections already open keep the one they started with.
pub type Tls = Arc<RwLock<TlsAcceptor>>;

/// A connection, plain or TLS.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// How connections are taken.
#[derive(Clone, Copy)]
pub struct AcceptLimits {
    /// Connections open at once.
    pub max_connections: usize,
    /// Connections open at once from one address.
    pub max_per_ip: usize,
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
    tls: Option<Tls>,
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
    let per_ip = PerIp::default();
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
        // Over its address's share: closed at once, the slot given back.
        let Some(share) = per_ip.take(peer.ip(), limits.max_per_ip) else { continue };
        let serve = prepare(peer);
        // The certificate in use now (SIGHUP may have loaded a renewed one).
        let tls = tls.as_ref().map(|tls| tls.read().unwrap_or_else(PoisonError::into_inner).clone());
        let refused = refused.clone();
        let handshake_timeout = limits.handshake_timeout;
        tokio::spawn(async move {
            let _held = (permit, share, metrics::Connection::open());
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

/// Connections open per address.
#[derive(Clone, Default)]
struct PerIp(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One connection counted against its address until dropped.
struct Share {
    per_ip: PerIp,
    ip: IpAddr,
}

impl PerIp {
    /// Counts a connection from `ip`, or `None` when it has `max` already.
    fn take(&self, ip: IpAddr, max: usize) -> Option<Share> {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(ip).or_insert(0);
        if *count >= max.max(1) {
            return None;
        }
        *count += 1;
        Some(Share { per_ip: self.clone(), ip })
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        let mut open = self.per_ip.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_share_and_it_comes_back() {
        let per_ip = PerIp::default();
        let (a, b): (IpAddr, IpAddr) = ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        let first = per_ip.take(a, 2).unwrap();
        let _second = per_ip.take(a, 2).unwrap();
        assert!(per_ip.take(a, 2).is_none(), "a third from one address");
        assert!(per_ip.take(b, 2).is_some(), "another address is not held up");
        drop(first);
        assert!(per_ip.take(a, 2).is_some());
        drop(per_ip.take(b, 2));
        assert!(!per_ip.0.lock().unwrap().contains_key(&b), "an address with none open is forgotten");
    }
}
