//! Fetching a JWKS the way a collector must: only from a URL the policy
//! allows (`sign::JwksUrl`), redirects followed only on the same scheme and
//! host, no proxy from the environment (one is named or none is used), an
//! answer of at most 1 MiB, and a bearer token sent when one is given.
//! What to do with the keys, and when to fetch (`sign::JwksRefresh`), is
//! the caller's.

use std::fmt;
use std::time::Duration;

use ureq::Agent;

use crate::sign::{JwksUrl, JwksUrlError};
use crate::webhook::Credential;

/// A JWKS document is small: a larger answer is not one.
pub const MAX_JWKS_BYTES: u64 = 1 << 20;

/// Redirects followed, each on the same scheme and host.
const MAX_REDIRECTS: usize = 5;

/// Fetches one JWKS URL.
///
/// ```no_run
/// use audit_cef::http::JwksFetcher;
/// use audit_cef::sign::JwksUrl;
/// let fetcher = JwksFetcher::new(JwksUrl::parse("https://us.api.konghq.com/v2/audit-log-webhook/jwks.json")?);
/// let keys = audit_cef::KeySet::from_jwks_str(&fetcher.fetch()?)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct JwksFetcher {
    url: JwksUrl,
    agent: Agent,
    authorization: Option<Credential>,
}

impl fmt::Debug for JwksFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksFetcher").field("url", &self.url.as_str()).finish()
    }
}

/// Why a fetch failed.
#[derive(Debug)]
pub enum JwksFetchError {
    /// A redirect the policy refuses (another scheme or host).
    Refused(JwksUrlError),
    /// No answer: connection, TLS, timeout, or a body that broke off.
    Transport {
        /// The URL asked.
        url: String,
        /// What went wrong.
        cause: String,
    },
    /// An answer other than 200 (or a redirect without a Location).
    Status {
        /// The URL asked.
        url: String,
        /// The status.
        status: u16,
    },
    /// More than the redirects allowed.
    TooManyRedirects {
        /// The URL first asked.
        url: String,
    },
    /// A proxy URL ureq cannot use.
    Proxy(String),
}

impl fmt::Display for JwksFetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwksFetchError::Refused(err) => write!(f, "cannot fetch JWKS: {err}"),
            JwksFetchError::Transport { url, cause } => write!(f, "cannot fetch JWKS {url}: {cause}"),
            JwksFetchError::Status { url, status } => write!(f, "cannot fetch JWKS {url}: HTTP {status}"),
            JwksFetchError::TooManyRedirects { url } => {
                write!(f, "cannot fetch JWKS {url}: more than {MAX_REDIRECTS} redirects")
            }
            JwksFetchError::Proxy(cause) => write!(f, "the JWKS proxy: {cause}"),
        }
    }
}

impl std::error::Error for JwksFetchError {}

impl JwksFetcher {
    /// A fetcher of `url`, with a 10 s limit a fetch and no proxy.
    pub fn new(url: JwksUrl) -> JwksFetcher {
        JwksFetcher { url, agent: agent(None), authorization: None }
    }

    /// Fetches through the HTTP proxy `proxy` (the environment's proxy
    /// variables are never used).
    ///
    /// # Errors
    ///
    /// [`JwksFetchError::Proxy`] for a URL that is no proxy's.
    ///
    /// ```
    /// # use audit_cef::{http::JwksFetcher, sign::JwksUrl};
    /// let fetcher = JwksFetcher::new(JwksUrl::parse("https://k.example/j")?).proxy("http://127.0.0.1:3128")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn proxy(mut self, proxy: &str) -> Result<JwksFetcher, JwksFetchError> {
        let proxy = ureq::Proxy::new(proxy).map_err(|err| JwksFetchError::Proxy(err.to_string()))?;
        self.agent = agent(Some(proxy));
        Ok(self)
    }

    /// Sends `token` (`Bearer` added when it has none) with every fetch.
    ///
    /// ```
    /// # use audit_cef::{http::JwksFetcher, sign::JwksUrl, webhook::Credential};
    /// let fetcher = JwksFetcher::new(JwksUrl::parse("https://k.example/j")?).bearer(&Credential::new("t0ken"));
    /// assert!(!format!("{fetcher:?}").contains("t0ken"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bearer(mut self, token: &Credential) -> JwksFetcher {
        let token = token.expose();
        let value = if token.starts_with("Bearer ") { token.to_owned() } else { format!("Bearer {token}") };
        self.authorization = Some(Credential::new(value));
        self
    }

    /// The URL fetched.
    pub fn url(&self) -> &JwksUrl {
        &self.url
    }

    /// The JWKS text, following redirects on the same scheme and host only.
    ///
    /// # Errors
    ///
    /// [`JwksFetchError`].
    pub fn fetch(&self) -> Result<String, JwksFetchError> {
        let mut url = self.url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let mut request = self.agent.get(url.as_str());
            if let Some(authorization) = &self.authorization {
                request = request.header("Authorization", authorization.expose());
            }
            let transport = |cause: String| JwksFetchError::Transport { url: url.as_str().to_owned(), cause };
            let mut response = request.call().map_err(|err| transport(err.to_string()))?;
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                let location = response.headers().get("location").and_then(|value| value.to_str().ok());
                let location =
                    location.ok_or_else(|| JwksFetchError::Status { url: url.as_str().to_owned(), status })?;
                url = url.redirect(location).map_err(JwksFetchError::Refused)?;
                continue;
            }
            if status != 200 {
                return Err(JwksFetchError::Status { url: url.as_str().to_owned(), status });
            }
            return response
                .body_mut()
                .with_config()
                .limit(MAX_JWKS_BYTES)
                .read_to_string()
                .map_err(|err| transport(err.to_string()));
        }
        Err(JwksFetchError::TooManyRedirects { url: self.url.as_str().to_owned() })
    }
}

/// No redirects followed by ureq (the policy follows them), statuses
/// returned as responses, 10 s a fetch.
fn agent(proxy: Option<ureq::Proxy>) -> Agent {
    Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .max_redirects(0)
        .max_redirects_will_error(false)
        .http_status_as_error(false)
        .proxy(proxy)
        .build()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A server on 127.0.0.1 answering each connection with the next answer.
    fn serve(answers: Vec<String>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for answer in answers {
                let Ok((mut stream, _)) = listener.accept() else { return };
                let mut head = [0u8; 2048];
                let _ = stream.read(&mut head);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        url
    }

    fn answer(status: &str, extra: &str, body: &str) -> String {
        format!("HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
    }

    #[test]
    fn same_host_redirects_are_followed_and_others_refused() {
        let url = serve(vec![
            answer("301 Moved", "Location: /keys.json\r\n", ""),
            answer("200 OK", "", r#"{"keys":[]}"#),
            answer("302 Found", "Location: https://elsewhere.example/j\r\n", ""),
            answer("404 Not Found", "", ""),
        ]);
        let fetcher = JwksFetcher::new(JwksUrl::parse(&url).unwrap());
        assert_eq!(fetcher.fetch().unwrap(), r#"{"keys":[]}"#);
        assert!(matches!(fetcher.fetch(), Err(JwksFetchError::Refused(_))));
        let err = fetcher.fetch().unwrap_err();
        assert!(matches!(err, JwksFetchError::Status { status: 404, .. }), "{err}");
        assert!(err.to_string().ends_with("HTTP 404"));
    }
}
