//! The `sig` field: 64 signature bytes as 86 base64url characters, and
//! where it sits in a CEF or JSON entry (konnect.md section 3).

use std::sync::LazyLock;

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
    let marker = last_cef_marker(entry).ok_or_else(unsigned)?;
    let (signed, tail) = entry.split_at_checked(marker).ok_or_else(unsigned)?;
    let value = tail.strip_prefix(CEF_MARKER).ok_or_else(unsigned)?;
    let value_at = marker + CEF_MARKER.len();
    let space = memchr::memchr(b' ', value).unwrap_or(value.len());
    let (value, after) = value.split_at_checked(space).ok_or_else(unsigned)?;
    let signature = decode(value, value_at)?;
    if !after.is_empty() {
        return Err(Error::at(ErrorKind::DataAfterSignature, value_at + space));
    }
    if let Some(first) = find_cef_marker(signed) {
        return Err(Error::at(ErrorKind::DataAfterSignature, first));
    }
    Ok(SplitCef { signed, signature, signature_at: value_at })
}

/// Finds ` sig=` without building a searcher per entry.
static CEF_MARKER_FINDER: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(CEF_MARKER));

/// Where the first ` sig=` of `bytes` starts.
pub(crate) fn find_cef_marker(bytes: &[u8]) -> Option<usize> {
    CEF_MARKER_FINDER.find(bytes)
}

/// Where the last ` sig=` of `entry` starts. A signed entry ends with the
/// marker and 86 characters without a space: then no later marker can
/// start (each starts with a space) and it is found without a search.
pub(crate) fn last_cef_marker(entry: &[u8]) -> Option<usize> {
    let at = entry.len().checked_sub(CEF_MARKER.len() + SIGNATURE_B64_LEN);
    let tail = at.and_then(|at| Some((at, entry.get(at..)?.split_at_checked(CEF_MARKER.len())?)));
    match tail {
        Some((at, (marker, value))) if marker == CEF_MARKER && !value.contains(&b' ') => Some(at),
        _ => memchr::memmem::rfind(entry, CEF_MARKER),
    }
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
    fn the_last_marker_is_where_the_plain_search_finds_it() {
        // Tails around the fast path's test: the marker where a final
        // signature puts it or one byte off, spaces and markers inside the
        // 86 characters, entries shorter than a signature.
        let value = SIG.as_bytes();
        let mut tails: Vec<Vec<u8>> = vec![Vec::new(), b" sig=".to_vec(), b" sig=x".to_vec()];
        for cut in [0, 1, 40, 85, 86] {
            tails.push([b" sig=".as_slice(), &value[..cut]].concat());
            tails.push([b" sig=".as_slice(), &value[..cut], b"x"].concat());
        }
        for at in [0, 1, 42, 80, 85] {
            let mut spaced = value.to_vec();
            spaced[at] = b' ';
            tails.push([b" sig=".as_slice(), &spaced].concat());
            let mut marked = value.to_vec();
            marked[at..(at + 5).min(86)].copy_from_slice(&b" sig="[..(86 - at).min(5)]);
            tails.push([b" sig=".as_slice(), &marked].concat());
        }
        for head in ["", "a", "CEF:0|v|p|1|id|n|5|a=1", "CEF:0|v|p|1|id|n|5|a=1 sig=x b=2"] {
            for tail in &tails {
                let entry = [head.as_bytes(), tail].concat();
                assert_eq!(
                    last_cef_marker(&entry),
                    memchr::memmem::rfind(&entry, CEF_MARKER),
                    "{}",
                    String::from_utf8_lossy(&entry)
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_last_marker_matches_the_plain_search_on_any_entry(
            head in proptest::collection::vec(proptest::sample::select(&b" sig=aQ"[..]), 0..40),
            marker in proptest::bool::ANY,
            tail in proptest::collection::vec(proptest::sample::select(&b"sig=aQ"[..]), 80..92),
            space in proptest::option::of(0..92usize),
        ) {
            // Mostly entries that end like a signed one, some a byte off,
            // some with a space in the signature's place.
            let mut bytes = head;
            if marker {
                bytes.extend_from_slice(CEF_MARKER);
            }
            bytes.extend_from_slice(&tail);
            if let Some(slot) = space.and_then(|at| bytes.len().checked_sub(1 + at)).and_then(|at| bytes.get_mut(at)) {
                *slot = b' ';
            }
            proptest::prop_assert_eq!(last_cef_marker(&bytes), memchr::memmem::rfind(&bytes, CEF_MARKER));
        }
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
