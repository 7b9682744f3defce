//! Konnect's audit-log webhook configuration (konnect.md section 4): the v2
//! `PATCH /v2/audit-log-webhook` body and its `GET` view, and the v3
//! destination, serde-compatible with Konnect's JSON and validated with
//! Konnect's messages. The `authorization` value is a [`Credential`]: never
//! in `Debug`, never in a read view, compared in constant time.

use serde::{Deserialize, Serialize};

use crate::konnect::{Credential, Format};

/// One problem with a configuration, as Konnect's problem+json lists it in
/// `invalid_parameters`.
///
/// ```
/// use audit_cef::webhook::WebhookUpdate;
/// let update: WebhookUpdate = serde_json::from_str(r#"{"endpoint":""}"#).unwrap();
/// let problems = update.validate().unwrap_err();
/// assert_eq!(serde_json::to_string(&problems).unwrap(), r#"[{"field":"endpoint","reason":"cannot be blank"}]"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InvalidParameter {
    /// The member at fault.
    pub field: &'static str,
    /// Konnect's message: `cannot be blank` or `must be a valid URL`.
    pub reason: &'static str,
}

/// The body of `PATCH /v2/audit-log-webhook` is [`crate::konnect::api::WebhookUpdate`],
/// the type `cef konnect` sends; a stand-in for Konnect checks it here.
pub use crate::konnect::api::WebhookUpdate;

/// Checking an update as Konnect does.
///
/// ```
/// use audit_cef::Format;
/// use audit_cef::webhook::{Credential, WebhookUpdate};
/// let update = WebhookUpdate {
///     endpoint: Some("https://collectors.sumologic.com/receiver/v1/http/XYZ".into()),
///     authorization: Some(Credential::new("Bearer t")),
///     enabled: Some(true),
///     log_format: Some(Format::Cef),
///     ..WebhookUpdate::default()
/// };
/// assert!(update.validate().is_ok());
/// assert!(!format!("{update:?}").contains("Bearer"));
/// assert_eq!(
///     serde_json::to_string(&update).unwrap(),
///     r#"{"endpoint":"https://collectors.sumologic.com/receiver/v1/http/XYZ","authorization":"Bearer t","enabled":true,"log_format":"cef"}"#
/// );
/// ```
impl WebhookUpdate {
    /// Checks the members given, with Konnect's messages.
    ///
    /// # Errors
    ///
    /// Every problem found: an `endpoint` or `authorization` that is blank,
    /// an `endpoint` that is not an `http` or `https` URL.
    ///
    /// ```
    /// let update = audit_cef::webhook::WebhookUpdate { endpoint: Some("ftp://x".into()), ..Default::default() };
    /// assert_eq!(update.validate().unwrap_err()[0].reason, "must be a valid URL");
    /// ```
    pub fn validate(&self) -> Result<(), Vec<InvalidParameter>> {
        let mut problems = Vec::new();
        if let Some(endpoint) = &self.endpoint {
            check_endpoint(endpoint, &mut problems);
        }
        check_authorization(self.authorization.as_ref(), &mut problems);
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

/// The webhook as `GET /v2/audit-log-webhook` shows it: no `authorization`
/// member at all, so a read view cannot carry the secret.
///
/// ```
/// let view: audit_cef::webhook::Webhook = serde_json::from_str(r#"{"endpoint":"https://siem.example/in"}"#).unwrap();
/// assert!(!view.enabled);
/// assert_eq!(view.log_format, audit_cef::Format::Cef);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// Where Konnect posts the batches.
    #[serde(default)]
    pub endpoint: String,
    /// Whether delivery is on.
    #[serde(default)]
    pub enabled: bool,
    /// The entries' format.
    #[serde(default)]
    pub log_format: Format,
    /// Whether Konnect skips TLS certificate checks.
    #[serde(default)]
    pub skip_ssl_verification: bool,
}

/// A v3 audit-log destination (`POST /v3/audit-log-destinations`).
///
/// ```
/// let destination: audit_cef::webhook::AuditLogDestination =
///     serde_json::from_str(r#"{"name":"sumo","endpoint":"https://siem.example/in","authorization":"Bearer t"}"#).unwrap();
/// assert!(destination.validate().is_ok());
/// assert!(!destination.skip_ssl_verification);
/// assert!(!format!("{destination:?}").contains("Bearer"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogDestination {
    /// The destination's name.
    pub name: String,
    /// Where Konnect posts the batches.
    pub endpoint: String,
    /// The entries' format.
    #[serde(default)]
    pub log_format: Format,
    /// The `Authorization` header sent verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Credential>,
    /// Whether Konnect skips TLS certificate checks.
    #[serde(default)]
    pub skip_ssl_verification: bool,
}

impl AuditLogDestination {
    /// Checks the destination, with Konnect's messages.
    ///
    /// # Errors
    ///
    /// Every problem found: a blank `name`, `endpoint` or `authorization`,
    /// an `endpoint` that is not an `http` or `https` URL.
    ///
    /// ```
    /// let destination: audit_cef::webhook::AuditLogDestination = serde_json::from_str(r#"{"name":" ","endpoint":"x"}"#).unwrap();
    /// let fields: Vec<&str> = destination.validate().unwrap_err().iter().map(|p| p.field).collect();
    /// assert_eq!(fields, ["name", "endpoint"]);
    /// ```
    pub fn validate(&self) -> Result<(), Vec<InvalidParameter>> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(InvalidParameter { field: "name", reason: BLANK });
        }
        check_endpoint(&self.endpoint, &mut problems);
        check_authorization(self.authorization.as_ref(), &mut problems);
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

const BLANK: &str = "cannot be blank";
const NOT_A_URL: &str = "must be a valid URL";

fn check_authorization(authorization: Option<&Credential>, problems: &mut Vec<InvalidParameter>) {
    if authorization.is_some_and(|a| a.expose().trim().is_empty()) {
        problems.push(InvalidParameter { field: "authorization", reason: BLANK });
    }
}

fn check_endpoint(endpoint: &str, problems: &mut Vec<InvalidParameter>) {
    if endpoint.trim().is_empty() {
        problems.push(InvalidParameter { field: "endpoint", reason: BLANK });
    } else if !is_http_url(endpoint) {
        problems.push(InvalidParameter { field: "endpoint", reason: NOT_A_URL });
    }
}

/// `http://` or `https://` (any case), a host, then anything without
/// spaces or control characters.
pub(crate) fn is_http_url(text: &str) -> bool {
    let starts =
        |scheme: &[u8]| text.as_bytes().get(..scheme.len()).is_some_and(|head| head.eq_ignore_ascii_case(scheme));
    let rest = if starts(b"https://") {
        text.get(8..)
    } else if starts(b"http://") {
        text.get(7..)
    } else {
        None
    };
    let Some(rest) = rest else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_name = host.rsplit('@').next().unwrap_or_default();
    !host_name.is_empty() && !host_name.starts_with(':') && text.bytes().all(|b| b.is_ascii_graphic() || !b.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_konnect_would_take_and_refuse() {
        for good in
            ["https://a", "HTTP://a:8080/x?y#z", "https://u:p@host/", "https://ünïcode.example/", "http://ü.example"]
        {
            assert!(is_http_url(good), "{good}");
        }
        for bad in ["", "a", "ftp://a", "https://", "https:///path", "https://:80/", "https://a b", "https://a\n"] {
            assert!(!is_http_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_secret_stays_out_of_debug_and_views() {
        let json = r#"{"endpoint":"https://siem.example/in","authorization":"Splunk abc123","enabled":true,"log_format":"json","skip_ssl_verification":true}"#;
        let update: WebhookUpdate = serde_json::from_str(json).unwrap();
        assert!(!format!("{update:?}").contains("abc123"));
        assert_eq!(serde_json::to_string(&update).unwrap(), json, "the PATCH body keeps it, to send it");
        let view: Webhook = serde_json::from_str(json).unwrap();
        assert!(!serde_json::to_string(&view).unwrap().contains("abc123"));
        assert_eq!((view.enabled, view.log_format, view.skip_ssl_verification), (true, Format::Json, true));
    }

    #[test]
    fn every_problem_is_reported() {
        let update: WebhookUpdate = serde_json::from_str(r#"{"endpoint":"nope","authorization":"  "}"#).unwrap();
        assert_eq!(
            update.validate().unwrap_err(),
            [
                InvalidParameter { field: "endpoint", reason: NOT_A_URL },
                InvalidParameter { field: "authorization", reason: BLANK },
            ]
        );
        assert!(WebhookUpdate::default().validate().is_ok(), "every member is optional");
    }

    #[test]
    fn credentials_compare_whole() {
        let credential = Credential::new("Bearer token");
        for other in [&b""[..], b"Bearer", b"Bearer tokeN", b"Bearer token ", b"bearer token"] {
            assert!(!credential.matches(other), "{other:?}");
        }
        assert!(credential.matches(b"Bearer token"));
        assert!(Credential::new("").matches(b""));
    }
}
