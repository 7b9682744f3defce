//! The three event families and their fields, over borrowed or owned text.

use std::borrow::Cow;
use std::fmt;

use super::text::{no_signature_marker, own, strip};
use crate::cef::Severity;
use crate::error::{Error, ErrorKind, HeaderField, Result};

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $prefix:literal, [$($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)?]
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name<'a> {
            $($(#[$vmeta])* $variant,)*
            /// A value Konnect may add later: the text after the prefix, kept as is.
            Other(Cow<'a, str>),
        }

        impl<'a> $name<'a> {
            /// The text after the prefix.
            ///
            #[doc = concat!("```\nlet value = audit_cef::", stringify!($name), "::from_header(\"", $prefix, "NEW\")?;\nassert_eq!(value.suffix(), \"NEW\");\n# Ok::<(), audit_cef::Error>(())\n```")]
            pub fn suffix(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(text) => text,
                }
            }

            /// From the full header text: the prefix, then the value. Borrows
            /// from `text` when it is borrowed.
            ///
            /// # Errors
            ///
            /// [`ErrorKind::UnknownFamily`] without the prefix,
            /// [`ErrorKind::LineBreakInHeader`] for a CR or LF,
            /// [`ErrorKind::SignatureMarkerInHeader`] for ` sig=`.
            ///
            #[doc = concat!("```\nassert!(audit_cef::", stringify!($name), "::from_header(\"SOMETHING_ELSE\").is_err());\n```")]
            pub fn from_header(text: impl Into<Cow<'a, str>>) -> Result<$name<'a>> {
                let suffix = strip(text.into(), $prefix).ok_or_else(|| Error::new(ErrorKind::UnknownFamily))?;
                Ok(match &*suffix {
                    $($text => $name::$variant,)*
                    _ => $name::Other(no_signature_marker(suffix, HeaderField::Name)?),
                })
            }

            /// The same value owning its text.
            ///
            #[doc = concat!("```\nlet value: audit_cef::", stringify!($name), "<'static> = audit_cef::", stringify!($name), "::from_header(String::from(\"", $prefix, "NEW\"))?.into_owned();\n# Ok::<(), audit_cef::Error>(())\n```")]
            pub fn into_owned(self) -> $name<'static> {
                match self {
                    $($name::$variant => $name::$variant,)*
                    $name::Other(text) => $name::Other(own(text)),
                }
            }
        }

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($prefix)?;
                f.write_str(self.suffix())
            }
        }
    };
}

open_enum!(
    /// How the principal authenticated: the event class id
    /// `AUTHENTICATION_TYPE_*`.
    ///
    /// ```
    /// use audit_cef::AuthType;
    /// assert_eq!(AuthType::from_header("AUTHENTICATION_TYPE_PAT")?, AuthType::Pat);
    /// assert_eq!(AuthType::Sso.to_string(), "AUTHENTICATION_TYPE_SSO");
    /// assert_eq!(AuthType::from_header("AUTHENTICATION_TYPE_PASSKEY")?, AuthType::Other("PASSKEY".into()));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    AuthType, "AUTHENTICATION_TYPE_", [
        /// `INVALID`.
        Invalid = "INVALID",
        /// `BASIC`: user name and password.
        Basic = "BASIC",
        /// `SSO`.
        Sso = "SSO",
        /// `PAT`: personal access token.
        Pat = "PAT",
        /// `SPAT`: system account access token.
        Spat = "SPAT",
        /// `GOOGLE`.
        Google = "GOOGLE",
        /// `GITHUB`.
        Github = "GITHUB",
        /// `WINDOWSLIVE`.
        WindowsLive = "WINDOWSLIVE",
        /// `FEDERATED`.
        Federated = "FEDERATED",
    ]
);

open_enum!(
    /// The result of an authentication: the name `AUTHENTICATION_OUTCOME_*`.
    ///
    /// ```
    /// use audit_cef::AuthOutcome;
    /// assert_eq!(AuthOutcome::from_header("AUTHENTICATION_OUTCOME_LOCKED")?, AuthOutcome::Locked);
    /// assert_eq!(AuthOutcome::Locked.severity().level(), Some(6));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    AuthOutcome, "AUTHENTICATION_OUTCOME_", [
        /// `SUCCESS`.
        Success = "SUCCESS",
        /// `NOT_FOUND`.
        NotFound = "NOT_FOUND",
        /// `INVALID_PASSWORD`.
        InvalidPassword = "INVALID_PASSWORD",
        /// `TOKEN_EXPIRED`.
        TokenExpired = "TOKEN_EXPIRED",
        /// `LOCKED`.
        Locked = "LOCKED",
        /// `DISABLED`.
        Disabled = "DISABLED",
        /// `INVALID`.
        Invalid = "INVALID",
    ]
);

/// Konnect's numeric severity `level` (0-10, checked when compiled).
const fn level(level: u8) -> Severity {
    match Severity::checked(level) {
        Some(severity) => severity,
        None => Severity::UNKNOWN,
    }
}

const LEVEL_0: Severity = level(0);
const LEVEL_1: Severity = level(1);
const LEVEL_6: Severity = level(6);
const LEVEL_7: Severity = level(7);
const LEVEL_10: Severity = level(10);
// The levels above are all in range: the table of Konnect's severities is exact.
const _: () = assert!(LEVEL_10.level().is_some() && LEVEL_0.level().is_some());

impl AuthOutcome<'_> {
    /// Konnect's severity: 0 success; 1 not found, invalid password, token
    /// expired; 6 locked, disabled; 7 invalid. An outcome Konnect adds later
    /// is given 7 until documented; override it on the event.
    ///
    /// ```
    /// assert_eq!(audit_cef::AuthOutcome::Success.severity().level(), Some(0));
    /// ```
    pub fn severity(&self) -> Severity {
        match self {
            AuthOutcome::Success => LEVEL_0,
            AuthOutcome::NotFound | AuthOutcome::InvalidPassword | AuthOutcome::TokenExpired => LEVEL_1,
            AuthOutcome::Locked | AuthOutcome::Disabled => LEVEL_6,
            AuthOutcome::Invalid | AuthOutcome::Other(_) => LEVEL_7,
        }
    }
}

/// An authentication attempt.
///
/// ```
/// use audit_cef::{AuthOutcome, AuthType, Authentication};
/// let authn = Authentication::new(AuthType::Basic, AuthOutcome::Success, "/api/v2/developer/authenticate");
/// assert!(authn.success);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Authentication<'a> {
    /// How (event class id).
    pub kind: AuthType<'a>,
    /// The outcome (name).
    pub outcome: AuthOutcome<'a>,
    /// `request`: the path that was called.
    pub request: Cow<'a, str>,
    /// `success`.
    pub success: bool,
}

impl<'a> Authentication<'a> {
    /// An attempt; `success` is true exactly when the outcome is `SUCCESS`.
    ///
    /// ```
    /// # use audit_cef::{AuthOutcome, AuthType, Authentication};
    /// assert!(!Authentication::new(AuthType::Pat, AuthOutcome::TokenExpired, "/v2/me").success);
    /// ```
    pub fn new(kind: AuthType<'a>, outcome: AuthOutcome<'a>, request: impl Into<Cow<'a, str>>) -> Authentication<'a> {
        let success = outcome == AuthOutcome::Success;
        Authentication { kind, outcome, request: request.into(), success }
    }

    /// The same attempt owning its text.
    ///
    /// ```
    /// # use audit_cef::{AuthOutcome, AuthType, Authentication};
    /// let owned: Authentication<'static> = Authentication::new(AuthType::Pat, AuthOutcome::Success, "/v2/me").into_owned();
    /// ```
    pub fn into_owned(self) -> Authentication<'static> {
        Authentication {
            kind: self.kind.into_owned(),
            outcome: self.outcome.into_owned(),
            request: own(self.request),
            success: self.success,
        }
    }
}

/// An authorization check: `Authz.<resource>` checked by `service`.
///
/// ```
/// let authz = audit_cef::Authorization::new("konnect", "control-planes", "list", true)?;
/// assert_eq!(authz.name(), "Authz.control-planes");
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Authorization<'a> {
    pub(crate) service: Cow<'a, str>,
    pub(crate) resource: Cow<'a, str>,
    /// `action`: `list`, `retrieve`, `read`, `edit`, ... (an open set).
    pub action: Cow<'a, str>,
    /// `granted`.
    pub granted: bool,
}

/// The name prefix of authorization events.
pub(crate) const AUTHZ_PREFIX: &str = "Authz.";

impl<'a> Authorization<'a> {
    /// A check of `resource` (e.g. `control-planes/*`) by `service` (the
    /// event class id, e.g. `konnect`, `identity`, `Dev-Portal`). Borrows
    /// what it is given; allocates nothing.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LineBreakInHeader`] when `service` or `resource` holds
    /// a CR or LF, [`ErrorKind::SignatureMarkerInHeader`] when one holds
    /// ` sig=` (they are header fields, where neither is escaped).
    ///
    /// ```
    /// assert!(audit_cef::Authorization::new("konnect", "a\nb", "read", true).is_err());
    /// assert!(audit_cef::Authorization::new("konnect", "a sig=b", "read", true).is_err());
    /// ```
    #[inline(always)]
    pub fn new(
        service: impl Into<Cow<'a, str>>,
        resource: impl Into<Cow<'a, str>>,
        action: impl Into<Cow<'a, str>>,
        granted: bool,
    ) -> Result<Authorization<'a>> {
        let service = no_signature_marker(service.into(), HeaderField::EventClassId)?;
        let resource = no_signature_marker(resource.into(), HeaderField::Name)?;
        // `Authz.` + resource: a ` sig=` cannot span the two.
        Ok(Authorization { service, resource, action: action.into(), granted })
    }

    /// The checking service (event class id).
    ///
    /// ```
    /// assert_eq!(audit_cef::Authorization::new("identity", "users", "read", true)?.service(), "identity");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The resource path after `Authz.`.
    ///
    /// ```
    /// assert_eq!(audit_cef::Authorization::new("konnect", "usage", "read", true)?.resource(), "usage");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The CEF name: `Authz.` + resource (a new `String`; rendering writes
    /// the two parts without one).
    ///
    /// ```
    /// assert_eq!(audit_cef::Authorization::new("konnect", "usage", "read", true)?.name(), "Authz.usage");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn name(&self) -> String {
        [AUTHZ_PREFIX, &self.resource].concat()
    }

    /// The same check owning its text.
    ///
    /// ```
    /// let owned: audit_cef::Authorization<'static> = audit_cef::Authorization::new("konnect", "usage", "read", true)?.into_owned();
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn into_owned(self) -> Authorization<'static> {
        Authorization {
            service: own(self.service),
            resource: own(self.resource),
            action: own(self.action),
            granted: self.granted,
        }
    }
}

/// A request through the gateway (`KongGateway` / `Ingress`).
///
/// ```
/// let access = audit_cef::Access::new("/v2/control-planes", "GET", 403, "{}");
/// assert_eq!(access.severity().level(), Some(6));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Access<'a> {
    /// `request`: the path.
    pub request: Cow<'a, str>,
    /// `act`: the HTTP method.
    pub method: Cow<'a, str>,
    /// `status`: the HTTP status.
    pub status: u16,
    /// `query`: the query as a JSON string.
    pub query: Cow<'a, str>,
}

/// Event class id and name of access events.
pub(crate) const ACCESS_CLASS: &str = "KongGateway";
pub(crate) const ACCESS_NAME: &str = "Ingress";

impl<'a> Access<'a> {
    /// A request.
    ///
    /// ```
    /// let access = audit_cef::Access::new("/", "POST", 201, "");
    /// assert_eq!(access.status, 201);
    /// ```
    pub fn new(
        request: impl Into<Cow<'a, str>>,
        method: impl Into<Cow<'a, str>>,
        status: u16,
        query: impl Into<Cow<'a, str>>,
    ) -> Access<'a> {
        Access { request: request.into(), method: method.into(), status, query: query.into() }
    }

    /// The same request owning its text.
    ///
    /// ```
    /// let owned: audit_cef::Access<'static> = audit_cef::Access::new("/", "GET", 200, "").into_owned();
    /// ```
    pub fn into_owned(self) -> Access<'static> {
        Access { request: own(self.request), method: own(self.method), status: self.status, query: own(self.query) }
    }

    /// Konnect's severity: 6 for HTTP 401 and 403, 10 for HTTP 500, else 1.
    ///
    /// ```
    /// assert_eq!(audit_cef::Access::new("/", "GET", 500, "").severity().level(), Some(10));
    /// ```
    pub fn severity(&self) -> Severity {
        match self.status {
            401 | 403 => LEVEL_6,
            500 => LEVEL_10,
            _ => LEVEL_1,
        }
    }
}

/// The family of an event and its own fields.
///
/// ```
/// let family = audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""));
/// assert_eq!(family.event_class_id(), "KongGateway");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Family<'a> {
    /// Authentication.
    Authentication(Authentication<'a>),
    /// Authorization.
    Authorization(Authorization<'a>),
    /// Access.
    Access(Access<'a>),
}

impl<'a> Family<'a> {
    /// The severity Konnect gives this family's event.
    ///
    /// ```
    /// let authz = audit_cef::Authorization::new("konnect", "usage", "read", false)?;
    /// assert_eq!(audit_cef::Family::Authorization(authz).severity().level(), Some(6));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn severity(&self) -> Severity {
        match self {
            Family::Authentication(authn) => authn.outcome.severity(),
            Family::Authorization(authz) => {
                if authz.granted {
                    LEVEL_1
                } else {
                    LEVEL_6
                }
            }
            Family::Access(access) => access.severity(),
        }
    }

    /// The CEF event class id (allocated only for authentication, whose
    /// class id is `AUTHENTICATION_TYPE_` + type).
    ///
    /// ```
    /// let authz = audit_cef::Authorization::new("konnect", "usage", "read", false)?;
    /// assert_eq!(audit_cef::Family::Authorization(authz).event_class_id(), "konnect");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn event_class_id(&self) -> Cow<'_, str> {
        join(self.class_parts())
    }

    /// The CEF name (allocated for authentication and authorization, whose
    /// names are a fixed prefix and a value).
    ///
    /// ```
    /// let authz = audit_cef::Authorization::new("konnect", "usage", "read", false)?;
    /// assert_eq!(audit_cef::Family::Authorization(authz).name(), "Authz.usage");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn name(&self) -> Cow<'_, str> {
        join(self.name_parts())
    }

    /// The event class id as a fixed prefix and the text after it, for
    /// writing without allocating.
    pub(crate) fn class_parts(&self) -> (&'static str, &str) {
        match self {
            Family::Authentication(authn) => ("AUTHENTICATION_TYPE_", authn.kind.suffix()),
            Family::Authorization(authz) => ("", &authz.service),
            Family::Access(_) => ("", ACCESS_CLASS),
        }
    }

    /// The name as a fixed prefix and the text after it.
    pub(crate) fn name_parts(&self) -> (&'static str, &str) {
        match self {
            Family::Authentication(authn) => ("AUTHENTICATION_OUTCOME_", authn.outcome.suffix()),
            Family::Authorization(authz) => (AUTHZ_PREFIX, &authz.resource),
            Family::Access(_) => ("", ACCESS_NAME),
        }
    }

    /// The same family owning its text.
    ///
    /// ```
    /// let owned: audit_cef::Family<'static> = audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, "")).into_owned();
    /// ```
    pub fn into_owned(self) -> Family<'static> {
        match self {
            Family::Authentication(authn) => Family::Authentication(authn.into_owned()),
            Family::Authorization(authz) => Family::Authorization(authz.into_owned()),
            Family::Access(access) => Family::Access(access.into_owned()),
        }
    }
}

/// A prefix and a suffix as one text, borrowed when there is no prefix.
fn join<'t>((prefix, suffix): (&'static str, &'t str)) -> Cow<'t, str> {
    if prefix.is_empty() { Cow::Borrowed(suffix) } else { Cow::Owned([prefix, suffix].concat()) }
}
