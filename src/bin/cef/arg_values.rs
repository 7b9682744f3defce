//! Argument values several subcommands read: `--format` and `--to` (the
//! library's `audit_cef::Format`, each command describing the three values
//! in its own words) and the credentials (`--authorization`).

use audit_cef::Format;
use audit_cef::webhook::Credential;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

/// What `--format` of `cef sign` and `cef verify` means for `cef`, `json` and `cps`.
pub const FORMAT_HELP: [&str; 3] = [
    "A CEF line; the signature is appended as ` sig=...`",
    "A compact JSON object; the signature is its last member `\"sig\"`",
    "A CPS entry `{\"event\":{...}}`; the signature is the last member of `event`",
];

/// A secret from the command line, held as a [`Credential`] from the
/// start: zeroized, and never shown by `Debug`.
pub fn credential(value: &str) -> Result<Credential, std::convert::Infallible> {
    Ok(Credential::new(value))
}

/// Reads a secret from `path` (`flag` names it in messages, which never
/// hold the file's contents): the whole file but one trailing line break.
pub fn read_secret(path: &std::path::Path, flag: &str) -> Result<Credential, String> {
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(path).map_err(|err| format!("{flag} {}: cannot read it: {err}", path.display()))?,
    );
    let text = std::str::from_utf8(&bytes).map_err(|_| format!("{flag} {}: not UTF-8 text", path.display()))?;
    let text = text.strip_suffix('\n').map_or(text, |text| text.strip_suffix('\r').unwrap_or(text));
    if text.contains(['\r', '\n']) {
        return Err(format!("{flag} {}: more than one line (a header value is one line)", path.display()));
    }
    Ok(Credential::new(text))
}

/// A secret given by value (the flag or its environment variable) or by
/// file (`file_flag`), not both.
pub fn secret_from(
    value: Option<&Credential>,
    file: Option<&std::path::Path>,
    file_flag: &str,
) -> Result<Option<Credential>, String> {
    match (value, file) {
        (Some(value), None) => Ok(Some(value.clone())),
        (None, Some(path)) => read_secret(path, file_flag).map(Some),
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(format!(
            "{file_flag} and the value it would give are both set (the flag, or its environment variable): give one"
        )),
    }
}

/// Parses `cef`, `json` or `cps` (listed with `help`, in that order, in
/// `--help`) into a `Format`.
pub fn parser(help: [&'static str; 3]) -> impl TypedValueParser<Value = Format> {
    let [cef, json, cps] = help;
    PossibleValuesParser::new([
        PossibleValue::new(Format::Cef.as_str()).help(cef),
        PossibleValue::new(Format::Json.as_str()).help(json),
        PossibleValue::new(Format::Cps.as_str()).help(cps),
    ])
    // Only the three names above get here, and `Format` reads each of them.
    .try_map(|name| name.parse::<Format>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_is_offered_and_read() {
        let parser = parser(["c", "j", "p"]);
        let names: Vec<String> =
            parser.possible_values().into_iter().flatten().map(|value| value.get_name().to_string()).collect();
        assert_eq!(names, ["cef", "json", "cps"]);
        let command = clap::Command::new("t");
        for format in [Format::Cef, Format::Json, Format::Cps] {
            let value = parser.parse_ref(&command, None, std::ffi::OsStr::new(format.as_str()));
            assert_eq!(value.ok(), Some(format));
        }
        assert!(parser.parse_ref(&command, None, std::ffi::OsStr::new("CEF")).is_err());
    }
}
