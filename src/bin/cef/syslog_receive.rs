//! `cef receive --listen syslog+udp|tcp|tls://ADDR`: entries carried by
//! syslog, from many senders at once, verified and kept as over HTTP.
//!
//! Listener tasks cut frames (RFC 6587 on TCP and TLS, one datagram each on
//! UDP), take the entry out of each syslog record and queue it with its
//! peer. One verifying stage takes everything queued at once, verifies it
//! in batches spread over the cores, and appends the results through the
//! journal in arrival order (so per connection too). Junk never stops a
//! listener: a bad frame is counted, and rejected with its reason where
//! there is a frame to show.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use audit_cef::syslog::{FrameDecoder, decode_message, trim_datagram};
use audit_cef::{Error, Format, Verifier};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;

use crate::completeness::Completeness;
use crate::intake::{failures, rejected_line};
use crate::io_util::report;
use crate::journal::Journal;

/// One received frame: its entry, or why there is none.
pub enum Arrival {
    Entry { peer: SocketAddr, entry: Vec<u8> },
    Refused { peer: SocketAddr, frame: Vec<u8>, err: Error },
}

/// Queued chunks of arrivals; beyond this, listeners stop reading (TCP
/// pushes back on its senders; UDP datagrams wait in the socket buffer).
const QUEUED_CHUNKS: usize = 256;

/// Arrivals verified together at most.
const STAGE_BATCH: usize = 4096;

/// Entry bytes verified together at most: a batch of long entries stops
/// here, long before [`STAGE_BATCH`] of them.
const STAGE_BYTES: usize = 16 << 20;

/// What each connection reads at once.
const READ_BUF: usize = 64 << 10;

/// Frames that could not be read at all (no entry to reject).
#[derive(Default)]
pub struct Junk {
    pub frames: AtomicU64,
}

/// Cuts one frame into its entry (copying the entry only).
fn arrival(peer: SocketAddr, frame: &[u8]) -> Arrival {
    match decode_message(frame) {
        Ok(received) => Arrival::Entry { peer, entry: received.entry.to_vec() },
        Err(err) => Arrival::Refused { peer, frame: frame.to_vec(), err },
    }
}

/// Reads datagrams until the task is dropped.
pub async fn serve_udp(socket: UdpSocket, queue: mpsc::Sender<Vec<Arrival>>) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let Ok((len, peer)) = socket.recv_from(&mut buf).await else { continue };
        let datagram = buf.get(..len).unwrap_or_default();
        let chunk = vec![arrival(peer, trim_datagram(datagram))];
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
    /// Time a TLS client has for its handshake.
    pub handshake_timeout: Duration,
}

/// Accepts TCP (or TLS) connections until the task is dropped.
pub async fn serve_tcp(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    queue: mpsc::Sender<Vec<Arrival>>,
    limits: StreamLimits,
    junk: Arc<Junk>,
) {
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        let Ok(permit) = Arc::clone(&open).acquire_owned().await else { return };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors and the like: wait instead of spinning.
                report(format_args!("cef receive: accept failed: {err}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (queue, tls, junk) = (queue.clone(), tls.clone(), Arc::clone(&junk));
        let (max_frame, handshake_timeout) = (limits.max_frame, limits.handshake_timeout);
        tokio::spawn(async move {
            let _permit = permit;
            match tls {
                None => read_frames(stream, peer, queue, max_frame, &junk).await,
                Some(acceptor) => {
                    let handshake = tokio::time::timeout(handshake_timeout, acceptor.accept(stream));
                    if let Ok(Ok(stream)) = handshake.await {
                        read_frames(stream, peer, queue, max_frame, &junk).await;
                    } else {
                        junk.frames.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
    }
}

/// Cuts a connection's bytes into frames and queues their entries.
async fn read_frames<S: tokio::io::AsyncRead + Unpin>(
    mut stream: S,
    peer: SocketAddr,
    queue: mpsc::Sender<Vec<Arrival>>,
    max_frame: usize,
    junk: &Junk,
) {
    let mut decoder = FrameDecoder::new(max_frame);
    let mut buf = vec![0u8; READ_BUF];
    loop {
        let len = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(len) => len,
        };
        decoder.push(buf.get(..len).unwrap_or_default());
        let mut chunk = Vec::new();
        while let Some(frame) = decoder.next_frame() {
            match frame {
                Ok(frame) => chunk.push(arrival(peer, frame)),
                Err(_) => {
                    junk.frames.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        if !chunk.is_empty() && queue.send(chunk).await.is_err() {
            return;
        }
    }
    if decoder.finish().is_some() {
        junk.frames.fetch_add(1, Ordering::Relaxed);
    }
}

/// Starts the verifying stage: it ends when every queue sender is gone.
pub fn start_stage(
    verifier: Arc<Verifier>,
    format: Option<Format>,
    threads: usize,
    journal: Journal,
    completeness: Option<Arc<Completeness>>,
) -> std::io::Result<(mpsc::Sender<Vec<Arrival>>, thread::JoinHandle<()>)> {
    let (queue, mut arrivals) = mpsc::channel::<Vec<Arrival>>(QUEUED_CHUNKS);
    let stage = thread::Builder::new().name("verify".into()).spawn(move || {
        while let Some(first) = arrivals.blocking_recv() {
            let mut bytes = chunk_bytes(&first);
            let mut batch = first;
            while batch.len() < STAGE_BATCH && bytes < STAGE_BYTES {
                match arrivals.try_recv() {
                    Ok(more) => {
                        bytes = bytes.saturating_add(chunk_bytes(&more));
                        batch.extend(more);
                    }
                    Err(_) => break,
                }
            }
            let verdicts = verify_all(&verifier, format, threads, &batch);
            if let Some(completeness) = &completeness {
                completeness.add(verified_entries(&batch, &verdicts));
            }
            let (out, rejected, counts) = lines(&batch, verdicts);
            // Verifying the next batch overlaps this one's write and sync.
            if let Err(err) = journal.queue_blocking(out, rejected, counts) {
                report(format_args!("cef receive: cannot store entries: {err}"));
            }
        }
    })?;
    Ok((queue, stage))
}

/// The bytes a chunk of arrivals holds.
fn chunk_bytes(chunk: &[Arrival]) -> usize {
    chunk
        .iter()
        .map(|arrival| match arrival {
            Arrival::Entry { entry, .. } => entry.len(),
            Arrival::Refused { frame, .. } => frame.len(),
        })
        .fold(0, usize::saturating_add)
}

/// One verdict per arrival (`None`: verified), the entries spread over
/// `threads` in contiguous parts, each verified as a batch.
fn verify_all(verifier: &Verifier, format: Option<Format>, threads: usize, batch: &[Arrival]) -> Vec<Option<Error>> {
    let entries: Vec<&[u8]> = entries(batch).collect();
    let verify_part = |part: &[&[u8]]| failures(verifier, format, part);
    // Threads only pay off for a batch that keeps each busy for a while.
    let parts = if entries.len() >= 128 { threads.max(1) } else { 1 };
    let size = entries.len().div_ceil(parts).max(1);
    thread::scope(|scope| {
        let handles: Vec<_> = entries.chunks(size).map(|part| scope.spawn(move || verify_part(part))).collect();
        handles.into_iter().flat_map(|handle| handle.join().unwrap_or_default()).collect()
    })
}

/// The entries of `batch` (frames that had one), in arrival order.
fn entries(batch: &[Arrival]) -> impl Iterator<Item = &[u8]> {
    batch.iter().filter_map(|arrival| match arrival {
        Arrival::Entry { entry, .. } => Some(entry.as_slice()),
        Arrival::Refused { .. } => None,
    })
}

/// The entries of `batch` that verified, in arrival order.
fn verified_entries<'b>(batch: &'b [Arrival], verdicts: &'b [Option<Error>]) -> impl Iterator<Item = &'b [u8]> {
    entries(batch).zip(verdicts).filter(|(_, verdict)| verdict.is_none()).map(|(entry, _)| entry)
}

/// The `--out` and `--rejected` bytes of a verified batch, in arrival order.
fn lines(batch: &[Arrival], verdicts: Vec<Option<Error>>) -> (Vec<u8>, Vec<u8>, (usize, usize)) {
    let mut verdicts = verdicts.into_iter();
    let (mut out, mut rejected) = (Vec::new(), Vec::new());
    let (mut kept, mut refused) = (0usize, 0usize);
    for arrival in batch {
        match arrival {
            Arrival::Entry { peer, entry } => match verdicts.next() {
                Some(None) => {
                    out.extend_from_slice(entry);
                    out.push(b'\n');
                    kept += 1;
                }
                Some(Some(err)) => {
                    rejected_line(&mut rejected, *peer, entry, &err);
                    refused += 1;
                }
                // One verdict per entry; fail closed if there were ever fewer.
                None => {
                    rejected_line(&mut rejected, *peer, entry, &Error::new(audit_cef::ErrorKind::NoKeyMatches));
                    refused += 1;
                }
            },
            Arrival::Refused { peer, frame, err } => {
                rejected_line(&mut rejected, *peer, frame, err);
                refused += 1;
            }
        }
    }
    (out, rejected, (kept, refused))
}
