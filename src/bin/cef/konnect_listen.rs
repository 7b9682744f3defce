//! `cef konnect listen`: what `kongctl listen audit-logs` does, verifying.
//! The webhook (v2) or a destination (v3) is pointed at `--public-url`
//! with a fresh random Authorization, the entries are received as `cef
//! receive --dedup` receives them (its JWKS fetched from the API and
//! followed), and on SIGINT or SIGTERM the webhook is disabled again, or
//! given back as it was when it was taken over with `--force`.

use audit_cef::Format;
use audit_cef::http::KonnectApi;
use audit_cef::konnect::api::{ApiVersion, DestinationChange, Webhook, WebhookBinding, WebhookUpdate};
use audit_cef::webhook::Credential;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::Parser as _;

use crate::collector::{self, Collector};
use crate::io_util::{report, warn};
use crate::konnect::{ListenArgs, Outcome, Refused};

const COMMAND: &str = "cef konnect listen";

/// The collector's options, read as `cef receive` reads them.
#[derive(clap::Parser)]
struct Receiving {
    #[command(flatten)]
    collector: Collector,
}

/// What to do with the webhook when listening ends.
enum GiveBack {
    /// v2: disable it, or put back the one taken over.
    V2(Option<Webhook>),
    /// v3: disable the binding, or bind the destination taken over again.
    V3(Option<WebhookBinding>),
}

/// Runs `cef konnect listen`: 0 when it listened and gave the webhook back.
pub fn run(api: &KonnectApi, listen: &ListenArgs) -> Outcome {
    let secret = random_authorization().map_err(Refused::Usage)?;
    let jwks_url = format!("{}{}", api.base_url(), ApiVersion::V2.path("/audit-log-webhook/jwks.json"));
    let mut argv = vec!["cef konnect listen".to_owned(), "--listen".into(), listen.listen.clone()];
    argv.extend(["--jwks".into(), jwks_url, "--dedup".into()]);
    argv.extend(["--rejected".into(), listen.rejected.display().to_string()]);
    if let (Some(cert), Some(key)) = (&listen.tls_cert, &listen.tls_key) {
        argv.extend(["--tls-cert".into(), cert.display().to_string(), "--tls-key".into(), key.display().to_string()]);
    }
    let mut receiving = Receiving::try_parse_from(&argv).map_err(|err| Refused::Usage(err.to_string()))?;
    receiving.collector.authorization = Some(Credential::new(secret.clone()));
    receiving.collector.authorization_file = None;
    // Kong's spec asks the API token for the JWKS too.
    receiving.collector.keys.jwks_token = Some(api.token().clone());
    receiving.collector.start_logging().map_err(Refused::Usage)?;
    let give_back = point_at(api, listen, &secret)?;
    report(format_args!("{COMMAND}: the webhook points at {} (a fresh Authorization)", listen.public_url));
    let status = collector::receive_http(&receiving.collector, &listen.out, COMMAND);
    give_webhook_back(api, give_back)?;
    Ok((status.code(), String::new()))
}

/// Points the webhook at the listener, refusing to take over an enabled
/// one pointing elsewhere without --force; what to give back at the end.
fn point_at(api: &KonnectApi, listen: &ListenArgs, secret: &str) -> Result<GiveBack, Refused> {
    let elsewhere = |endpoint: Option<&str>| {
        Refused::Usage(format!(
            "the webhook is enabled and points at {}: --force to take it over (it is given back on exit, \
             but for its authorization, which the API never returns)",
            endpoint.unwrap_or("another destination")
        ))
    };
    match api.version() {
        ApiVersion::V2 => {
            let before = api.webhook()?;
            let taken = before.enabled == Some(true) && before.endpoint.as_deref() != Some(listen.public_url.as_str());
            if taken && !listen.force {
                return Err(elsewhere(before.endpoint.as_deref()));
            }
            let update = WebhookUpdate {
                endpoint: Some(listen.public_url.clone()),
                authorization: Some(Credential::new(secret)),
                enabled: Some(true),
                log_format: Some(before.log_format.unwrap_or(Format::Cef)),
                skip_ssl_verification: None,
            };
            api.update_webhook(&update)?;
            Ok(GiveBack::V2(taken.then_some(before)))
        }
        ApiVersion::V3 => {
            let before = api.binding()?;
            let ours = api.destinations()?.data.into_iter().find(|d| d.name.as_deref() == Some(&listen.destination));
            let taken = before.enabled == Some(true)
                && before
                    .audit_log_destination_id
                    .as_deref()
                    .is_some_and(|id| ours.as_ref().is_none_or(|d| d.id != id));
            if taken && !listen.force {
                return Err(elsewhere(None));
            }
            let change = DestinationChange {
                name: Some(listen.destination.clone()),
                endpoint: Some(listen.public_url.clone()),
                authorization: Some(Credential::new(secret)),
                log_format: Some(Format::Cef),
                skip_ssl_verification: Some(false),
            };
            let destination = match ours {
                Some(destination) => api.update_destination(&destination.id, &change)?,
                None => api.create_destination(&change)?,
            };
            api.update_binding(&WebhookBinding {
                audit_log_destination_id: Some(destination.id),
                enabled: Some(true),
            })?;
            Ok(GiveBack::V3(taken.then_some(before)))
        }
    }
}

/// Disables the webhook again, or gives back the one taken over.
fn give_webhook_back(api: &KonnectApi, give_back: GiveBack) -> Result<(), Refused> {
    match give_back {
        GiveBack::V2(None) => {
            api.update_webhook(&WebhookUpdate { enabled: Some(false), ..WebhookUpdate::default() })?;
            report(format_args!("{COMMAND}: the webhook is disabled again"));
        }
        GiveBack::V2(Some(before)) => {
            let update = WebhookUpdate {
                endpoint: before.endpoint,
                authorization: None,
                enabled: before.enabled,
                log_format: before.log_format,
                skip_ssl_verification: before.skip_ssl_verification,
            };
            api.update_webhook(&update)?;
            warn(format_args!(
                "{COMMAND}: warning: the webhook's endpoint, format and state are given back, but not its \
                 authorization (the API never returns it): set it again with `cef konnect webhook set \
                 --authorization-file FILE`"
            ));
        }
        GiveBack::V3(None) => {
            api.update_binding(&WebhookBinding { audit_log_destination_id: None, enabled: Some(false) })?;
            report(format_args!("{COMMAND}: the webhook is disabled again"));
        }
        GiveBack::V3(Some(before)) => {
            api.update_binding(&before)?;
            report(format_args!("{COMMAND}: the webhook is bound to its destination again"));
        }
    }
    Ok(())
}

/// `Bearer ` and 32 random bytes, base64url.
fn random_authorization() -> Result<String, String> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|err| format!("no randomness from the OS: {err}"))?;
    Ok(format!("Bearer {}", URL_SAFE_NO_PAD.encode(bytes.as_ref())))
}
