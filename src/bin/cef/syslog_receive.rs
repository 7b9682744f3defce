//! `cef receive --listen syslog+udp|tcp|tls://ADDR`: entries carried by
//! syslog, from many senders at once, verified and kept as over HTTP.
//!
//! Listener tasks cut frames (RFC 6587 on TCP and TLS, one datagram each on
//! UDP), take the entry out of each syslog record and queue what one read
//! gave, in one buffer with its peer (the library's `Arrivals`). One
//! verifying stage takes everything queued at once, verifies it on the
//! library's pool, and appends the results through the journal in arrival
//! order (so per connection too). Junk never stops a listener: a bad frame
//! is counted, and rejected with its reason where there is a frame to show.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use audit_cef::Format;
use audit_cef::chrono::Utc;
use audit_cef::receive::{
    Arrivals, Done, Journal, MemoryBudget, MemoryReservation, STAGE_BATCH, STAGE_BYTES, StreamArrivals, check_arrivals,
    held_by,
};
use audit_cef::syslog::trim_datagram;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;

use crate::accept::{AcceptLimits, Stream, Tls, accept_loop};
use crate::completeness::Watch;
use crate::io_util::report;
use crate::live_keys::LiveKeys;

/// Queued chunks of arrivals; beyond this, listeners stop reading (TCP
/// pushes back on its senders; UDP datagrams wait in the socket buffer).
const QUEUED_CHUNKS: usize = 256;

/// What each connection reads at once.
const READ_BUF: usize = 64 << 10;

/// Frames that could not be read at all (no entry to reject).
#[derive(Default)]
pub struct Junk {
    pub frames: AtomicU64,
}

/// Reads datagrams until the task is dropped.
pub async fn serve_udp(socket: UdpSocket, queue: mpsc::Sender<Arrivals>) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let Ok((len, peer)) = socket.recv_from(&mut buf).await else { continue };
        let datagram = buf.get(..len).unwrap_or_default();
        let chunk = Arrivals::from_frame(peer, trim_datagram(datagram));
        if queue.send(chunk).await.is_err() {
            return;
        }
    }
}

/// How a stream listener takes connections.
pub struct StreamLimits {
    /// The longest frame, syslog header included.
    pub max_frame: usize,
    /// Connections open at once; more wait in the kernel's backlog. With
    /// each one's read buffer and partial frame this bounds memory.
    pub max_connections: usize,
    /// Connections open at once from one address; more are closed at once.
    pub max_per_ip: usize,
    /// A connection that sends nothing for this long is closed.
    pub idle_timeout: Duration,
    /// Time a TLS client has for its handshake.
    pub handshake_timeout: Duration,
}

/// Accepts TCP (or TLS) connections until the task is dropped.
pub async fn serve_tcp(
    listener: TcpListener,
    tls: Option<Tls>,
    queue: mpsc::Sender<Arrivals>,
    limits: StreamLimits,
    junk: Arc<Junk>,
) {
    let accept = AcceptLimits {
        max_connections: limits.max_connections,
        max_per_ip: limits.max_per_ip,
        handshake_timeout: limits.handshake_timeout,
    };
    let (max_frame, idle) = (limits.max_frame, limits.idle_timeout);
    let prepare = |peer: SocketAddr| {
        let (queue, junk) = (queue.clone(), Arc::clone(&junk));
        move |stream: Box<dyn Stream>| async move { read_frames(stream, peer, queue, max_frame, idle, &junk).await }
    };
    let refused = {
        let junk = Arc::clone(&junk);
        move || {
            junk.frames.fetch_add(1, Ordering::Relaxed);
        }
    };
    accept_loop("cef receive", &listener, tls, accept, std::future::pending(), prepare, refused).await;
}

/// Cuts a connection's bytes into frames and queues their entries.
async fn read_frames<S: tokio::io::AsyncRead + Unpin>(
    mut stream: S,
    peer: SocketAddr,
    queue: mpsc::Sender<Arrivals>,
    max_frame: usize,
    idle: Duration,
    junk: &Junk,
) {
    let mut arrivals = StreamArrivals::new(peer, max_frame);
    let mut buf = vec![0u8; READ_BUF];
    loop {
        // A sender silent for `idle` gives its slot back.
        let len = match tokio::time::timeout(idle, stream.read(&mut buf)).await {
            Err(_) | Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(len)) => len,
        };
        let chunk = arrivals.push(buf.get(..len).unwrap_or_default());
        if !chunk.is_empty() && queue.send(chunk).await.is_err() {
            break;
        }
    }
    junk.frames.fetch_add(arrivals.finish(), Ordering::Relaxed);
}

/// Starts the verifying stage: it takes everything queued at once (up to
/// the library's batch bounds), verifies it on the keys' pool threads and hands
/// the records to the journal in arrival order; verifying the next batch
/// overlaps this one's write and sync. It ends when every queue sender is
/// gone.
pub fn start_stage(
    keys: Arc<LiveKeys>,
    format: Option<Format>,
    journal: Journal,
    completeness: Option<Arc<Watch>>,
    max_memory: usize,
) -> std::io::Result<(mpsc::Sender<Arrivals>, thread::JoinHandle<()>)> {
    let budget = Arc::new(MemoryBudget::new(max_memory));
    if let Some(metrics) = crate::metrics::get() {
        let budget = Arc::clone(&budget);
        metrics.read_memory_from(move || budget.in_use());
    }
    let (queue, mut arrivals) = mpsc::channel::<Arrivals>(QUEUED_CHUNKS);
    let stage = thread::Builder::new().name("verify".into()).spawn(move || {
        while let Some(first) = arrivals.blocking_recv() {
            let (mut bytes, mut count) = (first.bytes(), first.len());
            let mut batch = vec![first];
            while count < STAGE_BATCH && bytes < STAGE_BYTES {
                match arrivals.try_recv() {
                    Ok(more) => {
                        bytes = bytes.saturating_add(more.bytes());
                        count = count.saturating_add(more.len());
                        batch.push(more);
                    }
                    Err(_) => break,
                }
            }
            // The batch and its records are held until the journal has synced
            // them: while the budget is spent, the stage waits, its queue
            // fills, and the listeners read more slowly (TCP pushes back).
            let memory = reserve_waiting(&budget, held_by(bytes, count));
            let pool = keys.pool();
            let mut records = check_arrivals(&pool, format, &batch, Utc::now());
            // Entries no key matches may be under a key rotated in: the
            // batch is verified again if a fetch (within its limits) brings one.
            if records.unmatched() > 0
                && let Some(newer) = keys.after_miss_blocking(&pool)
            {
                records = check_arrivals(&newer, format, &batch, Utc::now());
            }
            drop(batch);
            let (verified, rejected) = records.counts();
            let kinds = records.rejected_kinds().to_vec();
            let completeness = completeness.clone();
            let reported: Done = Box::new(move |stored| match stored {
                Err(err) => {
                    drop(memory);
                    tracing::error!("cef receive: {err}");
                }
                Ok(stored) => {
                    drop(memory);
                    if let Some(metrics) = crate::metrics::get() {
                        metrics.stored(verified, kinds.iter().map(|(kind, count)| (kind.name(), *count)));
                        metrics.duplicates.inc_by(stored.duplicates as u64);
                    }
                    if crate::logging::per_request() {
                        tracing::info!("cef receive: stored {verified} verified and {rejected} rejected entries");
                    }
                    if let Some(watch) = &completeness {
                        watch.say_new_problems("cef receive");
                    }
                }
            });
            if let Err(err) = journal.submit_blocking(records, reported) {
                report(format_args!("cef receive: {err}"));
            }
        }
    })?;
    Ok((queue, stage))
}

/// Takes `bytes` from the budget (all of it, if that is less), waiting
/// while it is spent.
fn reserve_waiting(budget: &MemoryBudget, bytes: usize) -> MemoryReservation {
    let bytes = bytes.min(budget.limit());
    loop {
        if let Some(memory) = budget.try_reserve(bytes) {
            return memory;
        }
        thread::sleep(Duration::from_millis(2));
    }
}
