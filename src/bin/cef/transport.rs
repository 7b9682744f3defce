//! What `--listen` and `--endpoint` name: an HTTP address or URL, or a
//! syslog transport (`syslog+udp://`, `syslog+tcp://`, `syslog+tls://`).

/// A transport and its `HOST:PORT` (or URL, for HTTP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// HTTP(S): for `--endpoint` the whole URL, for `--listen` the address.
    Http(String),
    /// Syslog over UDP, one datagram per entry.
    SyslogUdp(String),
    /// Syslog over TCP (RFC 6587 framing).
    SyslogTcp(String),
    /// Syslog over TLS (RFC 5425: octet counting over TLS).
    SyslogTls(String),
}

impl Transport {
    /// Reads `value`: a `syslog+udp|tcp|tls://HOST:PORT`, else HTTP.
    pub fn parse(value: &str) -> Result<Transport, String> {
        let syslog = |rest: &str, make: fn(String) -> Transport| {
            let address = rest.trim_end_matches('/');
            if address.is_empty() || !address.contains(':') {
                return Err(format!("{value}: expected HOST:PORT after the scheme"));
            }
            Ok(make(address.to_owned()))
        };
        if let Some(rest) = value.strip_prefix("syslog+udp://") {
            syslog(rest, Transport::SyslogUdp)
        } else if let Some(rest) = value.strip_prefix("syslog+tcp://") {
            syslog(rest, Transport::SyslogTcp)
        } else if let Some(rest) = value.strip_prefix("syslog+tls://") {
            syslog(rest, Transport::SyslogTls)
        } else if value.starts_with("syslog") {
            Err(format!("{value}: the syslog schemes are syslog+udp://, syslog+tcp:// and syslog+tls://"))
        } else {
            Ok(Transport::Http(value.to_owned()))
        }
    }

    /// Whether this is one of the syslog transports.
    pub fn is_syslog(&self) -> bool {
        !matches!(self, Transport::Http(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(Transport::parse("127.0.0.1:80"), Ok(Transport::Http("127.0.0.1:80".into())));
        assert_eq!(Transport::parse("https://x/y"), Ok(Transport::Http("https://x/y".into())));
        assert_eq!(Transport::parse("syslog+udp://h:514"), Ok(Transport::SyslogUdp("h:514".into())));
        assert_eq!(Transport::parse("syslog+tcp://h:601/"), Ok(Transport::SyslogTcp("h:601".into())));
        assert_eq!(Transport::parse("syslog+tls://h:6514"), Ok(Transport::SyslogTls("h:6514".into())));
        assert!(Transport::parse("syslog+tcp://").is_err());
        assert!(Transport::parse("syslog://h:514").is_err());
        assert!(Transport::parse("syslog+udp://h:514").is_ok_and(|t| t.is_syslog()));
    }
}
