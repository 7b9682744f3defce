//! What `--listen` and `--endpoint` name: an HTTP address or URL, or a
//! syslog transport (`syslog+udp://`, `syslog+tcp://`, `syslog+tls://`).

use audit_cef::syslog::Endpoint;

/// A transport and its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// HTTP(S): for `--endpoint` the whole URL, for `--listen` the address.
    Http(String),
    /// Syslog over UDP, TCP (RFC 6587 framing) or TLS (RFC 5425), read by
    /// the library's `syslog::Endpoint`.
    Syslog(Endpoint),
}

impl Transport {
    /// Reads `value`: a `syslog+udp|tcp|tls://HOST:PORT`, else HTTP.
    pub fn parse(value: &str) -> Result<Transport, String> {
        if !value.starts_with("syslog") {
            return Ok(Transport::Http(value.to_owned()));
        }
        Endpoint::parse(value).map(Transport::Syslog).map_err(|_| {
            if ["syslog+udp://", "syslog+tcp://", "syslog+tls://"].iter().any(|scheme| value.starts_with(scheme)) {
                format!("{value}: expected HOST:PORT after the scheme")
            } else {
                format!("{value}: the syslog schemes are syslog+udp://, syslog+tcp:// and syslog+tls://")
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(Transport::parse("127.0.0.1:80"), Ok(Transport::Http("127.0.0.1:80".into())));
        assert_eq!(Transport::parse("https://x/y"), Ok(Transport::Http("https://x/y".into())));
        assert_eq!(Transport::parse("syslog+udp://h:514"), Ok(Transport::Syslog(Endpoint::Udp("h:514".into()))));
        assert_eq!(Transport::parse("syslog+tcp://h:601/"), Ok(Transport::Syslog(Endpoint::Tcp("h:601".into()))));
        assert_eq!(Transport::parse("syslog+tls://h:6514"), Ok(Transport::Syslog(Endpoint::Tls("h:6514".into()))));
        assert_eq!(Transport::parse("syslog+tcp://"), Err("syslog+tcp://: expected HOST:PORT after the scheme".into()));
        assert!(Transport::parse("syslog://h:514").is_err_and(|err| err.contains("the syslog schemes are")));
    }
}
