//! RFC 6587 framing of syslog messages on a stream (TCP, TLS).

use crate::error::{Error, ErrorKind, Result};

/// How messages are delimited on a stream (RFC 6587 section 3.4).
///
/// ```
/// use audit_cef::syslog::{Framing, encode_frame};
/// let mut out = Vec::new();
/// encode_frame(Framing::OctetCounting, b"<13>CEF:0|a|b|1|c|d|5|", &mut out)?;
/// encode_frame(Framing::Lf, b"<13>CEF:0|a|b|1|c|d|5|", &mut out)?;
/// assert_eq!(out, b"22 <13>CEF:0|a|b|1|c|d|5|<13>CEF:0|a|b|1|c|d|5|\n");
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framing {
    /// `MSG-LEN SP SYSLOG-MSG` (section 3.4.1, and RFC 5425 over TLS): any
    /// bytes can be carried. The one to prefer.
    OctetCounting,
    /// `SYSLOG-MSG LF` (non-transparent framing, section 3.4.2): the message
    /// may not hold an LF.
    Lf,
}

/// Appends `message` (one syslog message, as from
/// [`encode_message`](super::encode_message)) to `out` in `framing`.
///
/// # Errors
///
/// [`ErrorKind::InvalidFrame`] (and `out` is left as it was) for what
/// [`FrameDecoder`](super::FrameDecoder) would not read back as this one
/// message: an empty message; in [`Framing::Lf`], one with an LF (at its
/// offset), ending with a CR (which the decoder strips) or starting with a
/// digit (which it takes for an octet count).
///
/// ```
/// use audit_cef::syslog::{Framing, encode_frame};
/// let mut out = Vec::new();
/// let err = encode_frame(Framing::Lf, b"<13>a\nb", &mut out).unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (audit_cef::ErrorKind::InvalidFrame, Some(5)));
/// encode_frame(Framing::OctetCounting, b"<13>a\nb", &mut out)?;
/// assert_eq!(out, b"7 <13>a\nb");
/// # Ok::<(), audit_cef::Error>(())
/// ```
pub fn encode_frame(framing: Framing, message: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let bad = |at: usize| Err(Error::at(ErrorKind::InvalidFrame, at));
    if message.is_empty() {
        return bad(0);
    }
    match framing {
        Framing::OctetCounting => {
            out.extend_from_slice(itoa::Buffer::new().format(message.len()).as_bytes());
            out.push(b' ');
            out.extend_from_slice(message);
        }
        Framing::Lf => {
            if let Some(at) = memchr::memchr(b'\n', message) {
                return bad(at);
            }
            if message.first().is_some_and(u8::is_ascii_digit) {
                return bad(0);
            }
            if message.last() == Some(&b'\r') {
                return bad(message.len().saturating_sub(1));
            }
            out.extend_from_slice(message);
            out.push(b'\n');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_a_framing_cannot_carry_are_refused() {
        for (framing, message, at) in [
            (Framing::OctetCounting, &b""[..], 0),
            (Framing::Lf, b"", 0),
            (Framing::Lf, b"<1>a\nb", 4),
            (Framing::Lf, b"<1>a\r", 4),
            (Framing::Lf, b"1 <1>", 0),
        ] {
            let mut out = b"kept".to_vec();
            assert_eq!(encode_frame(framing, message, &mut out), Err(Error::at(ErrorKind::InvalidFrame, at)));
            assert_eq!(out, b"kept");
        }
    }
}
