//! A collector that runs for months follows its JWKS: a key rotated in is
//! fetched when an entry matches no key, a key rotated out stops
//! verifying, a JWKS server that goes away leaves the last good set in
//! use, and a restart while it is away starts from `--jwks-cache`. Real
//! processes and a real HTTP server for the JWKS, on 127.0.0.1 only.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::{Fixture, Receiver, post};

/// An HTTP server on 127.0.0.1 answering every request with the JWKS it
/// holds now; stopped, it closes its port (connections are refused).
struct JwksServer {
    url: String,
    jwks: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
    fetches: Arc<Mutex<usize>>,
}

impl JwksServer {
    fn start(jwks: String) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let jwks = Arc::new(Mutex::new(jwks));
        let stop = Arc::new(AtomicBool::new(false));
        let fetches = Arc::new(Mutex::new(0));
        let thread = {
            let (jwks, stop, fetches) = (Arc::clone(&jwks), Arc::clone(&stop), Arc::clone(&fetches));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(mut stream) = stream else { continue };
                    let mut head = [0u8; 2048];
                    let _ = stream.read(&mut head);
                    *fetches.lock().unwrap() += 1;
                    let body = jwks.lock().unwrap().clone();
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
            })
        };
        JwksServer { url: format!("http://{address}/jwks.json"), jwks, stop, thread: Some(thread), fetches }
    }

    fn serve(&self, jwks: String) {
        *self.jwks.lock().unwrap() = jwks;
    }

    fn fetches(&self) -> usize {
        *self.fetches.lock().unwrap()
    }

    /// Closes the port: the thread wakes on one last connection and ends.
    fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.url.trim_start_matches("http://").trim_end_matches("/jwks.json"));
        if let Some(thread) = self.thread.take() {
            thread.join().expect("jwks server");
        }
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One Konnect-like entry signed with `key` (`k` or `b`), with LF.
fn entry(fixture: &Fixture, key: &str, id: u32) -> String {
    let plain = format!(
        "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 action=list trace_id={id}\n"
    );
    fixture.write("plain.cef", &plain);
    let signed = fixture.cef(&["sign", "--key", &format!("{key}.pem"), "plain.cef"]);
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    String::from_utf8(signed.stdout).expect("utf-8")
}

fn counts(answer: &(u16, String)) -> (u16, String) {
    (answer.0, answer.1.trim().to_owned())
}

#[test]
fn a_rotation_is_followed_and_the_last_good_set_outlives_the_server() {
    let fixture = Fixture::new("jwks-rotation");
    let made = fixture.cef(&["keygen", "--out", "b"]);
    assert!(made.status.success());
    let (a_entry, b_entry) = (entry(&fixture, "k", 1), entry(&fixture, "b", 2));
    let mut server = JwksServer::start(fixture.read("k.jwks.json"));
    let keys = ["--jwks-cache", "cache.json", "--jwks-min-interval", "1", "--jwks-refresh", "3600"];
    let mut receiver = Receiver::start_with_jwks(&fixture, &server.url, &keys);
    let addr = receiver.addr();
    assert!(fixture.read("cache.json").contains(r#""keys""#), "the fetched set is cached");

    // Key A verifies.
    let answer = post(addr, "Bearer s3cret", &[], a_entry.as_bytes());
    assert_eq!(counts(&answer), (200, r#"{"verified":1,"rejected":0}"#.into()));

    // The JWKS now holds key B only: the first entry under B makes it
    // fetch again (past the floor) and is verified, not rejected.
    server.serve(fixture.read("b.jwks.json"));
    thread::sleep(Duration::from_millis(1200));
    let before = server.fetches();
    let answer = post(addr, "Bearer s3cret", &[], b_entry.as_bytes());
    assert_eq!(counts(&answer), (200, r#"{"verified":1,"rejected":0}"#.into()), "refetched on the miss");
    assert_eq!(server.fetches(), before + 1);
    assert_eq!(fixture.read("cache.json"), fixture.read("b.jwks.json"), "the cache follows");

    // Key A was rotated out: its entries no longer verify. Within the
    // floor, the miss fetches nothing.
    let answer = post(addr, "Bearer s3cret", &[], a_entry.as_bytes());
    assert_eq!(counts(&answer), (200, r#"{"verified":0,"rejected":1}"#.into()));
    assert_eq!(server.fetches(), before + 1, "no fetch within --jwks-min-interval");

    // The JWKS server goes away: B still verifies; a miss past the floor
    // tries, fails, and keeps the set.
    server.stop();
    thread::sleep(Duration::from_millis(1200));
    let answer = post(addr, "Bearer s3cret", &[], a_entry.as_bytes());
    assert_eq!(counts(&answer), (200, r#"{"verified":0,"rejected":1}"#.into()));
    let answer = post(addr, "Bearer s3cret", &[], b_entry.as_bytes());
    assert_eq!(counts(&answer), (200, r#"{"verified":1,"rejected":0}"#.into()));
    let (status, said) = receiver.terminate();
    assert!(status.success(), "{said}");
    assert!(said.contains("keeping the last good set (1 keys)"), "{said}");
    assert!(said.contains("changed (an entry matched no key)"), "{said}");

    // A restart while the server is still down starts from the cache.
    let receiver = Receiver::start_with_jwks(&fixture, &server.url, &keys);
    let preamble = receiver.preamble().join("\n");
    assert!(preamble.contains("starting from --jwks-cache cache.json (1 keys)"), "{preamble}");
    let answer = post(receiver.addr(), "Bearer s3cret", &[], b_entry.as_bytes());
    assert_eq!(counts(&answer), (200, r#"{"verified":1,"rejected":0}"#.into()));
    let out = fixture.read("out.cef");
    assert_eq!(out, format!("{a_entry}{b_entry}{b_entry}{b_entry}"));
}

#[test]
fn the_schedule_fetches_without_a_miss() {
    let fixture = Fixture::new("jwks-schedule");
    let made = fixture.cef(&["keygen", "--out", "b"]);
    assert!(made.status.success());
    let server = JwksServer::start(fixture.read("k.jwks.json"));
    let mut receiver = Receiver::start_with_jwks(&fixture, &server.url, &["--jwks-refresh", "1"]);
    server.serve(fixture.read("b.jwks.json"));
    thread::sleep(Duration::from_millis(2500));
    assert!(server.fetches() >= 2, "fetched again on the schedule");
    let (status, said) = receiver.terminate();
    assert!(status.success(), "{said}");
    assert!(said.contains("changed (scheduled)"), "{said}");
}

#[test]
fn plain_http_is_refused_off_loopback_before_any_lookup() {
    let fixture = Fixture::new("jwks-plain-http");
    for url in ["http://jwks.invalid/jwks.json", "http://10.255.255.1/jwks.json", "ftp://127.0.0.1/jwks.json"] {
        let started = std::time::Instant::now();
        let out = fixture.cef(&[
            "receive",
            "--listen",
            "127.0.0.1:0",
            "--authorization",
            "Bearer s3cret",
            "--jwks",
            url,
            "--out",
            "out.cef",
            "--rejected",
            "rejected.jsonl",
        ]);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {said}");
        assert!(
            said.contains(url) && (said.contains("plain http://") || said.contains("starts with https://")),
            "{said}"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "refused at once, no lookup or connection");
    }
    let verify = fixture.cef(&["verify", "--jwks", "http://jwks.invalid/jwks.json", "k.jwks.json"]);
    assert_eq!(verify.status.code(), Some(2));
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let fixture = Fixture::new("jwks-redirect");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/jwks.json", listener.local_addr().expect("address"));
    let server = thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut head = [0u8; 1024];
            let _ = stream.read(&mut head);
            let _ = write!(
                stream,
                "HTTP/1.1 302 Found\r\nLocation: https://keys.example/jwks.json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    let verify = fixture.cef(&["verify", "--jwks", &url, "k.jwks.json"]);
    server.join().expect("server");
    let said = String::from_utf8_lossy(&verify.stderr);
    assert_eq!(verify.status.code(), Some(2), "{said}");
    assert!(said.contains("redirects to https://keys.example/jwks.json, another scheme or host"), "{said}");
}

/// The environment's proxy variables are not used for the JWKS (a proxy
/// could swap the keys): only --jwks-proxy names one.
#[test]
fn the_environment_proxy_is_ignored() {
    let fixture = Fixture::new("jwks-no-env-proxy");
    let server = JwksServer::start(fixture.read("k.jwks.json"));
    fixture.write("signed.cef", &entry(&fixture, "k", 3));
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_cef"))
        .args(["verify", "--jwks", &server.url, "signed.cef"])
        .env("http_proxy", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .current_dir(fixture.path(""))
        .output()
        .expect("cef verify");
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    assert_eq!(server.fetches(), 1);
    let proxied = fixture.cef(&["verify", "--jwks", &server.url, "--jwks-proxy", "http://127.0.0.1:9", "signed.cef"]);
    assert_eq!(proxied.status.code(), Some(2), "the named proxy is used (and is down)");
    assert_eq!(server.fetches(), 1);
}
