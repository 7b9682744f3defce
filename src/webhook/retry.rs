//! Konnect's webhook retry policy as a pure function (konnect.md section
//! 4): from what a delivery attempt came back with and how many retries came
//! before, whether to stop, wait and retry, or give up. It reads no clock
//! and sleeps nowhere, so any runtime can drive it; jitter comes from a seed
//! the caller passes, so tests are deterministic.

use std::time::Duration;

/// What one delivery attempt came back with.
///
/// ```
/// use audit_cef::webhook::Attempt;
/// let throttled = Attempt::Status { code: 429, retry_after: Some(std::time::Duration::from_secs(3)) };
/// assert!(matches!(throttled, Attempt::Status { code: 429, .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// No HTTP response: the connection failed, timed out or was reset.
    ConnectionError,
    /// An HTTP response with this status, and its `Retry-After` if any.
    Status {
        /// The HTTP status code.
        code: u16,
        /// The `Retry-After` delay the server asked for.
        retry_after: Option<Duration>,
    },
}

/// What to do after an attempt.
///
/// ```
/// use audit_cef::webhook::{Attempt, Next, RetryPolicy};
/// let next = RetryPolicy::KONNECT.next(0, Attempt::Status { code: 200, retry_after: None }, 7);
/// assert_eq!(next, Next::Delivered);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// A 2xx response: the batch is delivered.
    Delivered,
    /// Wait this long, then send the batch again.
    Retry(Duration),
    /// Do not send it again: a status that is not retried, or no retries left.
    GiveUp,
}

/// When to retry a delivery: which outcomes, how many times, how long to
/// wait. [`RetryPolicy::KONNECT`] follows Konnect's rule: retry after a
/// connection error, HTTP 500 or HTTP 429, at most 4 times, waiting 1 s,
/// then twice as long each time up to 30 s. A `Retry-After` the server
/// gives is a floor: the wait is never shorter than it asked (jitter only
/// adds), honoured up to [`RetryPolicy::max_retry_after`] (120 s by
/// default), since a server that asks for a pause and is retried sooner
/// answers 429 again and the retries run out.
///
/// ```
/// use std::time::Duration;
/// use audit_cef::webhook::{Attempt, Next, RetryPolicy};
/// let policy = RetryPolicy::KONNECT.jitter_percent(0);
/// let waits: Vec<Next> = (0..5).map(|retries| policy.next(retries, Attempt::ConnectionError, 0)).collect();
/// assert_eq!(waits, [
///     Next::Retry(Duration::from_secs(1)),
///     Next::Retry(Duration::from_secs(2)),
///     Next::Retry(Duration::from_secs(4)),
///     Next::Retry(Duration::from_secs(8)),
///     Next::GiveUp,
/// ]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    first_wait: Duration,
    max_wait: Duration,
    max_retry_after: Duration,
    jitter_percent: u8,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy::KONNECT
    }
}

impl RetryPolicy {
    /// Konnect's policy: at most 4 retries, waits from 1 s doubling up to
    /// 30 s, shortened by up to 20% of jitter (never below 1 s); a
    /// `Retry-After` lengthened by up to 20%, honoured up to 120 s.
    pub const KONNECT: RetryPolicy = RetryPolicy {
        max_retries: 4,
        first_wait: Duration::from_secs(1),
        max_wait: Duration::from_secs(30),
        max_retry_after: Duration::from_secs(120),
        jitter_percent: 20,
    };

    /// At most `retries` retries after the first attempt.
    ///
    /// ```
    /// use audit_cef::webhook::{Attempt, Next, RetryPolicy};
    /// assert_eq!(RetryPolicy::KONNECT.max_retries(0).next(0, Attempt::ConnectionError, 1), Next::GiveUp);
    /// ```
    pub const fn max_retries(mut self, retries: u32) -> RetryPolicy {
        self.max_retries = retries;
        self
    }

    /// The first wait and the longest (a longer first wait raises the longest).
    ///
    /// ```
    /// use std::time::Duration;
    /// use audit_cef::webhook::{Attempt, Next, RetryPolicy};
    /// let policy = RetryPolicy::KONNECT.waits(Duration::from_millis(100), Duration::from_millis(150)).jitter_percent(0);
    /// assert_eq!(policy.next(3, Attempt::ConnectionError, 0), Next::Retry(Duration::from_millis(150)));
    /// ```
    pub const fn waits(mut self, first: Duration, longest: Duration) -> RetryPolicy {
        self.first_wait = first;
        self.max_wait = if longest.as_nanos() < first.as_nanos() { first } else { longest };
        self
    }

    /// The longest `Retry-After` honoured (default 120 s); a longer one is
    /// waited this long. Below the first wait, the first wait is the floor.
    ///
    /// ```
    /// use std::time::Duration;
    /// use audit_cef::webhook::{Attempt, Next, RetryPolicy};
    /// let policy = RetryPolicy::KONNECT.jitter_percent(0).max_retry_after(Duration::from_secs(60));
    /// let asked = Attempt::Status { code: 429, retry_after: Some(Duration::from_secs(600)) };
    /// assert_eq!(policy.next(0, asked, 0), Next::Retry(Duration::from_secs(60)));
    /// ```
    pub const fn max_retry_after(mut self, longest: Duration) -> RetryPolicy {
        self.max_retry_after = longest;
        self
    }

    /// How much of each wait may be cut at random, in percent (0 to 100;
    /// more is taken as 100); a wait a `Retry-After` asked for is
    /// lengthened by up to as much instead, never cut. Jitter spreads
    /// retries from many senders.
    ///
    /// ```
    /// use std::time::Duration;
    /// use audit_cef::webhook::{Attempt, Next, RetryPolicy};
    /// let exact = RetryPolicy::KONNECT.jitter_percent(0);
    /// assert_eq!(exact.next(1, Attempt::ConnectionError, 99), Next::Retry(Duration::from_secs(2)));
    /// ```
    pub const fn jitter_percent(mut self, percent: u8) -> RetryPolicy {
        self.jitter_percent = if percent > 100 { 100 } else { percent };
        self
    }

    /// What to do after an attempt, when `retries` retries came before it.
    /// `seed` draws the jitter: the same seed gives the same wait.
    ///
    /// A 2xx status is [`Next::Delivered`]. A connection error, 500 or 429
    /// is retried while retries are left. Without a `Retry-After` the wait
    /// doubles from the first to the longest, shortened by the jitter but
    /// never below the first wait. With one, the wait is what it asked
    /// (at least the first wait, at most [`RetryPolicy::max_retry_after`]),
    /// lengthened by the jitter: never shorter than asked. Any other
    /// status is [`Next::GiveUp`]: sending the same batch again would not
    /// change the answer.
    ///
    /// ```
    /// use std::time::Duration;
    /// use audit_cef::webhook::{Attempt, Next, RetryPolicy};
    /// let policy = RetryPolicy::KONNECT;
    /// assert_eq!(policy.next(0, Attempt::Status { code: 401, retry_after: None }, 0), Next::GiveUp);
    /// let asked = Attempt::Status { code: 429, retry_after: Some(Duration::from_secs(3)) };
    /// let Next::Retry(wait) = policy.next(0, asked, 42) else { panic!() };
    /// assert!(wait >= Duration::from_secs(3) && wait <= Duration::from_millis(3600));
    /// let Next::Retry(wait) = policy.next(2, Attempt::Status { code: 500, retry_after: None }, 42) else { panic!() };
    /// assert!(wait >= Duration::from_millis(3200) && wait <= Duration::from_secs(4));
    /// ```
    pub fn next(&self, retries: u32, attempt: Attempt, seed: u64) -> Next {
        let retry_after = match attempt {
            Attempt::Status { code: 200..=299, .. } => return Next::Delivered,
            Attempt::ConnectionError => None,
            Attempt::Status { code: 429 | 500, retry_after } => retry_after,
            Attempt::Status { .. } => return Next::GiveUp,
        };
        if retries >= self.max_retries {
            return Next::GiveUp;
        }
        // Up to jitter_percent of the wait, drawn from the seed and the retry.
        let jitter = |wait: Duration| {
            let fraction = (mix(seed ^ u64::from(retries)) % 10_001) as u128 * u128::from(self.jitter_percent);
            let nanos = wait.as_nanos().saturating_mul(fraction) / 1_000_000;
            Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
        };
        match retry_after {
            Some(asked) => {
                // The server's asked wait is a floor: jitter only adds.
                let wait = asked.max(self.first_wait).min(self.max_retry_after.max(self.first_wait));
                Next::Retry(wait.saturating_add(jitter(wait)))
            }
            None => {
                let doubled = self.first_wait.saturating_mul(2u32.saturating_pow(retries.min(31)));
                let wait = doubled.clamp(self.first_wait, self.max_wait);
                Next::Retry(wait.saturating_sub(jitter(wait)).max(self.first_wait))
            }
        }
    }
}

/// SplitMix64's finalizer: spreads a seed's bits evenly.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn konnect_retries_connection_errors_500_and_429_only() {
        let policy = RetryPolicy::KONNECT;
        for code in [200, 201, 204, 299] {
            assert_eq!(policy.next(0, Attempt::Status { code, retry_after: None }, 1), Next::Delivered, "{code}");
        }
        for code in [301, 400, 401, 403, 404, 413, 501, 502, 503, 504] {
            assert_eq!(policy.next(0, Attempt::Status { code, retry_after: None }, 1), Next::GiveUp, "{code}");
        }
        for attempt in [
            Attempt::ConnectionError,
            Attempt::Status { code: 500, retry_after: None },
            Attempt::Status { code: 429, retry_after: None },
        ] {
            assert!(matches!(policy.next(0, attempt, 1), Next::Retry(_)), "{attempt:?}");
            assert_eq!(policy.next(4, attempt, 1), Next::GiveUp, "{attempt:?} after 4 retries");
        }
    }

    #[test]
    fn every_wait_is_between_one_and_thirty_seconds_and_seeds_repeat() {
        let policy = RetryPolicy::KONNECT;
        for seed in 0..2_000u64 {
            for retries in 0..4 {
                for attempt in [Attempt::ConnectionError, Attempt::Status { code: 500, retry_after: None }] {
                    let Next::Retry(wait) = policy.next(retries, attempt, seed) else { panic!("no retry") };
                    assert!((SECOND..=SECOND * 30).contains(&wait), "{wait:?}");
                    assert_eq!(policy.next(retries, attempt, seed), Next::Retry(wait), "same seed, same wait");
                }
            }
        }
    }

    /// `cef send` once waited 2.6 s after `Retry-After: 3`: the jitter cut
    /// the server's asked wait. It is a floor now, up to its own cap.
    #[test]
    fn retry_after_is_a_floor_that_jitter_only_lengthens_up_to_its_cap() {
        let policy = RetryPolicy::KONNECT;
        for seed in 0..2_000u64 {
            for retries in 0..4 {
                for code in [429, 500] {
                    let asked = |secs| Attempt::Status { code, retry_after: Some(SECOND * secs) };
                    let Next::Retry(wait) = policy.next(retries, asked(3), seed) else { panic!("no retry") };
                    assert!((SECOND * 3..=Duration::from_millis(3_600)).contains(&wait), "{wait:?}");
                    let Next::Retry(wait) = policy.next(retries, asked(0), seed) else { panic!("no retry") };
                    assert!((SECOND..=Duration::from_millis(1_200)).contains(&wait), "{wait:?}");
                    let Next::Retry(wait) = policy.next(retries, asked(90), seed) else { panic!("no retry") };
                    assert!((SECOND * 90..=SECOND * 108).contains(&wait), "above the longest wait: {wait:?}");
                    let Next::Retry(wait) = policy.next(retries, asked(10_000), seed) else { panic!("no retry") };
                    assert!((SECOND * 120..=SECOND * 144).contains(&wait), "held to the cap: {wait:?}");
                }
            }
        }
        let exact = policy.jitter_percent(0).max_retry_after(SECOND * 5);
        let asked = Attempt::Status { code: 429, retry_after: Some(SECOND * 9) };
        assert_eq!(exact.next(0, asked, 7), Next::Retry(SECOND * 5));
    }

    #[test]
    fn jitter_cuts_at_most_its_share_and_spreads() {
        let policy = RetryPolicy::KONNECT;
        let waits: Vec<Duration> = (0..1_000u64)
            .map(|seed| match policy.next(3, Attempt::ConnectionError, seed) {
                Next::Retry(wait) => wait,
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(waits.iter().all(|w| *w >= Duration::from_millis(6_400) && *w <= SECOND * 8));
        let distinct: std::collections::BTreeSet<Duration> = waits.iter().copied().collect();
        assert!(distinct.len() > 900, "jitter spreads the waits: {} distinct", distinct.len());
    }

    #[test]
    fn doubling_saturates_at_the_longest_wait() {
        let policy = RetryPolicy::KONNECT.max_retries(u32::MAX).jitter_percent(0);
        assert_eq!(policy.next(5, Attempt::ConnectionError, 0), Next::Retry(SECOND * 30));
        assert_eq!(policy.next(u32::MAX - 1, Attempt::ConnectionError, 0), Next::Retry(SECOND * 30));
    }
}
