//! A blocking syslog sender beside `http::Sender` (feature
//! `syslog-sender`): each entry as the message of a syslog record, never
//! altered. UDP sends one datagram per entry; TCP and TLS frame them
//! (RFC 6587; TLS always counts octets, RFC 5425) and reconnect as the
//! retry policy says. Syslog has no acknowledgement: an entry counts as
//! delivered once the kernel took it (TCP, TLS) or sent it (UDP).

use std::fmt;
use std::io::{self, BufReader, Write};
use std::net::{TcpStream, UdpSocket};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use super::{Framing, Header, Priority, SyslogFormat, encode_frame, encode_message};
use crate::error::{Error, ErrorKind, Result};
use crate::webhook::{Attempt, Next, RetryPolicy};

/// The largest UDP payload over IPv4; a larger message is an error for its
/// entry, never cut.
pub const MAX_DATAGRAM: usize = 65_507;

/// Where a [`Sender`] sends: a transport and its `HOST:PORT`.
///
/// ```
/// use audit_cef::syslog::Endpoint;
/// assert_eq!(Endpoint::parse("syslog+tcp://siem:601/")?, Endpoint::Tcp("siem:601".into()));
/// assert!(Endpoint::parse("https://siem/").is_err());
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Syslog over UDP, one datagram per entry.
    Udp(String),
    /// Syslog over TCP (RFC 6587 framing).
    Tcp(String),
    /// Syslog over TLS (RFC 5425: octet counting over TLS).
    Tls(String),
}

impl Endpoint {
    /// Reads `syslog+udp://HOST:PORT`, `syslog+tcp://...` or
    /// `syslog+tls://...` (a trailing `/` allowed).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidEndpoint`] for another scheme or no `HOST:PORT`.
    pub fn parse(value: &str) -> Result<Endpoint> {
        let address = |rest: &str| {
            let address = rest.trim_end_matches('/');
            if address.is_empty() || !address.contains(':') {
                return Err(Error::new(ErrorKind::InvalidEndpoint));
            }
            Ok(address.to_owned())
        };
        if let Some(rest) = value.strip_prefix("syslog+udp://") {
            address(rest).map(Endpoint::Udp)
        } else if let Some(rest) = value.strip_prefix("syslog+tcp://") {
            address(rest).map(Endpoint::Tcp)
        } else if let Some(rest) = value.strip_prefix("syslog+tls://") {
            address(rest).map(Endpoint::Tls)
        } else {
            Err(Error::new(ErrorKind::InvalidEndpoint))
        }
    }

    /// The `HOST:PORT`.
    ///
    /// ```
    /// assert_eq!(audit_cef::syslog::Endpoint::Udp("h:514".into()).address(), "h:514");
    /// ```
    pub fn address(&self) -> &str {
        match self {
            Endpoint::Udp(address) | Endpoint::Tcp(address) | Endpoint::Tls(address) => address,
        }
    }
}

/// How a [`Sender`] writes records.
///
/// ```
/// let options = audit_cef::syslog::SenderOptions::default();
/// ```
#[derive(Debug, Clone)]
pub struct SenderOptions {
    /// RFC 5424 or RFC 3164 records.
    pub format: SyslogFormat,
    /// The framing on TCP (TLS always counts octets).
    pub framing: Framing,
    /// Every record's priority.
    pub priority: Priority,
    /// When to reconnect after a failed write (connection errors only).
    pub retry: RetryPolicy,
    /// The longest one connect or write may block.
    pub timeout: Duration,
    /// The header's HOSTNAME.
    pub hostname: Option<String>,
    /// The header's APP-NAME.
    pub app_name: Option<String>,
    /// The header's PROCID.
    pub procid: Option<String>,
    /// PEM certificates trusted for TLS besides the public roots.
    pub ca_pem: Option<Vec<u8>>,
}

impl Default for SenderOptions {
    fn default() -> SenderOptions {
        SenderOptions {
            format: SyslogFormat::Rfc5424,
            framing: Framing::OctetCounting,
            priority: Priority::DEFAULT,
            retry: RetryPolicy::KONNECT,
            timeout: Duration::from_secs(30),
            hostname: None,
            app_name: None,
            procid: None,
            ca_pem: None,
        }
    }
}

/// What became of the entries a [`Sender`] was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderCounts {
    /// Entries given.
    pub taken: u64,
    /// Entries the kernel took.
    pub delivered: u64,
    /// Entries not sent.
    pub failed: u64,
    /// Reconnections after a failed write.
    pub reconnects: u64,
}

/// Something a [`Sender`] reports while sending.
#[derive(Debug)]
pub enum SendEvent {
    /// An entry that cannot be a syslog message (a line break, say).
    Refused(Error),
    /// An entry whose record is larger than one UDP datagram.
    TooLargeForUdp {
        /// The entry's length.
        len: usize,
    },
    /// A datagram could not be sent.
    DatagramFailed(io::Error),
    /// A write failed; the records are written again after `wait`.
    Retrying {
        /// The failure.
        cause: io::Error,
        /// The wait before reconnecting.
        wait: Duration,
    },
    /// A write failed and no retry is left: `entries` were not sent.
    GaveUp {
        /// The failure.
        cause: io::Error,
        /// How many entries were lost.
        entries: u64,
    },
}

impl fmt::Display for SendEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendEvent::Refused(err) => write!(f, "an entry cannot be sent over syslog: {err}"),
            SendEvent::TooLargeForUdp { len } => {
                write!(f, "an entry of {len} bytes does not fit in a UDP datagram ({MAX_DATAGRAM} at most); not sent")
            }
            SendEvent::DatagramFailed(err) => write!(f, "UDP send failed: {err}"),
            SendEvent::Retrying { cause, wait } => write!(f, "{cause}; retrying in {wait:?}"),
            SendEvent::GaveUp { cause, entries } => write!(f, "{cause}; {entries} entries not sent"),
        }
    }
}

enum Connection {
    Udp(UdpSocket),
    Tcp(io::BufWriter<TcpStream>),
    Tls(Box<io::BufWriter<StreamOwned<ClientConnection, TcpStream>>>),
}

/// A blocking syslog client over one [`Endpoint`]; it connects on first
/// use and again after a failed write.
///
/// ```no_run
/// use audit_cef::syslog::{Endpoint, Sender, SenderOptions};
/// let mut sender = Sender::new(Endpoint::parse("syslog+tcp://127.0.0.1:601")?, SenderOptions::default())?;
/// sender.send(&[b"CEF:0|v|p|1|i|n|5|a=1".as_slice()], audit_cef::chrono::Utc::now(), &mut |event| eprintln!("{event}"));
/// sender.close()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Sender {
    endpoint: Endpoint,
    tls: Option<Arc<ClientConfig>>,
    options: SenderOptions,
    connection: Option<Connection>,
    counts: SenderCounts,
    /// Scratch for one call's records and one message.
    records: Vec<u8>,
    message: Vec<u8>,
    /// Draws the retry jitter.
    seed: u64,
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("endpoint", &self.endpoint).field("counts", &self.counts).finish_non_exhaustive()
    }
}

impl Sender {
    /// A sender to `endpoint`; for TLS, trusting the public roots and
    /// `options.ca_pem`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] for a CA that is not PEM certificates, or when TLS
    /// cannot be set up.
    pub fn new(endpoint: Endpoint, options: SenderOptions) -> Result<Sender> {
        let tls = match endpoint {
            Endpoint::Tls(_) => Some(Arc::new(client_config(options.ca_pem.as_deref())?)),
            _ => None,
        };
        Ok(Sender {
            endpoint,
            tls,
            options,
            connection: None,
            counts: SenderCounts::default(),
            records: Vec::new(),
            message: Vec::new(),
            seed: u64::from(std::process::id()),
        })
    }

    /// What became of the entries so far.
    pub fn counts(&self) -> SenderCounts {
        self.counts
    }

    /// Sends `entries`, their records stamped `now`; tells `report` what
    /// could not be sent and about each reconnection.
    pub fn send(&mut self, entries: &[&[u8]], now: DateTime<Utc>, report: &mut dyn FnMut(SendEvent)) {
        self.counts.taken = self.counts.taken.saturating_add(entries.len() as u64);
        // Owned copies: the header must not borrow `self`, which sends.
        let options = self.options.clone();
        let header = Header {
            timestamp: Some(now),
            hostname: options.hostname.as_deref(),
            app_name: options.app_name.as_deref(),
            procid: options.procid.as_deref(),
            msgid: None,
        };
        self.records.clear();
        let mut framed = 0u64;
        for entry in entries {
            self.message.clear();
            if let Err(err) = encode_message(options.format, options.priority, &header, entry, &mut self.message) {
                self.counts.failed = self.counts.failed.saturating_add(1);
                report(SendEvent::Refused(err));
                continue;
            }
            if matches!(self.endpoint, Endpoint::Udp(_)) {
                if self.message.len() > MAX_DATAGRAM {
                    self.counts.failed = self.counts.failed.saturating_add(1);
                    report(SendEvent::TooLargeForUdp { len: entry.len() });
                    continue;
                }
                match self.datagram() {
                    Ok(()) => self.counts.delivered = self.counts.delivered.saturating_add(1),
                    Err(err) => {
                        self.counts.failed = self.counts.failed.saturating_add(1);
                        report(SendEvent::DatagramFailed(err));
                    }
                }
                continue;
            }
            let framing =
                if matches!(self.endpoint, Endpoint::Tls(_)) { Framing::OctetCounting } else { options.framing };
            match encode_frame(framing, &self.message, &mut self.records) {
                Ok(()) => framed += 1,
                Err(err) => {
                    self.counts.failed = self.counts.failed.saturating_add(1);
                    report(SendEvent::Refused(err));
                }
            }
        }
        if framed > 0 {
            self.stream_records(framed, report);
        }
    }

    /// Writes the call's records, reconnecting as the retry policy says.
    fn stream_records(&mut self, framed: u64, report: &mut dyn FnMut(SendEvent)) {
        let mut retries = 0;
        loop {
            let Err(cause) = self.write_records() else {
                self.counts.delivered = self.counts.delivered.saturating_add(framed);
                return;
            };
            // Part of the records may have arrived: sending them again may
            // duplicate entries, never lose them.
            self.connection = None;
            match self.options.retry.next(retries, Attempt::ConnectionError, self.seed) {
                Next::Retry(wait) => {
                    report(SendEvent::Retrying { cause, wait });
                    thread::sleep(wait);
                    retries += 1;
                    self.counts.reconnects = self.counts.reconnects.saturating_add(1);
                }
                Next::GiveUp | Next::Delivered => {
                    self.counts.failed = self.counts.failed.saturating_add(framed);
                    report(SendEvent::GaveUp { cause, entries: framed });
                    return;
                }
            }
        }
    }

    fn write_records(&mut self) -> io::Result<()> {
        let records = std::mem::take(&mut self.records);
        let written = match self.connect() {
            Ok(Connection::Tcp(stream)) => stream.write_all(&records).and_then(|()| stream.flush()),
            Ok(Connection::Tls(stream)) => stream.write_all(&records).and_then(|()| stream.flush()),
            Ok(Connection::Udp(_)) => Err(io::Error::other("not a stream")),
            Err(err) => Err(err),
        };
        self.records = records;
        written
    }

    fn datagram(&mut self) -> io::Result<()> {
        let message = std::mem::take(&mut self.message);
        let sent = match self.connect() {
            Ok(Connection::Udp(socket)) => socket.send(&message).map(|_| ()),
            Ok(_) => Err(io::Error::other("not a datagram socket")),
            Err(err) => Err(err),
        };
        self.message = message;
        sent
    }

    /// The open connection, opening it first if needed.
    fn connect(&mut self) -> io::Result<&mut Connection> {
        if self.connection.is_none() {
            let address = self.endpoint.address().to_owned();
            let connection = match &self.endpoint {
                Endpoint::Udp(_) => {
                    let socket = UdpSocket::bind(if address.starts_with('[') { "[::]:0" } else { "0.0.0.0:0" })?;
                    socket.connect(&address)?;
                    Connection::Udp(socket)
                }
                Endpoint::Tcp(_) => Connection::Tcp(io::BufWriter::new(self.open_tcp(&address)?)),
                Endpoint::Tls(_) => {
                    let config = self.tls.clone().ok_or_else(|| io::Error::other("no TLS configuration"))?;
                    let host = address.rsplit_once(':').map_or(address.as_str(), |(host, _)| host);
                    let host = host.trim_start_matches('[').trim_end_matches(']');
                    let name = ServerName::try_from(host.to_owned()).map_err(io::Error::other)?;
                    let session = ClientConnection::new(config, name).map_err(io::Error::other)?;
                    let mut stream = StreamOwned::new(session, self.open_tcp(&address)?);
                    // Finish the handshake now, so a refused certificate is this error.
                    while stream.conn.is_handshaking() {
                        stream.conn.complete_io(&mut stream.sock)?;
                    }
                    Connection::Tls(Box::new(io::BufWriter::new(stream)))
                }
            };
            self.connection = Some(connection);
        }
        self.connection.as_mut().ok_or_else(|| io::Error::other("no connection"))
    }

    fn open_tcp(&self, address: &str) -> io::Result<TcpStream> {
        let stream = TcpStream::connect(address)?;
        stream.set_write_timeout(Some(self.options.timeout))?;
        stream.set_read_timeout(Some(self.options.timeout))?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    /// Flushes and closes the connection (TLS: with close_notify).
    ///
    /// # Errors
    ///
    /// The flush's or the close's I/O error.
    pub fn close(&mut self) -> io::Result<()> {
        match self.connection.take() {
            Some(Connection::Tcp(mut stream)) => stream.flush(),
            Some(Connection::Tls(mut stream)) => {
                stream.flush()?;
                let stream = stream.get_mut();
                stream.conn.send_close_notify();
                stream.conn.complete_io(&mut stream.sock).map(|_| ())
            }
            Some(Connection::Udp(_)) | None => Ok(()),
        }
    }
}

/// The public roots plus the certificates of `ca`.
fn client_config(ca: Option<&[u8]>) -> Result<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = ca {
        for cert in CertificateDer::pem_reader_iter(&mut BufReader::new(pem)) {
            let cert = cert.map_err(|err| Error::from(io::Error::other(format!("not a PEM certificate ({err})"))))?;
            roots.add(cert).map_err(|err| Error::from(io::Error::other(format!("unusable certificate ({err})"))))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|builder| builder.with_root_certificates(roots).with_no_client_auth())
        .map_err(|err| Error::from(io::Error::other(err)))
}
