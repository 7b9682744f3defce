//! The crate's one error type: a kind, the byte offset where input went
//! wrong (when there is such a byte), and the I/O error behind a failed write.

use core::fmt;
use std::io;
use std::sync::Arc;

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

/// The name of a Konnect entry field an error is about, as CEF and JSON
/// write it (`org_id`, `event_ts`). The `konnect` layer's `Field` converts
/// into it and compares equal to it; the error layer itself knows no field.
///
/// ```
/// let name = audit_cef::FieldName::new("org_id");
/// assert_eq!(name.as_str(), "org_id");
/// assert_eq!(name.to_string(), "org_id");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldName(&'static str);

impl FieldName {
    /// A field name.
    ///
    /// ```
    /// assert_eq!(audit_cef::FieldName::new("rt").as_str(), "rt");
    /// ```
    pub const fn new(name: &'static str) -> FieldName {
        FieldName(name)
    }

    /// The name.
    ///
    /// ```
    /// assert_eq!(audit_cef::FieldName::new("src").as_str(), "src");
    /// ```
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// What sort of failure an error is, for callers that route errors without
/// matching every [`ErrorKind`].
///
/// ```
/// use audit_cef::{ErrorCategory, Parser};
/// let err = Parser::new().parse(b"no marker here").unwrap_err();
/// assert_eq!(err.category(), ErrorCategory::Syntax);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCategory {
    /// The input is not well-formed CEF, prefix, JSON or text, or an event
    /// being built breaks a wire rule.
    Syntax,
    /// A length limit of the standard (opt-in E8) is exceeded.
    Limit,
    /// The entry's signature is missing, malformed, misplaced or does not verify.
    Signature,
    /// Key material, a JWK or a JWKS cannot be used.
    Key,
    /// A well-formed entry that is not a valid Konnect audit event.
    Konnect,
    /// Writing the output failed, or a sender's spool could not be used.
    Io,
    /// Delivering entries to a collector was refused: the sender's queue
    /// is full or the sender is closed.
    Delivery,
}

impl ErrorCategory {
    /// A stable `snake_case` name for machine-readable output.
    ///
    /// ```
    /// assert_eq!(audit_cef::ErrorCategory::Signature.name(), "signature");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            ErrorCategory::Syntax => "syntax",
            ErrorCategory::Limit => "limit",
            ErrorCategory::Signature => "signature",
            ErrorCategory::Key => "key",
            ErrorCategory::Konnect => "konnect",
            ErrorCategory::Io => "io",
            ErrorCategory::Delivery => "delivery",
        }
    }
}

impl fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
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
    /// A header field or prefix of an event to be signed holds ` sig=`,
    /// which verification would take for the start of the signature.
    SignatureMarkerInHeader(HeaderField),
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
    MissingField(FieldName),
    /// A Konnect field holds a value of the wrong form (UUID, IP, time,
    /// boolean, number), or appears twice.
    InvalidField(FieldName),
    /// A CEF entry that is not one of Konnect's families (authentication,
    /// authorization, access): it still parses as generic CEF.
    UnknownFamily,
    /// A JSON entry that is not valid JSON.
    InvalidJson,
    /// A `log_format` other than `cef`, `json` or `cps`.
    UnknownFormat,
    /// Writing to an `io::Write` (or a sender's spool) failed;
    /// [`Error::io_error`] holds the cause.
    Io,
    /// A batch body over a limit: its compressed or decompressed size, its
    /// number of entries, or one entry's length.
    BodyTooLarge,
    /// A body that claims gzip but is not a valid gzip stream.
    InvalidGzip,
    /// A collector endpoint that is not an `http://` or `https://` URL (or,
    /// for a syslog sender, a `syslog+udp|tcp|tls://HOST:PORT`).
    InvalidEndpoint,
    /// An `Authorization` value that cannot be sent as an HTTP header
    /// (a control character such as CR or LF).
    InvalidAuthorization,
    /// The sender's queue is full and the sender is set to refuse rather
    /// than wait; nothing of the call was accepted.
    QueueFull,
    /// The sender is closed, or its delivery thread has stopped.
    SenderClosed,
    /// A spool directory whose cursor file cannot be read as a position.
    InvalidSpool,
    /// A syslog facility above 23 or severity above 7, or a received
    /// message without a valid `<PRI>` (0-191) at its start.
    InvalidPriority,
    /// A syslog header field that cannot be sent (not printable US-ASCII,
    /// over its RFC 5424 length, a time outside years 0-9999), or a
    /// received RFC 5424 header that does not parse.
    InvalidSyslogHeader,
    /// A syslog message that carries no entry (no MSG, or an empty one),
    /// or an empty entry to send.
    MissingEntry,
    /// An entry that would not come back whole from the syslog message
    /// written for it: as RFC 3164, it starts like an RFC 3164 header or
    /// with `1 `; as RFC 5424, it starts with a UTF-8 BOM.
    AmbiguousEntry,
    /// A stream frame that is not RFC 6587 framing (an octet count with a
    /// leading 0 or not followed by a space), or a message that its framing
    /// cannot carry.
    InvalidFrame,
    /// A stream frame longer than the decoder's limit.
    FrameTooLong,
    /// The stream ended inside a frame.
    TruncatedFrame,
    /// An entry with a checkpoint's header whose extension is not exactly
    /// a checkpoint's (see the `checkpoint` module).
    InvalidCheckpoint,
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
            ErrorKind::SignatureMarkerInHeader(_) => "signature_marker_in_header",
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
            ErrorKind::Io => "io",
            ErrorKind::BodyTooLarge => "body_too_large",
            ErrorKind::InvalidGzip => "invalid_gzip",
            ErrorKind::InvalidEndpoint => "invalid_endpoint",
            ErrorKind::InvalidAuthorization => "invalid_authorization",
            ErrorKind::QueueFull => "queue_full",
            ErrorKind::SenderClosed => "sender_closed",
            ErrorKind::InvalidSpool => "invalid_spool",
            ErrorKind::InvalidPriority => "invalid_priority",
            ErrorKind::InvalidSyslogHeader => "invalid_syslog_header",
            ErrorKind::MissingEntry => "missing_entry",
            ErrorKind::AmbiguousEntry => "ambiguous_entry",
            ErrorKind::InvalidFrame => "invalid_frame",
            ErrorKind::FrameTooLong => "frame_too_long",
            ErrorKind::TruncatedFrame => "truncated_frame",
            ErrorKind::InvalidCheckpoint => "invalid_checkpoint",
        }
    }

    /// The kind's [`ErrorCategory`].
    ///
    /// ```
    /// use audit_cef::{ErrorCategory, ErrorKind};
    /// assert_eq!(ErrorKind::NoKeyMatches.category(), ErrorCategory::Signature);
    /// assert_eq!(ErrorKind::WeakPublicKey.category(), ErrorCategory::Key);
    /// ```
    pub const fn category(self) -> ErrorCategory {
        match self {
            ErrorKind::Empty
            | ErrorKind::NotUtf8
            | ErrorKind::MissingCefMarker
            | ErrorKind::TooFewHeaderFields
            | ErrorKind::InvalidVersion
            | ErrorKind::InvalidSeverity
            | ErrorKind::LineBreakInHeader(_)
            | ErrorKind::InvalidKey
            | ErrorKind::InvalidEscape
            | ErrorKind::UnescapedEquals
            | ErrorKind::LineBreakInValue
            | ErrorKind::MissingExtensionDelimiter
            | ErrorKind::UnparsedText
            | ErrorKind::MarkerInPrefix
            | ErrorKind::SignatureMarkerInHeader(_)
            | ErrorKind::InvalidPrefix
            | ErrorKind::LineBreakInEntry
            | ErrorKind::NotJsonEntry
            | ErrorKind::InvalidJson
            | ErrorKind::UnknownFormat
            | ErrorKind::InvalidPriority
            | ErrorKind::InvalidSyslogHeader
            | ErrorKind::MissingEntry
            | ErrorKind::AmbiguousEntry
            | ErrorKind::InvalidFrame
            | ErrorKind::TruncatedFrame
            | ErrorKind::InvalidCheckpoint => ErrorCategory::Syntax,
            ErrorKind::HeaderTooLong(_)
            | ErrorKind::ValueTooLong { .. }
            | ErrorKind::BodyTooLarge
            | ErrorKind::FrameTooLong => ErrorCategory::Limit,
            ErrorKind::InvalidGzip | ErrorKind::InvalidEndpoint | ErrorKind::InvalidAuthorization => {
                ErrorCategory::Syntax
            }
            ErrorKind::Unsigned
            | ErrorKind::MalformedSignature
            | ErrorKind::DataAfterSignature
            | ErrorKind::NoKeyMatches => ErrorCategory::Signature,
            ErrorKind::InvalidKeyMaterial
            | ErrorKind::WeakPublicKey
            | ErrorKind::InvalidJwks
            | ErrorKind::UnsupportedKey => ErrorCategory::Key,
            ErrorKind::MissingField(_) | ErrorKind::InvalidField(_) | ErrorKind::UnknownFamily => {
                ErrorCategory::Konnect
            }
            ErrorKind::Io | ErrorKind::InvalidSpool => ErrorCategory::Io,
            ErrorKind::QueueFull | ErrorKind::SenderClosed => ErrorCategory::Delivery,
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
            ErrorKind::SignatureMarkerInHeader(field) => {
                write!(f, "header field {field} contains ` sig=`, which would be read as the signature")
            }
            ErrorKind::InvalidPrefix => f.write_str("unrecognised prefix"),
            ErrorKind::LineBreakInEntry => f.write_str("line break inside the entry"),
            ErrorKind::NotJsonEntry => f.write_str("not a JSON entry object"),
            ErrorKind::Unsigned => f.write_str("entry is not signed"),
            ErrorKind::MalformedSignature => f.write_str("signature is not 86 canonical base64url characters"),
            ErrorKind::DataAfterSignature => f.write_str("data after the signature"),
            ErrorKind::NoKeyMatches => {
                f.write_str("altered, or signed by a key not in this JWKS: no key verifies its signature")
            }
            ErrorKind::InvalidKeyMaterial => f.write_str("invalid Ed25519 key material"),
            ErrorKind::WeakPublicKey => f.write_str("weak or non-canonical public key"),
            ErrorKind::InvalidJwks => f.write_str("invalid JWK or JWKS document"),
            ErrorKind::UnsupportedKey => f.write_str("not an Ed25519 (EdDSA) key"),
            ErrorKind::MissingField(field) => write!(f, "missing field `{field}`"),
            ErrorKind::InvalidField(field) => write!(f, "invalid value for field `{field}`"),
            ErrorKind::UnknownFamily => f.write_str("not a Konnect audit event family"),
            ErrorKind::InvalidJson => f.write_str("invalid JSON entry"),
            ErrorKind::UnknownFormat => f.write_str("log format must be cef, json or cps"),
            ErrorKind::Io => f.write_str("write failed"),
            ErrorKind::BodyTooLarge => f.write_str("batch body over its size, entry count or entry length limit"),
            ErrorKind::InvalidGzip => f.write_str("not a valid gzip stream"),
            ErrorKind::InvalidEndpoint => {
                f.write_str("endpoint is not an http(s):// or syslog+udp|tcp|tls://HOST:PORT URL")
            }
            ErrorKind::InvalidAuthorization => f.write_str("authorization value is not a valid HTTP header value"),
            ErrorKind::QueueFull => f.write_str("sender queue is full"),
            ErrorKind::SenderClosed => f.write_str("sender is closed"),
            ErrorKind::InvalidSpool => f.write_str("spool cursor file is not a valid position"),
            ErrorKind::InvalidPriority => {
                f.write_str("syslog priority must be <0> to <191> (facility 0-23, severity 0-7)")
            }
            ErrorKind::InvalidSyslogHeader => f.write_str("invalid syslog header field"),
            ErrorKind::MissingEntry => f.write_str("syslog message carries no entry"),
            ErrorKind::AmbiguousEntry => {
                f.write_str("entry would be read back as part of the syslog header; send it in the other format")
            }
            ErrorKind::InvalidFrame => f.write_str("invalid syslog stream frame"),
            ErrorKind::FrameTooLong => f.write_str("syslog stream frame over the length limit"),
            ErrorKind::TruncatedFrame => f.write_str("syslog stream ended inside a frame"),
            ErrorKind::InvalidCheckpoint => f.write_str("not a valid checkpoint entry"),
        }
    }
}

/// An error: its [`ErrorKind`], the byte offset in the input where it was
/// found, and for [`ErrorKind::Io`] the I/O error.
///
/// The offset counts from the start of the input the failing call was
/// given: the line for a parser, the entry for a verifier, the text for a
/// key or a header field being built. It is `None` when no byte is to blame
/// (a missing field, a key that verifies nothing, a failed write). Errors
/// never contain input text or key material, so they are safe to log.
///
/// ```
/// use audit_cef::{ErrorKind, Parser};
/// let err = Parser::new().parse(b"CEF:0|a|b|c|d|e").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::TooFewHeaderFields);
/// assert_eq!(err.offset(), Some(15));
/// assert_eq!(err.to_string(), "fewer than 7 header fields at byte 15");
/// ```
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    offset: Option<usize>,
    /// Shared so that `Error` stays `Clone` (`io::Error` is not).
    io: Option<Arc<io::Error>>,
}

impl Error {
    /// An error of `kind` that no single byte of the input is to blame for.
    ///
    /// ```
    /// let err = audit_cef::Error::new(audit_cef::ErrorKind::NoKeyMatches);
    /// assert_eq!(err.offset(), None);
    /// assert_eq!(err.to_string(), "altered, or signed by a key not in this JWKS: no key verifies its signature");
    /// ```
    #[cold]
    pub const fn new(kind: ErrorKind) -> Error {
        Error { kind, offset: None, io: None }
    }

    /// An error of `kind` at byte `offset` of the input.
    ///
    /// ```
    /// let err = audit_cef::Error::at(audit_cef::ErrorKind::InvalidKey, 3);
    /// assert_eq!(err.offset(), Some(3));
    /// assert_eq!(err.to_string(), "invalid extension key at byte 3");
    /// ```
    #[cold]
    pub const fn at(kind: ErrorKind, offset: usize) -> Error {
        Error { kind, offset: Some(offset), io: None }
    }

    /// What went wrong.
    ///
    /// ```
    /// let err = audit_cef::Error::new(audit_cef::ErrorKind::Empty);
    /// assert_eq!(err.kind(), audit_cef::ErrorKind::Empty);
    /// ```
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What sort of failure it is: see [`ErrorCategory`].
    ///
    /// ```
    /// let err = audit_cef::Error::new(audit_cef::ErrorKind::MalformedSignature);
    /// assert_eq!(err.category(), audit_cef::ErrorCategory::Signature);
    /// ```
    pub const fn category(&self) -> ErrorCategory {
        self.kind.category()
    }

    /// The byte offset in the input where it went wrong, if a byte is to blame.
    ///
    /// ```
    /// let err = audit_cef::Error::at(audit_cef::ErrorKind::InvalidEscape, 7);
    /// assert_eq!(err.offset(), Some(7));
    /// ```
    pub const fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// The I/O error behind an [`ErrorKind::Io`].
    ///
    /// ```
    /// let err = audit_cef::Error::from(std::io::Error::other("disk full"));
    /// assert_eq!(err.kind(), audit_cef::ErrorKind::Io);
    /// assert_eq!(err.io_error().map(|e| e.to_string()).as_deref(), Some("disk full"));
    /// ```
    pub fn io_error(&self) -> Option<&io::Error> {
        self.io.as_deref()
    }

    /// The same error with `base` added to its offset (saturating), for
    /// errors found in a part of a larger input.
    pub(crate) fn shifted(self, base: usize) -> Error {
        Error { offset: self.offset.map(|at| at.saturating_add(base)), ..self }
    }

    /// The same error at `offset` unless it already has one.
    #[cfg_attr(not(feature = "sign"), allow(dead_code))]
    pub(crate) fn or_at(self, offset: usize) -> Error {
        Error { offset: self.offset.or(Some(offset)), ..self }
    }
}

/// Compares kind and offset (and, for I/O errors, the `io::ErrorKind`).
impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        self.kind == other.kind
            && self.offset == other.offset
            && self.io.as_ref().map(|e| e.kind()) == other.io.as_ref().map(|e| e.kind())
    }
}

impl Eq for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.io, self.offset) {
            (Some(io), _) => write!(f, "{}: {io}", self.kind),
            (None, Some(at)) => write!(f, "{} at byte {at}", self.kind),
            (None, None) => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.io.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A failed write, as [`ErrorKind::Io`].
impl From<io::Error> for Error {
    fn from(err: io::Error) -> Error {
        Error { kind: ErrorKind::Io, offset: None, io: Some(Arc::new(err)) }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each kind (`category` matches every kind exhaustively, so a
    /// new kind is seen there first; add it here and to the snapshot).
    fn every_kind() -> Vec<ErrorKind> {
        let field = FieldName::new("org_id");
        let kinds = vec![
            ErrorKind::Empty,
            ErrorKind::NotUtf8,
            ErrorKind::MissingCefMarker,
            ErrorKind::TooFewHeaderFields,
            ErrorKind::InvalidVersion,
            ErrorKind::InvalidSeverity,
            ErrorKind::LineBreakInHeader(HeaderField::Name),
            ErrorKind::InvalidKey,
            ErrorKind::InvalidEscape,
            ErrorKind::UnescapedEquals,
            ErrorKind::LineBreakInValue,
            ErrorKind::MissingExtensionDelimiter,
            ErrorKind::UnparsedText,
            ErrorKind::HeaderTooLong(HeaderField::Vendor),
            ErrorKind::ValueTooLong { pair: 2 },
            ErrorKind::MarkerInPrefix,
            ErrorKind::SignatureMarkerInHeader(HeaderField::EventClassId),
            ErrorKind::InvalidPrefix,
            ErrorKind::LineBreakInEntry,
            ErrorKind::NotJsonEntry,
            ErrorKind::Unsigned,
            ErrorKind::MalformedSignature,
            ErrorKind::DataAfterSignature,
            ErrorKind::NoKeyMatches,
            ErrorKind::InvalidKeyMaterial,
            ErrorKind::WeakPublicKey,
            ErrorKind::InvalidJwks,
            ErrorKind::UnsupportedKey,
            ErrorKind::MissingField(field),
            ErrorKind::InvalidField(field),
            ErrorKind::UnknownFamily,
            ErrorKind::InvalidJson,
            ErrorKind::UnknownFormat,
            ErrorKind::Io,
            ErrorKind::BodyTooLarge,
            ErrorKind::InvalidGzip,
            ErrorKind::InvalidEndpoint,
            ErrorKind::InvalidAuthorization,
            ErrorKind::QueueFull,
            ErrorKind::SenderClosed,
            ErrorKind::InvalidSpool,
            ErrorKind::InvalidPriority,
            ErrorKind::InvalidSyslogHeader,
            ErrorKind::MissingEntry,
            ErrorKind::AmbiguousEntry,
            ErrorKind::InvalidFrame,
            ErrorKind::FrameTooLong,
            ErrorKind::TruncatedFrame,
            ErrorKind::InvalidCheckpoint,
        ];
        kinds
    }

    /// Every kind's name, category and messages, with and without an
    /// offset, against the snapshot in `tests/data/error_messages.txt`.
    #[test]
    fn messages_match_the_snapshot() {
        let mut text = String::new();
        for kind in every_kind() {
            let with_offset =
                if kind == ErrorKind::Io { Error::from(io::Error::other("disk full")) } else { Error::at(kind, 7) };
            text.push_str(&format!("{} | {} | {} | {}\n", kind.name(), kind.category(), with_offset, Error::new(kind)));
        }
        let snapshot = include_str!("../tests/data/error_messages.txt");
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/error_messages.txt"), &text).unwrap();
        }
        assert_eq!(text, snapshot, "run with UPDATE_SNAPSHOTS=1 to accept the new messages, then review the diff");
    }

    #[test]
    fn names_are_unique_and_categories_group_them() {
        let kinds = every_kind();
        let mut names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), kinds.len());
        let signature = kinds.iter().filter(|k| k.category() == ErrorCategory::Signature).count();
        assert_eq!(signature, 4);
        assert_eq!(ErrorKind::InvalidField(FieldName::new("rt")).category(), ErrorCategory::Konnect);
    }

    #[test]
    fn io_errors_keep_their_cause_and_compare_by_kind() {
        let err = Error::from(io::Error::new(io::ErrorKind::WriteZero, "short write"));
        assert_eq!(err.to_string(), "write failed: short write");
        assert!(std::error::Error::source(&err).is_some());
        assert_eq!(err.clone(), err);
        assert_ne!(err, Error::from(io::Error::other("short write")));
        assert_eq!(Error::at(ErrorKind::Empty, 3).shifted(4).offset(), Some(7));
        assert_eq!(Error::new(ErrorKind::Empty).shifted(4).offset(), None);
        assert_eq!(Error::new(ErrorKind::Empty).or_at(2).offset(), Some(2));
    }
}
