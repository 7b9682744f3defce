//! `cef render`: one CEF line per JSON object.

use audit_cef::{ErrorKind, Event, Severity, Version};
use serde_json::{Map, Value};

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

/// Renders one JSON line into `out`, or says why it cannot.
pub fn render_line(input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err("empty line, expected a JSON object".to_string());
    }
    let value: Value = serde_json::from_slice(input).map_err(json_error)?;
    let Value::Object(object) = &value else {
        return Err(format!("expected a JSON object, found {}", type_name(&value)));
    };
    event(object)?.render_into(out);
    Ok(())
}

const MEMBERS: [&str; 9] =
    ["prefix", "version", "vendor", "product", "device_version", "event_class_id", "name", "severity", "extensions"];

/// Builds the event, borrowing the JSON's strings.
fn event(object: &Map<String, Value>) -> Result<Event<'_>, String> {
    check_members(object)?;
    let mut event = Event::new(
        required_str(object, "vendor")?,
        required_str(object, "product")?,
        required_str(object, "device_version")?,
        required_str(object, "event_class_id")?,
        required_str(object, "name")?,
        severity(object)?,
    )
    .map_err(|err| err.to_string())?
    .with_version(version(object)?);
    match present(object, "prefix") {
        None => {}
        Some(Value::String(prefix)) => {
            event = event.with_prefix(prefix.as_str()).map_err(|err| format!("member `prefix`: {err}"))?;
        }
        Some(other) => return Err(format!("member `prefix` must be a string, found {}", type_name(other))),
    }
    match present(object, "extensions") {
        None => {}
        Some(Value::Object(pairs)) => {
            for (key, value) in pairs {
                let Value::String(value) = value else {
                    return Err(format!("extension {key:?}: value must be a string, found {}", type_name(value)));
                };
                event.push(key.as_str(), value.as_str()).map_err(|err| format!("extension key {key:?}: {err}"))?;
            }
        }
        Some(Value::Array(pairs)) => {
            for (index, pair) in pairs.iter().enumerate() {
                let (key, value) = match pair.as_array().map(Vec::as_slice) {
                    Some([Value::String(key), Value::String(value)]) => (key, value),
                    _ => {
                        return Err(format!(
                            "extensions[{index}] must be a [key, value] array of two strings, found {}",
                            short(pair)
                        ));
                    }
                };
                event
                    .push(key.as_str(), value.as_str())
                    .map_err(|err| format!("extensions[{index}]: key {key:?}: {err}"))?;
            }
        }
        Some(other) => {
            return Err(format!(
                "member `extensions` must be an object or an array of [key, value] pairs, found {}",
                type_name(other)
            ));
        }
    }
    Ok(event)
}

/// Every member must be known; `unparsed` and `cef parse` error objects get their own message.
fn check_members(object: &Map<String, Value>) -> Result<(), String> {
    if object.contains_key("error") && object.contains_key("kind") {
        let kind = object.get("kind").and_then(Value::as_str).unwrap_or("?");
        return Err(format!("this is a `cef parse` error object (kind `{kind}`), not an event"));
    }
    for name in object.keys() {
        if name == "unparsed" {
            return Err("member `unparsed` cannot be rendered: CEF has no place for text before the first \
                        extension key (remove the member to drop that text)"
                .to_string());
        }
        if !MEMBERS.contains(&name.as_str()) {
            return Err(format!("unknown member {name:?}"));
        }
    }
    Ok(())
}

/// The member's value, `null` counting as absent.
fn present<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    object.get(name).filter(|value| !value.is_null())
}

fn required_str<'v>(object: &'v Map<String, Value>, name: &str) -> Result<&'v str, String> {
    match object.get(name) {
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(format!("member `{name}` must be a string, found {}", type_name(other))),
        None => Err(format!("missing member `{name}`")),
    }
}

fn severity(object: &Map<String, Value>) -> Result<Severity, String> {
    let parsed = match object.get("severity") {
        None => return Err("missing member `severity`".to_string()),
        Some(Value::String(text)) => text.parse::<Severity>().ok(),
        Some(Value::Number(number)) => number
            .as_u64()
            .and_then(|level| u8::try_from(level).ok())
            .and_then(|level| Severity::from_level(level).ok()),
        Some(other) => {
            return Err(format!("member `severity` must be a string or an integer, found {}", type_name(other)));
        }
    };
    parsed.ok_or_else(|| format!("member `severity`: {} (exact spelling)", ErrorKind::InvalidSeverity))
}

fn version(object: &Map<String, Value>) -> Result<Version, String> {
    let parsed = match present(object, "version") {
        None => Some(Version::Zero),
        Some(Value::String(text)) => text.parse::<Version>().ok(),
        Some(Value::Number(number)) => match number.as_u64() {
            Some(0) => Some(Version::Zero),
            Some(1) => Some(Version::One),
            _ => None,
        },
        Some(_) => None,
    };
    parsed.ok_or_else(|| "member `version` must be \"0\", \"1\", 0 or 1".to_string())
}

/// serde_json's message without its `at line 1 column N` tail (the input is one line).
fn json_error(err: serde_json::Error) -> String {
    let message = err.to_string();
    let tail = format!(" at line {} column {}", err.line(), err.column());
    let message = message.strip_suffix(&tail).unwrap_or(&message);
    if err.line() == 1 { format!("invalid JSON at column {}: {message}", err.column()) } else { message.to_string() }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON value for a message, cut to a readable length.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", text.get(..cut).unwrap_or_default()),
        None => text,
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
    }
}
