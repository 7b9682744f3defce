//! The format-neutral value of a Konnect field, and its canonical text
//! (the same in CEF pairs and JSON strings).

use std::fmt;
use std::net::IpAddr;

use uuid::Uuid;

use super::event::AuditEvent;
use super::family::Family;
use super::field::Field;
use crate::cef::decimal::write_decimal;
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
        Value::Text(text) => write_text(text, out),
        Value::Int(n) => {
            if *n < 0 {
                out.push(b'-');
            }
            write_decimal(n.unsigned_abs(), out);
        }
        Value::Uint(n) => write_decimal(*n, out),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Uuid(id) => write_uuid(id, out),
        Value::Ip(IpAddr::V4(ip)) => write_ipv4(ip.octets(), out),
        Value::Ip(IpAddr::V6(ip)) => {
            // Ipv6Addr's Display writes through the formatter, and VecText never fails.
            let written = fmt::Write::write_fmt(&mut VecText(out), format_args!("{ip}"));
            debug_assert!(written.is_ok(), "formatting an address into a Vec cannot fail");
        }
    }
}

/// A text value, escaped (E3).
#[inline(always)]
pub(crate) fn write_text(text: &str, out: &mut Vec<u8>) {
    let Ok(()) = escape_to(&VALUE_ESCAPES, text, out);
}

/// A UUID in its lower-case hyphenated form: the hex digits of each half
/// made in one register ([`hex_digits`]), the hyphens put in with shifts,
/// and the 36 bytes appended as three stores.
#[inline]
pub(crate) fn write_uuid(id: &Uuid, out: &mut Vec<u8>) {
    // The first byte lowest: each half's bytes in text order.
    let bytes = u128::from_le_bytes(*id.as_bytes());
    let (a, b) = (hex_digits(bytes as u64), hex_digits((bytes >> 64) as u64));
    let hyphen = u128::from(b'-');
    // xxxxxxxx-xxxx-xx | xx-xxxx-xxxxxxxx | xxxx
    let first = (a & 0xffff_ffff_ffff_ffff)
        | hyphen << 64
        | ((a >> 64) & 0xffff_ffff) << 72
        | hyphen << 104
        | ((a >> 96) & 0xffff) << 112;
    let second =
        (a >> 112) | hyphen << 16 | (b & 0xffff_ffff) << 24 | hyphen << 56 | ((b >> 32) & 0xffff_ffff_ffff_ffff) << 64;
    let last = (b >> 96) as u32;
    out.extend_from_slice(&first.to_le_bytes());
    out.extend_from_slice(&second.to_le_bytes());
    out.extend_from_slice(&last.to_le_bytes());
}

/// The 16 lower-case hex digits of the 8 bytes of `bytes` (first byte
/// lowest), first digit in the lowest byte, by SWAR: each byte spread to a 16-bit lane, its nibbles split to
/// two bytes, and `0`-`9` / `a`-`f` chosen per byte without a branch.
#[inline]
fn hex_digits(bytes: u64) -> u128 {
    let mut x = u128::from(bytes);
    x = (x | x << 32) & 0x0000_0000_ffff_ffff_0000_0000_ffff_ffff;
    x = (x | x << 16) & 0x0000_ffff_0000_ffff_0000_ffff_0000_ffff;
    x = (x | x << 8) & 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff;
    // The high nibble is the first digit (the lower byte of the lane).
    let nibbles =
        ((x >> 4) & 0x000f_000f_000f_000f_000f_000f_000f_000f) | (x & 0x000f_000f_000f_000f_000f_000f_000f_000f) << 8;
    // 1 in each byte whose nibble is 10 or more; such bytes get 39 more.
    let letters =
        ((nibbles + 0x0606_0606_0606_0606_0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101_0101_0101_0101_0101;
    nibbles + 0x3030_3030_3030_3030_3030_3030_3030_3030 + letters * 39
}

/// Dotted decimal, composed in one register from a table of each octet's
/// text and appended as one 16-byte copy, then cut to its length.
#[inline]
fn write_ipv4(octets: [u8; 4], out: &mut Vec<u8>) {
    let mut text = 0u128;
    let mut len = 0u32;
    for octet in octets {
        // Each octet's digits and a dot; the last dot is cut off below.
        // A u8 indexes a table of 256: in bounds by its type.
        #[allow(clippy::indexing_slicing)]
        let (digits, count) = OCTET_TEXT[usize::from(octet)];
        text |= u128::from(digits) << (8 * len);
        len += count + 1;
    }
    let start = out.len();
    out.extend_from_slice(&text.to_le_bytes());
    out.truncate(start + len as usize - 1);
}

/// Each octet's decimal digits followed by a dot (first byte lowest), and
/// how many digits.
// Built at compile time: an out-of-range index fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const OCTET_TEXT: [(u32, u32); 256] = {
    let mut table = [(0u32, 0u32); 256];
    let mut octet = 0;
    while octet < 256 {
        let zero = b'0' as u32;
        let (hundreds, tens, ones) =
            (zero + (octet / 100) as u32, zero + (octet / 10 % 10) as u32, zero + (octet % 10) as u32);
        let dot = b'.' as u32;
        table[octet] = if octet >= 100 {
            (hundreds | tens << 8 | ones << 16 | dot << 24, 3)
        } else if octet >= 10 {
            (tens | ones << 8 | dot << 16, 2)
        } else {
            (ones | dot << 8, 1)
        };
        octet += 1;
    }
    table
};

/// `fmt::Write` into a byte buffer: for the RFC 5952 text of an IPv6
/// address, without a `String` in between.
struct VecText<'v>(&'v mut Vec<u8>);

impl fmt::Write for VecText<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_integers_are_written_as_display_writes_them() {
        for n in [i64::MIN, -1, 0, i64::MAX, -1_750_280_466_889] {
            let mut out = Vec::new();
            write_value(&Value::Int(n), &mut out);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }

    #[test]
    fn uuids_are_written_as_the_uuid_crate_writes_them() {
        let mut samples = vec![Uuid::nil(), Uuid::max(), Uuid::from_u128(0x777d_b3e4_5cb7_4dd5_b51c_9878_096a_6999)];
        // Every byte value in every position.
        for byte in 0..=255u8 {
            let mut bytes = [0u8; 16];
            for (at, slot) in bytes.iter_mut().enumerate() {
                *slot = byte.wrapping_add((at * 17) as u8);
            }
            samples.push(Uuid::from_bytes(bytes));
        }
        for id in samples {
            let mut out = Vec::new();
            write_uuid(&id, &mut out);
            assert_eq!(out, id.hyphenated().to_string().as_bytes());
        }
    }

    #[test]
    fn ipv4_addresses_are_written_as_display_writes_them() {
        let every_octet = (0..=255u8).map(|octet| [octet, 255 - octet, octet / 3, octet.wrapping_mul(7)]);
        let samples = [[0, 0, 0, 0], [255, 255, 255, 255], [10, 0, 100, 9], [127, 0, 0, 6]];
        for octets in samples.into_iter().chain(every_octet) {
            let mut out = Vec::new();
            write_value(&Value::Ip(IpAddr::from(octets)), &mut out);
            assert_eq!(out, IpAddr::from(octets).to_string().as_bytes());
        }
    }
}
