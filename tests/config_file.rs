//! `--config FILE` (TOML) for `cef receive`, `cef relay` and `cef send`:
//! every option by its long name, flag > environment > file > default,
//! secrets never inline, unknown keys named. Real processes on 127.0.0.1.

mod common;

use std::process::Command;

use common::{Fixture, Receiver, post, signed_lines};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A receive config for the fixture: everything but the memory limit.
fn receive_config(fixture: &Fixture, extra: &str) -> String {
    fixture.write("secret", "Bearer from-file\n");
    let config = format!(
        "listen = \"127.0.0.1:0\"\nauthorization-file = \"secret\"\njwks = \"k.jwks.json\"\nout = \"out.cef\"\nrejected = \"rejected.jsonl\"\n{extra}"
    );
    fixture.write("receive.toml", &config);
    "receive.toml".into()
}

#[test]
fn unknown_keys_and_inline_secrets_are_refused_by_name() {
    let fixture = Fixture::new("config-refusals");
    let config = receive_config(&fixture, "max-kees = 8\nlisten-on = \"x\"\n");
    let out = fixture.cef(&["receive", "--config", &config]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown keys `listen-on`, `max-kees`"), "{}", stderr(&out));

    fixture.write("inline.toml", "authorization = \"Bearer s3cret\"\n");
    let out = fixture.cef(&["receive", "--config", "inline.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(said.contains("`authorization` is a secret") && said.contains("authorization-file"), "{said}");
    assert!(!said.contains("s3cret"), "a refused secret is not echoed: {said}");

    fixture.write("relay.toml", "forward-authorization = \"\"\n");
    assert_eq!(fixture.cef(&["relay", "--config", "relay.toml"]).status.code(), Some(2));
    fixture.write("broken.toml", "listen = \n");
    let out = fixture.cef(&["send", "--config", "broken.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not TOML"), "{}", stderr(&out));
}

#[test]
fn a_flag_overrides_the_file_and_the_file_the_default() {
    let fixture = Fixture::new("config-precedence");
    let lines = signed_lines(&fixture, 3);
    // The file's --max-memory is too small to start with: it is read.
    let config = receive_config(&fixture, "max-memory = 1\nquiet = true\n");
    let out = fixture.cef(&["receive", "--config", &config]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--max-memory 1 is below"), "{}", stderr(&out));
    // The flag wins; the rest (listen, secret file, outputs) comes from the file.
    let receiver = Receiver::spawn(&fixture, &["receive", "--config", &config, "--max-memory", "268435456"]);
    assert_eq!(post(receiver.addr(), "Bearer s3cret", &[], lines.as_bytes()).0, 401);
    let (status, body) = post(receiver.addr(), "Bearer from-file", &[], lines.as_bytes());
    assert_eq!((status, body.trim()), (200, r#"{"verified":3,"rejected":0}"#));
    assert_eq!(fixture.read("out.cef"), lines);
}

#[test]
fn the_environment_wins_over_the_file() {
    let fixture = Fixture::new("config-environment");
    let lines = signed_lines(&fixture, 2);
    fixture.write("signed.cef", &lines);
    let receiver = Receiver::start(&fixture, &[]);
    fixture.write("wrong.secret", "Bearer wrong\n");
    let endpoint = receiver.url();
    fixture.write(
        "send.toml",
        &format!("endpoint = \"{endpoint}\"\nauthorization-file = \"wrong.secret\"\nretries = 0\n"),
    );
    let sent = Command::new(env!("CARGO_BIN_EXE_cef"))
        .args(["send", "--config", "send.toml", "signed.cef"])
        .env("CEF_AUTHORIZATION", "Bearer s3cret")
        .current_dir(fixture.path(""))
        .output()
        .expect("cef send");
    assert!(sent.status.success(), "{}", stderr(&sent));
    assert_eq!(fixture.read("out.cef"), lines);
    // Without the environment the file's (wrong) secret is used: refused.
    let sent = fixture.cef(&["send", "--config", "send.toml", "signed.cef"]);
    assert_eq!(sent.status.code(), Some(1), "{}", stderr(&sent));
}

/// The README's example config uses only options `cef receive` has.
#[test]
fn the_readme_example_config_names_real_options() {
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\n# /etc/cef/receive.toml").expect("the README's example config");
    let block = &readme[start + "```toml\n".len()..];
    let block = &block[..block.find("```").expect("end of block")];
    let fixture = Fixture::new("config-readme");
    fixture.write("readme.toml", block);
    let out = fixture.cef(&["receive", "--config", "readme.toml", "--help"]);
    assert!(out.status.success(), "{}", stderr(&out));
}
