//! Konnect entries as CEF: Konnect's prefix, header and field order.

use std::io::Write as _;
use std::net::IpAddr;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use uuid::Uuid;

use super::event::{AuditEvent, KONNECT_HOST, PrefixStyle, Product, Slot};
use super::family::{
    ACCESS_CLASS, ACCESS_NAME, AUTHZ_PREFIX, Access, AuthOutcome, AuthType, Authentication, Authorization, Family,
};
use super::field::Field;
use crate::cef::escape::{HEADER_ESCAPES, VALUE_ESCAPES, escape_to};
use crate::cef::event::no_line_break;
use crate::cef::prefix::{write_bsd_time, write_rfc3339_unix};
use crate::cef::{Key, Line, Parser, Prefix, Severity};
use crate::error::{Error, ErrorKind, HeaderField, Result};

const AUTHENTICATION_ORDER: [Field; 12] = [
    Field::Rt,
    Field::Src,
    Field::Request,
    Field::Success,
    Field::OrgId,
    Field::PortalId,
    Field::PrincipalId,
    Field::PrincipalName,
    Field::ActorId,
    Field::TraceId,
    Field::UserAgent,
    Field::KongInitiated,
];
const AUTHORIZATION_ORDER: [Field; 12] = [
    Field::Rt,
    Field::Src,
    Field::Action,
    Field::Granted,
    Field::OrgId,
    Field::PortalId,
    Field::PrincipalId,
    Field::PrincipalName,
    Field::ActorId,
    Field::TraceId,
    Field::UserAgent,
    Field::KongInitiated,
];
const ACCESS_ORDER: [Field; 14] = [
    Field::Rt,
    Field::Src,
    Field::Request,
    Field::Act,
    Field::Status,
    Field::OrgId,
    Field::PortalId,
    Field::PrincipalId,
    Field::PrincipalName,
    Field::ActorId,
    Field::UserAgent,
    Field::TraceId,
    Field::Query,
    Field::KongInitiated,
];

/// Konnect's documented pair order for a family (konnect.md section 1;
/// where `principal_name`, `actor_id` and `kong_initiated` go is not
/// documented: after `principal_id`, and last).
pub(crate) fn canonical_order(family: &Family) -> &'static [Field] {
    match family {
        Family::Authentication(_) => &AUTHENTICATION_ORDER,
        Family::Authorization(_) => &AUTHORIZATION_ORDER,
        Family::Access(_) => &ACCESS_ORDER,
    }
}

/// The value of a pair field, borrowed or formatted on the stack.
pub(crate) enum Value<'e> {
    Text(&'e str),
    Int(i64),
    Uint(u64),
    Bool(bool),
    Ip(IpAddr),
    Uuid(Uuid),
}

impl AuditEvent {
    /// The value of a pair field, or `None` when the event does not carry it.
    #[inline(always)]
    pub(crate) fn value(&self, field: Field) -> Option<Value<'_>> {
        Some(match (field, &self.family) {
            (Field::Rt, _) => Value::Int(self.rt),
            (Field::Src, _) => Value::Ip(self.src),
            (Field::OrgId, _) => Value::Uuid(self.org_id),
            (Field::PrincipalId, _) => Value::Uuid(self.principal_id),
            (Field::TraceId, _) => Value::Uint(self.trace_id),
            (Field::UserAgent, _) => Value::Text(&self.user_agent),
            (Field::PortalId, _) => Value::Uuid(self.portal_id?),
            (Field::PrincipalName, _) => Value::Text(self.principal_name.as_deref()?),
            (Field::ActorId, _) => Value::Text(self.actor_id.as_deref()?),
            (Field::KongInitiated, _) if self.kong_initiated => Value::Bool(true),
            (Field::Request, Family::Authentication(a)) => Value::Text(&a.request),
            (Field::Request, Family::Access(a)) => Value::Text(&a.request),
            (Field::Success, Family::Authentication(a)) => Value::Bool(a.success),
            (Field::Action, Family::Authorization(a)) => Value::Text(&a.action),
            (Field::Granted, Family::Authorization(a)) => Value::Bool(a.granted),
            (Field::Act, Family::Access(a)) => Value::Text(&a.method),
            (Field::Status, Family::Access(a)) => Value::Uint(u64::from(a.status)),
            (Field::Query, Family::Access(a)) => Value::Text(&a.query),
            _ => return None,
        })
    }

    /// Appends the entry as a CEF line (no line ending, no signature), in
    /// Konnect's order, or in the order it was parsed in. Allocates nothing
    /// when `out` has the capacity.
    ///
    /// ```
    /// let event = audit_cef::AuditEvent::example();
    /// let mut buf = Vec::with_capacity(512);
    /// event.render_cef_into(&mut buf);
    /// assert!(buf.ends_with(b"user_agent=grpc-node-js/1.12.4"));
    /// ```
    pub fn render_cef_into(&self, out: &mut Vec<u8>) {
        self.write_prefix(out);
        out.extend_from_slice(match self.product {
            Product::Konnect => b" CEF:0|KongInc|Konnect|1.0|".as_slice(),
            Product::DevPortal => b" CEF:0|KongInc|Dev-Portal|1.0|".as_slice(),
        });
        let Ok(()) = match &self.family {
            Family::Authentication(a) => {
                write_open_enum("AUTHENTICATION_TYPE_", a.kind.suffix(), out);
                out.push(b'|');
                write_open_enum("AUTHENTICATION_OUTCOME_", a.outcome.suffix(), out);
                Ok(())
            }
            Family::Authorization(a) => {
                let Ok(()) = escape_to(&HEADER_ESCAPES, &a.service, out);
                out.push(b'|');
                escape_to(&HEADER_ESCAPES, &a.name, out)
            }
            Family::Access(_) => {
                out.extend_from_slice(b"KongGateway|Ingress");
                Ok(())
            }
        };
        out.push(b'|');
        out.extend_from_slice(self.severity().as_str().as_bytes());
        out.push(b'|');

        if self.order.is_empty() {
            // Konnect's own order: one pass over the family's fields.
            let mut separator = false;
            for field in canonical_order(&self.family) {
                if let Some(value) = self.value(*field) {
                    write_pair(separator, field.as_str(), &value, out);
                    separator = true;
                }
            }
            for (key, value) in &self.extra {
                write_pair(separator, key.as_str(), &Value::Text(value), out);
                separator = true;
            }
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
            if written & field.bit() == 0 {
                if let Some(value) = self.value(*field) {
                    write_pair(separator, field.as_str(), &value, out);
                    separator = true;
                }
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
    /// assert!(audit_cef::AuditEvent::example().to_cef_string().contains("|Authz.control-planes|1|"));
    /// ```
    pub fn to_cef_string(&self) -> String {
        let mut out = Vec::with_capacity(512);
        self.render_cef_into(&mut out);
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    fn write_prefix(&self, out: &mut Vec<u8>) {
        match self.prefix_style {
            // The builder and the parsers keep the year in 0-9999.
            PrefixStyle::Rfc3339 => {
                let _ = write_rfc3339_unix(self.unix_seconds, out);
            }
            PrefixStyle::Bsd => write_bsd_time(&crate::cef::BsdTime::from_datetime(&self.time()), out),
        }
        out.push(b' ');
        out.extend_from_slice(self.host.as_bytes());
    }

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
    /// assert_eq!(AuditEvent::from_cef(line).unwrap_err().kind(), ErrorKind::InvalidField(Field::Granted));
    /// ```
    pub fn from_cef(entry: &[u8]) -> Result<AuditEvent> {
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
    pub fn from_line(line: &Line<'_>) -> Result<AuditEvent> {
        AuditEvent::decode_line(line).map_err(|err| locate_in_line(err, line))
    }

    fn decode_line(line: &Line<'_>) -> Result<AuditEvent> {
        let invalid = |field| Error::new(ErrorKind::InvalidField(field), 0);
        if line.vendor() != "KongInc" {
            return Err(Error::new(ErrorKind::UnknownFamily, 0));
        }
        if line.version() != "0" {
            return Err(invalid(Field::CefVersion));
        }
        if line.device_version() != "1.0" {
            return Err(invalid(Field::DeviceVersion));
        }
        if line.unparsed().is_some() {
            return Err(Error::new(ErrorKind::UnparsedText, 0));
        }
        let product = Product::from_text(line.product()).ok_or_else(|| invalid(Field::Product))?;
        let mut fields = Fields::default();
        let mut pairs = line.pairs().peekable();
        while let Some(pair) = pairs.next() {
            // A final signature belongs to the transport, not to the event.
            if pair.key() == "sig" && pairs.peek().is_none() {
                break;
            }
            fields.take(pair.key(), pair.value().into_owned())?;
        }
        let family = family_from(line.event_class_id(), line.name(), &mut fields)?;
        let rt = fields.int(Field::Rt)?;
        let (time, host, prefix_style) = prefix_from(line.prefix(), rt)?;
        let severity = line.severity();
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
        ErrorKind::InvalidField(field) if err.offset() == 0 => {
            match line.pairs().filter(|pair| pair.key() == field.as_str()).last() {
                Some(pair) => Error::new(err.kind(), pair.value_offset()),
                None => err,
            }
        }
        ErrorKind::MissingField(field) if field != Field::Time => Error::new(err.kind(), end),
        _ => err,
    }
}

/// `AUTHENTICATION_TYPE_` + suffix, escaped as a header field.
fn write_open_enum(prefix: &str, suffix: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(prefix.as_bytes());
    let Ok(()) = escape_to(&HEADER_ESCAPES, suffix, out);
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

/// Writes a pair value: text escaped (E3), numbers through itoa.
#[inline(always)]
pub(crate) fn write_value(value: &Value<'_>, out: &mut Vec<u8>) {
    match value {
        Value::Text(text) => {
            let Ok(()) = escape_to(&VALUE_ESCAPES, text, out);
        }
        Value::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
        Value::Uint(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Uuid(id) => out.extend_from_slice(id.hyphenated().encode_lower(&mut Uuid::encode_buffer()).as_bytes()),
        Value::Ip(IpAddr::V4(ip)) => write_ipv4(ip.octets(), out),
        Value::Ip(ip) => {
            let _ = write!(out, "{ip}");
        }
    }
}

/// Members of the JSON form that are not CEF pairs.
const JSON_ONLY: [Field; 9] = [
    Field::Time,
    Field::Vendor,
    Field::Product,
    Field::DeviceVersion,
    Field::CefVersion,
    Field::EventClassId,
    Field::Name,
    Field::Severity,
    Field::Sig,
];

/// Whether `key` names a JSON-only member (`name`, `severity`, `sig`, ...).
pub(crate) fn is_json_only(key: &str) -> bool {
    JSON_ONLY.iter().any(|f| f.as_str() == key)
}

/// Dotted decimal, composed on the stack and written in one copy.
#[inline]
fn write_ipv4(octets: [u8; 4], out: &mut Vec<u8>) {
    let mut text = [0u8; 15];
    let mut len = 0;
    {
        let mut put = |byte: u8| {
            if let Some(slot) = text.get_mut(len) {
                *slot = byte;
                len += 1;
            }
        };
        for (i, octet) in octets.into_iter().enumerate() {
            if i > 0 {
                put(b'.');
            }
            if octet >= 100 {
                put(b'0' + octet / 100);
            }
            if octet >= 10 {
                put(b'0' + octet / 10 % 10);
            }
            put(b'0' + octet % 10);
        }
    }
    out.extend_from_slice(text.get(..len).unwrap_or_default());
}

/// The pairs of a line, gathered by field.
#[derive(Default)]
pub(crate) struct Fields {
    known: Vec<(Field, String)>,
    extra: Vec<(Key<'static>, String)>,
    order: Vec<Slot>,
}

impl Fields {
    /// Files a pair under its field, or as an extra pair.
    pub(crate) fn take(&mut self, key: &str, value: String) -> Result<()> {
        // A pair named like a JSON header member (or a signature that is not
        // last) would collide with it in the JSON form.
        if let Some(header) = JSON_ONLY.iter().find(|f| f.as_str() == key) {
            return Err(Error::new(ErrorKind::InvalidField(*header), 0));
        }
        match Field::from_pair_key(key) {
            // kong_initiated is written only when true; anything else stays as written.
            Some(Field::KongInitiated) if value != "true" => self.push_extra(key, value),
            Some(field) => {
                if self.known.iter().any(|(f, _)| *f == field) {
                    return Err(Error::new(ErrorKind::InvalidField(field), 0));
                }
                self.known.push((field, value));
                self.order.push(Slot::Known(field));
                Ok(())
            }
            None => self.push_extra(key, value),
        }
    }

    fn push_extra(&mut self, key: &str, value: String) -> Result<()> {
        self.extra.push((Key::new(key.to_owned())?, value));
        self.order.push(Slot::Extra);
        Ok(())
    }

    /// Removes and returns a field's text.
    pub(crate) fn remove(&mut self, field: Field) -> Option<String> {
        let at = self.known.iter().position(|(f, _)| *f == field)?;
        Some(self.known.remove(at).1)
    }

    fn required(&mut self, field: Field) -> Result<String> {
        self.remove(field).ok_or_else(|| Error::new(ErrorKind::MissingField(field), 0))
    }

    /// A canonical decimal (what itoa writes back).
    pub(crate) fn int(&mut self, field: Field) -> Result<i64> {
        let text = self.required(field)?;
        let value: i64 = text.parse().map_err(|_| Error::new(ErrorKind::InvalidField(field), 0))?;
        canonical(&text, itoa::Buffer::new().format(value), field)?;
        Ok(value)
    }

    fn uint(&mut self, field: Field) -> Result<u64> {
        let text = self.required(field)?;
        let value: u64 = text.parse().map_err(|_| Error::new(ErrorKind::InvalidField(field), 0))?;
        canonical(&text, itoa::Buffer::new().format(value), field)?;
        Ok(value)
    }

    fn boolean(&mut self, field: Field) -> Result<bool> {
        match self.required(field)?.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(Error::new(ErrorKind::InvalidField(field), 0)),
        }
    }

    fn uuid(&mut self, field: Field) -> Result<Option<Uuid>> {
        let Some(text) = self.remove(field) else { return Ok(None) };
        let id = Uuid::try_parse(&text).map_err(|_| Error::new(ErrorKind::InvalidField(field), 0))?;
        canonical(&text, id.hyphenated().encode_lower(&mut Uuid::encode_buffer()), field)?;
        Ok(Some(id))
    }

    fn required_uuid(&mut self, field: Field) -> Result<Uuid> {
        self.uuid(field)?.ok_or_else(|| Error::new(ErrorKind::MissingField(field), 0))
    }

    fn ip(&mut self, field: Field) -> Result<IpAddr> {
        let text = self.required(field)?;
        let ip: IpAddr = text.parse().map_err(|_| Error::new(ErrorKind::InvalidField(field), 0))?;
        canonical(&text, &ip.to_string(), field)?;
        Ok(ip)
    }

    /// Builds the event from what was gathered.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish(
        mut self,
        product: Product,
        time: DateTime<Utc>,
        host: String,
        prefix_style: PrefixStyle,
        rt: i64,
        family: Family,
        severity: Severity,
    ) -> Result<AuditEvent> {
        let event = AuditEvent {
            product,
            unix_seconds: time.timestamp(),
            host,
            prefix_style,
            rt,
            src: self.ip(Field::Src)?,
            org_id: self.required_uuid(Field::OrgId)?,
            principal_id: self.required_uuid(Field::PrincipalId)?,
            trace_id: self.uint(Field::TraceId)?,
            user_agent: self.required(Field::UserAgent)?,
            principal_name: self.remove(Field::PrincipalName),
            kong_initiated: self.remove(Field::KongInitiated).is_some(),
            actor_id: self.remove(Field::ActorId),
            portal_id: self.uuid(Field::PortalId)?,
            severity: Some(severity).filter(|s| *s != family.severity()),
            family,
            extra: Vec::new(),
            order: Vec::new(),
        };
        // Fields of another family are kept as extra pairs, where they were.
        let mut extra = self.extra.into_iter();
        let mut merged = Vec::new();
        let mut order = Vec::with_capacity(self.order.len());
        for slot in self.order {
            match slot {
                Slot::Known(field) => match self.known.iter().position(|(f, _)| *f == field) {
                    Some(at) => {
                        let (field, value) = self.known.remove(at);
                        merged.push((Key::new(field.as_str())?, value));
                        order.push(Slot::Extra);
                    }
                    None => order.push(slot),
                },
                Slot::Extra => {
                    if let Some(pair) = extra.next() {
                        merged.push(pair);
                        order.push(Slot::Extra);
                    }
                }
            }
        }
        let mut event = AuditEvent { extra: merged, order, ..event };
        // Remember the order only when it is not Konnect's own.
        let documented = canonical_order(&event.family)
            .iter()
            .filter(|field| event.value(**field).is_some())
            .map(|field| Slot::Known(*field))
            .chain(event.extra.iter().map(|_| Slot::Extra));
        if documented.eq(event.order.iter().copied()) {
            event.order.clear();
        }
        Ok(event)
    }
}

fn canonical(text: &str, written: &str, field: Field) -> Result<()> {
    if text == written { Ok(()) } else { Err(Error::new(ErrorKind::InvalidField(field), 0)) }
}

/// The family from the event class id and name.
pub(crate) fn family_from(class: &str, name: &str, fields: &mut Fields) -> Result<Family> {
    if class.starts_with("AUTHENTICATION_TYPE_") && name.starts_with("AUTHENTICATION_OUTCOME_") {
        return Ok(Family::Authentication(Authentication {
            kind: AuthType::from_header(class)?,
            outcome: AuthOutcome::from_header(name)?,
            request: fields.required(Field::Request)?,
            success: fields.boolean(Field::Success)?,
        }));
    }
    if let Some(resource) = name.strip_prefix(AUTHZ_PREFIX) {
        let action = fields.required(Field::Action)?;
        let granted = fields.boolean(Field::Granted)?;
        return Authorization::new(class, resource, action, granted).map(Family::Authorization);
    }
    if class == ACCESS_CLASS && name == ACCESS_NAME {
        let request = fields.required(Field::Request)?;
        let method = fields.required(Field::Act)?;
        let status = u16::try_from(fields.uint(Field::Status)?)
            .map_err(|_| Error::new(ErrorKind::InvalidField(Field::Status), 0))?;
        let query = fields.required(Field::Query)?;
        return Ok(Family::Access(Access { request, method, status, query }));
    }
    Err(Error::new(ErrorKind::UnknownFamily, 0))
}

/// Time, host and style from the prefix; a BSD time takes its year from `rt`.
fn prefix_from(prefix: Option<&str>, rt: i64) -> Result<(DateTime<Utc>, String, PrefixStyle)> {
    let invalid = || Error::new(ErrorKind::InvalidField(Field::Time), 0);
    let prefix = prefix.ok_or_else(|| Error::new(ErrorKind::MissingField(Field::Time), 0))?;
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
    if host.contains(' ') {
        return Err(Error::new(ErrorKind::InvalidField(Field::Host), 0));
    }
    let host = no_line_break(host.to_owned(), HeaderField::Prefix).map_err(|_| invalid())?;
    Ok((time, if host.is_empty() { KONNECT_HOST.to_owned() } else { host }, style))
}
