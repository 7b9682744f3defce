//! Integration tests of the `cef` binary: run it and check its output and exit status.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::thread;

const SAMPLE_CEF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample.cef");
const SAMPLE_JSON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample.json");

const KONNECT_AUTHZ: &str = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4 sig=KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ";
const KONNECT_AUTHZ_JSON: &str = r#"{"prefix":"2025-06-18T21:02:36Z konghq.com","version":"0","vendor":"KongInc","product":"Konnect","device_version":"1.0","event_class_id":"konnect","name":"Authz.control-planes","severity":"1","extensions":{"rt":"1750280466889","src":"127.0.0.6","action":"list","granted":"true","org_id":"777db3e4-5cb7-4dd5-b51c-9878096a6999","principal_id":"eb999f01-5976-4f4b-9fbc-dd5d514bd675","trace_id":"3959872677347089807","user_agent":"grpc-node-js/1.12.4","sig":"KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ"}}"#;

const KONNECT_PORTAL: &str = "2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 request=/api/v2/developer/authenticate success=true org_id=998db3e4-5cb7-4dd5-b51c-9878096a6999 portal_id=3e551b39-227d-4297-b911-e68fd5d77c17 principal_id=a3d2699a-0ed3-4417-bb10-d8e74a1513a4 trace_id=3360194145499877252 user_agent= sig=XQC3OSFxLbi5dy2-o4xAXHT-x8oW5Df-zVsACWQLMU9Q-sPnEyk5CVs4JHwuRcwO0QNLsNaP1wsyrXYPeneXDQ";
const KONNECT_PORTAL_JSON: &str = r#"{"prefix":"2025-06-23T14:28:47Z konghq.com","version":"0","vendor":"KongInc","product":"Dev-Portal","device_version":"1.0","event_class_id":"AUTHENTICATION_TYPE_BASIC","name":"AUTHENTICATION_OUTCOME_SUCCESS","severity":"0","extensions":{"rt":"1750688927556","src":"172.71.232.22","request":"/api/v2/developer/authenticate","success":"true","org_id":"998db3e4-5cb7-4dd5-b51c-9878096a6999","portal_id":"3e551b39-227d-4297-b911-e68fd5d77c17","principal_id":"a3d2699a-0ed3-4417-bb10-d8e74a1513a4","trace_id":"3360194145499877252","user_agent":"","sig":"XQC3OSFxLbi5dy2-o4xAXHT-x8oW5Df-zVsACWQLMU9Q-sPnEyk5CVs4JHwuRcwO0QNLsNaP1wsyrXYPeneXDQ"}}"#;

const TOO_FEW: &str = r#"{"error":"fewer than 7 header fields at byte 15","kind":"too_few_header_fields","offset":15}"#;

/// Runs `cef args...` with `stdin` (written from a thread, so large inputs cannot deadlock).
fn cef(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cef"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cef");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    let writer = thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().expect("wait for cef");
    writer.join().expect("stdin writer");
    output
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> &str {
    std::str::from_utf8(&output.stderr).expect("stderr is UTF-8")
}

/// Standard error holds exactly one `line N: ...` message per expected
/// (line number, text), in order.
fn assert_line_errors(output: &Output, expected: &[(usize, &str)]) {
    let errors: Vec<&str> = stderr(output).lines().collect();
    assert_eq!(errors.len(), expected.len(), "{errors:?}");
    for (error, (number, text)) in errors.iter().zip(expected) {
        assert!(error.starts_with(&format!("line {number}: ")), "{error}");
        assert!(error.contains(text), "{error}");
    }
}

fn lines(output: &Output) -> Vec<&str> {
    stdout(output).lines().collect()
}

fn sample_lines() -> Vec<String> {
    std::fs::read_to_string(SAMPLE_CEF).expect("sample.cef").lines().map(str::to_string).collect()
}

/// A line `encode` could have written: parsing and rendering it again gives the same bytes.
fn is_canonical(line: &str) -> bool {
    audit_cef::Parser::new()
        .parse(line.as_bytes())
        .and_then(|parsed| parsed.to_event())
        .map(|event| event.to_vec() == line.as_bytes())
        .unwrap_or(false)
}

#[test]
fn parse_writes_exact_json_for_konnect_lines() {
    let output = cef(&["parse"], format!("{KONNECT_AUTHZ}\n{KONNECT_PORTAL}\n").as_bytes());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(lines(&output), [KONNECT_AUTHZ_JSON, KONNECT_PORTAL_JSON]);
    assert!(output.stderr.is_empty());
}

#[test]
fn parse_unescapes_header_and_values() {
    let line = "CEF:1|Acme\\|Corp|Fire\\\\wall|2.1|id|a = b|Very-High|msg=a\\=b\\nc path=C:\\\\temp pipe=x|y crlf=1\\r\\n2 tab=a\tb";
    let output = cef(&["parse"], format!("{line}\n").as_bytes());
    assert_eq!(
        lines(&output),
        [
            r#"{"version":"1","vendor":"Acme|Corp","product":"Fire\\wall","device_version":"2.1","event_class_id":"id","name":"a = b","severity":"Very-High","extensions":{"msg":"a=b\nc","path":"C:\\temp","pipe":"x|y","crlf":"1\r\n2","tab":"a\tb"}}"#
        ]
    );
}

#[test]
fn parse_error_line_keeps_order_and_exits_1() {
    let input = "CEF:0|v|p|1|id|n|5|a=1\nCEF:0|a|b|c|d|e\nCEF:0|v|p|1|id|n|Low|\n";
    let output = cef(&["parse"], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        lines(&output),
        [
            r#"{"version":"0","vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n","severity":"5","extensions":{"a":"1"}}"#,
            TOO_FEW,
            r#"{"version":"0","vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n","severity":"Low","extensions":{}}"#,
        ]
    );
    assert!(output.stderr.is_empty(), "parse reports line errors in its output only");
}

#[test]
fn parse_empty_line_is_kind_empty() {
    let output = cef(&["parse"], b"CEF:0|v|p|1|id|n|5|\n\n\r\nCEF:0|v|p|1|id|n|5|\n");
    assert_eq!(output.status.code(), Some(1));
    let empty = r#"{"error":"empty input","kind":"empty","offset":null}"#;
    let good = r#"{"version":"0","vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n","severity":"5","extensions":{}}"#;
    assert_eq!(lines(&output), [good, empty, empty, good]);
}

#[test]
fn parse_non_utf8_line_is_kind_not_utf8() {
    let output = cef(&["parse"], b"CEF:0|v|p|1|id|n|5|k=\xff\xfe\nCEF:0|v|p|1|id|n|5|k=ok\n");
    assert_eq!(output.status.code(), Some(1));
    let got = lines(&output);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], r#"{"error":"input is not valid UTF-8 at byte 21","kind":"not_utf8","offset":21}"#);
    assert!(got[1].ends_with(r#""extensions":{"k":"ok"}}"#));
}

#[test]
fn parse_strips_crlf_and_reads_a_last_line_without_newline() {
    let crlf = cef(&["parse"], b"CEF:0|v|p|1|id|n|5|k=v\r\nCEF:0|v|p|1|id|n|5|k=w");
    let lf = cef(&["parse"], b"CEF:0|v|p|1|id|n|5|k=v\nCEF:0|v|p|1|id|n|5|k=w\n");
    assert_eq!(crlf.status.code(), Some(0));
    assert_eq!(crlf.stdout, lf.stdout);
    assert_eq!(lines(&crlf).len(), 2);
}

#[test]
fn strict_rejects_what_lenient_accepts() {
    let cases = [
        ("CEF:0|v|p|1|id|n|5|path=c:\\tmp", r#""extensions":{"path":"c:\\tmp"}}"#, "invalid_escape", 26),
        ("CEF:0|v|p|1|id|n|5|b64=aGk=", r#""extensions":{"b64":"aGk="}}"#, "unescaped_equals", 26),
        ("CEF:0|v|p|1|id|n|5", r#""severity":"5","extensions":{}}"#, "missing_extension_delimiter", 18),
        ("CEF:0|v|p|1|id|n|5|junk k=v", r#""unparsed":"junk","extensions":{"k":"v"}}"#, "unparsed_text", 19),
        ("CEF:0|v|p|1|id|n|very-high|", r#""severity":"very-high","extensions":{}}"#, "invalid_severity", 17),
        ("CEF:26|v|p|1|id|n|5|", r#""version":"26""#, "invalid_version", 4),
    ];
    for (line, lenient_tail, kind, offset) in cases {
        let lenient = cef(&["parse"], format!("{line}\n").as_bytes());
        assert_eq!(lenient.status.code(), Some(0), "{line}");
        assert!(stdout(&lenient).contains(lenient_tail), "{line}: {}", stdout(&lenient));

        let strict = cef(&["parse", "--strict"], format!("{line}\n").as_bytes());
        assert_eq!(strict.status.code(), Some(1), "{line}");
        let got: serde_json::Value = serde_json::from_str(stdout(&strict)).expect("one JSON object");
        assert_eq!(got["kind"], kind, "{line}");
        assert_eq!(got["offset"], offset, "{line}");
        assert!(got["error"].as_str().is_some_and(|e| e.ends_with(&format!("at byte {offset}"))), "{got}");
    }
}

#[test]
fn parse_pairs_keeps_duplicates_and_object_keeps_last_value_at_first_position() {
    let line = b"CEF:0|v|p|1|id|n|5|src=1 act=allow src=2\n";
    let object = cef(&["parse"], line);
    assert!(stdout(&object).ends_with("\"extensions\":{\"src\":\"2\",\"act\":\"allow\"}}\n"));
    let pairs = cef(&["parse", "--pairs"], line);
    assert!(stdout(&pairs).ends_with("\"extensions\":[[\"src\",\"1\"],[\"act\",\"allow\"],[\"src\",\"2\"]]}\n"));
}

#[test]
fn render_object_and_array_forms() {
    let output = cef(&["render", SAMPLE_JSON], b"");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        lines(&output),
        [
            "CEF:0|Acme|Sensor|1.0|42|Port scan|8|src=10.0.0.1 msg=a\\=b\\nc",
            "<134>Jun 18 21:02:36 host CEF:1|a\\|b|c\\\\d|2.0|x=y|Pipes \\| and = signs|Very-High|src=10.0.0.1 src=10.0.0.2 path=C:\\\\temp note=x|y",
            KONNECT_AUTHZ
                .strip_suffix(
                    " sig=KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ"
                )
                .expect("sig"),
            "CEF:0|Acme|Sensor|1.0|100|Heartbeat|Unknown|",
        ]
    );
}

#[test]
fn render_errors_name_the_line_and_processing_goes_on() {
    let head = r#""vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n""#;
    let input = [
        format!("{{{head},\"severity\":5,\"extensions\":{{\"a\":\"1\"}}}}"),
        "not json".to_string(),
        format!("{{{head}}}"),
        format!("{{{head},\"severity\":5,\"extensions\":[[\"bad key\",\"1\"]]}}"),
        String::new(),
        format!("{{{head},\"severity\":5,\"name\":\"a\\nb\"}}"),
        format!("{{{head},\"severity\":5,\"unparsed\":\"junk\"}}"),
        format!("{{{head},\"severity\":5,\"color\":\"red\"}}"),
        format!("{{{head},\"severity\":\"High\",\"version\":1,\"extensions\":[[\"b\",\"2\"]]}}"),
        TOO_FEW.to_string(),
    ]
    .join("\n");
    let output = cef(&["render"], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(lines(&output), ["CEF:0|v|p|1|id|n|5|a=1", "CEF:1|v|p|1|id|n|High|b=2"]);
    assert_line_errors(
        &output,
        &[
            (2, "invalid JSON"),
            (3, "missing member `severity`"),
            (4, "invalid extension key at byte 3"),
            (5, "empty line"),
            (6, "line break in header field name at byte 1"),
            (7, "`unparsed` cannot be rendered"),
            (8, "unknown member \"color\""),
            (10, "error object (kind `too_few_header_fields`)"),
        ],
    );
}

#[test]
fn render_accepts_version_and_severity_variants() {
    let head = r#""vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n""#;
    let input = [
        format!("{{{head},\"severity\":\"10\",\"version\":\"1\"}}"),
        format!("{{{head},\"severity\":0,\"version\":0,\"prefix\":null,\"extensions\":null}}"),
        format!("{{{head},\"severity\":11}}"),
        format!("{{{head},\"severity\":\"very-high\"}}"),
        format!("{{{head},\"severity\":1,\"version\":2}}"),
    ]
    .join("\n");
    let output = cef(&["render"], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(lines(&output), ["CEF:1|v|p|1|id|n|10|", "CEF:0|v|p|1|id|n|0|"]);
    let errors = stderr(&output);
    assert!(errors.contains("line 3: member `severity`"), "{errors}");
    assert!(errors.contains("line 4: member `severity`"), "{errors}");
    assert!(errors.contains("line 5: member `version`"), "{errors}");
}

#[test]
fn parse_then_render_reproduces_every_canonical_sample_line() {
    let sample = sample_lines();
    let canonical: Vec<&String> = sample.iter().filter(|line| is_canonical(line)).collect();
    // Konnect x2, escapes, BSD, <134>, no extension, duplicates, spaces; not the three lenient ones.
    assert_eq!(canonical.len(), 8, "{canonical:#?}");

    for extra in [&[][..], &["--pairs"][..]] {
        let parsed = cef(&[&["parse"][..], extra, &[SAMPLE_CEF][..]].concat(), b"");
        assert_eq!(parsed.status.code(), Some(0), "{}", stderr(&parsed));
        assert_eq!(lines(&parsed).len(), sample.len());
        let rendered = cef(&["render"], &parsed.stdout);
        assert_eq!(rendered.status.code(), Some(0), "{}", stderr(&rendered));
        let back = lines(&rendered);
        assert_eq!(back.len(), sample.len());
        for (original, again) in sample.iter().zip(&back) {
            let has_duplicates = original.contains("src=10.0.0.1 act=allow src=10.0.0.2");
            if is_canonical(original) && (!has_duplicates || extra == ["--pairs"]) {
                assert_eq!(again, original, "round trip with {extra:?}");
            } else {
                assert_ne!(again, original, "expected a canonicalised line with {extra:?}");
                // What came back is canonical and stable.
                assert!(is_canonical(again), "{again}");
            }
        }
    }
}

#[test]
fn sample_covers_what_it_claims() {
    let sample = sample_lines();
    assert!((10..=12).contains(&sample.len()));
    assert!(sample.iter().any(|l| l == KONNECT_AUTHZ));
    assert!(sample.iter().any(|l| l == KONNECT_PORTAL));
    assert!(sample.iter().any(|l| l.starts_with("Apr 14 05:39:08 konghq.com CEF:0|")));
    assert!(sample.iter().any(|l| l.starts_with("<134>")));
    assert!(sample.iter().any(|l| l.ends_with("|Unknown|")));
}

#[test]
fn several_inputs_are_read_in_order_with_dash_for_stdin() {
    let output = cef(&["parse", SAMPLE_CEF, "-", SAMPLE_CEF], b"CEF:0|a|b|c|d|e\n");
    assert_eq!(output.status.code(), Some(1));
    let got = lines(&output);
    let n = sample_lines().len();
    assert_eq!(got.len(), 2 * n + 1);
    assert_eq!(got[0], KONNECT_AUTHZ_JSON);
    assert_eq!(got[n], TOO_FEW);
    assert_eq!(got[n + 1], KONNECT_AUTHZ_JSON);
}

#[test]
fn render_names_the_input_when_there_are_several() {
    let output = cef(&["render", SAMPLE_JSON, "-"], b"{}\n");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(lines(&output).len(), 4);
    assert_eq!(stderr(&output).trim_end(), "<stdin>: line 1: missing member `vendor`");
}

#[test]
fn unreadable_file_exits_2_and_other_inputs_still_run() {
    let missing = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/no-such-file.cef");
    let output = cef(&["parse", missing, SAMPLE_CEF], b"");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(lines(&output).len(), sample_lines().len());
    assert!(stderr(&output).contains("no-such-file.cef"), "{}", stderr(&output));
}

#[test]
fn usage_errors_exit_2() {
    for args in [&["parse", "--no-such-flag"][..], &["no-such-command"][..], &[][..]] {
        let output = cef(args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn help_explains_cef_and_each_subcommand() {
    let top = cef(&["--help"], b"");
    assert_eq!(top.status.code(), Some(0));
    let text = stdout(&top);
    assert!(text.contains("Common Event Format"));
    for command in ["parse", "render", "keygen", "sign", "verify", "convert", "demo"] {
        assert!(text.contains(command), "--help lists {command}");
        let help = cef(&[command, "--help"], b"");
        assert_eq!(help.status.code(), Some(0));
        let help = stdout(&help);
        assert!(help.contains("Examples:"), "{command} --help has examples");
        assert!(help.contains(&format!("cef {command}")) || help.contains(&format!("| cef {command}")));
    }
    assert!(stdout(&cef(&["parse", "--help"], b"")).contains("last"), "documents duplicate keys");
    let convert = cef(&["convert", "--help"], b"");
    assert!(stdout(&convert).contains("a converted entry is a new entry"), "documents dropped signatures");
    assert!(stdout(&convert).contains("cannot carry over"));
    assert!(stdout(&cef(&["demo", "--help"], b"")).contains("NOT a secret"), "labels the demo key");
}

#[test]
fn closed_stdout_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cef"))
        .arg("parse")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cef");
    let mut pipe = child.stdin.take().expect("stdin");
    let writer = thread::spawn(move || {
        let line = b"CEF:0|v|p|1|id|n|5|k=v\n";
        for _ in 0..200_000 {
            if pipe.write_all(line).is_err() {
                break;
            }
        }
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("first line");
    assert!(first.starts_with("{\"version\":\"0\""));
    // The reader is gone now; cef must stop without panicking.
    let output = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    assert_ne!(output.status.code(), Some(101), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------
// keygen, sign, verify

/// A fresh directory under cargo's target tmp dir, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().expect("UTF-8 temp path").to_string()
    }

    fn write(&self, name: &str, contents: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write temp file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A key file and JWKS from a fixed seed, so that outputs are exact; the kid.
fn fixed_key(dir: &TempDir) -> (String, String, String) {
    let signer = audit_cef::Signer::from_seed(&[7; 32]);
    let key = dir.write("fixed.pem", signer.to_pkcs8_pem().expect("pem").as_bytes());
    let jwks =
        dir.write("fixed.jwks.json", audit_cef::KeySet::from_keys([signer.public_key()]).to_jwks_string().as_bytes());
    (key, jwks, signer.public_key().kid().to_string())
}

const KONNECT_AUTHZ_SIG: &str =
    " sig=KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ";
const KONNECT_JSON: &str = r#"{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect","event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","granted":true,"name":"Authz.identity-provider","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","rt":1682715129807,"severity":1,"src":"127.0.0.6","trace_id":3895213347334635099,"user_agent":"grpc-go/1.54.0"}"#;

fn unsigned_cef_lines() -> Vec<String> {
    vec![
        KONNECT_AUTHZ.strip_suffix(KONNECT_AUTHZ_SIG).expect("sig").to_string(),
        KONNECT_PORTAL.split(" sig=").next().expect("sig").to_string(),
        "CEF:0|Acme\\|Corp|Fire\\\\wall|1.0|42|a = b|High|msg=a\\=b\\nc path=C:\\\\temp empty=".to_string(),
        "Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1681450748000".to_string(),
    ]
}

fn verified_ok(kid: &str, count: usize) -> Vec<String> {
    (1..=count).map(|n| format!("line {n}: ok kid={kid}")).collect()
}

#[test]
fn keygen_writes_key_and_jwks_and_refuses_to_overwrite() {
    let dir = TempDir::new("keygen");
    let prefix = dir.path("audit");
    let output = cef(&["keygen", "--out", &prefix], b"");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "keygen prints nothing on stdout");

    let pem = std::fs::read_to_string(format!("{prefix}.pem")).expect("key file");
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n") && pem.ends_with("-----END PRIVATE KEY-----\n"));
    // PKCS#8 version 1 (RFC 8410 section 7), the form OpenSSL and Python's `cryptography` read.
    let body: Vec<&str> = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    assert_eq!(body.len(), 1);
    assert!(body[0].len() == 64 && body[0].starts_with("MC4CAQAwBQYDK2VwBCIEI"), "{}", body[0]);
    let signer = audit_cef::Signer::from_pkcs8_pem(&pem).expect("an Ed25519 PKCS#8 key");
    let jwks_text = std::fs::read_to_string(format!("{prefix}.jwks.json")).expect("JWKS file");
    let kid = signer.public_key().kid().to_string();
    assert_eq!(
        jwks_text,
        format!(
            "{{\"keys\":[{{\"kty\":\"OKP\",\"alg\":\"EdDSA\",\"kid\":\"{kid}\",\"crv\":\"Ed25519\",\"x\":\"{}\"}}]}}\n",
            signer.public_key().x()
        )
    );
    assert!(stderr(&output).contains(&format!("kid: {kid}")), "{}", stderr(&output));
    // The secret is never printed: not the PEM body, not any line of it.
    for line in pem.lines().filter(|line| !line.starts_with("-----")) {
        assert!(!stderr(&output).contains(line));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(format!("{prefix}.pem")).expect("key metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "private key mode {mode:o}");
    }

    // A second run refuses, and changes nothing.
    let again = cef(&["keygen", "--out", &prefix], b"");
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists") && stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(format!("{prefix}.pem")).expect("key"), pem);
    // Only the JWKS exists at the other target: still refused before any key is made.
    let key2 = dir.path("other.pem");
    let refused = cef(&["keygen", "--key", &key2, "--jwks", &format!("{prefix}.jwks.json")], b"");
    assert_eq!(refused.status.code(), Some(2));
    assert!(std::fs::metadata(&key2).is_err(), "no key left behind");

    // --force replaces both, with a new key, still mode 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(format!("{prefix}.pem"), std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let forced = cef(&["keygen", "--out", &prefix, "--force"], b"");
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    let new_pem = std::fs::read_to_string(format!("{prefix}.pem")).expect("key file");
    assert_ne!(new_pem, pem);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(format!("{prefix}.pem")).expect("key metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "replaced private key mode {mode:o}");
    }

    // --key and --jwks name the files directly.
    let (key, jwks) = (dir.path("k.key"), dir.path("public.json"));
    let named = cef(&["keygen", "--key", &key, "--jwks", &jwks], b"");
    assert_eq!(named.status.code(), Some(0), "{}", stderr(&named));
    let set = audit_cef::KeySet::from_jwks_str(&std::fs::read_to_string(&jwks).expect("jwks")).expect("JWKS");
    let signer = audit_cef::Signer::from_pkcs8_pem(&std::fs::read_to_string(&key).expect("key")).expect("key");
    assert_eq!(set.keys(), [signer.public_key()]);
    let same = cef(&["keygen", "--key", &key, "--jwks", &key], b"");
    assert_eq!(same.status.code(), Some(2));
}

#[test]
fn sign_then_verify_round_trip_for_cef_json_and_cps() {
    let dir = TempDir::new("round-trip");
    let prefix = dir.path("k");
    assert_eq!(cef(&["keygen", "--out", &prefix], b"").status.code(), Some(0));
    let (key, jwks) = (format!("{prefix}.pem"), format!("{prefix}.jwks.json"));
    let kid = audit_cef::KeySet::from_jwks_str(&std::fs::read_to_string(&jwks).expect("jwks")).expect("jwks").keys()[0]
        .kid()
        .to_string();

    let cps = format!("{{\"event\":{}}}", KONNECT_JSON);
    let cases: [(&str, Vec<String>); 3] = [
        ("cef", unsigned_cef_lines()),
        ("json", vec![KONNECT_JSON.to_string(), r#"{"a":"x\"sig\" y","b":[1,{"c":null}]}"#.to_string()]),
        ("cps", vec![cps.clone(), r#"{"event":{"a":1}}"#.to_string()]),
    ];
    for (format, entries) in cases {
        // CRLF and a last line without a line ending are read like LF lines.
        let input = format!("{}\r\n{}", entries[0], entries[1..].join("\n"));
        let signed = cef(&["sign", "--key", &key, "--format", format], input.as_bytes());
        assert_eq!(signed.status.code(), Some(0), "{format}: {}", stderr(&signed));
        assert!(signed.stderr.is_empty(), "{format}: {}", stderr(&signed));
        let out = lines(&signed);
        assert_eq!(out.len(), entries.len(), "{format}");
        assert!(stdout(&signed).ends_with('\n') && !stdout(&signed).contains('\r'));
        for (line, entry) in out.iter().zip(&entries) {
            let sig = match format {
                "cef" => line.strip_prefix(entry.as_str()).and_then(|rest| rest.strip_prefix(" sig=")),
                "json" => line
                    .strip_prefix(entry.strip_suffix('}').expect("}"))
                    .and_then(|rest| rest.strip_prefix(",\"sig\":\""))
                    .and_then(|rest| rest.strip_suffix("\"}")),
                _ => line
                    .strip_prefix(entry.strip_suffix("}}").expect("}}"))
                    .and_then(|rest| rest.strip_prefix(",\"sig\":\""))
                    .and_then(|rest| rest.strip_suffix("\"}}")),
            };
            let sig = sig.unwrap_or_else(|| panic!("{format}: not the entry plus a signature: {line}"));
            assert_eq!(sig.len(), 86, "{sig}");
            assert!(sig.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{sig}");
        }

        let verified = cef(&["verify", "--jwks", &jwks, "--format", format], &signed.stdout);
        assert_eq!(verified.status.code(), Some(0), "{format}: {}", stderr(&verified));
        assert_eq!(lines(&verified), verified_ok(&kid, entries.len()), "{format}");
        assert_eq!(stderr(&verified), format!("verified {n} of {n} entries, 0 failed\n", n = entries.len()));

        // The wrong format never verifies.
        let other = if format == "cef" { "json" } else { "cef" };
        let wrong = cef(&["verify", "--jwks", &jwks, "--format", other], &signed.stdout);
        assert_eq!(wrong.status.code(), Some(1), "{format} as {other}");
    }
}

#[test]
fn cef_sign_writes_exactly_what_the_library_signs() {
    let dir = TempDir::new("exact-sign");
    let (key, _, _) = fixed_key(&dir);
    let signer = audit_cef::Signer::from_seed(&[7; 32]);
    let entries = unsigned_cef_lines();
    let signed = cef(&["sign", "--key", &key], format!("{}\n", entries.join("\n")).as_bytes());
    assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
    let expected: Vec<String> = entries
        .iter()
        .map(|entry| {
            let mut buf = entry.clone().into_bytes();
            signer.sign_cef(&mut buf, 0).expect("sign");
            String::from_utf8(buf).expect("UTF-8")
        })
        .collect();
    assert_eq!(lines(&signed), expected);
}

#[test]
fn tampered_lines_fail_and_the_others_are_still_reported_in_order() {
    let dir = TempDir::new("tamper");
    let (key, jwks, kid) = fixed_key(&dir);
    // 150 lines: more than two default batches, so failures sit in several chunks.
    let input: String = (0..150).map(|i| format!("CEF:0|v|p|1|id|n|5|i={i} msg=entry\\=number {i}\n")).collect();
    let signed = cef(&["sign", "--key", &key], input.as_bytes());
    assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
    let mut entries: Vec<String> = lines(&signed).iter().map(|line| line.to_string()).collect();
    let tampered = [0usize, 2, 64, 65, 149];
    for &index in &tampered {
        entries[index] = entries[index].replacen("msg=entry", "msg=Entry", 1);
    }
    let tampered_input = format!("{}\n", entries.join("\n"));

    for batch in ["64", "1", "7", "4096"] {
        let output = cef(&["verify", "--jwks", &jwks, "--batch", batch], tampered_input.as_bytes());
        assert_eq!(output.status.code(), Some(1), "--batch {batch}");
        let got = lines(&output);
        assert_eq!(got.len(), 150);
        for (index, line) in got.iter().enumerate() {
            let number = index + 1;
            if tampered.contains(&index) {
                let signed_len = entries[index].len() - 91;
                assert_eq!(
                    *line,
                    format!(
                        "line {number}: FAIL no_key_matches: altered, or signed by a key not in this JWKS: no key verifies its signature at byte {}",
                        signed_len + 5
                    )
                );
            } else {
                assert_eq!(*line, format!("line {number}: ok kid={kid}"), "--batch {batch}");
            }
        }
        assert_eq!(stderr(&output), "verified 145 of 150 entries, 5 failed\n");
    }
}

#[test]
fn verify_json_output_is_exact() {
    let dir = TempDir::new("verify-json");
    let (key, jwks, kid) = fixed_key(&dir);
    let signed = cef(&["sign", "--key", &key], b"CEF:0|v|p|1|id|n|5|a=1\nCEF:0|v|p|1|id|n|5|a=2\n");
    let good: Vec<&str> = lines(&signed);
    let sig = &good[0][good[0].len() - 86..];
    let input = [
        good[0].to_string(),
        good[1].replace("a=2", "a=3"),
        String::new(),
        "CEF:0|v|p|1|id|n|5|a=1".to_string(),
        format!("CEF:0|v|p|1|id|n|5|a=1 sig={}", &sig[..85]),
        format!("{} b=2", good[0]),
        format!("{} sig={sig}", good[0]),
        format!("CEF:0|a|b sig={sig}"),
        good[1].to_string(),
    ]
    .join("\n");
    let output = cef(&["verify", "--jwks", &jwks, "--json"], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    let ok = |n: usize| format!(r#"{{"line":{n},"ok":true,"kid":"{kid}"}}"#);
    let fail =
        |n: usize, kind: &str, error: &str| format!(r#"{{"line":{n},"ok":false,"kind":"{kind}","error":"{error}"}}"#);
    assert_eq!(
        lines(&output),
        [
            ok(1),
            fail(
                2,
                "no_key_matches",
                "altered, or signed by a key not in this JWKS: no key verifies its signature at byte 27"
            ),
            fail(3, "empty", "empty input"),
            fail(4, "unsigned", "entry is not signed at byte 22"),
            fail(5, "malformed_signature", "signature is not 86 canonical base64url characters at byte 27"),
            fail(6, "data_after_signature", "data after the signature at byte 113"),
            fail(7, "data_after_signature", "data after the signature at byte 22"),
            fail(
                8,
                "no_key_matches",
                "altered, or signed by a key not in this JWKS: no key verifies its signature at byte 14"
            ),
            ok(9),
        ]
    );
    assert_eq!(stderr(&output), "verified 2 of 9 entries, 7 failed\n");
    // Every line is one JSON object.
    for line in lines(&output) {
        let value: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert!(value["ok"].is_boolean());
    }
}

#[test]
fn verify_names_inputs_when_there_are_several() {
    let dir = TempDir::new("verify-inputs");
    let (key, jwks, kid) = fixed_key(&dir);
    let signed = cef(&["sign", "--key", &key], b"CEF:0|v|p|1|id|n|5|a=1\n");
    let file = dir.write("one.cef", &signed.stdout);
    let output = cef(&["verify", "--jwks", &jwks, &file, "-"], b"CEF:0|v|p|1|id|n|5|a=1\n");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        lines(&output),
        [
            format!("{file}: line 1: ok kid={kid}"),
            "<stdin>: line 1: FAIL unsigned: entry is not signed at byte 22".to_string()
        ]
    );
    let json = cef(&["verify", "--jwks", &jwks, "--json", &file, "-"], b"");
    assert_eq!(lines(&json), [format!(r#"{{"input":"{file}","line":1,"ok":true,"kid":"{kid}"}}"#)]);
    assert_eq!(stderr(&json), "verified 1 of 1 entries, 0 failed\n");
}

#[test]
fn jwks_with_an_rsa_key_warns_and_still_verifies_with_the_ed25519_key() {
    let dir = TempDir::new("rsa-jwks");
    let (key, _, _) = fixed_key(&dir);
    let x = audit_cef::Signer::from_seed(&[7; 32]).public_key().x();
    let jwks = dir.write(
        "mixed.json",
        format!(
            r#"{{"keys":[{{"kty":"RSA","kid":"rsa-2024","alg":"RS256","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}},{{"kty":"OKP","alg":"EdDSA","kid":"ed-2025","crv":"Ed25519","x":"{x}"}},{{"kty":"OKP","crv":"Ed25519","x":"AAAA"}}]}}"#
        )
        .as_bytes(),
    );
    let signed = cef(&["sign", "--key", &key], b"CEF:0|v|p|1|id|n|5|a=1\nCEF:0|v|p|1|id|n|5|a=2\n");
    let output = cef(&["verify", "--jwks", &jwks], &signed.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(lines(&output), ["line 1: ok kid=ed-2025", "line 2: ok kid=ed-2025"]);
    let warnings: Vec<&str> = stderr(&output).lines().collect();
    assert_eq!(
        warnings,
        [
            format!("cef verify: warning: {jwks}: key 0 (kid \"rsa-2024\") skipped: not an Ed25519 key (kty \"RSA\")")
                .as_str(),
            &format!("cef verify: warning: {jwks}: key 2 skipped: invalid Ed25519 key material (invalid_key_material)"),
            "verified 2 of 2 entries, 0 failed",
        ]
    );

    // A JWKS without any usable key is an error, not a run where everything fails.
    let rsa_only = dir.write("rsa.json", br#"{"keys":[{"kty":"RSA","kid":"r1","n":"AQAB","e":"AQAB"}]}"#);
    let output = cef(&["verify", "--jwks", &rsa_only], &signed.stdout);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("no usable Ed25519 key"), "{}", stderr(&output));
    for (name, text) in [("not-json", &b"{"[..]), ("no-keys", &br#"{"key":[]}"#[..])] {
        let path = dir.write(name, text);
        let output = cef(&["verify", "--jwks", &path], &signed.stdout);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(stderr(&output).contains("not a JWKS document"), "{}", stderr(&output));
    }
    let missing = cef(&["verify", "--jwks", &dir.path("missing.json")], b"");
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read JWKS"), "{}", stderr(&missing));
}

#[test]
fn sign_with_a_bad_key_file_fails_clearly_with_status_2() {
    let dir = TempDir::new("bad-key");
    let (_, jwks, _) = fixed_key(&dir);
    let public_pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
    let jwks_text = std::fs::read(&jwks).expect("jwks");
    let cases: [(&str, &[u8], &str); 5] = [
        ("garbage.pem", b"hello\n", "no `-----BEGIN PRIVATE KEY-----` block"),
        ("public.pem", public_pem.as_bytes(), "a public key, not a private one"),
        ("jwks.json", &jwks_text, "a JWKS (public keys), not a private key"),
        ("broken.pem", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not an Ed25519 key"),
        ("binary.der", &[0x30, 0x03, 0x02, 0x01, 0x00], "not a PKCS#8 Ed25519 key"),
    ];
    for (name, contents, message) in cases {
        let path = dir.write(name, contents);
        let output = cef(&["sign", "--key", &path], b"CEF:0|v|p|1|id|n|5|a=1\n");
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(output.stdout.is_empty(), "{name}: nothing is signed");
        let text = stderr(&output);
        assert!(text.starts_with(&format!("cef sign: {path}: ")), "{text}");
        assert!(text.contains(message), "{name}: {text}");
        assert!(text.contains("PKCS#8 PEM"), "{name} says what is expected: {text}");
    }
    let missing = cef(&["sign", "--key", &dir.path("missing.pem")], b"CEF:0|v|p|1|id|n|5|a=1\n");
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read key file"), "{}", stderr(&missing));
    // A PKCS#8 DER key and a private JWK are read too.
    let signer = audit_cef::Signer::from_seed(&[7; 32]);
    let der_path = dir.path("key.der");
    let pem = signer.to_pkcs8_pem().expect("pem");
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    let der = base64_decode(&body);
    std::fs::write(&der_path, der).expect("der");
    let jwk = dir.write(
        "private.jwk",
        br#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
    );
    for path in [der_path, jwk] {
        let output = cef(&["sign", "--key", &path], b"CEF:0|v|p|1|id|n|5|a=1\n");
        assert_eq!(output.status.code(), Some(0), "{path}: {}", stderr(&output));
    }
}

/// Standard base64 (the PEM body) to bytes.
fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).expect("base64")
}

#[test]
fn sign_reports_lines_it_cannot_sign_and_goes_on() {
    let dir = TempDir::new("unsignable");
    let (key, jwks, kid) = fixed_key(&dir);
    let input = "CEF:0|v|p|1|id|n|5|a=1\n\nCEF:0|a|b\nCEF:0|v|p|1|id|n|5|a=1 sig=abc\nCEF:0|v|p|1|id|n|5|a=\r1\nCEF:0|v|p|1|id|n|5|a=2\n";
    let output = cef(&["sign", "--key", &key], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    let out = lines(&output);
    assert_eq!(out.len(), 2);
    assert!(out[0].starts_with("CEF:0|v|p|1|id|n|5|a=1 sig=") && out[1].starts_with("CEF:0|v|p|1|id|n|5|a=2 sig="));
    assert_eq!(
        stderr(&output).lines().collect::<Vec<_>>(),
        [
            "line 2: empty line, nothing to sign",
            "line 3: not a CEF line: fewer than 7 header fields at byte 9",
            "line 4: already signed: ` sig=` at byte 22 (an entry carries one signature)",
            "line 5: line break inside the entry at byte 21",
        ]
    );
    let verified = cef(&["verify", "--jwks", &jwks], &output.stdout);
    assert_eq!(lines(&verified), verified_ok(&kid, 2));

    let json =
        cef(&["sign", "--key", &key, "--format", "json"], b"{\"a\":1}\n{}\n[1]\n{\"a\":1,\"sig\":\"x\"}\nnot json\n");
    assert_eq!(json.status.code(), Some(1));
    assert_eq!(lines(&json).len(), 1);
    assert_line_errors(
        &json,
        &[
            (2, "not a JSON entry object"),
            (3, "not a JSON entry object"),
            (4, "already signed"),
            (5, "not valid JSON at column 2"),
        ],
    );
    let cps = cef(&["sign", "--key", &key, "--format", "cps"], b"{\"a\":{\"b\":1}}\n");
    assert_eq!(cps.status.code(), Some(1));
    assert!(stderr(&cps).contains("not a CPS entry"), "{}", stderr(&cps));
}

#[test]
fn verify_usage_errors_exit_2() {
    for args in [
        &["verify"][..],
        &["verify", "--jwks", "x", "--batch", "0"][..],
        &["verify", "--jwks", "x", "--format", "xml"][..],
        &["sign"][..],
    ] {
        let output = cef(args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn verify_reports_each_line_as_it_arrives() {
    let dir = TempDir::new("follow");
    let (key, jwks, kid) = fixed_key(&dir);
    let signed = cef(&["sign", "--key", &key], b"CEF:0|v|p|1|id|n|5|a=1\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cef"))
        .args(["verify", "--jwks", &jwks])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cef");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(&signed.stdout).expect("write one line");
    pipe.flush().expect("flush");
    // Stdin stays open: the result must come before the chunk of 64 is full.
    let stdout = child.stdout.take().expect("stdout");
    let (sender, receiver) = std::sync::mpsc::channel();
    let reader = thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(stdout).read_line(&mut first);
        let _ = sender.send(first);
    });
    let first = receiver.recv_timeout(std::time::Duration::from_secs(30));
    drop(pipe);
    let output = child.wait_with_output().expect("wait");
    reader.join().expect("reader");
    assert_eq!(first.ok().as_deref(), Some(format!("line 1: ok kid={kid}\n").as_str()), "result before end of input");
    assert_eq!(stderr(&output), "verified 1 of 1 entries, 0 failed\n");
}

// ---------------------------------------------------------------------------
// convert, demo

/// konnect.md section 2's JSON entry as Kong printed it, signature included.
const KONNECT_JSON_SIG: &str = "Jm73seSwAiacSBysDmgQ3D_R_1c39_T0Iuus9GqUEnAjCc-UnyKhFgS8jDx5UIl4J6PTCH5ouuPizwnjnMDECg";

fn konnect_json_signed() -> String {
    format!("{},\"sig\":\"{KONNECT_JSON_SIG}\"}}", KONNECT_JSON.strip_suffix('}').expect("}"))
}

/// The documented Konnect CEF lines without their signatures.
fn konnect_unsigned_cef() -> Vec<String> {
    unsigned_cef_lines().into_iter().take(2).collect()
}

/// What the library makes of an entry in `format` (unsigned).
fn rendered(entry: &str, format: audit_cef::Format) -> String {
    let event = audit_cef::AuditEvent::from_entry(entry.as_bytes()).expect("a Konnect entry");
    let mut out = Vec::new();
    event.render_into(format, &mut out);
    String::from_utf8(out).expect("UTF-8")
}

/// Runs `cef convert --to <to> args...` and checks that every line converted.
fn convert_ok(to: &str, args: &[&str], input: &[u8]) -> Output {
    let output = cef(&[&["convert", "--to", to][..], args].concat(), input);
    assert_eq!(output.status.code(), Some(0), "--to {to}: {}", stderr(&output));
    assert!(output.stderr.is_empty(), "--to {to}: {}", stderr(&output));
    output
}

#[test]
fn convert_cef_json_cps_cef_gives_the_documented_lines_back_byte_for_byte() {
    // Kong's lines as printed, signatures included: they are dropped.
    let input = format!("{KONNECT_AUTHZ}\n{KONNECT_PORTAL}\n");
    let json = convert_ok("json", &[], input.as_bytes());
    let cps = convert_ok("cps", &[], &json.stdout);
    let back = convert_ok("cef", &[], &cps.stdout);
    assert_eq!(lines(&back), konnect_unsigned_cef());

    // Each step writes what the library renders, and CPS is the JSON wrapped.
    for (line, original) in lines(&json).iter().zip([KONNECT_AUTHZ, KONNECT_PORTAL]) {
        assert_eq!(*line, rendered(original, audit_cef::Format::Json));
        assert!(!line.contains("\"sig\""), "{line}");
    }
    for (wrapped, plain) in lines(&cps).iter().zip(lines(&json)) {
        assert_eq!(*wrapped, format!("{{\"event\":{plain}}}"));
    }
    assert!(lines(&json)[0].contains(r#""trace_id":3959872677347089807,"#), "64-bit trace_id stays exact");

    // CEF to CEF only drops the signature.
    let same = convert_ok("cef", &[], input.as_bytes());
    assert_eq!(lines(&same), konnect_unsigned_cef());

    // konnect.md's JSON entry: JSON -> CEF -> CPS -> JSON is Kong's entry without its signature.
    let cef_line = convert_ok("cef", &[], format!("{}\n", konnect_json_signed()).as_bytes());
    assert_eq!(
        lines(&cef_line),
        [
            "2023-04-28T20:52:09Z konghq.com CEF:0|KongInc|Konnect|1.0|identity|Authz.identity-provider|1|rt=1682715129807 src=127.0.0.6 action=read granted=true org_id=b065b594-6afc-4658-9101-5d9cf3f36b7b principal_id=87655c36-8d63-48fe-9a1e-53b28dfbc19b trace_id=3895213347334635099 user_agent=grpc-go/1.54.0"
        ]
    );
    let cps = convert_ok("cps", &[], &cef_line.stdout);
    let json = convert_ok("json", &[], &cps.stdout);
    assert_eq!(lines(&json), [KONNECT_JSON]);

    // Mixed formats in one input, detected per line; CRLF and a missing last LF are fine.
    let mixed = format!("{KONNECT_AUTHZ}\r\n{}\n{}", konnect_json_signed(), lines(&cps)[0]);
    let out = convert_ok("cef", &[], mixed.as_bytes());
    assert_eq!(lines(&out), [konnect_unsigned_cef()[0].as_str(), lines(&cef_line)[0], lines(&cef_line)[0]]);
}

#[test]
fn convert_with_jwks_converts_what_verifies_and_reports_the_rest_in_order() {
    let dir = TempDir::new("convert-jwks");
    let prefix = dir.path("k");
    assert_eq!(cef(&["keygen", "--out", &prefix], b"").status.code(), Some(0));
    let (key, jwks) = (format!("{prefix}.pem"), format!("{prefix}.jwks.json"));

    let sign = |format: &str, entry: &str| -> String {
        let signed = cef(&["sign", "--key", &key, "--format", format], format!("{entry}\n").as_bytes());
        assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
        lines(&signed)[0].to_string()
    };
    let [authz, portal] = [&konnect_unsigned_cef()[0], &konnect_unsigned_cef()[1]].map(|line| sign("cef", line));
    let json = sign("json", KONNECT_JSON);
    let cps = sign("cps", &format!("{{\"event\":{KONNECT_JSON}}}"));
    let tampered = authz.replace("action=list", "action=edit");
    let (other_key, _, _) = fixed_key(&dir);
    let other = cef(&["sign", "--key", &other_key], format!("{}\n", konnect_unsigned_cef()[1]).as_bytes());
    let other = lines(&other)[0].to_string();
    let input = [
        authz.as_str(),
        json.as_str(),
        tampered.as_str(),
        cps.as_str(),
        KONNECT_AUTHZ, // Kong's own signature: not from this key set
        konnect_unsigned_cef()[1].as_str(),
        other.as_str(),
        portal.as_str(),
    ]
    .join("\n");

    let output = cef(&["convert", "--to", "json", "--jwks", &jwks], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    let json_of = |entry: &str| rendered(entry, audit_cef::Format::Json);
    assert_eq!(lines(&output), [json_of(&authz), KONNECT_JSON.to_string(), KONNECT_JSON.to_string(), json_of(&portal)]);
    let portal_len = konnect_unsigned_cef()[1].len();
    assert_eq!(
        stderr(&output).lines().collect::<Vec<_>>(),
        [
            format!(
                "line 3: no_key_matches: altered, or signed by a key not in this JWKS: no key verifies its signature at byte {}",
                tampered.len() - 86
            ),
            format!(
                "line 5: no_key_matches: altered, or signed by a key not in this JWKS: no key verifies its signature at byte {}",
                KONNECT_AUTHZ.len() - 86
            ),
            format!("line 6: unsigned: entry is not signed at byte {portal_len}"),
            format!(
                "line 7: no_key_matches: altered, or signed by a key not in this JWKS: no key verifies its signature at byte {}",
                portal_len + 5
            ),
        ]
    );

    // Without --jwks the same input converts entirely: nothing checks the signatures.
    let unchecked = convert_ok("json", &[], input.as_bytes());
    assert_eq!(lines(&unchecked).len(), 8);
    assert_eq!(lines(&unchecked)[2], json_of(&tampered));
}

#[test]
fn convert_with_sign_key_writes_entries_cef_verify_accepts() {
    let dir = TempDir::new("convert-sign");
    let (key, jwks, kid) = fixed_key(&dir);
    let signer = audit_cef::Signer::from_seed(&[7; 32]);
    let input = format!("{KONNECT_AUTHZ}\n{}\n{KONNECT_PORTAL}\n", konnect_json_signed());
    for (to, format) in
        [("cef", audit_cef::Format::Cef), ("json", audit_cef::Format::Json), ("cps", audit_cef::Format::Cps)]
    {
        let output = convert_ok(to, &["--sign-key", &key], input.as_bytes());
        // Exactly what the library signs (Ed25519 is deterministic).
        let expected: Vec<String> = [KONNECT_AUTHZ.to_string(), konnect_json_signed(), KONNECT_PORTAL.to_string()]
            .iter()
            .map(|entry| {
                let mut out = Vec::new();
                let event = audit_cef::AuditEvent::from_entry(entry.as_bytes()).expect("entry");
                event.sign_into(format, &signer, &mut out).expect("sign");
                String::from_utf8(out).expect("UTF-8")
            })
            .collect();
        assert_eq!(lines(&output), expected, "--to {to}");

        let verified = cef(&["verify", "--jwks", &jwks, "--format", to], &output.stdout);
        assert_eq!(verified.status.code(), Some(0), "--to {to}: {}", stderr(&verified));
        assert_eq!(lines(&verified), verified_ok(&kid, 3), "--to {to}");

        // Verify with one key set, re-sign with another: the output verifies again.
        let again = convert_ok("cef", &["--jwks", &jwks, "--sign-key", &key], &output.stdout);
        let reverified = cef(&["verify", "--jwks", &jwks], &again.stdout);
        assert_eq!(lines(&reverified), verified_ok(&kid, 3), "--to {to} then cef");
    }
}

#[test]
fn convert_reports_lines_that_are_not_konnect_entries() {
    let input = [
        "CEF:0|Acme|Sensor|1.0|42|Port scan|8|src=10.0.0.1 msg=a\\=b",
        KONNECT_AUTHZ,
        "",
        "CEF:0|a|b",
        r#"{"a":1"#,
        r#"{"event_vendor":"Acme","a":1}"#,
        &KONNECT_AUTHZ.replace("granted=true", "granted=yes"),
        &KONNECT_AUTHZ.replace("2025-06-18T21:02:36Z konghq.com ", "<134>2025-06-18T21:02:36Z konghq.com "),
        KONNECT_PORTAL,
    ]
    .join("\n");
    let output = cef(&["convert", "--to", "cef"], input.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(lines(&output), konnect_unsigned_cef());
    assert_eq!(
        stderr(&output).lines().collect::<Vec<_>>(),
        [
            "line 1: unknown_family: not a Konnect audit event family",
            "line 3: empty: empty input",
            "line 4: too_few_header_fields: fewer than 7 header fields at byte 9",
            "line 5: invalid_json: invalid JSON entry at byte 5",
            "line 6: unknown_family: not a Konnect audit event family",
            &format!(
                "line 7: invalid_field: invalid value for field `granted` at byte {}",
                KONNECT_AUTHZ.find("granted=").unwrap() + "granted=".len()
            ),
            "line 8: invalid_field: invalid value for field `event_ts` (the prefix before ` CEF:` must be an \
             RFC 3339 or BSD time and a host, without a syslog <PRI>)",
        ]
    );

    // With several inputs, messages name the input.
    let named = cef(&["convert", "--to", "json", SAMPLE_CEF, "-"], b"CEF:0|v|p|1|id|n|5|a=1\n");
    assert_eq!(named.status.code(), Some(1));
    assert!(stderr(&named).contains(&format!("{SAMPLE_CEF}: line 3: unknown_family: ")), "{}", stderr(&named));
    assert!(stderr(&named).ends_with("<stdin>: line 1: unknown_family: not a Konnect audit event family\n"));
}

#[test]
fn convert_usage_and_key_errors_exit_2_before_converting_anything() {
    let dir = TempDir::new("convert-usage");
    let (key, jwks, _) = fixed_key(&dir);
    let input = format!("{KONNECT_AUTHZ}\n");
    let missing = dir.path("missing.json");
    let cases: [(&[&str], &str); 6] = [
        (&["convert"], "--to"),
        (&["convert", "--to", "xml"], "xml"),
        (&["convert", "--to", "json", "--jwks", &missing], "cef convert: cannot read JWKS"),
        (&["convert", "--to", "json", "--jwks", &key], "cef convert: "),
        (&["convert", "--to", "json", "--sign-key", &jwks], "a JWKS (public keys), not a private key"),
        (&["convert", "--to", "json", "--sign-key", &missing], "cef convert: cannot read key file"),
    ];
    for (args, message) in cases {
        let output = cef(args, input.as_bytes());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(stderr(&output).contains(message), "{args:?}: {}", stderr(&output));
    }
    let unreadable = cef(&["convert", "--to", "json", &dir.path("no-such.cef"), "-"], input.as_bytes());
    assert_eq!(unreadable.status.code(), Some(2));
    assert_eq!(lines(&unreadable).len(), 1, "the other inputs are still converted");
}

#[test]
fn demo_prints_each_family_in_three_formats_and_verifies_them() {
    let output = cef(&["demo"], b"");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    let text = stdout(&output);
    let kid = audit_cef::Signer::from_seed(b"audit-cef DEMO key, never real!!").public_key().kid().to_string();
    assert_eq!(text.matches("verified: ok").count(), 9, "{text}");
    assert_eq!(text.matches(&format!("verified: ok kid={kid}\n")).count(), 9, "{text}");
    for header in ["== Authentication", "== Authorization", "== Access", "== Demo key =="] {
        assert_eq!(text.matches(header).count(), 1, "{header}: {text}");
    }
    assert!(text.contains("DEMO ONLY") && text.contains("Never use it for real entries"), "{text}");
    assert!(text.contains("|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|"));
    assert!(text.contains("|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|"));
    assert!(text.contains("|KongGateway|Ingress|6|") && text.contains(" status=403 ") && text.contains(" query={"));

    // The printed JWKS and entries work with the other commands, as --help shows.
    let dir = TempDir::new("demo");
    let jwks_line = lines(&output).into_iter().find(|line| line.starts_with("{\"keys\"")).expect("JWKS line");
    let jwks = dir.write("demo.jwks.json", jwks_line.as_bytes());
    // Each entry is the line after its `CEF entry:` / `JSON entry:` / `CPS entry:` label.
    let printed = lines(&output);
    for (format, label) in [("cef", "CEF entry:"), ("json", "JSON entry:"), ("cps", "CPS entry:")] {
        let entries: Vec<&str> = printed.windows(2).filter(|pair| pair[0] == label).map(|pair| pair[1]).collect();
        assert_eq!(entries.len(), 3, "{format}: {entries:?}");
        let verified =
            cef(&["verify", "--jwks", &jwks, "--format", format], format!("{}\n", entries.join("\n")).as_bytes());
        assert_eq!(lines(&verified), verified_ok(&kid, 3), "{format}: {}", stderr(&verified));
        let converted = convert_ok("cef", &["--jwks", &jwks], format!("{}\n", entries.join("\n")).as_bytes());
        assert_eq!(lines(&converted).len(), 3);
    }
}

#[test]
fn threads_change_nothing_in_sign_and_verify_output() {
    let dir = TempDir::new("threads");
    let (key, jwks, _) = fixed_key(&dir);
    // Enough lines for several chunks per worker, some unsignable.
    let input: String = (0..1500)
        .map(|i| if i % 97 == 5 { "not cef\n".to_string() } else { format!("CEF:0|v|p|1|id|n|5|i={i}\n") })
        .collect();
    let one = cef(&["sign", "--key", &key, "--threads", "1"], input.as_bytes());
    let four = cef(&["sign", "--key", &key, "--threads", "4"], input.as_bytes());
    assert_eq!(one.status.code(), Some(1));
    assert_eq!((stdout(&four), stderr(&four), four.status.code()), (stdout(&one), stderr(&one), one.status.code()));
    assert_eq!(lines(&one).len(), 1500 - 16);

    // Tamper with some signed lines: verdicts and order do not depend on threads or batching.
    let mut entries: Vec<String> = lines(&one).iter().map(|line| line.to_string()).collect();
    for index in (3..entries.len()).step_by(41) {
        entries[index] = entries[index].replacen("|i=", "|i=9", 1);
    }
    let signed = format!("{}\n", entries.join("\n"));
    let reference = cef(&["verify", "--jwks", &jwks, "--threads", "1", "--batch", "1"], signed.as_bytes());
    assert_eq!(reference.status.code(), Some(1));
    for args in [["--threads", "2"], ["--threads", "3"], ["--batch", "300"]] {
        let output = cef(&[&["verify", "--jwks", jwks.as_str()][..], &args[..]].concat(), signed.as_bytes());
        assert_eq!(stdout(&output), stdout(&reference), "{args:?}");
        assert_eq!(stderr(&output), stderr(&reference), "{args:?}");
    }
}

#[test]
fn sign_with_checkpoints_then_verify_completeness() {
    let dir = TempDir::new("checkpoints");
    let (key, jwks, _) = fixed_key(&dir);
    let input: String = (0..250)
        .map(|i| format!("2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt={i}\n"))
        .collect();
    let signed = cef(&["sign", "--key", &key, "--checkpoint-every", "100", "--threads", "2"], input.as_bytes());
    assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
    let lines = lines(&signed);
    // 250 entries and 3 checkpoints (after 100, 200, and the last 50 at the end of input).
    assert_eq!(lines.len(), 253);
    for at in [100, 201, 252] {
        assert!(lines[at].contains("|audit-cef.checkpoint|Checkpoint|1|cpv=1 "), "{}", lines[at]);
    }
    let whole = cef(&["verify", "--jwks", &jwks, "--checkpoints"], &signed.stdout);
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    assert!(
        stderr(&whole).contains(
            "completeness: {\"entries\":250,\"confirmed\":250,\"missing\":0,\"duplicated\":0,\"reordered\":0,\"unexpected\":0,\"checkpoint_gaps\":0,\"unconfirmed_tail\":0,"
        ),
        "{}",
        stderr(&whole)
    );

    // Line 51 (entry 50) deleted: missing at checkpoint 0, position 50; with --json the last stdout line.
    let mut cut: Vec<&str> = lines.clone();
    cut.remove(50);
    let cut = cut.join("\n") + "\n";
    let output = cef(&["verify", "--jwks", &jwks, "--checkpoints", "--json"], cut.as_bytes());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("missing: stream ") && stderr(&output).contains(" checkpoint 0 position 50"));
    let last = stdout(&output).lines().last().unwrap_or_default();
    assert!(last.starts_with("{\"completeness\":{\"entries\":249,\"confirmed\":249,\"missing\":1,"), "{last}");

    let refused = cef(&["sign", "--key", &key, "--checkpoint-every", "10", "--format", "json"], b"{\"a\":1}\n");
    assert_eq!(refused.status.code(), Some(2));
}

const SUBCOMMANDS: [&str; 12] = [
    "parse",
    "render",
    "keygen",
    "sign",
    "verify",
    "convert",
    "demo",
    "send",
    "receive",
    "relay",
    "completions",
    "man",
];

/// `cef completions` gives a script each shell reads that knows every
/// subcommand; bash checks its syntax.
#[test]
fn completions_know_every_subcommand_and_bash_reads_them() {
    for shell in ["bash", "zsh", "fish"] {
        let output = cef(&["completions", shell], b"");
        assert!(output.status.success(), "{shell}");
        let script = stdout(&output);
        for subcommand in SUBCOMMANDS {
            assert!(script.contains(subcommand), "{shell}: no {subcommand}");
        }
        if shell == "bash" {
            let mut bash = Command::new("bash").arg("-n").stdin(Stdio::piped()).spawn().expect("bash");
            bash.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("write");
            assert!(bash.wait().expect("bash").success(), "bash -n refused the script");
        }
    }
    assert!(!cef(&["completions", "tcsh"], b"").status.success());
}

/// `cef man` writes a roff page naming every subcommand, and with --out a
/// page per subcommand.
#[test]
fn man_pages_for_cef_and_each_subcommand() {
    let output = cef(&["man"], b"");
    assert!(output.status.success());
    let page = stdout(&output);
    assert!(page.contains(".TH cef 1"), "{page}");
    for subcommand in SUBCOMMANDS {
        assert!(page.contains(subcommand), "no {subcommand}");
    }
    let dir = std::env::temp_dir().join(format!("cef-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("man1");
    assert!(cef(&["man", "--out", out.to_str().expect("utf-8")], b"").status.success());
    let receive = std::fs::read_to_string(out.join("cef-receive.1")).expect("cef-receive.1");
    assert!(receive.contains("authorization"), "{receive}");
    assert!(out.join("cef.1").exists());
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// The usage line shows what is required, and an address without a port
/// says the form expected (it once said only `invalid socket address`).
#[test]
fn receive_usage_and_address_errors_say_what_is_expected() {
    let output = cef(&["receive"], b"");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("cef receive --listen HOST:PORT --authorization-file FILE --jwks FILE|URL"), "{stderr}");
    let args = ["receive", "--listen", "19203", "--authorization", "x", "--jwks", "/dev/null"];
    let output = cef(&[&args[..], &["--out", "/dev/null", "--rejected", "/dev/null"]].concat(), b"");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("--listen 19203: expected HOST:PORT (127.0.0.1:8080"), "{stderr}");
}
