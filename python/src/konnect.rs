//! Konnect's audit events: the three families built with keyword
//! arguments, rendered as CEF, JSON or CPS, signed, and decoded.

use std::net::IpAddr;

use audit_cef::chrono::{DateTime, NaiveDate, Utc};
use audit_cef::uuid::Uuid;
use audit_cef::{
    Access, AuditEventBuilder, AuthOutcome, AuthType, Authentication, Authorization, Error, ErrorKind, Family,
    FieldName, Format, PrefixStyle, Product, Signer,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyString, PyType};

use crate::errors::{OrRaise, Origin, to_pyerr};
use crate::input::{Entry, pairs_of};
use crate::line::severity_of;

static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static UUID: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn datetime_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DATETIME.import(py, "datetime", "datetime")
}

fn utc(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    Ok(UTC
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("datetime")?.getattr("timezone")?.getattr("utc")?.unbind())
        })?
        .bind(py))
}

/// A `ValueError` naming a field, as the crate's own kind for it.
fn invalid(py: Python<'_>, field: &'static str) -> PyErr {
    to_pyerr(py, &Error::new(ErrorKind::InvalidField(FieldName::new(field))), Origin::Bytes)
}

/// An aware `datetime` (any time zone) as UTC. A naive one is refused:
/// nobody can tell which zone it meant.
fn time_of(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    if !value.is_instance(datetime_class(py)?)? {
        return Err(PyTypeError::new_err("time must be a datetime.datetime"));
    }
    if value.getattr("tzinfo")?.is_none() || value.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(
            "time must be an aware datetime (e.g. datetime.now(timezone.utc)); a naive one names no time zone",
        ));
    }
    let utc_time = value.call_method1("astimezone", (utc(py)?,))?;
    let field = |name: &str| -> PyResult<u32> { utc_time.getattr(name)?.extract() };
    let year: i32 = utc_time.getattr("year")?.extract()?;
    let (hour, minute, second, micro) = (field("hour")?, field("minute")?, field("second")?, field("microsecond")?);
    NaiveDate::from_ymd_opt(year, field("month")?, field("day")?)
        .and_then(|d| d.and_hms_micro_opt(hour, minute, second, micro))
        .map(|t| t.and_utc())
        .ok_or_else(|| invalid(py, "event_ts"))
}

fn datetime_of<'py>(py: Python<'py>, time: DateTime<Utc>) -> PyResult<Bound<'py, PyAny>> {
    use audit_cef::chrono::{Datelike, Timelike};
    let kwargs = PyDict::new(py);
    kwargs.set_item("tzinfo", utc(py)?)?;
    datetime_class(py)?
        .call((time.year(), time.month(), time.day(), time.hour(), time.minute(), time.second()), Some(&kwargs))
}

/// A `uuid.UUID` or its text.
fn uuid_of(py: Python<'_>, value: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Uuid> {
    if let Ok(text) = value.cast::<PyString>() {
        return text.to_cow()?.parse::<Uuid>().map_err(|_| invalid(py, field));
    }
    if value.is_instance(UUID.import(py, "uuid", "UUID")?)? {
        let bytes = value.getattr("bytes")?;
        let bytes: [u8; 16] = bytes.cast::<PyBytes>()?.as_bytes().try_into().map_err(|_| invalid(py, field))?;
        return Ok(Uuid::from_bytes(bytes));
    }
    Err(PyTypeError::new_err(format!("{field} must be a uuid.UUID or str")))
}

fn uuid_object<'py>(py: Python<'py>, id: Uuid) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("bytes", PyBytes::new(py, id.as_bytes()))?;
    UUID.import(py, "uuid", "UUID")?.call((), Some(&kwargs))
}

/// An `ipaddress.IPv4Address` / `IPv6Address` or its text.
fn ip_of(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<IpAddr> {
    if let Ok(text) = value.cast::<PyString>() {
        return text.to_cow()?.parse::<IpAddr>().map_err(|_| invalid(py, "src"));
    }
    value.extract::<IpAddr>().map_err(|_| PyTypeError::new_err("src must be an ipaddress address or str"))
}

/// A `str` argument.
fn text_of(value: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(text) => Ok(text.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!("{name} must be str"))),
    }
}

/// The family name with or without its header prefix (`BASIC` or `AUTHENTICATION_TYPE_BASIC`).
fn with_prefix(text: String, prefix: &str) -> String {
    if text.starts_with(prefix) { text } else { format!("{prefix}{text}") }
}

/// The optional keyword arguments every family shares, and the five it needs.
const COMMON: [&str; 15] = [
    "time",
    "src",
    "org_id",
    "principal_id",
    "trace_id",
    "rt",
    "user_agent",
    "host",
    "product",
    "prefix_style",
    "principal_name",
    "kong_initiated",
    "actor_id",
    "portal_id",
    "severity",
];
const REQUIRED: [&str; 5] = ["time", "src", "org_id", "principal_id", "trace_id"];

fn build(py: Python<'_>, family: Family<'static>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<AuditEvent> {
    let empty = PyDict::new(py);
    let kwargs = kwargs.unwrap_or(&empty);
    for (key, _) in kwargs.iter() {
        let key = key.str()?.to_cow()?.into_owned();
        if !COMMON.contains(&key.as_str()) && key != "extra" {
            return Err(PyTypeError::new_err(format!("unexpected keyword argument '{key}'")));
        }
    }
    for name in REQUIRED {
        if kwargs.get_item(name)?.is_none_or(|v| v.is_none()) {
            return Err(PyTypeError::new_err(format!("missing required keyword argument '{name}'")));
        }
    }
    let arg =
        |name: &str| -> PyResult<Option<Bound<'_, PyAny>>> { Ok(kwargs.get_item(name)?.filter(|v| !v.is_none())) };
    let mut builder: AuditEventBuilder<'static> = audit_cef::AuditEvent::builder(family);
    if let Some(v) = arg("time")? {
        builder = builder.time(time_of(py, &v)?);
    }
    if let Some(v) = arg("src")? {
        builder = builder.src(ip_of(py, &v)?);
    }
    if let Some(v) = arg("org_id")? {
        builder = builder.org_id(uuid_of(py, &v, "org_id")?);
    }
    if let Some(v) = arg("principal_id")? {
        builder = builder.principal_id(uuid_of(py, &v, "principal_id")?);
    }
    if let Some(v) = arg("trace_id")? {
        builder = builder.trace_id(v.extract::<u64>().map_err(|_| invalid(py, "trace_id"))?);
    }
    if let Some(v) = arg("rt")? {
        builder = builder.rt(v.extract::<i64>().map_err(|_| invalid(py, "rt"))?);
    }
    if let Some(v) = arg("user_agent")? {
        builder = builder.user_agent(text_of(&v, "user_agent")?);
    }
    if let Some(v) = arg("host")? {
        builder = builder.host(text_of(&v, "host")?);
    }
    if let Some(v) = arg("product")? {
        builder = builder.product(match text_of(&v, "product")?.as_str() {
            "Konnect" => Product::Konnect,
            "Dev-Portal" => Product::DevPortal,
            _ => return Err(PyValueError::new_err("product must be 'Konnect' or 'Dev-Portal'")),
        });
    }
    if let Some(v) = arg("prefix_style")? {
        builder = builder.prefix_style(match text_of(&v, "prefix_style")?.as_str() {
            "rfc3339" => PrefixStyle::Rfc3339,
            "bsd" => PrefixStyle::Bsd,
            _ => return Err(PyValueError::new_err("prefix_style must be 'rfc3339' or 'bsd'")),
        });
    }
    if let Some(v) = arg("principal_name")? {
        builder = builder.principal_name(text_of(&v, "principal_name")?);
    }
    if let Some(v) = arg("kong_initiated")? {
        builder = builder.kong_initiated(v.is_truthy()?);
    }
    if let Some(v) = arg("actor_id")? {
        builder = builder.actor_id(text_of(&v, "actor_id")?);
    }
    if let Some(v) = arg("portal_id")? {
        builder = builder.portal_id(uuid_of(py, &v, "portal_id")?);
    }
    if let Some(v) = arg("severity")? {
        builder = builder.severity(severity_of(py, &v)?);
    }
    if let Some(v) = arg("extra")? {
        for (key, value) in pairs_of(&v)? {
            builder = builder.extra(key, value);
        }
    }
    Ok(AuditEvent { inner: builder.build().or_raise(py)? })
}

/// A Kong Konnect audit event of one of the three families
/// (authentication, authorization, access), built with keyword arguments
/// and checked: what builds can always be rendered, signed and verified in
/// CEF, JSON and CPS, byte for byte as Konnect writes them.
///
/// Every family needs ``time`` (an aware ``datetime``), ``src`` (an
/// ``ipaddress`` address or its text), ``org_id`` and ``principal_id`` (a
/// ``uuid.UUID`` or its text) and ``trace_id`` (an ``int``). Optional:
/// ``rt`` (ms since the epoch; default: the time), ``user_agent``,
/// ``host``, ``product`` (``"Konnect"`` or ``"Dev-Portal"``),
/// ``prefix_style`` (``"rfc3339"`` or ``"bsd"``), ``principal_name``,
/// ``kong_initiated``, ``actor_id``, ``portal_id``, ``severity`` (an
/// override) and ``extra`` (more pairs, a ``dict``).
///
/// >>> import audit_cef, uuid, ipaddress
/// >>> from datetime import datetime, timezone
/// >>> event = audit_cef.AuditEvent.authorization(
/// ...     service="konnect", resource="control-planes", action="list", granted=True,
/// ...     time=datetime(2025, 6, 18, 21, 2, 36, tzinfo=timezone.utc), rt=1750280466889,
/// ...     src=ipaddress.ip_address("127.0.0.6"),
/// ...     org_id=uuid.UUID("777db3e4-5cb7-4dd5-b51c-9878096a6999"),
/// ...     principal_id="eb999f01-5976-4f4b-9fbc-dd5d514bd675",
/// ...     trace_id=3959872677347089807, user_agent="grpc-node-js/1.12.4")
/// >>> print(event.render())
/// 2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4
/// >>> event.render("json")[:48]
/// '{"action":"list","cef_version":"0","event_class_'
/// >>> signer = audit_cef.Signer.from_seed(bytes(32))
/// >>> entry = event.sign(signer, "cps")
/// >>> audit_cef.Verifier(signer.keyset()).verify(entry).event == event
/// True
#[pyclass(module = "audit_cef", frozen)]
pub struct AuditEvent {
    inner: audit_cef::AuditEvent<'static>,
}

impl AuditEvent {
    /// Signs the event in `format`.
    pub fn sign_with(&self, py: Python<'_>, signer: &Signer, format: Format) -> PyResult<String> {
        let mut buf = Vec::with_capacity(1024);
        self.inner.sign_into(format, signer, &mut buf).or_raise(py)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// Decodes an entry in any format, signed or not (the signature is not checked).
    pub fn decode(py: Python<'_>, entry: &[u8], origin: Origin<'_>) -> PyResult<AuditEvent> {
        let event = audit_cef::AuditEvent::from_entry(entry).or_raise_in(py, origin)?;
        Ok(AuditEvent { inner: event.into_owned() })
    }
}

#[pymethods]
impl AuditEvent {
    /// An authorization event (``Authz.<resource>``): ``service`` (the
    /// event class id, e.g. ``"konnect"``), ``resource``, ``action``,
    /// ``granted``, and the fields every family has.
    #[staticmethod]
    #[pyo3(signature = (*, service, resource, action, granted, **kwargs))]
    fn authorization(
        py: Python<'_>,
        service: String,
        resource: String,
        action: String,
        granted: bool,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<AuditEvent> {
        let family = Authorization::new(service, resource, action, granted).or_raise(py)?;
        build(py, Family::Authorization(family), kwargs)
    }

    /// An authentication event: ``auth_type`` (``"BASIC"``, ``"SSO"``,
    /// ``"PAT"``, ... with or without ``AUTHENTICATION_TYPE_``),
    /// ``outcome`` (``"SUCCESS"``, ``"INVALID_PASSWORD"``, ... with or
    /// without ``AUTHENTICATION_OUTCOME_``), ``request`` (the path), and
    /// the fields every family has.
    #[staticmethod]
    #[pyo3(signature = (*, auth_type, outcome, request, **kwargs))]
    fn authentication(
        py: Python<'_>,
        auth_type: String,
        outcome: String,
        request: String,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<AuditEvent> {
        let kind = AuthType::from_header(with_prefix(auth_type, "AUTHENTICATION_TYPE_")).or_raise(py)?;
        let outcome = AuthOutcome::from_header(with_prefix(outcome, "AUTHENTICATION_OUTCOME_")).or_raise(py)?;
        build(py, Family::Authentication(Authentication::new(kind, outcome, request)), kwargs)
    }

    /// An access event (``KongGateway`` ``Ingress``): ``request`` (the
    /// path), ``method``, ``status``, ``query`` (default empty), and the
    /// fields every family has.
    #[staticmethod]
    #[pyo3(signature = (*, request, method, status, query = String::new(), **kwargs))]
    fn access(
        py: Python<'_>,
        request: String,
        method: String,
        status: u16,
        query: String,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<AuditEvent> {
        build(py, Family::Access(Access::new(request, method, status, query)), kwargs)
    }

    /// Decodes an entry in any of Konnect's formats (told apart by itself),
    /// signed or not, without checking a signature: use
    /// ``Verifier.verify(entry).event`` for that.
    ///
    /// >>> line = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4"
    /// >>> event = audit_cef.AuditEvent.parse(line)
    /// >>> event.family, event.action, event.granted, str(event.src), event.time.isoformat()
    /// ('authorization', 'list', True, '127.0.0.6', '2025-06-18T21:02:36+00:00')
    /// >>> event.render() == line
    /// True
    #[staticmethod]
    fn parse(py: Python<'_>, entry: &Bound<'_, PyAny>) -> PyResult<AuditEvent> {
        let text = Entry::extract(entry)?;
        AuditEvent::decode(py, crate::input::trim_line_ending(text.bytes()), Origin::of(&text))
    }

    /// The entry in ``format`` (``"cef"``, ``"json"`` or ``"cps"``), unsigned.
    #[pyo3(signature = (format = "cef"))]
    fn render(&self, py: Python<'_>, format: &str) -> PyResult<String> {
        let format: Format = format.parse().or_raise(py)?;
        let mut buf = Vec::with_capacity(1024);
        self.inner.render_into(format, &mut buf);
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// The entry in ``format``, signed with ``signer`` as Konnect signs.
    #[pyo3(signature = (signer, format = "cef"))]
    fn sign(&self, py: Python<'_>, signer: &crate::keys::Signer, format: &str) -> PyResult<String> {
        let format: Format = format.parse().or_raise(py)?;
        self.sign_with(py, &signer.inner, format)
    }

    /// ``"authentication"``, ``"authorization"`` or ``"access"``.
    #[getter]
    fn family(&self) -> &'static str {
        match self.inner.family() {
            Family::Authentication(_) => "authentication",
            Family::Authorization(_) => "authorization",
            Family::Access(_) => "access",
        }
    }

    /// Device Product: ``"Konnect"`` or ``"Dev-Portal"``.
    #[getter]
    fn product(&self) -> &'static str {
        self.inner.product().as_str()
    }

    /// The event time (whole seconds, UTC).
    #[getter]
    fn time<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime_of(py, self.inner.time())
    }

    /// The prefix host (``konghq.com``).
    #[getter]
    fn host(&self) -> &str {
        self.inner.host()
    }

    /// ``rt``: milliseconds since the epoch.
    #[getter]
    fn rt(&self) -> i64 {
        self.inner.rt()
    }

    /// ``src`` as an ``ipaddress`` address.
    #[getter]
    fn src<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.src().into_pyobject(py)
    }

    /// ``org_id`` as a ``uuid.UUID``.
    #[getter]
    fn org_id<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        uuid_object(py, self.inner.org_id())
    }

    /// ``principal_id`` as a ``uuid.UUID``.
    #[getter]
    fn principal_id<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        uuid_object(py, self.inner.principal_id())
    }

    /// ``portal_id`` as a ``uuid.UUID``, or ``None``.
    #[getter]
    fn portal_id<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.portal_id().map(|id| uuid_object(py, id)).transpose()
    }

    /// ``trace_id``.
    #[getter]
    fn trace_id(&self) -> u64 {
        self.inner.trace_id()
    }

    /// ``user_agent`` (empty when not given).
    #[getter]
    fn user_agent(&self) -> &str {
        self.inner.user_agent()
    }

    /// ``principal_name``, or ``None``.
    #[getter]
    fn principal_name(&self) -> Option<&str> {
        self.inner.principal_name()
    }

    /// ``kong_initiated``.
    #[getter]
    fn kong_initiated(&self) -> bool {
        self.inner.kong_initiated()
    }

    /// ``actor_id``, or ``None``.
    #[getter]
    fn actor_id(&self) -> Option<&str> {
        self.inner.actor_id()
    }

    /// The severity 0-10 (the family's, or the override).
    #[getter]
    fn severity(&self) -> Option<u8> {
        self.inner.severity().level()
    }

    /// Device Event Class ID (``konnect``, ``AUTHENTICATION_TYPE_BASIC``, ``KongGateway``).
    #[getter]
    fn event_class_id(&self) -> String {
        self.inner.family().event_class_id().into_owned()
    }

    /// Name (``Authz.control-planes``, ``AUTHENTICATION_OUTCOME_SUCCESS``, ``Ingress``).
    #[getter]
    fn name(&self) -> String {
        self.inner.family().name().into_owned()
    }

    /// Authorization: ``action``; ``None`` for the other families.
    #[getter]
    fn action(&self) -> Option<&str> {
        match self.inner.family() {
            Family::Authorization(authz) => Some(&authz.action),
            _ => None,
        }
    }

    /// Authorization: ``granted``; ``None`` for the other families.
    #[getter]
    fn granted(&self) -> Option<bool> {
        match self.inner.family() {
            Family::Authorization(authz) => Some(authz.granted),
            _ => None,
        }
    }

    /// Authorization: the service (event class id); ``None`` otherwise.
    #[getter]
    fn service(&self) -> Option<&str> {
        match self.inner.family() {
            Family::Authorization(authz) => Some(authz.service()),
            _ => None,
        }
    }

    /// Authorization: the resource (``Authz.<resource>``); ``None`` otherwise.
    #[getter]
    fn resource(&self) -> Option<&str> {
        match self.inner.family() {
            Family::Authorization(authz) => Some(authz.resource()),
            _ => None,
        }
    }

    /// Authentication: the type (``BASIC``, ...); ``None`` otherwise.
    #[getter]
    fn auth_type(&self) -> Option<&str> {
        match self.inner.family() {
            Family::Authentication(authn) => Some(authn.kind.suffix()),
            _ => None,
        }
    }

    /// Authentication: the outcome (``SUCCESS``, ...); ``None`` otherwise.
    #[getter]
    fn outcome(&self) -> Option<&str> {
        match self.inner.family() {
            Family::Authentication(authn) => Some(authn.outcome.suffix()),
            _ => None,
        }
    }

    /// Authentication: ``success``; ``None`` otherwise.
    #[getter]
    fn success(&self) -> Option<bool> {
        match self.inner.family() {
            Family::Authentication(authn) => Some(authn.success),
            _ => None,
        }
    }

    /// Authentication and access: the request path; ``None`` otherwise.
    #[getter]
    fn request(&self) -> Option<&str> {
        match self.inner.family() {
            Family::Authentication(authn) => Some(&authn.request),
            Family::Access(access) => Some(&access.request),
            Family::Authorization(_) => None,
        }
    }

    /// Access: the method; ``None`` otherwise.
    #[getter]
    fn method(&self) -> Option<&str> {
        match self.inner.family() {
            Family::Access(access) => Some(&access.method),
            _ => None,
        }
    }

    /// Access: the status; ``None`` otherwise.
    #[getter]
    fn status(&self) -> Option<u16> {
        match self.inner.family() {
            Family::Access(access) => Some(access.status),
            _ => None,
        }
    }

    /// Access: the query; ``None`` otherwise.
    #[getter]
    fn query(&self) -> Option<&str> {
        match self.inner.family() {
            Family::Access(access) => Some(&access.query),
            _ => None,
        }
    }

    /// Pairs Konnect does not document, in order: ``[(key, value), ...]``.
    #[getter]
    fn extra(&self) -> Vec<(String, String)> {
        self.inner.extra().iter().map(|(k, v)| (k.as_str().to_owned(), v.to_string())).collect()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<AuditEvent>() {
            Ok(other) => other.get().inner == self.inner,
            Err(_) => false,
        }
    }

    fn __repr__(&self) -> String {
        format!("AuditEvent.parse({:?})", self.inner.to_cef_string())
    }
}
