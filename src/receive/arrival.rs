//! Entries carried by syslog: each frame a listener cut (RFC 6587 on a
//! stream, one datagram on UDP) becomes an [`Arrival`], its entry or why
//! there is none, held with the others of the same read in one
//! [`Arrivals`]; a batch of them from any number of senders is verified at
//! once and becomes the records to store, in arrival order.

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

/// The frames one read (or one datagram) gave, from one sender: each
/// frame's entry, or the frame and why it has none, back to back in one
/// buffer. One allocation per read instead of one per entry: a syslog
/// receiver takes tens of thousands of entries a second.
///
/// ```
/// use audit_cef::receive::{Arrival, Arrivals};
/// let peer = "127.0.0.1:514".parse().unwrap();
/// let mut arrivals = Arrivals::new(peer);
/// arrivals.push_frame(b"<14>1 2025-06-18T21:02:36Z host app - - - CEF:0|v|p|1|i|n|5|a=1");
/// arrivals.push_frame(b"junk");
/// let mut each = arrivals.iter();
/// assert!(matches!(each.next(), Some(Arrival::Entry { entry: b"CEF:0|v|p|1|i|n|5|a=1", .. })));
/// assert!(matches!(each.next(), Some(Arrival::Refused { frame: b"junk", .. })));
/// assert_eq!((arrivals.len(), arrivals.bytes()), (2, 25));
/// ```
#[derive(Debug)]
pub struct Arrivals {
    peer: SocketAddr,
    /// The entries and refused frames, back to back.
    bytes: Vec<u8>,
    /// Where each arrival ends in `bytes`, and why a refused frame was.
    items: Vec<(usize, Option<Error>)>,
}

/// One received syslog frame, as [`Arrivals`] holds it: its entry, or why
/// there is none.
#[derive(Debug, Clone, Copy)]
pub enum Arrival<'a> {
    /// The entry a record carried, byte for byte.
    Entry {
        /// Who sent it.
        peer: SocketAddr,
        /// The entry.
        entry: &'a [u8],
    },
    /// A frame that is no syslog record with an entry.
    Refused {
        /// Who sent it.
        peer: SocketAddr,
        /// The frame as received.
        frame: &'a [u8],
        /// Why it was refused.
        err: &'a Error,
    },
}

impl Arrivals {
    /// None yet, from `peer`.
    ///
    /// ```
    /// let arrivals = audit_cef::receive::Arrivals::new("127.0.0.1:514".parse().unwrap());
    /// assert!(arrivals.is_empty());
    /// ```
    pub fn new(peer: SocketAddr) -> Arrivals {
        Arrivals { peer, bytes: Vec::new(), items: Vec::new() }
    }

    /// One frame's arrival alone: a UDP datagram's, say.
    ///
    /// ```
    /// let arrivals = audit_cef::receive::Arrivals::from_frame("127.0.0.1:514".parse().unwrap(), b"<13>CEF:0|v|p|1|i|n|5|a=1");
    /// assert_eq!(arrivals.len(), 1);
    /// ```
    pub fn from_frame(peer: SocketAddr, frame: &[u8]) -> Arrivals {
        let mut arrivals = Arrivals::new(peer);
        arrivals.push_frame(frame);
        arrivals
    }

    /// Takes the entry out of one frame (copying the entry only), or the
    /// frame with why it has none.
    ///
    /// ```
    /// let mut arrivals = audit_cef::receive::Arrivals::new("127.0.0.1:514".parse().unwrap());
    /// arrivals.push_frame(b"<13>CEF:0|v|p|1|i|n|5|a=1");
    /// assert_eq!(arrivals.bytes(), b"CEF:0|v|p|1|i|n|5|a=1".len(), "the entry, without <13>");
    /// ```
    pub fn push_frame(&mut self, frame: &[u8]) {
        let refused = match decode_message(frame) {
            Ok(received) => {
                self.bytes.extend_from_slice(received.entry);
                None
            }
            Err(err) => {
                self.bytes.extend_from_slice(frame);
                Some(err)
            }
        };
        self.items.push((self.bytes.len(), refused));
    }

    /// How many arrivals it holds.
    ///
    /// ```
    /// let arrivals = audit_cef::receive::Arrivals::from_frame("127.0.0.1:1".parse().unwrap(), b"junk");
    /// assert_eq!(arrivals.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it holds none.
    ///
    /// ```
    /// assert!(audit_cef::receive::Arrivals::new("127.0.0.1:1".parse().unwrap()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The bytes its entries and refused frames hold together.
    ///
    /// ```
    /// let arrivals = audit_cef::receive::Arrivals::from_frame("127.0.0.1:1".parse().unwrap(), b"junk");
    /// assert_eq!(arrivals.bytes(), 4);
    /// ```
    pub fn bytes(&self) -> usize {
        self.bytes.len()
    }

    /// Each arrival, in the order its frame came.
    ///
    /// ```
    /// let arrivals = audit_cef::receive::Arrivals::from_frame("127.0.0.1:1".parse().unwrap(), b"junk");
    /// assert!(matches!(arrivals.iter().next(), Some(audit_cef::receive::Arrival::Refused { .. })));
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = Arrival<'_>> {
        let mut from = 0;
        self.items.iter().map(move |(end, refused)| {
            let bytes = self.bytes.get(from..*end).unwrap_or_default();
            from = *end;
            match refused {
                None => Arrival::Entry { peer: self.peer, entry: bytes },
                Some(err) => Arrival::Refused { peer: self.peer, frame: bytes, err },
            }
        })
    }

    /// The entries alone, in order.
    fn entries(&self) -> impl Iterator<Item = &[u8]> {
        self.iter().filter_map(|arrival| match arrival {
            Arrival::Entry { entry, .. } => Some(entry),
            Arrival::Refused { .. } => None,
        })
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
    pub fn push(&mut self, bytes: &[u8]) -> Arrivals {
        self.decoder.push(bytes);
        let buffered = self.decoder.buffered();
        let mut arrivals = Arrivals::new(self.peer);
        while let Some(frame) = self.decoder.next_frame() {
            match frame {
                Ok(frame) => {
                    // Sized once, at the first frame: the entries fit in what
                    // was buffered, so the buffer never moves while it fills.
                    if arrivals.items.is_empty() {
                        arrivals.bytes.reserve(buffered);
                        arrivals.items.reserve(buffered / 256);
                    }
                    arrivals.push_frame(frame)
                }
                Err(_) => self.unreadable = self.unreadable.saturating_add(1),
            }
        }
        // What was buffered may have been mostly a long frame still coming:
        // the queue holds what is used, not what was reserved.
        give_back_unused(&mut arrivals.bytes, 4096);
        give_back_unused(&mut arrivals.items, 64);
        arrivals
    }

    /// The connection ended: how many frames could not be read at all, a
    /// last one cut short included.
    pub fn finish(mut self) -> u64 {
        self.unreadable.saturating_add(u64::from(self.decoder.finish().is_some()))
    }
}

/// Shrinks `buffer` to what it holds when it reserved more than twice that
/// and `slack` elements besides.
fn give_back_unused<T>(buffer: &mut Vec<T>, slack: usize) {
    if buffer.capacity() > buffer.len().saturating_mul(2).saturating_add(slack) {
        buffer.shrink_to_fit();
    }
}

/// Verifies a batch of arrivals on the pool's threads and gives the
/// records to store, in arrival order (so in order per sender too):
/// verified entries for `--out`; failed entries and refused frames, stamped
/// `received`, for `--rejected`.
///
/// ```
/// use audit_cef::receive::{Arrivals, VerifyPool, check_arrivals};
/// use audit_cef::{KeySet, Verifier};
/// let pool = VerifyPool::new(Verifier::new(KeySet::default()), 1);
/// let peer = "127.0.0.1:1".parse().unwrap();
/// let batch = [Arrivals::from_frame(peer, b"junk"), Arrivals::from_frame(peer, b"<13>CEF:0|v|p|1|i|n|5|a=1")];
/// let records = check_arrivals(&pool, None, &batch, audit_cef::chrono::DateTime::UNIX_EPOCH);
/// assert_eq!(records.counts(), (0, 2));
/// ```
pub fn check_arrivals(
    pool: &VerifyPool,
    format: Option<Format>,
    batch: &[Arrivals],
    received: DateTime<Utc>,
) -> Records {
    let entries: Vec<&[u8]> = batch.iter().flat_map(Arrivals::entries).collect();
    let mut verdicts = pool.verify_parallel(format, &entries).into_iter();
    let mut records = Records::default();
    for arrival in batch.iter().flat_map(Arrivals::iter) {
        match arrival {
            Arrival::Entry { peer, entry } => match verdicts.next() {
                Some(None) => records.push_verified(entry),
                Some(Some(err)) => records.push_rejected(entry, &err, peer, received),
                // One verdict per entry; fail closed if there were ever fewer.
                None => records.push_rejected(entry, &Error::new(ErrorKind::NoKeyMatches), peer, received),
            },
            Arrival::Refused { peer, frame, err } => records.push_rejected(frame, err, peer, received),
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_mostly_of_a_frame_still_coming_queues_no_more_than_it_holds() {
        let mut stream = StreamArrivals::new("127.0.0.1:601".parse().unwrap(), 1 << 20);
        // One short frame, then 200 KiB of a line that has not ended yet.
        let mut read = b"<13>CEF:0|v|p|1|i|n|5|a=1\n".to_vec();
        read.extend(std::iter::repeat_n(b'x', 200 << 10));
        let arrivals = stream.push(&read);
        assert_eq!(arrivals.len(), 1);
        assert!(arrivals.bytes.capacity() <= 2 * arrivals.bytes() + 4096, "{}", arrivals.bytes.capacity());
        assert!(arrivals.items.capacity() <= 2 + 64, "{}", arrivals.items.capacity());
    }
}
