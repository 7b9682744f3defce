//! A push decoder for a stream of RFC 6587 frames, with bounded memory.

use crate::error::{Error, ErrorKind, Result};

/// Splits a syslog byte stream (one TCP or TLS connection) into messages.
///
/// Push what each read returned with [`push`](FrameDecoder::push), then
/// call [`next_frame`](FrameDecoder::next_frame) until it returns `None`;
/// when the connection ends, call [`finish`](FrameDecoder::finish). The
/// decoder does no I/O, starts no thread and reads no clock.
///
/// # Framing
///
/// Each frame is told apart by its first byte, as RFC 6587 section 3.5
/// advises, so one connection may mix both framings:
///
/// - `1`-`9` starts an octet-counted frame, `MSG-LEN SP MSG`: the MSG-LEN
///   bytes after the space are the message, whatever they hold;
/// - anything else (normally `<`) starts a frame that runs to the next LF
///   (non-transparent framing); a CR before the LF is dropped and empty
///   lines are skipped.
///
/// # Limits and errors
///
/// A message may be `max_frame_len` bytes long (for an LF frame, the bytes
/// before the LF, a CR included). After `next_frame` has returned `None`,
/// the decoder holds at most `max_frame_len` bytes
/// ([`buffered`](FrameDecoder::buffered)), so its memory stays within the
/// limit plus one push.
///
/// Errors never stop the decoder: each bad frame is reported once, as an
/// error whose offset is the frame's position in the stream (bytes pushed
/// before it), and decoding goes on. To get back in step it then discards
/// everything up to and including the next LF, without buffering it:
///
/// - an octet count with a leading `0`, or digits not followed by a space:
///   [`ErrorKind::InvalidFrame`] (at the byte that is wrong);
/// - an octet count over `max_frame_len` (however many digits it has), or
///   an LF frame longer than that: [`ErrorKind::FrameTooLong`].
///
/// The decoder does not skip the announced length of a frame over the limit:
/// a count that is wrong or junk would make it swallow that many bytes of
/// the frames after it. An octet-counted stream holds no LF between frames,
/// so after such an error the rest of it is lost up to the next LF: a
/// framing error means the peer and the receiver are out of step, and a
/// receiver will usually close the connection.
///
/// ```
/// use audit_cef::ErrorKind;
/// use audit_cef::syslog::FrameDecoder;
///
/// let mut decoder = FrameDecoder::new(64 * 1024);
/// decoder.push(b"22 <13>CEF:0|a|b|1|c|d|5|<13>CEF:0|a|b|1|c|");
/// assert_eq!(decoder.next_frame().transpose()?, Some(&b"<13>CEF:0|a|b|1|c|d|5|"[..]));
/// assert_eq!(decoder.next_frame().transpose()?, None); // the LF frame is not complete yet
/// decoder.push(b"d|5|\r\n0junk\n");
/// assert_eq!(decoder.next_frame().transpose()?, Some(&b"<13>CEF:0|a|b|1|c|d|5|"[..]));
/// let err = decoder.next_frame().and_then(Result::err).map(|e| (e.kind(), e.offset()));
/// assert_eq!(err, Some((ErrorKind::InvalidFrame, Some(49))));
/// assert!(decoder.next_frame().is_none());
/// assert!(decoder.finish().is_none());
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    max_frame_len: usize,
    /// Pushed bytes; those before `start` are read.
    buf: Vec<u8>,
    start: usize,
    /// Position in the stream of `buf[start]` (saturating).
    offset: usize,
    state: State,
}

/// Where the decoder is in the stream. `at` is where the frame started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between frames.
    Start,
    /// In the digits of an octet count (read so far: `len`).
    Count { len: usize, at: usize },
    /// In an octet-counted message of `len` bytes.
    Body { len: usize, at: usize },
    /// In an LF frame, `scanned` bytes of it searched for the LF.
    Line { scanned: usize, at: usize },
    /// Discarding up to and including the next LF, after an error.
    Skip,
}

impl FrameDecoder {
    /// A decoder for messages of up to `max_frame_len` bytes. RFC 5425
    /// asks receivers to take at least 2048 and should take 8192; 64 KiB
    /// covers any UDP datagram.
    ///
    /// ```
    /// let decoder = audit_cef::syslog::FrameDecoder::new(8192);
    /// assert_eq!(decoder.max_frame_len(), 8192);
    /// assert_eq!(decoder.buffered(), 0);
    /// ```
    pub fn new(max_frame_len: usize) -> FrameDecoder {
        FrameDecoder { max_frame_len, buf: Vec::new(), start: 0, offset: 0, state: State::Start }
    }

    /// The longest message the decoder returns.
    ///
    /// ```
    /// assert_eq!(audit_cef::syslog::FrameDecoder::new(100).max_frame_len(), 100);
    /// ```
    pub fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// How many pushed bytes the decoder holds and has not returned yet.
    /// After [`next_frame`](FrameDecoder::next_frame) has returned `None`,
    /// at most [`max_frame_len`](FrameDecoder::max_frame_len).
    ///
    /// ```
    /// let mut decoder = audit_cef::syslog::FrameDecoder::new(4);
    /// decoder.push(b"<13>a very long line");
    /// assert_eq!(decoder.buffered(), 20);
    /// assert!(decoder.next_frame().is_some_and(|r| r.is_err()));
    /// assert_eq!(decoder.buffered(), 0);
    /// ```
    pub fn buffered(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// Adds the next bytes read from the stream. Bytes that an error has
    /// the decoder discard are dropped here, never stored.
    ///
    /// ```
    /// let mut decoder = audit_cef::syslog::FrameDecoder::new(1024);
    /// for chunk in [&b"1"[..], b"3 <1", b"3>CEF:0|a|b"] {
    ///     decoder.push(chunk);
    /// }
    /// assert_eq!(decoder.next_frame().transpose()?, Some(&b"<13>CEF:0|a|b"[..]));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn push(&mut self, mut bytes: &[u8]) {
        if self.start > 0 {
            self.buf.drain(..self.start.min(self.buf.len()));
            self.start = 0;
        }
        if self.state == State::Skip && self.buf.is_empty() {
            match memchr::memchr(b'\n', bytes) {
                None => {
                    self.offset = self.offset.saturating_add(bytes.len());
                    return;
                }
                Some(lf) => {
                    self.offset = self.offset.saturating_add(lf.saturating_add(1));
                    bytes = bytes.get(lf.saturating_add(1)..).unwrap_or_default();
                    self.state = State::Start;
                }
            }
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete message, an error for a bad frame, or `None` when
    /// more bytes are needed. The message borrows the decoder until the
    /// next call.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidFrame`] or [`ErrorKind::FrameTooLong`], once per
    /// bad frame, at its position in the stream: see [`FrameDecoder`].
    /// Decoding goes on after an error.
    ///
    /// ```
    /// use audit_cef::syslog::FrameDecoder;
    /// let mut decoder = FrameDecoder::new(1024);
    /// decoder.push(b"\n<13>one\n\r\n<13>two\n");
    /// let mut frames = Vec::new();
    /// while let Some(frame) = decoder.next_frame() {
    ///     frames.push(frame?.to_vec());
    /// }
    /// assert_eq!(frames, [b"<13>one", b"<13>two"]);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn next_frame(&mut self) -> Option<Result<&[u8]>> {
        loop {
            let avail = self.buf.get(self.start..).unwrap_or_default();
            match self.state {
                State::Start => match *avail.first()? {
                    b'\n' => self.consume(1),
                    b'1'..=b'9' => self.state = State::Count { len: 0, at: self.offset },
                    b'0' => return Some(Err(self.fail(ErrorKind::InvalidFrame, self.offset))),
                    _ => self.state = State::Line { scanned: 0, at: self.offset },
                },
                State::Count { mut len, at } => {
                    let digits = avail.iter().take_while(|b| b.is_ascii_digit()).count();
                    for &digit in avail.get(..digits).unwrap_or_default() {
                        match len.checked_mul(10).and_then(|n| n.checked_add(usize::from(digit - b'0'))) {
                            Some(n) if n <= self.max_frame_len => len = n,
                            _ => return Some(Err(self.fail(ErrorKind::FrameTooLong, at))),
                        }
                    }
                    let next = avail.get(digits).copied();
                    self.consume(digits);
                    match next {
                        None => {
                            self.state = State::Count { len, at };
                            return None;
                        }
                        Some(b' ') => {
                            self.consume(1);
                            self.state = State::Body { len, at };
                        }
                        Some(_) => return Some(Err(self.fail(ErrorKind::InvalidFrame, self.offset))),
                    }
                }
                State::Body { len, .. } => {
                    if avail.len() < len {
                        return None;
                    }
                    let from = self.start;
                    self.consume(len);
                    self.state = State::Start;
                    return Some(Ok(self.buf.get(from..self.start).unwrap_or_default()));
                }
                State::Line { scanned, at } => {
                    let searched = avail.get(scanned..).unwrap_or_default();
                    let Some(lf) = memchr::memchr(b'\n', searched).map(|i| i.saturating_add(scanned)) else {
                        if avail.len() > self.max_frame_len {
                            return Some(Err(self.fail(ErrorKind::FrameTooLong, at)));
                        }
                        self.state = State::Line { scanned: avail.len(), at };
                        return None;
                    };
                    let line = avail.get(..lf).unwrap_or_default();
                    let too_long = line.len() > self.max_frame_len;
                    let len = line.strip_suffix(b"\r").unwrap_or(line).len();
                    let from = self.start;
                    self.consume(lf.saturating_add(1));
                    self.state = State::Start;
                    if too_long {
                        return Some(Err(Error::at(ErrorKind::FrameTooLong, at)));
                    }
                    if len > 0 {
                        return Some(Ok(self.buf.get(from..from.saturating_add(len)).unwrap_or_default()));
                    }
                }
                State::Skip => match memchr::memchr(b'\n', avail) {
                    Some(lf) => {
                        self.consume(lf.saturating_add(1));
                        self.state = State::Start;
                    }
                    None => {
                        self.consume(avail.len());
                        return None;
                    }
                },
            }
        }
    }

    /// Ends the stream: an error if it ended inside a frame, and the
    /// decoder is emptied (its stream offset goes on counting). Call it
    /// after [`next_frame`](FrameDecoder::next_frame) has returned `None`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TruncatedFrame`] at the position where the cut-short
    /// frame started (bytes of an octet count, of its message, or of a line
    /// without its LF). Bytes being discarded after an error are no new error.
    ///
    /// ```
    /// use audit_cef::ErrorKind;
    /// let mut decoder = audit_cef::syslog::FrameDecoder::new(1024);
    /// decoder.push(b"<13>done\n30 <13>cut");
    /// assert!(decoder.next_frame().is_some_and(|r| r.is_ok()));
    /// assert!(decoder.next_frame().is_none());
    /// let err = decoder.finish().map(|e| (e.kind(), e.offset()));
    /// assert_eq!(err, Some((ErrorKind::TruncatedFrame, Some(9))));
    /// assert!(decoder.finish().is_none());
    /// ```
    pub fn finish(&mut self) -> Option<Error> {
        let at = match self.state {
            State::Count { at, .. } | State::Body { at, .. } | State::Line { at, .. } => Some(at),
            State::Start if self.buffered() > 0 => Some(self.offset),
            State::Start | State::Skip => None,
        };
        let left = self.buffered();
        self.consume(left);
        self.buf.clear();
        self.start = 0;
        self.state = State::Start;
        at.map(|at| Error::at(ErrorKind::TruncatedFrame, at))
    }

    /// Marks `count` more bytes as read.
    fn consume(&mut self, count: usize) {
        self.start = self.start.saturating_add(count).min(self.buf.len());
        self.offset = self.offset.saturating_add(count);
    }

    /// Reports `kind` at `at`, drops the frame's bytes up to the next LF and
    /// discards from there on up to and including that LF.
    fn fail(&mut self, kind: ErrorKind, at: usize) -> Error {
        let avail = self.buf.get(self.start..).unwrap_or_default();
        let before_lf = memchr::memchr(b'\n', avail).unwrap_or(avail.len());
        self.consume(before_lf);
        self.state = State::Skip;
        Error::at(kind, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every frame and error, pushing `stream` in chunks of `chunk` bytes.
    fn decode(max: usize, stream: &[u8], chunk: usize) -> Vec<Result<Vec<u8>>> {
        let mut decoder = FrameDecoder::new(max);
        let mut out = Vec::new();
        for part in stream.chunks(chunk) {
            decoder.push(part);
            while let Some(frame) = decoder.next_frame() {
                out.push(frame.map(<[u8]>::to_vec));
            }
            assert!(decoder.buffered() <= max, "{} buffered", decoder.buffered());
        }
        out.extend(decoder.finish().map(Err));
        out
    }

    fn ok(frame: &[u8]) -> Result<Vec<u8>> {
        Ok(frame.to_vec())
    }

    fn err(kind: ErrorKind, at: usize) -> Result<Vec<u8>> {
        Err(Error::at(kind, at))
    }

    #[test]
    fn both_framings_mix_on_one_stream_in_any_chunking() {
        let stream = b"5 <1>a\n<2>b\r\n\n\r\n3 <3>6 <4>c d\n";
        for chunk in 1..=stream.len() {
            assert_eq!(
                decode(64, stream, chunk),
                [ok(b"<1>a\n"), ok(b"<2>b"), ok(b"<3>"), ok(b"<4>c d")],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn bad_frames_are_reported_once_and_the_next_frame_decodes() {
        use ErrorKind::{FrameTooLong, InvalidFrame, TruncatedFrame};
        for (stream, expected) in [
            // A leading 0, digits without a space, a count over the limit, however long.
            (&b"0 <1>a\n<2>b\n"[..], vec![err(InvalidFrame, 0), ok(b"<2>b")]),
            (b"12x<1>\n<2>b\n", vec![err(InvalidFrame, 2), ok(b"<2>b")]),
            (b"12\n<2>b\n", vec![err(InvalidFrame, 2), ok(b"<2>b")]),
            (b"17 <1>aaaaaaaaaaaaa\n3 <2>", vec![err(FrameTooLong, 0), ok(b"<2>")]),
            (b"99999999999999999999999999 <1>a\n<2>b\n", vec![err(FrameTooLong, 0), ok(b"<2>b")]),
            // An LF frame over the limit, whole or cut across pushes.
            (b"<1>aaaaaaaaaaaaa\n<2>b\n", vec![err(FrameTooLong, 0), ok(b"<2>b")]),
            // Exactly the limit is fine, CR included.
            (b"<1>aaaaaaaaaa\r\n<2>b\n", vec![ok(b"<1>aaaaaaaaaa"), ok(b"<2>b")]),
            (b"<1>aaaaaaaaaaa\r\n<2>b\n", vec![err(FrameTooLong, 0), ok(b"<2>b")]),
            // A count that is too short leaves a line of junk, returned as a frame.
            (b"4 <1>abc\n<2>b\n", vec![ok(b"<1>a"), ok(b"bc"), ok(b"<2>b")]),
            // Non-UTF-8 bytes are only bytes.
            (b"\xFF\xFE<1>\n3 \xC3\x28\xA0", vec![ok(b"\xFF\xFE<1>"), ok(b"\xC3\x28\xA0")]),
            // Cut short at the end: in the count, the message, a line.
            (b"<1>a\n12", vec![ok(b"<1>a"), err(TruncatedFrame, 5)]),
            (b"<1>a\n12 <2>", vec![ok(b"<1>a"), err(TruncatedFrame, 5)]),
            (b"<1>a\n<2>b", vec![ok(b"<1>a"), err(TruncatedFrame, 5)]),
            // Junk being discarded at the end is no second error.
            (b"<1>a\n0junk", vec![ok(b"<1>a"), err(InvalidFrame, 5)]),
        ] {
            for chunk in [1, 2, 3, 5, stream.len()] {
                assert_eq!(
                    decode(14, stream, chunk),
                    expected,
                    "{} in chunks of {chunk}",
                    String::from_utf8_lossy(stream)
                );
            }
        }
    }

    #[test]
    fn an_endless_line_is_discarded_without_being_held() {
        let mut decoder = FrameDecoder::new(1000);
        decoder.push(b"<1>");
        let mut errors = 0;
        for _ in 0..500 {
            decoder.push(&[b'x'; 333]);
            assert!(decoder.buffered() <= 1000 + 333);
            while let Some(frame) = decoder.next_frame() {
                assert_eq!(frame, Err(Error::at(ErrorKind::FrameTooLong, 0)));
                errors += 1;
            }
            assert!(decoder.buffered() <= 1000);
        }
        assert_eq!(errors, 1);
        assert_eq!(decoder.buffered(), 0);
        decoder.push(b"x\n<2>b\n");
        assert_eq!(decoder.next_frame(), Some(Ok(&b"<2>b"[..])));
        assert_eq!(decoder.finish(), None);
    }

    #[test]
    fn a_decoder_goes_on_after_finish() {
        let mut decoder = FrameDecoder::new(10);
        decoder.push(b"<1>");
        assert!(decoder.next_frame().is_none());
        assert_eq!(decoder.finish(), Some(Error::at(ErrorKind::TruncatedFrame, 0)));
        decoder.push(b"3 <2>");
        assert_eq!(decoder.next_frame(), Some(Ok(&b"<2>"[..])));
    }
}
