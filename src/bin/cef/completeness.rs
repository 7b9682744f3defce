//! `--checkpoints` for `cef receive` and `cef relay`: every entry that
//! verified is fed, in the order stored, to a completeness checker, and
//! the report per stream is printed when the collector stops. `cef verify
//! --checkpoints` prints its report the same way.

use std::sync::Mutex;

use audit_cef::checkpoint::{CompletenessChecker, Report};

use crate::io_util::report;

/// A checker shared by the request handlers (or the syslog stage).
#[derive(Default)]
pub struct Completeness(Mutex<CompletenessChecker>);

impl Completeness {
    /// Feeds entries that verified and were stored, in their order.
    pub fn add<'e>(&self, entries: impl Iterator<Item = &'e [u8]>) {
        // A poisoned lock still holds a usable checker: a panic elsewhere
        // must not stop the counting.
        let mut checker = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for entry in entries {
            checker.add(entry);
        }
    }

    /// Prints one line per stream, the first missing positions and the
    /// summary line, as `cef verify --checkpoints` does; whether complete.
    pub fn report(self, command: &str) -> bool {
        let checker = self.0.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        let completeness = checker.finish();
        for stream in &completeness.streams {
            report(format_args!(
                "{command}: stream {}: {} checkpoints, {} confirmed, {} missing, {} duplicated, {} reordered, {} checkpoint gaps",
                stream.stream,
                stream.checkpoints,
                stream.confirmed,
                stream.missing,
                stream.duplicated,
                stream.reordered,
                stream.checkpoint_gaps
            ));
        }
        print_missing_and_summary(&completeness, &format!("{command}: "));
        completeness.is_complete()
    }
}

/// Prints, each after `prefix`, the first missing entries (up to 10) and
/// the `completeness:` line, as `cef verify`, `cef receive` and `cef relay`
/// with --checkpoints all do; gives back the summary's JSON.
pub fn print_missing_and_summary(completeness: &Report, prefix: &str) -> String {
    for missing in completeness.missing_entries.iter().take(10) {
        report(format_args!(
            "{prefix}missing: stream {} checkpoint {} position {}",
            missing.stream, missing.checkpoint, missing.position
        ));
    }
    let summary = completeness.to_json();
    report(format_args!("{prefix}completeness: {summary}"));
    summary
}
