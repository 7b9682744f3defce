//! `--checkpoints` for `cef receive` and `cef relay`: the journal feeds
//! every entry that verified, in the order stored, to a completeness
//! checker, and the report per stream is printed when the collector stops. `cef verify
//! --checkpoints` prints its report the same way.

use std::sync::{Arc, Mutex, PoisonError};

use audit_cef::checkpoint::{CompletenessChecker, FoundSoFar, Report};

use crate::io_util::report;

/// The checker the journal feeds once entries are durable.
pub type Completeness = Arc<Mutex<CompletenessChecker>>;

/// A collector's checker, and what was last said of its findings: one per
/// collector, shared by its request handlers or its syslog stage.
pub struct Watch {
    checker: Completeness,
    said: Mutex<FoundSoFar>,
}

impl Watch {
    /// Watches `checker`, which the journal feeds.
    pub fn new(checker: Completeness) -> Watch {
        Watch { checker, said: Mutex::new(FoundSoFar::default()) }
    }

    /// Says, when it changes, what checking has found wrong so far (a
    /// gap, missing or duplicated entries), not only at the exit.
    pub fn say_new_problems(&self, command: &str) {
        let now = self.checker.lock().unwrap_or_else(PoisonError::into_inner).found_so_far();
        let mut said = self.said.lock().unwrap_or_else(PoisonError::into_inner);
        if now != *said {
            tracing::warn!(
                "{command}: completeness so far: {} checkpoint gaps, {} entries missing, {} duplicated",
                now.checkpoint_gaps,
                now.missing,
                now.duplicated
            );
            *said = now;
        }
    }
}

/// Prints one line per stream, the first missing positions and the summary
/// line, as `cef verify --checkpoints` does; whether complete. Call it once
/// the journal's writer and every handler have ended (their handles on the
/// checker are gone).
pub fn report_streams(watch: Arc<Watch>, command: &str) -> bool {
    let completeness = match Arc::try_unwrap(watch) {
        Ok(watch) => watch.checker,
        Err(shared) => Arc::clone(&shared.checker),
    };
    let checker = match Arc::try_unwrap(completeness) {
        Ok(mutex) => mutex.into_inner().unwrap_or_else(PoisonError::into_inner),
        Err(shared) => shared.lock().unwrap_or_else(PoisonError::into_inner).clone(),
    };
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
