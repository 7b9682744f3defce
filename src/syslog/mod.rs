//! Entries over syslog: RFC 5424 and RFC 3164 messages, RFC 6587 stream
//! framing, and a push decoder that gives each received entry back byte for
//! byte, apart from the transport header (which no signature covers).
//!
//! No I/O, but for [`Sender`] (feature `syslog-sender`), a blocking client
//! beside `http::Sender`: otherwise the caller owns the sockets, reads and
//! writes, and passes the time. Over UDP each datagram is one message ([`trim_datagram`], then
//! [`decode_message`]); over TCP or TLS, [`encode_frame`] and
//! [`FrameDecoder`] delimit messages. Needs only the `cef` layer.
//!
//! ```
//! use audit_cef::chrono::{TimeZone, Utc};
//! use audit_cef::syslog::{FrameDecoder, Framing, Header, Priority, SyslogFormat, decode_message, encode_frame, encode_message};
//!
//! let entry = b"2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 action=list";
//! let header = Header { timestamp: Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 37).single(), hostname: Some("relay1"), ..Header::default() };
//!
//! // Sender: one message, framed for a TCP stream.
//! let (mut message, mut stream) = (Vec::new(), Vec::new());
//! encode_message(SyslogFormat::Rfc5424, Priority::from_cef_severity(13, 1)?, &header, entry, &mut message)?;
//! encode_frame(Framing::OctetCounting, &message, &mut stream)?;
//!
//! // Receiver: whatever each read returns, pushed in.
//! let mut decoder = FrameDecoder::new(64 * 1024);
//! let mut entries = Vec::new();
//! for read in stream.chunks(7) {
//!     decoder.push(read);
//!     while let Some(frame) = decoder.next_frame() {
//!         let received = decode_message(frame?)?;
//!         entries.push(received.entry.to_vec());
//!     }
//! }
//! assert!(decoder.finish().is_none());
//! assert_eq!(entries, [entry]);
//! # Ok::<(), audit_cef::Error>(())
//! ```

mod decode;
mod decoder;
mod frame;
mod header;
mod message;
mod priority;
mod rfc3164;
#[cfg(feature = "syslog-sender")]
mod sender;
mod timestamp;

pub use decode::{Received, decode_message, trim_datagram};
pub use decoder::FrameDecoder;
pub use frame::{Framing, encode_frame};
pub use header::Header;
pub use message::{SyslogFormat, encode_message};
pub use priority::Priority;
#[cfg(feature = "syslog-sender")]
pub use sender::{Endpoint, MAX_DATAGRAM, SendEvent, Sender, SenderCounts, SenderOptions};
