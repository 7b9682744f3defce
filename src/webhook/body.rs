//! Batch bodies as Konnect's webhook sends them (konnect.md section 4):
//! entries separated by newlines, gzip-compressed or plain. Reading one is
//! bounded by [`BodyLimits`], so a small body cannot take much memory: a
//! gzip bomb is refused having inflated no more than the limit.

use std::borrow::Cow;
use std::io::{Read, Write};

use flate2::Compression;
use flate2::bufread::MultiGzDecoder;
use flate2::write::GzEncoder;

use crate::error::{Error, ErrorKind, Result};

/// How much a received body may hold. The defaults suit a SIEM collector:
/// 16 MiB compressed, 64 MiB of entries, 100,000 entries of 64 KiB each.
///
/// ```
/// let limits = audit_cef::webhook::BodyLimits::default().max_entries(1_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    max_compressed: usize,
    max_decompressed: usize,
    max_entries: usize,
    max_entry_len: usize,
}

impl Default for BodyLimits {
    fn default() -> BodyLimits {
        BodyLimits::new()
    }
}

impl BodyLimits {
    /// The defaults.
    ///
    /// ```
    /// assert_eq!(audit_cef::webhook::BodyLimits::new(), audit_cef::webhook::BodyLimits::default());
    /// ```
    pub const fn new() -> BodyLimits {
        BodyLimits {
            max_compressed: 16 << 20,
            max_decompressed: 64 << 20,
            max_entries: 100_000,
            max_entry_len: 64 << 10,
        }
    }

    /// The most bytes of the body as received (compressed or not).
    ///
    /// ```
    /// let limits = audit_cef::webhook::BodyLimits::new().max_compressed(1 << 20);
    /// ```
    pub const fn max_compressed(mut self, bytes: usize) -> BodyLimits {
        self.max_compressed = bytes;
        self
    }

    /// The most bytes of entries once inflated.
    ///
    /// ```
    /// let limits = audit_cef::webhook::BodyLimits::new().max_decompressed(8 << 20);
    /// ```
    pub const fn max_decompressed(mut self, bytes: usize) -> BodyLimits {
        self.max_decompressed = bytes;
        self
    }

    /// The most entries in one body.
    ///
    /// ```
    /// let limits = audit_cef::webhook::BodyLimits::new().max_entries(500);
    /// ```
    pub const fn max_entries(mut self, entries: usize) -> BodyLimits {
        self.max_entries = entries;
        self
    }

    /// The most bytes of a body as received.
    ///
    /// ```
    /// assert_eq!(audit_cef::webhook::BodyLimits::new().max_compressed(5).compressed_limit(), 5);
    /// ```
    pub const fn compressed_limit(&self) -> usize {
        self.max_compressed
    }

    /// The most bytes of entries once inflated.
    ///
    /// ```
    /// assert_eq!(audit_cef::webhook::BodyLimits::new().max_decompressed(5).decompressed_limit(), 5);
    /// ```
    pub const fn decompressed_limit(&self) -> usize {
        self.max_decompressed
    }

    /// The most entries in one body.
    ///
    /// ```
    /// assert_eq!(audit_cef::webhook::BodyLimits::new().max_entries(5).entries_limit(), 5);
    /// ```
    pub const fn entries_limit(&self) -> usize {
        self.max_entries
    }

    /// The longest entry, without its line ending.
    ///
    /// ```
    /// let limits = audit_cef::webhook::BodyLimits::new().max_entry_len(4096);
    /// ```
    pub const fn max_entry_len(mut self, bytes: usize) -> BodyLimits {
        self.max_entry_len = bytes;
        self
    }
}

/// Appends a batch body to `out`: the entries, each followed by LF, gzipped
/// when `gzip` is true (as Konnect sends them, `Content-Encoding: gzip`).
///
/// # Errors
///
/// [`ErrorKind::LineBreakInEntry`] for an entry holding a CR or LF (it
/// would arrive as two), at its offset in that entry; [`ErrorKind::Io`]
/// should compression fail. `out` keeps what it held before on error.
///
/// ```
/// use audit_cef::webhook::{BodyLimits, decode_body, encode_body};
/// let mut body = Vec::new();
/// encode_body([b"first".as_slice(), b"second"], true, &mut body)?;
/// let entries = decode_body(&body, BodyLimits::default())?;
/// assert_eq!(entries, [b"first".to_vec(), b"second".to_vec()]);
/// # Ok::<(), audit_cef::Error>(())
/// ```
pub fn encode_body<'e>(entries: impl IntoIterator<Item = &'e [u8]>, gzip: bool, out: &mut Vec<u8>) -> Result<()> {
    let start = out.len();
    let result = write_entries(entries, gzip, out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

fn write_entries<'e>(entries: impl IntoIterator<Item = &'e [u8]>, gzip: bool, out: &mut Vec<u8>) -> Result<()> {
    let mut plain = Vec::new();
    let target = if gzip { &mut plain } else { &mut *out };
    for entry in entries {
        check_single_line(entry)?;
        target.extend_from_slice(entry);
        target.push(b'\n');
    }
    if gzip {
        let mut encoder = GzEncoder::new(out, Compression::default());
        encoder.write_all(&plain)?;
        encoder.finish()?;
    }
    Ok(())
}

/// The entry hygiene rule of a receiver: a body is split into lines at LF
/// (one CR before it taken off), so an entry that still holds a CR or LF
/// is refused on its own, before it is verified. Verification trims one
/// trailing line ending, so without this rule an entry sent as
/// `...sig=X\r\r\n` would verify and then write a CR into a file of one
/// entry per line.
///
/// # Errors
///
/// [`ErrorKind::LineBreakInEntry`] at the offset of the first CR or LF.
///
/// ```
/// use audit_cef::webhook::check_single_line;
/// assert!(check_single_line(b"CEF:0|a|b|c|d|e|1|x=1").is_ok());
/// let err = check_single_line(b"CEF:0|a|b|c|d|e|1|x=1\r").unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (audit_cef::ErrorKind::LineBreakInEntry, Some(21)));
/// ```
pub fn check_single_line(entry: &[u8]) -> Result<()> {
    match memchr::memchr2(b'\r', b'\n', entry) {
        Some(at) => Err(Error::at(ErrorKind::LineBreakInEntry, at)),
        None => Ok(()),
    }
}

/// Reads a received batch body into its entries: gzip (told by its magic
/// bytes `1f 8b`, whatever the headers said; no UTF-8 text starts with
/// them, so a plain body of entries is never taken for gzip) or plain, LF
/// or CRLF line endings, blank lines skipped. One line ending is taken off
/// each entry; any other CR stays in it, for [`check_single_line`] to
/// refuse that entry alone.
///
/// # Errors
///
/// [`ErrorKind::BodyTooLarge`] when the body, its inflated size, its entry
/// count or one entry's length is over `limits` (the offset is where the
/// limit was passed: in the body for the compressed size, in the inflated
/// text otherwise), having inflated at most one byte past the limit;
/// [`ErrorKind::InvalidGzip`] for a broken gzip stream.
///
/// ```
/// use audit_cef::webhook::{BodyLimits, decode_body};
/// let entries = decode_body(b"a\r\n\r\nb\n", BodyLimits::default())?;
/// assert_eq!(entries, [b"a".to_vec(), b"b".to_vec()]);
/// let err = decode_body(b"aaaa\n", BodyLimits::default().max_entry_len(3)).unwrap_err();
/// assert_eq!(err.kind(), audit_cef::ErrorKind::BodyTooLarge);
/// # Ok::<(), audit_cef::Error>(())
/// ```
pub fn decode_body(body: &[u8], limits: BodyLimits) -> Result<Vec<Vec<u8>>> {
    Ok(BodyEntries::decode(body, limits)?.iter().map(<[u8]>::to_vec).collect())
}

/// A received batch body read into its entries without copying each one:
/// the body's text (borrowed when plain, inflated when gzip) and where each
/// entry lies in it. [`decode_body`]'s rules and limits, for a receiver
/// that verifies and stores entries in place.
///
/// ```
/// use audit_cef::webhook::{BodyEntries, BodyLimits};
/// let entries = BodyEntries::decode(b"a\r\n\r\nbc\n", BodyLimits::default())?;
/// assert_eq!(entries.len(), 2);
/// assert_eq!(entries.iter().collect::<Vec<_>>(), [b"a".as_slice(), b"bc"]);
/// assert_eq!(entries.get(1), Some(b"bc".as_slice()));
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyEntries<'b> {
    text: Cow<'b, [u8]>,
    /// Start and end of each entry in `text`.
    spans: Vec<(usize, usize)>,
}

impl<'b> BodyEntries<'b> {
    /// Reads `body` as [`decode_body`] does.
    ///
    /// # Errors
    ///
    /// As [`decode_body`].
    ///
    /// ```
    /// use audit_cef::webhook::{BodyEntries, BodyLimits};
    /// let err = BodyEntries::decode(b"aaaa\n", BodyLimits::default().max_entry_len(3)).unwrap_err();
    /// assert_eq!(err.kind(), audit_cef::ErrorKind::BodyTooLarge);
    /// ```
    pub fn decode(body: &'b [u8], limits: BodyLimits) -> Result<BodyEntries<'b>> {
        if body.len() > limits.max_compressed {
            return Err(Error::at(ErrorKind::BodyTooLarge, limits.max_compressed));
        }
        let text: Cow<'b, [u8]> = if body.starts_with(&[0x1f, 0x8b]) {
            Cow::Owned(inflate(body, limits.max_decompressed)?)
        } else if body.len() > limits.max_decompressed {
            return Err(Error::at(ErrorKind::BodyTooLarge, limits.max_decompressed));
        } else {
            Cow::Borrowed(body)
        };
        let spans = entry_spans(&text, limits)?;
        Ok(BodyEntries { text, spans })
    }

    /// Reads an owned `body` as [`BodyEntries::decode`] does, keeping a
    /// plain body's buffer as the text (no copy).
    ///
    /// # Errors
    ///
    /// As [`decode_body`].
    ///
    /// ```
    /// use audit_cef::webhook::{BodyEntries, BodyLimits};
    /// let entries = BodyEntries::decode_owned(b"a\nb\n".to_vec(), BodyLimits::default())?;
    /// assert_eq!(entries.get(1), Some(b"b".as_slice()));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn decode_owned(body: Vec<u8>, limits: BodyLimits) -> Result<BodyEntries<'static>> {
        if body.starts_with(&[0x1f, 0x8b]) {
            // The inflated text is owned already: `into_owned` moves it.
            return BodyEntries::decode(&body, limits).map(BodyEntries::into_owned);
        }
        let too_large = limits.max_compressed.min(limits.max_decompressed);
        if body.len() > too_large {
            return Err(Error::at(ErrorKind::BodyTooLarge, too_large));
        }
        let spans = entry_spans(&body, limits)?;
        Ok(BodyEntries { text: Cow::Owned(body), spans })
    }

    /// The bytes of the body's text (inflated, for a gzip body).
    ///
    /// ```
    /// # use audit_cef::webhook::{BodyEntries, BodyLimits};
    /// assert_eq!(BodyEntries::decode(b"ab\ncd\n", BodyLimits::default())?.text_len(), 6);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The number of entries.
    ///
    /// ```
    /// # use audit_cef::webhook::{BodyEntries, BodyLimits};
    /// assert_eq!(BodyEntries::decode(b"\n\n", BodyLimits::default())?.len(), 0);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the body held no entry.
    ///
    /// ```
    /// # use audit_cef::webhook::{BodyEntries, BodyLimits};
    /// assert!(BodyEntries::decode(b"", BodyLimits::default())?.is_empty());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Entry `index` (0-based), without its line ending.
    ///
    /// ```
    /// # use audit_cef::webhook::{BodyEntries, BodyLimits};
    /// assert_eq!(BodyEntries::decode(b"x\n", BodyLimits::default())?.get(1), None);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        self.spans.get(index).and_then(|&(start, end)| self.text.get(start..end))
    }

    /// The entries in body order.
    ///
    /// ```
    /// # use audit_cef::webhook::{BodyEntries, BodyLimits};
    /// assert_eq!(BodyEntries::decode(b"x\ny", BodyLimits::default())?.iter().count(), 2);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        self.spans.iter().map(|&(start, end)| self.text.get(start..end).unwrap_or_default())
    }

    /// The same entries owning their text (a plain body is copied once).
    ///
    /// ```
    /// # use audit_cef::webhook::{BodyEntries, BodyLimits};
    /// let owned: BodyEntries<'static> = BodyEntries::decode(b"x\n", BodyLimits::default())?.into_owned();
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn into_owned(self) -> BodyEntries<'static> {
        BodyEntries { text: Cow::Owned(self.text.into_owned()), spans: self.spans }
    }
}

/// Where each entry of `text` lies: lines split at LF (found with memchr),
/// one CR before it taken off, blank lines skipped, limits checked.
fn entry_spans(text: &[u8], limits: BodyLimits) -> Result<Vec<(usize, usize)>> {
    let mut spans = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let rest = text.get(start..).unwrap_or_default();
        let line_end = memchr::memchr(b'\n', rest).map_or(text.len(), |at| start.saturating_add(at));
        let line = text.get(start..line_end).unwrap_or_default();
        let end = if line.ends_with(b"\r") { line_end.saturating_sub(1) } else { line_end };
        if end > start {
            if end - start > limits.max_entry_len {
                return Err(Error::at(ErrorKind::BodyTooLarge, start.saturating_add(limits.max_entry_len)));
            }
            if spans.len() >= limits.max_entries {
                return Err(Error::at(ErrorKind::BodyTooLarge, start));
            }
            spans.push((start, end));
        }
        start = line_end.saturating_add(1);
    }
    Ok(spans)
}

/// Inflates a gzip stream (several members in a row, as `cat a.gz b.gz`
/// makes, included), reading at most `limit + 1` bytes of output.
fn inflate(body: &[u8], limit: usize) -> Result<Vec<u8>> {
    // The last member's trailer says its inflated size (mod 2^32): a good
    // first capacity for one-member bodies. The sender writes it, so it is
    // trusted no further than the limit and 16 times the body (text
    // compresses less; a larger output grows as usual).
    let trailer = body.len().checked_sub(4).and_then(|at| body.get(at..)).and_then(|b| <[u8; 4]>::try_from(b).ok());
    let hint =
        trailer.map_or(0, |size| u32::from_le_bytes(size) as usize).min(limit).min(body.len().saturating_mul(16));
    let mut out = Vec::with_capacity(hint.saturating_add(1));
    let room = u64::try_from(limit.saturating_add(1)).unwrap_or(u64::MAX);
    // Read in place (the slice is its own buffer): no copy into a reader's.
    MultiGzDecoder::new(body).take(room).read_to_end(&mut out).map_err(|_| Error::new(ErrorKind::InvalidGzip))?;
    if out.len() > limit {
        return Err(Error::at(ErrorKind::BodyTooLarge, limit));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule written the plain way: split at LF, one CR off, blanks out.
    fn naive(text: &[u8]) -> Vec<Vec<u8>> {
        text.split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
            .filter(|e| !e.is_empty())
            .collect()
    }

    #[test]
    fn entries_are_cut_as_the_plain_rule_says_for_every_short_body() {
        let alphabet = [b'a', b'\r', b'\n'];
        for len in 0..=7u32 {
            for mut n in 0..3usize.pow(len) {
                let mut text = Vec::new();
                for _ in 0..len {
                    text.push(alphabet[n % 3]);
                    n /= 3;
                }
                let entries = BodyEntries::decode(&text, BodyLimits::default()).unwrap();
                let got: Vec<Vec<u8>> = entries.iter().map(<[u8]>::to_vec).collect();
                assert_eq!(got, naive(&text), "{text:?}");
                assert_eq!(entries.len(), got.len());
            }
        }
    }

    #[test]
    fn round_trips_plain_and_gzip_and_refuses_line_breaks() {
        let entries: Vec<&[u8]> = vec![b"CEF:0|a|b|c|d|e|1|x=1", b"{\"a\":1}", b"x"];
        for gzip in [false, true] {
            let mut body = b"kept".to_vec();
            encode_body(entries.iter().copied(), gzip, &mut body).unwrap();
            let decoded = decode_body(body.get(4..).unwrap(), BodyLimits::default()).unwrap();
            assert_eq!(decoded, entries.iter().map(|e| e.to_vec()).collect::<Vec<_>>());
            let before = body.clone();
            let err = encode_body([b"ok".as_slice(), b"two\nlines"], gzip, &mut body).unwrap_err();
            assert_eq!((err.kind(), err.offset()), (ErrorKind::LineBreakInEntry, Some(3)));
            assert_eq!(body, before, "nothing written on error");
        }
    }

    #[test]
    fn a_gzip_bomb_is_refused_after_the_limit() {
        // 64 MiB of zeros compress to about 64 KiB.
        let mut bomb = Vec::new();
        let mut encoder = GzEncoder::new(&mut bomb, Compression::best());
        for _ in 0..64 {
            encoder.write_all(&vec![b'0'; 1 << 20]).unwrap();
        }
        encoder.finish().unwrap();
        assert!(bomb.len() < 1 << 20, "{}", bomb.len());
        let err = decode_body(&bomb, BodyLimits::new().max_decompressed(1 << 20)).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::BodyTooLarge, Some(1 << 20)));
        let err = decode_body(&bomb, BodyLimits::new().max_compressed(1024)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BodyTooLarge);
    }

    #[test]
    fn limits_on_entries_and_lengths_and_broken_gzip() {
        let body = b"a\nbb\nccc\n";
        assert_eq!(decode_body(body, BodyLimits::new().max_entries(3)).unwrap().len(), 3);
        let err = decode_body(body, BodyLimits::new().max_entries(2)).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::BodyTooLarge, Some(5)));
        let err = decode_body(body, BodyLimits::new().max_entry_len(2)).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::BodyTooLarge, Some(7)));
        let err = decode_body(&[0x1f, 0x8b, 8, 0, 1, 2, 3], BodyLimits::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidGzip);
    }

    /// Found by the `body` fuzz target: one line ending is taken off, as
    /// receivers do everywhere; a second CR stays in the entry, where the
    /// hygiene rule refuses it alone (LineBreakInEntry).
    #[test]
    fn only_one_line_ending_is_taken_off_and_what_is_left_is_refused_alone() {
        let entries = decode_body(b"a\r\r\nb\r\n\r\nc\rd\n", BodyLimits::new()).unwrap();
        assert_eq!(entries, [b"a\r".to_vec(), b"b".to_vec(), b"c\rd".to_vec()]);
        let checked: Vec<Option<usize>> =
            entries.iter().map(|entry| check_single_line(entry).err().and_then(|err| err.offset())).collect();
        assert_eq!(checked, [Some(1), None, Some(1)]);
    }

    #[test]
    fn concatenated_gzip_members_are_one_body() {
        let mut body = Vec::new();
        encode_body([b"one".as_slice()], true, &mut body).unwrap();
        encode_body([b"two".as_slice()], true, &mut body).unwrap();
        assert_eq!(decode_body(&body, BodyLimits::new()).unwrap(), [b"one".to_vec(), b"two".to_vec()]);
    }
}
