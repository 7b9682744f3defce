//! `cef konnect`: set up, watch and recover Konnect's audit-log delivery
//! through its API (the library's `http::KonnectApi`), from the tool that
//! verifies what it delivers.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use audit_cef::Format;
use audit_cef::chrono::{DateTime, Utc};
use audit_cef::http::{ApiError, KonnectApi};
use audit_cef::konnect::api::{
    ApiVersion, Delivery, DestinationChange, Region, ReplayRange, ReplayStatus, WebhookBinding, WebhookUpdate,
};
use audit_cef::webhook::Credential;

use crate::arg_values::{self, read_secret};
use crate::io_util::{Status, report};

const LONG_ABOUT: &str = "\
Set up, watch and recover Kong Konnect's audit-log delivery through Konnect's API: point the \
webhook at a SIEM (or at `cef receive`), see whether delivery works, send a time range again \
after an outage, and fetch the JWKS to verify with.

The API token (a personal or system account access token) is read from the environment \
variable KONNECT_TOKEN or from --token-file, never from the command line. The region picks \
https://{region}.api.konghq.com; --base-url points elsewhere (a proxy, a test stand-in).

API v3 (the default) binds the webhook to a named destination (--destination); v2 has one \
webhook that holds the endpoint itself. v2 also serves the JWKS.

Exit status: 0 success; `status`: 0 active, 1 inactive, 2 unconfigured; 1 a replay job failed \
or is already running; 2 a usage error or no token; 3 the API answered an error.";

const AFTER_HELP: &str = "\
Examples:
  export KONNECT_TOKEN=$(cat ~/.konnect/token)
  cef konnect --region eu webhook set --endpoint https://siem.example/in \\
      --authorization-file siem.secret --log-format cef
  cef konnect status || echo 'delivery is failing'
  cef konnect replay --start -2h --end now --wait
  cef konnect --api v2 jwks --out konnect.jwks.json
  cef konnect listen --listen 0.0.0.0:8443 --public-url https://me.example:8443/ \\
      --tls-cert cert.pem --tls-key key.pem --out verified.cef --rejected rejected.jsonl";

/// Arguments of `cef konnect`.
#[derive(Debug, clap::Args)]
#[command(about = "Set up and watch Konnect's audit-log webhook, replay a time range, fetch the JWKS")]
#[command(long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub struct Args {
    /// The Konnect region (the API at https://{region}.api.konghq.com).
    #[arg(long, value_name = "REGION", default_value = "us", value_parser = ["us", "eu", "au", "me", "in", "sg"])]
    pub region: String,

    /// The API's base URL instead of the region's (a proxy, a test stand-in).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// The API version: v3 (named destinations) or v2 (one webhook).
    #[arg(long, value_name = "VERSION", default_value = "v3", value_parser = ["v2", "v3"])]
    pub api: String,

    /// A file holding the API token (instead of KONNECT_TOKEN; a trailing newline is not part of it).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: KonnectCommand,
}

/// What `cef konnect` does.
#[derive(Debug, clap::Subcommand)]
pub enum KonnectCommand {
    /// Show or set the audit-log webhook.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// List or delete v3 destinations.
    #[command(subcommand)]
    Destinations(DestinationsCommand),
    /// Whether delivery works: exit 0 active, 1 inactive, 2 unconfigured, 3 an API error.
    Status {
        /// Print the status as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fetch the JWKS Konnect signs with (the v2 path).
    Jwks {
        /// Write it to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Receive and verify what Konnect sends, here and now: point the webhook at --public-url
    /// with a fresh random Authorization, receive as `cef receive --dedup` does, and disable
    /// it again on SIGINT or SIGTERM (an enabled webhook pointing elsewhere is only taken over
    /// with --force, then restored).
    Listen(ListenArgs),
    /// Have Konnect send a time range (within the last 7 days) again.
    Replay {
        /// The start: RFC 3339 (2025-06-18T21:00:00Z) or relative (-2h, -30m, -1d, now).
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        start: String,
        /// The end, as --start.
        #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
        end: String,
        /// Wait until the job has completed (exit 0) or failed (exit 1).
        #[arg(long)]
        wait: bool,
    },
}

/// `cef konnect listen`.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Where to listen: HOST:PORT.
    #[arg(long, value_name = "ADDR")]
    pub listen: String,
    /// The URL Konnect reaches this listener at (a tunnel's, a load balancer's).
    #[arg(long, value_name = "URL")]
    pub public_url: String,
    /// Where verified entries go (appended; each once).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Where rejected entries go, with their reason.
    #[arg(long, value_name = "FILE")]
    pub rejected: PathBuf,
    /// A PEM certificate chain: serve HTTPS (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Take over a webhook that is enabled and points elsewhere (restored on exit, but for
    /// its authorization, which the API never returns).
    #[arg(long)]
    pub force: bool,
    /// v3: the destination's name.
    #[arg(long, value_name = "NAME", default_value = "cef-listen")]
    pub destination: String,
}

/// `cef konnect webhook ...`.
#[derive(Debug, clap::Subcommand)]
pub enum WebhookCommand {
    /// Show the webhook (v3: the destination it is bound to).
    Get,
    /// Point the webhook at an endpoint (v3: create or update the destination, bind and enable it).
    Set(SetArgs),
}

/// `cef konnect webhook set`.
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// Where Konnect POSTs the entries.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// A file holding the Authorization value Konnect sends (required to create a v3 destination).
    #[arg(long, value_name = "FILE")]
    pub authorization_file: Option<PathBuf>,
    /// The entries' format.
    #[arg(long, value_name = "FORMAT", value_parser = arg_values::parser(LOG_FORMAT_HELP))]
    pub log_format: Option<Format>,
    /// Konnect does not check the endpoint's certificate.
    #[arg(long)]
    pub skip_ssl_verification: bool,
    /// Enable delivery (the default when an endpoint is given).
    #[arg(long, conflicts_with = "disable")]
    pub enable: bool,
    /// Disable delivery.
    #[arg(long)]
    pub disable: bool,
    /// v3: the destination's name.
    #[arg(long, value_name = "NAME", default_value = "cef")]
    pub destination: String,
}

/// `cef konnect destinations ...`.
#[derive(Debug, clap::Subcommand)]
pub enum DestinationsCommand {
    /// List the destinations.
    List,
    /// Delete a destination.
    Delete {
        /// Its id.
        id: String,
    },
}

const LOG_FORMAT_HELP: [&str; 3] =
    ["CEF lines (Konnect's default)", "one JSON object per entry", "a CPS entry {\"event\":{...}} each"];

/// Exit status for an error of the API.
const API_ERROR: u8 = 3;

/// Runs `cef konnect`; its exit code.
pub fn run(args: &Args) -> std::process::ExitCode {
    let api = match client(args) {
        Ok(api) => api,
        Err(message) => {
            report(format_args!("cef konnect: {message}"));
            return Status::Fatal.exit_code();
        }
    };
    let outcome = match &args.command {
        KonnectCommand::Webhook(WebhookCommand::Get) => webhook_get(&api),
        KonnectCommand::Webhook(WebhookCommand::Set(set)) => webhook_set(&api, set),
        KonnectCommand::Destinations(DestinationsCommand::List) => destinations_list(&api),
        KonnectCommand::Destinations(DestinationsCommand::Delete { id }) => {
            api.delete_destination(id).map(|()| (0, format!("deleted destination {id}"))).map_err(Refused::from)
        }
        KonnectCommand::Status { json } => status(&api, *json),
        KonnectCommand::Jwks { out } => jwks(&api, out.as_ref()),
        KonnectCommand::Listen(listen) => crate::konnect_listen::run(&api, listen),
        KonnectCommand::Replay { start, end, wait } => match replay_range(start, end, Utc::now()) {
            Ok(range) => replay(&api, range, *wait),
            Err(message) => {
                report(format_args!("cef konnect replay: {message}"));
                return Status::Fatal.exit_code();
            }
        },
    };
    match outcome {
        Ok((code, said)) => {
            if !said.is_empty() {
                println!("{said}");
            }
            std::process::ExitCode::from(code)
        }
        Err(Refused::Usage(message)) => {
            report(format_args!("cef konnect: {message}"));
            Status::Fatal.exit_code()
        }
        Err(Refused::Api(err)) => {
            report(format_args!("cef konnect: {err}"));
            std::process::ExitCode::from(API_ERROR)
        }
    }
}

/// Why a command stopped.
pub(crate) enum Refused {
    Usage(String),
    Api(ApiError),
}

impl From<ApiError> for Refused {
    fn from(err: ApiError) -> Refused {
        Refused::Api(err)
    }
}

/// An exit code and what to print.
pub(crate) type Outcome = Result<(u8, String), Refused>;

fn client(args: &Args) -> Result<KonnectApi, String> {
    let token = match (&args.token_file, std::env::var("KONNECT_TOKEN")) {
        (Some(path), _) => read_secret(path, "--token-file")?,
        (None, Ok(token)) if !token.trim().is_empty() => Credential::new(token.trim()),
        (None, _) => return Err("no API token: set KONNECT_TOKEN or give --token-file FILE".into()),
    };
    let base_url = match &args.base_url {
        Some(url) => url.clone(),
        None => args.region.parse::<Region>()?.base_url(),
    };
    let version = if args.api == "v2" { ApiVersion::V2 } else { ApiVersion::V3 };
    Ok(KonnectApi::new(&base_url, version, token))
}

fn webhook_get(api: &KonnectApi) -> Outcome {
    let text = match api.version() {
        ApiVersion::V2 => json(&api.webhook()?),
        ApiVersion::V3 => {
            let binding = api.binding()?;
            let destination = match &binding.audit_log_destination_id {
                Some(id) => api.destinations()?.data.into_iter().find(|destination| &destination.id == id),
                None => None,
            };
            json(&serde_json::json!({ "webhook": binding, "destination": destination }))
        }
    };
    Ok((0, text))
}

fn webhook_set(api: &KonnectApi, set: &SetArgs) -> Outcome {
    let authorization = match &set.authorization_file {
        Some(path) => Some(read_secret(path, "--authorization-file").map_err(Refused::Usage)?),
        None => None,
    };
    let enabled = if set.disable {
        Some(false)
    } else if set.enable || set.endpoint.is_some() {
        Some(true)
    } else {
        None
    };
    let skip = set.skip_ssl_verification.then_some(true);
    match api.version() {
        ApiVersion::V2 => {
            let update = WebhookUpdate {
                endpoint: set.endpoint.clone(),
                authorization,
                enabled,
                log_format: set.log_format,
                skip_ssl_verification: skip,
            };
            let webhook = api.update_webhook(&update)?;
            Ok((0, json(&webhook)))
        }
        ApiVersion::V3 => {
            let existing = api
                .destinations()?
                .data
                .into_iter()
                .find(|destination| destination.name.as_deref() == Some(&set.destination));
            let change = DestinationChange {
                name: Some(set.destination.clone()),
                endpoint: set.endpoint.clone(),
                authorization,
                log_format: set.log_format,
                skip_ssl_verification: skip,
            };
            let destination = match existing {
                Some(destination) => api.update_destination(&destination.id, &change)?,
                None => {
                    if change.endpoint.is_none() || change.authorization.is_none() {
                        return Err(Refused::Usage(format!(
                            "no destination {:?} yet: creating one needs --endpoint and --authorization-file",
                            set.destination
                        )));
                    }
                    let change = DestinationChange { log_format: change.log_format.or(Some(Format::Cef)), ..change };
                    api.create_destination(&DestinationChange {
                        skip_ssl_verification: Some(set.skip_ssl_verification),
                        ..change
                    })?
                }
            };
            let binding = WebhookBinding { audit_log_destination_id: Some(destination.id.clone()), enabled };
            let binding = api.update_binding(&binding)?;
            Ok((0, json(&serde_json::json!({ "webhook": binding, "destination": destination }))))
        }
    }
}

fn destinations_list(api: &KonnectApi) -> Outcome {
    if api.version() == ApiVersion::V2 {
        return Err(Refused::Usage("destinations are a v3 feature (--api v3)".into()));
    }
    let lines: Vec<String> = api
        .destinations()?
        .data
        .iter()
        .map(|destination| {
            format!(
                "{}  {}  {}  {}",
                destination.id,
                destination.name.as_deref().unwrap_or("-"),
                destination.endpoint.as_deref().unwrap_or("-"),
                destination.log_format.map_or("-", Format::as_str)
            )
        })
        .collect();
    Ok((0, lines.join("\n")))
}

/// `status`: 0 active, 1 inactive, 2 unconfigured.
fn status(api: &KonnectApi, as_json: bool) -> Outcome {
    let configured = match api.version() {
        ApiVersion::V2 => api.webhook()?.endpoint.is_some_and(|endpoint| !endpoint.is_empty()),
        ApiVersion::V3 => api.binding()?.audit_log_destination_id.is_some_and(|id| !id.is_empty()),
    };
    let status = api.status()?;
    let code = match (configured, status.webhook_status) {
        (false, _) => 2,
        (true, Some(Delivery::Active)) => 0,
        (true, _) => 1,
    };
    let said = if as_json {
        json(&status)
    } else {
        match code {
            0 => format!("active (enabled: {})", status.webhook_enabled.unwrap_or(false)),
            2 => "unconfigured: no endpoint (v2) or no destination bound (v3)".to_owned(),
            _ => format!(
                "inactive: last attempt {}, answered {} {}",
                status.last_attempt_at.as_deref().unwrap_or("never"),
                status.last_response_code.map_or_else(|| "-".to_owned(), |code| code.to_string()),
                status.last_response_message.as_deref().unwrap_or("")
            ),
        }
    };
    Ok((code, said))
}

fn jwks(api: &KonnectApi, out: Option<&PathBuf>) -> Outcome {
    let text = api.jwks()?;
    match out {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|err| Refused::Usage(format!("cannot write {}: {err}", path.display())))?;
            Ok((0, String::new()))
        }
        None => Ok((0, text)),
    }
}

/// `replay`: PUT the range; with `wait`, poll until it completed (0) or
/// failed (1). A running job (409) is exit 1.
fn replay(api: &KonnectApi, range: ReplayRange, wait: bool) -> Outcome {
    match api.replay(&range) {
        Ok(_) => {}
        Err(err) if err.status() == Some(409) => {
            report(format_args!(
                "cef konnect replay: a replay job is already running ({err}); try again when it is done"
            ));
            return Ok((1, String::new()));
        }
        Err(err) => return Err(err.into()),
    }
    if !wait {
        return Ok((0, format!("replay of {} to {} asked", range.start_at.to_rfc3339(), range.end_at.to_rfc3339())));
    }
    let terminal = std::io::stderr().is_terminal();
    loop {
        let job = api.replay_job()?;
        let ours = job.start_at.as_deref().and_then(parse_time) == Some(range.start_at)
            && job.end_at.as_deref().and_then(parse_time) == Some(range.end_at);
        if terminal {
            let _ = write!(std::io::stderr(), "\r\x1b[Kreplay: {:?}", job.status);
        }
        match (ours, job.status) {
            (true, Some(ReplayStatus::Completed)) => return Ok((0, "replay completed".into())),
            (true, Some(ReplayStatus::Failed)) => return Ok((1, "replay failed".into())),
            _ => std::thread::sleep(Duration::from_millis(500)),
        }
    }
}

/// `--start`/`--end`: RFC 3339, `now`, or `-N{s,m,h,d}` before `now`.
fn replay_range(start: &str, end: &str, now: DateTime<Utc>) -> Result<ReplayRange, String> {
    let range = ReplayRange { start_at: time_arg(start, now)?, end_at: time_arg(end, now)? };
    if range.start_at > range.end_at {
        return Err(format!("--start {start} is after --end {end}"));
    }
    Ok(range)
}

fn time_arg(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    if text == "now" {
        return Ok(now);
    }
    if let Some(relative) = text.strip_prefix('-') {
        let split = relative.len().saturating_sub(1);
        let (number, unit) = relative.split_at_checked(split).ok_or_else(|| bad_time(text))?;
        let number: i64 = number.parse().map_err(|_| bad_time(text))?;
        let seconds = match unit {
            "s" => number,
            "m" => number.saturating_mul(60),
            "h" => number.saturating_mul(3_600),
            "d" => number.saturating_mul(86_400),
            _ => return Err(bad_time(text)),
        };
        let ago = audit_cef::chrono::Duration::try_seconds(seconds).ok_or_else(|| bad_time(text))?;
        return Ok(now - ago);
    }
    parse_time(text).ok_or_else(|| bad_time(text))
}

fn bad_time(text: &str) -> String {
    format!("{text:?}: a time is RFC 3339 (2025-06-18T21:00:00Z), `now`, or relative (-30m, -2h, -1d)")
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|time| time.with_timezone(&Utc))
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_absolute_relative_or_now() {
        let now = DateTime::from_timestamp(1_750_280_466, 500).unwrap();
        let range = replay_range("-2h", "now", now).unwrap();
        assert_eq!(range.end_at.timestamp(), 1_750_280_466);
        assert_eq!(range.start_at.timestamp(), 1_750_280_466 - 7_200);
        assert_eq!(time_arg("2025-06-18T21:00:00Z", now).unwrap().timestamp(), 1_750_280_400);
        for bad in ["-2x", "yesterday", "-h", ""] {
            assert!(time_arg(bad, now).is_err(), "{bad}");
        }
        assert!(replay_range("now", "-1h", now).is_err());
    }
}
