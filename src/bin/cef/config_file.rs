//! `--config FILE` for `cef receive`, `cef relay` and `cef send`: a TOML
//! file of options by their long names, turned into arguments before clap
//! reads the command line, so one definition (and one set of checks)
//! serves both. An option given as a flag or by its environment variable
//! wins over the file; the file wins over the default. Secrets are never
//! inline: only their `-file` options or the environment.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::Path;

use clap::{ArgAction, Command};

/// The subcommands that read `--config`.
const TAKES_CONFIG: [&str; 3] = ["receive", "relay", "send"];

/// Options that hold a secret: refused inline, with the option to use.
const SECRETS: [(&str, &str); 2] =
    [("authorization", "authorization-file"), ("forward-authorization", "forward-authorization-file")];

/// `args` with the options of a `--config FILE` added (those not given as
/// flags or in the environment), or the message of a usage error.
pub fn expand(command: &Command, args: Vec<OsString>) -> Result<Vec<OsString>, String> {
    let Some((subcommand_at, name)) = subcommand_of(&args) else { return Ok(args) };
    if !TAKES_CONFIG.contains(&name.as_str()) {
        return Ok(args);
    }
    let Some(path) = config_path(&args) else { return Ok(args) };
    let Some(subcommand) = command.find_subcommand(&name) else { return Ok(args) };
    let text =
        std::fs::read_to_string(path).map_err(|err| format!("--config {}: cannot read it: {err}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|err: toml::de::Error| format!("--config {}: not TOML: {}", path.display(), err.to_string().trim()))?;
    let given = |long: &str, short: Option<char>| {
        args.iter().filter_map(|arg| arg.to_str()).any(|arg| {
            arg == format!("--{long}")
                || arg.starts_with(&format!("--{long}="))
                || short.is_some_and(|short| arg == format!("-{short}"))
        })
    };
    let mut added: Vec<OsString> = Vec::new();
    let mut unknown = Vec::new();
    for (key, value) in &table {
        if let Some((_, file_option)) = SECRETS.iter().find(|(secret, _)| secret == key) {
            return Err(format!(
                "--config {}: `{key}` is a secret, never written inline: give `{file_option}` (a file holding \
                 it) or the environment variable",
                path.display()
            ));
        }
        let Some(arg) = subcommand.get_arguments().find(|arg| arg.get_long() == Some(key.as_str()) && key != "config")
        else {
            unknown.push(key.clone());
            continue;
        };
        let in_environment =
            |arg: &clap::Arg| arg.get_env().is_some_and(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
        // A secret's file gives way to the secret given as a flag or in the
        // environment, as any option does.
        let secret_given = SECRETS.iter().filter(|(_, file_option)| file_option == key).any(|(secret, _)| {
            subcommand
                .get_arguments()
                .find(|arg| arg.get_long() == Some(secret))
                .is_some_and(|arg| given(secret, None) || in_environment(arg))
        });
        if given(key, arg.get_short()) || in_environment(arg) || secret_given {
            continue;
        }
        let flag = matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::Count);
        push_option(&mut added, key, value, flag)
            .map_err(|why| format!("--config {}: `{key}`: {why}", path.display()))?;
    }
    if !unknown.is_empty() {
        let mut message = format!("--config {}: unknown ", path.display());
        let _ = write!(message, "{} ", if unknown.len() == 1 { "key" } else { "keys" });
        message.push_str(&unknown.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join(", "));
        let _ = write!(message, " (`cef {name} --help` lists the options; a key is an option's long name)");
        return Err(message);
    }
    let mut expanded = args;
    let at = subcommand_at.saturating_add(1).min(expanded.len());
    expanded.splice(at..at, added);
    Ok(expanded)
}

/// The first argument that is not an option, and where it is.
fn subcommand_of(args: &[OsString]) -> Option<(usize, String)> {
    args.iter().enumerate().skip(1).find_map(|(at, arg)| {
        let arg = arg.to_str()?;
        (!arg.starts_with('-')).then(|| (at, arg.to_owned()))
    })
}

/// The value of `--config FILE` or `--config=FILE`.
fn config_path(args: &[OsString]) -> Option<&Path> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            return None;
        }
        if arg == "--config" {
            return args.next().map(Path::new);
        }
        if let Some(path) = arg.to_str().and_then(|arg| arg.strip_prefix("--config=")) {
            return Some(Path::new(path));
        }
    }
    None
}

/// `--key value` (each value of an array), or `--key` for a flag that is `true`.
fn push_option(added: &mut Vec<OsString>, key: &str, value: &toml::Value, flag: bool) -> Result<(), String> {
    if flag {
        return match value {
            toml::Value::Boolean(true) => {
                added.push(format!("--{key}").into());
                Ok(())
            }
            toml::Value::Boolean(false) => Ok(()),
            _ => Err("a switch takes true or false".into()),
        };
    }
    let values: Vec<&toml::Value> = match value {
        toml::Value::Array(values) => values.iter().collect(),
        value => vec![value],
    };
    for value in values {
        let text = match value {
            toml::Value::String(text) => text.clone(),
            toml::Value::Integer(number) => number.to_string(),
            toml::Value::Float(number) => number.to_string(),
            toml::Value::Boolean(value) => value.to_string(),
            _ => return Err("a string, a number, or a list of them".into()),
        };
        added.push(format!("--{key}={text}").into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_are_read_by_long_name() {
        let mut added = Vec::new();
        push_option(&mut added, "max-keys", &toml::Value::Integer(8), false).unwrap();
        push_option(&mut added, "quiet", &toml::Value::Boolean(true), true).unwrap();
        push_option(&mut added, "no-auth", &toml::Value::Boolean(false), true).unwrap();
        assert_eq!(added, os(&["--max-keys=8", "--quiet"]));
        assert!(push_option(&mut added, "quiet", &toml::Value::Integer(1), true).is_err());
    }

    #[test]
    fn the_path_and_the_subcommand_are_found() {
        let args = os(&["cef", "receive", "--config=c.toml", "--listen", "x"]);
        assert_eq!(config_path(&args), Some(Path::new("c.toml")));
        assert_eq!(subcommand_of(&args), Some((1, "receive".into())));
        assert_eq!(config_path(&os(&["cef", "send", "--", "--config", "f"])), None);
    }
}
