//! Entries carried by syslog: each frame a listener cut (RFC 6587 on a
//! stream, one datagram on UDP) becomes an [`Arrival`], its entry or why
//! there is none; a batch of arrivals from any number of senders is
//! verified at once and becomes the records to store, in arrival order.

use std::net::SocketAddr;

use chrono::{DateTime, Utc};

use super::pool::VerifyPool;
use super::records::Records;
use crate::error::{Error, ErrorKind};
use crate::konnect::Format;
use crate::syslog::{FrameDecoder, decode_message};

/// Arrivals worth verifying together at most.
pub const STAGE_BATCH: usize = 4096;

/// Entry bytes verified together at most: a batch of long entries stops
/// here, long before [`STAGE_BATCH`] of them.
pub const STAGE_BYTES: usize = 16 << 20;

/// One received syslog frame: its entry, or why there is none.
///
/// ```
/// use audit_cef::receive::Arrival;
/// let peer = "127.0.0.1:514".parse().unwrap();
/// let arrival = Arrival::from_frame(peer, b"<14>1 2025-06-18T21:02:36Z host app - - - CEF:0|v|p|1|i|n|5|a=1");
/// assert!(matches!(arrival, Arrival::Entry { ref entry, .. } if entry == b"CEF:0|v|p|1|i|n|5|a=1"));
/// ```
#[derive(Debug)]
pub enum Arrival {
    /// The entry a record carried, byte for byte.
    Entry {
        /// Who sent it.
        peer: SocketAddr,
        /// The entry.
        entry: Vec<u8>,
    },
    /// A frame that is no syslog record with an entry.
    Refused {
        /// Who sent it.
        peer: SocketAddr,
        /// The frame as received.
        frame: Vec<u8>,
        /// Why it was refused.
        err: Error,
    },
}

impl Arrival {
    /// Takes the entry out of one frame (copying the entry only).
    pub fn from_frame(peer: SocketAddr, frame: &[u8]) -> Arrival {
        match decode_message(frame) {
            Ok(received) => Arrival::Entry { peer, entry: received.entry.to_vec() },
            Err(err) => Arrival::Refused { peer, frame: frame.to_vec(), err },
        }
    }

    /// The bytes it holds.
    ///
    /// ```
    /// let arrival = audit_cef::receive::Arrival::from_frame("127.0.0.1:1".parse().unwrap(), b"junk");
    /// assert_eq!(arrival.len(), 4);
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        match self {
            Arrival::Entry { entry, .. } => entry.len(),
            Arrival::Refused { frame, .. } => frame.len(),
        }
    }
}

/// One syslog connection's bytes, as they are read, cut into frames
/// (RFC 6587: octet counting or LF, told apart per frame) and taken into
/// [`Arrival`]s, with memory bounded by the longest frame. Frames that
/// cannot be read at all (a bad count, over the longest, cut short at the
/// end) are counted, never stopping the connection.
///
/// ```
/// use audit_cef::receive::StreamArrivals;
/// let mut stream = StreamArrivals::new("127.0.0.1:601".parse().unwrap(), 64 * 1024);
/// let first = stream.push(b"<13>CEF:0|v|p|1|i|n|5|a=1\n<13>CEF:0|v|p|1|i");
/// assert_eq!(first.len(), 1);
/// assert_eq!(stream.push(b"|n|5|a=2\n").len(), 1);
/// assert_eq!(stream.finish(), 0, "nothing unreadable");
/// ```
#[derive(Debug)]
pub struct StreamArrivals {
    decoder: FrameDecoder,
    peer: SocketAddr,
    unreadable: u64,
}

impl StreamArrivals {
    /// A connection from `peer` whose frames are at most `max_frame`
    /// bytes, syslog header included.
    pub fn new(peer: SocketAddr, max_frame: usize) -> StreamArrivals {
        StreamArrivals { decoder: FrameDecoder::new(max_frame), peer, unreadable: 0 }
    }

    /// Takes what one read gave; the arrivals of the frames it completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Arrival> {
        self.decoder.push(bytes);
        let mut arrivals = Vec::new();
        while let Some(frame) = self.decoder.next_frame() {
            match frame {
                Ok(frame) => arrivals.push(Arrival::from_frame(self.peer, frame)),
                Err(_) => self.unreadable = self.unreadable.saturating_add(1),
            }
        }
        arrivals
    }

    /// The connection ended: how many frames could not be read at all, a
    /// last one cut short included.
    pub fn finish(mut self) -> u64 {
        self.unreadable.saturating_add(u64::from(self.decoder.finish().is_some()))
    }
}

/// Verifies a batch of arrivals on the pool's threads and gives the
/// records to store, in arrival order (so in order per sender too):
/// verified entries for `--out`; failed entries and refused frames, stamped
/// `received`, for `--rejected`.
///
/// ```
/// use audit_cef::receive::{Arrival, VerifyPool, check_arrivals};
/// use audit_cef::{KeySet, Verifier};
/// let pool = VerifyPool::new(Verifier::new(KeySet::default()), 1);
/// let peer = "127.0.0.1:1".parse().unwrap();
/// let batch = [Arrival::from_frame(peer, b"junk"), Arrival::from_frame(peer, b"<13>CEF:0|v|p|1|i|n|5|a=1")];
/// let records = check_arrivals(&pool, None, &batch, audit_cef::chrono::DateTime::UNIX_EPOCH);
/// assert_eq!(records.counts(), (0, 2));
/// ```
pub fn check_arrivals(
    pool: &VerifyPool,
    format: Option<Format>,
    batch: &[Arrival],
    received: DateTime<Utc>,
) -> Records {
    let entries: Vec<&[u8]> = batch
        .iter()
        .filter_map(|arrival| match arrival {
            Arrival::Entry { entry, .. } => Some(entry.as_slice()),
            Arrival::Refused { .. } => None,
        })
        .collect();
    let mut verdicts = pool.verify_parallel(format, &entries).into_iter();
    let mut records = Records::default();
    for arrival in batch {
        match arrival {
            Arrival::Entry { peer, entry } => match verdicts.next() {
                Some(None) => records.push_verified(entry),
                Some(Some(err)) => records.push_rejected(entry, &err, *peer, received),
                // One verdict per entry; fail closed if there were ever fewer.
                None => records.push_rejected(entry, &Error::new(ErrorKind::NoKeyMatches), *peer, received),
            },
            Arrival::Refused { peer, frame, err } => records.push_rejected(frame, err, *peer, received),
        }
    }
    records
}
