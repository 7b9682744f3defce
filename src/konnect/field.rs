//! Names of Konnect's fields, for errors and for field order.

use std::fmt;

use crate::error::FieldName;

/// A field of a Konnect audit entry: CEF pairs, the header and prefix
/// fields, and the JSON-only keys.
///
/// ```
/// assert_eq!(audit_cef::Field::OrgId.as_str(), "org_id");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `rt`: milliseconds since the Unix epoch.
    Rt,
    /// `src`: client IP address.
    Src,
    /// `request`: request path (authentication, access).
    Request,
    /// `success` (authentication).
    Success,
    /// `action` (authorization).
    Action,
    /// `granted` (authorization).
    Granted,
    /// `act`: HTTP method (access).
    Act,
    /// `status`: HTTP status (access).
    Status,
    /// `query`: the request's query as a JSON string (access).
    Query,
    /// `org_id`.
    OrgId,
    /// `portal_id` (Dev Portal).
    PortalId,
    /// `principal_id`.
    PrincipalId,
    /// `principal_name`.
    PrincipalName,
    /// `actor_id`.
    ActorId,
    /// `kong_initiated`.
    KongInitiated,
    /// `trace_id`.
    TraceId,
    /// `user_agent`.
    UserAgent,
    /// The event time: the CEF prefix, JSON `event_ts`.
    Time,
    /// Device Vendor, JSON `event_vendor`.
    Vendor,
    /// Device Product, JSON `event_product`.
    Product,
    /// Device Version, JSON `event_version`.
    DeviceVersion,
    /// CEF version, JSON `cef_version`.
    CefVersion,
    /// Device Event Class ID.
    EventClassId,
    /// Name.
    Name,
    /// Severity.
    Severity,
    /// `sig`.
    Sig,
    /// The host in the CEF prefix (`konghq.com`).
    Host,
}

impl Field {
    /// The key as written in CEF (pairs) or JSON.
    ///
    /// ```
    /// assert_eq!(audit_cef::Field::Time.as_str(), "event_ts");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::Rt => "rt",
            Field::Src => "src",
            Field::Request => "request",
            Field::Success => "success",
            Field::Action => "action",
            Field::Granted => "granted",
            Field::Act => "act",
            Field::Status => "status",
            Field::Query => "query",
            Field::OrgId => "org_id",
            Field::PortalId => "portal_id",
            Field::PrincipalId => "principal_id",
            Field::PrincipalName => "principal_name",
            Field::ActorId => "actor_id",
            Field::KongInitiated => "kong_initiated",
            Field::TraceId => "trace_id",
            Field::UserAgent => "user_agent",
            Field::Time => "event_ts",
            Field::Vendor => "event_vendor",
            Field::Product => "event_product",
            Field::DeviceVersion => "event_version",
            Field::CefVersion => "cef_version",
            Field::EventClassId => "event_class_id",
            Field::Name => "name",
            Field::Severity => "severity",
            Field::Sig => "sig",
            Field::Host => "host",
        }
    }

    /// The JSON-only member (`name`, `severity`, `sig`, ...) named `key`.
    pub(crate) fn json_only(key: &str) -> Option<Field> {
        JSON_ONLY.iter().copied().find(|f| f.as_str() == key)
    }

    /// The extension-pair fields, by CEF key.
    pub(crate) fn from_pair_key(key: &str) -> Option<Field> {
        PAIR_FIELDS.iter().copied().find(|f| f.as_str() == key)
    }

    /// A bit for sets of fields.
    pub(crate) const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// Fields written as CEF extension pairs.
pub(crate) const PAIR_FIELDS: [Field; 17] = [
    Field::Rt,
    Field::Src,
    Field::Request,
    Field::Success,
    Field::Action,
    Field::Granted,
    Field::Act,
    Field::Status,
    Field::Query,
    Field::OrgId,
    Field::PortalId,
    Field::PrincipalId,
    Field::PrincipalName,
    Field::ActorId,
    Field::KongInitiated,
    Field::TraceId,
    Field::UserAgent,
];

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

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name an error carries for this field.
impl From<Field> for FieldName {
    fn from(field: Field) -> FieldName {
        FieldName::new(field.as_str())
    }
}

/// A field and an error's field name are equal when the names are.
impl PartialEq<Field> for FieldName {
    fn eq(&self, field: &Field) -> bool {
        self.as_str() == field.as_str()
    }
}

/// A field and an error's field name are equal when the names are.
impl PartialEq<FieldName> for Field {
    fn eq(&self, name: &FieldName) -> bool {
        self.as_str() == name.as_str()
    }
}
