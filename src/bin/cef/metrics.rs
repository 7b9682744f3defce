//! What `cef receive` and `cef relay` count for `GET /metrics`, in the
//! Prometheus text format. One set per process (a collector is one
//! process): the parts that count reach it through [`get`] instead of
//! threading a handle through every layer; before [`init`] (every other
//! subcommand) nothing is counted.

use std::sync::OnceLock;

use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The counters, gauges and histogram of a collector.
pub struct Metrics {
    registry: Registry,
    /// Entries verified and stored (or handed to the sender, in a relay).
    pub verified: IntCounter,
    /// Verified entries left out as duplicates (--dedup).
    pub duplicates: IntCounter,
    /// Entries rejected and stored, by the error kind's stable name.
    pub rejected: IntCounterVec,
    /// Requests answered, by status code (`closed`: cut off without one).
    pub requests: IntCounterVec,
    /// Keys in the JWKS in use.
    pub jwks_keys: IntGauge,
    /// When the JWKS was last read or fetched successfully (Unix seconds).
    pub jwks_last_success: Gauge,
    /// How long each journal group's writes and syncs took.
    pub journal_sync: Histogram,
    /// Bytes reserved from --max-memory now.
    pub memory_reserved: IntGauge,
    /// Connections open now, on every listener.
    pub connections: IntGauge,
    /// The memory in use, read when the metrics are rendered.
    memory_source: OnceLock<Box<dyn Fn() -> usize + Send + Sync>>,
}

static METRICS: OnceLock<Metrics> = OnceLock::new();

/// Sets the process's metrics up (once; later calls do nothing).
pub fn init() -> Result<(), String> {
    if METRICS.get().is_none() {
        let metrics = Metrics::new().map_err(|err| format!("cannot set up the metrics: {err}"))?;
        let _ = METRICS.set(metrics);
    }
    Ok(())
}

/// The process's metrics, once [`init`] has run.
pub fn get() -> Option<&'static Metrics> {
    METRICS.get()
}

/// Counts a connection open until dropped.
pub struct Connection;

impl Connection {
    pub fn open() -> Connection {
        if let Some(metrics) = get() {
            metrics.connections.inc();
        }
        Connection
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(metrics) = get() {
            metrics.connections.dec();
        }
    }
}

impl Metrics {
    fn new() -> prometheus::Result<Metrics> {
        let metrics = Metrics {
            registry: Registry::new(),
            verified: IntCounter::new("cef_entries_verified_total", "Entries verified and stored.")?,
            duplicates: IntCounter::new(
                "cef_entries_duplicate_total",
                "Verified entries not written again: their signature was stored before (--dedup).",
            )?,
            rejected: IntCounterVec::new(
                Opts::new("cef_entries_rejected_total", "Entries rejected and stored, by reason."),
                &["reason"],
            )?,
            requests: IntCounterVec::new(
                Opts::new("cef_requests_total", "Requests answered, by status code (closed: cut off)."),
                &["code"],
            )?,
            jwks_keys: IntGauge::new("cef_jwks_keys", "Keys in the JWKS in use.")?,
            jwks_last_success: Gauge::new(
                "cef_jwks_last_success_timestamp_seconds",
                "When the JWKS was last read or fetched successfully, in Unix seconds.",
            )?,
            journal_sync: Histogram::with_opts(
                HistogramOpts::new(
                    "cef_journal_sync_seconds",
                    "Time to write and sync one group of requests' records.",
                )
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
            )?,
            memory_reserved: IntGauge::new("cef_memory_reserved_bytes", "Bytes reserved from --max-memory.")?,
            connections: IntGauge::new("cef_connections", "Connections open on every listener.")?,
            memory_source: OnceLock::new(),
        };
        let registry = &metrics.registry;
        registry.register(Box::new(metrics.verified.clone()))?;
        registry.register(Box::new(metrics.duplicates.clone()))?;
        registry.register(Box::new(metrics.rejected.clone()))?;
        registry.register(Box::new(metrics.requests.clone()))?;
        registry.register(Box::new(metrics.jwks_keys.clone()))?;
        registry.register(Box::new(metrics.jwks_last_success.clone()))?;
        registry.register(Box::new(metrics.journal_sync.clone()))?;
        registry.register(Box::new(metrics.memory_reserved.clone()))?;
        registry.register(Box::new(metrics.connections.clone()))?;
        Ok(metrics)
    }

    /// Where `cef_memory_reserved_bytes` is read from (the first one set wins).
    pub fn read_memory_from(&self, source: impl Fn() -> usize + Send + Sync + 'static) {
        let _ = self.memory_source.set(Box::new(source));
    }

    /// Counts entries stored: `verified`, and each rejection reason's count.
    pub fn stored<'k>(&self, verified: usize, rejected: impl IntoIterator<Item = (&'k str, usize)>) {
        self.verified.inc_by(verified as u64);
        for (reason, count) in rejected {
            self.rejected.with_label_values(&[reason]).inc_by(count as u64);
        }
    }

    /// The text of `GET /metrics`.
    pub fn render(&self) -> String {
        if let Some(source) = self.memory_source.get() {
            self.memory_reserved.set(i64::try_from(source()).unwrap_or(i64::MAX));
        }
        let mut text = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut text);
        String::from_utf8(text).unwrap_or_default()
    }
}

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
