//! `cef konnect` against a stand-in for Konnect's audit-log API
//! (tests/konnect/api_standin.py) that validates every request against
//! Kong's OpenAPI specs: webhook set and get, status and its exit codes,
//! destinations, replay (and a running job's 409), the JWKS; no request
//! the specs refuse, and the token in no argv and no output. On 127.0.0.1.
#![cfg(feature = "cli")]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use common::Fixture;

const TOKEN: &str = "kpat_test_token_0123456789";

/// The API stand-in, killed when dropped.
struct Standin {
    child: Child,
    url: String,
}

impl Standin {
    fn start(fixture: &Fixture) -> Standin {
        Standin::start_with(fixture, &[])
    }

    fn start_with(fixture: &Fixture, extra: &[&str]) -> Standin {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/konnect/api_standin.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg("--jwks")
            .arg(fixture.path("k.jwks.json"))
            .args(extra)
            .current_dir(fixture.path(""))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 (tests/e2e/tools.sh installs openapi-core)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
        let url = line.trim().strip_prefix("listening on ").expect("listening on URL").to_owned();
        Standin { child, url }
    }

    /// What it saw: the requests, those the specs refused, the webhook as stored.
    fn stats(&self) -> serde_json::Value {
        let out =
            Command::new("curl").args(["-sS", "--max-time", "10"]).arg(format!("{}/_standin/stats", self.url)).output();
        serde_json::from_slice(&out.expect("curl").stdout).expect("stats JSON")
    }

    fn set_status(&self, status: &str) {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "10", "-X", "POST", "-d", status])
            .arg(format!("{}/_standin/status", self.url))
            .output()
            .expect("curl");
        assert!(out.status.success());
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cef konnect --base-url URL ARGS...` with the token in the environment.
fn konnect(fixture: &Fixture, standin: &Standin, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_cef"))
        .args(["konnect", "--base-url", &standin.url])
        .args(args)
        .env("KONNECT_TOKEN", TOKEN)
        .current_dir(fixture.path(""))
        .output()
        .expect("cef konnect");
    for text in [&output.stdout, &output.stderr] {
        assert!(!String::from_utf8_lossy(text).contains(TOKEN), "the token in the output of {args:?}");
    }
    output
}

/// Starts `cef ARGS...` with the token in the environment and waits for
/// its `listening on` line: the child, its stderr, and what it said so far.
fn spawn_listening(fixture: &Fixture, args: &[&str]) -> (Child, BufReader<std::process::ChildStderr>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cef"))
        .args(args)
        .env("KONNECT_TOKEN", TOKEN)
        .current_dir(fixture.path(""))
        .stderr(Stdio::piped())
        .spawn()
        .expect("cef konnect listen");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut said = String::new();
    while !said.contains("listening on") {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).expect("stderr") > 0, "ended before listening: {said}");
        said.push_str(&line);
    }
    (child, stderr, said)
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn v2_webhook_status_replay_and_jwks() {
    let fixture = Fixture::new("konnect-api-v2");
    fixture.write("siem.secret", "Bearer siem-secret\n");
    let standin = Standin::start(&fixture);
    let v2 = |args: &[&str]| konnect(&fixture, &standin, &[&["--api", "v2"], args].concat());

    assert_eq!(v2(&["status"]).status.code(), Some(2), "no endpoint yet: unconfigured");
    let set = v2(&["webhook", "set", "--endpoint", "https://siem.example/in", "--authorization-file", "siem.secret"]);
    assert!(set.status.success(), "{}", text(&set));
    let stored = &standin.stats()["webhook"];
    assert_eq!(stored["authorization"], "Bearer siem-secret", "the file's value, its newline dropped");
    assert_eq!(stored["enabled"], true);
    let get = v2(&["webhook", "get"]);
    assert!(text(&get).contains("https://siem.example/in") && !text(&get).contains("siem-secret"));
    let status = v2(&["status"]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));

    standin.set_status(r#"{"webhook_status":"inactive","last_response_code":500,"last_response_message":"boom"}"#);
    let status = v2(&["status"]);
    assert_eq!(status.status.code(), Some(1));
    assert!(text(&status).contains("inactive") && text(&status).contains("500 boom"), "{}", text(&status));

    let replay = v2(&["replay", "--start", "-1h", "--end", "now", "--wait"]);
    assert_eq!(replay.status.code(), Some(0), "{}", text(&replay));
    assert_eq!(v2(&["replay", "--start", "-2h", "--end", "-1h"]).status.code(), Some(0));
    let busy = v2(&["replay", "--start", "-2h", "--end", "-1h"]);
    assert_eq!(busy.status.code(), Some(1), "a job is running: {}", text(&busy));
    assert!(text(&busy).contains("already running"));

    assert!(v2(&["jwks", "--out", "konnect.jwks.json"]).status.success());
    let fetched: serde_json::Value = serde_json::from_str(&fixture.read("konnect.jwks.json")).expect("a JWKS");
    let served: serde_json::Value = serde_json::from_str(&fixture.read("k.jwks.json")).expect("a JWKS");
    assert_eq!(fetched, served);

    let stats = standin.stats();
    assert_eq!(stats["refused"], serde_json::json!([]), "requests the specs refuse");
    assert!(stats["requests"].as_u64().unwrap() >= 10);
}

#[test]
fn v3_destination_binding_and_usage_errors() {
    let fixture = Fixture::new("konnect-api-v3");
    fixture.write("siem.secret", "Bearer siem-secret");
    let standin = Standin::start(&fixture);
    let v3 = |args: &[&str]| konnect(&fixture, &standin, args);

    assert_eq!(v3(&["status"]).status.code(), Some(2), "no destination bound");
    let refused = v3(&["webhook", "set", "--endpoint", "https://siem.example/in"]);
    assert_eq!(refused.status.code(), Some(2), "creating a destination needs an authorization");
    assert!(text(&refused).contains("--authorization-file"));
    let set = v3(&[
        "webhook",
        "set",
        "--endpoint",
        "https://siem.example/in",
        "--authorization-file",
        "siem.secret",
        "--log-format",
        "json",
    ]);
    assert!(set.status.success(), "{}", text(&set));
    let again = v3(&["webhook", "set", "--endpoint", "https://siem.example/v2", "--destination", "cef"]);
    assert!(again.status.success(), "an existing destination is updated: {}", text(&again));
    let list = v3(&["destinations", "list"]);
    let listed = String::from_utf8_lossy(&list.stdout).into_owned();
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains("https://siem.example/v2") && listed.contains("json"), "{listed}");
    assert_eq!(v3(&["status"]).status.code(), Some(0));
    let id = listed.split_whitespace().next().unwrap().to_owned();
    let disable = v3(&["webhook", "set", "--disable"]);
    assert!(disable.status.success(), "{}", text(&disable));
    assert!(v3(&["destinations", "delete", &id]).status.success());
    let missing = v3(&["destinations", "delete", &id]);
    assert_eq!(missing.status.code(), Some(3), "the API's 404: {}", text(&missing));
    assert!(text(&missing).contains("404 Not Found"));

    let stats = standin.stats();
    assert_eq!(stats["refused"], serde_json::json!([]), "requests the specs refuse");

    // No token: a usage error, before any request.
    let no_token = Command::new(env!("CARGO_BIN_EXE_cef"))
        .args(["konnect", "--base-url", &standin.url, "status"])
        .env_remove("KONNECT_TOKEN")
        .output()
        .expect("cef konnect");
    assert_eq!(no_token.status.code(), Some(2));
    assert!(text(&no_token).contains("KONNECT_TOKEN"));
    assert_eq!(standin.stats()["requests"], stats["requests"]);
}

/// `cef konnect listen` points the webhook at itself with a fresh
/// Authorization, receives and verifies, and disables the webhook again on
/// SIGTERM; an enabled webhook pointing elsewhere is not taken over.
#[test]
fn listen_v3_enables_a_destination_and_disables_it_on_sigterm() {
    let fixture = Fixture::new("konnect-listen-v3");
    let signed = common::signed_lines(&fixture, 3);
    let standin = Standin::start(&fixture);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let public = format!("http://127.0.0.1:{port}/");
    let listen = format!("127.0.0.1:{port}");
    let args = ["konnect", "--base-url", &standin.url, "listen", "--listen", &listen, "--public-url", &public];
    let args = [&args[..], &["--out", "out.cef", "--rejected", "rejected.jsonl"]].concat();
    let (mut child, _stderr, _said) = spawn_listening(&fixture, &args);
    let webhook = standin.stats()["webhook"].clone();
    assert_eq!((webhook["endpoint"].as_str(), webhook["enabled"].as_bool()), (Some(public.as_str()), Some(true)));
    let authorization = webhook["authorization"].as_str().expect("an authorization").to_owned();
    let (status, body) = common::post(listen.parse().unwrap(), &authorization, &[], signed.as_bytes());
    assert_eq!((status, body.trim()), (200, r#"{"verified":3,"rejected":0,"duplicates":0}"#));
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    assert!(child.wait().expect("exit").success());
    assert_eq!(standin.stats()["webhook"]["enabled"], false, "disabled again");
    assert_eq!(fixture.read("out.cef"), signed);
    assert_eq!(standin.stats()["refused"], serde_json::json!([]));
}

#[test]
fn listen_points_the_webhook_receives_and_gives_it_back() {
    let fixture = Fixture::new("konnect-listen");
    let signed = common::signed_lines(&fixture, 5);
    fixture.write("siem.secret", "Bearer siem-secret");
    let standin = Standin::start(&fixture);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let public = format!("http://127.0.0.1:{port}/");
    let listen_args = |force: bool| -> Vec<String> {
        let mut args: Vec<String> = ["konnect", "--base-url", &standin.url, "--api", "v2", "listen"]
            .iter()
            .map(|arg| arg.to_string())
            .collect();
        args.extend(["--listen".into(), format!("127.0.0.1:{port}"), "--public-url".into(), public.clone()]);
        args.extend(["--out", "out.cef", "--rejected", "rejected.jsonl"].map(String::from));
        if force {
            args.push("--force".into());
        }
        args
    };

    // An enabled webhook elsewhere is refused without --force.
    let set = konnect(
        &fixture,
        &standin,
        &[
            "--api",
            "v2",
            "webhook",
            "set",
            "--endpoint",
            "https://siem.example/in",
            "--authorization-file",
            "siem.secret",
        ],
    );
    assert!(set.status.success());
    let refused = Command::new(env!("CARGO_BIN_EXE_cef"))
        .args(listen_args(false))
        .env("KONNECT_TOKEN", TOKEN)
        .current_dir(fixture.path(""))
        .output()
        .expect("cef konnect listen");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("--force"));

    let args = listen_args(true);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (mut child, mut stderr, said) = spawn_listening(&fixture, &args);
    let webhook = standin.stats()["webhook"].clone();
    assert_eq!(webhook["endpoint"], public.as_str());
    assert_eq!(webhook["enabled"], true);
    let authorization = webhook["authorization"].as_str().expect("an authorization").to_owned();
    assert!(authorization.starts_with("Bearer ") && authorization.len() > 40, "a fresh random one");
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let (status, body) = common::post(addr, &authorization, &[], signed.as_bytes());
    assert_eq!((status, body.trim()), (200, r#"{"verified":5,"rejected":0,"duplicates":0}"#));
    assert_eq!(common::post(addr, "Bearer siem-secret", &[], signed.as_bytes()).0, 401, "only the fresh one");

    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let exit = child.wait().expect("exit");
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
    assert!(exit.success(), "{said}{rest}");
    assert!(rest.contains("authorization"), "the warning about the authorization: {rest}");
    let webhook = &standin.stats()["webhook"];
    assert_eq!(webhook["endpoint"], "https://siem.example/in", "given back");
    assert_eq!(webhook["enabled"], true);
    assert_eq!(fixture.read("out.cef"), signed);
    assert_eq!(standin.stats()["refused"], serde_json::json!([]));
    assert!(!format!("{said}{rest}").contains(&authorization), "the fresh authorization is never printed");
}

/// Asks the stand-in to deliver entries `from..to` and waits until it has.
fn deliver(standin: &Standin, from: usize, to: usize) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10", "-X", "POST", "-d", &format!(r#"{{"from":{from},"to":{to}}}"#)])
        .arg(format!("{}/_standin/deliver", standin.url))
        .output()
        .expect("curl");
    assert!(out.status.success());
    wait_idle(standin);
}

fn wait_idle(standin: &Standin) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while standin.stats()["delivery"]["idle"] != true {
        assert!(std::time::Instant::now() < deadline, "the stand-in is still delivering");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The issue's run, end to end: the webhook set, 1,000 entries delivered
/// and verified, the receiver down while 100 more are sent (lost:
/// `inactive`, `status` exits 1), back up, a replay of the last hour, and
/// `--out` holds all 1,100 once, the 1,000 sent again counted as
/// duplicates.
fn outage_and_replay(api: &str) {
    let fixture = Fixture::new(&format!("konnect-e2e-{api}"));
    let now = audit_cef::chrono::Utc::now();
    let stamp = now.format("%Y-%m-%dT%H:%M:%SZ");
    let plain: String = (0..1_100)
        .map(|i| {
            format!(
                "{stamp} konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt={} src=127.0.0.6 action=list granted=true trace_id={i}\n",
                now.timestamp_millis()
            )
        })
        .collect();
    fixture.write("plain.cef", &plain);
    let signed = fixture.cef(&["sign", "--key", "k.pem", "plain.cef"]);
    assert!(signed.status.success());
    let signed = String::from_utf8(signed.stdout).expect("utf-8");
    fixture.write("entries.cef", &signed);
    fixture.write("siem.secret", "Bearer s3cret");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let receiver_args = [
        "receive",
        "--listen",
        &listen,
        "--authorization",
        "Bearer s3cret",
        "--jwks",
        "k.jwks.json",
        "--out",
        "out.cef",
        "--rejected",
        "rejected.jsonl",
        "--dedup",
    ];
    let receiver = common::Receiver::spawn(&fixture, &receiver_args);
    let standin = Standin::start_with(&fixture, &["--entries", "entries.cef", "--time-scale", "0.01"]);
    let cef = |args: &[&str]| konnect(&fixture, &standin, &[&["--api", api], args].concat());

    let endpoint = format!("http://{listen}/");
    let set = cef(&["webhook", "set", "--endpoint", &endpoint, "--authorization-file", "siem.secret"]);
    assert!(set.status.success(), "{}", text(&set));
    deliver(&standin, 0, 1_000);
    assert_eq!(fixture.read("out.cef").lines().count(), 1_000, "delivered and verified");
    assert_eq!(cef(&["status"]).status.code(), Some(0));

    drop(receiver);
    deliver(&standin, 1_000, 1_100);
    assert_eq!(standin.stats()["delivery"]["lost"], 1, "the batch sent meanwhile is lost");
    let status = cef(&["status"]);
    assert_eq!(status.status.code(), Some(1), "{}", text(&status));

    let receiver = common::Receiver::spawn(&fixture, &receiver_args);
    let replay = cef(&["replay", "--start", "-1h", "--end", "now", "--wait"]);
    assert_eq!(replay.status.code(), Some(0), "{}", text(&replay));
    assert_eq!(cef(&["status"]).status.code(), Some(0), "active again");
    drop(receiver);

    let out = fixture.read("out.cef");
    assert_eq!(out.lines().count(), 1_100);
    let mut seen = std::collections::HashSet::new();
    assert!(out.lines().all(|line| seen.insert(line)), "each entry once");
    assert_eq!(seen.len(), signed.lines().count());
    let stats = standin.stats();
    assert_eq!(stats["delivery"]["duplicates"], 1_000, "the replay's first 1,000 were counted as duplicates");
    assert_eq!(stats["refused"], serde_json::json!([]), "requests the specs refuse");
}

#[test]
fn an_outage_and_a_replay_end_with_every_entry_once_v2() {
    outage_and_replay("v2");
}

#[test]
fn an_outage_and_a_replay_end_with_every_entry_once_v3() {
    outage_and_replay("v3");
}
