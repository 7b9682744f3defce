//! A small blocking client of Konnect's audit-log API (the bodies are
//! `konnect::api`): the webhook, its status, v3 destinations, the replay
//! job and the JWKS. A 429 or 5xx is retried with backoff; any other error
//! is the API's `application/problem+json`, kept typed. The token is sent
//! as `Authorization: Bearer` and never shown.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::Agent;

use crate::konnect::api::{
    ApiVersion, Destination, DestinationChange, Destinations, Problem, ReplayJob, ReplayRange, Webhook, WebhookBinding,
    WebhookStatus, WebhookUpdate,
};
use crate::webhook::Credential;

/// Attempts of a request the API answered 429 or 5xx (or that got no answer).
const ATTEMPTS: u32 = 4;

/// The most an API answer may hold.
const MAX_ANSWER: u64 = 4 << 20;

/// A client of one Konnect organisation's audit-log API.
///
/// ```no_run
/// use audit_cef::http::KonnectApi;
/// use audit_cef::konnect::api::{ApiVersion, Region};
/// use audit_cef::webhook::Credential;
/// let api = KonnectApi::new(&Region::Us.base_url(), ApiVersion::V2, Credential::new(std::env::var("KONNECT_TOKEN")?));
/// let status = api.status()?;
/// println!("{:?}", status.webhook_status);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct KonnectApi {
    agent: Agent,
    base_url: String,
    version: ApiVersion,
    token: Credential,
    backoff: Duration,
}

impl fmt::Debug for KonnectApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KonnectApi").field("base_url", &self.base_url).field("version", &self.version).finish()
    }
}

/// Why an API call failed.
#[derive(Debug)]
pub enum ApiError {
    /// The API's own error (`application/problem+json`).
    Problem(Problem),
    /// An error status without a problem document.
    Status {
        /// The status.
        status: u16,
        /// The start of the body, for the message.
        body: String,
    },
    /// No answer (connection, TLS, timeout), after the retries.
    Transport(String),
    /// An answer that is not the JSON the spec describes.
    Decode(String),
}

impl ApiError {
    /// The HTTP status, when the API answered.
    ///
    /// ```
    /// assert_eq!(audit_cef::http::ApiError::Transport("refused".into()).status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(problem) => Some(problem.status),
            ApiError::Status { status, .. } => Some(*status),
            ApiError::Transport(_) | ApiError::Decode(_) => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Problem(problem) => write!(f, "{problem}")?,
            ApiError::Status { status, body } => write!(f, "HTTP {status}: {body}")?,
            ApiError::Transport(cause) => write!(f, "no answer from the Konnect API: {cause}")?,
            ApiError::Decode(cause) => write!(f, "an answer the Konnect API spec does not describe: {cause}")?,
        }
        match self.status() {
            Some(401) => f.write_str(" (check the token: KONNECT_TOKEN or --token-file)"),
            Some(403) => f.write_str(" (the token lacks the permission: an org admin's, or audit-log rights)"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for ApiError {}

impl KonnectApi {
    /// A client of `base_url` (`https://us.api.konghq.com`, or a stand-in's)
    /// in API `version`, authenticated by `token`.
    pub fn new(base_url: &str, version: ApiVersion, token: Credential) -> KonnectApi {
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        KonnectApi {
            agent,
            base_url: base_url.trim_end_matches('/').to_owned(),
            version,
            token,
            backoff: Duration::from_millis(500),
        }
    }

    /// Waits `backoff`, doubling, between retries (tests shorten it).
    ///
    /// ```
    /// # use audit_cef::{http::KonnectApi, konnect::api::ApiVersion, webhook::Credential};
    /// let api = KonnectApi::new("http://127.0.0.1:9", ApiVersion::V2, Credential::new("t")).backoff(std::time::Duration::ZERO);
    /// ```
    pub fn backoff(mut self, backoff: Duration) -> KonnectApi {
        self.backoff = backoff;
        self
    }

    /// The API version this client speaks.
    pub fn version(&self) -> ApiVersion {
        self.version
    }

    /// The token it sends.
    ///
    /// ```
    /// # use audit_cef::{http::KonnectApi, konnect::api::ApiVersion, webhook::Credential};
    /// let api = KonnectApi::new("https://eu.api.konghq.com", ApiVersion::V3, Credential::new("t"));
    /// assert_eq!(api.token().expose(), "t");
    /// ```
    pub fn token(&self) -> &Credential {
        &self.token
    }

    /// The base URL it calls (without the version).
    ///
    /// ```
    /// # use audit_cef::{http::KonnectApi, konnect::api::ApiVersion, webhook::Credential};
    /// let api = KonnectApi::new("https://eu.api.konghq.com/", ApiVersion::V3, Credential::new("t"));
    /// assert_eq!(api.base_url(), "https://eu.api.konghq.com");
    /// ```
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `GET /v2/audit-log-webhook`.
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn webhook(&self) -> Result<Webhook, ApiError> {
        self.call("GET", "/audit-log-webhook", None::<&()>)
    }

    /// `PATCH /v2/audit-log-webhook`.
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn update_webhook(&self, update: &WebhookUpdate) -> Result<Webhook, ApiError> {
        self.call("PATCH", "/audit-log-webhook", Some(update))
    }

    /// `GET /v3/audit-log-webhook`: the destination bound, and whether enabled.
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn binding(&self) -> Result<WebhookBinding, ApiError> {
        self.call("GET", "/audit-log-webhook", None::<&()>)
    }

    /// `PATCH /v3/audit-log-webhook`.
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn update_binding(&self, binding: &WebhookBinding) -> Result<WebhookBinding, ApiError> {
        self.call("PATCH", "/audit-log-webhook", Some(binding))
    }

    /// `GET .../audit-log-webhook/status`.
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn status(&self) -> Result<WebhookStatus, ApiError> {
        self.call("GET", "/audit-log-webhook/status", None::<&()>)
    }

    /// `GET /v3/audit-log-destinations` (the first page).
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn destinations(&self) -> Result<Destinations, ApiError> {
        self.call("GET", "/audit-log-destinations", None::<&()>)
    }

    /// `POST /v3/audit-log-destinations`.
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn create_destination(&self, change: &DestinationChange) -> Result<Destination, ApiError> {
        self.call("POST", "/audit-log-destinations", Some(change))
    }

    /// `PATCH /v3/audit-log-destinations/{id}`.
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn update_destination(&self, id: &str, change: &DestinationChange) -> Result<Destination, ApiError> {
        self.call("PATCH", &format!("/audit-log-destinations/{id}"), Some(change))
    }

    /// `DELETE /v3/audit-log-destinations/{id}`.
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn delete_destination(&self, id: &str) -> Result<(), ApiError> {
        self.send("DELETE", &format!("/audit-log-destinations/{id}"), None::<&()>).map(drop)
    }

    /// `PUT .../audit-log-replay-job`.
    ///
    /// # Errors
    ///
    /// [`ApiError`] (409: a job is running).
    pub fn replay(&self, range: &ReplayRange) -> Result<ReplayJob, ApiError> {
        self.call("PUT", "/audit-log-replay-job", Some(range))
    }

    /// `GET .../audit-log-replay-job`.
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn replay_job(&self) -> Result<ReplayJob, ApiError> {
        self.call("GET", "/audit-log-replay-job", None::<&()>)
    }

    /// `GET /v2/audit-log-webhook/jwks.json` (v3 has none), as text.
    ///
    /// # Errors
    ///
    /// [`ApiError`].
    pub fn jwks(&self) -> Result<String, ApiError> {
        let path = ApiVersion::V2.path("/audit-log-webhook/jwks.json");
        self.send_at(&path, "GET", None::<&()>)
    }

    fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        let text = self.send(method, path, body)?;
        serde_json::from_str(&text).map_err(|err| ApiError::Decode(err.to_string()))
    }

    fn send<B: Serialize>(&self, method: &str, path: &str, body: Option<&B>) -> Result<String, ApiError> {
        self.send_at(&self.version.path(path), method, body)
    }

    /// Sends, retrying 429, 5xx and no answer with backoff; the body of a
    /// 2xx, or the error.
    fn send_at<B: Serialize>(&self, path: &str, method: &str, body: Option<&B>) -> Result<String, ApiError> {
        let url = format!("{}{path}", self.base_url);
        let json = body.map(serde_json::to_vec).transpose().map_err(|err| ApiError::Decode(err.to_string()))?;
        let mut wait = self.backoff;
        let mut attempt = 1;
        loop {
            let outcome = self.once(method, &url, json.as_deref());
            let retry = match &outcome {
                Err(ApiError::Transport(_)) => true,
                Err(err) => err.status().is_some_and(|status| status == 429 || status >= 500),
                Ok(_) => false,
            };
            if !retry || attempt >= ATTEMPTS {
                return outcome;
            }
            std::thread::sleep(wait);
            wait = wait.saturating_mul(2);
            attempt += 1;
        }
    }

    fn once(&self, method: &str, url: &str, body: Option<&[u8]>) -> Result<String, ApiError> {
        let bearer = format!("Bearer {}", self.token.expose());
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(url)
            .header("Authorization", bearer)
            .header("Accept", "application/json, application/problem+json");
        let request = match body {
            Some(_) => request.header("Content-Type", "application/json"),
            None => request,
        };
        let request = request
            .body(body.map(<[u8]>::to_vec).unwrap_or_default())
            .map_err(|err| ApiError::Transport(err.to_string()))?;
        let mut response = self.agent.run(request).map_err(|err| ApiError::Transport(err.to_string()))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_string()
            .map_err(|err| ApiError::Transport(err.to_string()))?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        match serde_json::from_str::<Problem>(&text) {
            Ok(mut problem) if !problem.title.is_empty() => {
                problem.status = status;
                Err(ApiError::Problem(problem))
            }
            _ => Err(ApiError::Status { status, body: text.chars().take(200).collect() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;

    /// A server on 127.0.0.1 that answers each request with the next of
    /// `answers` and reports each request's head and body.
    fn serve(answers: Vec<(u16, &'static str)>) -> (String, mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tell, told) = mpsc::channel();
        std::thread::spawn(move || {
            for (status, body) in answers {
                let Ok((mut stream, _)) = listener.accept() else { return };
                // The head, then as many body bytes as it declares.
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let text = String::from_utf8_lossy(&request).to_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|line| line.strip_prefix("content-length: "))
                            .and_then(|n| n.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tell.send(String::from_utf8_lossy(&request).into_owned());
                let kind = if status < 300 { "application/json" } else { "application/problem+json" };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (url, told)
    }

    #[test]
    fn requests_carry_the_token_and_the_spec_s_paths() {
        let (url, told) = serve(vec![(200, r#"{"webhook_enabled":true,"webhook_status":"active"}"#)]);
        let api = KonnectApi::new(&url, ApiVersion::V3, Credential::new("kpat_s3cret"));
        let status = api.status().unwrap();
        assert_eq!(status.webhook_status, Some(crate::konnect::api::Delivery::Active));
        let request = told.recv().unwrap();
        assert!(request.starts_with("GET /v3/audit-log-webhook/status HTTP/1.1"), "{request}");
        assert!(
            request.contains("authorization: Bearer kpat_s3cret")
                || request.contains("Authorization: Bearer kpat_s3cret")
        );
        assert!(!format!("{api:?}").contains("s3cret"));
    }

    #[test]
    fn problems_are_typed_and_429_is_retried() {
        let problem = r#"{"status":409,"title":"Resource Conflict","detail":"A replay job is currently running"}"#;
        let (url, told) = serve(vec![(429, r#"{"status":429,"title":"Too Many Requests"}"#), (409, problem)]);
        let api = KonnectApi::new(&url, ApiVersion::V2, Credential::new("t")).backoff(Duration::ZERO);
        let range = ReplayRange { start_at: chrono::DateTime::UNIX_EPOCH, end_at: chrono::DateTime::UNIX_EPOCH };
        let err = api.replay(&range).unwrap_err();
        assert_eq!(err.status(), Some(409));
        assert_eq!(err.to_string(), "409 Resource Conflict: A replay job is currently running");
        let first = told.recv().unwrap();
        assert!(first.starts_with("PUT /v2/audit-log-replay-job"), "{first}");
        assert!(first.contains(r#"{"start_at":"1970-01-01T00:00:00Z","end_at":"1970-01-01T00:00:00Z"}"#), "{first}");
        assert!(told.recv().is_ok(), "the 429 was retried");
    }

    #[test]
    fn a_401_says_which_token_to_check() {
        let (url, _told) = serve(vec![(401, r#"{"status":401,"title":"Unauthorized","detail":"Unauthorized"}"#)]);
        let err = KonnectApi::new(&url, ApiVersion::V2, Credential::new("t")).webhook().unwrap_err();
        assert!(err.to_string().contains("check the token: KONNECT_TOKEN or --token-file"), "{err}");
    }
}
