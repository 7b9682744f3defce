//! Konnect's compact JSON entry and its CPS wrapping, written by hand (keys
//! in byte order, no generic map) and read leniently.

use std::borrow::Cow;

use serde_json::{Map, Value as Json};

use super::event::{AuditEvent, KONNECT_HOST, PrefixStyle, Product};
use super::field::Field;
use super::fields::{Fields, family_from};
use super::value::{Value, write_value};
use crate::cef::Severity;
use crate::cef::rfc3339::{UtcSeconds, parse_rfc3339_seconds};
use crate::error::{Error, ErrorKind, Result};
use crate::sign::json_position::json_error;
use crate::sign::line_ending::trim_line_ending;

/// Every key of the JSON form, in byte order (a unit test checks it).
pub(crate) const JSON_ORDER: [Field; 25] = [
    Field::Act,
    Field::Action,
    Field::ActorId,
    Field::CefVersion,
    Field::EventClassId,
    Field::Product,
    Field::Time,
    Field::Vendor,
    Field::DeviceVersion,
    Field::Granted,
    Field::KongInitiated,
    Field::Name,
    Field::OrgId,
    Field::PortalId,
    Field::PrincipalId,
    Field::PrincipalName,
    Field::Query,
    Field::Request,
    Field::Rt,
    Field::Severity,
    Field::Src,
    Field::Status,
    Field::Success,
    Field::TraceId,
    Field::UserAgent,
];

/// JSON string escapes: `"`, `\` and control characters (as serde_json writes them).
// Built at compile time: an out-of-range index fails the build, not a run.
#[allow(clippy::indexing_slicing)]
static JSON_ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[b'\n' as usize] = b'n';
    table[b'\r' as usize] = b'r';
    table[b'\t' as usize] = b't';
    table[0x08] = b'b';
    table[0x0c] = b'f';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Writes `text` as a JSON string, clean runs in bulk.
pub(crate) fn write_json_string(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    write_json_chars(text, out);
    out.push(b'"');
}

/// The escaped characters of a JSON string, without the quotes.
fn write_json_chars(text: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let escape_of = |byte: u8| JSON_ESCAPES.get(usize::from(byte)).copied().unwrap_or(0);
    let mut rest = text.as_bytes();
    loop {
        let clean = rest.iter().take_while(|&&byte| escape_of(byte) == 0).count();
        let (run, tail) = rest.split_at(clean.min(rest.len()));
        out.extend_from_slice(run);
        let Some((&byte, after)) = tail.split_first() else { return };
        let escape = escape_of(byte);
        out.push(b'\\');
        out.push(escape);
        if escape == b'u' {
            let hex = |nibble: u8| HEX.get(usize::from(nibble & 0xf)).copied().unwrap_or(b'0');
            out.extend_from_slice(&[b'0', b'0', hex(byte >> 4), hex(byte)]);
        }
        rest = after;
    }
}

/// `prefix` + `text` as one JSON string (`"Authz.control-planes"`).
fn write_json_joined(prefix: &str, text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    write_json_chars(prefix, out);
    write_json_chars(text, out);
    out.push(b'"');
}

impl AuditEvent<'_> {
    /// A JSON value of the entry, typed as in Kong's compact example:
    /// `cef_version` a string; `rt`, `severity`, `trace_id`, `status`
    /// numbers; `granted`, `success`, `kong_initiated` booleans.
    pub(crate) fn json_value(&self, field: Field) -> Option<Value<'_>> {
        match field {
            Field::CefVersion => Some(Value::Text("0")),
            Field::Vendor => Some(Value::Text("KongInc")),
            Field::DeviceVersion => Some(Value::Text("1.0")),
            Field::Product => Some(Value::Text(self.product.as_str())),
            Field::Severity => Some(match self.severity().level() {
                Some(level) => Value::Uint(u64::from(level)),
                None => Value::Text(self.severity().as_str()),
            }),
            _ => self.value(field),
        }
    }

    /// Appends the compact JSON entry: keys in byte order, no signature.
    /// Allocates nothing when `out` has the capacity and the event has no
    /// extra pairs.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// let mut buf = Vec::new();
    /// event.render_json_into(&mut buf);
    /// assert!(buf.starts_with(br#"{"action":"list","cef_version":"0","event_class_id":"konnect","event_product":"Konnect","event_ts":"2025-06-18T21:02:36Z","#));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn render_json_into(&self, out: &mut Vec<u8>) {
        let mut first = true;
        let Ok(()) = self.visit_members(|key, member| -> core::result::Result<(), core::convert::Infallible> {
            out.push(if first { b'{' } else { b',' });
            first = false;
            write_json_string(key, out);
            out.push(b':');
            match member {
                Member::Value(value) => write_json_value(&value, out),
                Member::Text(text) => write_json_string(text, out),
                Member::Joined(prefix, text) => write_json_joined(prefix, text, out),
                Member::Time(time) => {
                    out.push(b'"');
                    time.write(out);
                    out.push(b'"');
                }
            }
            Ok(())
        });
        out.push(b'}');
    }

    /// Calls `visit` for every member of the JSON form, keys in byte order.
    pub(crate) fn visit_members<E>(
        &self,
        mut visit: impl FnMut(&str, Member<'_>) -> core::result::Result<(), E>,
    ) -> core::result::Result<(), E> {
        let mut sorted: Vec<&(crate::cef::Key<'_>, Cow<'_, str>)> = Vec::new();
        if !self.extra.is_empty() {
            sorted = self.extra.iter().collect();
            sorted.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        }
        let mut extras = sorted.into_iter().peekable();
        for field in JSON_ORDER {
            let key = field.as_str();
            while let Some((extra_key, value)) = extras.next_if(|(k, _)| k.as_str() < key) {
                visit(extra_key.as_str(), Member::Text(value))?;
            }
            let member = match field {
                Field::EventClassId => {
                    let (prefix, text) = self.family.class_parts();
                    Member::Joined(prefix, text)
                }
                Field::Name => {
                    let (prefix, text) = self.family.name_parts();
                    Member::Joined(prefix, text)
                }
                Field::Time => Member::Time(self.time),
                _ => match self.json_value(field) {
                    Some(value) => Member::Value(value),
                    None => continue,
                },
            };
            visit(key, member)?;
        }
        for (key, value) in extras {
            visit(key.as_str(), Member::Text(value))?;
        }
        Ok(())
    }

    /// Appends the CPS entry: the JSON entry wrapped as `{"event":{...}}`.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// let mut buf = Vec::new();
    /// event.render_cps_into(&mut buf);
    /// assert!(buf.starts_with(br#"{"event":{"action":"list","#) && buf.ends_with(b"}}"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn render_cps_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"event\":");
        self.render_json_into(out);
        out.push(b'}');
    }

    /// The compact JSON entry as a `String`.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// let json = event.to_json_string();
    /// assert!(json.contains(r#""trace_id":3959872677347089807,"#));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn to_json_string(&self) -> String {
        let mut out = Vec::with_capacity(512);
        self.render_json_into(&mut out);
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Decodes a JSON entry. Reads the type variants Kong's examples show:
    /// `rt`, `trace_id`, `status` as numbers or strings; `success`,
    /// `granted`, `kong_initiated` as booleans or `"true"`/`"false"`;
    /// `cef_version` as `"0"` or `0`. A 64-bit `trace_id` stays exact. A
    /// `sig` member is not part of the event and is not checked here.
    /// Members the model does not know become extra pairs (non-string
    /// values as their JSON text).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidJson`] for text that is not a JSON object;
    /// [`ErrorKind::MissingField`] / [`ErrorKind::InvalidField`] naming the
    /// field; [`ErrorKind::UnknownFamily`].
    ///
    /// ```
    /// let entry = br#"{"action":"read","cef_version":0,"event_class_id":"identity","event_product":"Konnect","event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","granted":"true","name":"Authz.identity-provider","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","rt":"1682715129807","severity":1,"src":"127.0.0.6","trace_id":3895213347334635099,"user_agent":"grpc-go/1.54.0"}"#;
    /// let event = audit_cef::AuditEvent::from_json(entry)?;
    /// assert_eq!(event.trace_id(), 3895213347334635099);
    /// assert_eq!(event.rt(), 1682715129807);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn from_json(entry: &[u8]) -> Result<AuditEvent<'static>> {
        let entry = trim_line_ending(entry);
        let map: Map<String, Json> = serde_json::from_slice(entry).map_err(|e| json_syntax_error(&e, entry))?;
        AuditEvent::from_json_map(map).map_err(|err| locate_in_json(err, entry))
    }

    /// Decodes a CPS entry `{"event":{...}}`.
    ///
    /// # Errors
    ///
    /// As [`AuditEvent::from_json`]; [`ErrorKind::NotJsonEntry`] when the
    /// object is not exactly `{"event":{...}}`.
    ///
    /// ```
    /// let mut cps = Vec::new();
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// event.render_cps_into(&mut cps);
    /// assert_eq!(audit_cef::AuditEvent::from_cps(&cps)?, event);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn from_cps(entry: &[u8]) -> Result<AuditEvent<'static>> {
        let entry = trim_line_ending(entry);
        let mut map: Map<String, Json> = serde_json::from_slice(entry).map_err(|e| json_syntax_error(&e, entry))?;
        match (map.remove("event"), map.is_empty()) {
            (Some(Json::Object(event)), true) => {
                AuditEvent::from_json_map(event).map_err(|err| locate_in_json(err, entry))
            }
            _ => Err(Error::new(ErrorKind::NotJsonEntry)),
        }
    }

    pub(crate) fn from_json_map(mut map: Map<String, Json>) -> Result<AuditEvent<'static>> {
        let invalid = |field: Field| Error::new(ErrorKind::InvalidField(field.into()));
        let text = |map: &mut Map<String, Json>, field: Field| -> Result<String> {
            match map.remove(field.as_str()) {
                Some(Json::String(s)) => Ok(s),
                Some(_) => Err(invalid(field)),
                None => Err(Error::new(ErrorKind::MissingField(field.into()))),
            }
        };
        if text(&mut map, Field::Vendor)? != "KongInc" {
            return Err(Error::new(ErrorKind::UnknownFamily));
        }
        if text(&mut map, Field::DeviceVersion)? != "1.0" {
            return Err(invalid(Field::DeviceVersion));
        }
        match map.remove(Field::CefVersion.as_str()) {
            Some(Json::String(v)) if v == "0" => {}
            Some(Json::Number(n)) if n.as_u64() == Some(0) => {}
            Some(_) => return Err(invalid(Field::CefVersion)),
            None => return Err(Error::new(ErrorKind::MissingField(Field::CefVersion.into()))),
        }
        let product = Product::from_text(&text(&mut map, Field::Product)?).ok_or_else(|| invalid(Field::Product))?;
        let class = text(&mut map, Field::EventClassId)?;
        let name = text(&mut map, Field::Name)?;
        let time = parse_rfc3339_seconds(text(&mut map, Field::Time)?.as_bytes())
            .ok()
            .and_then(|time| UtcSeconds::from_datetime(&time))
            .ok_or_else(|| invalid(Field::Time))?;
        let severity = match map.remove(Field::Severity.as_str()) {
            Some(Json::Number(n)) => {
                n.as_u64().and_then(|n| u8::try_from(n).ok()).and_then(|n| Severity::from_level(n).ok())
            }
            Some(Json::String(s)) => s.parse().ok(),
            Some(_) => None,
            None => return Err(Error::new(ErrorKind::MissingField(Field::Severity.into()))),
        }
        .ok_or_else(|| invalid(Field::Severity))?;
        map.remove(Field::Sig.as_str());

        let mut fields = Fields::default();
        // JSON members have no order; extra pairs take key order whatever the
        // map type (serde_json's `preserve_order` changes it on removal).
        let mut members: Vec<(String, Json)> = map.into_iter().collect();
        members.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, value) in members {
            let known = Field::from_pair_key(&key);
            let text = match value {
                Json::String(s) => s,
                Json::Number(n) if known.is_none() || n.is_u64() || n.is_i64() => n.to_string(),
                Json::Bool(b) => b.to_string(),
                other if known.is_none() => other.to_string(),
                _ => return Err(invalid(known.unwrap_or(Field::Sig))),
            };
            fields.take(key, Cow::Owned(text))?;
        }
        let family = family_from(Cow::Owned(class), Cow::Owned(name), &mut fields)?;
        let rt = fields.int(Field::Rt)?;
        let mut event =
            fields.finish(product, time, Cow::Borrowed(KONNECT_HOST), PrefixStyle::Rfc3339, rt, family, severity)?;
        // JSON has no pair order of its own: render CEF in Konnect's order.
        event.order.clear();
        Ok(event)
    }
}

/// A JSON syntax error at its byte offset.
#[cold]
pub(crate) fn json_syntax_error(err: &serde_json::Error, entry: &[u8]) -> Error {
    json_error(ErrorKind::InvalidJson, err, entry)
}

/// Field errors are made without a position; give them the byte offset of
/// the member's value, or the end of the entry for a missing member.
#[cold]
fn locate_in_json(err: Error, entry: &[u8]) -> Error {
    match err.kind() {
        ErrorKind::InvalidField(field) if err.offset().is_none() => {
            let member = format!("\"{}\":", field.as_str());
            match memchr::memmem::rfind(entry, member.as_bytes()) {
                Some(at) => Error::at(err.kind(), at + member.len()),
                None => err,
            }
        }
        ErrorKind::MissingField(_) => Error::at(err.kind(), entry.len()),
        _ => err,
    }
}

/// One member value of the JSON form.
pub(crate) enum Member<'e> {
    Value(Value<'e>),
    Text(&'e str),
    /// A fixed prefix and a text, written as one string (`Authz.` + resource).
    Joined(&'static str, &'e str),
    /// Written as RFC 3339 UTC seconds.
    Time(UtcSeconds),
}

/// Writes a typed JSON value.
pub(crate) fn write_json_value(value: &Value<'_>, out: &mut Vec<u8>) {
    match value {
        Value::Text(text) => write_json_string(text, out),
        Value::Ip(_) | Value::Uuid(_) => {
            out.push(b'"');
            write_value(value, out);
            out.push(b'"');
        }
        Value::Int(_) | Value::Uint(_) | Value::Bool(_) => write_value(value, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_order_is_byte_order() {
        let keys: Vec<&str> = JSON_ORDER.iter().map(|f| f.as_str()).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn json_strings_escape_like_serde_json() {
        for text in ["plain", "q\"b\\s", "\u{0}\u{1f}\n\r\t\u{8}\u{c}", "é😀/<>&\u{7f}"] {
            let mut out = Vec::new();
            write_json_string(text, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(text).unwrap());
        }
    }
}
