//! Konnect entries as CEF: Konnect's prefix, header and field order, rendered
//! straight into a buffer, and CEF lines decoded through the field collector.

use std::borrow::Cow;

use chrono::{Datelike, TimeZone, Utc};

use super::event::{AuditEvent, KONNECT_HOST, PrefixStyle, Product, check_host};
use super::family::Family;
use super::field::Field;
use super::fields::{Fields, family_from};
use super::order::{Slot, canonical_order};
use super::value::{Value, write_text, write_uuid, write_value};
use crate::cef::bsd_time::{BsdTime, write_bsd_time};
use crate::cef::escape::{HEADER_ESCAPES, escape_to};
use crate::cef::rfc3339::UtcSeconds;
use crate::cef::{Line, Parser, Prefix};
use crate::error::{Error, ErrorKind, Result};

impl AuditEvent<'_> {
    /// Appends the entry as a CEF line (no line ending, no signature), in
    /// Konnect's order, or in the order it was parsed in. Allocates nothing
    /// when `out` has the capacity.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// let mut buf = Vec::with_capacity(512);
    /// event.render_cef_into(&mut buf);
    /// assert!(buf.ends_with(b"user_agent=grpc-node-js/1.12.4"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn render_cef_into(&self, out: &mut Vec<u8>) {
        self.write_prefix(out);
        // The class id and name: each family's fixed text is one constant.
        match &self.family {
            Family::Authorization(authz) => {
                write_header_value(&authz.service, out);
                out.extend_from_slice(b"|Authz.");
                write_header_value(&authz.resource, out);
            }
            Family::Authentication(authn) => {
                out.extend_from_slice(b"AUTHENTICATION_TYPE_");
                write_header_value(authn.kind.suffix(), out);
                out.extend_from_slice(b"|AUTHENTICATION_OUTCOME_");
                write_header_value(authn.outcome.suffix(), out);
            }
            Family::Access(_) => out.extend_from_slice(b"KongGateway|Ingress"),
        }
        match self.severity().as_str().as_bytes() {
            [digit] => out.extend_from_slice(&[b'|', *digit, b'|']),
            text => {
                out.push(b'|');
                out.extend_from_slice(text);
                out.push(b'|');
            }
        }

        if self.order.is_empty() {
            self.write_documented_pairs(out);
            return;
        }

        // A parsed entry's own order, then anything added since.
        let mut separator = false;
        let mut written = 0u32;
        let mut extras = self.extra.iter();
        for slot in &self.order {
            match slot {
                Slot::Known(field) => {
                    if let Some(value) = self.value(*field) {
                        write_pair(separator, field.as_str(), &value, out);
                        separator = true;
                        written |= field.bit();
                    }
                }
                Slot::Extra => {
                    if let Some((key, value)) = extras.next() {
                        write_pair(separator, key.as_str(), &Value::Text(value), out);
                        separator = true;
                    }
                }
            }
        }
        for field in canonical_order(&self.family) {
            if written & field.bit() == 0
                && let Some(value) = self.value(*field)
            {
                write_pair(separator, field.as_str(), &value, out);
                separator = true;
            }
        }
        for (key, value) in extras {
            write_pair(separator, key.as_str(), &Value::Text(value), out);
            separator = true;
        }
    }

    /// The entry as a CEF line.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert!(event.to_cef_string().contains("|Authz.control-planes|1|"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn to_cef_string(&self) -> String {
        let mut out = Vec::with_capacity(512);
        self.render_cef_into(&mut out);
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// The pairs in Konnect's documented order ([`canonical_order`]), written
    /// straight: each key is a constant with its separator, and no field is
    /// looked up by name. A test holds it to the order table.
    #[inline]
    fn write_documented_pairs(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"rt=");
        write_value(&Value::Int(self.rt), out);
        out.extend_from_slice(b" src=");
        write_value(&Value::Ip(self.src), out);
        match &self.family {
            Family::Authentication(authn) => {
                out.extend_from_slice(b" request=");
                write_text(&authn.request, out);
                out.extend_from_slice(if authn.success { b" success=true" } else { b" success=false" });
            }
            Family::Authorization(authz) => {
                out.extend_from_slice(b" action=");
                write_text(&authz.action, out);
                out.extend_from_slice(if authz.granted { b" granted=true" } else { b" granted=false" });
            }
            Family::Access(access) => {
                out.extend_from_slice(b" request=");
                write_text(&access.request, out);
                out.extend_from_slice(b" act=");
                write_text(&access.method, out);
                out.extend_from_slice(b" status=");
                write_value(&Value::Uint(u64::from(access.status)), out);
            }
        }
        out.extend_from_slice(b" org_id=");
        write_uuid(&self.org_id, out);
        if let Some(portal_id) = &self.portal_id {
            out.extend_from_slice(b" portal_id=");
            write_uuid(portal_id, out);
        }
        out.extend_from_slice(b" principal_id=");
        write_uuid(&self.principal_id, out);
        if let Some(name) = &self.principal_name {
            out.extend_from_slice(b" principal_name=");
            write_text(name, out);
        }
        if let Some(actor_id) = &self.actor_id {
            out.extend_from_slice(b" actor_id=");
            write_text(actor_id, out);
        }
        if let Family::Access(access) = &self.family {
            out.extend_from_slice(b" user_agent=");
            write_text(&self.user_agent, out);
            out.extend_from_slice(b" trace_id=");
            write_value(&Value::Uint(self.trace_id), out);
            out.extend_from_slice(b" query=");
            write_text(&access.query, out);
        } else {
            out.extend_from_slice(b" trace_id=");
            write_value(&Value::Uint(self.trace_id), out);
            out.extend_from_slice(b" user_agent=");
            write_text(&self.user_agent, out);
        }
        if self.kong_initiated {
            out.extend_from_slice(b" kong_initiated=true");
        }
        for (key, value) in &self.extra {
            write_pair(true, key.as_str(), &Value::Text(value), out);
        }
    }

    /// The time, the host and the header up to the event class id.
    #[inline]
    fn write_prefix(&self, out: &mut Vec<u8>) {
        match self.prefix_style {
            PrefixStyle::Rfc3339 => self.time.write(out),
            PrefixStyle::Bsd => write_bsd_time(&BsdTime::from_datetime(&self.time.to_datetime()), out),
        }
        // Konnect's own host and product, the usual case, are one constant.
        if self.host == KONNECT_HOST && self.product == Product::Konnect {
            out.extend_from_slice(b" konghq.com CEF:0|KongInc|Konnect|1.0|");
            return;
        }
        out.push(b' ');
        out.extend_from_slice(self.host.as_bytes());
        out.extend_from_slice(match self.product {
            Product::Konnect => b" CEF:0|KongInc|Konnect|1.0|".as_slice(),
            Product::DevPortal => b" CEF:0|KongInc|Dev-Portal|1.0|".as_slice(),
        });
    }
}

impl<'a> AuditEvent<'a> {
    /// Decodes a Konnect CEF entry (RFC 3339 or BSD prefix, signed or not:
    /// a final `sig` pair is not part of the event and is not checked here;
    /// use [`Verifier::verify_audit`](crate::Verifier::verify_audit) for that).
    ///
    /// # Errors
    ///
    /// The parser's errors; [`ErrorKind::UnknownFamily`] for CEF that is not
    /// one of Konnect's families; [`ErrorKind::MissingField`] and
    /// [`ErrorKind::InvalidField`] naming the field. To re-render byte for
    /// byte, numbers, UUIDs and IPs must be in their canonical text form
    /// (as Konnect writes them); other forms are invalid.
    ///
    /// ```
    /// use audit_cef::{AuditEvent, ErrorKind, Field};
    /// let line = b"2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1 src=10.0.0.1 action=read granted=maybe";
    /// assert_eq!(AuditEvent::from_cef(line).unwrap_err().kind(), ErrorKind::InvalidField(Field::Granted.into()));
    /// ```
    pub fn from_cef(entry: &'a [u8]) -> Result<AuditEvent<'a>> {
        let line = Parser::new().parse(entry)?;
        AuditEvent::from_line(&line)
    }

    /// Decodes a parsed line (see [`AuditEvent::from_cef`]).
    ///
    /// # Errors
    ///
    /// As [`AuditEvent::from_cef`].
    ///
    /// ```
    /// let line = audit_cef::Parser::new().parse(b"CEF:0|Acme|Fw|1|100|blocked|5|src=10.0.0.1")?;
    /// assert_eq!(audit_cef::AuditEvent::from_line(&line).unwrap_err().kind(), audit_cef::ErrorKind::UnknownFamily);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn from_line(line: &Line<'a>) -> Result<AuditEvent<'a>> {
        AuditEvent::decode_line(line).map_err(|err| locate_in_line(err, line))
    }

    fn decode_line(line: &Line<'a>) -> Result<AuditEvent<'a>> {
        let invalid = |field: Field| Error::new(ErrorKind::InvalidField(field.into()));
        if line.vendor() != "KongInc" {
            return Err(Error::new(ErrorKind::UnknownFamily));
        }
        if line.version() != "0" {
            return Err(invalid(Field::CefVersion));
        }
        if line.device_version() != "1.0" {
            return Err(invalid(Field::DeviceVersion));
        }
        if line.unparsed().is_some() {
            return Err(Error::new(ErrorKind::UnparsedText));
        }
        let product = Product::from_text(line.product()).ok_or_else(|| invalid(Field::Product))?;
        let mut fields = Fields::default();
        let mut pairs = line.pairs().peekable();
        while let Some(pair) = pairs.next() {
            // A final signature belongs to the transport, not to the event.
            if pair.key() == "sig" && pairs.peek().is_none() {
                break;
            }
            fields.take(pair.key(), pair.value())?;
        }
        let family = family_from(line.event_class_id.clone(), line.name.clone(), &mut fields)?;
        let rt = fields.int(Field::Rt)?;
        let (time, host, prefix_style) = prefix_from(line.prefix(), rt)?;
        let severity = line
            .severity()
            .ok_or_else(|| Error::at(ErrorKind::MissingField(Field::Severity.into()), line.severity_offset()))?;
        fields.finish(product, time, host, prefix_style, rt, family, severity)
    }
}

/// Field errors are made without a position; give them the byte offset of
/// the pair's value (the last pair of that key, for duplicates), or the end
/// of the line for a missing field.
#[cold]
fn locate_in_line(err: Error, line: &Line<'_>) -> Error {
    let end = line.extension_offset + line.extension.len();
    match err.kind() {
        ErrorKind::InvalidField(field) if err.offset().is_none() => {
            match line.pairs().filter(|pair| pair.key() == field.as_str()).last() {
                Some(pair) => Error::at(err.kind(), pair.value_offset()),
                None => err,
            }
        }
        ErrorKind::MissingField(field) if field != Field::Time => Error::at(err.kind(), end),
        _ => err,
    }
}

/// A header field's variable text, escaped (E1).
#[inline]
fn write_header_value(text: &str, out: &mut Vec<u8>) {
    let Ok(()) = escape_to(&HEADER_ESCAPES, text, out);
}

/// ` key=value` (no space before the first pair).
#[inline]
fn write_pair(separator: bool, key: &str, value: &Value<'_>, out: &mut Vec<u8>) {
    if separator {
        out.push(b' ');
    }
    out.extend_from_slice(key.as_bytes());
    out.push(b'=');
    write_value(value, out);
}

/// Time, host and style from the prefix; a BSD time takes its year from `rt`.
fn prefix_from(prefix: Option<&str>, rt: i64) -> Result<(UtcSeconds, Cow<'_, str>, PrefixStyle)> {
    let invalid = || Error::new(ErrorKind::InvalidField(Field::Time.into()));
    let prefix = prefix.ok_or_else(|| Error::new(ErrorKind::MissingField(Field::Time.into())))?;
    let (time, host, style) = match Prefix::parse(prefix).map_err(|_| invalid())? {
        Prefix::Rfc3339 { pri: None, time, host } => (time, host, PrefixStyle::Rfc3339),
        Prefix::Bsd { pri: None, time, host } => {
            let reference = Utc.timestamp_millis_opt(rt).single().ok_or_else(invalid)?;
            let year = reference.year();
            let candidates = [year - 1, year, year + 1];
            let best = candidates
                .iter()
                .filter_map(|y| time.with_year(*y))
                .map(|naive| Utc.from_utc_datetime(&naive))
                .min_by_key(|t| (t.timestamp() - reference.timestamp()).abs())
                .ok_or_else(invalid)?;
            (best, host, PrefixStyle::Bsd)
        }
        _ => return Err(invalid()),
    };
    // Years outside 0-9999 (a BSD time takes its year from `rt`) have no RFC 3339 form.
    let time = UtcSeconds::from_datetime(&time).ok_or_else(invalid)?;
    // The host ends the prefix, which starts the line.
    check_host(host).map_err(|err| err.shifted(prefix.len().saturating_sub(host.len())))?;
    Ok((time, Cow::Borrowed(host), style))
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use chrono::TimeZone;
    use uuid::Uuid;

    use super::*;
    use crate::konnect::family::{Access, AuthOutcome, AuthType, Authentication, Authorization};

    /// The pairs as the order table and [`AuditEvent::value`] give them: the
    /// definition the straight writer must match.
    fn pairs_by_table(event: &AuditEvent<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut separator = false;
        for field in canonical_order(&event.family) {
            if let Some(value) = event.value(*field) {
                write_pair(separator, field.as_str(), &value, &mut out);
                separator = true;
            }
        }
        for (key, value) in &event.extra {
            write_pair(separator, key.as_str(), &Value::Text(value), &mut out);
            separator = true;
        }
        out
    }

    #[test]
    fn the_documented_writer_follows_the_order_table_for_every_family_and_option() {
        let families = [
            Family::Authentication(Authentication::new(AuthType::Basic, AuthOutcome::Success, "/a=b\\c")),
            Family::Authentication(Authentication::new(
                AuthType::Other("X|Y".into()),
                AuthOutcome::Other("A\\B".into()),
                "/",
            )),
            Family::Authorization(Authorization::new("kon|nect", "control\\planes", "li\nst", false).unwrap()),
            Family::Access(Access::new("/x", "GET", 404, "q=1")),
        ];
        let sources: [IpAddr; 2] = [[10, 0, 0, 1].into(), "2001:db8::1".parse().unwrap()];
        let mut checked = 0;
        for family in families {
            for options in 0u8..32 {
                let mut builder = AuditEvent::builder(family.clone())
                    .time(Utc.timestamp_opt(1_750_280_556, 0).unwrap())
                    .src(sources[usize::from(options & 1)])
                    .org_id(Uuid::from_u128(0x777d_b3e4_5cb7_4dd5_b51c_9878_096a_6999))
                    .principal_id(Uuid::from_u128(u128::MAX - 5))
                    .trace_id(u64::MAX)
                    .user_agent("ua=\r");
                if options & 2 != 0 {
                    builder = builder.portal_id(Uuid::from_u128(42));
                }
                if options & 4 != 0 {
                    builder = builder.principal_name("me").actor_id("a\\b");
                }
                if options & 8 != 0 {
                    builder = builder.kong_initiated(true).severity(crate::Severity::VERY_HIGH);
                }
                if options & 16 != 0 {
                    builder = builder.extra("cs1", "x=y").extra("cn2", "7");
                }
                let event = builder.build().unwrap();
                let line = event.to_cef_string();
                let at = line.find("|rt=").unwrap_or_else(|| panic!("no header end in {line}"));
                assert_eq!(line.as_bytes()[at + 1..], pairs_by_table(&event), "options {options:#b} of {line}");
                // The header as the family's parts give it, escaped (E1).
                let mut header = Vec::new();
                for (prefix, text) in [event.family.class_parts(), event.family.name_parts()] {
                    header.extend_from_slice(prefix.as_bytes());
                    let Ok(()) = escape_to(&HEADER_ESCAPES, text, &mut header);
                    header.push(b'|');
                }
                header.extend_from_slice(event.severity().as_str().as_bytes());
                assert!(line.as_bytes()[..at].ends_with(&header), "{line}");
                checked += 1;
            }
        }
        assert_eq!(checked, 128);
    }
}
