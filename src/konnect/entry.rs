//! One entry in any of Konnect's three formats: render, sign, verify, decode.

use std::fmt;
use std::str::FromStr;

use super::event::AuditEvent;
use crate::error::{Error, ErrorKind, Result};
use crate::sign::line_ending::trim_line_ending;
use crate::sign::{Signer, Verified, Verifier};

/// Konnect's `log_format`: `cef` (default), `json` or `cps`.
///
/// ```
/// use audit_cef::Format;
/// assert_eq!("cps".parse::<Format>()?, Format::Cps);
/// assert_eq!(Format::detect(br#"{"event":{}}"#), Format::Cps);
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// One CEF line, ` sig=` last.
    #[default]
    Cef,
    /// A compact JSON object, `"sig"` last.
    Json,
    /// The JSON object wrapped as `{"event":{...}}`.
    Cps,
}

impl Format {
    /// The format an entry is in: `{"event":` starts CPS, `{` JSON, anything else CEF.
    ///
    /// ```
    /// assert_eq!(audit_cef::Format::detect(b"2025-06-18T21:02:36Z konghq.com CEF:0|"), audit_cef::Format::Cef);
    /// ```
    pub fn detect(entry: &[u8]) -> Format {
        if entry.starts_with(b"{\"event\":") {
            Format::Cps
        } else if entry.starts_with(b"{") {
            Format::Json
        } else {
            Format::Cef
        }
    }

    /// The `log_format` name.
    ///
    /// ```
    /// assert_eq!(audit_cef::Format::Json.as_str(), "json");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Cef => "cef",
            Format::Json => "json",
            Format::Cps => "cps",
        }
    }
}

/// Parses `cef`, `json` or `cps`; anything else is [`ErrorKind::UnknownFormat`].
impl FromStr for Format {
    type Err = Error;
    fn from_str(text: &str) -> Result<Format> {
        match text {
            "cef" => Ok(Format::Cef),
            "json" => Ok(Format::Json),
            "cps" => Ok(Format::Cps),
            _ => Err(Error::new(ErrorKind::UnknownFormat)),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As Konnect's `log_format`: `"cef"`, `"json"` or `"cps"`.
///
/// ```
/// assert_eq!(serde_json::to_string(&audit_cef::Format::Cps).unwrap(), r#""cps""#);
/// ```
impl serde::Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> core::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// From Konnect's `log_format`.
///
/// ```
/// let format: audit_cef::Format = serde_json::from_str(r#""json""#).unwrap();
/// assert_eq!(format, audit_cef::Format::Json);
/// assert!(serde_json::from_str::<audit_cef::Format>(r#""xml""#).is_err());
/// ```
impl<'de> serde::Deserialize<'de> for Format {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> core::result::Result<Format, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl<'a> AuditEvent<'a> {
    /// Appends the unsigned entry in `format`.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// let mut buf = Vec::new();
    /// event.render_into(audit_cef::Format::Json, &mut buf);
    /// assert!(buf.starts_with(b"{"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn render_into(&self, format: Format, out: &mut Vec<u8>) {
        match format {
            Format::Cef => self.render_cef_into(out),
            Format::Json => self.render_json_into(out),
            Format::Cps => self.render_cps_into(out),
        }
    }

    /// Appends the entry in `format`, signed with `signer` exactly as
    /// Konnect signs. No allocation for CEF when `out` has the capacity.
    ///
    /// # Errors
    ///
    /// None for an event from [`AuditEventBuilder::build`](crate::AuditEventBuilder::build)
    /// or a decoder: they refuse what could not be signed and verified. The
    /// signer's checks still run; `out` keeps what it held before on error.
    ///
    /// ```
    /// use audit_cef::{AuditEvent, Format, KeySet, Signer, Verifier};
    /// let signer = Signer::from_seed(&[1; 32]);
    /// let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    /// let event = AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// for format in [Format::Cef, Format::Json, Format::Cps] {
    ///     let mut buf = Vec::with_capacity(1024);
    ///     event.sign_into(format, &signer, &mut buf)?;
    ///     assert_eq!(verifier.verify_audit(&buf)?.into_entry(), event);
    /// }
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn sign_into(&self, format: Format, signer: &Signer, out: &mut Vec<u8>) -> Result<()> {
        let start = out.len();
        self.render_into(format, out);
        let signed = match format {
            Format::Cef => signer.sign_cef(out, start),
            Format::Json => signer.sign_json(out, start),
            Format::Cps => signer.sign_cps(out, start),
        };
        if signed.is_err() {
            out.truncate(start);
        }
        signed
    }

    /// Decodes an entry in any format (detected), signed or not, without
    /// checking a signature.
    ///
    /// # Errors
    ///
    /// As [`AuditEvent::from_cef`], [`AuditEvent::from_json`], [`AuditEvent::from_cps`].
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// let json = event.to_json_string();
    /// assert_eq!(audit_cef::AuditEvent::from_entry(json.as_bytes())?, event);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn from_entry(entry: &'a [u8]) -> Result<AuditEvent<'a>> {
        let entry = trim_line_ending(entry);
        match Format::detect(entry) {
            Format::Cef => AuditEvent::from_cef(entry),
            Format::Json => AuditEvent::from_json(entry),
            Format::Cps => AuditEvent::from_cps(entry),
        }
    }
}

impl Verifier {
    /// Verifies an entry in any of Konnect's formats (detected) and decodes
    /// the signed bytes into an [`AuditEvent`].
    ///
    /// # Errors
    ///
    /// The verification errors of [`Verifier::verify_cef`] and
    /// [`Verifier::verify_json`], then the decoding errors of
    /// [`AuditEvent::from_entry`].
    ///
    /// ```
    /// use audit_cef::{AuditEvent, ErrorKind, Format, KeySet, Signer, Verifier};
    /// let signer = Signer::from_seed(&[1; 32]);
    /// let mut buf = Vec::new();
    /// AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?.sign_into(Format::Json, &signer, &mut buf)?;
    /// let other = Verifier::new(KeySet::from_keys([Signer::from_seed(&[2; 32]).public_key()]));
    /// assert_eq!(other.verify_audit(&buf).unwrap_err().kind(), ErrorKind::NoKeyMatches);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn verify_audit<'a>(&self, entry: &'a [u8]) -> Result<Verified<'_, AuditEvent<'a>>> {
        match Format::detect(entry) {
            Format::Cef => {
                let verified = self.verify_cef(entry)?;
                let event = AuditEvent::from_line(verified.entry())?;
                Ok(verified.map(|_| event))
            }
            Format::Json => {
                let verified = self.verify_json(entry)?;
                let event = AuditEvent::from_json(verified.entry().as_bytes())?;
                Ok(verified.map(|_| event))
            }
            Format::Cps => {
                let verified = self.verify_cps(entry)?;
                let event = AuditEvent::from_cps(verified.entry().as_bytes())?;
                Ok(verified.map(|_| event))
            }
        }
    }
}
