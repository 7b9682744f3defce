//! `cef parse`: one JSON object per CEF line.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::{self, Write};

use audit_cef::{Error, Line, Parser};

use crate::io_util::{self, Inputs, Outcome, Status};

const LONG_ABOUT: &str = "\
Convert CEF lines to JSON, one object per input line, in input order.

Each line gives:
  {\"prefix\":\"...\",\"version\":\"0\",\"vendor\":\"...\",\"product\":\"...\",\"device_version\":\"...\",
   \"event_class_id\":\"...\",\"name\":\"...\",\"severity\":\"...\",\"extensions\":{\"key\":\"value\",...}}
(on one line). Header fields and values are unescaped. `prefix` (the text before `CEF:`, \
such as a syslog header) is left out when the line has none. `version` and `severity` are \
strings, as the line wrote them. `extensions` keeps the line's order; a key that appears \
more than once is written once, at its first position, with its last value (last wins). \
Use --pairs to keep every pair, duplicates included.

Text between the header and the first key (lenient mode only) is kept as \
`\"unparsed\":\"...\"`, written just before `extensions`, so nothing is lost.

A line that cannot be parsed gives an error object on its output line instead:
  {\"error\":\"fewer than 7 header fields at byte 15\",\"kind\":\"too_few_header_fields\",\"offset\":15}
`offset` is the byte offset in the input line. An empty input line is an error of kind \
`empty`, so output line N always belongs to input line N. The exit status is 1 if any \
line failed.";

const AFTER_HELP: &str = "\
Examples:
  cef parse audit.log
  cef parse --strict --pairs a.cef - b.cef < more.cef
  echo 'CEF:0|Acme|Sensor|1.0|42|Port scan|High|src=10.0.0.1 msg=a\\=b' | cef parse
    {\"version\":\"0\",\"vendor\":\"Acme\",\"product\":\"Sensor\",\"device_version\":\"1.0\",\
\"event_class_id\":\"42\",\"name\":\"Port scan\",\"severity\":\"High\",\"extensions\":{\"src\":\"10.0.0.1\",\"msg\":\"a=b\"}}";

/// Arguments of `cef parse`.
#[derive(Debug, clap::Args)]
#[command(about = "Convert CEF lines to JSON objects, one per line", long_about = LONG_ABOUT)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Reject anything the CEF standard does not define: undefined backslash escapes, an
    /// unescaped `=` in a value, a missing `|` after Severity, text before the first key,
    /// severity names in the wrong case, and versions other than 0 and 1.
    #[arg(long)]
    pub strict: bool,

    /// Write `extensions` as an array of `[key, value]` pairs in line order, duplicates
    /// included, instead of an object.
    #[arg(long)]
    pub pairs: bool,

    #[command(flatten)]
    pub inputs: Inputs,
}

/// Runs `cef parse`.
pub fn run(args: &Args) -> Status {
    let parser = Parser::new().strict(args.strict);
    io_util::run(&args.inputs, |input, out| match parser.parse(input) {
        Ok(line) => {
            write_line(&line, args.pairs, out)?;
            Ok(Outcome::Written)
        }
        Err(err) => {
            write_error(&err, out)?;
            Ok(Outcome::WrittenFailed)
        }
    })
}

/// The JSON object for a parsed line.
pub fn write_line(line: &Line<'_>, pairs: bool, out: &mut Vec<u8>) -> io::Result<()> {
    out.push(b'{');
    if let Some(prefix) = line.prefix() {
        member(out, "prefix", prefix)?;
        out.push(b',');
    }
    for (name, value) in [
        ("version", line.version()),
        ("vendor", line.vendor()),
        ("product", line.product()),
        ("device_version", line.device_version()),
        ("event_class_id", line.event_class_id()),
        ("name", line.name()),
        ("severity", line.severity_str()),
    ] {
        member(out, name, value)?;
        out.push(b',');
    }
    if let Some(unparsed) = line.unparsed() {
        member(out, "unparsed", unparsed)?;
        out.push(b',');
    }
    out.extend_from_slice(b"\"extensions\":");
    if pairs {
        write_pairs(line, out)?;
    } else {
        write_map(line, out)?;
    }
    out.push(b'}');
    Ok(())
}

/// `[["key","value"],...]`, every pair in line order.
fn write_pairs(line: &Line<'_>, out: &mut Vec<u8>) -> io::Result<()> {
    out.push(b'[');
    for (index, pair) in line.pairs().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.push(b'[');
        string(out, pair.key())?;
        out.push(b',');
        string(out, &pair.value())?;
        out.push(b']');
    }
    out.push(b']');
    Ok(())
}

/// `{"key":"value",...}`: each key once, at its first position, with its
/// last value (P12; what inserting into serde_json's order-preserving map does).
fn write_map(line: &Line<'_>, out: &mut Vec<u8>) -> io::Result<()> {
    let mut entries: Vec<(&str, Cow<'_, str>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for pair in line.pairs() {
        match index.entry(pair.key()) {
            Entry::Occupied(seen) => {
                if let Some(entry) = entries.get_mut(*seen.get()) {
                    entry.1 = pair.value();
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(entries.len());
                entries.push((pair.key(), pair.value()));
            }
        }
    }
    out.push(b'{');
    for (at, (key, value)) in entries.iter().enumerate() {
        if at > 0 {
            out.push(b',');
        }
        string(out, key)?;
        out.push(b':');
        string(out, value)?;
    }
    out.push(b'}');
    Ok(())
}

/// `{"error":"<message>","kind":"<kind>","offset":N}` (`null` when no byte is to blame).
pub fn write_error(err: &Error, out: &mut Vec<u8>) -> io::Result<()> {
    out.push(b'{');
    member(out, "error", &err.to_string())?;
    out.push(b',');
    member(out, "kind", err.kind().name())?;
    match err.offset() {
        Some(at) => write!(out, ",\"offset\":{at}}}"),
        None => write!(out, ",\"offset\":null}}"),
    }
}

/// `"name":"value"`; `name` is one of this module's ASCII member names.
fn member(out: &mut Vec<u8>, name: &str, value: &str) -> io::Result<()> {
    string(out, name)?;
    out.push(b':');
    string(out, value)
}

fn string(out: &mut Vec<u8>, text: &str) -> io::Result<()> {
    serde_json::to_writer(out, text).map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(input: &[u8], pairs: bool) -> String {
        let mut out = Vec::new();
        match Parser::new().parse(input) {
            Ok(line) => write_line(&line, pairs, &mut out),
            Err(err) => write_error(&err, &mut out),
        }
        .unwrap_or_default();
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn duplicates_keep_first_position_and_last_value() {
        let line = b"CEF:0|v|p|1|id|n|5|a=1 b=2 a=3";
        assert!(json(line, false).ends_with(r#""extensions":{"a":"3","b":"2"}}"#));
        assert!(json(line, true).ends_with(r#""extensions":[["a","1"],["b","2"],["a","3"]]}"#));
    }

    #[test]
    fn output_is_valid_json_with_escapes() {
        let text = json(b"p\"x CEF:0|v\\|\\\\|p|1|id|n\\|\t|5|k=\"q\"\\n\\=", false);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(value["prefix"], "p\"x");
        assert_eq!(value["vendor"], "v|\\");
        assert_eq!(value["name"], "n|\t");
        assert_eq!(value["extensions"]["k"], "\"q\"\n=");
    }
}
