//! serde for [`AuditEvent`]: the members and types of Konnect's JSON form.

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::event::AuditEvent;
use super::json::Member;
use super::value::Value;

/// Serializes as Konnect's compact JSON entry (without `sig`): keys in byte
/// order, `rt`/`severity`/`trace_id`/`status` as numbers (`trace_id`
/// stays exact for formats with 64-bit integers), booleans as booleans.
///
/// ```
/// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
/// let json = serde_json::to_string(&event).unwrap();
/// assert_eq!(json, event.to_json_string());
/// # Ok::<(), audit_cef::Error>(())
/// ```
impl Serialize for AuditEvent<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.visit_members(|key, member| match member {
            Member::Value(Value::Text(text)) => map.serialize_entry(key, text),
            Member::Value(Value::Int(n)) => map.serialize_entry(key, &n),
            Member::Value(Value::Uint(n)) => map.serialize_entry(key, &n),
            Member::Value(Value::Bool(b)) => map.serialize_entry(key, &b),
            Member::Value(Value::Ip(ip)) => map.serialize_entry(key, &ip.to_string()),
            Member::Value(Value::Uuid(id)) => map.serialize_entry(key, &id.hyphenated().to_string()),
            Member::Text(text) => map.serialize_entry(key, text),
            Member::Joined(prefix, text) => map.serialize_entry(key, &[prefix, text].concat()),
            Member::Time(time) => {
                map.serialize_entry(key, &time.to_datetime().format("%Y-%m-%dT%H:%M:%SZ").to_string())
            }
        })?;
        map.end()
    }
}

/// Deserializes the JSON form with the same leniency as
/// [`AuditEvent::from_json`].
///
/// ```
/// # let documented = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
/// let json = documented.to_json_string();
/// let event: audit_cef::AuditEvent = serde_json::from_str(&json).unwrap();
/// assert_eq!(event, documented);
/// # Ok::<(), audit_cef::Error>(())
/// ```
impl<'de> Deserialize<'de> for AuditEvent<'static> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AuditEvent<'static>, D::Error> {
        let map = serde_json::Map::deserialize(deserializer)?;
        AuditEvent::from_json_map(map).map_err(D::Error::custom)
    }
}
