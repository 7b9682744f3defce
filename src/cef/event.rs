//! The CEF event: prefix, seven header fields and ordered extension pairs.

use std::borrow::Cow;

use super::key::Key;
use super::marker::find_marker;
use super::severity::{Severity, Version};
use crate::error::{Error, ErrorKind, HeaderField, Result};

/// One CEF event, validated when built so that rendering cannot fail.
///
/// Text is held as `Cow<'a, str>`: build it from borrowed `&str` for no
/// copies, or from `String`s, and call [`Event::into_owned`] to detach it.
///
/// ```
/// use audit_cef::{Event, Severity};
/// let mut event = Event::new("KongInc", "Konnect", "1.0", "konnect", "Authz.control-planes", Severity::from_level(1)?)?;
/// event.push("action", "list")?.push("granted", "true")?;
/// assert_eq!(event.to_string(), "CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|action=list granted=true");
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event<'a> {
    pub(crate) prefix: Option<Cow<'a, str>>,
    pub(crate) version: Version,
    pub(crate) vendor: Cow<'a, str>,
    pub(crate) product: Cow<'a, str>,
    pub(crate) device_version: Cow<'a, str>,
    pub(crate) event_class_id: Cow<'a, str>,
    pub(crate) name: Cow<'a, str>,
    pub(crate) severity: Severity,
    pub(crate) extensions: Vec<(Key<'a>, Cow<'a, str>)>,
}

/// E2: header fields (and the prefix) hold no CR or LF.
pub(crate) fn no_line_break<T: AsRef<str>>(text: T, field: HeaderField) -> Result<T> {
    match memchr::memchr2(b'\r', b'\n', text.as_ref().as_bytes()) {
        Some(at) => Err(Error::at(ErrorKind::LineBreakInHeader(field), at)),
        None => Ok(text),
    }
}

impl<'a> Event<'a> {
    /// An event with version 0, no prefix and no extension.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LineBreakInHeader`] naming the field, at the offset of
    /// the CR or LF inside it (E2).
    ///
    /// ```
    /// use audit_cef::{ErrorKind, Event, HeaderField, Severity};
    /// let err = Event::new("v", "p", "1", "id", "two\nlines", Severity::LOW).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::LineBreakInHeader(HeaderField::Name));
    /// assert_eq!(err.offset(), Some(3));
    /// ```
    pub fn new(
        vendor: impl Into<Cow<'a, str>>,
        product: impl Into<Cow<'a, str>>,
        device_version: impl Into<Cow<'a, str>>,
        event_class_id: impl Into<Cow<'a, str>>,
        name: impl Into<Cow<'a, str>>,
        severity: Severity,
    ) -> Result<Event<'a>> {
        Ok(Event {
            prefix: None,
            version: Version::Zero,
            vendor: no_line_break(vendor.into(), HeaderField::Vendor)?,
            product: no_line_break(product.into(), HeaderField::Product)?,
            device_version: no_line_break(device_version.into(), HeaderField::DeviceVersion)?,
            event_class_id: no_line_break(event_class_id.into(), HeaderField::EventClassId)?,
            name: no_line_break(name.into(), HeaderField::Name)?,
            severity,
            extensions: Vec::new(),
        })
    }

    /// Sets the text written before `CEF:`, followed by one space (P1).
    ///
    /// Use [`Prefix`](crate::Prefix) to build a syslog or Konnect prefix.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LineBreakInHeader`] for a CR or LF (it would forge a new
    /// line), [`ErrorKind::MarkerInPrefix`] for text containing
    /// `CEF:<digits>|` (a parser would start there).
    ///
    /// ```
    /// use audit_cef::{Event, Severity};
    /// let event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?.with_prefix("2025-06-18T21:02:36Z konghq.com")?;
    /// assert_eq!(event.to_string(), "2025-06-18T21:02:36Z konghq.com CEF:0|v|p|1|id|n|Low|");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn with_prefix(mut self, prefix: impl Into<Cow<'a, str>>) -> Result<Event<'a>> {
        let prefix = no_line_break(prefix.into(), HeaderField::Prefix)?;
        if let Some((at, _)) = find_marker(prefix.as_bytes()) {
            return Err(Error::at(ErrorKind::MarkerInPrefix, at));
        }
        self.prefix = Some(prefix);
        Ok(self)
    }

    /// Sets the CEF version.
    ///
    /// ```
    /// use audit_cef::{Event, Severity, Version};
    /// let event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?.with_version(Version::One);
    /// assert!(event.to_string().starts_with("CEF:1|"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn with_version(mut self, version: Version) -> Event<'a> {
        self.version = version;
        self
    }

    /// Appends a pair after checking the key (E4). Order is kept (E7).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidKey`] at the offset of the bad byte in `key`.
    ///
    /// ```
    /// use audit_cef::{Event, Severity};
    /// let mut event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?;
    /// event.push("msg", "a=b")?;
    /// assert!(event.push("bad key", "x").is_err());
    /// assert!(event.to_string().ends_with("|msg=a\\=b"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn push(&mut self, key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Result<&mut Event<'a>> {
        let key = Key::new(key)?;
        Ok(self.push_key(key, value))
    }

    /// Appends a pair whose key is already checked.
    ///
    /// ```
    /// use audit_cef::{Event, Key, Severity};
    /// let src = Key::new("src")?;
    /// let mut event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?;
    /// event.push_key(src.clone(), "10.0.0.1").push_key(src, "10.0.0.2");
    /// assert_eq!(event.get("src"), Some("10.0.0.2"));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn push_key(&mut self, key: Key<'a>, value: impl Into<Cow<'a, str>>) -> &mut Event<'a> {
        self.extensions.push((key, value.into()));
        self
    }

    /// The prefix, if any.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// let event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?;
    /// assert_eq!(event.prefix(), None);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// The CEF version.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity, Version};
    /// assert_eq!(Event::new("v", "p", "1", "id", "n", Severity::LOW)?.version(), Version::Zero);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn version(&self) -> Version {
        self.version
    }

    /// Device Vendor.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// assert_eq!(Event::new("v", "p", "1", "id", "n", Severity::LOW)?.vendor(), "v");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn vendor(&self) -> &str {
        &self.vendor
    }

    /// Device Product.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// assert_eq!(Event::new("v", "p", "1", "id", "n", Severity::LOW)?.product(), "p");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn product(&self) -> &str {
        &self.product
    }

    /// Device Version.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// assert_eq!(Event::new("v", "p", "1", "id", "n", Severity::LOW)?.device_version(), "1");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn device_version(&self) -> &str {
        &self.device_version
    }

    /// Device Event Class ID.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// assert_eq!(Event::new("v", "p", "1", "id", "n", Severity::LOW)?.event_class_id(), "id");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn event_class_id(&self) -> &str {
        &self.event_class_id
    }

    /// Name.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// assert_eq!(Event::new("v", "p", "1", "id", "n", Severity::LOW)?.name(), "n");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Severity.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// assert_eq!(Event::new("v", "p", "1", "id", "n", Severity::LOW)?.severity(), Severity::LOW);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The extension pairs in order.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// let mut event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?;
    /// event.push("a", "1")?.push("b", "2")?;
    /// let keys: Vec<&str> = event.extensions().iter().map(|(k, _)| k.as_str()).collect();
    /// assert_eq!(keys, ["a", "b"]);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn extensions(&self) -> &[(Key<'a>, Cow<'a, str>)] {
        &self.extensions
    }

    /// The value of the last pair with `key` (P12: last wins).
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// let mut event = Event::new("v", "p", "1", "id", "n", Severity::LOW)?;
    /// event.push("a", "1")?.push("a", "2")?;
    /// assert_eq!(event.get("a"), Some("2"));
    /// assert_eq!(event.get("b"), None);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        self.extensions.iter().rev().find(|(k, _)| k.as_str() == key).map(|(_, v)| &**v)
    }

    /// The same event owning all of its text.
    ///
    /// ```
    /// # use audit_cef::{Event, Severity};
    /// let name = String::from("n");
    /// let owned: Event<'static> = Event::new("v", "p", "1", "id", name.as_str(), Severity::LOW)?.into_owned();
    /// drop(name);
    /// assert_eq!(owned.name(), "n");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn into_owned(self) -> Event<'static> {
        fn own(text: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(text.into_owned())
        }
        Event {
            prefix: self.prefix.map(own),
            version: self.version,
            vendor: own(self.vendor),
            product: own(self.product),
            device_version: own(self.device_version),
            event_class_id: own(self.event_class_id),
            name: own(self.name),
            severity: self.severity,
            extensions: self.extensions.into_iter().map(|(k, v)| (k.into_owned(), own(v))).collect(),
        }
    }
}
