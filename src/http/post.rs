//! One delivery attempt: POST a batch body to the collector as Konnect's
//! webhook does, and say what came back as a retry [`Attempt`].

use std::time::Duration;

use ureq::Agent;
use ureq::tls::{TlsConfig, TlsProvider};

use crate::webhook::{Attempt, Credential};

use super::config::SenderConfig;
use super::failure::{Failure, from_ureq, rejected_in_answer};

/// What one POST came back with.
pub(crate) struct Posted {
    /// For the retry policy.
    pub(crate) attempt: Attempt,
    /// Why it was no delivery (`None` for a 2xx).
    pub(crate) failure: Option<Failure>,
    /// The entries the collector said it rejected, on a 2xx that says.
    pub(crate) rejected: u64,
}

/// The most of a response body read (and thrown away) so that the
/// connection can be used again.
const MAX_RESPONSE_BODY: u64 = 64 << 10;

/// Posts batch bodies to one endpoint.
pub(crate) struct Poster {
    agent: Agent,
    endpoint: String,
    authorization: Credential,
    gzip: bool,
}

impl Poster {
    /// A client for `config`'s endpoint: no redirects followed (a 3xx is
    /// not a delivery), no proxy from the environment, any HTTP status
    /// returned as a response rather than an error.
    pub(crate) fn new(config: &SenderConfig) -> Poster {
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .disable_verification(config.skip_ssl_verification)
            .build();
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .timeout_global(Some(config.timeout))
            .tls_config(tls)
            .build()
            .into();
        Poster {
            agent,
            endpoint: config.endpoint.clone(),
            authorization: config.authorization.clone(),
            gzip: config.gzip,
        }
    }

    /// Sends `body` once. Any failure to get a response (connect, TLS,
    /// timeout, reset) is [`Attempt::ConnectionError`], with its cause as a
    /// [`Failure`] that keeps nothing of the request.
    pub(crate) fn post(&self, body: &[u8]) -> Posted {
        let mut request = self.agent.post(&self.endpoint).header("Content-Type", "text/plain");
        if self.gzip {
            request = request.header("Content-Encoding", "gzip");
        }
        let authorization = self.authorization.expose();
        if !authorization.is_empty() {
            request = request.header("Authorization", authorization);
        }
        match request.send(body) {
            Ok(mut response) => {
                let retry_after = response
                    .headers()
                    .get("Retry-After")
                    .and_then(|value| value.to_str().ok())
                    .and_then(|text| text.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let code = response.status().as_u16();
                let answer = response.body_mut().with_config().limit(MAX_RESPONSE_BODY).read_to_vec();
                let delivered = (200..300).contains(&code);
                let rejected = match (&answer, delivered) {
                    (Ok(answer), true) => rejected_in_answer(answer).unwrap_or(0),
                    _ => 0,
                };
                Posted {
                    attempt: Attempt::Status { code, retry_after },
                    failure: (!delivered).then_some(Failure::Status(code)),
                    rejected,
                }
            }
            Err(err) => Posted { attempt: Attempt::ConnectionError, failure: Some(from_ureq(&err)), rejected: 0 },
        }
    }
}
