//! Where `cef receive` and `cef relay` say what happens: standard error,
//! as text lines or (`--log-format json`) one JSON object per event with
//! its time, level and message. Every message of the process goes the
//! same way once logging has started, the per-request lines too (unless
//! `--quiet`). Messages never hold a secret or an entry's text: they name
//! peers, counts and error kinds.

use std::sync::atomic::{AtomicBool, Ordering};

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event.
    #[default]
    Text,
    /// One JSON object per event: `timestamp`, `level`, `message`.
    Json,
}

static JSON: AtomicBool = AtomicBool::new(false);
static QUIET: AtomicBool = AtomicBool::new(false);

/// Starts logging in `format`; with `quiet`, the per-request lines are
/// left out (failures are still said).
pub fn start(format: LogFormat, quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_target(false).with_ansi(false);
    let started = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).with_span_list(false).try_init(),
    };
    if started.is_ok() && format == LogFormat::Json {
        JSON.store(true, Ordering::Relaxed);
    }
}

/// Whether messages go out as JSON objects.
pub fn is_json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// Whether a line per request is said (not `--quiet`).
pub fn per_request() -> bool {
    !QUIET.load(Ordering::Relaxed)
}
