//! A verifying webhook receiver embedded in a small server of its own,
//! built only from the library's public API: what `cef receive` does,
//! answering as it does (the status table is the library's), on a std
//! `TcpListener` with a thread per connection instead of hyper and tokio.
//!
//! ```sh
//! CEF_AUTHORIZATION='Bearer s3cret' cargo run --all-features --example verifying_receiver -- \
//!     127.0.0.1:8080 jwks.json out.cef rejected.jsonl
//! ```
//!
//! Then point Konnect's webhook (or `cef send`, or curl with a gzipped
//! body) at `http://127.0.0.1:8080/`. It prints `listening on ADDR` once it
//! accepts connections. HTTP/1.1 with `Content-Length` bodies only (no
//! chunked encoding, no TLS): a sketch of the embedding, not a server to
//! face the internet.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use audit_cef::chrono::Utc;
use audit_cef::receive::{Answer, BodyFailure, Decision, Head, Intake, Journal, Reply, VerifyPool};
use audit_cef::webhook::{BodyLimits, Credential};
use audit_cef::{KeySet, Verifier};

/// The longest a client may take to send its head and body.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest request head read.
const MAX_HEAD: usize = 16 << 10;

struct Receiver {
    intake: Intake,
    pool: VerifyPool,
    journal: Journal,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, jwks, out, rejected] = args.as_slice() else {
        return Err("usage: verifying_receiver ADDR JWKS_FILE OUT_FILE REJECTED_FILE \
                    (the Authorization value in CEF_AUTHORIZATION)"
            .into());
    };
    let authorization = std::env::var("CEF_AUTHORIZATION")
        .map_err(|_| "set CEF_AUTHORIZATION to the Authorization value every request must carry")?;
    let keys = KeySet::from_jwks_str(&std::fs::read_to_string(jwks)?)?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let (journal, _writer) = Journal::open(Some(out.as_ref()), rejected.as_ref(), None)?;
    let receiver = Arc::new(Receiver {
        intake: Intake::new(Credential::new(authorization), BodyLimits::default(), 256 << 20),
        pool: VerifyPool::new(Verifier::new(keys), threads),
        journal,
    });
    let listener = TcpListener::bind(addr.as_str())?;
    eprintln!("listening on {}", listener.local_addr()?);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let receiver = Arc::clone(&receiver);
        std::thread::spawn(move || {
            // A client that breaks off is simply gone.
            let _ = serve(&receiver, stream);
        });
    }
    Ok(())
}

/// Serves the requests of one connection (keep-alive) until it closes.
fn serve(receiver: &Receiver, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(CLIENT_TIMEOUT))?;
    let peer = stream.peer_addr()?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let Some(request) = read_head(&mut reader)? else { return Ok(()) };
        let answer = handle(receiver, &request, peer, &mut reader);
        match answer {
            Answer::Reply(reply) => {
                let close = reply.close() || request.close;
                write_reply(&mut writer, &reply, close)?;
                if close {
                    return Ok(());
                }
            }
            // Too slow or broken: close without an answer (Konnect retries that).
            Answer::Close => return Ok(()),
        }
    }
}

/// A request's head as read off the wire.
struct Request {
    method: String,
    headers: Vec<(String, Vec<u8>)>,
    close: bool,
}

impl Request {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_slice())
    }
}

/// Takes one request through the library: head, body, verdicts, journal.
fn handle(receiver: &Receiver, request: &Request, peer: SocketAddr, body: &mut impl Read) -> Answer {
    let mut head = Head::new(&request.method, peer);
    if let Some(value) = request.header("authorization") {
        head = head.authorization(value);
    }
    if let Some(value) = request.header("content-encoding") {
        head = head.content_encoding(value);
    }
    let length = request.header("content-length").and_then(|v| std::str::from_utf8(v).ok()?.trim().parse().ok());
    if let Some(length) = length {
        head = head.content_length(length);
    }
    let reservation = match receiver.intake.head(&head) {
        Decision::Answer(reply) => return Answer::Reply(reply),
        Decision::Read(reservation) => reservation,
    };
    // This sketch reads Content-Length bodies only.
    let Some(length) = length else { return receiver.intake.body_failed(BodyFailure::Broken) };
    let mut bytes = Vec::new();
    match body.take(length).read_to_end(&mut bytes) {
        Ok(read) if read as u64 == length => {}
        Ok(_) => return receiver.intake.body_failed(BodyFailure::Broken),
        Err(err) if err.kind() == std::io::ErrorKind::WouldBlock || err.kind() == std::io::ErrorKind::TimedOut => {
            return receiver.intake.body_failed(BodyFailure::TooSlow);
        }
        Err(_) => return receiver.intake.body_failed(BodyFailure::Broken),
    }
    let checked = match receiver.intake.body(reservation, bytes, &receiver.pool) {
        Ok(checked) => checked,
        Err(reply) => return Answer::Reply(reply),
    };
    let records = checked.records(Utc::now());
    let accepted = records.accepted();
    // 200 only once the records are synced; 429 or 500 otherwise.
    let (tell, told) = mpsc::channel();
    if let Err(err) = receiver.journal.submit(records, Box::new(move |stored| drop(tell.send(stored)))) {
        return Answer::Reply(receiver.intake.not_stored(&err));
    }
    match told.recv() {
        Ok(Ok(_stored)) => Answer::Reply(accepted),
        Ok(Err(err)) => Answer::Reply(receiver.intake.not_stored(&err)),
        Err(_) => Answer::Reply(Reply::internal()),
    }
}

/// Reads a request line and headers; `None` when the client closed first.
fn read_head(reader: &mut impl BufRead) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    let mut read = 0;
    let mut lines = Vec::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            return if lines.is_empty() { Ok(None) } else { Err(std::io::ErrorKind::UnexpectedEof.into()) };
        }
        read += n;
        if read > MAX_HEAD {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if lines.is_empty() {
                continue;
            }
            break;
        }
        lines.push(trimmed.to_owned());
    }
    let mut parts = lines.first().map(|first| first.split(' ')).into_iter().flatten();
    let method = parts.next().unwrap_or_default().to_owned();
    let http10 = lines.first().is_some_and(|first| first.ends_with("HTTP/1.0"));
    let headers: Vec<(String, Vec<u8>)> = lines
        .iter()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().as_bytes().to_vec()))
        .collect();
    let close = http10
        || headers
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case(b"close"));
    Ok(Some(Request { method, headers, close }))
}

/// Writes the library's reply as an HTTP/1.1 response.
fn write_reply(writer: &mut impl Write, reply: &Reply, close: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
        reply.status(),
        reason(reply.status()),
        reply.content_type(),
        reply.body().len()
    );
    if let Some(secs) = reply.retry_after() {
        head.push_str(&format!("Retry-After: {secs}\r\n"));
    }
    if let Some(allow) = reply.allow() {
        head.push_str(&format!("Allow: {allow}\r\n"));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    writer.write_all(head.as_bytes())?;
    writer.write_all(reply.body().as_bytes())?;
    writer.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        _ => "Internal Server Error",
    }
}
