//! What a [`CompletenessChecker`](super::CompletenessChecker) found.

use std::fmt::Write as _;

use super::record::StreamId;

/// An entry a checkpoint lists that was not received.
///
/// ```
/// use audit_cef::checkpoint::{Missing, StreamId};
/// let missing = Missing { stream: StreamId::from_bytes([0; 16]), checkpoint: 2, position: 250 };
/// assert_eq!(missing.position, 250);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missing {
    /// Its stream.
    pub stream: StreamId,
    /// The `seq` of the checkpoint that lists it.
    pub checkpoint: u64,
    /// Its position in the stream.
    pub position: u64,
}

/// The findings for one stream.
///
/// ```
/// let report = audit_cef::checkpoint::CompletenessChecker::new().finish();
/// assert!(report.streams.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamReport {
    /// The stream.
    pub stream: StreamId,
    /// Checkpoints of the stream received (out-of-sequence ones included).
    pub checkpoints: u64,
    /// Entries received that a checkpoint lists, each counted once.
    pub confirmed: u64,
    /// Entries a received checkpoint lists that were not received.
    pub missing: u64,
    /// Extra copies of confirmed entries (a checkpoint listing an entry
    /// twice expects two copies).
    pub duplicated: u64,
    /// Confirmed entries received out of stream order: the fewest that
    /// must move to restore it, within each checkpoint's range.
    pub reordered: u64,
    /// Checkpoints missing from the chain (their `seq` skipped) or out of
    /// sequence (a `seq` already seen, a `prev` or `first` that does not
    /// follow the previous checkpoint).
    pub checkpoint_gaps: u64,
    /// Positions covered by the missing checkpoints, from the `first` of
    /// the checkpoints around them: neither confirmed nor known missing.
    pub gap_entries: u64,
    /// Entries received within a gap (between the checkpoints around it,
    /// at most `gap_entries`): present, but nothing proves them.
    pub unprovable: u64,
}

impl StreamReport {
    pub(crate) fn new(stream: StreamId) -> StreamReport {
        StreamReport {
            stream,
            checkpoints: 0,
            confirmed: 0,
            missing: 0,
            duplicated: 0,
            reordered: 0,
            checkpoint_gaps: 0,
            gap_entries: 0,
            unprovable: 0,
        }
    }
}

/// Everything a [`CompletenessChecker`](super::CompletenessChecker) found.
/// Entries carry no stream id, so the entries no checkpoint claims are
/// counted for all streams together.
///
/// ```
/// let report = audit_cef::checkpoint::CompletenessChecker::new().finish();
/// assert_eq!(report.to_json(), r#"{"entries":0,"confirmed":0,"missing":0,"duplicated":0,"reordered":0,"unexpected":0,"checkpoint_gaps":0,"unconfirmed_tail":0,"checkpoints":0,"gap_entries":0,"unprovable":0,"streams":0}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Entries received, checkpoints not counted.
    pub entries: u64,
    /// Checkpoint entries received.
    pub checkpoints: u64,
    /// Entries that no checkpoint claims and that arrived before the last
    /// checkpoint of every stream: inserted, replayed long after, or from
    /// a stream none of whose checkpoints was received.
    pub unexpected: u64,
    /// Entries that no checkpoint claims yet and that arrived after the
    /// last checkpoint of some stream (or before any checkpoint): not yet
    /// provable, not an error.
    pub unconfirmed_tail: u64,
    /// Per stream, in the order of their ids.
    pub streams: Vec<StreamReport>,
    /// The first missing entries found (at most 1024; see
    /// [`Report::missing`] for the count).
    pub missing_entries: Vec<Missing>,
}

impl Report {
    fn sum(&self, field: impl Fn(&StreamReport) -> u64) -> u64 {
        self.streams.iter().map(field).fold(0, u64::saturating_add)
    }

    /// Confirmed entries, all streams.
    ///
    /// ```
    /// assert_eq!(audit_cef::checkpoint::CompletenessChecker::new().finish().confirmed(), 0);
    /// ```
    pub fn confirmed(&self) -> u64 {
        self.sum(|s| s.confirmed)
    }

    /// Missing entries, all streams.
    ///
    /// ```
    /// assert_eq!(audit_cef::checkpoint::CompletenessChecker::new().finish().missing(), 0);
    /// ```
    pub fn missing(&self) -> u64 {
        self.sum(|s| s.missing)
    }

    /// Duplicated entries, all streams.
    ///
    /// ```
    /// assert_eq!(audit_cef::checkpoint::CompletenessChecker::new().finish().duplicated(), 0);
    /// ```
    pub fn duplicated(&self) -> u64 {
        self.sum(|s| s.duplicated)
    }

    /// Reordered entries, all streams.
    ///
    /// ```
    /// assert_eq!(audit_cef::checkpoint::CompletenessChecker::new().finish().reordered(), 0);
    /// ```
    pub fn reordered(&self) -> u64 {
        self.sum(|s| s.reordered)
    }

    /// Checkpoint chain gaps, all streams.
    ///
    /// ```
    /// assert_eq!(audit_cef::checkpoint::CompletenessChecker::new().finish().checkpoint_gaps(), 0);
    /// ```
    pub fn checkpoint_gaps(&self) -> u64 {
        self.sum(|s| s.checkpoint_gaps)
    }

    /// Positions covered by missing checkpoints, all streams.
    ///
    /// ```
    /// assert_eq!(audit_cef::checkpoint::CompletenessChecker::new().finish().gap_entries(), 0);
    /// ```
    pub fn gap_entries(&self) -> u64 {
        self.sum(|s| s.gap_entries)
    }

    /// Entries received within gaps, all streams.
    ///
    /// ```
    /// assert_eq!(audit_cef::checkpoint::CompletenessChecker::new().finish().unprovable(), 0);
    /// ```
    pub fn unprovable(&self) -> u64 {
        self.sum(|s| s.unprovable)
    }

    /// No entry missing, duplicated, reordered or unexpected, and no chain
    /// gap (an unconfirmed tail is allowed).
    ///
    /// ```
    /// assert!(audit_cef::checkpoint::CompletenessChecker::new().finish().is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.missing() == 0
            && self.duplicated() == 0
            && self.reordered() == 0
            && self.unexpected == 0
            && self.checkpoint_gaps() == 0
    }

    /// The totals as one compact JSON object: `entries`, `confirmed`,
    /// `missing`, `duplicated`, `reordered`, `unexpected`,
    /// `checkpoint_gaps`, `unconfirmed_tail`, then `checkpoints`,
    /// `gap_entries`, `unprovable` and `streams` (how many).
    ///
    /// ```
    /// assert!(audit_cef::checkpoint::CompletenessChecker::new().finish().to_json().starts_with(r#"{"entries":0,"#));
    /// ```
    pub fn to_json(&self) -> String {
        let fields = [
            ("entries", self.entries),
            ("confirmed", self.confirmed()),
            ("missing", self.missing()),
            ("duplicated", self.duplicated()),
            ("reordered", self.reordered()),
            ("unexpected", self.unexpected),
            ("checkpoint_gaps", self.checkpoint_gaps()),
            ("unconfirmed_tail", self.unconfirmed_tail),
            ("checkpoints", self.checkpoints),
            ("gap_entries", self.gap_entries()),
            ("unprovable", self.unprovable()),
            ("streams", u64::try_from(self.streams.len()).unwrap_or(u64::MAX)),
        ];
        let mut json = String::with_capacity(256);
        json.push('{');
        for (index, (name, value)) in fields.into_iter().enumerate() {
            if index > 0 {
                json.push(',');
            }
            let _infallible = write!(json, "\"{name}\":{value}");
        }
        json.push('}');
        json
    }
}
