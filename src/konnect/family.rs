//! The three event families and their fields.

use std::fmt;

use crate::cef::Severity;
use crate::cef::event::no_line_break;
use crate::error::{Error, ErrorKind, HeaderField, Result};

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $prefix:literal, [$($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)?]
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value Konnect may add later: the text after the prefix, kept as is.
            Other(String),
        }

        impl $name {
            /// The text after the prefix.
            ///
            #[doc = concat!("```\nlet value = audit_cef::", stringify!($name), "::from_header(\"", $prefix, "NEW\")?;\nassert_eq!(value.suffix(), \"NEW\");\n# Ok::<(), audit_cef::Error>(())\n```")]
            pub fn suffix(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(text) => text,
                }
            }

            /// From the full header text: the prefix, then the value.
            ///
            /// # Errors
            ///
            /// [`ErrorKind::UnknownFamily`] without the prefix,
            /// [`ErrorKind::LineBreakInHeader`] for a CR or LF.
            ///
            #[doc = concat!("```\nassert!(audit_cef::", stringify!($name), "::from_header(\"SOMETHING_ELSE\").is_err());\n```")]
            pub fn from_header(text: &str) -> Result<$name> {
                let suffix = text.strip_prefix($prefix).ok_or_else(|| Error::new(ErrorKind::UnknownFamily))?;
                Ok(match suffix {
                    $($text => $name::$variant,)*
                    other => $name::Other(no_line_break(other.to_owned(), HeaderField::Name)?),
                })
            }
        }

        impl fmt::Display for $name {
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

fn level(level: u8) -> Severity {
    Severity::from_level(level).unwrap_or(Severity::UNKNOWN)
}

impl AuthOutcome {
    /// Konnect's severity: 0 success; 1 not found, invalid password, token
    /// expired; 6 locked, disabled; 7 invalid. An outcome Konnect adds later
    /// is given 7 until documented; override it on the event.
    ///
    /// ```
    /// assert_eq!(audit_cef::AuthOutcome::Success.severity().level(), Some(0));
    /// ```
    pub fn severity(&self) -> Severity {
        match self {
            AuthOutcome::Success => level(0),
            AuthOutcome::NotFound | AuthOutcome::InvalidPassword | AuthOutcome::TokenExpired => level(1),
            AuthOutcome::Locked | AuthOutcome::Disabled => level(6),
            AuthOutcome::Invalid | AuthOutcome::Other(_) => level(7),
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
pub struct Authentication {
    /// How (event class id).
    pub kind: AuthType,
    /// The outcome (name).
    pub outcome: AuthOutcome,
    /// `request`: the path that was called.
    pub request: String,
    /// `success`.
    pub success: bool,
}

impl Authentication {
    /// An attempt; `success` is true exactly when the outcome is `SUCCESS`.
    ///
    /// ```
    /// # use audit_cef::{AuthOutcome, AuthType, Authentication};
    /// assert!(!Authentication::new(AuthType::Pat, AuthOutcome::TokenExpired, "/v2/me").success);
    /// ```
    pub fn new(kind: AuthType, outcome: AuthOutcome, request: impl Into<String>) -> Authentication {
        let success = outcome == AuthOutcome::Success;
        Authentication { kind, outcome, request: request.into(), success }
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
pub struct Authorization {
    pub(crate) service: String,
    pub(crate) resource: String,
    pub(crate) name: String,
    /// `action`: `list`, `retrieve`, `read`, `edit`, ... (an open set).
    pub action: String,
    /// `granted`.
    pub granted: bool,
}

/// The name prefix of authorization events.
pub(crate) const AUTHZ_PREFIX: &str = "Authz.";

impl Authorization {
    /// A check of `resource` (e.g. `control-planes/*`) by `service` (the
    /// event class id, e.g. `konnect`, `identity`, `Dev-Portal`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LineBreakInHeader`] when `service` or `resource` holds
    /// a CR or LF (they are header fields).
    ///
    /// ```
    /// assert!(audit_cef::Authorization::new("konnect", "a\nb", "read", true).is_err());
    /// ```
    pub fn new(
        service: impl Into<String>,
        resource: impl Into<String>,
        action: impl Into<String>,
        granted: bool,
    ) -> Result<Authorization> {
        let service = no_line_break(service.into(), HeaderField::EventClassId)?;
        let resource = no_line_break(resource.into(), HeaderField::Name)?;
        let name = format!("{AUTHZ_PREFIX}{resource}");
        Ok(Authorization { service, resource, name, action: action.into(), granted })
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

    /// The CEF name: `Authz.` + resource.
    ///
    /// ```
    /// assert_eq!(audit_cef::Authorization::new("konnect", "usage", "read", true)?.name(), "Authz.usage");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A request through the gateway (`KongGateway` / `Ingress`).
///
/// ```
/// let access = audit_cef::Access::new("/v2/control-planes", "GET", 403, "{}");
/// assert_eq!(access.severity().level(), Some(6));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Access {
    /// `request`: the path.
    pub request: String,
    /// `act`: the HTTP method.
    pub method: String,
    /// `status`: the HTTP status.
    pub status: u16,
    /// `query`: the query as a JSON string.
    pub query: String,
}

/// Event class id and name of access events.
pub(crate) const ACCESS_CLASS: &str = "KongGateway";
pub(crate) const ACCESS_NAME: &str = "Ingress";

impl Access {
    /// A request.
    ///
    /// ```
    /// let access = audit_cef::Access::new("/", "POST", 201, "");
    /// assert_eq!(access.status, 201);
    /// ```
    pub fn new(request: impl Into<String>, method: impl Into<String>, status: u16, query: impl Into<String>) -> Access {
        Access { request: request.into(), method: method.into(), status, query: query.into() }
    }

    /// Konnect's severity: 6 for HTTP 401 and 403, 10 for HTTP 500, else 1.
    ///
    /// ```
    /// assert_eq!(audit_cef::Access::new("/", "GET", 500, "").severity().level(), Some(10));
    /// ```
    pub fn severity(&self) -> Severity {
        match self.status {
            401 | 403 => level(6),
            500 => level(10),
            _ => level(1),
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
pub enum Family {
    /// Authentication.
    Authentication(Authentication),
    /// Authorization.
    Authorization(Authorization),
    /// Access.
    Access(Access),
}

impl Family {
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
            Family::Authorization(authz) => level(if authz.granted { 1 } else { 6 }),
            Family::Access(access) => access.severity(),
        }
    }

    /// The CEF event class id.
    ///
    /// ```
    /// let authz = audit_cef::Authorization::new("konnect", "usage", "read", false)?;
    /// assert_eq!(audit_cef::Family::Authorization(authz).event_class_id(), "konnect");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn event_class_id(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Family::Authentication(authn) => authn.kind.to_string().into(),
            Family::Authorization(authz) => authz.service.as_str().into(),
            Family::Access(_) => ACCESS_CLASS.into(),
        }
    }

    /// The CEF name.
    ///
    /// ```
    /// let authz = audit_cef::Authorization::new("konnect", "usage", "read", false)?;
    /// assert_eq!(audit_cef::Family::Authorization(authz).name(), "Authz.usage");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn name(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Family::Authentication(authn) => authn.outcome.to_string().into(),
            Family::Authorization(authz) => authz.name.as_str().into(),
            Family::Access(_) => ACCESS_NAME.into(),
        }
    }
}
