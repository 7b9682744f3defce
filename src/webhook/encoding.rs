//! Which `Content-Encoding` headers a webhook receiver takes (konnect.md
//! section 4). Kong's reference page says Konnect sends
//! `Content-Encoding: application/gzip`, not the registered `gzip`, so a
//! receiver that matches `gzip` exactly refuses every batch Konnect sends
//! (and Konnect, which does not retry a 415, loses them). The body itself
//! is told apart by its first bytes ([`BodyEntries::decode`](crate::webhook::BodyEntries::decode)):
//! the header only rules out encodings nobody here can read.

/// Whether a body sent with this `Content-Encoding` header (`None`: no
/// header) can be read: absent or empty, or a comma-separated list whose
/// every token is `gzip`, `x-gzip`, `application/gzip` or `identity`, in
/// any case, with spaces or tabs around it. Anything else (`br`,
/// `deflate`, `compress`, bytes that are not text) cannot be, and a retry
/// would not change that.
///
/// ```
/// use audit_cef::webhook::accepts_content_encoding;
/// assert!(accepts_content_encoding(None));
/// assert!(accepts_content_encoding(Some(b"application/gzip")));
/// assert!(accepts_content_encoding(Some(b"identity, GZip")));
/// assert!(!accepts_content_encoding(Some(b"br")));
/// ```
pub fn accepts_content_encoding(header: Option<&[u8]>) -> bool {
    let Some(header) = header else { return true };
    header.split(|&byte| byte == b',').all(|token| {
        let token = token.trim_ascii();
        token.is_empty()
            || [b"gzip".as_slice(), b"x-gzip", b"application/gzip", b"identity"]
                .iter()
                .any(|known| token.eq_ignore_ascii_case(known))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_gzip_and_identity_is_taken_and_nothing_else() {
        for taken in [
            "",
            " ",
            "gzip",
            "GZIP",
            "x-gzip",
            "X-Gzip",
            "application/gzip",
            "Application/GZip",
            "identity",
            "gzip, identity",
            "identity,application/gzip",
            "\tgzip\t",
            "gzip,",
        ] {
            assert!(accepts_content_encoding(Some(taken.as_bytes())), "{taken:?}");
        }
        for refused in ["br", "deflate", "gzip, br", "compress", "gzip;q=1", "application/x-gzip2", "g zip"] {
            assert!(!accepts_content_encoding(Some(refused.as_bytes())), "{refused:?}");
        }
        assert!(!accepts_content_encoding(Some(b"\xff")));
        assert!(accepts_content_encoding(None));
    }
}
