//! The standard's length limits (E8), an opt-in check.
//!
//! Measured in UTF-8 bytes before escaping. Keys not listed have no limit.

use super::event::Event;
use crate::error::{Error, ErrorKind, HeaderField, Result};

/// String limits of the CEF dictionary (Implementation Standard, v25).
const DICTIONARY: &[(&str, usize)] = &[
    ("act", 63),
    ("app", 31),
    ("cat", 1023),
    ("cs1", 4000),
    ("cs2", 4000),
    ("cs3", 4000),
    ("cs4", 4000),
    ("cs5", 4000),
    ("cs6", 4000),
    ("cs1Label", 1023),
    ("cs2Label", 1023),
    ("cs3Label", 1023),
    ("cs4Label", 1023),
    ("cs5Label", 1023),
    ("cs6Label", 1023),
    ("cn1Label", 1023),
    ("cn2Label", 1023),
    ("cn3Label", 1023),
    ("deviceCustomDate1Label", 1023),
    ("deviceCustomDate2Label", 1023),
    ("destinationServiceName", 1023),
    ("dhost", 1023),
    ("dntdom", 255),
    ("dpriv", 1023),
    ("dproc", 1023),
    ("duid", 1023),
    ("duser", 1023),
    ("dvchost", 100),
    ("externalId", 40),
    ("fileHash", 255),
    ("fileId", 1023),
    ("filePath", 1023),
    ("filePermission", 1023),
    ("fileType", 1023),
    ("fname", 1023),
    ("msg", 1023),
    ("oldFileHash", 255),
    ("oldFileId", 1023),
    ("oldFileName", 1023),
    ("oldFilePath", 1023),
    ("oldFileType", 1023),
    ("outcome", 63),
    ("proto", 31),
    ("reason", 1023),
    ("request", 1023),
    ("requestClientApplication", 1023),
    ("requestContext", 2048),
    ("requestCookies", 1023),
    ("requestMethod", 1023),
    ("shost", 1023),
    ("sntdom", 255),
    ("sourceServiceName", 1023),
    ("spriv", 1023),
    ("sproc", 1023),
    ("suid", 1023),
    ("suser", 1023),
];

/// Header limits in bytes.
const HEADER: [(HeaderField, usize); 5] = [
    (HeaderField::Vendor, 63),
    (HeaderField::Product, 63),
    (HeaderField::DeviceVersion, 31),
    (HeaderField::EventClassId, 1023),
    (HeaderField::Name, 512),
];

/// The dictionary limit for `key`, if the standard gives one.
pub(crate) fn value_limit(key: &str) -> Option<usize> {
    DICTIONARY.iter().find(|(k, _)| *k == key).map(|&(_, limit)| limit)
}

/// The first field over its limit; the offset is the limit (the first byte too many).
pub(crate) fn check(event: &Event<'_>) -> Result<()> {
    let fields = [&event.vendor, &event.product, &event.device_version, &event.event_class_id, &event.name];
    for ((field, limit), text) in HEADER.iter().zip(fields) {
        if text.len() > *limit {
            return Err(Error::new(ErrorKind::HeaderTooLong(*field)));
        }
    }
    for (pair, (key, value)) in event.extensions.iter().enumerate() {
        if value_limit(key.as_str()).is_some_and(|limit| value.len() > limit) {
            return Err(Error::new(ErrorKind::ValueTooLong { pair }));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    #[test]
    fn limits_are_bytes_before_escaping() {
        // 63 bytes of `|` escape to 126 but are within the limit.
        let ok = Event::new("|".repeat(63), "p", "1", "id", "n", Severity::LOW);
        assert_eq!(ok.as_ref().map(check).ok(), Some(Ok(())));
        // 16 four-byte characters are 64 bytes.
        let long = Event::new("😬".repeat(16), "p", "1", "id", "n", Severity::LOW);
        let err = long.as_ref().map(check).ok();
        assert_eq!(err, Some(Err(Error::new(ErrorKind::HeaderTooLong(HeaderField::Vendor)))));
    }

    #[test]
    fn dictionary_limits_name_the_pair() {
        let mut event = Event::new("v", "p", "1", "id", "n", Severity::LOW).ok();
        if let Some(e) = event.as_mut() {
            let _ = e.push("custom", "x".repeat(5000)).and_then(|e| e.push("act", "y".repeat(64)));
        }
        let err = event.as_ref().map(check);
        assert_eq!(err, Some(Err(Error::new(ErrorKind::ValueTooLong { pair: 1 }))));
    }
}
