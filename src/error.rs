//! The crate's one error type: a kind and the byte offset where input went wrong.

use core::fmt;

/// Which header field an error is about.
///
/// ```
/// use audit_cef::HeaderField;
/// assert_eq!(HeaderField::DeviceVersion.as_str(), "device_version");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeaderField {
    /// `CEF:<version>`.
    Version,
    /// Device Vendor.
    Vendor,
    /// Device Product.
    Product,
    /// Device Version.
    DeviceVersion,
    /// Device Event Class ID.
    EventClassId,
    /// Name.
    Name,
    /// Severity.
    Severity,
    /// The text before `CEF:` (syslog header, Konnect time and host).
    Prefix,
}

impl HeaderField {
    /// The field's name as the `cef` tool's JSON writes it.
    ///
    /// ```
    /// assert_eq!(audit_cef::HeaderField::EventClassId.as_str(), "event_class_id");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            HeaderField::Version => "version",
            HeaderField::Vendor => "vendor",
            HeaderField::Product => "product",
            HeaderField::DeviceVersion => "device_version",
            HeaderField::EventClassId => "event_class_id",
            HeaderField::Name => "name",
            HeaderField::Severity => "severity",
            HeaderField::Prefix => "prefix",
        }
    }
}

impl fmt::Display for HeaderField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong. New kinds may be added in minor releases.
///
/// ```
/// use audit_cef::{ErrorKind, Parser};
/// let err = Parser::new().parse(b"").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Empty);
/// assert_eq!(err.kind().name(), "empty");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input is empty (or only a line ending).
    Empty,
    /// The input is not valid UTF-8 (P15).
    NotUtf8,
    /// No `CEF:<digits>|` marker anywhere in the input (P1).
    MissingCefMarker,
    /// Fewer than seven header fields (P3).
    TooFewHeaderFields,
    /// The CEF version is not `0` or `1` (E6; strict parsing, or building an [`Event`](crate::Event)).
    InvalidVersion,
    /// The severity is not an integer 0-10 or one of the five names (E6).
    InvalidSeverity,
    /// A CR or LF inside a header field or the prefix (E2).
    LineBreakInHeader(HeaderField),
    /// An extension key outside the E4 grammar.
    InvalidKey,
    /// A backslash sequence the standard does not define (strict P2/P7).
    InvalidEscape,
    /// An unescaped `=` inside a value (strict P8).
    UnescapedEquals,
    /// A raw CR or LF inside an extension value (strict; E3 writes them as `\r` and `\n`).
    LineBreakInValue,
    /// No `|` after Severity (strict P3).
    MissingExtensionDelimiter,
    /// Text between the header and the first key (strict P14).
    UnparsedText,
    /// A header field longer than the standard's limit (opt-in E8 validation).
    HeaderTooLong(HeaderField),
    /// The extension value of pair number `pair` (from 0) is longer than the
    /// dictionary limit for its key (opt-in E8 validation).
    ValueTooLong {
        /// Index of the pair in the event.
        pair: usize,
    },
    /// A prefix that contains `CEF:<digits>|`, so it would be mistaken for the CEF start (P1).
    MarkerInPrefix,
    /// A prefix that is not in the requested or any known syslog form.
    InvalidPrefix,
    /// An entry to sign holds a CR or LF (it would be read as two lines).
    LineBreakInEntry,
    /// A JSON entry to sign or verify is not a `{...}` object of the expected shape.
    NotJsonEntry,
    /// The entry carries no signature.
    Unsigned,
    /// The signature is not 86 canonical base64url characters.
    MalformedSignature,
    /// Bytes follow the signature, or the entry carries more than one.
    DataAfterSignature,
    /// No key of the set verifies the signature.
    NoKeyMatches,
    /// Key material (seed, PKCS#8, SPKI, JWK) that cannot be read as an Ed25519 key.
    InvalidKeyMaterial,
    /// A public key of small order or in a non-canonical encoding, which
    /// strict verification refuses.
    WeakPublicKey,
    /// A JWK or JWKS document that is not valid JSON of the expected shape.
    InvalidJwks,
    /// A well-formed JWK of another type, curve or algorithm than Ed25519/EdDSA.
    UnsupportedKey,
    /// A Konnect entry lacks a field its family requires.
    MissingField(crate::konnect::Field),
    /// A Konnect field holds a value of the wrong form (UUID, IP, time,
    /// boolean, number), or appears twice.
    InvalidField(crate::konnect::Field),
    /// A CEF entry that is not one of Konnect's families (authentication,
    /// authorization, access): it still parses as generic CEF.
    UnknownFamily,
    /// A JSON entry that is not valid JSON.
    InvalidJson,
    /// A `log_format` other than `cef`, `json` or `cps`.
    UnknownFormat,
}

impl ErrorKind {
    /// A stable `snake_case` name for machine-readable output.
    ///
    /// ```
    /// assert_eq!(audit_cef::ErrorKind::NotUtf8.name(), "not_utf8");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            ErrorKind::Empty => "empty",
            ErrorKind::NotUtf8 => "not_utf8",
            ErrorKind::MissingCefMarker => "missing_cef_marker",
            ErrorKind::TooFewHeaderFields => "too_few_header_fields",
            ErrorKind::InvalidVersion => "invalid_version",
            ErrorKind::InvalidSeverity => "invalid_severity",
            ErrorKind::LineBreakInHeader(_) => "line_break_in_header",
            ErrorKind::InvalidKey => "invalid_key",
            ErrorKind::InvalidEscape => "invalid_escape",
            ErrorKind::UnescapedEquals => "unescaped_equals",
            ErrorKind::LineBreakInValue => "line_break_in_value",
            ErrorKind::MissingExtensionDelimiter => "missing_extension_delimiter",
            ErrorKind::UnparsedText => "unparsed_text",
            ErrorKind::HeaderTooLong(_) => "header_too_long",
            ErrorKind::ValueTooLong { .. } => "value_too_long",
            ErrorKind::MarkerInPrefix => "marker_in_prefix",
            ErrorKind::InvalidPrefix => "invalid_prefix",
            ErrorKind::LineBreakInEntry => "line_break_in_entry",
            ErrorKind::NotJsonEntry => "not_json_entry",
            ErrorKind::Unsigned => "unsigned",
            ErrorKind::MalformedSignature => "malformed_signature",
            ErrorKind::DataAfterSignature => "data_after_signature",
            ErrorKind::NoKeyMatches => "no_key_matches",
            ErrorKind::InvalidKeyMaterial => "invalid_key_material",
            ErrorKind::WeakPublicKey => "weak_public_key",
            ErrorKind::InvalidJwks => "invalid_jwks",
            ErrorKind::UnsupportedKey => "unsupported_key",
            ErrorKind::MissingField(_) => "missing_field",
            ErrorKind::InvalidField(_) => "invalid_field",
            ErrorKind::UnknownFamily => "unknown_family",
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::UnknownFormat => "unknown_format",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Empty => f.write_str("empty input"),
            ErrorKind::NotUtf8 => f.write_str("input is not valid UTF-8"),
            ErrorKind::MissingCefMarker => f.write_str("no `CEF:<version>|` marker"),
            ErrorKind::TooFewHeaderFields => f.write_str("fewer than 7 header fields"),
            ErrorKind::InvalidVersion => f.write_str("CEF version must be 0 or 1"),
            ErrorKind::InvalidSeverity => f.write_str("severity must be 0-10, Unknown, Low, Medium, High or Very-High"),
            ErrorKind::LineBreakInHeader(field) => write!(f, "line break in header field {field}"),
            ErrorKind::InvalidKey => f.write_str("invalid extension key"),
            ErrorKind::InvalidEscape => f.write_str("undefined backslash escape"),
            ErrorKind::UnescapedEquals => f.write_str("unescaped `=` in extension value"),
            ErrorKind::LineBreakInValue => f.write_str("raw line break in extension value"),
            ErrorKind::MissingExtensionDelimiter => f.write_str("missing `|` after severity"),
            ErrorKind::UnparsedText => f.write_str("text before the first extension key"),
            ErrorKind::HeaderTooLong(field) => write!(f, "header field {field} exceeds its CEF limit"),
            ErrorKind::ValueTooLong { pair } => {
                write!(f, "extension value of pair {pair} exceeds its CEF dictionary limit")
            }
            ErrorKind::MarkerInPrefix => f.write_str("prefix contains a `CEF:<version>|` marker"),
            ErrorKind::InvalidPrefix => f.write_str("unrecognised prefix"),
            ErrorKind::LineBreakInEntry => f.write_str("line break inside the entry"),
            ErrorKind::NotJsonEntry => f.write_str("not a JSON entry object"),
            ErrorKind::Unsigned => f.write_str("entry is not signed"),
            ErrorKind::MalformedSignature => f.write_str("signature is not 86 canonical base64url characters"),
            ErrorKind::DataAfterSignature => f.write_str("data after the signature"),
            ErrorKind::NoKeyMatches => f.write_str("no key verifies the signature"),
            ErrorKind::InvalidKeyMaterial => f.write_str("invalid Ed25519 key material"),
            ErrorKind::WeakPublicKey => f.write_str("weak or non-canonical public key"),
            ErrorKind::InvalidJwks => f.write_str("invalid JWK or JWKS document"),
            ErrorKind::UnsupportedKey => f.write_str("not an Ed25519 (EdDSA) key"),
            ErrorKind::MissingField(field) => write!(f, "missing field `{field}`"),
            ErrorKind::InvalidField(field) => write!(f, "invalid value for field `{field}`"),
            ErrorKind::UnknownFamily => f.write_str("not a Konnect audit event family"),
            ErrorKind::InvalidJson => f.write_str("invalid JSON entry"),
            ErrorKind::UnknownFormat => f.write_str("log format must be cef, json or cps"),
        }
    }
}

/// An error: its [`ErrorKind`] and the byte offset in the input where it was found.
///
/// For a parsed line the offset counts from the start of the bytes given to
/// the parser; for a value being built (a key, a header field) it counts
/// from the start of that value. Errors never contain input text, so they
/// are safe to log.
///
/// ```
/// use audit_cef::{ErrorKind, Parser};
/// let err = Parser::new().parse(b"CEF:0|a|b|c|d|e").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::TooFewHeaderFields);
/// assert_eq!(err.offset(), 15);
/// assert_eq!(err.to_string(), "fewer than 7 header fields at byte 15");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct Error {
    kind: ErrorKind,
    offset: usize,
}

impl Error {
    /// An error of `kind` at byte `offset`.
    ///
    /// ```
    /// let err = audit_cef::Error::new(audit_cef::ErrorKind::InvalidKey, 3);
    /// assert_eq!(err.offset(), 3);
    /// ```
    #[cold]
    pub const fn new(kind: ErrorKind, offset: usize) -> Error {
        Error { kind, offset }
    }

    /// What went wrong.
    ///
    /// ```
    /// let err = audit_cef::Error::new(audit_cef::ErrorKind::Empty, 0);
    /// assert_eq!(err.kind(), audit_cef::ErrorKind::Empty);
    /// ```
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The byte offset where it went wrong.
    ///
    /// ```
    /// let err = audit_cef::Error::new(audit_cef::ErrorKind::Empty, 0);
    /// assert_eq!(err.offset(), 0);
    /// ```
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The same error with `base` added to its offset (saturating), for
    /// errors found in a part of a larger input.
    pub(crate) const fn shifted(self, base: usize) -> Error {
        Error { kind: self.kind, offset: self.offset.saturating_add(base) }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
