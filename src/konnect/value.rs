//! The format-neutral value of a Konnect field, and its canonical text
//! (the same in CEF pairs and JSON strings).

use std::fmt;
use std::net::IpAddr;

use uuid::Uuid;

use super::event::AuditEvent;
use super::family::Family;
use super::field::Field;
use crate::cef::escape::{VALUE_ESCAPES, escape_to};

/// The value of a pair field, borrowed or formatted on the stack.
pub(crate) enum Value<'e> {
    Text(&'e str),
    Int(i64),
    Uint(u64),
    Bool(bool),
    Ip(IpAddr),
    Uuid(Uuid),
}

impl AuditEvent<'_> {
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
        Value::Ip(IpAddr::V6(ip)) => {
            // Ipv6Addr's Display writes through the formatter, and VecText never fails.
            let written = fmt::Write::write_fmt(&mut VecText(out), format_args!("{ip}"));
            debug_assert!(written.is_ok(), "formatting an address into a Vec cannot fail");
        }
    }
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
    let (written, _) = text.split_at(len.min(text.len()));
    out.extend_from_slice(written);
}

/// `fmt::Write` into a byte buffer: for the RFC 5952 text of an IPv6
/// address, without a `String` in between.
struct VecText<'v>(&'v mut Vec<u8>);

impl fmt::Write for VecText<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0.extend_from_slice(text.as_bytes());
        Ok(())
    }
}
