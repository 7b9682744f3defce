//! A parsed CEF line borrowing its input, and its extension pairs.

use std::borrow::Cow;

use super::escape::{Field, unescape};
use super::event::Event;
use super::key::{Key, key_before_equals};
use super::severity::{Severity, Version};
use super::word::{equal, first, word_at};
use crate::error::{Error, ErrorKind, Result};

/// One parsed line. Header fields are unescaped when parsed (borrowed
/// unless they held an escape); extension pairs are found and unescaped as
/// they are read, so parsing allocates nothing for an escape-free line.
///
/// ```
/// use audit_cef::Parser;
/// let line = Parser::new().parse(b"2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 action=list")?;
/// assert_eq!(line.prefix(), Some("2025-06-18T21:02:36Z konghq.com"));
/// assert_eq!(line.name(), "Authz.control-planes");
/// let pairs: Vec<(&str, String)> = line.pairs().map(|p| (p.key(), p.value().into_owned())).collect();
/// assert_eq!(pairs, [("rt", "1750280466889".to_string()), ("action", "list".to_string())]);
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    pub(crate) prefix: Option<&'a str>,
    pub(crate) version: &'a str,
    pub(crate) vendor: Cow<'a, str>,
    pub(crate) product: Cow<'a, str>,
    pub(crate) device_version: Cow<'a, str>,
    pub(crate) event_class_id: Cow<'a, str>,
    pub(crate) name: Cow<'a, str>,
    /// `None` for an empty field (lenient P3).
    pub(crate) severity: Option<Severity>,
    pub(crate) severity_text: &'a str,
    /// Byte offset of the Severity field in the input.
    pub(crate) severity_offset: usize,
    pub(crate) unparsed: Option<&'a str>,
    pub(crate) extension: &'a str,
    pub(crate) extension_offset: usize,
}

impl<'a> Line<'a> {
    /// The bytes before `CEF:`, less one separating space, verbatim (P1).
    /// Parse them with [`Prefix::parse`](crate::Prefix::parse).
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(b"ASM:CEF:0|v|p|1|id|n|5|")?;
    /// assert_eq!(line.prefix(), Some("ASM:"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn prefix(&self) -> Option<&'a str> {
        self.prefix
    }

    /// The version digits as written (`"0"`, `"1"`; lenient parsing accepts others).
    ///
    /// ```
    /// assert_eq!(audit_cef::Parser::new().parse(b"CEF:1|v|p|1|id|n|5|")?.version(), "1");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn version(&self) -> &'a str {
        self.version
    }

    /// Device Vendor, unescaped.
    ///
    /// ```
    /// assert_eq!(audit_cef::Parser::new().parse(br"CEF:0|a\|b|p|1|id|n|5|")?.vendor(), "a|b");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn vendor(&self) -> &str {
        &self.vendor
    }

    /// Device Product, unescaped.
    ///
    /// ```
    /// assert_eq!(audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|")?.product(), "p");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn product(&self) -> &str {
        &self.product
    }

    /// Device Version, unescaped.
    ///
    /// ```
    /// assert_eq!(audit_cef::Parser::new().parse(b"CEF:0|v|p|1.0|id|n|5|")?.device_version(), "1.0");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn device_version(&self) -> &str {
        &self.device_version
    }

    /// Device Event Class ID, unescaped.
    ///
    /// ```
    /// assert_eq!(audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|")?.event_class_id(), "id");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn event_class_id(&self) -> &str {
        &self.event_class_id
    }

    /// Name, unescaped.
    ///
    /// ```
    /// assert_eq!(audit_cef::Parser::new().parse(br"CEF:0|v|p|1|id|a\\b|5|")?.name(), r"a\b");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Severity, or `None` when the field is empty (accepted by the lenient
    /// parser, P3).
    ///
    /// ```
    /// use audit_cef::{Parser, Severity};
    /// assert_eq!(Parser::new().parse(b"CEF:0|v|p|1|id|n|Very-High|")?.severity(), Some(Severity::VERY_HIGH));
    /// assert_eq!(Parser::new().parse(b"CEF:0|v|p|1|id|n||")?.severity(), None);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn severity(&self) -> Option<Severity> {
        self.severity
    }

    /// Byte offset of the Severity field in the parsed input.
    ///
    /// ```
    /// assert_eq!(audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|")?.severity_offset(), 17);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn severity_offset(&self) -> usize {
        self.severity_offset
    }

    /// Severity as written (lenient parsing accepts `very-high`).
    ///
    /// ```
    /// assert_eq!(audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|very-high|")?.severity_str(), "very-high");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn severity_str(&self) -> &'a str {
        self.severity_text
    }

    /// Text between the header and the first key (P14), never dropped silently.
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|not a pair")?;
    /// assert_eq!(line.unparsed(), Some("not a pair"));
    /// assert_eq!(line.pairs().count(), 0);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn unparsed(&self) -> Option<&'a str> {
        self.unparsed
    }

    /// The raw extension from its first key on, as received (escapes kept,
    /// trailing whitespace dropped per P6).
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(br"CEF:0|v|p|1|id|n|5|a=1\=2 b=3  ")?;
    /// assert_eq!(line.raw_extension(), r"a=1\=2 b=3");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn raw_extension(&self) -> &'a str {
        self.extension
    }

    /// The extension pairs in line order, duplicates included (P12).
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|a=1 a=2")?;
    /// assert_eq!(line.pairs().map(|p| p.key()).collect::<Vec<_>>(), ["a", "a"]);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    #[inline]
    pub fn pairs(&self) -> Pairs<'a> {
        Pairs::new(self.extension, self.extension_offset)
    }

    /// The unescaped value of the last pair with `key` (P12: last wins).
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|a=1 a=2")?;
    /// assert_eq!(line.get("a").as_deref(), Some("2"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<Cow<'a, str>> {
        self.pairs().filter(|pair| pair.key() == key).last().map(|pair| pair.value())
    }

    /// The event this line holds, borrowing from the input.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidVersion`] when the version is not 0 or 1,
    /// [`ErrorKind::InvalidSeverity`] when the Severity field is empty (an
    /// [`Event`] always has one), and [`ErrorKind::UnparsedText`] when the
    /// line has text an [`Event`] cannot hold (P14): converting never loses
    /// bytes silently.
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|a=x\\=y")?;
    /// let event = line.to_event()?;
    /// assert_eq!(event.get("a"), Some("x=y"));
    /// assert_eq!(event.to_string(), "CEF:0|v|p|1|id|n|5|a=x\\=y");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn to_event(&self) -> Result<Event<'a>> {
        let version: Version = self.version.parse()?;
        let severity = self.severity.ok_or_else(|| Error::at(ErrorKind::InvalidSeverity, self.severity_offset))?;
        if self.unparsed.is_some() {
            return Err(Error::at(ErrorKind::UnparsedText, self.extension_offset));
        }
        Ok(Event {
            prefix: self.prefix.map(Cow::Borrowed),
            version,
            vendor: self.vendor.clone(),
            product: self.product.clone(),
            device_version: self.device_version.clone(),
            event_class_id: self.event_class_id.clone(),
            name: self.name.clone(),
            severity,
            extensions: self.pairs().map(|pair| (Key::trusted(pair.key), pair.value())).collect(),
        })
    }
}

/// One extension pair as found in the line.
///
/// ```
/// let line = audit_cef::Parser::new().parse(br"CEF:0|v|p|1|id|n|5|msg=a\nb")?;
/// let pair = line.pairs().next().unwrap();
/// assert_eq!((pair.key(), pair.raw_value(), &*pair.value()), ("msg", r"a\nb", "a\nb"));
/// assert_eq!(pair.offset(), 19);
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair<'a> {
    key: &'a str,
    raw: &'a str,
    offset: usize,
    /// Whether `raw` holds a backslash, learnt while finding its end.
    escaped: bool,
}

impl<'a> Pair<'a> {
    /// The key (E4 grammar).
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|src=1")?;
    /// assert_eq!(line.pairs().next().map(|p| p.key()), Some("src"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    #[inline]
    pub fn key(&self) -> &'a str {
        self.key
    }

    /// The value as written, escapes included.
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(br"CEF:0|v|p|1|id|n|5|k=a\=b")?;
    /// assert_eq!(line.pairs().next().map(|p| p.raw_value()), Some(r"a\=b"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    #[inline]
    pub fn raw_value(&self) -> &'a str {
        self.raw
    }

    /// The unescaped value (P7), borrowed unless it held an escape.
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(br"CEF:0|v|p|1|id|n|5|k=a\=b")?;
    /// assert_eq!(line.pairs().next().map(|p| p.value().into_owned()).as_deref(), Some("a=b"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    #[inline]
    pub fn value(&self) -> Cow<'a, str> {
        if !self.escaped {
            return Cow::Borrowed(self.raw);
        }
        // Lenient unescaping cannot fail; strict lines were checked when parsed.
        unescape(self.raw, Field::Value, false).unwrap_or(Cow::Borrowed(self.raw))
    }

    /// Byte offset of the key in the parsed input.
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|a=1 b=2")?;
    /// assert_eq!(line.pairs().map(|p| p.offset()).collect::<Vec<_>>(), [19, 23]);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Byte offset of the value in the parsed input.
    pub(crate) fn value_offset(&self) -> usize {
        self.offset + self.key.len() + 1
    }
}

/// Iterator over a line's pairs; see [`Line::pairs`].
///
/// ```
/// let line = audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|a=1 b=2")?;
/// let mut pairs: audit_cef::Pairs<'_> = line.pairs();
/// assert_eq!(pairs.next().map(|p| p.key()), Some("a"));
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pairs<'a> {
    rest: &'a str,
    offset: usize,
    /// The length of the key that starts `rest` when finding the previous
    /// value's end read it already (so each key is read once); 0 when not
    /// known (a key is never empty).
    key_len: usize,
}

impl<'a> Pairs<'a> {
    #[inline]
    pub(crate) fn new(extension: &'a str, offset: usize) -> Pairs<'a> {
        Pairs { rest: extension, offset, key_len: 0 }
    }
}

impl<'a> Iterator for Pairs<'a> {
    type Item = Pair<'a>;

    #[inline(always)]
    fn next(&mut self) -> Option<Pair<'a>> {
        let bytes = self.rest.as_bytes();
        let key_len = match self.key_len {
            0 => key_before_equals(bytes)?,
            known => known,
        };
        let value_start = key_len + 1;
        let (boundary, escaped) = find_boundary(bytes, value_start);
        let (value_end, next) = match boundary {
            Some((space, next_key_len)) => {
                self.key_len = next_key_len;
                (space, space + 1)
            }
            None => {
                self.key_len = 0;
                (bytes.len(), bytes.len())
            }
        };
        let pair = Pair {
            key: self.rest.get(..key_len)?,
            raw: self.rest.get(value_start..value_end)?,
            offset: self.offset,
            escaped,
        };
        self.rest = self.rest.get(next..)?;
        self.offset += next;
        Some(pair)
    }
}

impl core::iter::FusedIterator for Pairs<'_> {}

/// The first space at or after `from` that is followed by a key and `=`
/// (P4, P5), with that key's length (so the next pair does not read it
/// again): with several spaces, all but the last stay in the value. Also
/// tells whether a backslash came before it, so clean values skip unescaping.
#[inline]
pub(crate) fn find_boundary(bytes: &[u8], from: usize) -> (Option<(usize, usize)>, bool) {
    let mut at = from;
    let mut escaped = false;
    while let Some(found) = bytes.get(at..).and_then(space_or_backslash) {
        let stop = at + found;
        at = stop + 1;
        if bytes.get(stop) == Some(&b'\\') {
            escaped = true;
        } else if let Some(key_len) = bytes.get(stop + 1..).and_then(key_before_equals) {
            return (Some((stop, key_len)), escaped);
        }
    }
    (None, escaped)
}

/// The first space or backslash in `bytes`. Most values are short: they
/// are read eight bytes at a time in a register, without memchr's call and
/// set-up (a Konnect line parses in 0.9x the time); past 64 bytes (a UUID
/// is 36), the rest of a long value goes to memchr, 32 bytes at a time.
#[inline(always)]
fn space_or_backslash(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(word) = word_at(bytes, at) {
        let found = equal(word, b' ') | equal(word, b'\\');
        if found != 0 {
            return Some(at + first(found));
        }
        at += 8;
        if at == 64 {
            return long_value_rest(bytes, at);
        }
    }
    let tail = bytes.get(at..)?;
    tail.iter().position(|&byte| byte == b' ' || byte == b'\\').map(|found| at + found)
}

/// [`space_or_backslash`] past the first `from` bytes of a long value.
#[inline(never)]
fn long_value_rest(bytes: &[u8], from: usize) -> Option<usize> {
    memchr::memchr2(b' ', b'\\', bytes.get(from..)?).map(|found| from + found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value at every place within and past the word-at-a-time
    /// part (and in the memchr part of a long value), against a plain scan.
    #[test]
    fn space_or_backslash_finds_what_a_plain_scan_finds() {
        for len in [0, 1, 7, 8, 9, 15, 16, 36, 63, 64, 65, 72, 100] {
            for at in 0..=len {
                for byte in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    if let Some(slot) = bytes.get_mut(at) {
                        *slot = byte;
                    }
                    let plain = bytes.iter().position(|&b| b == b' ' || b == b'\\');
                    assert_eq!(space_or_backslash(&bytes), plain, "len {len}, byte {byte:#04x} at {at}");
                }
            }
        }
        // The first of several, across words.
        assert_eq!(space_or_backslash(b"0123456789\\ x y"), Some(10));
        assert_eq!(space_or_backslash(&[b'x'; 200]), None);
    }
}
