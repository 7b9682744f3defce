//! Which JWKS URLs a collector may fetch keys from, decided from the text
//! alone, before any name lookup: keys fetched over plain HTTP could be
//! swapped by anyone on the path, so `http://` is only for loopback.

use std::fmt;
use std::net::IpAddr;

/// A JWKS URL that passed the policy: `https://` anywhere, or `http://` to
/// a loopback address (127.0.0.0/8 or ::1) only.
///
/// ```
/// use audit_cef::sign::JwksUrl;
/// let url = JwksUrl::parse("https://us.api.konghq.com/v2/audit-log-webhook/jwks.json")?;
/// assert_eq!(url.host(), "us.api.konghq.com");
/// assert!(!url.is_plain_http());
/// assert!(JwksUrl::parse("http://127.0.0.1:8080/jwks.json")?.is_plain_http());
/// assert!(JwksUrl::parse("http://keys.example/jwks.json").is_err());
/// # Ok::<(), audit_cef::sign::JwksUrlError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksUrl {
    url: String,
    /// `https` or `http`, lowercase.
    scheme: &'static str,
    /// The authority (host and port), lowercase.
    authority: String,
    host: String,
}

/// Why a JWKS URL is refused.
///
/// ```
/// use audit_cef::sign::{JwksUrl, JwksUrlError};
/// assert!(matches!(JwksUrl::parse("ftp://x/jwks.json"), Err(JwksUrlError::Scheme { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksUrlError {
    /// Neither `https://` nor `http://`.
    Scheme {
        /// The URL as given.
        url: String,
    },
    /// No host after the scheme, or user information in it.
    Host {
        /// The URL as given.
        url: String,
    },
    /// `http://` to a host that is not a loopback address.
    PlainHttp {
        /// The URL as given.
        url: String,
    },
    /// A redirect to another scheme or host.
    Redirect {
        /// The URL that answered the redirect.
        from: String,
        /// Where it pointed.
        to: String,
    },
}

impl fmt::Display for JwksUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwksUrlError::Scheme { url } => {
                write!(f, "{url}: a JWKS URL starts with https:// (or http:// to a loopback address)")
            }
            JwksUrlError::Host { url } => {
                write!(f, "{url}: no host to fetch from (or user:password@ in it, which is not sent)")
            }
            JwksUrlError::PlainHttp { url } => write!(
                f,
                "{url}: keys fetched over plain http:// could be swapped on the way; use https://, or http:// \
                 only to a loopback address (127.0.0.0/8, ::1)"
            ),
            JwksUrlError::Redirect { from, to } => {
                write!(f, "{from} redirects to {to}, another scheme or host: not followed")
            }
        }
    }
}

impl std::error::Error for JwksUrlError {}

impl JwksUrl {
    /// Checks `url` against the policy, from its text alone.
    ///
    /// # Errors
    ///
    /// [`JwksUrlError`] saying which rule it breaks.
    ///
    /// ```
    /// assert!(audit_cef::sign::JwksUrl::parse("http://[::1]:9000/k").is_ok());
    /// ```
    pub fn parse(url: &str) -> Result<JwksUrl, JwksUrlError> {
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        let (scheme, rest) = if lower.starts_with("https://") {
            ("https", url.get(8..).unwrap_or_default())
        } else if lower.starts_with("http://") {
            ("http", url.get(7..).unwrap_or_default())
        } else {
            return Err(JwksUrlError::Scheme { url: url.to_owned() });
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = rest.get(..end).unwrap_or_default().to_ascii_lowercase();
        let host = host_of(&authority);
        if host.is_empty() || authority.contains('@') {
            return Err(JwksUrlError::Host { url: url.to_owned() });
        }
        if scheme == "http" && !is_loopback(&host) {
            return Err(JwksUrlError::PlainHttp { url: url.to_owned() });
        }
        Ok(JwksUrl { url: url.to_owned(), scheme, authority, host })
    }

    /// The URL as given.
    ///
    /// ```
    /// assert_eq!(audit_cef::sign::JwksUrl::parse("https://k.example/j")?.as_str(), "https://k.example/j");
    /// # Ok::<(), audit_cef::sign::JwksUrlError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The host, lowercase, without brackets or port.
    ///
    /// ```
    /// assert_eq!(audit_cef::sign::JwksUrl::parse("http://[::1]:80/j")?.host(), "::1");
    /// # Ok::<(), audit_cef::sign::JwksUrlError>(())
    /// ```
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether it is `http://` (allowed on loopback only; worth a warning).
    ///
    /// ```
    /// assert!(audit_cef::sign::JwksUrl::parse("http://127.0.0.1/j")?.is_plain_http());
    /// # Ok::<(), audit_cef::sign::JwksUrlError>(())
    /// ```
    pub fn is_plain_http(&self) -> bool {
        self.scheme == "http"
    }

    /// Where a redirect from this URL to `location` (absolute, or a path
    /// on the same host) leads, if it stays on the same scheme and host.
    ///
    /// # Errors
    ///
    /// [`JwksUrlError::Redirect`] for another scheme or host.
    ///
    /// ```
    /// use audit_cef::sign::JwksUrl;
    /// let url = JwksUrl::parse("https://k.example/old")?;
    /// assert_eq!(url.redirect("/new")?.as_str(), "https://k.example/new");
    /// assert!(url.redirect("http://k.example/new").is_err());
    /// assert!(url.redirect("https://elsewhere.example/new").is_err());
    /// # Ok::<(), audit_cef::sign::JwksUrlError>(())
    /// ```
    pub fn redirect(&self, location: &str) -> Result<JwksUrl, JwksUrlError> {
        let refused = || JwksUrlError::Redirect { from: self.url.clone(), to: location.to_owned() };
        let target = if location.starts_with('/') && !location.starts_with("//") {
            format!("{}://{}{location}", self.scheme, self.authority)
        } else {
            location.to_owned()
        };
        let next = JwksUrl::parse(&target).map_err(|_| refused())?;
        if next.scheme != self.scheme || next.authority != self.authority {
            return Err(refused());
        }
        Ok(next)
    }
}

/// The host of an authority: without user information, brackets or port.
fn host_of(authority: &str) -> String {
    if let Some(bracketed) = authority.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or_default().to_owned();
    }
    authority.rsplit_once(':').map_or(authority, |(host, _)| host).to_owned()
}

/// 127.0.0.0/8 or ::1, as a literal address (a name would need a lookup).
fn is_loopback(host: &str) -> bool {
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        for ok in [
            "https://a.example/j",
            "HTTPS://A.example:8443/j",
            "http://127.0.0.1/j",
            "http://127.9.8.7:1/j",
            "http://[::1]/j",
        ] {
            assert!(JwksUrl::parse(ok).is_ok(), "{ok}");
        }
        for (bad, kind) in [
            ("http://a.example/j", "plain"),
            ("http://localhost/j", "plain"),
            ("http://10.0.0.1/j", "plain"),
            ("http://[::2]/j", "plain"),
            ("file:///etc/jwks.json", "scheme"),
            ("jwks.json", "scheme"),
            ("https:///j", "host"),
            ("https://user:pw@a.example/j", "host"),
        ] {
            let err = JwksUrl::parse(bad).unwrap_err();
            let matches = match kind {
                "plain" => matches!(err, JwksUrlError::PlainHttp { .. }),
                "scheme" => matches!(err, JwksUrlError::Scheme { .. }),
                _ => matches!(err, JwksUrlError::Host { .. }),
            };
            assert!(matches, "{bad}: {err}");
            assert!(err.to_string().starts_with(bad), "the message names the URL: {err}");
        }
    }

    #[test]
    fn redirects_stay_on_scheme_and_host() {
        let url = JwksUrl::parse("http://127.0.0.1:9/a").unwrap();
        assert_eq!(url.redirect("http://127.0.0.1:9/b").unwrap().as_str(), "http://127.0.0.1:9/b");
        assert!(url.redirect("http://127.0.0.1:10/b").is_err(), "another port is another origin");
        assert!(url.redirect("//evil.example/b").is_err());
        assert!(url.redirect("https://127.0.0.1:9/b").is_err(), "another scheme");
    }
}
