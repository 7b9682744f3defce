//! `cef send --endpoint syslog+udp|tcp|tls://HOST:PORT`: each entry as the
//! message of a syslog record, never altered. UDP sends one datagram per
//! entry; TCP and TLS frame them (RFC 6587) and reconnect with the retry
//! policy. Syslog has no acknowledgement: an entry counts as delivered once
//! the kernel took it (TCP) or sent it (UDP).

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::net::{TcpStream, UdpSocket};
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use audit_cef::syslog::{Framing, Header, Priority, SyslogFormat, encode_frame, encode_message};
use audit_cef::webhook::{Attempt, Next, RetryPolicy};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::transport::Transport;

/// The largest UDP payload over IPv4; a larger message is an error for its
/// entry, never cut.
const MAX_DATAGRAM: usize = 65_507;

/// How to write records.
pub struct Options {
    pub format: SyslogFormat,
    pub framing: Framing,
    pub priority: Priority,
    pub retries: u32,
    pub timeout: Duration,
}

/// What became of the entries.
#[derive(Debug, Default)]
pub struct Counts {
    pub taken: u64,
    pub delivered: u64,
    pub failed: u64,
    pub reconnects: u64,
}

enum Connection {
    Udp(UdpSocket),
    Tcp(io::BufWriter<TcpStream>),
    Tls(Box<io::BufWriter<StreamOwned<ClientConnection, TcpStream>>>),
}

/// A syslog client over one transport.
pub struct Client {
    transport: Transport,
    address: String,
    tls: Option<Arc<ClientConfig>>,
    options: Options,
    hostname: Option<String>,
    procid: String,
    connection: Option<Connection>,
    pub counts: Counts,
    /// Scratch for one chunk's records.
    records: Vec<u8>,
    message: Vec<u8>,
}

impl Client {
    /// A client for `transport` (a syslog one), trusting `ca` (PEM) besides
    /// the public roots for TLS.
    pub fn new(transport: Transport, ca: Option<&Path>, options: Options) -> Result<Client, String> {
        let address = match &transport {
            Transport::SyslogUdp(address) | Transport::SyslogTcp(address) | Transport::SyslogTls(address) => {
                address.clone()
            }
            Transport::Http(url) => return Err(format!("{url}: not a syslog endpoint")),
        };
        let tls = match transport {
            Transport::SyslogTls(_) => Some(Arc::new(client_config(ca)?)),
            _ => None,
        };
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").ok().map(|name| name.trim().to_owned());
        Ok(Client {
            transport,
            address,
            tls,
            options,
            hostname: hostname.filter(|name| !name.is_empty()),
            procid: std::process::id().to_string(),
            connection: None,
            counts: Counts::default(),
            records: Vec::new(),
            message: Vec::new(),
        })
    }

    /// Sends a chunk of entries; says on stderr (through `report`) what
    /// could not be sent.
    pub fn send(&mut self, entries: &[Vec<u8>], report: &mut impl FnMut(String)) {
        self.counts.taken = self.counts.taken.saturating_add(entries.len() as u64);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let timestamp =
            i64::try_from(now.as_micros()).ok().and_then(audit_cef::chrono::DateTime::from_timestamp_micros);
        // Owned copies: the header must not borrow `self`, which sends.
        let (hostname, procid) = (self.hostname.clone(), self.procid.clone());
        let header = Header {
            timestamp,
            hostname: hostname.as_deref(),
            app_name: Some("cef"),
            procid: Some(&procid),
            msgid: None,
        };
        self.records.clear();
        let mut framed = 0u64;
        for entry in entries {
            self.message.clear();
            let encoded = encode_message(self.options.format, self.options.priority, &header, entry, &mut self.message);
            if let Err(err) = encoded {
                self.counts.failed = self.counts.failed.saturating_add(1);
                report(format!("an entry cannot be sent over syslog: {err}"));
                continue;
            }
            if matches!(self.transport, Transport::SyslogUdp(_)) {
                if self.message.len() > MAX_DATAGRAM {
                    self.counts.failed = self.counts.failed.saturating_add(1);
                    report(format!(
                        "an entry of {} bytes does not fit in a UDP datagram ({MAX_DATAGRAM} at most); not sent",
                        entry.len()
                    ));
                    continue;
                }
                match self.datagram() {
                    Ok(()) => self.counts.delivered = self.counts.delivered.saturating_add(1),
                    Err(err) => {
                        self.counts.failed = self.counts.failed.saturating_add(1);
                        report(format!("UDP send to {} failed: {err}", self.address));
                    }
                }
                continue;
            }
            let framing = if matches!(self.transport, Transport::SyslogTls(_)) {
                // RFC 5425: TLS always counts octets.
                Framing::OctetCounting
            } else {
                self.options.framing
            };
            match encode_frame(framing, &self.message, &mut self.records) {
                Ok(()) => framed += 1,
                Err(err) => {
                    self.counts.failed = self.counts.failed.saturating_add(1);
                    report(format!("an entry cannot be framed: {err}"));
                }
            }
        }
        if framed > 0 {
            self.stream_records(framed, report);
        }
    }

    /// Writes the chunk's records, reconnecting as the retry policy says.
    fn stream_records(&mut self, framed: u64, report: &mut impl FnMut(String)) {
        let policy = RetryPolicy::KONNECT.max_retries(self.options.retries);
        let mut retries = 0;
        loop {
            match self.write_records() {
                Ok(()) => {
                    self.counts.delivered = self.counts.delivered.saturating_add(framed);
                    return;
                }
                Err(err) => {
                    // Part of the chunk may have arrived: sending it again
                    // may duplicate entries, never lose them.
                    self.connection = None;
                    match policy.next(retries, Attempt::ConnectionError, u64::from(std::process::id())) {
                        Next::Retry(wait) => {
                            report(format!("{}: {err}; retrying in {wait:?}", self.address));
                            thread::sleep(wait);
                            retries += 1;
                            self.counts.reconnects = self.counts.reconnects.saturating_add(1);
                        }
                        Next::GiveUp | Next::Delivered => {
                            self.counts.failed = self.counts.failed.saturating_add(framed);
                            report(format!("{}: {err}; {framed} entries not sent", self.address));
                            return;
                        }
                    }
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
            let connection = match &self.transport {
                Transport::SyslogUdp(address) => {
                    let socket = UdpSocket::bind(if address.starts_with('[') { "[::]:0" } else { "0.0.0.0:0" })?;
                    socket.connect(address)?;
                    Connection::Udp(socket)
                }
                Transport::SyslogTcp(address) => Connection::Tcp(io::BufWriter::new(self.open_tcp(address)?)),
                Transport::SyslogTls(address) => {
                    let config = self.tls.clone().ok_or_else(|| io::Error::other("no TLS configuration"))?;
                    let host = address.rsplit_once(':').map_or(address.as_str(), |(host, _)| host);
                    let host = host.trim_start_matches('[').trim_end_matches(']');
                    let name = ServerName::try_from(host.to_owned()).map_err(io::Error::other)?;
                    let session = ClientConnection::new(config, name).map_err(io::Error::other)?;
                    let mut stream = StreamOwned::new(session, self.open_tcp(address)?);
                    // Finish the handshake now, so a refused certificate is this error.
                    while stream.conn.is_handshaking() {
                        stream.conn.complete_io(&mut stream.sock)?;
                    }
                    Connection::Tls(Box::new(io::BufWriter::new(stream)))
                }
                Transport::Http(_) => return Err(io::Error::other("not a syslog endpoint")),
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

/// Public roots plus the certificates of `ca`.
fn client_config(ca: Option<&Path>) -> Result<ClientConfig, String> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca {
        let file = File::open(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        for cert in CertificateDer::pem_reader_iter(&mut BufReader::new(file)) {
            let cert = cert.map_err(|err| format!("{}: not a PEM certificate ({err})", path.display()))?;
            roots.add(cert).map_err(|err| format!("{}: unusable certificate ({err})", path.display()))?;
        }
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|builder| builder.with_root_certificates(roots).with_no_client_auth())
        .map_err(|err| format!("cannot set up TLS: {err}"))
}
