//! The bodies of Konnect's audit-log API, as Kong's OpenAPI specs define
//! them (`audit-logs-v2.yaml`, `audit-logs-v3.yaml`): the webhook (v2: one
//! endpoint; v3: a named destination bound to it), its delivery status, the
//! replay job, and the `application/problem+json` errors. Pure data with
//! serde: a client sends and reads them (see `cef konnect`).
//!
//! Fields the API may leave out are `Option`s, and unknown fields are
//! ignored, so a newer API keeps being read. An `authorization` (the
//! webhook's secret) is never shown by `Debug`.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::credential::Credential;
use super::entry::Format;

/// A Konnect region: the API lives at `https://{region}.api.konghq.com`.
///
/// ```
/// use audit_cef::konnect::api::Region;
/// assert_eq!("eu".parse::<Region>()?.base_url(), "https://eu.api.konghq.com");
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// United States.
    Us,
    /// Europe.
    Eu,
    /// Australia.
    Au,
    /// Middle East.
    Me,
    /// India.
    In,
    /// Singapore.
    Sg,
}

impl Region {
    /// Every region, in the specs' order.
    pub const ALL: [Region; 6] = [Region::Us, Region::Eu, Region::Au, Region::Me, Region::In, Region::Sg];

    /// The region's name (`us`, `eu`, ...).
    ///
    /// ```
    /// assert_eq!(audit_cef::konnect::api::Region::Sg.as_str(), "sg");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Au => "au",
            Region::Me => "me",
            Region::In => "in",
            Region::Sg => "sg",
        }
    }

    /// `https://{region}.api.konghq.com`.
    ///
    /// ```
    /// assert_eq!(audit_cef::konnect::api::Region::Us.base_url(), "https://us.api.konghq.com");
    /// ```
    pub fn base_url(self) -> String {
        format!("https://{}.api.konghq.com", self.as_str())
    }
}

impl std::str::FromStr for Region {
    type Err = String;

    fn from_str(name: &str) -> Result<Region, String> {
        Region::ALL
            .into_iter()
            .find(|region| region.as_str() == name)
            .ok_or_else(|| format!("{name:?} is not a Konnect region (us, eu, au, me, in, sg)"))
    }
}

/// The API version: v2 has one webhook, v3 named destinations bound to it.
///
/// ```
/// use audit_cef::konnect::api::ApiVersion;
/// assert_eq!(ApiVersion::V3.path("/audit-log-webhook/status"), "/v3/audit-log-webhook/status");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiVersion {
    /// `/v2`: `PATCH /v2/audit-log-webhook` with the endpoint itself; a JWKS.
    V2,
    /// `/v3`: destinations (`/v3/audit-log-destinations`) bound by
    /// `PATCH /v3/audit-log-webhook`.
    #[default]
    V3,
}

impl ApiVersion {
    /// `path` (from `/`) under this version's prefix.
    pub fn path(self, path: &str) -> String {
        match self {
            ApiVersion::V2 => format!("/v2{path}"),
            ApiVersion::V3 => format!("/v3{path}"),
        }
    }
}

/// `GET /v2/audit-log-webhook`: where Konnect delivers, and how.
///
/// ```
/// let webhook: audit_cef::konnect::api::Webhook = serde_json::from_str(
///     r#"{"endpoint":"https://example.com/audit-log","enabled":true,"log_format":"cef","skip_ssl_verification":false,"updated_at":"2023-03-21T09:29:14.52Z"}"#,
/// )?;
/// assert_eq!(webhook.log_format, Some(audit_cef::Format::Cef));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Webhook {
    /// The endpoint entries are POSTed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Whether entries are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The entries' format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_format: Option<Format>,
    /// Whether the endpoint's certificate goes unchecked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_ssl_verification: Option<bool>,
    /// When it last changed (RFC 3339, as Konnect wrote it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// `PATCH /v2/audit-log-webhook`: only the fields given change.
///
/// ```
/// use audit_cef::konnect::api::WebhookUpdate;
/// let update = WebhookUpdate { enabled: Some(true), authorization: Some(audit_cef::konnect::Credential::new("Bearer s3cret")), ..WebhookUpdate::default() };
/// assert_eq!(serde_json::to_string(&update)?, r#"{"authorization":"Bearer s3cret","enabled":true}"#);
/// assert!(!format!("{update:?}").contains("s3cret"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WebhookUpdate {
    /// The endpoint entries are POSTed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The `Authorization` header Konnect sends (a secret: never shown by `Debug`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Credential>,
    /// Whether entries are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The entries' format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_format: Option<Format>,
    /// Whether the endpoint's certificate goes unchecked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_ssl_verification: Option<bool>,
}

/// `GET /v3/audit-log-webhook` and the body of its `PATCH`: which
/// destination the webhook delivers to, and whether it does.
///
/// The API answers both fields; a `PATCH` may give either alone.
///
/// ```
/// let disable = audit_cef::konnect::api::WebhookBinding { enabled: Some(false), ..Default::default() };
/// assert_eq!(serde_json::to_string(&disable)?, r#"{"enabled":false}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WebhookBinding {
    /// The destination's id (a UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_log_destination_id: Option<String>,
    /// Whether entries are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// A v3 destination, as `GET /v3/audit-log-destinations[/{id}]` returns it
/// (never with its authorization).
///
/// ```
/// let destination: audit_cef::konnect::api::Destination = serde_json::from_str(
///     r#"{"id":"07ec3858-066b-4629-bdc5-d4aa893b424d","name":"siem","endpoint":"https://siem.example/in","log_format":"json","skip_ssl_verification":false}"#,
/// )?;
/// assert_eq!(destination.name.as_deref(), Some("siem"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Destination {
    /// Its id (a UUID).
    pub id: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The endpoint entries are POSTed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The entries' format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_format: Option<Format>,
    /// Whether the endpoint's certificate goes unchecked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_ssl_verification: Option<bool>,
    /// When it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// `POST /v3/audit-log-destinations` (every field is required there) and
/// `PATCH /v3/audit-log-destinations/{id}` (only those given change).
///
/// ```
/// let create = audit_cef::konnect::api::DestinationChange {
///     name: Some("siem".into()),
///     endpoint: Some("https://siem.example/in".into()),
///     authorization: Some(audit_cef::konnect::Credential::new("Bearer s3cret")),
///     log_format: Some(audit_cef::Format::Cef),
///     skip_ssl_verification: Some(false),
/// };
/// assert!(serde_json::to_string(&create)?.contains(r#""log_format":"cef""#));
/// assert!(!format!("{create:?}").contains("s3cret"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DestinationChange {
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The endpoint entries are POSTed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The `Authorization` header Konnect sends (a secret: never shown by `Debug`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Credential>,
    /// The entries' format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_format: Option<Format>,
    /// Whether the endpoint's certificate goes unchecked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_ssl_verification: Option<bool>,
}

/// `GET /v3/audit-log-destinations`: a page of destinations.
///
/// ```
/// let page: audit_cef::konnect::api::Destinations = serde_json::from_str(r#"{"data":[],"meta":{"size":10}}"#)?;
/// assert!(page.data.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Destinations {
    /// The destinations.
    pub data: Vec<Destination>,
    /// The page's links (`next`, `previous`) and size, as sent.
    #[serde(default)]
    pub meta: serde_json::Value,
}

/// `GET .../audit-log-webhook/status`: whether delivery works.
///
/// ```
/// let status: audit_cef::konnect::api::WebhookStatus = serde_json::from_str(
///     r#"{"webhook_enabled":true,"webhook_status":"inactive","last_attempt_at":"2023-03-21T09:29:14.52Z","last_response_code":401,"last_response_message":"Unauthorized"}"#,
/// )?;
/// assert_eq!(status.webhook_status, Some(audit_cef::konnect::api::Delivery::Inactive));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WebhookStatus {
    /// `active`, or `inactive` after failed attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_status: Option<Delivery>,
    /// Whether the webhook is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_enabled: Option<bool>,
    /// When Konnect last tried to deliver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<String>,
    /// The endpoint's last status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_response_code: Option<u16>,
    /// The endpoint's last answer, as Konnect kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_response_message: Option<String>,
}

/// Whether Konnect's deliveries work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// Sending, or ready to send.
    Active,
    /// Turned off after failed attempts.
    Inactive,
}

/// `PUT .../audit-log-replay-job`: send a time range (within the last 7
/// days) again.
///
/// ```
/// use audit_cef::chrono::DateTime;
/// let job = audit_cef::konnect::api::ReplayRange {
///     start_at: DateTime::from_timestamp(1_750_280_400, 0).unwrap(),
///     end_at: DateTime::from_timestamp(1_750_284_000, 0).unwrap(),
/// };
/// assert_eq!(serde_json::to_string(&job)?, r#"{"start_at":"2025-06-18T21:00:00Z","end_at":"2025-06-18T22:00:00Z"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayRange {
    /// The start of the range.
    #[serde(serialize_with = "rfc3339", deserialize_with = "from_rfc3339")]
    pub start_at: DateTime<Utc>,
    /// The end of the range.
    #[serde(serialize_with = "rfc3339", deserialize_with = "from_rfc3339")]
    pub end_at: DateTime<Utc>,
}

/// `GET .../audit-log-replay-job` (and the answer to its `PUT`).
///
/// ```
/// let job: audit_cef::konnect::api::ReplayJob = serde_json::from_str(
///     r#"{"start_at":"2017-07-21T17:32:28Z","end_at":"2017-07-21T18:32:28Z","status":"running","updated_at":"2017-07-21T18:40:00Z"}"#,
/// )?;
/// assert_eq!(job.status, Some(audit_cef::konnect::api::ReplayStatus::Running));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReplayJob {
    /// The start of the range (RFC 3339, as Konnect wrote it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at: Option<String>,
    /// The end of the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_at: Option<String>,
    /// Where the job stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReplayStatus>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// Where a replay job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplayStatus {
    /// No job was ever asked for.
    Unconfigured,
    /// Asked for.
    Accepted,
    /// Waiting to run.
    Pending,
    /// Sending the range.
    Running,
    /// The range was sent.
    Completed,
    /// It stopped without sending the range.
    Failed,
}

/// An `application/problem+json` error of the API.
///
/// ```
/// let problem: audit_cef::konnect::api::Problem = serde_json::from_str(
///     r#"{"status":400,"title":"Bad Request","detail":"Required field missing","instance":"konnect:trace:1","invalid_parameters":[{"field":"authorization","reason":"cannot be blank"}]}"#,
/// )?;
/// assert_eq!(problem.to_string(), "400 Bad Request: Required field missing (authorization: cannot be blank)");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Problem {
    /// The HTTP status.
    #[serde(default)]
    pub status: u16,
    /// A short title.
    #[serde(default)]
    pub title: String,
    /// What went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Konnect's trace id for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Which request fields were refused, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invalid_parameters: Vec<InvalidParameter>,
}

/// One refused field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InvalidParameter {
    /// The field.
    #[serde(default)]
    pub field: String,
    /// Why it was refused.
    #[serde(default)]
    pub reason: String,
}

impl fmt::Display for Problem {
    /// One line: status, title, detail, and each refused field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.title)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        if !self.invalid_parameters.is_empty() {
            let fields: Vec<String> = self
                .invalid_parameters
                .iter()
                .map(|parameter| format!("{}: {}", parameter.field, parameter.reason))
                .collect();
            write!(f, " ({})", fields.join("; "))?;
        }
        Ok(())
    }
}

fn rfc3339<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn from_rfc3339<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)?;
    DateTime::parse_from_rfc3339(&text).map(|time| time.with_timezone(&Utc)).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example of Kong's specs (copied, with their source, into
    /// tests/data/konnect-api/examples.json) reads into its type and back
    /// to the same JSON.
    #[test]
    fn the_specs_examples_read_and_write_back() {
        let examples: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/konnect-api/examples.json")).unwrap();
        fn round_trip<T: Serialize + for<'de> Deserialize<'de>>(value: &serde_json::Value) {
            let typed: T = serde_json::from_value(value.clone()).unwrap();
            assert_eq!(&serde_json::to_value(&typed).unwrap(), value);
        }
        round_trip::<Webhook>(&examples["Get-Audit-Log-Webhook"]);
        round_trip::<WebhookUpdate>(&examples["Update-Audit-Log-Webhook"]);
        round_trip::<WebhookUpdate>(&examples["Enable-Audit-Log-Webhook"]);
        round_trip::<WebhookStatus>(&examples["Get-Audit-Log-Webhook-Status"]);
        round_trip::<Destination>(&examples["Audit-Log-Destination"]);
        round_trip::<Destinations>(&examples["Audit-Log-Destinations"]);
        round_trip::<DestinationChange>(&examples["Create-Audit-Log-Destination-Request"]);
        round_trip::<Problem>(&examples["400-authorization-cannot-be-blank"]);
        round_trip::<Problem>(&examples["409-job-running"]);
        round_trip::<ReplayJob>(&examples["Replay-Job"]);
        round_trip::<ReplayRange>(&examples["Replay-Range"]);
        round_trip::<WebhookBinding>(&examples["Audit-Logs-Webhook-v3"]);
        round_trip::<WebhookBinding>(&examples["Update-Audit-Logs-Webhook-v3"]);
        round_trip::<WebhookBinding>(&examples["Disable-Audit-Logs-Webhook-v3"]);
    }

    #[test]
    fn unknown_fields_and_formats() {
        let webhook: Webhook = serde_json::from_str(r#"{"enabled":false,"future_field":1}"#).unwrap();
        assert_eq!(webhook.enabled, Some(false));
        assert!(serde_json::from_str::<Webhook>(r#"{"log_format":"xml"}"#).is_err());
        assert!("mars".parse::<Region>().unwrap_err().contains("us, eu"));
    }
}
