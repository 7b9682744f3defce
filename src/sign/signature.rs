//! The `sig` field: 64 signature bytes as 86 base64url characters, and
//! where it sits in a CEF or JSON entry (konnect.md section 3).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signature;

use super::line_ending::trim_line_ending;
use crate::error::{Error, ErrorKind, Result};

/// Length of an Ed25519 signature in bytes.
pub const SIGNATURE_LEN: usize = 64;
/// Length of the signature in base64url without padding: always 86.
pub const SIGNATURE_B64_LEN: usize = 86;
/// What precedes the signature in a CEF entry.
pub(crate) const CEF_MARKER: &[u8] = b" sig=";
/// What precedes the signature in a JSON or CPS entry.
pub(crate) const JSON_MARKER: &[u8] = b",\"sig\":\"";

/// The 86 base64url characters of a signature. 64 bytes always encode to
/// exactly 86; should the encoder ever say otherwise, this is an error, never
/// a signature of zeros.
pub(crate) fn encode(signature: &Signature) -> Result<[u8; SIGNATURE_B64_LEN]> {
    let mut out = [0u8; SIGNATURE_B64_LEN];
    match URL_SAFE_NO_PAD.encode_slice(signature.to_bytes(), &mut out) {
        Ok(SIGNATURE_B64_LEN) => Ok(out),
        _ => Err(Error::new(ErrorKind::MalformedSignature)),
    }
}

/// Decodes exactly 86 canonical base64url characters (no padding, zero
/// trailing bits: one text per signature).
pub(crate) fn decode(text: &[u8], offset: usize) -> Result<Signature> {
    let malformed = || Error::at(ErrorKind::MalformedSignature, offset);
    if text.len() != SIGNATURE_B64_LEN {
        return Err(malformed());
    }
    let mut bytes = [0u8; SIGNATURE_LEN + 2];
    match URL_SAFE_NO_PAD.decode_slice(text, &mut bytes) {
        Ok(SIGNATURE_LEN) => {}
        _ => return Err(malformed()),
    }
    let mut exact = [0u8; SIGNATURE_LEN];
    exact.copy_from_slice(bytes.get(..SIGNATURE_LEN).ok_or_else(malformed)?);
    Ok(Signature::from_bytes(&exact))
}

/// The entry without one trailing line ending. A CR or LF left inside is
/// refused: an entry travels as one line (Konnect's batches, syslog), and
/// the signer never signs one.
fn one_line(entry: &[u8]) -> Result<&[u8]> {
    let entry = trim_line_ending(entry);
    match memchr::memchr2(b'\r', b'\n', entry) {
        Some(at) => Err(Error::at(ErrorKind::LineBreakInEntry, at)),
        None => Ok(entry),
    }
}

/// A CEF entry split at its signature: the signed bytes, the signature,
/// and the byte offset of its text in the entry.
pub(crate) struct SplitCef<'a> {
    pub(crate) signed: &'a [u8],
    pub(crate) signature: Signature,
    pub(crate) signature_at: usize,
}

/// Splits at the last ` sig=`; the signature must be the final field and
/// the only one.
pub(crate) fn split_cef(entry: &[u8]) -> Result<SplitCef<'_>> {
    let entry = one_line(entry)?;
    let unsigned = || Error::at(ErrorKind::Unsigned, entry.len());
    let marker = memchr::memmem::rfind(entry, CEF_MARKER).ok_or_else(unsigned)?;
    let (signed, tail) = entry.split_at_checked(marker).ok_or_else(unsigned)?;
    let value = tail.strip_prefix(CEF_MARKER).ok_or_else(unsigned)?;
    let value_at = marker + CEF_MARKER.len();
    let space = memchr::memchr(b' ', value).unwrap_or(value.len());
    let (value, after) = value.split_at_checked(space).ok_or_else(unsigned)?;
    let signature = decode(value, value_at)?;
    if !after.is_empty() {
        return Err(Error::at(ErrorKind::DataAfterSignature, value_at + space));
    }
    if let Some(first) = memchr::memmem::find(signed, CEF_MARKER) {
        return Err(Error::at(ErrorKind::DataAfterSignature, first));
    }
    Ok(SplitCef { signed, signature, signature_at: value_at })
}

/// Which closing a JSON entry has after its signature.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum JsonForm {
    /// `{...,"sig":"..."}`
    Json,
    /// `{"event":{...,"sig":"..."}}`
    Cps,
}

impl JsonForm {
    pub(crate) fn closing(self) -> &'static [u8] {
        match self {
            JsonForm::Json => b"}",
            JsonForm::Cps => b"}}",
        }
    }
}

/// A JSON entry split at its signature: the signed bytes are `head` then
/// `tail`; the signature's text starts at byte `signature_at`.
pub(crate) struct SplitJson<'a> {
    pub(crate) head: &'a [u8],
    pub(crate) tail: &'a [u8],
    pub(crate) signature: Signature,
    pub(crate) signature_at: usize,
}

/// Splits at the last `,"sig":"`: the value must be 86 characters, then `"`
/// and the entry's closing braces, nothing else.
pub(crate) fn split_json(entry: &[u8], form: JsonForm) -> Result<SplitJson<'_>> {
    let entry = one_line(entry)?;
    if entry.first() != Some(&b'{') {
        return Err(Error::at(ErrorKind::NotJsonEntry, 0));
    }
    let unsigned = || Error::at(ErrorKind::Unsigned, entry.len());
    let marker = memchr::memmem::rfind(entry, JSON_MARKER).ok_or_else(unsigned)?;
    let (head, rest) = entry.split_at_checked(marker).ok_or_else(unsigned)?;
    let rest = rest.strip_prefix(JSON_MARKER).ok_or_else(unsigned)?;
    let value_at = marker + JSON_MARKER.len();
    let quote = memchr::memchr(b'"', rest).ok_or_else(|| Error::at(ErrorKind::MalformedSignature, value_at))?;
    let (value, tail) = rest.split_at_checked(quote).ok_or_else(unsigned)?;
    let signature = decode(value, value_at)?;
    let tail = tail.strip_prefix(b"\"").ok_or_else(unsigned)?;
    if tail != form.closing() {
        return Err(Error::at(ErrorKind::DataAfterSignature, value_at + quote + 1));
    }
    if let Some(first) = memchr::memmem::find(head, b"\"sig\":") {
        return Err(Error::at(ErrorKind::DataAfterSignature, first));
    }
    Ok(SplitJson { head, tail, signature, signature_at: value_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ";

    #[test]
    fn encode_decode_round_trip() {
        let signature = decode(SIG.as_bytes(), 0).unwrap();
        assert_eq!(&encode(&signature).unwrap()[..], SIG.as_bytes());
    }

    #[test]
    fn decoding_is_canonical() {
        // The last character carries 2 bits and 4 zero bits: `Q` is canonical, `R` is not.
        let non_canonical = format!("{}R", &SIG[..85]);
        assert_eq!(decode(non_canonical.as_bytes(), 7).err(), Some(Error::at(ErrorKind::MalformedSignature, 7)));
        for bad in [&SIG[..85], &format!("{SIG}=="), &format!("{}+", &SIG[..85]), &format!("{}/", &SIG[..85])] {
            assert!(decode(bad.as_bytes(), 0).is_err(), "{bad}");
        }
    }

    #[test]
    fn cef_split_positions() {
        let line = format!("CEF:0|v|p|1|id|n|5|a=1 sig={SIG}\r\n");
        let split = split_cef(line.as_bytes()).unwrap();
        assert_eq!(split.signed, b"CEF:0|v|p|1|id|n|5|a=1");
        assert_eq!(split_cef(b"CEF:0|v|p|1|id|n|5|a=1").err(), Some(Error::at(ErrorKind::Unsigned, 22)));
        let after = format!("CEF:0|v|p|1|id|n|5|a=1 sig={SIG} b=2");
        assert_eq!(split_cef(after.as_bytes()).err().map(|e| e.kind()), Some(ErrorKind::DataAfterSignature));
        let twice = format!("CEF:0|v|p|1|id|n|5|a=1 sig={SIG} sig={SIG}");
        assert_eq!(split_cef(twice.as_bytes()).err(), Some(Error::at(ErrorKind::DataAfterSignature, 22)));
    }

    #[test]
    fn json_split_positions() {
        let json = format!("{{\"a\":1,\"sig\":\"{SIG}\"}}");
        let split = split_json(json.as_bytes(), JsonForm::Json).unwrap();
        assert_eq!((split.head, split.tail), (&b"{\"a\":1"[..], &b"}"[..]));
        let cps = format!("{{\"event\":{{\"a\":1,\"sig\":\"{SIG}\"}}}}");
        assert!(split_json(cps.as_bytes(), JsonForm::Cps).is_ok());
        assert_eq!(
            split_json(cps.as_bytes(), JsonForm::Json).err().map(|e| e.kind()),
            Some(ErrorKind::DataAfterSignature)
        );
        let extra = format!("{{\"a\":1,\"sig\":\"{SIG}\",\"b\":2}}");
        assert_eq!(
            split_json(extra.as_bytes(), JsonForm::Json).err().map(|e| e.kind()),
            Some(ErrorKind::DataAfterSignature)
        );
    }
}
