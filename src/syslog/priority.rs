//! The syslog priority a message is sent with, and how a CEF severity
//! maps to a syslog severity.

use crate::cef::Pri;
use crate::error::{Error, ErrorKind, Result};

/// A syslog priority: facility 0-23 and severity 0-7, sent as
/// `<facility * 8 + severity>`.
///
/// The default is facility 13 ("log audit", RFC 5424 section 6.2.1) and
/// severity 6 ("informational"): `<110>`. Audit entries are records of what
/// happened, not alarms, and facility 13 is the one the RFC names for them;
/// use [`Priority::from_cef_severity`] to carry the entry's own severity.
///
/// ```
/// use audit_cef::syslog::Priority;
/// let pri = Priority::new(16, 5)?; // local0.notice
/// assert_eq!(pri.value(), 133);
/// assert_eq!((pri.facility(), pri.severity()), (16, 5));
/// assert_eq!(Priority::default().value(), 110);
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Priority(Pri);

impl Priority {
    /// Facility 13 ("log audit"), severity 6 ("informational"): `<110>`.
    ///
    /// ```
    /// use audit_cef::syslog::Priority;
    /// assert_eq!((Priority::DEFAULT.facility(), Priority::DEFAULT.severity()), (13, 6));
    /// ```
    pub const DEFAULT: Priority = Priority(Pri::AUDIT_INFO);

    /// From facility (0-23) and severity (0-7).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPriority`] when either is out of range.
    ///
    /// ```
    /// use audit_cef::syslog::Priority;
    /// assert_eq!(Priority::new(23, 7)?.value(), 191);
    /// assert!(Priority::new(24, 0).is_err());
    /// assert!(Priority::new(0, 8).is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn new(facility: u8, severity: u8) -> Result<Priority> {
        // The arithmetic is the prefix type's; only the error differs.
        match Pri::checked(facility, severity) {
            Some(pri) => Ok(Priority(pri)),
            None => Err(Error::new(ErrorKind::InvalidPriority)),
        }
    }

    /// From the value between `<` and `>`, 0-191.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPriority`] above 191.
    ///
    /// ```
    /// use audit_cef::syslog::Priority;
    /// assert_eq!(Priority::from_value(134)?, Priority::new(16, 6)?);
    /// assert!(Priority::from_value(192).is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn from_value(value: u8) -> Result<Priority> {
        Priority::new(value / 8, value % 8)
    }

    /// `facility` and the syslog severity for CEF severity `cef_severity`
    /// (0-10), by the four classes CEF names (the `Low`, `Medium`, `High`
    /// and `Very-High` of ArcSight):
    ///
    /// | CEF | class | syslog severity |
    /// |---|---|---|
    /// | 0-3 | Low | 6 informational |
    /// | 4-6 | Medium | 4 warning |
    /// | 7-8 | High | 3 error |
    /// | 9-10 | Very-High | 2 critical |
    ///
    /// This is the inverse of the mapping SIEMs commonly apply to syslog
    /// severities (emergency, alert, critical: Very-High; error: High;
    /// warning: Medium; notice, informational, debug: Low), so a collector
    /// that derives the class from the syslog severity finds the entry's
    /// own. Emergency and alert (0, 1) are left for the system being
    /// unusable, which no single audit entry means.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPriority`] for a facility above 23;
    /// [`ErrorKind::InvalidSeverity`] for a CEF severity above 10.
    ///
    /// ```
    /// use audit_cef::syslog::Priority;
    /// assert_eq!(Priority::from_cef_severity(13, 1)?.severity(), 6);
    /// assert_eq!(Priority::from_cef_severity(13, 5)?.severity(), 4);
    /// assert_eq!(Priority::from_cef_severity(13, 8)?.severity(), 3);
    /// assert_eq!(Priority::from_cef_severity(13, 10)?.value(), 106);
    /// assert!(Priority::from_cef_severity(13, 11).is_err());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn from_cef_severity(facility: u8, cef_severity: u8) -> Result<Priority> {
        let severity = match cef_severity {
            0..=3 => 6,
            4..=6 => 4,
            7..=8 => 3,
            9..=10 => 2,
            _ => return Err(Error::new(ErrorKind::InvalidSeverity)),
        };
        Priority::new(facility, severity)
    }

    /// The value between `<` and `>`: facility * 8 + severity.
    ///
    /// ```
    /// assert_eq!(audit_cef::syslog::Priority::new(0, 0)?.value(), 0);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn value(self) -> u8 {
        self.0.value()
    }

    /// Facility, 0-23.
    ///
    /// ```
    /// assert_eq!(audit_cef::syslog::Priority::new(4, 2)?.facility(), 4);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn facility(self) -> u8 {
        self.0.facility()
    }

    /// Severity, 0-7.
    ///
    /// ```
    /// assert_eq!(audit_cef::syslog::Priority::new(4, 2)?.severity(), 2);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn severity(self) -> u8 {
        self.0.severity()
    }
}

/// [`Priority::DEFAULT`]: log audit, informational.
impl Default for Priority {
    fn default() -> Priority {
        Priority::DEFAULT
    }
}

/// The same priority as the CEF layer's prefix type
/// ([`Line::prefix`](crate::Line::prefix) of an entry that starts with
/// `<PRI>`), as a syslog one.
///
/// ```
/// use audit_cef::{Pri, syslog::Priority};
/// assert_eq!(Priority::from(Pri::new(16, 6)?).value(), 134);
/// # Ok::<(), audit_cef::Error>(())
/// ```
impl From<Pri> for Priority {
    fn from(pri: Pri) -> Priority {
        Priority(pri)
    }
}

/// Appends `<PRI>`.
pub(crate) fn write_priority(priority: Priority, out: &mut Vec<u8>) {
    out.push(b'<');
    out.extend_from_slice(itoa::Buffer::new().format(priority.value()).as_bytes());
    out.push(b'>');
}
