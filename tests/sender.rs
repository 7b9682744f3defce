//! The HTTP sender against a real HTTP/1.1 server on 127.0.0.1: batches,
//! gzip, the Authorization header, retries, give-ups, the spool across
//! restarts, a full queue, refused entries, secrets, TLS verification.
#![cfg(feature = "http")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use audit_cef::http::WhenFull;
use audit_cef::http::{BatchFailure, Failure};
use audit_cef::webhook::{Batcher, BodyLimits, Credential, RetryPolicy, decode_body};
use audit_cef::{ErrorKind, Sender, SenderConfig};

/// One answer of the test server: a status, and a `Retry-After` value.
#[derive(Clone, Copy)]
struct Reply(u16, Option<&'static str>);

/// A request the server got.
#[derive(Debug, Clone)]
struct Request {
    at: Instant,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    entries: Vec<Vec<u8>>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

/// A small HTTP/1.1 server: one connection at a time, one request each
/// (`Connection: close`), answering from a script of replies, then 200.
struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

type Tls = Option<Arc<rustls::ServerConfig>>;

impl Server {
    fn start(script: &[Reply]) -> Server {
        Server::start_on("127.0.0.1:0".parse().unwrap(), script, None)
    }

    fn start_on(addr: SocketAddr, script: &[Reply], tls: Tls) -> Server {
        let listener = TcpListener::bind(addr).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (Arc::clone(&requests), Arc::clone(&stop));
        let mut script = script.to_vec();
        script.reverse();
        let thread = thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                let Ok((stream, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(2));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let reply = script.last().copied().unwrap_or(Reply(200, None));
                let served = match &tls {
                    None => serve(stream, reply, &seen),
                    Some(config) => {
                        let connection = rustls::ServerConnection::new(Arc::clone(config)).unwrap();
                        serve(rustls::StreamOwned::new(connection, stream), reply, &seen)
                    }
                };
                if served.is_some() {
                    script.pop();
                }
            }
        });
        Server { addr, requests, stop, thread: Some(thread) }
    }

    fn url(&self) -> String {
        format!("http://{}/in?token=T0KEN", self.addr)
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Every entry received, in order.
    fn entries(&self) -> Vec<Vec<u8>> {
        self.requests().into_iter().flat_map(|request| request.entries).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

/// Reads one request, records it (before answering, so that the client
/// never sees an answer to a request not yet recorded) and answers it;
/// `None` when the connection broke before a whole request came (a failed
/// TLS handshake, say).
fn serve(stream: impl Read + Write, reply: Reply, seen: &Mutex<Vec<Request>>) -> Option<()> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    if !line.starts_with("POST ") {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-length"))?.1.parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let gzip = headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("content-encoding") && v == "gzip");
    assert_eq!(gzip, body.starts_with(&[0x1f, 0x8b]), "Content-Encoding says what the body is");
    let entries = decode_body(&body, BodyLimits::default()).unwrap();
    let retry_after = reply.1.map(|value| format!("Retry-After: {value}\r\n")).unwrap_or_default();
    let answer = format!("HTTP/1.1 {} Test\r\nContent-Length: 0\r\nConnection: close\r\n{retry_after}\r\n", reply.0);
    seen.lock().unwrap().push(Request { at: Instant::now(), headers, body, entries });
    let stream = reader.get_mut();
    let _ = stream.write_all(answer.as_bytes()).and_then(|()| stream.flush());
    Some(())
}

/// An address nothing listens on (connections are refused).
fn closed_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

/// Short waits, no jitter: tests take milliseconds, not seconds.
fn fast(retries: u32) -> RetryPolicy {
    RetryPolicy::KONNECT
        .max_retries(retries)
        .waits(Duration::from_millis(10), Duration::from_millis(50))
        .jitter_percent(0)
}

fn config(url: &str) -> SenderConfig {
    SenderConfig::new(url, Credential::new("Splunk abc 123"))
        .unwrap()
        .retry(fast(4))
        .seed(7)
        .timeout(Duration::from_secs(2))
        .batcher(Batcher::new().max_entries(3).max_age(Duration::from_millis(20)))
}

fn entries(prefix: &str, count: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| format!("{prefix} CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|rt={i} sig=AAAA").into_bytes())
        .collect()
}

fn slices(entries: &[Vec<u8>]) -> Vec<&[u8]> {
    entries.iter().map(Vec::as_slice).collect()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("audit-cef-sender-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn entries_arrive_in_order_batched_gzipped_with_the_authorization_verbatim() {
    let server = Server::start(&[]);
    let sender = Sender::start(config(&server.url())).unwrap();
    let sent = entries("a", 7);
    sender.send_all(&slices(&sent)).unwrap();
    let report = sender.close().unwrap();

    let requests = server.requests();
    assert_eq!(requests.iter().map(|r| r.entries.len()).collect::<Vec<_>>(), [3, 3, 1]);
    assert_eq!(server.entries(), sent);
    for request in &requests {
        assert_eq!(request.header("Authorization"), Some("Splunk abc 123"));
        assert_eq!(request.header("Content-Encoding"), Some("gzip"));
        assert_eq!(request.header("Content-Type"), Some("text/plain"));
        assert!(request.body.starts_with(&[0x1f, 0x8b]));
    }
    assert_eq!((report.accepted, report.delivered, report.given_up, report.batches), (7, 7, 0, 3));
    assert_eq!((report.retries, report.spooled, report.replayed), (0, 0, 0));
}

#[test]
fn plain_bodies_and_no_authorization_header_when_it_is_empty() {
    let server = Server::start(&[]);
    let config = SenderConfig::new(&server.url(), Credential::new("")).unwrap().gzip(false);
    let sender = Sender::start(config).unwrap();
    sender.send(b"one").unwrap();
    sender.send(b"two").unwrap();
    sender.flush().unwrap();
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.header("Authorization").is_none() && r.header("Content-Encoding").is_none()));
    assert_eq!(requests.iter().flat_map(|r| r.body.clone()).collect::<Vec<u8>>(), b"one\ntwo\n");
    assert_eq!(sender.close().unwrap().delivered, 2);
}

#[test]
fn a_partial_batch_waits_for_its_age() {
    let server = Server::start(&[]);
    let config = config(&server.url()).batcher(Batcher::new().max_entries(100).max_age(Duration::from_millis(100)));
    let sender = Sender::start(config).unwrap();
    let sent = Instant::now();
    sender.send(b"alone").unwrap();
    wait_until("the batch", || !server.requests().is_empty());
    assert!(server.requests()[0].at - sent >= Duration::from_millis(90), "sent before its age");
    sender.close().unwrap();
}

#[test]
fn a_500_and_a_429_are_retried_then_delivered() {
    let server = Server::start(&[Reply(500, None), Reply(429, Some("0")), Reply(200, None)]);
    let sender = Sender::start(config(&server.url())).unwrap();
    sender.send_all(&[b"x".as_slice(), b"y"]).unwrap();
    let report = sender.close().unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.entries == [b"x".to_vec(), b"y".to_vec()]), "the same batch each time");
    assert_eq!((report.delivered, report.given_up, report.retries, report.batches), (2, 0, 2, 1));
}

/// `Retry-After` is a floor: jitter (20% here, as by default) may add to
/// the asked 3 s, never cut it (once it gave 2.6 s).
#[test]
fn retry_after_3_is_waited_at_least_3_seconds_whatever_the_jitter() {
    let server = Server::start(&[Reply(429, Some("3")), Reply(200, None)]);
    let policy = RetryPolicy::KONNECT.waits(Duration::from_millis(10), Duration::from_millis(300));
    let sender = Sender::start(config(&server.url()).retry(policy)).unwrap();
    sender.send(b"x").unwrap();
    sender.flush().unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at - requests[0].at;
    assert!(gap >= Duration::from_secs(3) && gap < Duration::from_millis(4_500), "asked 3 s: {gap:?}");
    sender.close().unwrap();
}

#[test]
fn retry_after_above_its_cap_is_held_to_the_cap() {
    let server = Server::start(&[Reply(429, Some("60")), Reply(200, None)]);
    let policy = fast(4).max_retry_after(Duration::from_millis(300));
    let sender = Sender::start(config(&server.url()).retry(policy)).unwrap();
    sender.send(b"x").unwrap();
    sender.flush().unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at - requests[0].at;
    assert!(gap >= Duration::from_millis(280) && gap < Duration::from_millis(900), "60 s held to 300 ms: {gap:?}");
    sender.close().unwrap();
}

#[test]
fn a_refused_connection_is_retried_until_the_server_is_up() {
    let addr = closed_port();
    let policy = fast(20).waits(Duration::from_millis(30), Duration::from_millis(30));
    let sender = Sender::start(config(&format!("http://{addr}/in")).retry(policy)).unwrap();
    sender.send(b"patient").unwrap();
    wait_until("a retry", || sender.report().retries >= 2);
    let server = Server::start_on(addr, &[], None);
    sender.flush().unwrap();
    assert_eq!(server.entries(), [b"patient".to_vec()]);
    let report = sender.close().unwrap();
    assert_eq!((report.delivered, report.given_up), (1, 0));
    assert!(report.retries >= 2);
}

#[test]
fn a_400_is_given_up_after_one_attempt_and_later_batches_go_on() {
    let server = Server::start(&[Reply(400, None)]);
    let sender = Sender::start(config(&server.url())).unwrap();
    sender.send(b"refused").unwrap();
    sender.flush().unwrap();
    assert_eq!(server.requests().len(), 1);
    let report = sender.report();
    assert_eq!((report.given_up, report.delivered, report.retries, report.spooled), (1, 0, 0, 0));
    // Why, once: the status and what it means.
    let failures = sender.take_failures();
    assert_eq!(failures, [BatchFailure { entries: 1, retries: 0, failure: Failure::Status(400) }]);
    assert_eq!(failures[0].to_string(), "1 entries not delivered: HTTP 400: the collector could not read the batch");
    assert!(sender.take_failures().is_empty());
    sender.send(b"taken").unwrap();
    let report = sender.close().unwrap();
    assert_eq!((report.given_up, report.delivered, report.batches), (1, 1, 2));
    assert_eq!(server.entries(), [b"refused".to_vec(), b"taken".to_vec()]);
}

/// A refused connection is told as such, and the retries it had.
#[test]
fn a_dead_port_is_given_up_as_a_refused_connection() {
    let sender = Sender::start(config(&format!("http://{}/", closed_port())).retry(fast(2))).unwrap();
    sender.send(b"x").unwrap();
    sender.flush().unwrap();
    assert_eq!(sender.take_failures(), [BatchFailure { entries: 1, retries: 2, failure: Failure::Refused }]);
}

#[test]
fn a_redirect_is_not_followed_and_retries_run_out() {
    let server = Server::start(&[Reply(302, None), Reply(500, None), Reply(500, None), Reply(500, None)]);
    let sender = Sender::start(config(&server.url()).retry(fast(2))).unwrap();
    sender.send(b"moved").unwrap();
    sender.flush().unwrap();
    assert_eq!(server.requests().len(), 1, "a 3xx gives up at once");
    sender.send(b"failing").unwrap();
    let report = sender.close().unwrap();
    assert_eq!(server.requests().len(), 4, "one attempt and two retries");
    assert_eq!((report.given_up, report.delivered, report.retries), (2, 0, 2));
}

#[test]
fn a_spool_keeps_what_was_not_delivered_for_the_next_sender() {
    let dir = TempDir::new("restart");
    let down = closed_port();
    // Down, with retries far apart: the entries stay pending; dropping the
    // sender does not wait for them.
    let slow = fast(10).waits(Duration::from_secs(5), Duration::from_secs(5));
    let first = Sender::start(config(&format!("http://{down}/")).retry(slow).spool(dir.path())).unwrap();
    let sent = entries("spooled", 5);
    first.send_all(&slices(&sent[..2])).unwrap();
    for entry in &sent[2..] {
        first.send(entry).unwrap();
    }
    wait_until("a failed attempt", || first.report().retries >= 1);
    assert_eq!(first.report().spooled, 5);
    let dropped = Instant::now();
    drop(first);
    assert!(dropped.elapsed() < Duration::from_secs(2), "drop does not sit out the retry wait");

    let server = Server::start(&[]);
    let second = Sender::start(config(&server.url()).spool(dir.path())).unwrap();
    second.send(b"new").unwrap();
    let report = second.close().unwrap();
    let mut expected = sent.clone();
    expected.push(b"new".to_vec());
    assert_eq!(server.entries(), expected, "replayed first, in order, once");
    assert_eq!((report.replayed, report.accepted, report.delivered, report.spooled), (5, 1, 6, 0));

    let third = Sender::start(config(&server.url()).spool(dir.path())).unwrap();
    assert_eq!(third.close().unwrap().replayed, 0);
    assert_eq!(server.entries().len(), 6, "nothing sent twice");
}

#[test]
fn given_up_entries_are_kept_in_the_spool_and_sent_by_the_next_sender() {
    let dir = TempDir::new("given-up");
    let down = closed_port();
    let first = Sender::start(config(&format!("http://{down}/")).retry(fast(1)).spool(dir.path())).unwrap();
    let sent = entries("kept", 4);
    first.send_all(&slices(&sent)).unwrap();
    let report = first.close().unwrap();
    assert_eq!((report.given_up, report.delivered, report.spooled), (4, 0, 4));

    let server = Server::start(&[]);
    let second = Sender::start(config(&server.url()).spool(dir.path())).unwrap();
    let report = second.close().unwrap();
    assert_eq!((report.replayed, report.delivered, report.spooled), (4, 4, 0));
    assert_eq!(server.entries(), sent);
    let third = Sender::start(config(&server.url()).spool(dir.path())).unwrap();
    assert_eq!(third.close().unwrap().replayed, 0);
}

#[test]
fn a_torn_last_spool_line_is_not_sent() {
    let dir = TempDir::new("torn");
    let down = closed_port();
    let slow = fast(10).waits(Duration::from_secs(5), Duration::from_secs(5));
    let first = Sender::start(config(&format!("http://{down}/")).retry(slow).spool(dir.path())).unwrap();
    first.send_all(&[b"whole one".as_slice(), b"whole two"]).unwrap();
    drop(first);
    let segment = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|item| item.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "log"))
        .unwrap();
    std::fs::OpenOptions::new().append(true).open(&segment).unwrap().write_all(b"torn by a cra").unwrap();

    let server = Server::start(&[]);
    let second = Sender::start(config(&server.url()).spool(dir.path())).unwrap();
    second.send(b"after").unwrap();
    let report = second.close().unwrap();
    assert_eq!(server.entries(), [b"whole one".to_vec(), b"whole two".to_vec(), b"after".to_vec()]);
    assert_eq!((report.replayed, report.delivered), (2, 3));
}

/// A segment that cannot be read is an error when the sender starts, not
/// a segment silently passed.
#[test]
fn an_unreadable_segment_stops_the_start_and_is_kept() {
    let dir = TempDir::new("unreadable");
    let down = closed_port();
    let slow = fast(10).waits(Duration::from_secs(5), Duration::from_secs(5));
    let first = Sender::start(config(&format!("http://{down}/")).retry(slow).spool(dir.path())).unwrap();
    first.send_all(&[b"kept one".as_slice()]).unwrap();
    drop(first);
    let unreadable = dir.path().join(format!("{:020}.log", 999));
    std::fs::create_dir(&unreadable).unwrap();
    let server = Server::start(&[]);
    assert!(Sender::start(config(&server.url()).spool(dir.path())).is_err());
    assert!(unreadable.exists());
}

/// Two senders on one spool: the second is refused, naming why.
#[test]
fn a_spool_in_use_is_refused_to_a_second_sender() {
    let dir = TempDir::new("locked");
    let server = Server::start(&[]);
    let first = Sender::start(config(&server.url()).spool(dir.path())).unwrap();
    let err = Sender::start(config(&server.url()).spool(dir.path())).unwrap_err();
    assert!(err.to_string().contains("in use by another process"), "{err}");
    first.close().unwrap();
    // Once the first is gone, the spool is free again.
    Sender::start(config(&server.url()).spool(dir.path())).unwrap().close().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for item in std::fs::read_dir(dir.path()).unwrap() {
            let path = item.unwrap().path();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", path.display());
        }
    }
}

#[test]
fn a_big_spool_is_replayed_in_batches() {
    let dir = TempDir::new("big");
    let down = closed_port();
    let slow = fast(10).waits(Duration::from_secs(5), Duration::from_secs(5));
    let first =
        Sender::start(config(&format!("http://{down}/")).retry(slow).spool(dir.path()).spool_segment_bytes(4096))
            .unwrap();
    let sent = entries("many", 1000);
    for chunk in sent.chunks(100) {
        first.send_all(&slices(chunk)).unwrap();
    }
    drop(first);
    let server = Server::start(&[]);
    let config = config(&server.url()).batcher(Batcher::new().max_entries(250)).spool(dir.path());
    let second = Sender::start(config).unwrap();
    let report = second.close().unwrap();
    assert_eq!(report.replayed, 1000);
    assert_eq!(server.requests().iter().map(|r| r.entries.len()).collect::<Vec<_>>(), [250; 4]);
    assert_eq!(server.entries(), sent);
    let left: Vec<PathBuf> = std::fs::read_dir(dir.path()).unwrap().map(|item| item.unwrap().path()).collect();
    assert!(left.iter().filter(|p| p.extension().is_some_and(|e| e == "log")).count() <= 1, "{left:?}");
}

/// A sender whose thread is stuck in a long retry wait, with its queue
/// holding `queued` entries and room for `capacity`.
fn stuck_sender(addr: SocketAddr, capacity: usize, when_full: WhenFull, wait: Duration) -> Sender {
    let config = config(&format!("http://{addr}/"))
        .retry(fast(10).waits(wait, wait))
        .batcher(Batcher::new().max_entries(1).max_age(Duration::ZERO))
        .queue_capacity(capacity)
        .when_full(when_full);
    let sender = Sender::start(config).unwrap();
    sender.send(b"e1").unwrap();
    wait_until("the first failed attempt", || sender.report().retries >= 1);
    sender.send_all(&[b"e2".as_slice(), b"e3"]).unwrap();
    sender
}

#[test]
fn a_full_queue_refuses_with_a_typed_error_in_fail_mode() {
    let sender = stuck_sender(closed_port(), 2, WhenFull::Fail, Duration::from_secs(5));
    let err = sender.send(b"e4").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::QueueFull);
    assert_eq!(sender.send_all(&[b"e4".as_slice()]).unwrap_err().kind(), ErrorKind::QueueFull);
    assert_eq!(sender.report().accepted, 3, "nothing of a refused call is taken");
}

#[test]
fn a_full_queue_blocks_in_wait_mode_until_there_is_room() {
    let addr = closed_port();
    let sender = Arc::new(stuck_sender(addr, 2, WhenFull::Wait, Duration::from_millis(300)));
    let (done, finished) = mpsc::channel();
    let blocked = {
        let sender = Arc::clone(&sender);
        thread::spawn(move || {
            sender.send(b"e4").unwrap();
            done.send(()).unwrap();
        })
    };
    assert!(finished.recv_timeout(Duration::from_millis(100)).is_err(), "send waits while the queue is full");
    let server = Server::start_on(addr, &[], None);
    finished.recv_timeout(Duration::from_secs(5)).expect("send returns once there is room");
    blocked.join().unwrap();
    let sender = Arc::into_inner(sender).unwrap();
    let report = sender.close().unwrap();
    assert_eq!(report.delivered, 4);
    assert_eq!(server.entries(), [b"e1".to_vec(), b"e2".to_vec(), b"e3".to_vec(), b"e4".to_vec()]);
}

#[test]
fn line_breaks_and_empty_entries_are_refused() {
    let sender = Sender::start(config(&format!("http://{}/", closed_port()))).unwrap();
    assert_eq!(sender.send(b"").unwrap_err().kind(), ErrorKind::Empty);
    let err = sender.send(b"one\ntwo").unwrap_err();
    assert_eq!((err.kind(), err.offset()), (ErrorKind::LineBreakInEntry, Some(3)));
    assert_eq!(sender.send(b"cr\r").unwrap_err().kind(), ErrorKind::LineBreakInEntry);
    let err = sender.send_all(&[b"fine".as_slice(), b"bad\r\n"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LineBreakInEntry);
    assert_eq!(sender.report().accepted, 0, "all or nothing");
}

#[test]
fn bad_endpoints_and_authorizations_are_typed_errors_without_the_secret() {
    for bad in ["", "127.0.0.1:8080", "ftp://siem.example/", "https://", "http://a b/"] {
        let err = SenderConfig::new(bad, Credential::new("Bearer s3cret")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidEndpoint, "{bad:?}");
        assert!(!err.to_string().contains("s3cret"));
    }
    let err = SenderConfig::new("http://127.0.0.1:1/", Credential::new("Bearer s3cret\r\nX: y")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidAuthorization);
    assert!(!format!("{err} {err:?}").contains("s3cret"));
}

#[test]
fn debug_never_shows_the_credential() {
    let config =
        SenderConfig::new("https://siem.example/in/PATHTOKEN", Credential::new("Bearer s3cret-value")).unwrap();
    let shown = format!("{config:?} {config:#?}");
    assert!(!shown.contains("s3cret-value") && !shown.contains("PATHTOKEN"), "{shown}");
    let sender = Sender::start(config.timeout(Duration::from_millis(100))).unwrap();
    let shown = format!("{sender:?} {sender:#?}");
    assert!(!shown.contains("s3cret-value") && !shown.contains("PATHTOKEN"), "{shown}");
    assert!(shown.contains("siem.example"));
}

fn tls_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sender_tls");
    let certs = vec![CertificateDer::from_pem_file(format!("{dir}/cert.pem")).unwrap()];
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/key.pem")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(config)
}

#[test]
fn a_self_signed_certificate_fails_unless_verification_is_skipped() {
    let server = Server::start_on("127.0.0.1:0".parse().unwrap(), &[], Some(tls_config()));
    let url = format!("https://{}/in", server.addr);
    let checked = Sender::start(config(&url).retry(fast(0))).unwrap();
    checked.send(b"secret audit").unwrap();
    let report = checked.close().unwrap();
    assert_eq!((report.delivered, report.given_up), (0, 1), "certificate refused");
    assert!(server.requests().is_empty());

    let trusting = Sender::start(config(&url).retry(fast(0)).skip_ssl_verification(true)).unwrap();
    trusting.send(b"secret audit").unwrap();
    assert_eq!(trusting.close().unwrap().delivered, 1);
    assert_eq!(server.entries(), [b"secret audit".to_vec()]);
}
