//! The syslog priority `<PRI>`.

use super::decimal::write_decimal;
use super::digits::bad;
use crate::error::{Error, ErrorKind, Result};

/// A syslog priority `<PRI>`: facility * 8 + severity, 0 to 191.
///
/// ```
/// let pri = audit_cef::Pri::new(16, 6)?; // local0.info
/// assert_eq!(pri.value(), 134);
/// assert_eq!((pri.facility(), pri.severity()), (16, 6));
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pri(u8);

impl Pri {
    /// Facility 13 ("log audit"), severity 6 ("informational"): `<110>`.
    #[cfg_attr(not(feature = "syslog"), allow(dead_code))]
    pub(crate) const AUDIT_INFO: Pri = Pri(13 * 8 + 6);

    /// From facility (0-23) and severity (0-7).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPrefix`](crate::ErrorKind::InvalidPrefix) when either is out of range.
    ///
    /// ```
    /// assert!(audit_cef::Pri::new(24, 0).is_err());
    /// ```
    pub const fn new(facility: u8, severity: u8) -> Result<Pri> {
        match Pri::checked(facility, severity) {
            Some(pri) => Ok(pri),
            None => Err(Error::new(ErrorKind::InvalidPrefix)),
        }
    }

    /// From facility and severity when both are in range (the syslog
    /// transport's priority reports its own error).
    pub(crate) const fn checked(facility: u8, severity: u8) -> Option<Pri> {
        if facility <= 23 && severity <= 7 { Some(Pri(facility * 8 + severity)) } else { None }
    }

    /// The value between `<` and `>`.
    ///
    /// ```
    /// assert_eq!(audit_cef::Pri::new(0, 0)?.value(), 0);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn value(self) -> u8 {
        self.0
    }

    /// Facility, 0-23.
    ///
    /// ```
    /// assert_eq!(audit_cef::Pri::new(4, 2)?.facility(), 4);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn facility(self) -> u8 {
        self.0 / 8
    }

    /// Severity, 0-7.
    ///
    /// ```
    /// assert_eq!(audit_cef::Pri::new(4, 2)?.severity(), 2);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn severity(self) -> u8 {
        self.0 % 8
    }
}

pub(crate) fn write_pri(pri: Pri, out: &mut Vec<u8>) {
    out.push(b'<');
    write_decimal(u64::from(pri.value()), out);
    out.push(b'>');
}

/// `<PRI>`: the priority and the bytes it took.
pub(crate) fn parse_pri(bytes: &[u8]) -> Result<(Pri, usize)> {
    let digits = bytes.get(1..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=3).contains(&digits) || bytes.get(digits + 1) != Some(&b'>') {
        return Err(bad(1));
    }
    let value = bytes.get(1..=digits).unwrap_or_default().iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    match u8::try_from(value) {
        Ok(v) if v <= 191 => Ok((Pri(v), digits + 2)),
        _ => Err(bad(1)),
    }
}
