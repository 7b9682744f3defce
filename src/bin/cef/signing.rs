//! Signing a chunk of input lines, as `cef sign` and `cef send --key` both
//! do: each line signed in its format, or a message naming why it cannot be.

use audit_cef::{ErrorKind, Format, Parser, Signer};
use serde::de::IgnoredAny;

use crate::io_util::{Chunk, Status};
use crate::parallel::Handled;

/// Which lines of a chunk [`sign_chunk`] signs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Every line: a blank one fails as "empty line" (`cef sign`).
    All,
    /// Every non-blank line; a line that fails is reported as "not sent" (`cef send`).
    ToSend,
}

/// Signs the lines of `chunk`, handing each signed line to `signed`; a
/// line that cannot be signed fails the chunk with a message naming its
/// input and number.
pub fn sign_chunk(
    signer: &Signer,
    parser: &Parser,
    format: Format,
    chunk: &Chunk<'_>,
    lines: Lines,
    mut signed: impl FnMut(&[u8]),
) -> Handled<()> {
    let mut handled = Handled { status: Status::Success, messages: Vec::new(), value: () };
    let mut line_out = Vec::new();
    for (offset, line) in chunk.lines.iter().enumerate() {
        if lines == Lines::ToSend && line.is_empty() {
            continue;
        }
        line_out.clear();
        match sign_line(signer, parser, format, line, &mut line_out) {
            Ok(()) => signed(&line_out),
            Err(message) => {
                let number = chunk.first_number.saturating_add(offset as u64);
                let note = if lines == Lines::ToSend { "not sent: " } else { "" };
                handled.status = Status::LineFailed;
                handled.messages.push(match chunk.input {
                    Some(input) => format!("{input}: line {number}: {note}{message}"),
                    None => format!("line {number}: {note}{message}"),
                });
            }
        }
    }
    handled
}

/// Signs one line (without its line ending) into `out`, or says why it cannot.
fn sign_line(signer: &Signer, parser: &Parser, format: Format, input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    if input.is_empty() {
        return Err("empty line, nothing to sign".to_string());
    }
    match format {
        Format::Cef => {
            // The verifier parses the signed bytes and rejects a second ` sig=`:
            // refuse here what could never verify.
            parser.parse(input).map_err(|err| format!("not a CEF line: {err}"))?;
            if let Some(at) = memchr::memmem::find(input, b" sig=") {
                return Err(format!("already signed: ` sig=` at byte {at} (an entry carries one signature)"));
            }
            out.extend_from_slice(input);
            signer.sign_cef(out, 0).map_err(|err| err.to_string())
        }
        Format::Json | Format::Cps => {
            if let Err(err) = serde_json::from_slice::<IgnoredAny>(input) {
                return Err(format!("not valid JSON at column {}: {}", err.column(), json_message(&err)));
            }
            if format == Format::Cps && !input.starts_with(b"{\"event\":{") {
                return Err("not a CPS entry: expected a compact {\"event\":{...}} object".to_string());
            }
            if let Some(at) = memchr::memmem::find(input, b"\"sig\":") {
                return Err(format!("already signed: `\"sig\":` at byte {at} (an entry carries one signature)"));
            }
            out.extend_from_slice(input);
            let signed = if format == Format::Json { signer.sign_json(out, 0) } else { signer.sign_cps(out, 0) };
            signed.map_err(|err| match err.kind() {
                ErrorKind::NotJsonEntry if format == Format::Json => {
                    format!("{err}: expected a compact, non-empty {{...}} object ending in `}}`")
                }
                ErrorKind::NotJsonEntry => format!("{err}: expected a compact {{\"event\":{{...}}}} ending in `}}}}`"),
                _ => err.to_string(),
            })
        }
    }
}

/// serde_json's message without its `at line 1 column N` tail.
fn json_message(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let tail = format!(" at line {} column {}", err.line(), err.column());
    message.strip_suffix(&tail).unwrap_or(&message).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(format: Format, input: &str) -> Result<String, String> {
        let mut out = Vec::new();
        sign_line(&Signer::from_seed(&[1; 32]), &Parser::new(), format, input.as_bytes(), &mut out)?;
        String::from_utf8(out).map_err(|err| err.to_string())
    }

    #[test]
    fn refuses_what_could_never_verify() {
        assert!(sign(Format::Cef, "").is_err_and(|e| e.contains("empty line")));
        assert!(sign(Format::Cef, "CEF:0|a|b").is_err_and(|e| e.contains("not a CEF line")));
        assert!(sign(Format::Cef, "CEF:0|v|p|1|id|n|5|a=1 sig=x").is_err_and(|e| e.contains("already signed")));
        assert!(sign(Format::Cef, "CEF:0|v|p|1|id|n|5|a=1\rb").is_err_and(|e| e.contains("line break")));
        assert!(sign(Format::Json, "{\"a\":1").is_err_and(|e| e.contains("not valid JSON")));
        assert!(sign(Format::Json, "{}").is_err_and(|e| e.contains("non-empty")));
        assert!(sign(Format::Json, "{\"a\":1} ").is_err_and(|e| e.contains("ending in")));
        assert!(sign(Format::Json, "{\"sig\":1,\"a\":2}").is_err_and(|e| e.contains("already signed")));
        assert!(sign(Format::Cps, "{\"a\":{\"b\":1}}").is_err_and(|e| e.contains("not a CPS entry")));
        assert!(sign(Format::Cef, "CEF:0|v|p|1|id|n|5|a=1").is_ok_and(|s| s.len() == 22 + 5 + 86));
        assert!(sign(Format::Cps, "{\"event\":{\"a\":1}}").is_ok_and(|s| s.ends_with("\"}}")));
    }
}
