//! `cef render`: one CEF line per JSON object.

use audit_cef::Event;

use crate::io_util::{self, Inputs, Outcome, Status};

const LONG_ABOUT: &str = "\
Convert JSON objects, one per input line, to CEF lines, in input order.

Each input line is one JSON object in the form `cef parse` writes:
  {\"prefix\":\"2025-06-18T21:02:36Z konghq.com\",\"version\":\"0\",\"vendor\":\"KongInc\",
   \"product\":\"Konnect\",\"device_version\":\"1.0\",\"event_class_id\":\"konnect\",
   \"name\":\"Authz.control-planes\",\"severity\":\"1\",\"extensions\":{\"action\":\"list\"}}
(on one line). Members:
  vendor, product, device_version, event_class_id, name
                  required strings, unescaped; no CR or LF
  severity        required: an integer 0-10 (number or string) or one of Unknown, Low,
                  Medium, High, Very-High (exact spelling)
  version         optional: \"0\", \"1\", 0 or 1; default 0
  prefix          optional string written before `CEF:` and a space (a syslog header)
  extensions      optional: an object {\"key\":\"value\",...} rendered in its written order,
                  or an array [[\"key\",\"value\"],...] (use the array for repeated keys: a
                  JSON object keeps only the last of a repeated key); values are strings
An unknown member is an error; so is `unparsed` (CEF cannot hold text before the first \
key), and so is an error object written by `cef parse`. `null` counts as absent for the \
optional members.

Values are escaped as the CEF standard requires (`\\`, `=`, CR and LF in values; `\\` and \
`|` in the header), so `cef parse | cef render` gives back every canonical line byte for \
byte.

A line that fails (bad JSON, a missing member, an invalid key or severity, a line break in \
a header field, ...) writes nothing to standard output; its error goes to standard error \
as `line N: <message>` (N counts input lines from 1; with several inputs the message \
starts with the input's name). Processing goes on and the exit status is 1.";

const AFTER_HELP: &str = "\
Examples:
  cef parse audit.log | cef render
  echo '{\"vendor\":\"Acme\",\"product\":\"Sensor\",\"device_version\":\"1.0\",\"event_class_id\":\"42\",\
\"name\":\"Port scan\",\"severity\":8,\"extensions\":[[\"src\",\"10.0.0.1\"],[\"msg\",\"a=b\"]]}' | cef render
    CEF:0|Acme|Sensor|1.0|42|Port scan|8|src=10.0.0.1 msg=a\\=b";

/// Arguments of `cef render`.
#[derive(Debug, clap::Args)]
#[command(about = "Convert JSON objects, one per line, to CEF lines", long_about = LONG_ABOUT)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub inputs: Inputs,
}

/// Runs `cef render`.
pub fn run(args: &Args) -> Status {
    io_util::run(&args.inputs, |input, out| {
        Ok(match render_line(input, out) {
            Ok(()) => Outcome::Written,
            Err(message) => Outcome::Failed(message),
        })
    })
}

/// Renders one JSON line into `out`, or says why it cannot. The event and
/// its messages are the library's (`Event::deserialize_borrowed`).
pub fn render_line(input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err("empty line, expected a JSON object".to_string());
    }
    let mut json = serde_json::Deserializer::from_slice(input);
    let event = Event::deserialize_borrowed(&mut json);
    let event = match (event, json.end()) {
        (Ok(event), Ok(())) => event,
        (Err(err), _) if !err.is_data() => return Err(json_error(&err)),
        // A member error is raised once the whole value is read: text after
        // the value still makes the line invalid JSON, which is said first.
        (_, Err(err)) | (Err(err), Ok(())) => return Err(json_error(&err)),
    };
    event.render_into(out);
    Ok(())
}

/// serde_json's message without its `at line 1 column N` tail (the input is
/// one line); syntax errors say they are and where.
fn json_error(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let tail = format!(" at line {} column {}", err.line(), err.column());
    let message = message.strip_suffix(&tail).unwrap_or(&message);
    if !err.is_data() && err.line() == 1 {
        format!("invalid JSON at column {}: {message}", err.column())
    } else {
        message.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(input: &str) -> Result<String, String> {
        let mut out = Vec::new();
        render_line(input.as_bytes(), &mut out)?;
        String::from_utf8(out).map_err(|err| err.to_string())
    }

    const HEAD: &str = r#""vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n""#;

    #[test]
    fn forms_and_defaults() {
        assert_eq!(render(&format!("{{{HEAD},\"severity\":5}}")), Ok("CEF:0|v|p|1|id|n|5|".into()));
        assert_eq!(
            render(&format!(
                "{{{HEAD},\"severity\":\"High\",\"version\":1,\"extensions\":[[\"a\",\"1\"],[\"a\",\"2\"]]}}"
            )),
            Ok("CEF:1|v|p|1|id|n|High|a=1 a=2".into())
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let err = |input: String| render(&input).err().unwrap_or_default();
        assert!(err(format!("{{{HEAD}}}")).contains("missing member `severity`"));
        assert!(err(format!("{{{HEAD},\"severity\":11}}")).contains("member `severity`"));
        assert!(err(format!("{{{HEAD},\"severity\":\"very-high\"}}")).contains("member `severity`"));
        assert!(err(format!("{{{HEAD},\"severity\":1,\"version\":2}}")).contains("member `version`"));
        assert!(err(format!("{{{HEAD},\"severity\":1,\"x\":2}}")).contains("unknown member \"x\""));
        assert!(err(format!("{{{HEAD},\"severity\":1,\"extensions\":{{\"a b\":\"1\"}}}}")).contains("\"a b\""));
        assert!(err("[1]".into()).contains("expected a JSON object, found an array"));
        assert!(err("{".into()).starts_with("invalid JSON at column 1"));
        assert_eq!(err("{\"vendor\":1} x".into()), "invalid JSON at column 14: trailing characters");
        assert_eq!(err("\"a\" x".into()), "invalid JSON at column 5: trailing characters");
    }
}
