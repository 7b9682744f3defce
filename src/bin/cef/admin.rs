//! What a load balancer, a supervisor and Prometheus ask a collector:
//! `GET /healthz` (200 while serving), `GET /readyz` (200 when the keys
//! are loaded and the outputs writable, 503 otherwise) and `GET /metrics`.
//! They are served on `--admin-listen`, and without it on the HTTP
//! listener; with it, the public listener answers `/healthz` only (a
//! stranger learns nothing of the counts). Unauthenticated, as probes are.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::CONTENT_TYPE;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::accept::{AcceptLimits, Stream, accept_loop};
use crate::intake::HttpReply;
use crate::metrics;

/// Whether the collector can take entries now: `Err` says why not.
pub type Readiness = Arc<dyn Fn() -> Result<(), String> + Send + Sync>;

/// Which admin routes a listener answers.
#[derive(Clone)]
pub struct Routes {
    /// Also `/readyz` and `/metrics` (not only `/healthz`).
    pub all: bool,
    pub ready: Readiness,
}

impl Routes {
    /// The answer to an admin request, or `None` when `request` is not one
    /// (it goes on to the intake).
    pub fn answer(&self, request: &Request<Incoming>) -> Option<HttpReply> {
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return None;
        }
        match request.uri().path() {
            "/healthz" => Some(reply(StatusCode::OK, "text/plain; charset=utf-8", "ok\n".into())),
            "/readyz" if self.all => Some(match (self.ready)() {
                Ok(()) => reply(StatusCode::OK, "text/plain; charset=utf-8", "ready\n".into()),
                Err(why) => {
                    reply(StatusCode::SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", format!("not ready: {why}\n"))
                }
            }),
            "/metrics" if self.all => {
                let text = metrics::get().map(metrics::Metrics::render).unwrap_or_default();
                Some(reply(StatusCode::OK, metrics::CONTENT_TYPE, text))
            }
            _ => None,
        }
    }
}

fn reply(status: StatusCode, content_type: &'static str, body: String) -> HttpReply {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static(content_type));
    response
}

/// Serves every admin route on `listener` (`--admin-listen`) until the
/// task is dropped; anything else is 404.
pub async fn serve(command: &'static str, listener: TcpListener, ready: Readiness) {
    let routes = Routes { all: true, ready };
    let limits = AcceptLimits { max_connections: 64, max_per_ip: 16, handshake_timeout: Duration::from_secs(10) };
    let prepare = |_peer: SocketAddr| {
        let routes = routes.clone();
        move |stream: Box<dyn Stream>| async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let answer = routes.answer(&request).unwrap_or_else(|| {
                    reply(StatusCode::NOT_FOUND, "text/plain; charset=utf-8", "/healthz, /readyz or /metrics\n".into())
                });
                async move { Ok::<_, Infallible>(answer) }
            });
            let mut builder = http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(10));
            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
        }
    };
    accept_loop(command, &listener, None, limits, std::future::pending(), prepare, || {}).await;
}
