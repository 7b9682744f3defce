//! The typed Konnect audit event and its builder, over borrowed or owned text.

use std::borrow::Cow;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::family::Family;
use super::field::Field;
use super::order::Slot;
use super::text::{no_signature_marker, own};
use crate::cef::marker::find_marker;
use crate::cef::rfc3339::UtcSeconds;
use crate::cef::{Key, Severity};
use crate::error::{Error, ErrorKind, HeaderField, Result};

/// Which Konnect product emitted the event (Device Product).
///
/// ```
/// assert_eq!(audit_cef::Product::DevPortal.as_str(), "Dev-Portal");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Product {
    /// `Konnect`: organization audit logs.
    #[default]
    Konnect,
    /// `Dev-Portal`: Dev Portal audit logs.
    DevPortal,
}

impl Product {
    /// The header text.
    ///
    /// ```
    /// assert_eq!(audit_cef::Product::Konnect.as_str(), "Konnect");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Product::Konnect => "Konnect",
            Product::DevPortal => "Dev-Portal",
        }
    }

    pub(crate) fn from_text(text: &str) -> Option<Product> {
        match text {
            "Konnect" => Some(Product::Konnect),
            "Dev-Portal" => Some(Product::DevPortal),
            _ => None,
        }
    }
}

/// How the time is written in the CEF prefix.
///
/// ```
/// assert_eq!(audit_cef::PrefixStyle::default(), audit_cef::PrefixStyle::Rfc3339);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PrefixStyle {
    /// `2025-06-18T21:02:36Z konghq.com` (current entries).
    #[default]
    Rfc3339,
    /// `Apr 14 05:39:08 konghq.com` (entries from 2023).
    Bsd,
}

/// The host Konnect writes in its prefix.
pub const KONNECT_HOST: &str = "konghq.com";

/// Kong's documented authorization entry (konnect.md section 1) without its
/// signature: for examples and tests.
///
/// ```
/// let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
/// assert_eq!(event.to_cef_string(), audit_cef::konnect::DOCUMENTED_AUTHZ);
/// # Ok::<(), audit_cef::Error>(())
/// ```
pub const DOCUMENTED_AUTHZ: &str = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4";

/// A Konnect audit event: what every family shares, plus its [`Family`].
///
/// Text is held as `Cow<'a, str>`: build an event from an application's
/// borrowed strings and render or sign it without copying them (no
/// allocation at all when the output buffer has the capacity), or call
/// [`AuditEvent::into_owned`] to keep it. Decoding an escape-free CEF entry
/// borrows from the entry.
///
/// Build one with [`AuditEvent::builder`]; parse one with
/// [`AuditEvent::from_cef`], [`AuditEvent::from_json`] or
/// [`AuditEvent::from_cps`]. Pairs the model does not know are kept in
/// order ([`AuditEvent::extra`]), and a parsed event remembers its pair
/// order, so rendering a parsed entry gives back its bytes.
///
/// ```
/// use audit_cef::{AuditEvent, Authorization, Family};
/// use chrono::{TimeZone, Utc};
/// let event = AuditEvent::builder(Family::Authorization(Authorization::new("konnect", "control-planes", "list", true)?))
///     .time(Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).unwrap())
///     .rt(1750280466889)
///     .src("127.0.0.6".parse().unwrap())
///     .org_id("777db3e4-5cb7-4dd5-b51c-9878096a6999".parse().unwrap())
///     .principal_id("eb999f01-5976-4f4b-9fbc-dd5d514bd675".parse().unwrap())
///     .trace_id(3959872677347089807)
///     .user_agent("grpc-node-js/1.12.4")
///     .build()?;
/// assert_eq!(event.to_cef_string(), "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4");
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuditEvent<'a> {
    pub(crate) product: Product,
    /// The event time in whole seconds (years 0-9999).
    pub(crate) time: UtcSeconds,
    pub(crate) host: Cow<'a, str>,
    pub(crate) prefix_style: PrefixStyle,
    pub(crate) rt: i64,
    pub(crate) src: IpAddr,
    pub(crate) org_id: Uuid,
    pub(crate) principal_id: Uuid,
    pub(crate) trace_id: u64,
    pub(crate) user_agent: Cow<'a, str>,
    pub(crate) principal_name: Option<Cow<'a, str>>,
    pub(crate) kong_initiated: bool,
    pub(crate) actor_id: Option<Cow<'a, str>>,
    pub(crate) portal_id: Option<Uuid>,
    pub(crate) family: Family<'a>,
    pub(crate) severity: Option<Severity>,
    pub(crate) extra: Vec<(Key<'a>, Cow<'a, str>)>,
    /// Pair order of a parsed line; empty for Konnect's documented order.
    pub(crate) order: Vec<Slot>,
}

impl<'a> AuditEvent<'a> {
    /// A builder for an event of `family`.
    ///
    /// ```
    /// use audit_cef::{Access, AuditEvent, ErrorKind, Family, Field};
    /// let err = AuditEvent::builder(Family::Access(Access::new("/", "GET", 200, ""))).build().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::MissingField(Field::Time.into()));
    /// ```
    #[inline]
    pub fn builder(family: Family<'a>) -> AuditEventBuilder<'a> {
        AuditEventBuilder {
            // Required fields hold placeholders until set: `unset` says which.
            event: AuditEvent {
                product: Product::Konnect,
                time: UtcSeconds::EPOCH,
                host: Cow::Borrowed(KONNECT_HOST),
                prefix_style: PrefixStyle::Rfc3339,
                rt: 0,
                src: IpAddr::from([0, 0, 0, 0]),
                org_id: Uuid::nil(),
                principal_id: Uuid::nil(),
                trace_id: 0,
                user_agent: Cow::Borrowed(""),
                principal_name: None,
                kong_initiated: false,
                actor_id: None,
                portal_id: None,
                family,
                severity: None,
                extra: Vec::new(),
                order: Vec::new(),
            },
            time_millis: None,
            rt: None,
            severity: None,
            unset: REQUIRED.iter().fold(0, |bits, field| bits | field.bit()),
            extra: Vec::new(),
        }
    }

    /// The product.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.product(), audit_cef::Product::Konnect);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn product(&self) -> Product {
        self.product
    }

    /// The event time, whole seconds (the prefix; JSON `event_ts`).
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.time().to_rfc3339(), "2025-06-18T21:02:36+00:00");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn time(&self) -> DateTime<Utc> {
        self.time.to_datetime()
    }

    /// The host in the CEF prefix.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.host(), "konghq.com");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn host(&self) -> &str {
        &self.host
    }

    /// How the CEF prefix writes the time.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.prefix_style(), audit_cef::PrefixStyle::Rfc3339);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn prefix_style(&self) -> PrefixStyle {
        self.prefix_style
    }

    /// `rt`: milliseconds since the Unix epoch.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.rt(), 1750280466889);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn rt(&self) -> i64 {
        self.rt
    }

    /// `src`.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.src().to_string(), "127.0.0.6");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn src(&self) -> IpAddr {
        self.src
    }

    /// `org_id`.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.org_id().to_string(), "777db3e4-5cb7-4dd5-b51c-9878096a6999");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn org_id(&self) -> Uuid {
        self.org_id
    }

    /// `principal_id`.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.principal_id().to_string(), "eb999f01-5976-4f4b-9fbc-dd5d514bd675");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn principal_id(&self) -> Uuid {
        self.principal_id
    }

    /// `trace_id`, exact (it can exceed 2^53).
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.trace_id(), 3959872677347089807);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn trace_id(&self) -> u64 {
        self.trace_id
    }

    /// `user_agent` (may be empty).
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.user_agent(), "grpc-node-js/1.12.4");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// `principal_name`, when configured.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.principal_name(), None);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn principal_name(&self) -> Option<&str> {
        self.principal_name.as_deref()
    }

    /// `kong_initiated`: written only when true.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert!(!event.kong_initiated());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn kong_initiated(&self) -> bool {
        self.kong_initiated
    }

    /// `actor_id` (may be empty).
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.actor_id(), None);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn actor_id(&self) -> Option<&str> {
        self.actor_id.as_deref()
    }

    /// `portal_id` (Dev Portal).
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.portal_id(), None);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn portal_id(&self) -> Option<Uuid> {
        self.portal_id
    }

    /// The family and its fields.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert!(matches!(event.family(), audit_cef::Family::Authorization(_)));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn family(&self) -> &Family<'a> {
        &self.family
    }

    /// The severity: the family's, unless overridden.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert_eq!(event.severity().level(), Some(1));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn severity(&self) -> Severity {
        self.severity.unwrap_or_else(|| self.family.severity())
    }

    /// Pairs the model does not know, in line order.
    ///
    /// ```
    /// # let event = audit_cef::AuditEvent::from_cef(audit_cef::konnect::DOCUMENTED_AUTHZ.as_bytes())?;
    /// assert!(event.extra().is_empty());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn extra(&self) -> &[(Key<'a>, Cow<'a, str>)] {
        &self.extra
    }

    /// The same event owning all of its text.
    ///
    /// ```
    /// let entry = audit_cef::konnect::DOCUMENTED_AUTHZ.to_owned();
    /// let event: audit_cef::AuditEvent<'static> = audit_cef::AuditEvent::from_cef(entry.as_bytes())?.into_owned();
    /// drop(entry);
    /// assert_eq!(event.user_agent(), "grpc-node-js/1.12.4");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn into_owned(self) -> AuditEvent<'static> {
        AuditEvent {
            product: self.product,
            time: self.time,
            host: own(self.host),
            prefix_style: self.prefix_style,
            rt: self.rt,
            src: self.src,
            org_id: self.org_id,
            principal_id: self.principal_id,
            trace_id: self.trace_id,
            user_agent: own(self.user_agent),
            principal_name: self.principal_name.map(own),
            kong_initiated: self.kong_initiated,
            actor_id: self.actor_id.map(own),
            portal_id: self.portal_id,
            family: self.family.into_owned(),
            severity: self.severity,
            extra: self.extra.into_iter().map(|(key, value)| (key.into_owned(), own(value))).collect(),
            order: self.order,
        }
    }
}

/// Builds an [`AuditEvent`]; [`AuditEventBuilder::build`] checks it.
///
/// Every family (authentication, authorization, access) needs the same
/// five: [`time`](Self::time), [`src`](Self::src), [`org_id`](Self::org_id),
/// [`principal_id`](Self::principal_id) and [`trace_id`](Self::trace_id);
/// a missing one is [`ErrorKind::MissingField`](crate::ErrorKind::MissingField)
/// naming it. The rest is optional: `rt` (default: the time, in
/// milliseconds), `user_agent` (default empty, as Konnect writes it), the
/// host, product and severity (defaults: Konnect's, and the family's),
/// `portal_id`, `actor_id`, `principal_name`, `kong_initiated`, and extra
/// pairs.
///
/// ```
/// use audit_cef::{AuditEvent, AuthOutcome, AuthType, Authentication, Family, Product};
/// use chrono::{TimeZone, Utc};
/// let event = AuditEvent::builder(Family::Authentication(Authentication::new(AuthType::Basic, AuthOutcome::Success, "/api/v2/developer/authenticate")))
///     .product(Product::DevPortal)
///     .time(Utc.with_ymd_and_hms(2025, 6, 23, 14, 28, 47).unwrap())
///     .rt(1750688927556)
///     .src("172.71.232.22".parse().unwrap())
///     .org_id("998db3e4-5cb7-4dd5-b51c-9878096a6999".parse().unwrap())
///     .portal_id("3e551b39-227d-4297-b911-e68fd5d77c17".parse().unwrap())
///     .principal_id("a3d2699a-0ed3-4417-bb10-d8e74a1513a4".parse().unwrap())
///     .trace_id(3360194145499877252)
///     .build()?;
/// assert!(event.to_cef_string().ends_with("trace_id=3360194145499877252 user_agent="));
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct AuditEventBuilder<'a> {
    /// The event, built in place so that `build` moves it once.
    event: AuditEvent<'a>,
    /// The event time in milliseconds since the epoch: one integer, read
    /// once from chrono, gives both the seconds and `rt`'s default.
    time_millis: Option<i64>,
    rt: Option<i64>,
    severity: Option<Severity>,
    /// The fields of [`REQUIRED`] not given yet, as [`Field::bit`]s.
    unset: u32,
    extra: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// Fields without a default, besides the time.
const REQUIRED: [Field; 4] = [Field::Src, Field::OrgId, Field::PrincipalId, Field::TraceId];

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $ty:ty => $($field:ident).+ = $value:expr $(, required $required:expr)?) => {
        $(#[$doc])*
        #[inline]
        pub fn $name(mut self, $name: $ty) -> AuditEventBuilder<'a> {
            self.$($field).+ = $value($name);
            $(self.unset &= !$required.bit();)?
            self
        }
    };
}

/// A text setter: borrowed `&'a str` or owned `String` alike.
macro_rules! text_setter {
    ($(#[$doc:meta])* $name:ident => $field:ident = $wrap:expr) => {
        $(#[$doc])*
        #[inline]
        pub fn $name(mut self, $name: impl Into<Cow<'a, str>>) -> AuditEventBuilder<'a> {
            self.event.$field = $wrap($name.into());
            self
        }
    };
}

impl<'a> AuditEventBuilder<'a> {
    setter!(
        /// Device Product (default `Konnect`).
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).product(audit_cef::Product::DevPortal);
        /// ```
        product: Product => event.product = |v| v
    );
    setter!(
        /// The event time (required). Written to whole seconds; `rt`
        /// defaults to it in milliseconds.
        ///
        /// ```
        /// # use chrono::{TimeZone, Utc};
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).time(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
        /// ```
        time: DateTime<Utc> => time_millis = |t: DateTime<Utc>| Some(t.timestamp_millis())
    );
    setter!(
        /// `rt` in milliseconds since the epoch, when it differs from the time.
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).rt(1750280466889);
        /// ```
        rt: i64 => rt = Some
    );
    text_setter!(
        /// The prefix host (default `konghq.com`): no spaces or line breaks.
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).host("audit.example.com");
        /// ```
        host => host = |v| v
    );
    setter!(
        /// The prefix form (default RFC 3339).
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).prefix_style(audit_cef::PrefixStyle::Bsd);
        /// ```
        prefix_style: PrefixStyle => event.prefix_style = |v| v
    );
    setter!(
        /// `src` (required).
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).src("::1".parse().unwrap());
        /// ```
        src: IpAddr => event.src = |v| v, required Field::Src
    );
    setter!(
        /// `org_id` (required).
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).org_id(uuid::Uuid::nil());
        /// ```
        org_id: Uuid => event.org_id = |v| v, required Field::OrgId
    );
    setter!(
        /// `principal_id` (required).
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).principal_id(uuid::Uuid::nil());
        /// ```
        principal_id: Uuid => event.principal_id = |v| v, required Field::PrincipalId
    );
    setter!(
        /// `trace_id` (required).
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).trace_id(u64::MAX);
        /// ```
        trace_id: u64 => event.trace_id = |v| v, required Field::TraceId
    );
    text_setter!(
        /// `principal_name`.
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).principal_name("Ada");
        /// ```
        principal_name => principal_name = Some
    );
    setter!(
        /// `kong_initiated` (written only when true).
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).kong_initiated(true);
        /// ```
        kong_initiated: bool => event.kong_initiated = |v| v
    );
    text_setter!(
        /// `actor_id` (may be empty).
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).actor_id(String::new());
        /// ```
        actor_id => actor_id = Some
    );
    setter!(
        /// `portal_id`.
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).portal_id(uuid::Uuid::nil());
        /// ```
        portal_id: Uuid => event.portal_id = Some
    );
    setter!(
        /// Overrides the family's severity.
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).severity(audit_cef::Severity::HIGH);
        /// ```
        severity: Severity => severity = Some
    );

    text_setter!(
        /// `user_agent` (default empty).
        ///
        /// ```
        /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).user_agent("curl/8.0");
        /// ```
        user_agent => user_agent = |v| v
    );

    /// Adds a pair Konnect does not document, written after the known ones
    /// in CEF. The JSON form has no order: through JSON, extra pairs come
    /// back in key order.
    ///
    /// ```
    /// let b = audit_cef::AuditEvent::builder(audit_cef::Family::Access(audit_cef::Access::new("/", "GET", 200, ""))).extra("region", "eu");
    /// ```
    pub fn extra(mut self, key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> AuditEventBuilder<'a> {
        self.extra.push((key.into(), value.into()));
        self
    }

    /// Checks and builds the event: what it builds can always be rendered,
    /// signed and verified in every format.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingField`] for a missing time, `src`, `org_id`,
    /// `principal_id` or `trace_id`; [`ErrorKind::InvalidField`] for a time
    /// outside years 0-9999 or a host that is empty or holds a space or line
    /// break; [`ErrorKind::MarkerInPrefix`] for a host holding
    /// `CEF:<digits>|`; [`ErrorKind::InvalidKey`] for an extra key outside
    /// the E4 grammar, one the model already has (`rt`, `sig`, ...), or one
    /// given twice. Offsets are into the offending text.
    ///
    /// ```
    /// use audit_cef::{Access, AuditEvent, ErrorKind, Family, Field};
    /// let err = AuditEvent::builder(Family::Access(Access::new("/", "GET", 200, ""))).extra("rt", "1").build().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::MissingField(Field::Time.into()));
    /// ```
    #[inline]
    pub fn build(mut self) -> Result<AuditEvent<'a>> {
        let Checked { time, rt, severity } = self.checked()?;
        // Every check comes before the event moves, so that it moves once,
        // straight into the result (a move across a `?` copied it twice).
        // The result's pairs are given apart from the event even when there
        // are none: moving them with `..self.event` measured slower, with the
        // same instructions.
        let extra = if self.extra.is_empty() && self.event.extra.is_empty() {
            Vec::new()
        } else {
            // New pairs go after those an earlier `build_in_place` moved in.
            let mut extra = std::mem::take(&mut self.event.extra);
            append_extra(&mut extra, std::mem::take(&mut self.extra))?;
            extra
        };
        Ok(AuditEvent { time, rt, severity, extra, ..self.event })
    }

    /// Checks the event as [`build`](Self::build) does and completes it
    /// inside the builder, lending it out: the event is rendered or signed
    /// where it was built, without moving its few hundred bytes out of the
    /// builder and the `Result` (about a third of what building costs).
    /// Calling it again lends the same event; after an error, every later
    /// call fails the same way.
    ///
    /// # Errors
    ///
    /// As [`build`](Self::build).
    ///
    /// ```
    /// use audit_cef::{AuditEvent, Authorization, Family};
    /// # use chrono::{TimeZone, Utc};
    /// let mut builder = AuditEvent::builder(Family::Authorization(Authorization::new("konnect", "usage", "read", true)?))
    ///     .time(Utc.with_ymd_and_hms(2025, 6, 18, 21, 2, 36).unwrap())
    ///     .src("127.0.0.6".parse().unwrap())
    ///     .org_id(uuid::Uuid::nil())
    ///     .principal_id(uuid::Uuid::nil())
    ///     .trace_id(7);
    /// let mut line = Vec::with_capacity(512);
    /// builder.build_in_place()?.render_cef_into(&mut line);
    /// assert!(line.ends_with(b"trace_id=7 user_agent="));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    #[inline]
    pub fn build_in_place(&mut self) -> Result<&AuditEvent<'a>> {
        let Checked { time, rt, severity } = self.checked()?;
        // The keys were checked above: this cannot fail. Pairs added since
        // an earlier call go after those it moved in.
        if !self.extra.is_empty() {
            append_extra(&mut self.event.extra, std::mem::take(&mut self.extra))?;
        }
        self.event.time = time;
        self.event.rt = rt;
        self.event.severity = severity;
        Ok(&self.event)
    }

    /// Every check of [`build`](Self::build), leaving the builder as it is.
    #[inline(always)]
    fn checked(&self) -> Result<Checked> {
        let missing = |field: Field| Error::new(ErrorKind::MissingField(field.into()));
        let millis = self.time_millis.ok_or_else(|| missing(Field::Time))?;
        // Floor, as chrono's `timestamp` does for times before 1970.
        let time = UtcSeconds::new(millis.div_euclid(1000))
            .ok_or_else(|| Error::new(ErrorKind::InvalidField(Field::Time.into())))?;
        if self.unset != 0 {
            let field = REQUIRED.iter().find(|field| self.unset & field.bit() != 0);
            return Err(missing(field.copied().unwrap_or(Field::Src)));
        }
        // Konnect's own host needs no check.
        if !matches!(self.event.host, Cow::Borrowed(host) if std::ptr::eq(host, KONNECT_HOST)) {
            check_host(&self.event.host)?;
        }
        if !self.extra.is_empty() {
            check_extra_keys(&self.event.extra, &self.extra)?;
        }
        // An override equal to the family's severity is no override.
        let severity = self.severity.filter(|s| *s != self.event.family.severity());
        Ok(Checked { time, rt: self.rt.unwrap_or(millis), severity })
    }
}

/// What [`AuditEventBuilder::checked`] settles.
struct Checked {
    time: UtcSeconds,
    rt: i64,
    severity: Option<Severity>,
}

/// New extra pairs' keys: E4, not one of the model's, not twice, nor one
/// of the pairs already `taken` into the event.
fn check_extra_keys(taken: &[(Key<'_>, Cow<'_, str>)], pairs: &[(Cow<'_, str>, Cow<'_, str>)]) -> Result<()> {
    for (at, (key, _)) in pairs.iter().enumerate() {
        let key = Key::new(key.as_ref())?;
        let modelled = Field::from_pair_key(key.as_str()).is_some() || Field::json_only(key.as_str()).is_some();
        let twice = pairs.get(..at).is_some_and(|before| before.iter().any(|(k, _)| k.as_ref() == key.as_str()))
            || taken.iter().any(|(k, _)| k.as_str() == key.as_str());
        if modelled || twice {
            return Err(Error::new(ErrorKind::InvalidKey));
        }
    }
    Ok(())
}

/// Appends extra pairs, their keys checked by [`check_extra_keys`] first.
fn append_extra<'a>(extra: &mut Vec<(Key<'a>, Cow<'a, str>)>, pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>) -> Result<()> {
    extra.reserve(pairs.len());
    for (key, value) in pairs {
        extra.push((Key::new(key)?, value));
    }
    Ok(())
}

/// The prefix host: not empty, no space (it ends the prefix's time and
/// host), no line break, no `CEF:<digits>|` (a parser would start there).
#[inline]
pub(crate) fn check_host(host: &str) -> Result<()> {
    let invalid = |at| Error::at(ErrorKind::InvalidField(Field::Host.into()), at);
    if host.is_empty() {
        return Err(Error::new(ErrorKind::InvalidField(Field::Host.into())));
    }
    if let Some(at) = host.bytes().position(|b| b == b' ' || b == b'\r' || b == b'\n') {
        return Err(invalid(at));
    }
    if let Some((at, _)) = find_marker(host.as_bytes()) {
        return Err(Error::at(ErrorKind::MarkerInPrefix, at));
    }
    // A host without spaces cannot hold ` sig=`; checked anyway, as for every header text.
    no_signature_marker(host, HeaderField::Prefix).map(|_| ())
}
