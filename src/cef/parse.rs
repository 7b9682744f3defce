//! The CEF parser (P1-P16): lenient by default, strict on request.

use std::borrow::Cow;

use super::escape::{Field, check_strict_value, unescape};
use super::key::key_before_equals;
use super::line::{Line, Pairs, find_boundary};
use super::marker::find_marker;
use super::severity::Severity;
use super::word::{below, equal, first, word_at};
use crate::error::{Error, ErrorKind, HeaderField, Result};

/// Parser configuration. Every switch is on (lenient) by default;
/// [`Parser::strict`] turns them all off. A `const` type, so a configured
/// parser can live in a `static`.
///
/// ```
/// use audit_cef::{ErrorKind, Parser};
/// static STRICT: Parser = Parser::new().strict(true);
/// let line = b"CEF:0|v|p|1|id|n|5|msg=id==old";
/// assert_eq!(Parser::new().parse(line)?.get("msg").as_deref(), Some("id==old"));
/// assert_eq!(STRICT.parse(line).unwrap_err().kind(), ErrorKind::UnescapedEquals);
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parser {
    any_version: bool,
    undefined_escapes: bool,
    unescaped_equals: bool,
    missing_extension_delimiter: bool,
    unparsed_text: bool,
    severity_any_case: bool,
    raw_line_breaks: bool,
    empty_severity: bool,
}

impl Default for Parser {
    fn default() -> Parser {
        Parser::new()
    }
}

impl Parser {
    /// The lenient parser: accepts what real devices send without losing bytes.
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(b"CEF:0|v|p|1|id|n|5|src=10.0.0.1")?;
    /// assert_eq!(line.get("src").as_deref(), Some("10.0.0.1"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn new() -> Parser {
        Parser {
            any_version: true,
            undefined_escapes: true,
            unescaped_equals: true,
            missing_extension_delimiter: true,
            unparsed_text: true,
            severity_any_case: true,
            raw_line_breaks: true,
            empty_severity: true,
        }
    }

    /// `true` turns every switch below off: the parser rejects anything the
    /// standard does not define. `false` turns them all on.
    ///
    /// ```
    /// let strict = audit_cef::Parser::new().strict(true);
    /// assert!(strict.parse(b"CEF:0|v|p|1|id|n|5").is_err());
    /// ```
    pub const fn strict(self, yes: bool) -> Parser {
        let lenient = !yes;
        Parser {
            any_version: lenient,
            undefined_escapes: lenient,
            unescaped_equals: lenient,
            missing_extension_delimiter: lenient,
            unparsed_text: lenient,
            severity_any_case: lenient,
            raw_line_breaks: lenient,
            empty_severity: lenient,
        }
    }

    /// P1: accept any decimal version after `CEF:` (peers send `CEF:26`).
    /// Off: only `0` and `1` ([`ErrorKind::InvalidVersion`]).
    ///
    /// ```
    /// let p = audit_cef::Parser::new();
    /// assert_eq!(p.parse(b"CEF:26|v|p|1|id|n|5|")?.version(), "26");
    /// assert!(p.allow_any_version(false).parse(b"CEF:26|v|p|1|id|n|5|").is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn allow_any_version(mut self, yes: bool) -> Parser {
        self.any_version = yes;
        self
    }

    /// P2 and P7: keep a backslash that starts no defined escape as a
    /// literal backslash. Off: [`ErrorKind::InvalidEscape`].
    ///
    /// ```
    /// let p = audit_cef::Parser::new();
    /// assert_eq!(p.parse(br"CEF:0|v|p|1|id|n|5|path=c:\tmp")?.get("path").as_deref(), Some(r"c:\tmp"));
    /// assert!(p.allow_undefined_escapes(false).parse(br"CEF:0|v|p|1|id|n|5|path=c:\tmp").is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn allow_undefined_escapes(mut self, yes: bool) -> Parser {
        self.undefined_escapes = yes;
        self
    }

    /// P8: keep an unescaped `=` that is not a key boundary inside the value.
    /// Off: [`ErrorKind::UnescapedEquals`].
    ///
    /// ```
    /// let p = audit_cef::Parser::new();
    /// assert_eq!(p.parse(b"CEF:0|v|p|1|id|n|5|b64=aGk=")?.get("b64").as_deref(), Some("aGk="));
    /// assert!(p.allow_unescaped_equals(false).parse(b"CEF:0|v|p|1|id|n|5|b64=aGk=").is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn allow_unescaped_equals(mut self, yes: bool) -> Parser {
        self.unescaped_equals = yes;
        self
    }

    /// P3: accept a line that ends right after Severity, without the
    /// seventh `|`. Off: [`ErrorKind::MissingExtensionDelimiter`].
    ///
    /// ```
    /// let p = audit_cef::Parser::new();
    /// assert!(p.parse(b"CEF:0|v|p|1|id|n|5")?.pairs().next().is_none());
    /// assert!(p.allow_missing_extension_delimiter(false).parse(b"CEF:0|v|p|1|id|n|5").is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn allow_missing_extension_delimiter(mut self, yes: bool) -> Parser {
        self.missing_extension_delimiter = yes;
        self
    }

    /// P14: accept text between the header and the first key, reported by
    /// [`Line::unparsed`]. Off: [`ErrorKind::UnparsedText`].
    ///
    /// ```
    /// let p = audit_cef::Parser::new();
    /// assert_eq!(p.parse(b"CEF:0|v|p|1|id|n|5|junk k=v")?.unparsed(), Some("junk"));
    /// assert!(p.allow_unparsed_text(false).parse(b"CEF:0|v|p|1|id|n|5|junk k=v").is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn allow_unparsed_text(mut self, yes: bool) -> Parser {
        self.unparsed_text = yes;
        self
    }

    /// E6: accept severity names in any case (`very-high`). Off: only the
    /// exact spellings; numbers are always `0` to `10`.
    ///
    /// ```
    /// use audit_cef::{Parser, Severity};
    /// assert_eq!(Parser::new().parse(b"CEF:0|v|p|1|id|n|high|")?.severity(), Some(Severity::HIGH));
    /// assert!(Parser::new().allow_severity_any_case(false).parse(b"CEF:0|v|p|1|id|n|high|").is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn allow_severity_any_case(mut self, yes: bool) -> Parser {
        self.severity_any_case = yes;
        self
    }

    /// E3: accept a raw CR or LF inside an extension value (devices send
    /// them; the encoder writes `\r` and `\n`). Off:
    /// [`ErrorKind::LineBreakInValue`]. A trailing line ending is never part
    /// of the line either way.
    ///
    /// ```
    /// let p = audit_cef::Parser::new();
    /// assert_eq!(p.parse(b"CEF:0|v|p|1|id|n|5|msg=a\nb c=d")?.get("msg").as_deref(), Some("a\nb"));
    /// assert!(p.allow_raw_line_breaks(false).parse(b"CEF:0|v|p|1|id|n|5|msg=a\nb c=d").is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn allow_raw_line_breaks(mut self, yes: bool) -> Parser {
        self.raw_line_breaks = yes;
        self
    }

    /// P3: accept an empty Severity field, as every other empty header
    /// field is accepted; [`Line::severity`] is then `None`. Off:
    /// [`ErrorKind::InvalidSeverity`].
    ///
    /// ```
    /// let p = audit_cef::Parser::new();
    /// assert_eq!(p.parse(b"CEF:0|||||||a=1")?.severity(), None);
    /// assert!(p.allow_empty_severity(false).parse(b"CEF:0|||||||a=1").is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn allow_empty_severity(mut self, yes: bool) -> Parser {
        self.empty_severity = yes;
        self
    }

    /// Parses one line, borrowing `input`. A trailing line ending is not
    /// part of the line. Allocates only for header fields that contain
    /// escapes; extension values are unescaped when read.
    ///
    /// # Errors
    ///
    /// A typed [`Error`] with the byte offset into `input`: not UTF-8 (P15),
    /// empty, no `CEF:<digits>|`, fewer than 7 header fields (P3), an
    /// invalid version or severity (E6), a line break in the prefix or a
    /// header field, and in strict mode anything a switch above relaxes.
    ///
    /// ```
    /// use audit_cef::{ErrorKind, Parser};
    /// let err = Parser::new().parse(b"CEF:0|v|p|1|id|n|5|k=\xff").unwrap_err();
    /// assert_eq!((err.kind(), err.offset()), (ErrorKind::NotUtf8, Some(21)));
    /// ```
    pub fn parse<'a>(&self, input: &'a [u8]) -> Result<Line<'a>> {
        match core::str::from_utf8(input) {
            Ok(text) => self.parse_str(text),
            Err(err) => Err(Error::at(ErrorKind::NotUtf8, err.valid_up_to())),
        }
    }

    /// Parses one line of text, borrowing it. See [`Parser::parse`].
    ///
    /// # Errors
    ///
    /// As [`Parser::parse`], without the UTF-8 case.
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse_str("host CEF:0|v|p|1|id|n|5|")?;
    /// assert_eq!(line.prefix(), Some("host"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn parse_str<'a>(&self, input: &'a str) -> Result<Line<'a>> {
        let text = input.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            return Err(Error::new(ErrorKind::Empty));
        }
        let bytes = text.as_bytes();
        let Some((marker, digits)) = find_marker(bytes) else {
            return Err(no_marker_error(bytes));
        };

        let prefix = text.get(..marker).map(|p| p.strip_suffix(' ').unwrap_or(p)).filter(|_| marker > 0);
        if let Some(at) = prefix.and_then(|p| memchr::memchr2(b'\r', b'\n', p.as_bytes())) {
            return Err(Error::at(ErrorKind::LineBreakInHeader(HeaderField::Prefix), at));
        }
        let version_at = marker + 4;
        let version = text.get(version_at..version_at + digits).unwrap_or_default();
        if !self.any_version && version != "0" && version != "1" {
            return Err(Error::at(ErrorKind::InvalidVersion, version_at));
        }

        // Six more fields, each ended by an unescaped `|` (P2, P3).
        let mut at = version_at + digits + 1;
        let mut raw = [("", 0usize, false); 6];
        for (index, slot) in raw.iter_mut().enumerate() {
            let field = HEADER_FIELDS.get(index).copied().unwrap_or(HeaderField::Severity);
            let (end, escaped) = header_field_end(bytes, at, field)?;
            let end = match end {
                Some(end) => end,
                None if field == HeaderField::Severity && self.missing_extension_delimiter => bytes.len(),
                None if field == HeaderField::Severity => {
                    return Err(Error::at(ErrorKind::MissingExtensionDelimiter, bytes.len()));
                }
                None => return Err(Error::at(ErrorKind::TooFewHeaderFields, bytes.len())),
            };
            *slot = (text.get(at..end).unwrap_or_default(), at, escaped);
            at = end + 1;
        }
        let [vendor, product, device_version, event_class_id, name, severity] = raw;
        let header = |(raw, offset, escaped): (&'a str, usize, bool)| -> Result<Cow<'a, str>> {
            if !escaped {
                return Ok(Cow::Borrowed(raw));
            }
            unescape(raw, Field::Header, !self.undefined_escapes).map_err(|e| e.shifted(offset))
        };
        let (severity_text, severity_offset, _) = severity;
        let severity_value = match severity_text {
            "" if self.empty_severity => None,
            text => Some(
                Severity::parse(text, self.severity_any_case)
                    .map_err(|_| Error::at(ErrorKind::InvalidSeverity, severity_offset))?,
            ),
        };

        let (unparsed, extension, extension_offset) = split_extension(text, at);
        if let (Some(_), false) = (unparsed, self.unparsed_text) {
            return Err(Error::at(ErrorKind::UnparsedText, at));
        }
        if !self.undefined_escapes || !self.unescaped_equals || !self.raw_line_breaks {
            self.check_values(extension, extension_offset)?;
        }

        Ok(Line {
            prefix,
            version,
            vendor: header(vendor)?,
            product: header(product)?,
            device_version: header(device_version)?,
            event_class_id: header(event_class_id)?,
            name: header(name)?,
            severity: severity_value,
            severity_text,
            severity_offset,
            unparsed,
            extension,
            extension_offset,
        })
    }

    /// Strict value checks (P7, P8) over every pair.
    fn check_values(&self, extension: &str, extension_offset: usize) -> Result<()> {
        for pair in Pairs::new(extension, extension_offset) {
            if let Err(err) = check_strict_value(pair.raw_value()) {
                let relaxed = match err.kind() {
                    ErrorKind::UnescapedEquals => self.unescaped_equals,
                    ErrorKind::LineBreakInValue => self.raw_line_breaks,
                    _ => self.undefined_escapes,
                };
                if !relaxed {
                    return Err(err.shifted(pair.value_offset()));
                }
            }
        }
        Ok(())
    }
}

const HEADER_FIELDS: [HeaderField; 6] = [
    HeaderField::Vendor,
    HeaderField::Product,
    HeaderField::DeviceVersion,
    HeaderField::EventClassId,
    HeaderField::Name,
    HeaderField::Severity,
];

/// Why there is no `CEF:<digits>|`: a bad version, a line that ends after
/// the version, or no marker at all.
#[cold]
fn no_marker_error(bytes: &[u8]) -> Error {
    let Some(start) = memchr::memmem::find(bytes, b"CEF:") else {
        return Error::new(ErrorKind::MissingCefMarker);
    };
    let digits_at = start + 4;
    let rest = bytes.get(digits_at..).unwrap_or_default();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && digits == rest.len() {
        Error::at(ErrorKind::TooFewHeaderFields, bytes.len())
    } else {
        Error::at(ErrorKind::InvalidVersion, digits_at)
    }
}

/// Bytes that stop the header scan: 1 `|`, 2 `\`, 3 CR or LF.
// Built at compile time: an out-of-range index fails the build, not a run.
#[allow(clippy::indexing_slicing)]
static HEADER_STOPS: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'|' as usize] = 1;
    table[b'\\' as usize] = 2;
    table[b'\r' as usize] = 3;
    table[b'\n' as usize] = 3;
    table
};

/// The offset of the unescaped `|` ending the field that starts at `from`
/// (`None` at the end of input), and whether the field holds a backslash.
/// One pass: header fields are short. `\` always takes the next byte with
/// it, so `a\\|` ends after `a\` (P2). A raw CR or LF anywhere in the
/// field is an error (E2), also right after a backslash.
#[inline]
fn header_field_end(bytes: &[u8], from: usize, field: HeaderField) -> Result<(Option<usize>, bool)> {
    let line_break = |at| Err(Error::at(ErrorKind::LineBreakInHeader(field), at));
    let mut at = from;
    let mut escaped = false;
    loop {
        // Eight bytes at a time up to the first that may stop the scan.
        while let Some(word) = word_at(bytes, at) {
            let stops = header_stop_candidates(word);
            if stops != 0 {
                at += first(stops);
                break;
            }
            at += 8;
        }
        let Some(&byte) = bytes.get(at) else { break };
        match HEADER_STOPS.get(usize::from(byte)).copied().unwrap_or(0) {
            0 => at += 1,
            1 => return Ok((Some(at), escaped)),
            2 => {
                if matches!(bytes.get(at + 1), Some(b'\r' | b'\n')) {
                    return line_break(at + 1);
                }
                escaped = true;
                at += 2;
            }
            _ => return line_break(at),
        }
    }
    Ok((None, escaped))
}

/// In one 8-byte word, the high bit of each byte that is `|`, `\` or below
/// 0x0E (CR and LF among them): every byte [`HEADER_STOPS`] stops at, and
/// a few control bytes it steps over. Exact per byte (no carries across).
#[inline(always)]
fn header_stop_candidates(word: u64) -> u64 {
    equal(word, b'|') | equal(word, b'\\') | below(word, 0x0E)
}

/// Splits the extension part that starts at `from` into unparsed text (P14)
/// and the pairs, after dropping trailing whitespace of the final value (P6).
fn split_extension(text: &str, from: usize) -> (Option<&str>, &str, usize) {
    let extension = text.get(from..).unwrap_or_default().trim_end_matches([' ', '\t', '\r', '\n']);
    let bytes = extension.as_bytes();
    if bytes.is_empty() || key_before_equals(bytes).is_some() {
        return (None, extension, from);
    }
    match find_boundary(bytes, 0).0.map(|(space, _)| space) {
        // The one space before the first key separates; what precedes it is unparsed.
        Some(space) => {
            let unparsed = extension.get(..space).filter(|u| !u.is_empty());
            (unparsed, extension.get(space + 1..).unwrap_or_default(), from + space + 1)
        }
        None => (Some(extension), "", from + bytes.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time candidates hold every byte the table stops at,
    /// and nothing at or above 0x0E but `|` and `\`, for every byte value
    /// in every place of a word.
    #[test]
    fn header_stop_candidates_are_exact_per_byte() {
        for place in 0..8 {
            for byte in 0..=255u8 {
                let mut word = [b'a'; 8];
                word[place] = byte;
                let found = header_stop_candidates(u64::from_le_bytes(word));
                let expected = byte == b'|' || byte == b'\\' || byte < 0x0E;
                let stops = HEADER_STOPS[usize::from(byte)] != 0;
                assert!(!stops || expected, "{byte:#04x}");
                assert_eq!(found, if expected { 0x80 << (8 * place) } else { 0 }, "{byte:#04x} at {place}");
            }
        }
    }

    /// A header field's end and its line breaks are found wherever they
    /// fall against the eight-byte words, escaped or not.
    #[test]
    fn header_field_end_across_words() {
        let field = HeaderField::Name;
        for before in 0..20 {
            let text = format!("{}|x", "n".repeat(before));
            assert_eq!(header_field_end(text.as_bytes(), 0, field).unwrap(), (Some(before), false));
            let text = format!("{}\\|{}|", "n".repeat(before), "m".repeat(9));
            assert_eq!(header_field_end(text.as_bytes(), 0, field).unwrap(), (Some(before + 11), true));
            let text = format!("{}\tx\r|", "n".repeat(before));
            let err = header_field_end(text.as_bytes(), 0, field).unwrap_err();
            assert_eq!((err.kind(), err.offset()), (ErrorKind::LineBreakInHeader(field), Some(before + 2)));
            let text = format!("{}\\\n|", "n".repeat(before));
            assert_eq!(header_field_end(text.as_bytes(), 0, field).unwrap_err().offset(), Some(before + 1));
        }
        assert_eq!(header_field_end(b"no pipe here at all", 0, field).unwrap(), (None, false));
    }
}
