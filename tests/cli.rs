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
    let empty = r#"{"error":"empty input at byte 0","kind":"empty","offset":0}"#;
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
    let errors: Vec<&str> = stderr(&output).lines().collect();
    assert_eq!(errors.len(), 8, "{errors:?}");
    for (error, (number, text)) in errors.iter().zip([
        (2, "invalid JSON"),
        (3, "missing member `severity`"),
        (4, "invalid extension key at byte 3"),
        (5, "empty line"),
        (6, "line break in header field name at byte 1"),
        (7, "`unparsed` cannot be rendered"),
        (8, "unknown member \"color\""),
        (10, "error object (kind `too_few_header_fields`)"),
    ]) {
        assert!(error.starts_with(&format!("line {number}: ")), "{error}");
        assert!(error.contains(text), "{error}");
    }
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
    for command in ["parse", "render"] {
        assert!(text.contains(command), "--help lists {command}");
        let help = cef(&[command, "--help"], b"");
        assert_eq!(help.status.code(), Some(0));
        let help = stdout(&help);
        assert!(help.contains("Examples:"), "{command} --help has examples");
        assert!(help.contains(&format!("cef {command}")) || help.contains(&format!("| cef {command}")));
    }
    assert!(stdout(&cef(&["parse", "--help"], b"")).contains("last"), "documents duplicate keys");
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
