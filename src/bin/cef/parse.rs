//! `cef parse`: one JSON object per CEF line.

use std::io;

use audit_cef::{Error, Line, PairsForm, Parser};
use serde::Serialize;

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

/// The JSON object for a parsed line: the library's `Serialize` for `Line`,
/// or `PairsForm` for `--pairs`.
pub fn write_line(line: &Line<'_>, pairs: bool, out: &mut Vec<u8>) -> io::Result<()> {
    let written = if pairs { serde_json::to_writer(out, &PairsForm(line)) } else { serde_json::to_writer(out, line) };
    written.map_err(io::Error::from)
}

/// `{"error":"<message>","kind":"<kind>","offset":N}` (`null` when no byte is to blame).
pub fn write_error(err: &Error, out: &mut Vec<u8>) -> io::Result<()> {
    let object = ErrorObject { error: err.to_string(), kind: err.kind().name(), offset: err.offset() };
    serde_json::to_writer(out, &object).map_err(io::Error::from)
}

#[derive(Serialize)]
struct ErrorObject {
    error: String,
    kind: &'static str,
    offset: Option<usize>,
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
