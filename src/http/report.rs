//! What a sender has done so far, in entries, batches and retries.

/// Counts of a [`Sender`](super::Sender) since it started.
///
/// Once everything is settled (after [`Sender::flush`](super::Sender::flush)
/// or [`Sender::close`](super::Sender::close)), `delivered + given_up ==
/// accepted + replayed`.
///
/// ```
/// let report = audit_cef::SenderReport::default();
/// assert_eq!(report.delivered + report.given_up, report.accepted + report.replayed);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderReport {
    /// Entries taken by `send` and `send_all`.
    pub accepted: u64,
    /// Entries found in the spool at start, left by a previous run (pending
    /// ones, then those it gave up on), to be sent before any new one.
    pub replayed: u64,
    /// Entries the collector acknowledged with a 2xx status.
    pub delivered: u64,
    /// Entries not delivered: their batch got a status that is not retried,
    /// or the retries ran out. With a spool they are kept in it and sent
    /// again by the next sender started on it.
    pub given_up: u64,
    /// Entries the spool holds that are not delivered: waiting to be sent,
    /// or given up and kept for the next start. Always 0 without a spool.
    pub spooled: u64,
    /// Batches sent (each counted once, whatever its retries).
    pub batches: u64,
    /// Requests sent again after a connection error, a 500 or a 429.
    pub retries: u64,
    /// Of the delivered entries, those the collector's answers said it
    /// rejected (`{"verified":N,"rejected":M}`, as `cef receive` answers;
    /// 0 from a collector that says nothing of it).
    pub rejected: u64,
}
