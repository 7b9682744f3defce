//! What the end-to-end tests of `cef receive`, `cef send` and `cef relay`
//! share: a scratch directory with a key, the binary run as a server whose
//! address is read from its first line, and a raw HTTP/1.1 client.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long any server gets to start or stop.
const PATIENCE: Duration = Duration::from_secs(20);

/// A scratch directory holding a signing key `k.pem` and its `k.jwks.json`.
pub struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    pub fn new(name: &str) -> Fixture {
        let dir = std::env::temp_dir().join(format!("cef-e2e-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        let fixture = Fixture { dir };
        let made = fixture.cef(&["keygen", "--out", "k"]);
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        fixture
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, text).expect("write");
        path
    }

    /// The file's text, or "" when it does not exist.
    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// Runs `cef args...` in the directory.
    pub fn cef(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_cef")).args(args).current_dir(&self.dir).output().expect("run cef")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// `count` Konnect-like entries signed with the fixture's key, each ending in LF.
pub fn signed_lines(fixture: &Fixture, count: usize) -> String {
    let plain: String = (0..count)
        .map(|i| {
            format!(
                "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true trace_id={}\n",
                3_000_000 + i
            )
        })
        .collect();
    fixture.write("plain.cef", &plain);
    let signed = fixture.cef(&["sign", "--key", "k.pem", "plain.cef"]);
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    String::from_utf8(signed.stdout).expect("utf-8")
}

/// A `cef receive` (or `relay`) process, killed when dropped.
pub struct Receiver {
    child: Child,
    url: String,
    addr: SocketAddr,
    stderr: mpsc::Receiver<String>,
    /// What it printed before it listened.
    preamble: Vec<String>,
}

impl Receiver {
    /// `cef receive` on 127.0.0.1:0 with Authorization `Bearer s3cret`, the
    /// fixture's JWKS, `out.cef` and `rejected.jsonl`, and `extra` arguments.
    pub fn start(fixture: &Fixture, extra: &[&str]) -> Receiver {
        Receiver::start_with_jwks(fixture, "k.jwks.json", extra)
    }

    pub fn start_with_jwks(fixture: &Fixture, jwks: &str, extra: &[&str]) -> Receiver {
        let mut args = vec!["receive", "--listen", "127.0.0.1:0", "--authorization", "Bearer s3cret", "--jwks", jwks];
        args.extend(["--out", "out.cef", "--rejected", "rejected.jsonl"]);
        args.extend_from_slice(extra);
        Receiver::spawn(fixture, &args)
    }

    /// Runs `cef args...` and waits for its `listening on URL` line.
    pub fn spawn(fixture: &Fixture, args: &[&str]) -> Receiver {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cef"))
            .args(args)
            .current_dir(&fixture.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cef");
        let stderr = child.stderr.take().expect("stderr");
        let (lines, stderr_lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        loop {
            match stderr_lines.recv_timeout(PATIENCE) {
                Ok(line) => {
                    if let Some(url) = line.split("listening on ").nth(1) {
                        // A JSON log line ends the message with `"}`.
                        let url = url.trim().trim_end_matches(['"', '}']).to_owned();
                        let addr = url.rsplit("//").next().and_then(|a| a.parse().ok()).expect("address");
                        return Receiver { child, url: format!("{url}/"), addr, stderr: stderr_lines, preamble: seen };
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("cef {args:?} did not start listening: {seen:?}");
                }
            }
        }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The lines it printed on stderr before it listened (warnings).
    pub fn preamble(&self) -> &[String] {
        &self.preamble
    }

    /// Waits (bounded) for a line on stderr holding `text`, and returns it;
    /// the lines before it are passed over.
    pub fn wait_for_line(&mut self, text: &str) -> String {
        let deadline = std::time::Instant::now() + PATIENCE;
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no stderr line with {text:?} within {PATIENCE:?}");
    }

    /// Sends `signal` (`HUP`, ...) to the process.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill").args([&format!("-{signal}"), &self.child.id().to_string()]).status();
        assert!(sent.expect("kill").success());
    }

    /// The most memory the process has held so far (VmHWM), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
        kib.unwrap_or(0) * 1024
    }

    /// Sends SIGTERM and waits (bounded) for the exit; returns its stderr.
    pub fn terminate(&mut self) -> (ExitStatus, String) {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill");
        assert!(sent.success());
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let mut text = Vec::new();
                while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(2)) {
                    text.push(line);
                }
                return (status, text.join("\n"));
            }
            assert!(std::time::Instant::now() < deadline, "no exit within {PATIENCE:?} of SIGTERM");
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POSTs `body` with the Authorization header (none when empty) and extra
/// header lines; returns the status and the body of the answer.
pub fn post(addr: SocketAddr, authorization: &str, headers: &[&str], body: &[u8]) -> (u16, String) {
    let mut head =
        format!("POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    if !authorization.is_empty() {
        head.push_str(&format!("Authorization: {authorization}\r\n"));
    }
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    request_bytes(addr, &request)
}

/// Sends a raw request (text) and reads the whole answer.
pub fn request(addr: SocketAddr, text: &str) -> (u16, String) {
    request_bytes(addr, text.as_bytes())
}

fn request_bytes(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream.set_write_timeout(Some(PATIENCE)).expect("timeout");
    // The server may answer (413, 401) and close before the whole body is written.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

/// `bytes` gzip-compressed by the `gzip` command.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut child = Command::new("gzip").arg("-c").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("gzip");
    let mut input = child.stdin.take().expect("stdin");
    let owned = bytes.to_vec();
    let writer = thread::spawn(move || input.write_all(&owned));
    let output = child.wait_with_output().expect("gzip output");
    writer.join().expect("writer").expect("write to gzip");
    output.stdout
}

/// Whether `path` exists.
pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// A self-signed server certificate for 127.0.0.1 (`tls.crt`, `tls.key` in
/// the fixture) made by openssl: a server certificate, not a CA, since
/// rustls refuses a CA as the server's own.
pub fn self_signed_cert(fixture: &Fixture) {
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
        .args(["-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(fixture.path("tls.key"))
        .arg("-out")
        .arg(fixture.path("tls.crt"))
        .output()
        .expect("openssl (run tests/e2e/tools.sh to install it)");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
}
