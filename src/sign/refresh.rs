//! When a collector fetches its JWKS again: on a schedule, and when an
//! entry matches no key (a rotation), but not more often than a floor, so
//! that entries made to fail cannot make it fetch without end. Pure: the
//! caller reads the clock and passes the time.

use std::time::{Duration, Instant};

/// The refresh schedule of a fetched JWKS.
///
/// ```
/// use std::time::{Duration, Instant};
/// use audit_cef::sign::JwksRefresh;
/// let start = Instant::now();
/// let mut refresh = JwksRefresh::new(Duration::from_secs(300), Duration::from_secs(30));
/// refresh.attempted(start);
/// assert!(!refresh.due(start + Duration::from_secs(299)));
/// assert!(refresh.due(start + Duration::from_secs(300)));
/// assert!(!refresh.may_fetch_on_miss(start + Duration::from_secs(29)));
/// assert!(refresh.may_fetch_on_miss(start + Duration::from_secs(30)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwksRefresh {
    every: Duration,
    min_interval: Duration,
    last_attempt: Option<Instant>,
}

impl JwksRefresh {
    /// Fetch every `every`, and on a miss at most once per `min_interval`.
    ///
    /// ```
    /// let refresh = audit_cef::sign::JwksRefresh::new(std::time::Duration::from_secs(300), std::time::Duration::from_secs(30));
    /// assert!(refresh.due(std::time::Instant::now()), "nothing fetched yet");
    /// ```
    pub fn new(every: Duration, min_interval: Duration) -> JwksRefresh {
        JwksRefresh { every, min_interval, last_attempt: None }
    }

    /// Whether the scheduled fetch is due at `now`.
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// let mut refresh = audit_cef::sign::JwksRefresh::new(Duration::from_secs(5), Duration::from_secs(1));
    /// let now = Instant::now();
    /// refresh.attempted(now);
    /// assert!(!refresh.due(now));
    /// ```
    pub fn due(&self, now: Instant) -> bool {
        self.since_attempt(now).is_none_or(|since| since >= self.every)
    }

    /// How long after `now` the scheduled fetch falls due (zero when due).
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// let mut refresh = audit_cef::sign::JwksRefresh::new(Duration::from_secs(5), Duration::from_secs(1));
    /// let now = Instant::now();
    /// refresh.attempted(now);
    /// assert_eq!(refresh.until_due(now + Duration::from_secs(2)), Duration::from_secs(3));
    /// ```
    pub fn until_due(&self, now: Instant) -> Duration {
        self.since_attempt(now).map_or(Duration::ZERO, |since| self.every.saturating_sub(since))
    }

    /// Whether an entry that matched no key may make it fetch at `now`.
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// let mut refresh = audit_cef::sign::JwksRefresh::new(Duration::from_secs(300), Duration::from_secs(30));
    /// let now = Instant::now();
    /// assert!(refresh.may_fetch_on_miss(now));
    /// refresh.attempted(now);
    /// assert!(!refresh.may_fetch_on_miss(now + Duration::from_secs(1)));
    /// ```
    pub fn may_fetch_on_miss(&self, now: Instant) -> bool {
        self.since_attempt(now).is_none_or(|since| since >= self.min_interval)
    }

    /// Notes a fetch started at `now`, whether it succeeds or not (a
    /// failing server is not asked again sooner).
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// let mut refresh = audit_cef::sign::JwksRefresh::new(Duration::from_secs(300), Duration::from_secs(30));
    /// refresh.attempted(Instant::now());
    /// ```
    pub fn attempted(&mut self, now: Instant) {
        self.last_attempt = Some(now);
    }

    fn since_attempt(&self, now: Instant) -> Option<Duration> {
        self.last_attempt.map(|last| now.saturating_duration_since(last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_going_back_never_makes_it_due_early() {
        let start = Instant::now() + Duration::from_secs(100);
        let mut refresh = JwksRefresh::new(Duration::from_secs(10), Duration::from_secs(3));
        refresh.attempted(start);
        let earlier = start - Duration::from_secs(50);
        assert!(!refresh.due(earlier));
        assert!(!refresh.may_fetch_on_miss(earlier));
        assert_eq!(refresh.until_due(earlier), Duration::from_secs(10));
    }
}
