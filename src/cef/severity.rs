//! Severity and CEF version (E6).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};

/// Event severity: an integer 0-10 or one of `Unknown`, `Low`, `Medium`,
/// `High`, `Very-High` (E6). Invalid values cannot be built.
///
/// ```
/// use audit_cef::Severity;
/// assert_eq!(Severity::from_level(7)?.as_str(), "7");
/// assert_eq!("Very-High".parse::<Severity>()?, Severity::VERY_HIGH);
/// assert!(Severity::from_level(11).is_err());
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Severity(u8);

const NAMES: [&str; 5] = ["Unknown", "Low", "Medium", "High", "Very-High"];
const LEVELS: [&str; 11] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
const FIRST_NAME: u8 = 11;

impl Severity {
    /// `Unknown`.
    pub const UNKNOWN: Severity = Severity(FIRST_NAME);
    /// `Low`.
    pub const LOW: Severity = Severity(FIRST_NAME + 1);
    /// `Medium`.
    pub const MEDIUM: Severity = Severity(FIRST_NAME + 2);
    /// `High`.
    pub const HIGH: Severity = Severity(FIRST_NAME + 3);
    /// `Very-High`.
    pub const VERY_HIGH: Severity = Severity(FIRST_NAME + 4);

    /// A numeric severity.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSeverity`] when `level` is above 10.
    ///
    /// ```
    /// assert_eq!(audit_cef::Severity::from_level(10)?.level(), Some(10));
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub const fn from_level(level: u8) -> Result<Severity> {
        match Severity::checked(level) {
            Some(severity) => Ok(severity),
            None => Err(Error::new(ErrorKind::InvalidSeverity)),
        }
    }

    /// The severity of `level` 0-10, or `None`: for `const` items, where a
    /// `Result` holding an [`Error`] cannot be matched.
    ///
    /// ```
    /// use audit_cef::Severity;
    /// const LOW: Option<Severity> = Severity::checked(1);
    /// assert_eq!(LOW.and_then(Severity::level), Some(1));
    /// assert_eq!(Severity::checked(11), None);
    /// ```
    pub const fn checked(level: u8) -> Option<Severity> {
        if level <= 10 { Some(Severity(level)) } else { None }
    }

    /// Parses the exact spellings of E6; with `ignore_case`, names in any
    /// case (lenient parsing: devices send `very-high`).
    pub(crate) fn parse(text: &str, ignore_case: bool) -> Result<Severity> {
        if let Some(level) = LEVELS.iter().position(|&l| l == text) {
            return Ok(Severity(level as u8));
        }
        let name = NAMES.iter().position(|&n| if ignore_case { n.eq_ignore_ascii_case(text) } else { n == text });
        match name {
            Some(index) => Ok(Severity(FIRST_NAME + index as u8)),
            None => Err(Error::new(ErrorKind::InvalidSeverity)),
        }
    }

    /// The numeric level, or `None` for a named severity.
    ///
    /// ```
    /// assert_eq!(audit_cef::Severity::HIGH.level(), None);
    /// ```
    pub const fn level(self) -> Option<u8> {
        if self.0 < FIRST_NAME { Some(self.0) } else { None }
    }

    /// The text written in the header.
    ///
    /// ```
    /// assert_eq!(audit_cef::Severity::VERY_HIGH.as_str(), "Very-High");
    /// ```
    pub fn as_str(self) -> &'static str {
        let text = match self.0.checked_sub(FIRST_NAME) {
            None => LEVELS.get(usize::from(self.0)),
            Some(name) => NAMES.get(usize::from(name)),
        };
        // Every constructor keeps the value in one of the two tables.
        debug_assert!(text.is_some(), "severity {} outside its tables", self.0);
        text.copied().unwrap_or("Unknown")
    }
}

impl FromStr for Severity {
    type Err = Error;
    /// Parses the exact E6 spellings.
    fn from_str(text: &str) -> Result<Severity> {
        Severity::parse(text, false)
    }
}

impl fmt::Debug for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Severity({})", self.as_str())
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The CEF format version written after `CEF:` (E6).
///
/// ```
/// use audit_cef::Version;
/// assert_eq!(Version::default(), Version::Zero);
/// assert_eq!("1".parse::<Version>()?, Version::One);
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Version {
    /// `CEF:0`.
    #[default]
    Zero,
    /// `CEF:1`.
    One,
}

impl Version {
    /// `"0"` or `"1"`.
    ///
    /// ```
    /// assert_eq!(audit_cef::Version::One.as_str(), "1");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Version::Zero => "0",
            Version::One => "1",
        }
    }
}

impl FromStr for Version {
    type Err = Error;
    fn from_str(text: &str) -> Result<Version> {
        match text {
            "0" => Ok(Version::Zero),
            "1" => Ok(Version::One),
            _ => Err(Error::new(ErrorKind::InvalidVersion)),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_severity_round_trips_through_text() {
        for text in LEVELS.iter().chain(NAMES.iter()) {
            assert_eq!(Severity::parse(text, false).map(Severity::as_str), Ok(*text));
        }
        for bad in ["", "11", "-1", "05", " 5", "very-high", "\\10", "|10"] {
            assert!(Severity::parse(bad, false).is_err(), "{bad:?}");
        }
        assert_eq!(Severity::parse("very-high", true), Ok(Severity::VERY_HIGH));
    }
}
